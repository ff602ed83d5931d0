"""FakeDiscord against a real hikari.GatewayBot: the shard lifecycle hikari-notes §3 describes."""

from __future__ import annotations

import asyncio
import typing

import hikari
import hikari.impl.shard
import pytest
import pytest_asyncio

from hikari_lavalink.testing import FakeDiscord

if typing.TYPE_CHECKING:
    import collections.abc


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


class Bot:
    def __init__(self, discord: FakeDiscord, bot: hikari.GatewayBot) -> None:
        self.discord = discord
        self.bot = bot
        self.log: list[tuple[str, int]] = []

    async def until(self, entry: tuple[str, int], after: int = 0, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while entry not in self.log[after:]:
                await asyncio.sleep(0.01)


@pytest_asyncio.fixture
async def running() -> collections.abc.AsyncIterator[Bot]:
    async with FakeDiscord(shard_count=2, heartbeat_interval=0.5) as discord:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        state = Bot(discord, bot)

        @bot.listen(hikari.ShardStateEvent)
        async def on_state(event: hikari.ShardStateEvent) -> None:
            state.log.append((type(event).__name__, event.shard.id))

        @bot.listen(hikari.ShardDisconnectedEvent)
        async def on_disconnected(event: hikari.ShardDisconnectedEvent) -> None:
            state.log.append(("ShardDisconnectedEvent", event.shard.id))

        await bot.start(check_for_updates=False, shard_count=2)
        try:
            yield state
        finally:
            if bot.is_alive:
                await bot.close()


@pytest.mark.asyncio
async def test_start_guilds_and_voice_round_trip(running: Bot) -> None:
    discord, bot = running.discord, running.bot
    assert discord.identifies == {0: 1, 1: 1}
    for guild in discord.guilds:
        assert bot.cache.get_guild(guild.id) is not None
    guild = discord.guilds[1]
    states: list[hikari.VoiceStateUpdateEvent] = []
    servers: list[hikari.VoiceServerUpdateEvent] = []

    async def on_state(event: hikari.VoiceStateUpdateEvent) -> None:
        states.append(event)

    async def on_server(event: hikari.VoiceServerUpdateEvent) -> None:
        servers.append(event)

    bot.subscribe(hikari.VoiceStateUpdateEvent, on_state)
    bot.subscribe(hikari.VoiceServerUpdateEvent, on_server)
    await bot.update_voice_state(
        guild.id, guild.voice_channel_ids[0], self_mute=False, self_deaf=True
    )
    async with asyncio.timeout(5):
        while not servers:
            await asyncio.sleep(0.01)
    assert states[0].state.user_id == discord.bot_id
    assert states[0].shard.id == 1
    assert servers[0].raw_endpoint == discord.voice_endpoint
    assert servers[0].shard.id == 1
    assert discord.voice_ops[0][0] == 1
    assert discord.voice_channels[guild.id] == guild.voice_channel_ids[0]
    await discord.send_null_endpoint(guild.id)
    async with asyncio.timeout(5):
        while len(servers) < 2:
            await asyncio.sleep(0.01)
    assert servers[1].raw_endpoint is None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("mode", "new_session"),
    [
        ("close:4000", False),
        ("close:1000", False),
        ("abort", False),
        ("reconnect", False),
        ("invalid_session:true", False),
        ("invalid_session:false", True),
        ("stop_acks", False),
        ("forget_session+close:4009", True),
    ],
)
async def test_death_modes(running: Bot, mode: str, new_session: bool) -> None:
    after = len(running.log)
    await running.discord.kill_shard(1, mode)
    await running.until(("ShardDisconnectedEvent", 1), after)
    await running.until(("ShardConnectedEvent", 1), after)
    events = [name for name, shard in running.log[after:] if shard == 1]
    assert events[0] == "ShardDisconnectedEvent"
    assert ("ShardReadyEvent" if new_session else "ShardResumedEvent") in events
    assert events[-1] == "ShardConnectedEvent"
    assert all(shard == 1 for _, shard in running.log[after:])  # shard 0 untouched
    assert running.discord.identifies[1] == (2 if new_session else 1)


@pytest.mark.asyncio
async def test_fatal_close_code(running: Bot) -> None:
    await running.discord.kill_shard(0, "close:4004")
    await running.until(("ShardDisconnectedEvent", 0))
    await asyncio.sleep(0.3)
    assert not running.discord.is_connected(0)
    with pytest.raises(hikari.GatewayServerClosedConnectionError):
        await running.bot.join()


@pytest.mark.asyncio
async def test_bad_kill_mode_and_rest_catch_all(running: Bot) -> None:
    with pytest.raises(ValueError, match="unknown kill mode"):
        await running.discord.kill_shard(0, "explode")
    with pytest.raises(hikari.NotFoundError):
        await running.bot.rest.fetch_channel(1)


@pytest.mark.asyncio
async def test_plain_uncompressed_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = dict(hikari.impl.shard.GatewayShardImpl.__init__.__kwdefaults__ or {})
    defaults["compression"] = None
    monkeypatch.setattr(hikari.impl.shard.GatewayShardImpl.__init__, "__kwdefaults__", defaults)
    async with FakeDiscord(shard_count=1) as discord:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        await bot.start(check_for_updates=False)
        try:
            assert discord.identifies[0] == 1
            assert bot.cache.get_guild(discord.guilds[0].id) is not None
        finally:
            await bot.close()
