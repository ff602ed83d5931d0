"""A bot restart keeps each player's music: queue, history, loop mode, data and settings."""

from __future__ import annotations

import typing

import hikari
import msgspec
import pytest
from tests.bridge.conftest import PASSWORD
from tests.bridge.test_store import BOTH, WatchedStore, run_bot

import hikari_lavalink as hl
from hikari_lavalink.store import JsonFileStore, StoredState
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import pathlib

ALPHA, BETA, GAMMA = (
    factories.make_track(title=t, length=600_000) for t in ("Alpha", "Beta", "Gamma")
)


async def first_run(discord: FakeDiscord, node: FakeLavalink, store: WatchedStore) -> int:
    """Join, queue three tracks and play the first, with music settings; stop the bot."""
    bot, lava = await run_bot(discord, node, store)
    guild = discord.guilds[1]
    player = await lava.join(guild.id, guild.voice_channel_ids[0])
    player.queue.add(ALPHA, BETA, GAMMA, requester=5)
    player.queue.loop = hl.LoopMode.QUEUE
    player.data["text_channel"] = hikari.Snowflake(4242)  # an int subclass: stored as int
    player.data["not json"] = object()  # skipped, not fatal
    player.autoplay = True
    player.leave_when_idle = 120.0
    await player.skip()
    await store.wait_saved(
        lambda state: any(
            p.music is not None and [t.info.title for t in p.music.queue] == ["Beta", "Gamma"]
            for p in state.players
        )
    )
    await bot.close()  # with a store: players and sessions are kept
    return guild.id


def check_music(player: hl.Player) -> None:
    assert [t.info.title for t in player.queue] == ["Beta", "Gamma"]
    assert [hl.requester_of(t) for t in player.queue] == [5, 5]
    assert player.queue.loop is hl.LoopMode.QUEUE
    assert player.data == {"text_channel": 4242}
    assert player.autoplay
    assert player.leave_when_idle == 120.0
    assert player.leave_when_alone is None  # not set: the client's


@pytest.mark.asyncio
@BOTH
async def test_a_restart_keeps_the_queue_and_plays_on(
    tmp_path: pathlib.Path, fake: type[FakeLavalink]
) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, fake(password=PASSWORD) as node:
        guild = await first_run(discord, node, store)
        bot, lava = await run_bot(discord, node, store)
        try:
            player = lava.get_player(guild)  # adopted from the live session
            assert player is not None
            assert player.track is not None
            assert player.track.info.title == "Alpha"
            check_music(player)
            started = bot.stream(hl.TrackStartEvent, timeout=5)
            with started:
                await node.finish_track(guild)
                event = await anext(aiter(started))
            assert event.track.info.title == "Beta"
            assert [t.info.title for t in player.queue] == ["Gamma", "Alpha"]
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_a_track_that_ended_while_the_bot_was_away_advances(
    tmp_path: pathlib.Path,
) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as node:
        guild = await first_run(discord, node, store)
        await node.finish_track(guild)  # the session is paused: Lavalink keeps the event
        bot, lava = await run_bot(discord, node, store)
        try:
            player = lava.get_player(guild)
            assert player is not None
            event = await bot.wait_for(
                hl.TrackStartEvent, timeout=5, predicate=lambda e: e.guild_id == guild
            )
            assert event.track.info.title == "Beta"
            assert [t.info.title for t in player.queue.history] == ["Alpha"]
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_recreated_players_get_their_music_back(tmp_path: pathlib.Path) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as node:
        guild = await first_run(discord, node, store)
        await node.restart()  # the sessions are gone: the players are recreated
        bot, lava = await run_bot(discord, node, store)
        try:
            await bot.wait_for(hl.VoiceRestoredEvent, timeout=10)
            player = lava.get_player(guild)
            assert player is not None
            check_music(player)
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_a_store_written_by_version_1_still_loads(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "old.json"
    old: dict[str, typing.Any] = {
        "version": 1,
        "sessions": {"main": "abc"},
        "players": [
            {
                "guild_id": 1,
                "channel_id": 2,
                "node": "main",
                "track": msgspec.to_builtins(ALPHA),
                "position": 10,
                "volume": 100,
                "paused": False,
                "filters": {},
                "end_time": None,
            }
        ],
    }
    path.write_bytes(msgspec.json.encode(old))
    state = await JsonFileStore(path).load()
    assert isinstance(state, StoredState)
    assert state.players[0].music is None
    assert state.players[0].track == ALPHA
