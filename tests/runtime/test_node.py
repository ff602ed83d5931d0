"""A real Node: its logic on the in-memory transport, its aiohttp transport on real sockets.

Most tests drive the node through :mod:`hikari_lavalink.testing.memory`: the test is the
server (it pushes the frames, closes or cuts the socket, answers the REST calls), and the
node's clock is the test's, so positions and resume deadlines are exact and nothing waits
on wall time. The tests at the end run the node against FakeLavalink over real sockets,
where the socket is the subject (the aiohttp handshake, its refusals, a shared session).
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing

import msgspec
import pytest
import pytest_asyncio
from typing_extensions import override

import hikari_lavalink as hl
from hikari_lavalink.nodes import create_node
from hikari_lavalink.protocol import models, requests, routes
from hikari_lavalink.runtime.node import Node, NodeListener, NodeState
from hikari_lavalink.testing import FakeLavalink, factories
from hikari_lavalink.testing.memory import MemoryConnection, MemoryServer, Reply
from hikari_lavalink.transport.node import AiohttpNodeTransport

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.runtime.player import Player

PASSWORD = "s3cret-pa55word"
USER_ID = 170939974227541168
GUILD = 817327181659111454
CHANNEL = 817327181659111455
SONG = factories.make_track(title="Song", length=180_000)


class Recorder(NodeListener):
    """Records every callback, in order, and lets tests wait for one."""

    def __init__(self) -> None:
        self.log: list[tuple[str, typing.Any]] = []
        self._changed = asyncio.Event()

    def _add(self, kind: str, value: typing.Any) -> None:
        self.log.append((kind, value))
        self._changed.set()

    def of(self, kind: str) -> list[typing.Any]:
        return [value for k, value in self.log if k == kind]

    async def wait_for(
        self,
        kind: str,
        predicate: collections.abc.Callable[[typing.Any], bool] = lambda _: True,
        timeout: float = 5.0,
    ) -> typing.Any:
        async with asyncio.timeout(timeout):
            while True:
                for k, value in self.log:
                    if k == kind and predicate(value):
                        return value
                self._changed.clear()
                await self._changed.wait()

    @override
    def node_ready(self, node: Node, *, session_id: str, resumed: bool) -> None:
        self._add("ready", (session_id, resumed))

    @override
    def node_disconnected(
        self, node: Node, *, code: int, reason: str, will_resume: bool, graceful: bool
    ) -> None:
        self._add("disconnected", (code, will_resume, graceful))

    @override
    def session_lost(
        self, node: Node, *, session_id: str, players: list[Player], reachable: bool
    ) -> None:
        self._add("lost", (session_id, [p.guild_id for p in players]))

    @override
    def players_reconciled(
        self, node: Node, *, adopted: list[Player], restored: list[Player], resumed: bool
    ) -> None:
        self._add(
            "reconciled",
            ([p.guild_id for p in adopted], [p.guild_id for p in restored], resumed),
        )

    @override
    def node_stopped(self, node: Node, *, error: hl.LavalinkError | None) -> None:
        self._add("stopped", error)

    @override
    def player_update(
        self, node: Node, player: Player | None, message: hl.PlayerUpdateMessage
    ) -> None:
        self._add("update", message)

    @override
    def event(self, node: Node, player: Player | None, message: hl.EventMessage) -> None:
        self._add("event", message)

    @override
    def unknown(self, node: Node, message: hl.UnknownMessage) -> None:
        self._add("unknown", message)

    @override
    def stats(self, node: Node, stats: hl.Stats) -> None:
        self._add("stats", stats)


def voice() -> hl.VoiceUpdate:
    return hl.VoiceUpdate(
        token="voice-token",
        endpoint="fake-voice.local:443",
        session_id="sess",
        channel_id=str(CHANNEL),
    )


class Clock:
    """The node's clock: it moves when the test says."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return self.now


