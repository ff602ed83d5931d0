"""FakeDiscord answers op 4 in either order, with each guild's own voice endpoint.

Discord answers a join with the bot's ``VOICE_STATE_UPDATE`` and ``VOICE_SERVER_UPDATE`` in
either order, and names the voice server of the guild's region. Checked with a real
GatewayBot, then with the library's ``LavalinkClient`` on a FakeLavalink node: it joins in
both orders, and each guild's Lavalink player gets that guild's endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import typing

import hikari
import hikari.impl.shard
import pytest

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeGuild, FakeLavalink, VoiceBehaviour

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "voice-test-password"
ENDPOINT = re.compile(r"^c-[a-z]{3}\d{2}-[0-9a-f]{4}\.discord\.media:443$")


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


@contextlib.contextmanager
def no_loop_errors() -> collections.abc.Generator[list[typing.Any], None, None]:
    """What the loop reports meanwhile (hikari swallows listener errors); fails on any."""
    loop = asyncio.get_running_loop()
    errors: list[typing.Any] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)
    assert not errors, errors


class Seen:
    """The voice events a bot saw, and a wait that looks again at each one."""

    def __init__(self) -> None:
        self.events: list[hikari.VoiceEvent] = []
        self.changed = asyncio.Event()

    async def record(self, event: hikari.VoiceEvent) -> None:
        self.events.append(event)
        self.changed.set()

    async def until(self, condition: collections.abc.Callable[[], bool]) -> None:
        async with asyncio.timeout(5):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    def servers(self) -> list[hikari.VoiceServerUpdateEvent]:
        return [e for e in self.events if isinstance(e, hikari.VoiceServerUpdateEvent)]


@contextlib.asynccontextmanager
async def started(
    discord: FakeDiscord, seen: Seen | None = None
) -> collections.abc.AsyncGenerator[hikari.GatewayBot, None]:
    """A bot on ``discord`` (its shards up), recording its voice events in ``seen``."""
    bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
    await start(bot, discord, seen)
    try:
        yield bot
    finally:
        await bot.close()


async def start(bot: hikari.GatewayBot, discord: FakeDiscord, seen: Seen | None = None) -> None:
    if seen is not None:
        bot.subscribe(hikari.VoiceEvent, seen.record)
    await bot.start(check_for_updates=False, shard_count=discord.shard_count)


def guild_on(discord: FakeDiscord, shard: int) -> FakeGuild:
    return next(g for g in discord.guilds if discord.shard_of(g.id) == shard)


def voice_frames(discord: FakeDiscord, after: int = 0) -> list[tuple[str | None, typing.Any]]:
    """``(name, endpoint or channel)`` of each voice dispatch sent, from ``frames[after]``."""
    return [
        (f.t, f.data["endpoint"] if f.t == "VOICE_SERVER_UPDATE" else f.data["channel_id"])
        for f in discord.frames[after:]
        if f.t in ("VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE")
    ]


# -- the order ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_server_first_sends_the_voice_server_then_the_state_after_the_delay() -> None:
    seen = Seen()
    with no_loop_errors():
        async with FakeDiscord(shard_count=2) as discord, started(discord, seen) as bot:
            guild = guild_on(discord, 1)
            channel = guild.voice_channel_ids[0]
            discord.set_voice_behaviour(guild.id, server_first=True, delay=0.2)
            await bot.update_voice_state(guild.id, channel, self_mute=False, self_deaf=True)
            await discord.wait_for_frame(lambda f: f.t == "VOICE_STATE_UPDATE")
            assert voice_frames(discord) == [
                ("VOICE_SERVER_UPDATE", discord.voice_endpoint),
                ("VOICE_STATE_UPDATE", str(channel)),
            ]
            server, state = [f for f in discord.frames if f.t and f.t.startswith("VOICE_")]
            assert state.at - server.at >= 0.19
            assert server.shard_id == state.shard_id == 1
            assert server.seq is not None
            assert state.seq == server.seq + 1
            assert state.data["session_id"] == discord.session_id(1)
            await seen.until(lambda: len(seen.events) == 2)
            assert [type(e) for e in seen.events] == [
                hikari.VoiceServerUpdateEvent,
                hikari.VoiceStateUpdateEvent,
            ]

            # A leave gets its voice state alone, in either order.
            frames = len(discord.frames)
            await bot.update_voice_state(guild.id, None)
            await discord.wait_for_frame(lambda f: f.t == "VOICE_STATE_UPDATE", after=frames)
            assert voice_frames(discord, frames) == [("VOICE_STATE_UPDATE", None)]


@pytest.mark.asyncio
async def test_server_first_with_a_null_endpoint_first() -> None:
    with no_loop_errors():
        async with FakeDiscord(shard_count=1) as discord, started(discord) as bot:
            guild = discord.guilds[0]
            channel = guild.voice_channel_ids[1]
            discord.set_voice_behaviour(
                guild.id, VoiceBehaviour(server_first=True, null_endpoint_first=True)
            )
            await bot.update_voice_state(guild.id, channel, self_mute=False, self_deaf=True)
            await discord.wait_for_frame(lambda f: f.t == "VOICE_STATE_UPDATE")
            assert voice_frames(discord) == [
                ("VOICE_SERVER_UPDATE", None),
                ("VOICE_SERVER_UPDATE", discord.voice_endpoint),
                ("VOICE_STATE_UPDATE", str(channel)),
            ]


# -- the endpoints ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_each_guild_has_its_own_endpoint() -> None:
    seen = Seen()
    with no_loop_errors():
        async with (
            FakeDiscord(shard_count=3, voice_endpoint=None) as discord,
            started(discord, seen) as bot,
        ):
            endpoints = [discord.voice_endpoint_of(g) for g in discord.guild_ids]
            assert len(set(endpoints)) == 3
            assert all(ENDPOINT.match(e) for e in endpoints), endpoints
            assert len({e[2:5] for e in endpoints}) == 3  # three regions, for three shards
            for guild in discord.guilds:
                frames = len(discord.frames)
                await bot.update_voice_state(
                    guild.id, guild.voice_channel_ids[0], self_mute=False, self_deaf=True
                )
                server = await discord.wait_for_frame(
                    lambda f: f.t == "VOICE_SERVER_UPDATE", after=frames
                )
                assert server.data["endpoint"] == discord.voice_endpoint_of(guild.id)
                assert server.shard_id == discord.shard_of(guild.id)
            await seen.until(lambda: len(seen.servers()) == 3)
            received = {e.guild_id: e.raw_endpoint for e in seen.servers()}
            assert received == dict(zip(discord.guild_ids, endpoints, strict=True))

            # A guild's behaviour names its own; the voice server's moves keep to it.
            guild = discord.guilds[2]
            discord.set_voice_behaviour(guild.id, endpoint="c-gru05-beef.discord.media:443")
            assert discord.voice_endpoint_of(guild.id) == "c-gru05-beef.discord.media:443"
            assert discord.voice_endpoint_of(discord.guild_ids[0]) == endpoints[0]
            frames = len(discord.frames)
            await discord.change_voice_server(guild.id)
            await discord.move_bot(guild.id, guild.voice_channel_ids[1], new_server=True)
            await discord.change_voice_server(guild.id, "c-lhr01-0001.discord.media:443")
            assert [e for t, e in voice_frames(discord, frames) if t == "VOICE_SERVER_UPDATE"] == [
                "c-gru05-beef.discord.media:443",
                "c-gru05-beef.discord.media:443",
                "c-lhr01-0001.discord.media:443",
            ]


@pytest.mark.asyncio
async def test_one_endpoint_for_every_guild_by_default_or_as_set() -> None:
    async with FakeDiscord(shard_count=2) as discord:
        assert discord.voice_endpoint == "fake-voice.local:443"
        assert {discord.voice_endpoint_of(g) for g in discord.guild_ids} == {discord.voice_endpoint}
        discord.voice_endpoint = "c-ams09-fake.discord.media:443"
        assert discord.voice_endpoint_of(discord.guild_ids[1]) == discord.voice_endpoint
        discord.set_voice_behaviour(discord.guild_ids[1], endpoint="c-sin02-1.discord.media:443")
        assert discord.voice_endpoint_of(discord.guild_ids[1]) == "c-sin02-1.discord.media:443"
        assert discord.voice_endpoint_of(discord.guild_ids[0]) == discord.voice_endpoint
        discord.set_voice_behaviour(discord.guild_ids[1], delay=0.1)  # a whole new behaviour
        assert discord.voice_endpoint_of(discord.guild_ids[1]) == discord.voice_endpoint


# -- the library's client -----------------------------------------------------------------


@contextlib.asynccontextmanager
async def client(
    discord: FakeDiscord, regions: collections.abc.Mapping[str, str | None]
) -> collections.abc.AsyncGenerator[tuple[hl.LavalinkClient, dict[str, FakeLavalink]], None]:
    """A LavalinkClient on a bot on ``discord``, one FakeLavalink node per region given."""
    async with contextlib.AsyncExitStack() as stack:
        nodes = {
            name: await stack.enter_async_context(FakeLavalink(password=PASSWORD, name=name))
            for name in regions
        }
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        lava = hl.LavalinkClient(bot, voice_timeout=3.0)  # before the start it listens for
        for name, region in regions.items():
            node = nodes[name]
            lava.add_node(
                name=name, host=node.host, port=node.port, password=PASSWORD, region=region
            )
        await start(bot, discord)
        stack.push_async_callback(bot.close)
        for node in lava.nodes.values():  # every node, for a region's to be there to pick
            await node.wait_ready(timeout=5)
        yield lava, nodes


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "behaviour",
    [
        VoiceBehaviour(),
        VoiceBehaviour(server_first=True),
        VoiceBehaviour(server_first=True, delay=0.1),
        VoiceBehaviour(delay=0.1),
        VoiceBehaviour(server_first=True, null_endpoint_first=True, delay=0.1),
    ],
    ids=["state-first", "server-first", "server-first-late-state", "late-server", "null-first"],
)
async def test_the_client_joins_in_either_order_with_each_guilds_endpoint(
    behaviour: VoiceBehaviour,
) -> None:
    with no_loop_errors():
        async with (
            FakeDiscord(shard_count=2, voice_endpoint=None) as discord,
            client(discord, {"main": None}) as (lava, nodes),
        ):
            for guild_id in discord.guild_ids:
                discord.set_voice_behaviour(guild_id, behaviour)
            players = await asyncio.gather(
                *(lava.join(g.id, g.voice_channel_ids[0]) for g in discord.guilds)
            )
            node = nodes["main"]
            for guild, player in zip(discord.guilds, players, strict=True):
                assert player.guild_id == guild.id
                assert player.channel_id == guild.voice_channel_ids[0]
                voice = node.sessions[player.node.session_id or ""].players[guild.id].voice
                assert voice is not None
                assert voice.endpoint == discord.voice_endpoint_of(guild.id)  # its own
                assert voice.session_id == discord.session_id(discord.shard_of(guild.id))
                assert voice.channel_id == str(guild.voice_channel_ids[0])
                patches = [
                    r
                    for r in node.requests
                    if r.method == "PATCH"
                    and r.path.endswith(f"/players/{guild.id}")
                    and b'"voice"' in r.body
                ]
                assert len(patches) == 1  # once, and never with a null endpoint
            endpoints = {discord.voice_endpoint_of(g) for g in discord.guild_ids}
            assert len(endpoints) == 2


@pytest.mark.asyncio
async def test_each_guild_plays_on_the_node_of_its_own_region() -> None:
    regions = {"eu": "europe", "us": "us-east"}
    own = ["c-iad03-0a1b.discord.media:443", "c-fra07-0c2d.discord.media:443"]
    own.append("c-ewr02-0e3f.discord.media:443")
    with no_loop_errors():
        async with (
            FakeDiscord(shard_count=3) as discord,
            client(discord, regions) as (lava, nodes),
        ):
            for guild, endpoint, server_first in zip(
                discord.guilds, own, (True, False, True), strict=True
            ):
                discord.set_voice_behaviour(guild.id, server_first=server_first, endpoint=endpoint)
            players = [await lava.join(g.id, g.voice_channel_ids[0]) for g in discord.guilds]
            assert [p.node.name for p in players] == ["us", "eu", "us"]
            for player, endpoint in zip(players, own, strict=True):
                session = nodes[player.node.name].sessions[player.node.session_id or ""]
                voice = session.players[player.guild_id].voice
                assert voice is not None
                assert voice.endpoint == endpoint
