"""A real Node over real sockets against FakeLavalink on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import typing

import msgspec
import pytest
import pytest_asyncio

import hikari_lavalink as hl
from hikari_lavalink.nodes import create_node
from hikari_lavalink.runtime.node import Node, NodeListener, NodeState
from hikari_lavalink.testing import FakeLavalink, factories
from hikari_lavalink.transport.node import AiohttpNodeTransport

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.runtime.player import Player

PASSWORD = "s3cret-pa55word"
USER_ID = 170939974227541168
GUILD = 817327181659111454
CHANNEL = 817327181659111455


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

    def node_ready(self, node: Node, *, session_id: str, resumed: bool) -> None:
        self._add("ready", (session_id, resumed))

    def node_disconnected(
        self, node: Node, *, code: int, reason: str, will_resume: bool, graceful: bool
    ) -> None:
        self._add("disconnected", (code, will_resume, graceful))

    def session_lost(
        self, node: Node, *, session_id: str, players: list[Player], reachable: bool
    ) -> None:
        self._add("lost", (session_id, [p.guild_id for p in players]))

    def players_reconciled(
        self, node: Node, *, adopted: list[Player], restored: list[Player], resumed: bool
    ) -> None:
        self._add(
            "reconciled",
            ([p.guild_id for p in adopted], [p.guild_id for p in restored], resumed),
        )

    def node_stopped(self, node: Node, *, error: hl.LavalinkError | None) -> None:
        self._add("stopped", error)

    def player_update(
        self, node: Node, player: Player | None, message: hl.PlayerUpdateMessage
    ) -> None:
        self._add("update", message)

    def event(self, node: Node, player: Player | None, message: hl.EventMessage) -> None:
        self._add("event", message)

    def unknown(self, node: Node, message: hl.UnknownMessage) -> None:
        self._add("unknown", message)

    def stats(self, node: Node, stats: hl.Stats) -> None:
        self._add("stats", stats)


def voice() -> hl.VoiceUpdate:
    return hl.VoiceUpdate(
        token="voice-token",
        endpoint="fake-voice.local:443",
        session_id="sess",
        channel_id=str(CHANNEL),
    )


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
    track = factories.make_track(title="Song", length=180_000)
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([track])}
    async with FakeLavalink(
        password=PASSWORD, catalogue=catalogue, player_update_interval=0.2
    ) as server:
        yield server


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def started(fake: FakeLavalink, recorder: Recorder, **kwargs: typing.Any) -> Node:
    node = make_node(fake, recorder, **kwargs)
    await node.start()
    await node.wait_ready(timeout=5)
    return node


async def playing_player(node: Node, fake: FakeLavalink) -> Player:
    player = node.create_player(GUILD)
    await player.set_voice(voice())
    result = await node.load_tracks("ytsearch:song")
    await player.play(result.tracks[0])
    return player


@pytest.mark.asyncio
async def test_connect_ready_headers_resuming_and_reconcile(
    fake: FakeLavalink, recorder: Recorder
) -> None:
    node = await started(fake, recorder)
    try:
        assert node.state is NodeState.READY
        assert node.session_id is not None
        assert node.session_id in fake.sessions
        handshake = fake.handshakes[0]
        assert handshake["Authorization"] == PASSWORD
        assert handshake["User-Id"] == str(USER_ID)
        assert handshake["Client-Name"] == f"hikari-lavalink/{hl.__version__}"
        assert "Session-Id" not in handshake
        await recorder.wait_for("reconciled")
        patch = next(r for r in fake.requests if r.method == "PATCH")
        assert patch.path == f"/v4/sessions/{node.session_id}"
        assert patch.json() == {"resuming": True, "timeout": 60}
        assert fake.sessions[node.session_id].resuming is True
        assert any(
            r.method == "GET" and r.path == f"/v4/sessions/{node.session_id}/players"
            for r in fake.requests
        )
        stats = await recorder.wait_for("stats")
        assert node.stats == stats
        assert recorder.of("ready") == [(node.session_id, False)]
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_play_events_position_and_controls(fake: FakeLavalink, recorder: Recorder) -> None:
    node = await started(fake, recorder)
    try:
        player = await playing_player(node, fake)
        start = await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackStartMessage))
        assert start.guild_id == GUILD
        assert player.track is not None
        assert player.track.info.title == "Song"
        await recorder.wait_for("update", lambda m: m.state.connected)
        assert player.connected
        await asyncio.sleep(0.3)
        assert 200 <= player.position <= 2000
        await player.seek(60_000)
        assert 60_000 <= player.position <= 61_000
        await player.pause()
        assert player.paused
        frozen = player.position
        await asyncio.sleep(0.1)
        assert player.position == frozen
        await player.set_volume(55)
        await player.set_filters(hl.Filters(timescale=hl.Timescale(speed=1.5)))
        remote = fake.sessions[node.session_id or ""].players[GUILD]
        assert remote.volume == 55
        assert remote.paused is True
        await player.stop()
        end = await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackEndMessage))
        assert end.reason == hl.TrackEndReason.STOPPED
        assert not end.may_start_next
        assert player.track is None
        await player.destroy()
        assert node.get_player(GUILD) is None
        assert not fake.sessions[node.session_id or ""].players
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_resume_after_abrupt_drop_replays_events_once_in_order(
    fake: FakeLavalink, recorder: Recorder
) -> None:
    node = await started(fake, recorder)
    try:
        player = await playing_player(node, fake)
        await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackStartMessage))
        first_session = node.session_id
        await fake.drop_connections()
        code, will_resume, graceful = await recorder.wait_for("disconnected")
        assert code == 1006
        assert will_resume
        assert not graceful
        # While the session is paused the server queues what happens.
        await fake.stick_track(GUILD, threshold_ms=1234)
        await fake.finish_track(GUILD)
        await recorder.wait_for("ready", lambda r: r[1] is True)
        assert node.session_id == first_session
        assert fake.handshakes[-1]["Session-Id"] == first_session
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
    fake: FakeLavalink, recorder: Recorder
) -> None:
    node = await started(fake, recorder, resume_timeout=1)
    try:
        player = await playing_player(node, fake)
        await player.set_volume(42)
        await player.seek(30_000)
        old_session = node.session_id
        await fake.kill()
        await recorder.wait_for("disconnected")
        session_id, guilds = await recorder.wait_for("lost", timeout=5)
        assert session_id == old_session
        assert guilds == [GUILD]
        frozen = player.position
        # the server was unreachable: its audio stopped when the socket closed, not at the
        # resume deadline one second later
        assert 30_000 <= frozen < 30_500
        await asyncio.sleep(0.1)
        assert player.position == frozen  # frozen while nobody plays it
        await fake.restart()
        await recorder.wait_for("ready", lambda r: r[0] != old_session, timeout=5)
        adopted, _restored, resumed = await recorder.wait_for(
            "reconciled", lambda r: r[1] == [GUILD]
        )
        assert (adopted, resumed) == ([], False)
        new_session = node.session_id
        assert new_session is not None
        assert new_session != old_session
        remote = fake.sessions[new_session].players[GUILD]
        assert remote.track is not None
        assert remote.volume == 42
        assert remote.voice is not None
        assert abs(remote.position - frozen) < 1000
    finally:
        await node.close()


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
    await asyncio.sleep(0.3)
    assert len(fake.handshakes) == 1
    assert node.state is NodeState.STOPPED
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    if wrong:
        assert all(wrong not in r.getMessage() for r in caplog.records)
        assert wrong not in repr(node)
    await node.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_server_down_at_start_then_up(recorder: Recorder) -> None:
    port = free_port()
    node = create_node(
        name="late",
        host="127.0.0.1",
        port=port,
        password=PASSWORD,
        user_id=USER_ID,
        listener=recorder,
        reconnect_base=0.02,
        reconnect_cap=0.1,
    )
    await node.start()
    await asyncio.sleep(0.3)
    assert node.state in (NodeState.CONNECTING, NodeState.DISCONNECTED)
    async with FakeLavalink(password=PASSWORD, port=port):
        await node.wait_ready(timeout=5)
        assert node.is_ready
        await node.close()


@pytest.mark.asyncio
async def test_handshake_5xx_is_retried(fake: FakeLavalink, recorder: Recorder) -> None:
    fake.fail_handshake(status=502, count=3)
    node = await started(fake, recorder)
    try:
        assert len(fake.handshakes) >= 4
        assert recorder.of("ready")
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_malformed_frames_and_unknown_ops_are_tolerated(
    fake: FakeLavalink, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    node = await started(fake, recorder)
    try:
        player = await playing_player(node, fake)
        await fake.send_raw("this is not json")
        await fake.send_raw('{"op": "playerUpdate", "guildId": "x"}')
        await fake.send_raw('{"op": "future", "value": 1}')
        # A known event without its required fields: decoded, then refused.
        await fake.send_raw(f'{{"op": "event", "type": "TrackEndEvent", "guildId": "{GUILD}"}}')
        await fake.send_raw(
            f'{{"op": "event", "type": "SegmentsLoaded", "guildId": "{GUILD}", "segments": []}}'
        )
        unknown = await recorder.wait_for("unknown", lambda m: m.type == "SegmentsLoaded")
        assert unknown.guild_id == GUILD
        assert [m.op for m in recorder.of("unknown")] == ["future", "event"]
        await fake.finish_track(GUILD)
        await recorder.wait_for("event", lambda m: isinstance(m, hl.TrackEndMessage))
        assert node.is_ready
        assert player.track is None
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert sum("malformed" in w for w in warnings) == 3
        assert any("TrackEndEvent lacks a required field" in w for w in warnings)
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_graceful_shutdown_is_told_apart(fake: FakeLavalink, recorder: Recorder) -> None:
    node = await started(fake, recorder)
    try:
        await fake.close_session(node.session_id or "", code=1001, reason="Going away")
        code, will_resume, graceful = await recorder.wait_for("disconnected")
        assert (code, will_resume, graceful) == (1001, True, True)
        await recorder.wait_for("ready", lambda r: r[1] is True)
    finally:
        await node.close()


@pytest.mark.asyncio
async def test_close_turns_resuming_off_so_players_die_with_it(
    fake: FakeLavalink, recorder: Recorder
) -> None:
    node = await started(fake, recorder)
    await playing_player(node, fake)
    session_id = node.session_id or ""
    await node.close()
    assert node.state is NodeState.STOPPED
    assert fake.requests[-1].json() == {"resuming": False}
    await asyncio.sleep(0.1)
    assert session_id not in fake.sessions
    assert recorder.of("stopped") == [None]
    await node.close()  # idempotent


@pytest.mark.asyncio
async def test_close_keep_session_leaves_it_resumable(
    fake: FakeLavalink, recorder: Recorder
) -> None:
    node = await started(fake, recorder)
    await playing_player(node, fake)
    session_id = node.session_id or ""
    await node.close(keep_session=True)
    await asyncio.sleep(0.1)
    assert fake.sessions[session_id].paused
    second = await started(fake, Recorder(), session_id=session_id)
    try:
        assert second.session_id == session_id
        assert fake.handshakes[-1]["Session-Id"] == session_id
        player = second.get_player(GUILD)
        assert player is not None  # adopted from the server
        assert player.track is not None
        assert player.voice is not None
    finally:
        await second.close()


@pytest.mark.asyncio
async def test_nodes_share_one_session(fake: FakeLavalink, recorder: Recorder) -> None:
    from hikari_lavalink.nodes import SharedSession

    shared = SharedSession()
    first = await started(fake, recorder, session=shared)
    second = await started(fake, Recorder(), session=shared, name="second")
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


class Choosy(Recorder):
    """A listener that wants player updates only while ``wanted`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.wanted = False
        self.asked = 0

    def wants_player_updates(self, node: Node) -> bool:
        self.asked += 1
        return self.wanted

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
    fake: FakeLavalink,
) -> None:
    listener = Choosy()
    node = await started(fake, listener)
    player = node.create_player(GUILD)
    try:
        # 50 updates in one burst: asked once per step of the reader, not per message,
        # and the player's state is kept whatever the listener wants.
        fake.push([update_frame(1_000 + i) for i in range(50)], burst=True)
        async with asyncio.timeout(5):
            while player.ping != 7 or player.connected is not True:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert 1 <= listener.asked < 50
        assert not listener.of("player_update")
        # Wanted from the reader's next step on, without a call per message either.
        listener.wanted = True
        await asyncio.sleep(0)
        fake.push([update_frame(5_000 + i) for i in range(50)], burst=True)
        seen = await listener.wait_for("player_update", lambda u: u[1].state.position == 5_049)
        assert seen[0] is player
        assert len(listener.of("player_update")) == 50
    finally:
        await node.close()


class CountingClock:
    """``time.monotonic``, counting its readings."""

    def __init__(self) -> None:
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return time.monotonic()


@pytest.mark.asyncio
async def test_a_burst_of_updates_is_stamped_with_one_clock_reading_per_step(
    fake: FakeLavalink, recorder: Recorder
) -> None:
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


class Broken(Choosy):
    def wants_player_updates(self, node: Node) -> bool:
        raise RuntimeError("listener bug")


@pytest.mark.asyncio
async def test_a_listener_that_cannot_say_gets_every_update(
    fake: FakeLavalink, caplog: pytest.LogCaptureFixture
) -> None:
    listener = Broken()
    node = await started(fake, listener)
    player = node.create_player(GUILD)
    try:
        with caplog.at_level(logging.ERROR, logger="hikari_lavalink"):
            fake.push([update_frame(2_000 + i) for i in range(5)], burst=True)
            await listener.wait_for("player_update", lambda u: u[1].state.position == 2_004)
        assert len(listener.of("player_update")) == 5
        assert listener.of("player_update")[0][0] is player
        assert any("listener bug" in (r.exc_text or "") for r in caplog.records)
        assert node.state is hl.NodeState.READY  # the reader goes on
    finally:
        await node.close()