class Desk:
    """The memory server's Lavalink side, as small as the tests need.

    It answers the session PATCH with what was asked, lists and loads from what it holds,
    and keeps each player as its PATCHes leave it (the position runs on the node's clock
    while a track plays). It sends nothing by itself: the tests push the frames.
    """

    def __init__(self, server: MemoryServer, clock: Clock) -> None:
        self.server = server
        self.clock = clock
        self.players: dict[int, models.Player] = {}
        self._since: dict[int, float] = {}
        server.answer("PATCH", "/v4/sessions/*", self.update_session)
        server.answer("GET", "/v4/sessions/*/players", self.get_players)
        server.answer("PATCH", "/v4/sessions/*/players/*", self.update_player)
        server.answer("DELETE", "/v4/sessions/*/players/*", self.destroy_player)
        server.answer("GET", "/v4/loadtracks", factories.make_search([SONG]))

    def update_session(self, route: routes.Route[typing.Any]) -> models.Session:
        update = msgspec.json.decode(route.body or b"{}", type=models.SessionUpdate)
        resuming = update.resuming if isinstance(update.resuming, bool) else False
        timeout = update.timeout if isinstance(update.timeout, int) else 60
        return models.Session(resuming=resuming, timeout=timeout)

    def get_players(self, _: routes.Route[typing.Any]) -> list[models.Player]:
        return list(self.players.values())

    def position(self, guild: int) -> int:
        player = self.players[guild]
        if player.track is None or player.paused:
            return player.state.position
        return player.state.position + int((self.clock.now - self._since[guild]) * 1000)

    def update_player(self, route: routes.Route[typing.Any]) -> models.Player:
        guild = int(route.path.rsplit("/", 1)[1])
        update = msgspec.json.decode(route.body or b"{}", type=requests.UpdatePlayer)
        old = self.players.get(guild) or factories.make_player(guild, connected=False)
        position = self.position(guild) if guild in self.players else 0
        track, paused = old.track, old.paused
        if isinstance(update.track, requests.UpdatePlayerTrack):
            encoded = update.track.encoded
            assert encoded in (None, SONG.encoded), "the desk plays only SONG"
            track = None if encoded is None else SONG
            position = 0
        if isinstance(update.position, int):
            position = update.position
        if isinstance(update.paused, bool):
            paused = update.paused
        voice = old.voice
        if isinstance(update.voice, requests.VoiceUpdate):
            voice = models.VoiceState(
                token=update.voice.token,
                endpoint=update.voice.endpoint,
                session_id=update.voice.session_id,
                channel_id=CHANNEL,
            )
        player = models.Player(
            guild_id=guild,
            track=track,
            volume=update.volume if isinstance(update.volume, int) else old.volume,
            paused=paused,
            state=models.PlayerState(
                time=0, position=position, connected=bool(voice.token), ping=7
            ),
            voice=voice,
            filters=update.filters if isinstance(update.filters, hl.Filters) else old.filters,
        )
        self.players[guild] = player
        self._since[guild] = self.clock.now
        return player

    def destroy_player(self, route: routes.Route[typing.Any]) -> None:
        self.players.pop(int(route.path.rsplit("/", 1)[1]), None)


def event_frame(kind: str, guild: int = GUILD, **fields: typing.Any) -> dict[str, typing.Any]:
    """An ``event`` op as Lavalink sends it (``track`` as the encoded song's JSON)."""
    body: dict[str, typing.Any] = {"op": "event", "type": kind, "guildId": str(guild)}
    body["track"] = msgspec.to_builtins(SONG)
    body.update(fields)
    return body


