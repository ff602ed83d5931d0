"""docs/troubleshooting.md's diagnostics: each error, event and log line the page quotes is
the one the client gives, on a real hikari.GatewayBot against FakeDiscord and FakeLavalink.
(The missing GUILD_VOICE_STATES intent is checked in test_integration.py.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import typing

import hikari
import pytest
from tests.bridge.conftest import PASSWORD, SONG, World, caught_loop_errors, open_world

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, VoiceBehaviour

if typing.TYPE_CHECKING:
    import collections.abc


def closed_port() -> int:
    """A port of 127.0.0.1 nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def bot_with_a_node(
    *, shard_count: int = 1, password: str = PASSWORD, lavalink: bool = True
) -> collections.abc.AsyncGenerator[tuple[FakeDiscord, hikari.GatewayBot, hl.LavalinkClient]]:
    """A bot on a new FakeDiscord, its client's node `main` on a new FakeLavalink (with
    `password`), or on a port nobody listens on; the bot is not started, and closed on exit."""
    with caught_loop_errors():
        async with (
            FakeDiscord(shard_count=shard_count) as discord,
            FakeLavalink(password=PASSWORD) as fake,
        ):
            bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
            lava = hl.LavalinkClient(bot)
            port = fake.port if lavalink else closed_port()
            lava.add_node(name="main", host="127.0.0.1", port=port, password=password)
            try:
                yield discord, bot, lava
            finally:
                await bot.close()


def guild_and_channel(world: World, shard: int = 0) -> tuple[int, int]:
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == shard)
    return guild.id, guild.voice_channel_ids[0]


@pytest.mark.asyncio
async def test_a_node_that_is_not_running(caplog: pytest.LogCaptureFixture) -> None:
    async with bot_with_a_node(lavalink=False) as (_, bot, lava):
        await bot.start(check_for_updates=False, shard_count=1)
        # Between two attempts the node is disconnected, during one connecting.
        message = (
            r"no Lavalink node was ready within 0\.5 s \(nodes: main=(disconnected|"
            r"connecting)\): are their servers running, and reachable from here\?"
        )
        with pytest.raises(hl.NodeReadyTimeoutError, match=message):
            await lava.wait_ready(timeout=0.5)
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name == "hikari_lavalink.node" and r.levelno == logging.WARNING
    ]
    assert any(m.startswith("node main: cannot connect (node 'main': ") for m in warnings)
    assert all(m.endswith("); retrying") for m in warnings if "cannot connect" in m)


@pytest.mark.asyncio
async def test_a_wrong_password_stops_the_node(caplog: pytest.LogCaptureFixture) -> None:
    async with bot_with_a_node(password="wrong") as (discord, bot, lava):
        stopped = asyncio.ensure_future(bot.wait_for(hl.NodeStoppedEvent, timeout=10))
        await bot.start(check_for_updates=False, shard_count=1)
        refused = (
            "node 'main': the server refused the password (HTTP 401); this node is "
            "stopped: fix the password and add_node() it again (same name)"
        )
        with pytest.raises(hl.NodeConnectionError, match=re.escape(refused)) as error:
            await lava.wait_ready(timeout=10)
        assert (error.value.fatal, error.value.status) == (True, 401)
        assert (await stopped).node.name == "main"
        guild = discord.guilds[0]
        none = "no Lavalink node is connected (nodes: main=stopped)"
        with pytest.raises(hl.NoNodeAvailableError, match=re.escape(none)):
            await lava.join(guild.id, guild.voice_channel_ids[0])
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.name == "hikari_lavalink.node" and r.levelno == logging.ERROR
    ]
    assert errors == [refused]


@pytest.mark.asyncio
async def test_discord_not_answering_a_join() -> None:
    async with open_world() as world:
        guild, channel = guild_and_channel(world)
        world.discord.set_voice_behaviour(guild, VoiceBehaviour(answer=False))
        message = (
            f"Discord sent no voice credentials for guild {guild} within 0.2 s; likely cause: "
            "the bot may lack the Connect permission or the channel is full"
        )
        with pytest.raises(hl.VoiceTimeoutError, match=re.escape(message)):
            await world.lava.join(guild, channel, timeout=0.2)
        destroyed = await world.wait_event(hl.PlayerDestroyedEvent, lambda e: e.guild_id == guild)
        assert destroyed.reason == "voice_timeout"
        assert world.lava.get_player(guild) is None


@pytest.mark.asyncio
async def test_a_guild_of_a_shard_this_process_does_not_run() -> None:
    async with bot_with_a_node(shard_count=2) as (discord, bot, lava):
        await bot.start(check_for_updates=False, shard_count=2, shard_ids=[0])
        await lava.wait_ready(timeout=10)
        guild = next(g for g in discord.guilds if discord.shard_of(g.id) == 1)
        message = (
            f"guild {guild.id} is on shard 1 of 2, which this process does not run "
            "(it runs shards [0])"
        )
        with pytest.raises(hl.UsageError, match=re.escape(message)):
            await lava.join(guild.id, guild.voice_channel_ids[0])


@pytest.mark.asyncio
async def test_nothing_plays_without_a_channel_or_a_match() -> None:
    async with open_world() as world:
        guild, channel = guild_and_channel(world)
        player = world.lava.nodes["main"].create_player(guild)  # no join: no voice
        player.voice_timeout = 0.1
        message = (
            f"guild {guild}: no voice connection within 0.1 s (join a channel first, or the "
            "bot is still rejoining after a shard death)"
        )
        with pytest.raises(hl.VoiceTimeoutError, match=re.escape(message)):
            await player.play(SONG)
        world.lava.nodes["main"].forget_player(guild)

        result = await world.lava.search("nothing at all")
        assert isinstance(result, hl.EmptyResult)
        assert result.tracks == []

        player = await world.lava.join(guild, channel)
        player.queue.add(SONG)
        assert player.track is None  # queued, not started
        mark = len(world.events)
        assert await player.skip() == SONG
        await world.wait_event(hl.TrackStartEvent, after=mark)
        assert await player.skip() is None  # an empty queue: a stop
        assert player.track is None


@pytest.mark.asyncio
async def test_a_destroyed_player_and_a_closed_voice_socket() -> None:
    async with open_world() as world:
        guild, channel = guild_and_channel(world)
        player = await world.lava.join(guild, channel)
        mark = len(world.events)
        await player.play(SONG)
        await world.wait_event(hl.TrackStartEvent, after=mark)
        # Another voice client taking the guild's voice over: Discord closes Lavalink's.
        await world.lavalink.close_voice(guild, 4006, "Your session is no longer valid.")
        closed = await world.wait_event(hl.VoiceSocketClosedEvent, after=mark)
        assert (closed.code, closed.by_remote) == (4006, True)
        await world.wait_until(lambda: not player.connected)
        # ... or disconnecting the bot: the player is destroyed, reason kicked.
        await world.discord.disconnect_bot(guild)
        destroyed = await world.wait_event(hl.PlayerDestroyedEvent, after=mark)
        assert destroyed.reason == "kicked"
        gone = (
            f"guild {guild}: this player was destroyed (kicked); join the voice channel "
            "again for a new one"
        )
        with pytest.raises(hl.UsageError, match=re.escape(gone)):
            await player.play(SONG)
