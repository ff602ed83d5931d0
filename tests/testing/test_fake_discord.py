"""FakeDiscord against a real hikari.GatewayBot (2 shards) over real sockets on 127.0.0.1.

Every test runs hikari 2.7 end to end: REST, the zlib-stream gateway, the shard lifecycle of
hikari-notes §3 (every death mode), voice events, interactions, and a clean shutdown. A loop
exception handler and an ``ExceptionEvent`` listener fail the test on any swallowed error.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import json
import time
import typing
import zlib

import aiohttp
import hikari
import hikari.impl.shard
import lightbulb
import pytest
import pytest_asyncio

from hikari_lavalink.testing import FakeDiscord, FakeGuild, VoiceBehaviour

if typing.TYPE_CHECKING:
    import collections.abc

INTENTS = hikari.Intents.ALL_UNPRIVILEGED
EventT = typing.TypeVar("EventT", bound=hikari.Event)


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


@pytest_asyncio.fixture
async def loop_errors() -> collections.abc.AsyncIterator[list[dict[str, typing.Any]]]:
    """Exceptions hikari hands to the loop (it swallows them otherwise); the test fails on any."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, typing.Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)
    assert not errors, errors


@dataclasses.dataclass
class Run:
    """A started bot on a FakeDiscord, and every event it saw (``seen`` is set on each)."""

    discord: FakeDiscord
    bot: hikari.GatewayBot
    events: list[hikari.Event]
    errors: list[dict[str, typing.Any]]
    seen: asyncio.Event

    def shard_log(self, after: int = 0) -> list[tuple[str, int]]:
        return [
            (type(e).__name__, e.shard.id)
            for e in self.events[after:]
            if isinstance(e, hikari.ShardStateEvent)
        ]

    async def wait_event(
        self,
        kind: type[EventT],
        predicate: collections.abc.Callable[[EventT], bool] = lambda _: True,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> EventT:
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events[after:]:
                    if isinstance(event, kind) and predicate(event):
                        return event
                self.seen.clear()
                await self.seen.wait()

    def of(self, kind: type[EventT], after: int = 0) -> list[EventT]:
        return [e for e in self.events[after:] if isinstance(e, kind)]


@pytest_asyncio.fixture
async def run(loop_errors: list[dict[str, typing.Any]]) -> collections.abc.AsyncIterator[Run]:
    async with FakeDiscord(shard_count=2, heartbeat_interval=0.5) as discord:
        bot = hikari.GatewayBot(
            discord.token, rest_url=discord.rest_url, banner=None, intents=INTENTS
        )
        events: list[hikari.Event] = []
        seen = asyncio.Event()

        async def record(event: hikari.Event) -> None:
            events.append(event)
            seen.set()

        async def failed(event: hikari.ExceptionEvent[hikari.Event]) -> None:
            loop_errors.append({"message": "ExceptionEvent", "exception": event.exception})

        for kind in (
            hikari.ShardStateEvent,
            hikari.VoiceStateUpdateEvent,
            hikari.VoiceServerUpdateEvent,
            hikari.GuildAvailableEvent,
        ):
            bot.subscribe(kind, record)
        bot.subscribe(hikari.ExceptionEvent, failed)
        await bot.start(check_for_updates=False, shard_count=2)
        try:
            yield Run(discord, bot, events, loop_errors, seen)
        finally:
            if bot.is_alive:
                await bot.close()


def zstd_module() -> typing.Any:
    for name in ("compression.zstd", "backports.zstd"):
        with contextlib.suppress(ImportError):
            return importlib.import_module(name)
    return None


def guild_on(discord: FakeDiscord, shard: int) -> FakeGuild:
    return next(g for g in discord.guilds if discord.shard_of(g.id) == shard)


async def join(run: Run, guild: FakeGuild, channel: int | None = None) -> int:
    """Op 4 join through hikari; returns the event index before it."""
    after = len(run.events)
    channel = guild.voice_channel_ids[0] if channel is None else channel
    await run.bot.update_voice_state(guild.id, channel, self_mute=False, self_deaf=True)
    await run.wait_event(hikari.VoiceServerUpdateEvent, after=after)
    return after


# -- start ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_start_two_shards_ready_connected_and_guilds_cached(run: Run) -> None:
    discord, bot = run.discord, run.bot
    await run.wait_event(hikari.GuildAvailableEvent, lambda e: e.shard.id == 1)
    await run.wait_event(hikari.GuildAvailableEvent, lambda e: e.shard.id == 0)
    await discord.wait_for_shards(2)
    for shard in (0, 1):
        log = [name for name, s in run.shard_log() if s == shard]
        assert log == ["ShardReadyEvent", "ShardConnectedEvent"]
        ready = next(e for e in run.of(hikari.ShardReadyEvent) if e.shard.id == shard)
        assert ready.session_id == discord.session_id(shard)
        assert ready.my_user.id == discord.bot_id
        assert ready.application_id == discord.bot_id
        assert bot.shards[shard].is_connected
    assert discord.identifies == {0: 1, 1: 1}
    assert discord.connections == {0: 1, 1: 1}
    assert not discord.resumes
    assert discord.session_id(0) != discord.session_id(1)

    # The default guilds: one per shard, each with two voice channels and a text channel.
    assert [discord.shard_of(g) for g in discord.guild_ids] == [0, 1]
    for guild in discord.guilds:
        cached = bot.cache.get_guild(guild.id)
        assert cached is not None
        assert cached.name == guild.name
        assert hikari.snowflakes.calculate_shard_id(bot, guild.id) == discord.shard_of(guild.id)
        for channel in guild.voice_channel_ids:
            assert isinstance(bot.cache.get_guild_channel(channel), hikari.GuildVoiceChannel)
        assert isinstance(
            bot.cache.get_guild_channel(guild.text_channel_ids[0]), hikari.GuildTextChannel
        )
        assert bot.cache.get_member(guild.id, discord.bot_id) is not None
        assert bot.cache.get_role(guild.id) is not None
        available = run.of(hikari.GuildAvailableEvent)
        assert any(
            e.guild_id == guild.id and e.shard.id == discord.shard_of(guild.id) for e in available
        )
    me = bot.get_me()
    assert me is not None
    assert me.id == discord.bot_id

    # The wire: HELLO first, IDENTIFY with the shard and intents, numbered dispatches.
    assert discord.frames[0].op == 10
    identify = [f for f in discord.frames if f.direction == "in" and f.op == 2]
    assert sorted(tuple(f.data["shard"]) for f in identify) == [(0, 2), (1, 2)]
    assert all(f.data["intents"] == int(INTENTS) for f in identify)
    assert all(f.data["token"] == discord.token for f in identify)
    assert all(f.shard_id == f.data["shard"][0] for f in identify)
    assert discord.rest_requests[0][:2] == ("GET", "/gateway/bot")
    for shard in (0, 1):
        sent = [
            f for f in discord.frames if f.direction == "out" and f.op == 0 and f.shard_id == shard
        ]
        assert [(f.t, f.seq) for f in sent] == [("READY", 1), ("GUILD_CREATE", 2)]
        assert sent[0].data["resume_gateway_url"] == discord.gateway_url
        assert sent[0].data["guilds"] == [
            {"id": str(g.id), "unavailable": True}
            for g in discord.guilds
            if discord.shard_of(g.id) == shard
        ]
        # hikari's heartbeats carry the last sequence number it read.
        await discord.wait_for_op(1, lambda f, s=shard: f.shard_id == s and f.data == 2, timeout=2)


# -- voice ------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("shard", [0, 1])
async def test_voice_join_and_leave_round_trip_on_the_guilds_shard(run: Run, shard: int) -> None:
    discord, bot = run.discord, run.bot
    guild = guild_on(discord, shard)
    channel = guild.voice_channel_ids[1]
    after = await join(run, guild, channel)

    state = await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    server = await run.wait_event(hikari.VoiceServerUpdateEvent, after=after)
    assert state.shard.id == server.shard.id == shard
    assert state.state.user_id == discord.bot_id
    assert state.state.guild_id == guild.id
    assert state.state.channel_id == channel
    assert state.state.session_id == discord.session_id(shard)
    assert state.state.is_self_deafened
    assert not state.state.is_self_muted
    assert state.state.member is not None
    assert server.raw_endpoint == "fake-voice.local:443" == discord.voice_endpoint
    assert server.endpoint == "wss://fake-voice.local:443"
    assert server.guild_id == guild.id
    assert server.token
    assert discord.voice_ops == [
        (
            shard,
            {
                "guild_id": str(guild.id),
                "channel_id": str(channel),
                "self_mute": False,
                "self_deaf": True,
            },
        )
    ]
    assert not discord.wrong_shard_ops
    assert discord.voice_channels[guild.id] == channel
    cached = bot.cache.get_voice_state(guild.id, discord.bot_id)
    assert cached is not None
    assert cached.channel_id == channel
    # The fake answered on the same shard and nothing reached the other one.
    other = 1 - shard
    assert not [
        f
        for f in discord.frames
        if f.shard_id == other and f.t in ("VOICE_STATE_UPDATE", "VOICE_SERVER_UPDATE")
    ]

    after = len(run.events)
    await bot.update_voice_state(guild.id, None)
    left = await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    assert left.state.channel_id is None
    assert left.shard.id == shard
    assert discord.voice_ops[-1] == (shard, {"guild_id": str(guild.id), "channel_id": None})
    assert discord.voice_channels[guild.id] is None
    assert bot.cache.get_voice_state(guild.id, discord.bot_id) is None
    await asyncio.sleep(0.05)
    assert not run.of(hikari.VoiceServerUpdateEvent, after)  # leaving gets no voice server


@pytest.mark.asyncio
async def test_op4_on_the_wrong_shard_is_recorded_and_not_answered(run: Run) -> None:
    discord, bot = run.discord, run.bot
    guild = guild_on(discord, 1)
    after = len(run.events)
    await bot.shards[0].update_voice_state(guild.id, guild.voice_channel_ids[0], self_deaf=True)
    await discord.wait_for_op(4)
    await asyncio.sleep(0.2)
    assert discord.wrong_shard_ops == [
        (
            0,
            {
                "guild_id": str(guild.id),
                "channel_id": str(guild.voice_channel_ids[0]),
                "self_deaf": True,
            },
        )
    ]
    assert discord.voice_ops == discord.wrong_shard_ops
    assert not run.of(hikari.VoiceStateUpdateEvent, after)
    assert not run.of(hikari.VoiceServerUpdateEvent, after)


@pytest.mark.asyncio
async def test_null_endpoint_first_then_the_real_one_after_the_delay(run: Run) -> None:
    discord = run.discord
    guild = guild_on(discord, 1)
    discord.set_voice_behaviour(guild.id, null_endpoint_first=True, delay=0.2)
    after = len(run.events)
    await run.bot.update_voice_state(
        guild.id, guild.voice_channel_ids[0], self_mute=False, self_deaf=True
    )
    real = await run.wait_event(
        hikari.VoiceServerUpdateEvent, lambda e: e.raw_endpoint is not None, after=after
    )
    servers = run.of(hikari.VoiceServerUpdateEvent, after)
    assert [s.raw_endpoint for s in servers] == [None, discord.voice_endpoint]
    assert servers[0].endpoint is None
    assert all(s.shard.id == 1 for s in servers)
    assert servers[0].token != real.token
    sent = [f for f in discord.frames if f.t == "VOICE_SERVER_UPDATE"]
    assert sent[1].at - sent[0].at >= 0.19


@pytest.mark.asyncio
async def test_voice_behaviours_no_answer_and_ignored_joins(run: Run) -> None:
    discord, bot = run.discord, run.bot
    g0, g1 = guild_on(discord, 0), guild_on(discord, 1)
    discord.set_voice_behaviour(g0.id, answer=False)
    discord.set_voice_behaviour(g1.id, VoiceBehaviour(ignore_joins=1))
    after = len(run.events)
    await bot.update_voice_state(g0.id, g0.voice_channel_ids[0], self_mute=False, self_deaf=True)
    await bot.update_voice_state(g1.id, g1.voice_channel_ids[0], self_mute=False, self_deaf=True)
    await discord.wait_for_op(4, lambda f: f.data["guild_id"] == str(g1.id))
    await asyncio.sleep(0.2)
    assert not run.of(hikari.VoiceStateUpdateEvent, after)
    assert [shard for shard, _ in discord.voice_ops] == [0, 1]
    # The second join in g1 is answered again; g0 never is.
    await join(run, g1)
    assert {e.guild_id for e in run.of(hikari.VoiceServerUpdateEvent, after)} == {g1.id}

    # A voice server still pending when the fake stops is cancelled cleanly (no warning).
    discord.set_voice_behaviour(g0.id, delay=30.0)
    after = len(run.events)
    await bot.update_voice_state(g0.id, g0.voice_channel_ids[0], self_mute=False, self_deaf=True)
    await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    assert not run.of(hikari.VoiceServerUpdateEvent, after)


@pytest.mark.asyncio
async def test_move_kick_server_change_and_null_endpoint_controls(run: Run) -> None:
    discord = run.discord
    guild = guild_on(discord, 0)
    await join(run, guild)
    session = discord.session_id(0)

    after = len(run.events)
    await discord.move_bot(guild.id, guild.voice_channel_ids[1])
    moved = await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    assert moved.state.channel_id == guild.voice_channel_ids[1]
    assert moved.state.session_id == session
    assert moved.state.is_self_deafened  # the flags of the last op 4 are kept
    assert moved.old_state is not None
    assert moved.old_state.channel_id == guild.voice_channel_ids[0]
    await asyncio.sleep(0.05)
    assert not run.of(hikari.VoiceServerUpdateEvent, after)

    after = len(run.events)
    await discord.move_bot(guild.id, guild.voice_channel_ids[0], new_server=True)
    await run.wait_event(hikari.VoiceServerUpdateEvent, after=after)
    assert (
        run.of(hikari.VoiceStateUpdateEvent, after)[0].state.channel_id
        == guild.voice_channel_ids[0]
    )

    after = len(run.events)
    await discord.change_voice_server(guild.id, endpoint="c-fra01.fake:443")
    await discord.send_null_endpoint(guild.id)
    await run.wait_event(
        hikari.VoiceServerUpdateEvent, lambda e: e.raw_endpoint is None, after=after
    )
    assert [e.raw_endpoint for e in run.of(hikari.VoiceServerUpdateEvent, after)] == [
        "c-fra01.fake:443",
        None,
    ]

    after = len(run.events)
    await discord.disconnect_bot(guild.id)
    kicked = await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    assert kicked.state.channel_id is None
    assert kicked.state.user_id == discord.bot_id
    assert run.bot.cache.get_voice_state(guild.id, discord.bot_id) is None

    after = len(run.events)
    await discord.put_member_in_voice(guild.id, guild.voice_channel_ids[0])
    member = await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    assert member.state.user_id == discord.member_id
    assert member.state.channel_id == guild.voice_channel_ids[0]


@pytest.mark.asyncio
async def test_raw_dispatch_reaches_the_shard_it_names(run: Run) -> None:
    payloads: list[hikari.ShardPayloadEvent] = []
    arrived = asyncio.Event()

    async def on_payload(event: hikari.ShardPayloadEvent) -> None:
        if event.name == "FAKE_EVENT":
            payloads.append(event)
            arrived.set()

    run.bot.subscribe(hikari.ShardPayloadEvent, on_payload)
    await run.discord.dispatch(1, "FAKE_EVENT", {"answer": 42})
    await asyncio.wait_for(arrived.wait(), 5)
    assert payloads[0].shard.id == 1
    assert payloads[0].payload == {"answer": 42}
    frame = next(f for f in run.discord.frames if f.t == "FAKE_EVENT")
    assert (frame.shard_id, frame.direction, frame.op) == (1, "out", 0)


# -- shard deaths -----------------------------------------------------------------------


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
async def test_death_mode_gives_the_documented_event_sequence(
    run: Run, mode: str, new_session: bool
) -> None:
    discord, bot = run.discord, run.bot
    await discord.wait_for_shards(2)
    old_session = discord.session_id(1)
    after = len(run.events)
    frames = len(discord.frames)
    killed = time.monotonic()
    await discord.kill_shard(1, mode)
    await run.wait_event(
        hikari.ShardConnectedEvent, lambda e: e.shard.id == 1, after=after, timeout=10
    )

    handshake = "ShardReadyEvent" if new_session else "ShardResumedEvent"
    assert run.shard_log(after) == [
        ("ShardDisconnectedEvent", 1),
        (handshake, 1),
        ("ShardConnectedEvent", 1),
    ]  # and nothing at all on shard 0
    assert bot.shards[0].is_connected
    assert discord.connections[0] == 1
    assert discord.identifies[1] == (2 if new_session else 1)
    assert discord.resumes[1] == (0 if new_session else 1)
    assert (discord.session_id(1) != old_session) is new_session
    disconnected = run.of(hikari.ShardDisconnectedEvent, after)[0]
    assert disconnected.shard.id == 1
    if new_session:
        ready = run.of(hikari.ShardReadyEvent, after)[0]
        assert ready.session_id == discord.session_id(1)

    # What the bot put on the wire after the death (hikari-notes §3, death-mode catalogue).
    sent = [
        f.op
        for f in discord.frames[frames:]
        if f.direction == "in" and f.shard_id == 1 and f.op != 1
    ]
    if mode == "forget_session+close:4009":
        assert sent == [6, 2]  # RESUME refused with op 9 false, then IDENTIFY
    else:
        assert sent == [2 if new_session else 6]
    closes = [c for c in discord.closes if c.at >= killed]
    close_code = next((int(p[6:]) for p in mode.split("+") if p.startswith("close:")), None)
    if close_code is not None:
        assert (closes[0].initiator, closes[0].code) == ("fake", close_code)
    elif mode in ("reconnect", "invalid_session:true", "invalid_session:false", "stop_acks"):
        assert (closes[0].initiator, closes[0].code) == ("bot", 3000)
    else:
        assert (closes[0].initiator, closes[0].code) == ("fake", None)
    assert all(c.shard_id == 1 for c in closes)

    # The shard works again: op 4 is answered on it.
    await join(run, guild_on(discord, 1))
    if mode == "stop_acks":  # only until the next connection: its heartbeats are answered
        connected, start = len(run.events), len(discord.frames)
        # hikari sends a heartbeat only once the one before was ACKed; the new connection's
        # first went out at its HELLO, before the join above: the next proves an ACK came.
        await discord.wait_for_op(1, lambda f: f.shard_id == 1, after=start, timeout=2)
        assert not run.of(hikari.ShardDisconnectedEvent, connected)
        acks = [f for f in discord.frames[frames:] if f.op == 11 and f.shard_id == 1]
        assert acks


@pytest.mark.asyncio
async def test_fatal_close_code_stops_the_shard(run: Run) -> None:
    after = len(run.events)
    await run.discord.kill_shard(0, "close:4004")
    await run.wait_event(hikari.ShardDisconnectedEvent, lambda e: e.shard.id == 0, after=after)
    with pytest.raises(hikari.GatewayServerClosedConnectionError):
        async with asyncio.timeout(5):
            await run.bot.join()
    assert not run.discord.is_connected(0)
    assert run.discord.is_connected(1)
    assert run.discord.closes[-1].code == 4004
    # hikari reports the dead shard's error to the loop once more when the bot closes.
    await run.bot.close()
    assert len(run.errors) == 1
    assert isinstance(run.errors[0]["exception"], hikari.GatewayServerClosedConnectionError)
    run.errors.clear()


@pytest.mark.asyncio
async def test_kill_shard_rejects_unknown_modes_and_dead_shards(run: Run) -> None:
    frames = len(run.discord.frames)
    with pytest.raises(ValueError, match="unknown kill mode 'explode'"):
        await run.discord.kill_shard(0, "abort+explode")
    with pytest.raises(ValueError, match="unknown kill mode"):
        await run.discord.kill_shard(0, "close:soon")
    assert run.discord.is_connected(0)  # nothing was done
    assert len(run.discord.frames) == frames
    with pytest.raises(LookupError, match="shard 5 is not connected"):
        await run.discord.kill_shard(5, "abort")


# -- interactions and REST --------------------------------------------------------------


@pytest.mark.asyncio
async def test_interaction_reaches_a_listener_and_its_responses_are_recorded(run: Run) -> None:
    discord, bot = run.discord, run.bot
    guild = guild_on(discord, 1)
    seen: list[hikari.CommandInteraction] = []

    @bot.listen(hikari.InteractionCreateEvent)
    async def on_interaction(event: hikari.InteractionCreateEvent) -> None:
        assert isinstance(event.interaction, hikari.CommandInteraction)
        seen.append(event.interaction)
        await event.interaction.create_initial_response(hikari.ResponseType.MESSAGE_CREATE, "pong")
        await event.interaction.execute("and a followup")
        await event.interaction.edit_initial_response("pong (edited)")

    interaction_id = await discord.dispatch_interaction(
        guild.id, guild.text_channel_ids[0], "ping", [{"name": "query", "type": 3, "value": "song"}]
    )
    await discord.wait_until(
        lambda: len(discord.messages) >= 2 and discord.messages[0]["content"] == "pong (edited)"
    )
    interaction = seen[0]
    assert interaction.id == interaction_id
    assert interaction.command_name == "ping"
    assert interaction.guild_id == guild.id
    assert interaction.channel_id == guild.text_channel_ids[0]
    assert interaction.member is not None
    assert interaction.member.user.id == discord.member_id
    assert interaction.options is not None
    assert [(o.name, o.value) for o in interaction.options] == [("query", "song")]
    ((answered, body),) = discord.interaction_responses
    assert answered == str(interaction_id)
    assert (body["type"], body["data"]["content"]) == (4, "pong")
    assert [m["content"] for m in discord.messages] == ["pong (edited)", "and a followup"]
    assert all(m["channel_id"] == str(guild.text_channel_ids[0]) for m in discord.messages)
    frame = next(f for f in discord.frames if f.t == "INTERACTION_CREATE")
    assert frame.shard_id == 1


@pytest.mark.asyncio
async def test_rest_messages_commands_and_unknown_routes(run: Run) -> None:
    discord, rest = run.discord, run.bot.rest
    guild = guild_on(discord, 0)
    me = await rest.fetch_my_user()
    assert me.id == discord.bot_id
    application = await rest.fetch_application()
    assert application.id == discord.bot_id

    message = await rest.create_message(guild.text_channel_ids[0], "hello")
    assert message.content == "hello"
    assert message.channel_id == guild.text_channel_ids[0]
    assert message.guild_id == guild.id
    assert message.author.id == discord.bot_id
    assert discord.messages[-1]["content"] == "hello"

    commands = await rest.set_application_commands(
        discord.bot_id, [rest.slash_command_builder("play", "Play a song")]
    )
    assert [c.name for c in commands] == ["play"]
    assert [c.name for c in await rest.fetch_application_commands(discord.bot_id)] == ["play"]
    guild_commands = await rest.set_application_commands(
        discord.bot_id, [rest.slash_command_builder("skip", "Skip")], guild.id
    )
    assert guild_commands[0].guild_id == guild.id
    assert [c["name"] for c in discord.guild_commands[guild.id]] == ["skip"]
    interaction_id = await discord.dispatch_interaction(guild.id, guild.text_channel_ids[0], "skip")
    frame = next(f for f in discord.frames if f.t == "INTERACTION_CREATE")
    assert frame.data["id"] == str(interaction_id)
    assert frame.data["data"]["id"] == str(guild_commands[0].id)

    with pytest.raises(hikari.NotFoundError):
        await rest.fetch_channel(1234)
    assert [(r.method, r.path) for r in discord.unknown_routes] == [("GET", "/channels/1234")]
    methods_paths = [(r.method, r.path) for r in discord.rest_requests]
    assert ("POST", f"/channels/{guild.text_channel_ids[0]}/messages") in methods_paths
    assert ("PUT", f"/applications/{discord.bot_id}/commands") in methods_paths
    assert discord.rest_requests[-1].path == "/channels/1234"


@pytest.mark.asyncio
async def test_lightbulb_syncs_commands_and_handles_a_dispatched_slash_command(
    loop_errors: list[dict[str, typing.Any]],
) -> None:
    async with FakeDiscord(shard_count=2) as discord:
        bot = hikari.GatewayBot(
            discord.token, rest_url=discord.rest_url, banner=None, intents=INTENTS
        )
        client = lightbulb.client_from_app(bot)
        queries: list[str] = []

        @client.register
        class Play(lightbulb.SlashCommand, name="play", description="Play a song"):
            query = lightbulb.string("query", "What to play")

            @lightbulb.invoke
            async def invoke(self, ctx: lightbulb.Context) -> None:
                queries.append(self.query)
                await ctx.respond(f"playing {self.query}")

        bot.subscribe(hikari.StartedEvent, client.start)
        await bot.start(check_for_updates=False, shard_count=2)
        try:
            await discord.wait_until(lambda: discord.commands)
            assert [c["name"] for c in discord.commands] == ["play"]
            guild = guild_on(discord, 1)
            interaction_id = await discord.dispatch_interaction(
                guild.id,
                guild.text_channel_ids[0],
                "play",
                [{"name": "query", "type": 3, "value": "song"}],
            )
            await discord.wait_for_request(lambda r: r.path.endswith("/callback"))
            assert queries == ["song"]
            ((answered, body),) = discord.interaction_responses
            assert answered == str(interaction_id)
            assert body["type"] == 4
            assert body["data"]["content"] == "playing song"
        finally:
            await bot.close()
    assert not loop_errors


@pytest.mark.asyncio
async def test_a_wrong_token_is_refused(loop_errors: list[dict[str, typing.Any]]) -> None:
    async with FakeDiscord(shard_count=1) as discord:
        other = FakeDiscord(bot_id=discord.bot_id + 1)
        bot = hikari.GatewayBot(
            other.token, rest_url=discord.rest_url, banner=None, intents=INTENTS
        )
        try:
            with pytest.raises(hikari.UnauthorizedError):
                await bot.start(check_for_updates=False)
        finally:
            await bot.close()  # a failed start leaves the bot alive (its REST client open)
        assert discord.rest_requests[0].path == "/gateway/bot"
        assert not discord.identifies
    assert not loop_errors


# -- transports and shutdown ------------------------------------------------------------


@pytest.mark.asyncio
async def test_plain_uncompressed_gateway(
    monkeypatch: pytest.MonkeyPatch, loop_errors: list[dict[str, typing.Any]]
) -> None:
    # GatewayBot has no compression switch; the shard default is the documented knob (§7).
    defaults = dict(hikari.impl.shard.GatewayShardImpl.__init__.__kwdefaults__ or {})
    defaults["compression"] = None
    monkeypatch.setattr(hikari.impl.shard.GatewayShardImpl.__init__, "__kwdefaults__", defaults)
    async with FakeDiscord(shard_count=1) as discord:
        bot = hikari.GatewayBot(
            discord.token, rest_url=discord.rest_url, banner=None, intents=INTENTS
        )
        available = asyncio.Event()

        async def on_guild(_: hikari.GuildAvailableEvent) -> None:
            available.set()  # hikari caches the guild before it dispatches the event

        bot.subscribe(hikari.GuildAvailableEvent, on_guild)
        await bot.start(check_for_updates=False)
        try:
            assert discord.identifies[0] == 1
            await asyncio.wait_for(available.wait(), 5)
            assert bot.cache.get_guild(discord.guilds[0].id) is not None
        finally:
            await bot.close()
    assert not loop_errors


@pytest.mark.asyncio
async def test_bot_close_is_clean(run: Run) -> None:
    discord, bot = run.discord, run.bot
    await join(run, guild_on(discord, 1))
    after = len(run.events)
    closed = time.monotonic()
    await bot.close()
    assert not bot.is_alive
    assert sorted(run.shard_log(after)) == [
        ("ShardDisconnectedEvent", 0),
        ("ShardDisconnectedEvent", 1),
    ]
    await discord.wait_until(lambda: not (discord.is_connected(0) or discord.is_connected(1)))
    closes = sorted((c.shard_id, c.initiator, c.code) for c in discord.closes if c.at >= closed)
    assert closes == [(0, "bot", 1001), (1, "bot", 1001)]
    assert not run.errors


@pytest.mark.asyncio
async def test_gateway_protocol_with_a_raw_client() -> None:
    """What hikari never does, checked with a bare aiohttp client: Discord's error answers."""
    async with FakeDiscord(shard_count=2) as discord, aiohttp.ClientSession() as session:
        async with session.get(
            discord.gateway_url.replace("ws://", "http://") + "?compress=lz4"
        ) as response:
            assert response.status == 400
        zstd = zstd_module()
        if zstd is None:  # Python < 3.14 without backports.zstd (this venv): refused, not garbled
            async with session.get(
                discord.gateway_url.replace("ws://", "http://") + "?compress=zstd-stream"
            ) as response:
                assert response.status == 400
        else:  # as hikari reads it: one decompressor per connection, one block per frame
            ws = await session.ws_connect(discord.gateway_url + "?compress=zstd-stream")
            inflator = zstd.ZstdDecompressor()
            hello = json.loads(inflator.decompress(await ws.receive_bytes()))
            assert hello["op"] == 10
            await ws.close()
        async with session.get(discord.gateway_url.replace("ws://", "http://")) as response:
            assert response.status == 400  # a plain GET is no websocket upgrade
        ws = await session.ws_connect(discord.gateway_url + "?compress=zlib-stream")
        inflator = zlib.decompressobj()
        for _ in range(2):  # HELLO, then the ACK: one inflater for the connection's stream
            await ws.send_json({"op": 1, "d": None})
            chunk = await ws.receive_bytes()
            assert chunk.endswith(b"\x00\x00\xff\xff")
            assert json.loads(inflator.decompress(chunk))["op"] in (10, 11)
        await ws.close()

        async def opened() -> aiohttp.ClientWebSocketResponse:
            ws = await session.ws_connect(discord.gateway_url + "?v=10&encoding=json")
            hello = await ws.receive_json()
            assert hello["op"] == 10
            assert hello["d"]["heartbeat_interval"] == 41250
            return ws

        ws = await opened()  # op 4 before IDENTIFY: 4003 not authenticated
        await ws.send_json({"op": 4, "d": {"guild_id": "1", "channel_id": None}})
        assert (await ws.receive()).type is aiohttp.WSMsgType.CLOSE
        assert ws.close_code == 4003

        ws = await opened()  # a wrong token: 4004 authentication failed
        await ws.send_json({"op": 2, "d": {"token": "wrong", "shard": [0, 2], "intents": 0}})
        await ws.receive()
        assert ws.close_code == 4004

        ws = await opened()  # a shard outside the count: 4010 invalid shard
        await ws.send_json({"op": 2, "d": {"token": discord.token, "shard": [2, 2], "intents": 0}})
        await ws.receive()
        assert ws.close_code == 4010

        ws = await opened()  # not JSON: 4002 decode error
        await ws.send_str("{nope")
        await ws.receive()
        assert ws.close_code == 4002

        ws = await opened()  # IDENTIFY, READY, GUILD_CREATE, heartbeat ACK, RESUME elsewhere
        await ws.send_json({"op": 2, "d": {"token": discord.token, "shard": [1, 2], "intents": 0}})
        ready = await ws.receive_json()
        assert (ready["t"], ready["s"]) == ("READY", 1)
        guild = await ws.receive_json()
        assert (guild["t"], guild["s"], guild["d"]["id"]) == (
            "GUILD_CREATE",
            2,
            str(discord.guild_ids[1]),
        )
        await ws.send_json({"op": 1, "d": 2})
        assert await ws.receive_json() == {"op": 11}
        channel = discord.guild(discord.guild_ids[1]).voice_channel_ids[0]  # a voice channel
        await ws.send_json(
            {"op": 4, "d": {"guild_id": str(discord.guild_ids[1]), "channel_id": str(channel)}}
        )
        server = await ws.receive_json()  # no VOICE_STATE_UPDATE: no GUILD_VOICE_STATES intent
        assert (server["t"], server["s"]) == ("VOICE_SERVER_UPDATE", 3)
        await ws.send_json({"op": 2, "d": {"token": discord.token, "shard": [1, 2], "intents": 0}})
        await ws.receive()
        assert ws.close_code == 4005  # already authenticated

        resumed = await opened()
        session_id = ready["d"]["session_id"]
        await resumed.send_json(
            {"op": 6, "d": {"token": discord.token, "session_id": session_id, "seq": 3}}
        )
        assert (await resumed.receive_json())["t"] == "RESUMED"
        unknown = await opened()
        await unknown.send_json(
            {"op": 6, "d": {"token": discord.token, "session_id": "nope", "seq": 1}}
        )
        assert await unknown.receive_json() == {"op": 9, "d": False}
        assert discord.identifies == {1: 1}
        assert discord.resumes == {1: 1}
        assert discord.is_connected(1)
        await resumed.close()
        await unknown.close()
        await discord.wait_until(lambda: not discord.is_connected(1))
        assert [c.code for c in discord.closes if c.initiator == "fake"] == [
            4003,
            4004,
            4010,
            4002,
            4005,
        ]
