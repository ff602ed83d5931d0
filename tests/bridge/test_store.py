"""Bot restart survival: a store keeps sessions and players across bot processes."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import hikari
import pytest
import typing_extensions
from tests.bridge.conftest import PASSWORD, SONG

import hikari_lavalink as hl
from hikari_lavalink.store import JsonFileStore, StoredState
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, FakeNodeLink

if TYPE_CHECKING:
    import collections.abc
    import pathlib


BOTH = pytest.mark.parametrize("fake", [FakeLavalink, FakeNodeLink], ids=["lavalink", "nodelink"])
"""Run a store test on the Lavalink fake and on the NodeLink fake."""


class WatchedStore(JsonFileStore):
    """A :class:`JsonFileStore` that tells when it has saved a state."""

    def __init__(self, path: pathlib.Path) -> None:
        super().__init__(path)
        self.saved: list[StoredState] = []
        self._changed = asyncio.Event()

    @typing_extensions.override
    async def save(self, state: StoredState) -> None:
        await super().save(state)
        self.saved.append(state)
        self._changed.set()

    async def wait_saved(
        self, predicate: collections.abc.Callable[[StoredState], bool], timeout: float = 5.0
    ) -> StoredState:
        """The first saved state that matches (waiting for the client's next saves)."""
        async with asyncio.timeout(timeout):
            while True:
                for state in self.saved:
                    if predicate(state):
                        return state
                self._changed.clear()
                await self._changed.wait()


async def run_bot(
    discord: FakeDiscord, node: FakeLavalink, store: JsonFileStore
) -> tuple[hikari.GatewayBot, hl.LavalinkClient]:
    bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
    lava = hl.LavalinkClient(bot, store=store, store_interval=0.1, rejoin_timeout=3.0)
    lava.add_node(name="main", host=node.host, port=node.port, password=PASSWORD, resume_timeout=30)
    await bot.start(check_for_updates=False, shard_count=2)
    await lava.wait_ready(timeout=5)
    return bot, lava


async def first_run(
    discord: FakeDiscord, node: FakeLavalink, store: WatchedStore
) -> tuple[int, int]:
    bot, lava = await run_bot(discord, node, store)
    guild = discord.guilds[1]
    player = await lava.join(guild.id, guild.voice_channel_ids[0])
    await player.play(SONG, start=42_000, volume=61)
    await store.wait_saved(  # the store is written (every store_interval, 0.1 s)
        lambda state: any(p.guild_id == guild.id and p.volume == 61 for p in state.players)
    )
    await bot.close()  # with a store: players and sessions are kept
    return guild.id, guild.voice_channel_ids[0]


@pytest.mark.asyncio
@BOTH
async def test_restart_resumes_the_session_and_adopts_players(
    tmp_path: pathlib.Path, fake: type[FakeLavalink]
) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, fake(password=PASSWORD) as node:
        guild, channel = await first_run(discord, node, store)
        saved = await store.load()
        assert isinstance(saved, StoredState)
        session_id = saved.sessions["main"]
        assert [p.guild_id for p in saved.players] == [guild]
        assert node.sessions[session_id].paused  # kept alive, music playing
        assert not [d for _, d in discord.voice_ops if d["channel_id"] is None]  # never left
        starts = sum(b'"TrackStartEvent"' in data for _, data in node.sent)
        bot, lava = await run_bot(discord, node, store)
        try:
            assert node.handshakes[-1]["Session-Id"] == session_id
            assert lava.nodes["main"].session_id == session_id
            # Adopted by the node's reconcile, which comes before its ready: no wait.
            player = lava.get_player(guild)
            assert player is not None
            assert player.track is not None
            assert player.track.encoded == SONG.encoded
            assert player.channel_id == channel
            assert player.volume == 61
            assert player.position >= 42_000
            # adopted without interrupting the audio: no new track start
            assert sum(b'"TrackStartEvent"' in data for _, data in node.sent) == starts
            # Its voice is on the node: ready, so a play goes out at once (no voice wait).
            lava.voice_timeout = 60.0
            async with asyncio.timeout(5):
                await player.wait_for_voice()
                await player.pause()
        finally:
            await bot.close()


@pytest.mark.asyncio
@BOTH
async def test_restart_recreates_players_when_the_session_is_gone(
    tmp_path: pathlib.Path, fake: type[FakeLavalink]
) -> None:
    store = WatchedStore(tmp_path / "lavalink.json")
    async with FakeDiscord(shard_count=2) as discord, fake(password=PASSWORD) as node:
        guild, channel = await first_run(discord, node, store)
        saved = await store.load()
        assert saved is not None
        stored_position = saved.players[0].position
        await node.restart()  # the Lavalink server restarted meanwhile: sessions gone
        ops = len(discord.voice_ops)
        bot, lava = await run_bot(discord, node, store)
        try:
            restored = await bot.wait_for(hl.VoiceRestoredEvent, timeout=10)
            assert restored.guild_id == guild
            rejoin = discord.voice_ops[ops:]
            assert [(d["guild_id"], d["channel_id"]) for _, d in rejoin] == [
                (str(guild), str(channel))
            ]
            session = node.sessions[lava.nodes["main"].session_id or ""]
            remote = session.players[guild]
            assert remote.track is not None
            assert remote.track.encoded == SONG.encoded
            assert abs(remote.position - stored_position) < 1000
            assert remote.volume == 61
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_corrupt_or_missing_store(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = JsonFileStore(tmp_path / "nothing.json")
    assert await missing.load() is None
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{not json")
    assert await JsonFileStore(corrupt).load() is None
    assert "corrupt" in caplog.text
    nested = tmp_path / "nested.json"  # deeper than msgspec decodes: a RecursionError
    nested.write_text('{"extra": ' + "[" * 5_000 + "]" * 5_000 + "}")
    assert await JsonFileStore(nested).load() is None
    invalid = tmp_path / "invalid.json"  # valid JSON, wrong shape
    invalid.write_text('{"sessions": [], "players": 3}')
    assert await JsonFileStore(invalid).load() is None
    state = StoredState(sessions={"a": "s"}, players=[])
    await missing.save(state)
    assert await missing.load() == state
    assert "nothing.json" in repr(missing)


class BrokenStore(WatchedStore):
    """A store whose backend fails (a database down): every load and the first saves raise."""

    def __init__(self, path: pathlib.Path, failing_saves: int) -> None:
        super().__init__(path)
        self.failing_saves = failing_saves
        self.tried = 0

    @typing_extensions.override
    async def load(self) -> StoredState | None:
        raise RuntimeError("the store's backend is down")

    @typing_extensions.override
    async def save(self, state: StoredState) -> None:
        self.tried += 1
        if self.tried <= self.failing_saves:
            raise RuntimeError("the store's backend is down")
        await super().save(state)


@pytest.mark.asyncio
async def test_a_failing_store_is_never_the_bots_failure(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="hikari_lavalink.client")
    store = BrokenStore(tmp_path / "lavalink.json", failing_saves=2)
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as node:
        bot, lava = await run_bot(discord, node, store)  # started, with no stored players
        try:
            assert "could not load the session store" in caplog.text
            guild = discord.guilds[0]
            await lava.join(guild.id, guild.voice_channel_ids[0])
            # The save loop outlives the failing saves and writes once the backend is back.
            saved = await store.wait_saved(lambda s: [p.guild_id for p in s.players] == [guild.id])
            assert saved.sessions == {"main": lava.nodes["main"].session_id}
            assert store.tried > 2
            # One warning for the failures in a row (the next ones are debug), one line back.
            failures = [
                r for r in caplog.records if r.getMessage().startswith("could not save the session")
            ]
            assert [r.levelname for r in failures] == ["WARNING", "DEBUG"]
            assert "RuntimeError: the store's backend is down" in failures[0].getMessage()
            assert "the session store saves again" in caplog.text
        finally:
            await bot.close()
