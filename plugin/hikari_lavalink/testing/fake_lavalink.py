"""A protocol-faithful fake Lavalink v4 node on 127.0.0.1, for tests.

:class:`FakeLavalink` runs a real HTTP and WebSocket server (aiohttp.web) that behaves like
Lavalink 4.2 as its code behaves: authentication (401 for the WebSocket and a missing
header, 403 for a wrong password over REST), sessions and resuming (a paused session answers
404, queues events and stats, drops ``playerUpdate``s, replays the queue on resume and is
destroyed with its players when its timeout passes), the player PATCH rules (validation
order and messages, ``noReplace``, ``paused`` reset by a new track, ``channelId`` required
in ``voice``), events in the server's order (``TrackEnd(replaced)`` before the new
``TrackStart``), ``playerUpdate`` timing and stats.

Tracks are real Lavaplayer blobs (see :mod:`hikari_lavalink.testing.factories`); a
*catalogue* maps identifiers to load results. Tracks play in real time and finish at their
length (or ``endTime``).

Example
-------
.. code-block:: python

    @pytest.fixture
    async def lavalink():
        track = factories.make_track(title="Song", length=5_000)
        catalogue = {"ytsearch:song": factories.make_search([track])}
        async with FakeLavalink(password="pw", catalogue=catalogue) as fake:
            yield fake

Controls make it misbehave on purpose: :meth:`finish_track`, :meth:`fail_track`,
:meth:`stick_track`, :meth:`close_voice`, :meth:`close_session`, :meth:`drop_connections`
(network cut, no close frame), :meth:`kill` (SIGKILL) and :meth:`restart`,
:meth:`shutdown` (SIGTERM), :meth:`set_latency`, :meth:`fail_rest`, :meth:`fail_handshake`,
:meth:`send_raw`. Every request and frame is recorded for assertions.
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import random
import string
import struct
import time
import types
import typing

import aiohttp
import msgspec
from aiohttp import web

from hikari_lavalink.errors import RemoteProtocolError
from hikari_lavalink.protocol import codec, filters, load_result, models, requests
from hikari_lavalink.protocol.trackblob import decode_track_blob
from hikari_lavalink.testing import _server

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["FakeLavalink", "FakePlayer", "FakeSession", "RecordedRequest"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_lavalink")
JSON: typing.TypeAlias = dict[str, typing.Any]
_MAY_NOT_PARSE: typing.Final = "Request body could not be parsed"


class RecordedRequest:
    """One REST request as the fake received it."""

    __slots__ = ("body", "headers", "method", "path", "query", "status")

    def __init__(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.status = 0
        """The status the fake answered with."""

    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path} -> {self.status})"

    def json(self) -> typing.Any:
        """The body as JSON."""
        return json.loads(self.body)


class _HTTPError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class FakePlayer:
    """A player on the fake node (read it in assertions; do not change it)."""

    __slots__ = (
        "base",
        "connected",
        "end_handle",
        "end_time",
        "filters",
        "guild_id",
        "paused",
        "ping",
        "since",
        "track",
        "update_handle",
        "voice",
        "volume",
    )

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        self.track: models.Track | None = None
        self.volume = 100
        self.paused = False
        self.filters = filters.Filters()
        self.voice: requests.VoiceUpdate | None = None
        self.connected = False
        self.ping = -1
        self.end_time: int | None = None
        self.base = 0
        self.since = time.monotonic()
        self.end_handle: asyncio.TimerHandle | None = None
        self.update_handle: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        title = self.track.info.title if self.track else None
        return f"FakePlayer(guild_id={self.guild_id}, track={title!r}, position={self.position})"

    @property
    def position(self) -> int:
        """The track position in ms, advancing in real time while playing."""
        if self.track is None:
            return 0
        elapsed = 0 if self.paused else int((time.monotonic() - self.since) * 1000)
        position = self.base + elapsed
        return position if self.track.info.is_stream else min(position, self.track.info.length)

    def set_position(self, position: int) -> None:
        self.base = max(0, position)
        self.since = time.monotonic()

    def cancel_timers(self) -> None:
        for handle in (self.end_handle, self.update_handle):
            if handle is not None:
                handle.cancel()
        self.end_handle = None
        self.update_handle = None


class _Burst:
    """Pre-framed WebSocket text frames, written with one transport write."""

    __slots__ = ("wire",)

    def __init__(self, wire: bytes) -> None:
        self.wire = wire


def _text_frame(text: str) -> bytes:
    # An unmasked, final text frame (RFC 6455 section 5.2), as a server sends it.
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


class FakeSession:
    """A session on the fake node (read it in assertions; do not change it)."""

    __slots__ = (
        "client_name",
        "id",
        "outbox",
        "paused",
        "players",
        "queue",
        "resuming",
        "stats_handle",
        "timeout",
        "timeout_handle",
        "user_id",
        "writer",
        "ws",
    )

    def __init__(self, session_id: str, user_id: int, client_name: str | None) -> None:
        self.id = session_id
        self.user_id = user_id
        self.client_name = client_name
        self.resuming = False
        self.timeout = 60
        self.paused = False
        self.players: dict[int, FakePlayer] = {}
        self.queue: list[str] = []
        self.ws: web.WebSocketResponse | None = None
        self.outbox: asyncio.Queue[str | _Burst] | None = None
        self.writer: asyncio.Task[None] | None = None
        self.timeout_handle: asyncio.TimerHandle | None = None
        self.stats_handle: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return (
            f"FakeSession(id={self.id!r}, paused={self.paused}, resuming={self.resuming}, "
            f"players={len(self.players)})"
        )


class FakeLavalink:
    """A fake Lavalink v4 node on 127.0.0.1.

    Parameters
    ----------
    password
        The password clients must send.
    host, port
        Where to listen; port 0 picks a free port (see :attr:`port` after start).
    catalogue
        Identifier (``"ytsearch:song"``, a URL...) to load result. Unknown identifiers
        load as ``empty``.
    stats_interval
        Seconds between ``stats`` messages (the first is sent right after ``ready``).
    player_update_interval
        Seconds between ``playerUpdate`` messages while a track plays.
    version
        What ``/version`` and ``/v4/info`` report.
    """

    def __init__(
        self,
        *,
        password: str = "youshallnotpass",  # noqa: S107 - Lavalink's documented default
        host: str = "127.0.0.1",
        port: int = 0,
        catalogue: collections.abc.Mapping[str, load_result.LoadResult] | None = None,
        stats_interval: float = 60.0,
        player_update_interval: float = 5.0,
        version: str = "4.2.2",
        name: str = "fake",
    ) -> None:
        self.password = password
        self.host = host
        self.name = name
        self.catalogue: dict[str, load_result.LoadResult] = dict(catalogue or {})
        self.stats_interval = stats_interval
        self.player_update_interval = player_update_interval
        self.version = version
        self.requests: list[RecordedRequest] = []
        self.handshakes: list[dict[str, str]] = []
        self.sent: list[tuple[str, bytes]] = []
        """Every WebSocket frame sent, as ``(session_id, payload)``, in sending order."""
        self._port = port
        self._sessions: dict[str, FakeSession] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._latency = 0.0
        self._rest_failures: list[tuple[int, str | None]] = []
        self._handshake_failures: list[int] = []
        self._started_at = time.monotonic()
        self._rng = random.Random()
        self._known: dict[str, models.Track] = {}
        self._activity = _server.Activity()
        for result in self.catalogue.values():
            for track in result.tracks:
                self._known[track.encoded] = track

    def __repr__(self) -> str:
        return (
            f"FakeLavalink(name={self.name!r}, port={self._port}, sessions={len(self._sessions)})"
        )

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._port

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self._port}"

    @property
    def ws_url(self) -> str:
        """The WebSocket URL."""
        return f"ws://{self.host}:{self._port}/v4/websocket"

    @property
    def sessions(self) -> collections.abc.Mapping[str, FakeSession]:
        """Live and paused sessions, by id (read-only view)."""
        return types.MappingProxyType(self._sessions)

    @property
    def is_running(self) -> bool:
        """Whether it listens."""
        return self._runner is not None

    async def __aenter__(self) -> FakeLavalink:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen (on the same port as before, after a kill or a stop)."""
        if self._runner is not None:
            return
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/v4/websocket", self._websocket)
        app.router.add_get("/version", self._version)
        app.router.add_get("/v4/info", self._info)
        app.router.add_get("/v4/stats", self._stats)
        app.router.add_get("/v4/loadtracks", self._load_tracks)
        app.router.add_get("/v4/decodetrack", self._decode_track)
        app.router.add_post("/v4/decodetracks", self._decode_tracks)
        app.router.add_get("/v4/sessions/{session}/players", self._get_players)
        app.router.add_get("/v4/sessions/{session}/players/{guild}", self._get_player)
        app.router.add_patch("/v4/sessions/{session}/players/{guild}", self._update_player)
        app.router.add_delete("/v4/sessions/{session}/players/{guild}", self._destroy_player)
        app.router.add_patch("/v4/sessions/{session}", self._update_session)
        app.router.add_get("/v4/routeplanner/status", self._planner_status)
        app.router.add_post("/v4/routeplanner/free/address", self._planner_free)
        app.router.add_post("/v4/routeplanner/free/all", self._planner_free)
        self._runner, self._port = await _server.serve(app, self.host, self._port)
        self._started_at = time.monotonic()

    async def stop(self) -> None:
        """Stop listening and forget every session (idempotent)."""
        await self.kill()

    async def kill(self) -> None:
        """Die like a SIGKILL: connections cut with no close frame, every session lost."""
        for ws in list(self._sockets):
            _server.abort(ws)
        self._sockets.clear()
        for session in list(self._sessions.values()):
            self._destroy(session, emit=False)
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def restart(self) -> None:
        """Listen again on the same port, with no sessions (as after a crash)."""
        await self.kill()
        await self.start()

    async def shutdown(self) -> None:
        """Shut down like a SIGTERM: every WebSocket closed with 1001, then stop."""
        await asyncio.gather(
            *(ws.close(code=1001, message=b"Going away") for ws in list(self._sockets)),
            return_exceptions=True,
        )
        await self.kill()

    # -- controls ------------------------------------------------------------------------

    def set_latency(self, seconds: float) -> None:
        """Delay every REST answer and WebSocket handshake by ``seconds``."""
        self._latency = seconds

    def fail_rest(self, status: int = 500, count: int = 1, path_prefix: str | None = None) -> None:
        """Answer the next ``count`` REST calls (under ``path_prefix``) with ``status``."""
        self._rest_failures.extend([(status, path_prefix)] * count)

    def fail_handshake(self, status: int = 502, count: int = 1) -> None:
        """Refuse the next ``count`` WebSocket handshakes with ``status``."""
        self._handshake_failures.extend([status] * count)

    def clear_failures(self) -> None:
        """Forget pending :meth:`fail_rest` and :meth:`fail_handshake` failures."""
        self._rest_failures.clear()
        self._handshake_failures.clear()

    async def drop_connections(self) -> None:
        """Cut every client WebSocket with no close frame (a network failure).

        The server keeps running: resumable sessions pause, the others are destroyed.
        """
        for ws in list(self._sockets):
            _server.abort(ws)
        await self._settle()

    async def close_session(self, session_id: str, code: int = 1000, reason: str = "") -> None:
        """Close a session's WebSocket with a close frame (``code``, ``reason``)."""
        session = self._sessions[session_id]
        ws = session.ws
        if ws is not None:
            await ws.close(code=code, message=reason.encode())
        await self._settle()

    async def send_raw(self, data: str | bytes, session_id: str | None = None) -> None:
        """Send an arbitrary text frame (for malformed-input tests)."""
        text = data.decode() if isinstance(data, bytes) else data
        for session in self._targets(session_id):
            self._send(session, text)
        await self._settle()

    def push(
        self,
        frames: collections.abc.Iterable[str | bytes],
        session_id: str | None = None,
        *,
        burst: bool = False,
    ) -> int:
        """Queue many text frames at once, in order, without waiting (for load tests).

        With ``burst=True`` the frames are framed up front and written to the socket in one
        go, so the server costs next to nothing per frame and a client reading them always
        finds a full buffer (what a benchmark of the client's own cost needs). A paused
        session queues them one by one as usual.

        Returns how many frames were queued per session.
        """
        texts = [frame.decode() if isinstance(frame, bytes) else frame for frame in frames]
        for session in self._targets(session_id):
            if burst and not session.paused and session.outbox is not None:
                self.sent.extend((session.id, text.encode()) for text in texts)
                session.outbox.put_nowait(_Burst(b"".join(map(_text_frame, texts))))
                continue
            for text in texts:
                self._send(session, text)
        return len(texts)

    async def send_stats(self, session_id: str | None = None) -> None:
        """Send a ``stats`` message now."""
        for session in self._targets(session_id):
            self._send_stats(session)
        await self._settle()

    async def finish_track(self, guild_id: int, *, session_id: str | None = None) -> None:
        """End the guild's track as if it reached its end (``finished``)."""
        session, player = self._player(guild_id, session_id)
        self._finish(session, player, "finished")
        await self._settle()

    async def fail_track(
        self,
        guild_id: int,
        message: str = "Something broke while playing the track.",
        severity: str = "common",
        *,
        session_id: str | None = None,
    ) -> None:
        """``TrackExceptionEvent`` during playback, then ``TrackEndEvent(finished)``."""
        session, player = self._player(guild_id, session_id)
        track = self._track_now(player)
        exception = models.ExceptionInfo(
            message=message,
            severity=severity,
            cause=f"java.lang.RuntimeException: {message}",
            cause_stack_trace=f"java.lang.RuntimeException: {message}\n\tat fake.Player.play",
        )
        self._event(
            session, player.guild_id, "TrackExceptionEvent", track=track, exception=exception
        )
        self._finish(session, player, "finished")
        await self._settle()

    async def stick_track(
        self, guild_id: int, threshold_ms: int = 10_000, *, session_id: str | None = None
    ) -> None:
        """``TrackStuckEvent`` then a ``playerUpdate``; the track keeps playing."""
        session, player = self._player(guild_id, session_id)
        self._event(
            session,
            guild_id,
            "TrackStuckEvent",
            track=self._track_now(player),
            thresholdMs=threshold_ms,
        )
        self._send_update(session, player)
        await self._settle()

    async def close_voice(
        self,
        guild_id: int,
        code: int = 4006,
        reason: str = "Your session is no longer valid.",
        by_remote: bool = True,
        *,
        session_id: str | None = None,
    ) -> None:
        """``WebSocketClosedEvent`` for the guild's voice socket, then ``playerUpdate``."""
        session, player = self._player(guild_id, session_id, playing=False)
        player.connected = False
        player.ping = -1
        self._event(
            session, guild_id, "WebSocketClosedEvent", code=code, reason=reason, byRemote=by_remote
        )
        self._send_update(session, player)
        await self._settle()

    async def wait_for_request(
        self,
        predicate: collections.abc.Callable[[RecordedRequest], bool],
        timeout: float = 5.0,
    ) -> RecordedRequest:
        """Wait for a recorded REST request that matches."""
        async with asyncio.timeout(timeout):
            while True:
                for request in self.requests:
                    if predicate(request) and request.status:
                        return request
                await self._wait_activity()

    async def wait_for_connections(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` sessions have a connected WebSocket."""
        async with asyncio.timeout(timeout):
            while sum(1 for s in self._sessions.values() if s.ws is not None) < count:
                await self._wait_activity()

    # -- internals: waiting --------------------------------------------------------------

    def _touch(self) -> None:
        self._activity.touch()

    async def _wait_activity(self) -> None:
        await self._activity.wait()

    async def _settle(self) -> None:
        """Let queued frames and close handshakes run."""
        for _ in range(5):
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)

    # -- internals: sending --------------------------------------------------------------

    def _targets(self, session_id: str | None) -> list[FakeSession]:
        if session_id is not None:
            return [self._sessions[session_id]]
        return list(self._sessions.values())

    def _send(self, session: FakeSession, text: str, *, player_update: bool = False) -> None:
        if session.paused:
            if not player_update:
                session.queue.append(text)
            return
        outbox = session.outbox
        if outbox is None:
            return
        self.sent.append((session.id, text.encode()))
        outbox.put_nowait(text)

    async def _write_loop(
        self,
        session: FakeSession,
        ws: web.WebSocketResponse,
        outbox: asyncio.Queue[str | _Burst],
        transport: asyncio.BaseTransport | None,
    ) -> None:
        try:
            while True:
                item = await outbox.get()
                if isinstance(item, str):
                    await ws.send_str(item)
                elif isinstance(transport, asyncio.WriteTransport) and not ws.closed:
                    # Whole frames, after everything queued before: the order holds.
                    transport.write(item.wire)
        except (ConnectionError, RuntimeError, aiohttp.ClientError):
            _LOGGER.debug("fake session %s: send failed, connection gone", session.id)

    def _event(self, session: FakeSession, guild_id: int, kind: str, **fields: typing.Any) -> None:
        payload: JSON = {"op": "event", "type": kind, "guildId": str(guild_id)}
        for key, value in fields.items():
            payload[key] = (
                msgspec.to_builtins(value) if isinstance(value, msgspec.Struct) else value
            )
        self._send(session, json.dumps(payload))

    def _send_update(self, session: FakeSession, player: FakePlayer) -> None:
        state = {
            "time": int(time.time() * 1000),
            "position": player.position,
            "connected": player.connected,
            "ping": player.ping,
        }
        payload = {"op": "playerUpdate", "guildId": str(player.guild_id), "state": state}
        self._send(session, json.dumps(payload), player_update=True)

    def _send_stats(self, session: FakeSession) -> None:
        stats = self._stats_model()
        payload = msgspec.to_builtins(stats)
        payload["op"] = "stats"
        payload["frameStats"] = None
        self._send(session, json.dumps(payload))

    def _stats_model(self) -> models.Stats:
        live = [s for s in self._sessions.values() if not s.paused]
        players = [p for s in live for p in s.players.values()]
        return models.Stats(
            players=len(players),
            playing_players=sum(1 for p in players if p.track is not None and not p.paused),
            uptime=int((time.monotonic() - self._started_at) * 1000),
            memory=models.Memory(
                free=100_000_000, used=50_000_000, allocated=150_000_000, reservable=1_000_000_000
            ),
            cpu=models.Cpu(cores=2, system_load=0.1, lavalink_load=0.05),
        )

    def _schedule_stats(self, session: FakeSession) -> None:
        loop = asyncio.get_running_loop()

        def tick() -> None:
            if self._sessions.get(session.id) is not session:
                return
            self._send_stats(session)
            session.stats_handle = loop.call_later(self.stats_interval, tick)

        session.stats_handle = loop.call_later(self.stats_interval, tick)

    # -- internals: playback -------------------------------------------------------------

    def _track_now(self, player: FakePlayer) -> models.Track:
        assert player.track is not None
        info = msgspec.structs.replace(player.track.info, position=player.position)
        return msgspec.structs.replace(player.track, info=info)

    def _player(
        self, guild_id: int, session_id: str | None, *, playing: bool = True
    ) -> tuple[FakeSession, FakePlayer]:
        for session in self._targets(session_id):
            player = session.players.get(guild_id)
            if player is not None:
                if playing and player.track is None:
                    msg = f"guild {guild_id} has no track playing"
                    raise LookupError(msg)
                return session, player
        msg = f"no player for guild {guild_id}"
        raise LookupError(msg)

    def _schedule_playback(self, session: FakeSession, player: FakePlayer) -> None:
        player.cancel_timers()
        track = player.track
        if track is None or player.paused:
            return
        loop = asyncio.get_running_loop()
        end = track.info.length if not track.info.is_stream else None
        if player.end_time is not None:
            end = player.end_time if end is None else min(end, player.end_time)
        if end is not None:
            delay = max(0.0, (end - player.position) / 1000)
            player.end_handle = loop.call_later(delay, self._finish, session, player, "finished")

        def update() -> None:
            if (
                player.track is None
                or player.paused
                or session.players.get(player.guild_id) is not player
            ):
                return
            self._send_update(session, player)
            player.update_handle = loop.call_later(self.player_update_interval, update)

        player.update_handle = loop.call_later(self.player_update_interval, update)

    def _finish(self, session: FakeSession, player: FakePlayer, reason: str) -> None:
        if player.track is None:
            return
        track = self._track_now(player)
        player.cancel_timers()
        player.track = None
        player.end_time = None
        player.set_position(0)
        self._event(session, player.guild_id, "TrackEndEvent", track=track, reason=reason)

    def _destroy(self, session: FakeSession, *, emit: bool) -> None:
        for player in session.players.values():
            if emit and player.track is not None:
                self._finish(session, player, "stopped")
            player.cancel_timers()
        session.players.clear()
        for handle in (session.timeout_handle, session.stats_handle):
            if handle is not None:
                handle.cancel()
        writer = session.writer
        if writer is not None:
            writer.cancel()
        self._sessions.pop(session.id, None)
        self._touch()

    def _expire(self, session: FakeSession) -> None:
        _LOGGER.debug("fake session %s: resume timeout passed, destroying it", session.id)
        self._destroy(session, emit=True)

    # -- HTTP plumbing -------------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: collections.abc.Callable[
            [web.Request], collections.abc.Awaitable[web.StreamResponse]
        ],
    ) -> web.StreamResponse:
        if self._latency:
            await asyncio.sleep(self._latency)
        if request.path == "/v4/websocket":
            response = await handler(request)
            if not response.prepared:  # a refused handshake (the 101 carries it already)
                response.headers["Lavalink-Api-Version"] = "4"
            self._touch()
            return response
        body = await request.read()
        record = RecordedRequest(
            request.method, request.path, dict(request.query), dict(request.headers), body
        )
        self.requests.append(record)
        try:
            response = await self._answer(request, handler)
        except _HTTPError as exc:
            response = self._error(request, exc.status, exc.message)
        except web.HTTPException as exc:  # no route or method: Spring answers with its JSON
            if exc.status == 405:
                message = f"Request method '{request.method}' is not supported"
            else:
                message = f"No static resource {request.path.lstrip('/')}."
            response = self._error(request, exc.status, message)
        response.headers["Lavalink-Api-Version"] = "4"
        record.status = response.status
        self._touch()
        return response

    async def _answer(
        self,
        request: web.Request,
        handler: collections.abc.Callable[
            [web.Request], collections.abc.Awaitable[web.StreamResponse]
        ],
    ) -> web.StreamResponse:
        auth = request.headers.get("Authorization")
        if auth is None:
            return web.Response(status=401)
        if auth != self.password:
            return web.Response(status=403)
        for index, (status, prefix) in enumerate(self._rest_failures):
            if prefix is None or request.path.startswith(prefix):
                del self._rest_failures[index]
                raise _HTTPError(status, "Injected failure")
        return await handler(request)

    def _error(self, request: web.Request, status: int, message: str) -> web.Response:
        body: JSON = {
            "timestamp": int(time.time() * 1000),
            "status": status,
            "error": _reason(status),
            "message": message,
            "path": request.path,
        }
        if request.query.get("trace") == "true":
            body["trace"] = f"fake.LavalinkException: {message}\n\tat fake.Handler.handle"
        return web.json_response(body, status=status)

    def _session_of(self, request: web.Request) -> FakeSession:
        session = self._sessions.get(request.match_info["session"])
        if session is None or session.paused:
            raise _HTTPError(404, "Session not found")
        return session

    @staticmethod
    def _guild_of(request: web.Request) -> int:
        raw = request.match_info["guild"]
        if not _is_long(raw):
            raise _HTTPError(
                400,
                f"Failed to convert value of type 'java.lang.String' to required type 'long'; "
                f'For input string: "{raw}"',
            )
        return int(raw)

    @staticmethod
    def _json(value: typing.Any) -> web.Response:
        return web.Response(body=codec.encode(value), content_type="application/json")

    # -- WebSocket -----------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        self.handshakes.append(dict(request.headers))
        if self._handshake_failures:
            status = self._handshake_failures.pop(0)
            return web.Response(status=status, text=_reason(status))
        if request.headers.get("Authorization") != self.password:
            return web.Response(status=401)
        raw_user = request.headers.get("User-Id", "")
        if not _is_long(raw_user) or int(raw_user) == 0:
            return web.Response(status=400)
        resume_id = request.headers.get("Session-Id")
        session = self._sessions.get(resume_id) if resume_id else None
        resumed = session is not None and session.paused and session.resuming
        ws = web.WebSocketResponse(autoping=True)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text='Can "Upgrade" only to "WebSocket".')
        ws.headers["Session-Resumed"] = "true" if resumed else "false"
        ws.headers["Lavalink-Api-Version"] = "4"
        await ws.prepare(request)
        outbox: asyncio.Queue[str | _Burst] = asyncio.Queue()
        if resumed and session is not None:
            if session.timeout_handle is not None:
                session.timeout_handle.cancel()
            session.paused = False
        else:
            session = FakeSession(
                _session_id(self._rng), int(raw_user), request.headers.get("Client-Name")
            )
            self._sessions[session.id] = session
        session.ws = ws
        session.outbox = outbox
        session.writer = asyncio.get_running_loop().create_task(
            self._write_loop(session, ws, outbox, request.transport)
        )
        self._sockets.add(ws)
        self._send(
            session, json.dumps({"op": "ready", "resumed": resumed, "sessionId": session.id})
        )
        if resumed:
            queued, session.queue = session.queue, []
            for text in queued:
                self._send(session, text)
            for player in session.players.values():
                self._send_update(session, player)
        else:
            self._send_stats(session)
            self._schedule_stats(session)
        self._touch()
        try:
            while True:
                message = await ws.receive()
                if message.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                ):
                    break
                # Lavalink v4 ignores what clients send over the WebSocket.
        finally:
            self._sockets.discard(ws)
            self._disconnected(session, ws)
        return ws

    def _disconnected(self, session: FakeSession, ws: web.WebSocketResponse) -> None:
        if session.ws is not ws:
            return
        session.ws = None
        session.outbox = None
        if session.writer is not None:
            session.writer.cancel()
        if self._sessions.get(session.id) is not session:
            return
        if session.resuming:
            session.paused = True
            session.timeout_handle = asyncio.get_running_loop().call_later(
                session.timeout, self._expire, session
            )
        else:
            self._destroy(session, emit=True)
        self._touch()

    # -- REST handlers -------------------------------------------------------------------

    async def _version(self, _: web.Request) -> web.Response:
        return web.Response(text=self.version)

    async def _info(self, _: web.Request) -> web.Response:
        major, minor, patch = (
            int(p) for p in [*self.version.split("-")[0].split("."), "0", "0"][:3]
        )
        info = models.Info(
            version=models.Version(
                semver=self.version, major=major, minor=minor, patch=patch, pre_release=None
            ),
            build_time=-1,
            git=models.Git(branch="", commit="", commit_time=0),
            jvm="17.0.15",
            lavaplayer="2.2.6",
            source_managers=["youtube", "soundcloud", "http"],
            filters=[
                "volume",
                "equalizer",
                "karaoke",
                "timescale",
                "tremolo",
                "vibrato",
                "distortion",
                "rotation",
                "channelMix",
                "lowPass",
            ],
            plugins=[],
        )
        return self._json(info)

    async def _stats(self, _: web.Request) -> web.Response:
        payload = msgspec.to_builtins(self._stats_model())
        payload.pop("frameStats", None)  # absent over REST (null on the WebSocket)
        return web.json_response(payload)

    async def _load_tracks(self, request: web.Request) -> web.Response:
        identifier = request.query.get("identifier")
        if identifier is None:
            raise _HTTPError(
                400,
                "Required request parameter 'identifier' for method parameter type String "
                "is not present",
            )
        result = self.catalogue.get(identifier, load_result.EmptyResult())
        return self._json(result)

    def _resolve(self, encoded: str) -> models.Track:
        known = self._known.get(encoded)
        if known is not None:
            return msgspec.structs.replace(known, user_data={})
        try:
            info = decode_track_blob(encoded)
        except RemoteProtocolError:
            raise _HTTPError(
                500, "Failed to decode track due to a mismatching version or missing source manager"
            ) from None
        return models.Track(encoded=encoded, info=info)

    async def _decode_track(self, request: web.Request) -> web.Response:
        encoded = request.query.get("encodedTrack") or request.query.get("track")
        if not encoded:
            raise _HTTPError(400, "No track to decode provided")
        return self._json(self._resolve(encoded))

    async def _decode_tracks(self, request: web.Request) -> web.Response:
        try:
            items = msgspec.json.decode(await request.read(), type=list[str])
        except msgspec.DecodeError:
            raise _HTTPError(400, _MAY_NOT_PARSE) from None
        if not items:
            raise _HTTPError(400, "No tracks to decode provided")
        return self._json([self._resolve(item) for item in items])

    def _player_json(self, player: FakePlayer) -> JSON:
        voice = player.voice
        channel = voice.channel_id if voice is not None else None
        payload: JSON = {
            "guildId": str(player.guild_id),
            "track": msgspec.to_builtins(self._track_now(player)) if player.track else None,
            "volume": player.volume,
            "paused": player.paused,
            "state": {
                "time": int(time.time() * 1000),
                "position": player.position,
                "connected": player.connected,
                "ping": player.ping,
            },
            "voice": {
                "token": voice.token if voice else "",
                "endpoint": voice.endpoint if voice else "",
                "sessionId": voice.session_id if voice else "",
                "channelId": channel if isinstance(channel, str) else None,
            },
            "filters": msgspec.to_builtins(player.filters),
        }
        return payload

    async def _get_players(self, request: web.Request) -> web.Response:
        session = self._session_of(request)
        return web.json_response([self._player_json(p) for p in session.players.values()])

    async def _get_player(self, request: web.Request) -> web.Response:
        session = self._session_of(request)
        player = session.players.get(self._guild_of(request))
        if player is None:
            raise _HTTPError(404, "Player not found")
        return web.json_response(self._player_json(player))

    async def _destroy_player(self, request: web.Request) -> web.Response:
        session = self._session_of(request)
        player = session.players.pop(self._guild_of(request), None)
        if player is not None:
            if player.track is not None:
                self._finish(session, player, "stopped")
            player.cancel_timers()
        return web.Response(status=204)

    async def _update_session(self, request: web.Request) -> web.Response:
        session = self._session_of(request)
        try:
            update = codec.decode_session_update(await request.read())
        except RemoteProtocolError:
            raise _HTTPError(400, _MAY_NOT_PARSE) from None
        if not isinstance(update.resuming, msgspec.UnsetType):
            session.resuming = update.resuming
        if not isinstance(update.timeout, msgspec.UnsetType):
            session.timeout = update.timeout
        return self._json(models.Session(resuming=session.resuming, timeout=session.timeout))

    async def _planner_status(self, _: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _planner_free(self, _: web.Request) -> web.Response:
        raise _HTTPError(500, "Can't access disabled route planner")

    async def _update_player(self, request: web.Request) -> web.Response:  # noqa: PLR0915
        # One straight pass in the server's own order (PlayerRestHandler): validation, then
        # voice, paused, userData, volume, position, endTime, filters, and the new track.
        session = self._session_of(request)
        guild_id = self._guild_of(request)
        body = await request.read()
        try:
            update = codec.decode_update_player(body)
        except RemoteProtocolError as exc:
            raise _HTTPError(400, f"{_MAY_NOT_PARSE}: {exc.reason}") from None
        track_update = update.track
        deprecated = not isinstance(update.encoded_track, msgspec.UnsetType) or not isinstance(
            update.identifier, msgspec.UnsetType
        )
        if not isinstance(track_update, msgspec.UnsetType) and deprecated:
            raise _HTTPError(400, "Cannot specify both track and encodedTrack/identifier")
        encoded: str | msgspec.UnsetType | None = msgspec.UNSET
        identifier: str | msgspec.UnsetType = msgspec.UNSET
        user_data: dict[str, typing.Any] | msgspec.UnsetType = msgspec.UNSET
        if not isinstance(track_update, msgspec.UnsetType):
            encoded, identifier, user_data = (
                track_update.encoded,
                track_update.identifier,
                track_update.user_data,
            )
        else:
            encoded, identifier = update.encoded_track, update.identifier
        if not isinstance(encoded, msgspec.UnsetType) and not isinstance(
            identifier, msgspec.UnsetType
        ):
            raise _HTTPError(400, "Cannot specify both encodedTrack and identifier")
        voice = update.voice
        if not isinstance(voice, msgspec.UnsetType):
            if isinstance(voice.channel_id, msgspec.UnsetType):
                raise _HTTPError(
                    400,
                    f"{_MAY_NOT_PARSE}: Field 'channelId' is required for type with serial name "
                    "'dev.arbjerg.lavalink.protocol.v4.VoiceState', but it was missing",
                )
            if not (voice.token and voice.endpoint and voice.session_id and voice.channel_id):
                raise _HTTPError(
                    400, "token, endpoint, sessionId and channelId must be provided in voice state"
                )
        end_time = update.end_time
        if isinstance(end_time, int) and end_time <= 0:
            raise _HTTPError(400, "End time must be greater than 0")

        player = session.players.get(guild_id)
        if player is None:
            player = session.players[guild_id] = FakePlayer(guild_id)
        new_track = not isinstance(encoded, msgspec.UnsetType) or not isinstance(
            identifier, msgspec.UnsetType
        )
        if not isinstance(voice, msgspec.UnsetType) and (
            voice != player.voice or not player.connected
        ):
            player.voice = voice
            player.connected = True
            player.ping = 12
            self._send_update(session, player)
        if (
            not isinstance(update.paused, msgspec.UnsetType)
            and not new_track
            and player.paused != update.paused
        ):
            position = player.position
            player.paused = update.paused
            player.set_position(position)
            self._schedule_playback(session, player)
        if (
            not new_track
            and not isinstance(user_data, msgspec.UnsetType)
            and player.track is not None
        ):
            player.track = msgspec.structs.replace(player.track, user_data=user_data)
        if not isinstance(update.volume, msgspec.UnsetType):
            player.volume = max(0, min(1000, update.volume))
        if (
            not new_track
            and not isinstance(update.position, msgspec.UnsetType)
            and player.track is not None
        ):
            player.set_position(update.position)
            self._schedule_playback(session, player)
            self._send_update(session, player)
        if not new_track and isinstance(end_time, int) and player.track is not None:
            player.end_time = end_time
            self._schedule_playback(session, player)
        if not isinstance(update.filters, msgspec.UnsetType):
            player.filters = update.filters
            self._send_update(session, player)
        if new_track:
            no_replace = request.query.get("noReplace", "false").lower() == "true"
            if no_replace and player.track is not None:
                return web.json_response(self._player_json(player))
            player.paused = (
                update.paused if not isinstance(update.paused, msgspec.UnsetType) else False
            )
            if encoded is None:
                self._finish(session, player, "stopped")
            else:
                track = self._new_track(encoded, identifier)
                if not isinstance(user_data, msgspec.UnsetType):
                    track = msgspec.structs.replace(track, user_data=user_data)
                if player.track is not None:
                    self._finish(session, player, "replaced")
                player.track = track
                player.end_time = end_time if isinstance(end_time, int) else None
                start = update.position if not isinstance(update.position, msgspec.UnsetType) else 0
                player.set_position(start)
                self._event(session, guild_id, "TrackStartEvent", track=self._track_now(player))
                self._schedule_playback(session, player)
                self._send_update(session, player)
        return web.json_response(self._player_json(player))

    def _new_track(
        self, encoded: str | msgspec.UnsetType, identifier: str | msgspec.UnsetType
    ) -> models.Track:
        if isinstance(encoded, str):
            return self._resolve(encoded)
        assert isinstance(identifier, str)
        result = self.catalogue.get(identifier)
        if result is None or isinstance(result, load_result.EmptyResult):
            raise _HTTPError(400, "No matches found for identifier")
        if isinstance(result, load_result.ErrorResult):
            raise _HTTPError(
                400, result.data.message or "Something went wrong while looking up the track."
            )
        if isinstance(result, load_result.TrackResult):
            return result.data
        raise _HTTPError(400, "Cannot play a playlist or search result")


def _is_long(raw: str) -> bool:
    """Whether Java's ``Long.parseLong`` would take ``raw`` (non-negative ids only)."""
    return raw.isascii() and raw.isdigit() and int(raw) < 2**63


def _session_id(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase + string.digits, k=16))


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"