def stats_frame() -> bytes:
    return msgspec.json.encode(
        {**msgspec.to_builtins(factories.make_stats(players=1)), "op": "stats"}
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server() -> MemoryServer:
    return MemoryServer(password=PASSWORD, name="test")


@pytest.fixture
def desk(server: MemoryServer, clock: Clock) -> Desk:
    return Desk(server, clock)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def memory_node(
    server: MemoryServer, listener: NodeListener, clock: Clock, **kwargs: typing.Any
) -> Node:
    options: dict[str, typing.Any] = {
        "name": "test",
        "transport": server.transport,
        "user_id": USER_ID,
        "listener": listener,
        "reconnect_base": 0.001,
        "reconnect_cap": 0.01,
        "clock": clock,
    }
    options.update(kwargs)
    return Node(**options)


async def ready(
    node: Node, server: MemoryServer, count: int, session_id: str = "s1", *, resumed: bool = False
) -> MemoryConnection:
    """Wait for the node's ``count``-th connection, say ``ready`` on it, wait for the node."""
    socket = await server.accepted(count)
    socket.send_ready(session_id, resumed=resumed)
    await node.wait_ready(timeout=5)
    await socket.wait_read()  # the ready's effects are carried out
    return socket


async def started(
    server: MemoryServer, listener: NodeListener, clock: Clock, **kwargs: typing.Any
) -> tuple[Node, MemoryConnection]:
    node = memory_node(server, listener, clock, **kwargs)
    count = len(server.connections) + 1
    await node.start()
    return node, await ready(node, server, count)


async def playing_player(node: Node) -> Player:
    player = node.create_player(GUILD)
    await player.set_voice(voice())
    result = await node.load_tracks("ytsearch:song")
    await player.play(result.tracks[0])
    return player


@pytest.mark.asyncio
async def test_connect_ready_headers_resuming_and_reconcile(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        assert node.state is NodeState.READY
        assert node.session_id == "s1"
        handshake = server.handshakes[0]
        assert handshake["Authorization"] == PASSWORD
        assert handshake["User-Id"] == str(USER_ID)
        assert handshake["Client-Name"] == f"hikari-lavalink/{hl.__version__}"
        assert "Session-Id" not in handshake
        await recorder.wait_for("reconciled")
        patch = next(r for r in server.requests if r.method == "PATCH")
        assert patch.path == f"/v4/sessions/{node.session_id}"
        assert msgspec.json.decode(patch.body or b"") == {"resuming": True, "timeout": 60}
        assert any(
            r.method == "GET" and r.path == f"/v4/sessions/{node.session_id}/players"
            for r in server.requests
        )
        socket.send(stats_frame())
        stats = await recorder.wait_for("stats")
        assert node.stats == stats
        assert recorder.of("ready") == [(node.session_id, False)]
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_play_events_position_and_controls(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        player = await playing_player(node)
        socket.send(event_frame("TrackStartEvent"))
        start = await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackStartMessage))
        assert start.guild_id == GUILD
        assert player.track is not None
        assert player.track.info.title == "Song"
        state = {"time": 1, "position": 0, "connected": True, "ping": 7}
        socket.send({"op": "playerUpdate", "guildId": str(GUILD), "state": state})
        await recorder.wait_for("update", lambda m: m.state.connected)
        assert player.connected
        clock.now += 0.3
        assert 200 <= player.position <= 2000
        assert player.position == 300  # the node's clock, read exactly
        await player.seek(60_000)
        assert 60_000 <= player.position <= 61_000
        await player.pause()
        assert player.paused
        frozen = player.position
        clock.now += 0.1
        assert player.position == frozen
        await player.set_volume(55)
        await player.set_filters(hl.Filters(timescale=hl.Timescale(speed=1.5)))
        remote = desk.players[GUILD]
        assert remote.volume == 55
        assert remote.paused is True
        assert remote.filters == hl.Filters(timescale=hl.Timescale(speed=1.5))
        await player.stop()
        assert desk.players[GUILD].track is None
        socket.send(event_frame("TrackEndEvent", reason="stopped"))
        end = await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackEndMessage))
        assert end.reason == hl.TrackEndReason.STOPPED
        assert not end.may_start_next
        assert player.track is None
        await player.destroy()
        assert node.get_player(GUILD) is None
        assert not desk.players
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_resume_after_abrupt_drop_replays_events_once_in_order(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        player = await playing_player(node)
        socket.send(event_frame("TrackStartEvent"))
        await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackStartMessage))
        first_session = node.session_id
        server.session_resumed = True
        socket.abort()
        code, will_resume, graceful = await recorder.wait_for("disconnected")
        assert code == 1006
        assert will_resume
        assert not graceful
        # While the session is paused the server queues what happens; it replays it after
        # the ready of the resumed session.
        again = await server.accepted(2)
        assert again.headers["Session-Id"] == first_session
        again.send_ready(first_session or "", resumed=True)
        again.send(event_frame("TrackStuckEvent", thresholdMs=1234))
        again.send(event_frame("TrackEndEvent", reason="finished"))
        await recorder.wait_for("ready", lambda r: r[1] is True)
        assert node.session_id == first_session
        assert server.handshakes[-1]["Session-Id"] == first_session
        await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackEndMessage))
        events = [type(m).__name__ for m in recorder.of("event")]
        assert events == ["TrackStartMessage", "TrackStuckMessage", "TrackEndMessage"]
        end = recorder.of("event")[-1]
        assert end.reason == hl.TrackEndReason.FINISHED
        assert end.may_start_next
        assert player.track is None
        await recorder.wait_for("reconciled", lambda r: r[2] is True)
        assert not recorder.of("lost")
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_session_lost_after_kill_and_players_restored_on_new_session(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, _ = await started(server, recorder, clock, resume_timeout=1)
    try:
        player = await playing_player(node)
        await player.set_volume(42)
        await player.seek(30_000)
        old_session = node.session_id
        handshakes = len(server.handshakes)
        server.drop()  # killed: the socket dies, and every attempt fails from now on
        await recorder.wait_for("disconnected")
        await server.wait_for_handshakes(handshakes + 1)  # unreachable since the close
        # The node retries meanwhile; one second (resume_timeout) later, on the node's clock,
        # the server has dropped the session: the next attempt says so.
        clock.now += 1.0
        session_id, guilds = await recorder.wait_for("lost", timeout=5)
        assert session_id == old_session
        assert guilds == [GUILD]
        frozen = player.position
        # the server was unreachable: its audio stopped when the socket closed, not at the
        # resume deadline one second later
        assert 30_000 <= frozen < 30_500
        assert frozen == 30_000  # the clock stood still from the seek to the kill
        clock.now += 0.1
        assert player.position == frozen  # frozen while nobody plays it
        desk.players.clear()  # a new process: no players
        server.reachable = True  # restarted
        await ready(node, server, 2, "s2")
        await recorder.wait_for("ready", lambda r: r[0] != old_session, timeout=5)
        adopted, _restored, resumed = await recorder.wait_for(
            "reconciled", lambda r: r[1] == [GUILD]
        )
        assert (adopted, resumed) == ([], False)
        new_session = node.session_id
        assert new_session is not None
        assert new_session != old_session
        remote = desk.players[GUILD]
        assert remote.track is not None
        assert remote.volume == 42
        assert remote.voice.token
        assert abs(remote.state.position - frozen) < 1000
        restore = server.requests[-1]
        assert restore.path == f"/v4/sessions/{new_session}/players/{GUILD}"
    finally:
        await node.close()


@pytest.mark.parametrize("failing", ["GET", "PATCH"])
@pytest.mark.asyncio
async def test_a_failed_reconcile_or_restore_is_tried_again(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder, failing: str
) -> None:
    node, socket = await started(server, recorder, clock, resume_timeout=1)
    try:
        await playing_player(node)
        old = node.session_id
        server.session_resumed = False  # the server restarted: a new session, no players
        desk.players.clear()
        # Its first answers after the restart are 500s: the players list, or the restore.
        path = "/v4/sessions/*/players" if failing == "GET" else "/v4/sessions/*/players/*"
        server.answer(failing, path, Reply.error(500, "starting up", path), times=2)
        socket.abort()
        await ready(node, server, 2, "s2")
        await recorder.wait_for("lost", lambda r: r[0] == old)
        adopted, _, _ = await recorder.wait_for("reconciled", lambda r: r[1] == [GUILD])
        assert adopted == []
        remote = desk.players[GUILD]  # recreated on the new session, with its track
        assert remote.track is not None
        assert remote.voice.token
        failures = [r for r in server.requests if r.method == failing and "/players" in r.path]
        assert len(failures) >= 3  # two refused, then the one that worked
        assert [p for _, p in recorder.of("lost") if p] == [[GUILD]]  # lost once, with its session
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_a_player_that_cannot_be_recreated_in_time_is_lost(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock, resume_timeout=1)
    try:
        await playing_player(node)
        server.session_resumed = False
        desk.players.clear()
        server.answer("PATCH", "/v4/sessions/*/players/*", Reply.error(500, "broken", "/"))
        socket.abort()
        await ready(node, server, 2, "s2")
        await server.wait_for_request(lambda r: r.method == "PATCH" and "s2/players" in r.path)
        clock.now += 1.0  # the resume window passes on the node's clock: it gives up
        _, guilds = await recorder.wait_for("lost", lambda r: r[0] == "s2")
        assert guilds == [GUILD]  # declared lost: the client moves it, or leaves
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_a_refused_reconnect_loses_the_session_without_waiting_out_its_window(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)  # a 60 s resume window
    try:
        await playing_player(node)
        old = node.session_id
        server.refusing = True  # the process is gone: its port refuses connections
        socket.abort()
        session_id, guilds = await recorder.wait_for("lost")  # the clock stands still
        assert (session_id, guilds) == (old, [GUILD])
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_server_down_at_start_then_up(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    server.reachable = False
    node = memory_node(server, recorder, clock)
    await node.start()
    await server.wait_for_handshakes(3)  # three attempts failed
    assert node.state in (NodeState.CONNECTING, NodeState.DISCONNECTED)
    assert not server.connections
    server.reachable = True
    await ready(node, server, 1)
    assert node.is_ready
    await node.close()


@pytest.mark.asyncio
async def test_malformed_frames_and_unknown_ops_are_tolerated(
    server: MemoryServer,
    desk: Desk,
    clock: Clock,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        player = await playing_player(node)
        socket.send("this is not json")
        socket.send('{"op": "playerUpdate", "guildId": "x"}')
        socket.send('{"op": "future", "value": 1}')
        # A known event without its required fields: decoded, then refused.
        socket.send(f'{{"op": "event", "type": "TrackEndEvent", "guildId": "{GUILD}"}}')
        socket.send(
            f'{{"op": "event", "type": "MarkersLoaded", "guildId": "{GUILD}", "markers": []}}'
        )
        socket.ping()  # a control message is no frame: skipped
        unknown = await recorder.wait_for("unknown", lambda m: m.type == "MarkersLoaded")
        assert unknown.guild_id == GUILD
        assert [m.op for m in recorder.of("unknown")] == ["future", "event"]
        socket.send(event_frame("TrackEndEvent", reason="finished"))
        await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackEndMessage))
        assert node.is_ready
        assert player.track is None
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert sum("malformed" in w for w in warnings) == 3
        assert any("TrackEndEvent lacks a required field" in w for w in warnings)
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_graceful_shutdown_is_told_apart(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        server.session_resumed = True
        socket.close(1001, "Going away")
        code, will_resume, graceful = await recorder.wait_for("disconnected")
        assert (code, will_resume, graceful) == (1001, True, True)
        await ready(node, server, 2, "s1", resumed=True)
        await recorder.wait_for("ready", lambda r: r[1] is True)
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_a_network_failure_while_reading_is_a_drop(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        server.session_resumed = True
        socket.fail(ConnectionResetError("reset by peer"))
        code, will_resume, graceful = await recorder.wait_for("disconnected")
        assert (code, will_resume, graceful) == (1006, True, False)
        await ready(node, server, 2, "s1", resumed=True)
        assert recorder.of("ready") == [("s1", False), ("s1", True)]
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_no_frame_kills_the_reader(
    server: MemoryServer,
    desk: Desk,
    clock: Clock,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        nested = "[" * 5_000 + "]" * 5_000  # msgspec raises RecursionError on this
        socket.send('{"op": "stats", "players": ' + nested + "}")
        socket.send('{"op": "future", "payload": ' + nested + "}")
        socket.send(b'{"op": "future", "guildId": "' + b"7" * 5_000 + b'"}')
        socket.send(stats_frame())  # read after them: the reader lives on
        await recorder.wait_for("stats")
        assert node.is_ready
        assert [m.guild_id for m in recorder.of("unknown")] == [None]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert sum("nested too deep" in w for w in warnings) == 2
        assert recorder.of("disconnected") == []
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_a_reader_that_crashes_marks_the_node_down_and_reconnects(
    server: MemoryServer,
    desk: Desk,
    clock: Clock,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        server.session_resumed = True
        socket.fail(ValueError("a bug, not a network failure"))  # re-raised by failed()
        code, will_resume, graceful = await recorder.wait_for("disconnected")
        assert (code, will_resume, graceful) == (1011, True, False)
        assert not node.is_ready  # never READY with nobody reading
        assert "reader task crashed; reconnecting" in caplog.text
        again = await ready(node, server, 2, "s1", resumed=True)
        assert server.handshakes[1]["Session-Id"] == "s1"  # resumed, not a new session
        assert recorder.of("ready") == [("s1", False), ("s1", True)]
        again.send(stats_frame())
        await recorder.wait_for("stats")
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_close_turns_resuming_off_so_players_die_with_it(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    await playing_player(node)
    await node.close()
    assert node.state is NodeState.STOPPED
    last = server.requests[-1]
    assert (last.method, last.path) == ("PATCH", "/v4/sessions/s1")
    assert msgspec.json.decode(last.body or b"") == {"resuming": False}
    assert await socket.wait_closed() == 1000  # closed with a normal close
    assert server.transport.closed
    assert recorder.of("stopped") == [None]
    await node.close()  # idempotent
    assert recorder.of("stopped") == [None]


@pytest.mark.asyncio
async def test_close_keep_session_leaves_it_resumable(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    await playing_player(node)
    session_id = node.session_id or ""
    requests_before = len(server.requests)
    await node.close(keep_session=True)
    assert await socket.wait_closed() == 1000
    assert len(server.requests) == requests_before  # resuming left on
    second = memory_node(server, Recorder(), clock, session_id=session_id)
    await second.start()
    server.session_resumed = True
    await ready(second, server, 2, session_id, resumed=True)
    try:
        assert second.session_id == session_id
        assert server.handshakes[-1]["Session-Id"] == session_id
        player = second.get_player(GUILD)
        assert player is not None  # adopted from the server
        assert player.track is not None
        assert player.voice is not None
    finally:
        await second.close()


class Choosy(Recorder):
    """A listener that wants player updates only while ``wanted`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.wanted = False
        self.asked = 0

    @override
    def wants_player_updates(self, node: Node) -> bool:
        self.asked += 1
        return self.wanted

    @override
    def player_update(
        self, node: Node, player: Player | None, message: hl.PlayerUpdateMessage
    ) -> None:
        self._add("player_update", (player, message))


def update_frame(position: int) -> str:
    state = {"time": 1, "position": position, "connected": True, "ping": 7}
    return msgspec.json.encode(
        {"op": "playerUpdate", "guildId": str(GUILD), "state": state}
    ).decode()


@pytest.mark.asyncio
async def test_player_updates_reach_a_listener_only_while_it_wants_them(
    server: MemoryServer, desk: Desk, clock: Clock
) -> None:
    listener = Choosy()
    node, socket = await started(server, listener, clock)
    player = node.create_player(GUILD)
    try:
        # 50 updates in one burst: asked once per step of the reader, not per message,
        # and the player's state is kept whatever the listener wants.
        for i in range(50):
            socket.send(update_frame(1_000 + i))
        await socket.wait_read()
        assert player.ping == 7
        assert player.connected is True
        assert 1 <= listener.asked < 50
        assert not listener.of("player_update")
        # Wanted from the reader's next step on, without a call per message either.
        listener.wanted = True
        for i in range(50):
            socket.send(update_frame(5_000 + i))
        seen = await listener.wait_for("player_update", lambda u: u[1].state.position == 5_049)
        assert seen[0] is player
        assert len(listener.of("player_update")) == 50
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_a_burst_of_updates_is_stamped_with_one_clock_reading_per_step(
    server: MemoryServer, desk: Desk, clock: Clock, recorder: Recorder
) -> None:
    node, socket = await started(server, recorder, clock)
    try:
        player = node.create_player(GUILD)
        track = factories.make_track(length=600_000)
        player.apply_player(factories.make_player(GUILD, track=track, position=0))
        before = clock.readings
        for i in range(200):
            socket.send(update_frame(1_000 + i))
        await recorder.wait_for("update", lambda m: m.state.position == 1_199)
        readings = clock.readings - before
        # A handful of steps for 200 frames, not one per frame.
        assert 1 <= readings < 20, readings
        # The last update holds from its step's reading.
        clock.now += 0.25
        assert player.position == 1_199 + 250
    finally:
        await node.close()


class Broken(Choosy):
    @override
    def wants_player_updates(self, node: Node) -> bool:
        raise RuntimeError("listener bug")


@pytest.mark.asyncio
async def test_a_listener_that_cannot_say_gets_every_update(
    server: MemoryServer, desk: Desk, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    listener = Broken()
    node, socket = await started(server, listener, clock)
    player = node.create_player(GUILD)
    try:
        with caplog.at_level(logging.ERROR, logger="hikari_lavalink"):
            for i in range(5):
                socket.send(update_frame(2_000 + i))
            await listener.wait_for("player_update", lambda u: u[1].state.position == 2_004)
        assert len(listener.of("player_update")) == 5
        assert listener.of("player_update")[0][0] is player
        assert any("listener bug" in (r.exc_text or "") for r in caplog.records)
        assert node.state is hl.NodeState.READY  # the reader goes on
    finally:
        await node.close()


# -- over real sockets: the aiohttp transport against FakeLavalink -------------------------


def make_node(fake: FakeLavalink, recorder: Recorder, **kwargs: typing.Any) -> Node:
    options: dict[str, typing.Any] = {
        "name": "test",
        "host": fake.host,
        "port": fake.port,
        "password": PASSWORD,
        "user_id": USER_ID,
        "listener": recorder,
        "reconnect_base": 0.02,
        "reconnect_cap": 0.2,
    }
    options.update(kwargs)
    return create_node(**options)


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([SONG])}
    async with FakeLavalink(
        password=PASSWORD, catalogue=catalogue, player_update_interval=0.2
    ) as server:
        yield server


async def real_node(fake: FakeLavalink, recorder: Recorder, **kwargs: typing.Any) -> Node:
    node = make_node(fake, recorder, **kwargs)
    await node.start()
    await node.wait_ready(timeout=5)
    return node


@pytest.mark.asyncio
@pytest.mark.parametrize("wrong", [None, "wrong-password"])
async def test_rejected_password_stops_once_without_leaking_it(
    fake: FakeLavalink,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
    wrong: str | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    node = make_node(fake, recorder, password=wrong if wrong is not None else "")
    await node.start()
    with pytest.raises(hl.NodeConnectionError) as info:
        await node.wait_ready(timeout=5)
    assert info.value.fatal
    assert info.value.status in (401, 403)
    assert "password" in str(info.value)
    # wait_ready raised when the reader task ended: no attempt can follow.
    with pytest.raises(hl.NodeConnectionError):
        await node.wait_ready(timeout=5)
    assert len(fake.handshakes) == 1
    assert node.state is NodeState.STOPPED
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    if wrong:
        assert all(wrong not in r.getMessage() for r in caplog.records)
        assert wrong not in repr(node)
    await node.close()


@pytest.mark.asyncio
async def test_handshake_5xx_is_retried(fake: FakeLavalink, recorder: Recorder) -> None:
    fake.fail_handshake(status=502, count=3)
    node = await real_node(fake, recorder)
    try:
        assert len(fake.handshakes) >= 4
        assert recorder.of("ready")
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_nodes_share_one_session(fake: FakeLavalink, recorder: Recorder) -> None:
    from hikari_lavalink.nodes import SharedSession

    shared = SharedSession()
    first = await real_node(fake, recorder, session=shared)
    second = await real_node(fake, Recorder(), session=shared, name="second")
    session = shared.get()
    assert shared.get() is session
    await first.close()
    assert not session.closed  # a node never closes a shared session
    assert second.is_ready
    await second.load_tracks("ytsearch:song")
    await second.close()
    await shared.close()
    assert session.closed
    assert "open=False" in repr(shared)


class CountingClock:
    """``time.monotonic``, counting its readings."""

    def __init__(self) -> None:
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return time.monotonic()


@pytest.mark.asyncio
async def test_a_burst_over_a_real_socket_is_stamped_with_few_clock_readings(
    fake: FakeLavalink, recorder: Recorder
) -> None:
    # What the memory test above shows of the reader, over aiohttp's feeding of a socket.
    clock = CountingClock()
    transport = AiohttpNodeTransport(host=fake.host, port=fake.port, password=PASSWORD, name="test")
    node = Node(name="test", transport=transport, user_id=USER_ID, listener=recorder, clock=clock)
    await node.start()
    try:
        await node.wait_ready(timeout=5)
        player = node.create_player(GUILD)
        track = factories.make_track(length=600_000)
        player.apply_player(factories.make_player(GUILD, track=track, position=0))
        before = clock.readings
        pushed = time.monotonic()
        fake.push([update_frame(1_000 + i) for i in range(200)], burst=True)
        await recorder.wait_for("update", lambda m: m.state.position == 1_199)
        readings = clock.readings - before
        # A handful of steps for 200 frames (and the fake's own updates), not one per frame.
        assert 1 <= readings < 20, readings
        # The last update holds from its step's reading, taken after the push began.
        position, now = player.position, time.monotonic()
        assert 1_199 <= position <= 1_199 + (now - pushed) * 1000 + 1, position
    finally:
        await node.close()
