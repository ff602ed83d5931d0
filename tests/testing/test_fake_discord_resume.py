"""FakeDiscord's RESUME replays what a session missed, as Discord does, to a real GatewayBot.

A session keeps its dispatches, those made while its shard's socket is down too; a RESUME
gets every one after the ``seq`` it names, then RESUMED. What a shard misses is made in the
bot's own ``ShardDisconnectedEvent`` listener, which hikari awaits before it reconnects: the
dispatch is made while the shard is down, every time, with no clock involved.
"""

from __future__ import annotations

import asyncio
import dataclasses
import typing

import aiohttp
import hikari
import hikari.impl.shard
import pytest
import pytest_asyncio

from hikari_lavalink.testing import FakeDiscord, FakeGuild, RecordedFrame

if typing.TYPE_CHECKING:
    import collections.abc

EventT = typing.TypeVar("EventT", bound=hikari.Event)
Hook: typing.TypeAlias = "collections.abc.Callable[[], collections.abc.Awaitable[None]]"
OTHER_MEMBER = 300000000000000003


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


@dataclasses.dataclass
class Run:
    """A started bot on a FakeDiscord, every event it saw, and what to do while a shard is down."""

    discord: FakeDiscord
    bot: hikari.GatewayBot
    events: list[hikari.Event] = dataclasses.field(default_factory=list[hikari.Event])
    seen: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    while_down: dict[int, Hook] = dataclasses.field(default_factory=dict[int, Hook])

    async def wait_event(
        self,
        kind: type[EventT],
        predicate: collections.abc.Callable[[EventT], bool] = lambda _: True,
        *,
        after: int = 0,
        timeout: float = 10.0,
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

    async def kill_and_resume(self, shard: int, mode: str, hook: Hook) -> int:
        """Kill ``shard``; ``hook()`` runs once the fake sees it down, before hikari comes back.

        Returns the index of the events from the kill on, once the shard is connected again.
        """

        async def down() -> None:
            await self.discord.wait_until(lambda: not self.discord.is_connected(shard))
            await hook()

        self.while_down[shard] = down
        after = len(self.events)
        await self.discord.kill_shard(shard, mode)
        await self.wait_event(
            hikari.ShardConnectedEvent, lambda e: e.shard.id == shard, after=after
        )
        return after


@pytest.fixture
def fake_options() -> dict[str, typing.Any]:
    """FakeDiscord's keyword arguments: a test parametrizes it to change them."""
    return {}


@pytest_asyncio.fixture
async def run(fake_options: dict[str, typing.Any]) -> collections.abc.AsyncIterator[Run]:
    """A 2-shard bot on a FakeDiscord, once every guild is available."""
    loop = asyncio.get_running_loop()
    errors: list[typing.Any] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        async with FakeDiscord(shard_count=2, heartbeat_interval=0.5, **fake_options) as discord:
            bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
            state = Run(discord, bot)

            async def record(event: hikari.Event) -> None:
                state.events.append(event)
                state.seen.set()

            async def disconnected(event: hikari.ShardDisconnectedEvent) -> None:
                hook = state.while_down.pop(event.shard.id, None)
                if hook is not None:  # hikari awaits this listener before it reconnects
                    await hook()

            async def failed(event: hikari.ExceptionEvent[hikari.Event]) -> None:
                errors.append(event.exception)

            for kind in (hikari.ShardStateEvent, hikari.VoiceEvent, hikari.GuildAvailableEvent):
                bot.subscribe(kind, record)
            bot.subscribe(hikari.ShardDisconnectedEvent, disconnected)
            bot.subscribe(hikari.ExceptionEvent, failed)
            await bot.start(check_for_updates=False, shard_count=2)
            try:
                for shard in (0, 1):  # hikari read every dispatch of the handshakes
                    await state.wait_event(
                        hikari.GuildAvailableEvent, lambda e, s=shard: e.shard.id == s
                    )
                yield state
            finally:
                if bot.is_alive:
                    await bot.close()
    finally:
        loop.set_exception_handler(previous)
    assert not errors, errors


def guild_on(discord: FakeDiscord, shard: int) -> FakeGuild:
    return next(g for g in discord.guilds if discord.shard_of(g.id) == shard)


def dispatches(discord: FakeDiscord, shard: int, after: int = 0) -> list[RecordedFrame]:
    return [
        f
        for f in discord.frames[after:]
        if f.direction == "out" and f.op == 0 and f.shard_id == shard
    ]


def shard_log(run: Run, after: int, shard: int = 1) -> list[str]:
    return [
        type(e).__name__
        for e in run.events[after:]
        if isinstance(e, hikari.ShardStateEvent) and e.shard.id == shard
    ]


def member_joined(
    user: int, channel: int
) -> collections.abc.Callable[[hikari.VoiceStateUpdateEvent], bool]:
    return lambda e: e.state.user_id == user and e.state.channel_id == channel


# -- replay -------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["abort", "close:4000", "reconnect", "invalid_session:true"])
async def test_resume_replays_a_dispatch_made_while_the_shard_was_down(run: Run, mode: str) -> None:
    discord = run.discord
    guild = guild_on(discord, 1)
    channel = guild.voice_channel_ids[0]
    kept: list[list[tuple[int, str]]] = []
    sent_while_down: list[bool] = []

    async def member_joins() -> None:
        await discord.put_member_in_voice(guild.id, channel)
        kept.append(discord.backlog(1))
        sent_while_down.append(any(f.t == "VOICE_STATE_UPDATE" for f in discord.frames))

    frames = len(discord.frames)
    after = await run.kill_and_resume(1, mode, member_joins)

    # Made while down: kept with the next seq, not sent; then the bot got it on the resume.
    assert kept == [[(1, "READY"), (2, "GUILD_CREATE"), (3, "VOICE_STATE_UPDATE")]]
    assert sent_while_down == [False]
    joined = await run.wait_event(
        hikari.VoiceStateUpdateEvent, member_joined(discord.member_id, channel), after=after
    )
    assert joined.shard.id == 1
    assert joined.state.guild_id == guild.id
    cached = run.bot.cache.get_voice_state(guild.id, discord.member_id)
    assert cached is not None
    assert cached.channel_id == channel
    assert shard_log(run, after) == [
        "ShardDisconnectedEvent",
        "ShardResumedEvent",
        "ShardConnectedEvent",
    ]
    assert discord.resumes[1] == 1
    assert discord.identifies[1] == 1

    # The wire: RESUME from the last seq the bot read, the replay after it, then RESUMED.
    (resume,) = [f for f in discord.frames[frames:] if f.direction == "in" and f.op == 6]
    assert resume.data["seq"] == 2
    assert resume.data["session_id"] == discord.session_id(1)
    after_resume = discord.frames.index(resume)
    assert [(f.t, f.seq, f.replayed) for f in dispatches(discord, 1, after_resume)] == [
        ("VOICE_STATE_UPDATE", 3, True),
        ("RESUMED", 4, False),
    ]
    # Over the whole session: every seq once, in order.
    assert [f.seq for f in dispatches(discord, 1)] == [1, 2, 3, 4]
    # hikari's next heartbeat carries the last seq it read: it took the replay in order.
    await discord.wait_for_op(1, lambda f: f.shard_id == 1 and f.data == 4, after=after_resume)
    assert discord.is_connected(0)
    assert not dispatches(discord, 0, frames)  # shard 0 missed nothing, got nothing


@pytest.mark.asyncio
async def test_everything_missed_is_replayed_in_order_and_the_caches_catch_up(run: Run) -> None:
    discord, bot = run.discord, run.bot
    guild = guild_on(discord, 1)
    first, second = guild.voice_channel_ids
    after = len(run.events)
    await bot.update_voice_state(guild.id, first, self_mute=False, self_deaf=True)
    await run.wait_event(hikari.VoiceServerUpdateEvent, after=after)
    live = [f.seq for f in dispatches(discord, 1)]
    assert live == [1, 2, 3, 4]  # READY, GUILD_CREATE, the bot's voice state and server
    raw: list[str] = []

    async def on_payload(event: hikari.ShardPayloadEvent) -> None:
        if event.shard.id == 1:
            raw.append(event.name)

    bot.subscribe(hikari.ShardPayloadEvent, on_payload)

    async def much_happens() -> None:
        await discord.move_bot(guild.id, second, new_server=True)
        await discord.put_member_in_voice(guild.id, first)
        await discord.put_member_in_voice(guild.id, second, OTHER_MEMBER)
        await discord.dispatch(1, "FAKE_EVENT", {"answer": 42})

    frames = len(discord.frames)
    after = await run.kill_and_resume(1, "abort", much_happens)
    await run.wait_event(
        hikari.VoiceStateUpdateEvent, member_joined(OTHER_MEMBER, second), after=after
    )
    replayed = [f for f in dispatches(discord, 1, frames) if f.replayed]
    assert [(f.t, f.seq) for f in replayed] == [
        ("VOICE_STATE_UPDATE", 5),  # the bot, moved
        ("VOICE_SERVER_UPDATE", 6),
        ("VOICE_STATE_UPDATE", 7),  # the member
        ("VOICE_STATE_UPDATE", 8),  # another member
        ("FAKE_EVENT", 9),
    ]
    assert [f.seq for f in dispatches(discord, 1)] == list(range(1, 11))  # + RESUMED 10
    me = bot.cache.get_voice_state(guild.id, discord.bot_id)
    assert me is not None
    assert me.channel_id == second  # the move it missed reached its cache
    assert me.session_id == discord.session_id(1)  # the same session: resumed
    servers = run.of(hikari.VoiceServerUpdateEvent, after)
    assert [s.raw_endpoint for s in servers] == [discord.voice_endpoint]
    await discord.wait_until(lambda: "RESUMED" in raw)
    assert raw[: raw.index("RESUMED") + 1][-6:] == [
        "VOICE_STATE_UPDATE",
        "VOICE_SERVER_UPDATE",
        "VOICE_STATE_UPDATE",
        "VOICE_STATE_UPDATE",
        "FAKE_EVENT",
        "RESUMED",
    ]  # in the order made, each once, all before RESUMED

    # Once resumed, dispatches go out live again, numbered on from there.
    frames = len(discord.frames)
    await discord.disconnect_bot(guild.id)
    left = await discord.wait_for_frame(lambda f: f.t == "VOICE_STATE_UPDATE", after=frames)
    assert (left.seq, left.replayed) == (11, False)


# -- a backlog that cannot serve the resume -------------------------------------------------


@pytest.mark.asyncio
async def test_a_lost_backlog_makes_the_bot_start_a_new_session(run: Run) -> None:
    discord = run.discord
    guild = guild_on(discord, 1)
    old_session = discord.session_id(1)

    async def missed_and_lost() -> None:
        await discord.put_member_in_voice(guild.id, guild.voice_channel_ids[0])
        await discord.kill_shard(1, "lose_backlog")  # a session alone: no connection needed

    frames = len(discord.frames)
    after = await run.kill_and_resume(1, "abort", missed_and_lost)
    assert shard_log(run, after) == [
        "ShardDisconnectedEvent",
        "ShardReadyEvent",
        "ShardConnectedEvent",
    ]
    assert discord.session_id(1) != old_session
    sent = [(f.direction, f.op) for f in discord.frames[frames:] if f.op in (2, 6, 9)]
    assert sent == [("in", 6), ("out", 9), ("in", 2)]  # RESUME, op 9 false, IDENTIFY
    assert next(f.data for f in discord.frames[frames:] if f.op == 9) is False
    assert not [f for f in discord.frames[frames:] if f.replayed]
    assert not run.of(hikari.VoiceStateUpdateEvent, after)  # never replayed
    assert discord.backlog(1) == [(1, "READY"), (2, "GUILD_CREATE")]  # the new session's


@pytest.mark.asyncio
@pytest.mark.parametrize("fake_options", [{"backlog_size": 4}])
async def test_a_session_keeps_only_its_last_backlog_size_dispatches(run: Run) -> None:
    discord = run.discord
    guild = guild_on(discord, 1)
    channel = guild.voice_channel_ids[0]

    def members_join(count: int) -> Hook:
        async def hook() -> None:
            for user in range(OTHER_MEMBER, OTHER_MEMBER + count):
                await discord.put_member_in_voice(guild.id, channel, user)

        return hook

    # Four missed: the backlog holds just those four, so the resume is served.
    after = await run.kill_and_resume(1, "abort", members_join(4))
    assert discord.resumes[1] == 1
    await run.wait_event(
        hikari.VoiceStateUpdateEvent, member_joined(OTHER_MEMBER + 3, channel), after=after
    )
    assert len(run.of(hikari.VoiceStateUpdateEvent, after)) == 4
    assert [f.seq for f in dispatches(discord, 1)] == list(range(1, 8))  # + RESUMED 7
    assert [seq for seq, _ in discord.backlog(1)] == [3, 4, 5, 6]  # RESUMED is not kept

    # Five missed: the first is gone from the backlog, so the session cannot be resumed.
    after = await run.kill_and_resume(1, "close:4000", members_join(5))
    assert discord.resumes[1] == 1
    assert discord.identifies[1] == 2
    assert run.of(hikari.ShardReadyEvent, after)
    assert not run.of(hikari.VoiceStateUpdateEvent, after)


@pytest.mark.asyncio
@pytest.mark.parametrize("fake_options", [{"replay_on_resume": False}])
async def test_replay_off_drops_what_a_down_shard_misses(run: Run) -> None:
    discord = run.discord
    guild = guild_on(discord, 1)
    channel = guild.voice_channel_ids[0]

    async def member_joins() -> None:
        await discord.put_member_in_voice(guild.id, channel)

    after = await run.kill_and_resume(1, "abort", member_joins)
    assert run.of(hikari.ShardResumedEvent, after)
    assert discord.backlog(1) == []
    # A dispatch made now arrives; the one made while down never did, and had no seq.
    await discord.put_member_in_voice(guild.id, channel, OTHER_MEMBER)
    await run.wait_event(hikari.VoiceStateUpdateEvent, after=after)
    assert [e.state.user_id for e in run.of(hikari.VoiceStateUpdateEvent, after)] == [OTHER_MEMBER]
    assert [(f.t, f.seq) for f in dispatches(discord, 1)][2:] == [
        ("RESUMED", 3),
        ("VOICE_STATE_UPDATE", 4),
    ]


# -- the protocol, with a raw client ------------------------------------------------------------


@pytest.mark.asyncio
async def test_resume_rules_with_a_raw_client() -> None:
    """What hikari never does: resume from an older seq, twice; a seq from the future."""
    async with FakeDiscord(shard_count=1) as discord, aiohttp.ClientSession() as session:
        url = discord.gateway_url + "?v=10&encoding=json"

        async def opened() -> aiohttp.ClientWebSocketResponse:
            ws = await session.ws_connect(url)
            assert (await ws.receive_json())["op"] == 10
            return ws

        async def resume(seq: object) -> aiohttp.ClientWebSocketResponse:
            ws = await opened()
            await ws.send_json(
                {"op": 6, "d": {"token": discord.token, "session_id": session_id, "seq": seq}}
            )
            return ws

        async def received(
            ws: aiohttp.ClientWebSocketResponse, until: str
        ) -> list[tuple[str, int]]:
            got: list[tuple[str, int]] = []
            while not got or got[-1][0] != until:
                payload = await ws.receive_json()
                got.append((payload["t"], payload["s"]))
            return got

        await discord.dispatch(0, "NOBODY", {})  # no session yet: dropped, and no error
        ws = await opened()
        await ws.send_json({"op": 2, "d": {"token": discord.token, "shard": [0, 1], "intents": 0}})
        assert await received(ws, "GUILD_CREATE") == [("READY", 1), ("GUILD_CREATE", 2)]
        session_id = discord.session_id(0)
        for n in range(3):
            await discord.dispatch(0, "LIVE", {"n": n})
        assert await received(ws, "LIVE") == [("LIVE", 3)]  # 4 and 5 left unread
        await ws.close()
        await discord.wait_until(lambda: not discord.is_connected(0))
        await discord.dispatch(0, "MISSED", {})

        # Everything after the seq named, read or not, in order; then RESUMED, numbered on.
        ws = await resume(3)
        assert await received(ws, "RESUMED") == [
            ("LIVE", 4),
            ("LIVE", 5),
            ("MISSED", 6),
            ("RESUMED", 7),
        ]
        sent = [(f.seq, f.replayed) for f in discord.frames if f.seq in (4, 5, 6)]
        assert sent == [(4, False), (5, False), (4, True), (5, True), (6, True)]
        # Resumed again from an older seq (a new connection takes over): the same again.
        again = await resume(1)
        assert await received(again, "RESUMED") == [
            ("GUILD_CREATE", 2),
            ("LIVE", 3),
            ("LIVE", 4),
            ("LIVE", 5),
            ("MISSED", 6),
            ("RESUMED", 8),
        ]
        assert discord.resumes[0] == 2

        # A seq the session never reached: 4007, and the session is over.
        ahead = await resume(9)
        assert (await ahead.receive()).type is aiohttp.WSMsgType.CLOSE
        assert ahead.close_code == 4007
        assert discord.session_id(0) is None
        late = await resume(8)
        assert await late.receive_json() == {"op": 9, "d": False}
        for socket in (ws, again, ahead, late):
            await socket.close()
