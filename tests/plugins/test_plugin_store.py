"""A bot restart with a store keeps what each player asked of the plugins (live lyrics,
SponsorBlock categories), and tells the node again: its resumed session forgot them (a
resume wipes them), and a recreated player's new session never had them. A store written
before them still loads."""

from __future__ import annotations

import typing

import msgspec
import pytest
from tests.bridge.conftest import PASSWORD
from tests.bridge.test_store import WatchedStore, run_bot
from tests.plugins.plugin_world import PLUGINS, SUNG, TIMED, stock

import hikari_lavalink as hl
from hikari_lavalink.store import JsonFileStore, StoredPlugins, StoredState
from hikari_lavalink.testing import FakeDiscord, FakeLavalink

if typing.TYPE_CHECKING:
    import pathlib

    import hikari

CATEGORIES = ["sponsor", "music_offtopic"]


def plugin_node() -> FakeLavalink:
    fake = FakeLavalink(password=PASSWORD, plugins=PLUGINS, time_scale=5.0)
    stock(fake)
    return fake


async def first_run(discord: FakeDiscord, node: FakeLavalink, store: WatchedStore) -> int:
    """Join, play, subscribe and set categories; stop once the store has them."""
    bot, lava = await run_bot(discord, node, store)
    guild = discord.guilds[1]
    player = await lava.join(guild.id, guild.voice_channel_ids[0])
    await player.play(SUNG, start=1_000)
    await player.lyrics.subscribe(skip_track_source=True)
    await player.sponsorblock.set_categories(CATEGORIES)
    saved = await store.wait_saved(lambda state: any(p.plugins for p in state.players))
    assert saved.players[0].plugins == StoredPlugins(
        lyrics=True, skip_track_source=True, sponsorblock=CATEGORIES
    )
    await bot.close()  # with a store: players and sessions are kept
    return guild.id


def found_events(bot: hikari.GatewayBot) -> list[hl.LyricsFoundEvent]:
    events: list[hl.LyricsFoundEvent] = []

    async def record(event: hl.LyricsFoundEvent) -> None:
        events.append(event)

    bot.subscribe(hl.LyricsFoundEvent, record)
    return events


def check(player: hl.Player | None) -> hl.Player:
    assert player is not None
    assert player.lyrics.subscribed
    assert player.sponsorblock.categories == tuple(CATEGORIES)
    return player


@pytest.mark.asyncio
async def test_a_restart_that_resumes_tells_the_resumed_session_again(
    tmp_path: pathlib.Path,
) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, plugin_node() as node:
        guild = await first_run(discord, node, store)
        bot, lava = await run_bot(discord, node, store)
        try:
            player = check(lava.get_player(guild))
            session = player.node.session_id or ""
            await node.wait_until(lambda: node.lyrics_subscriptions(session) == {guild: True})
            await node.wait_until(lambda: node.skip_categories(session) == {guild: CATEGORIES})
            # The adopted player is served as any other (its lyrics on the resumed session).
            assert await player.lyrics.fetch() == TIMED
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_a_restart_that_recreates_tells_the_new_session(tmp_path: pathlib.Path) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, plugin_node() as node:
        guild = await first_run(discord, node, store)
        await node.restart()  # the Lavalink server restarted meanwhile: sessions gone
        bot, lava = await run_bot(discord, node, store)
        found = found_events(bot)
        try:
            await bot.wait_for(hl.VoiceRestoredEvent, timeout=10)
            player = check(lava.get_player(guild))
            session = player.node.session_id or ""
            await node.wait_until(lambda: node.lyrics_subscriptions(session) == {guild: True})
            assert node.skip_categories(session) == {guild: CATEGORIES}
            await node.wait_until(lambda: bool(found))
            assert found[0].lyrics == TIMED
            assert found[0].player is player
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_a_store_written_before_the_plugins_state_still_loads(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "old.json"
    old: dict[str, typing.Any] = {
        "version": 2,
        "sessions": {"main": "abc"},
        "players": [
            {
                "guild_id": 1,
                "channel_id": 2,
                "node": "main",
                "track": msgspec.to_builtins(SUNG),
                "position": 10,
                "music": {"loop": "track"},
                "saved_at": 1.0,
            }
        ],
    }
    path.write_bytes(msgspec.json.encode(old))
    state = await JsonFileStore(path).load()
    assert isinstance(state, StoredState)
    assert state.players[0].plugins is None
    assert state.players[0].music is not None
    # And what this version writes, an older one reads (it ignores the new key).
    new = StoredState(
        players=[
            msgspec.structs.replace(
                state.players[0], plugins=StoredPlugins(sponsorblock=["sponsor"])
            )
        ]
    )
    encoded = msgspec.json.encode(new)
    assert b'"plugins":{"sponsorblock":["sponsor"]}' in encoded
    assert msgspec.json.decode(encoded, type=StoredState) == new
    assert new.version == 3
