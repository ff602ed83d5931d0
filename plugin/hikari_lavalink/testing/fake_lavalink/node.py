"""[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink]: the fake node's settings, lifecycle,
controls and waits.

It builds the parts that do the work and owns what they share (the session table, the
catalogue's tracks by blob, the `Activity` flag):
`.sessions` (the WebSocket), `.wire` (the frames out), `.playback` (the clock
and its timers) with `.stats` (the figures reported), `.players` and `.rest`
(the routes) with `.validation` (the refusals) and `.filter_chain` (the filters a
player keeps). The parts read the node's public settings when they need them: a new
`fake.password` or `fake.catalogue` counts from the next request, a new `stats_interval`
or `player_update_interval` from the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import types
import typing

import msgspec
from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import models
from hikari_lavalink.testing import _server
from hikari_lavalink.testing.fake_lavalink import plugins as plugins_
from hikari_lavalink.testing.fake_lavalink.playback import Clock, Playback
from hikari_lavalink.testing.fake_lavalink.players import Players
from hikari_lavalink.testing.fake_lavalink.plugins.controls import PluginControls
from hikari_lavalink.testing.fake_lavalink.rest import RecordedRequest, RequestHold, Rest
from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession, HandshakeHold, Sessions
from hikari_lavalink.testing.fake_lavalink.wire import Wire

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import load_result

__all__ = ["FakeLavalink"]

JSON: typing.TypeAlias = dict[str, typing.Any]
_SETTLE_TIMEOUT: typing.Final = 1.0
"""At most how long a control waits for its frames to be written (a client may not read)."""


class FakeLavalink(PluginControls):
    """A fake Lavalink v4 node on 127.0.0.1 (its plugins' controls: `PluginControls`).

    Parameters
    ----------
    password
        The password clients must send.
    host, port
        Where to listen; port 0 picks a free port (see
        [`port`][hikari_lavalink.testing.FakeLavalink.port] after start).
    catalogue
        Identifier (`"ytsearch:song"`, a URL...) to load result. Unknown identifiers
        load as `empty`.
    stats_interval
        Seconds between `stats` messages (the first is sent right after `ready`), on the
        node's clock (see `time_scale`).
    player_update_interval
        Seconds between `playerUpdate` messages while a track plays, on the node's clock.
    version
        What `/version` and `/v4/info` report.
    source_managers, plugins
        What `/v4/info` lists (`plugins`: name to version): a bot that checks for a
        source or a plugin (LavaSrc's `spotify`...) before using it can be tested.
    plugin_filters
        The plugins' filter names: listed in `/v4/info`, and the only `pluginFilters` a
        player keeps (Lavalink drops the others silently).
    time_scale
        How fast the node's clock runs: seconds of playback per second of wall time (see
        [`time_scale`][hikari_lavalink.testing.FakeLavalink.time_scale]). 1 plays in
        real time.
    """

    api_headers: typing.ClassVar[collections.abc.Mapping[str, str]] = {"Lavalink-Api-Version": "4"}
    """The headers of every answer and WebSocket handshake."""

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
        time_scale: float = 1.0,
        source_managers: collections.abc.Sequence[str] = ("youtube", "soundcloud", "http"),
        plugins: collections.abc.Mapping[str, str] | None = None,
        plugin_filters: collections.abc.Iterable[str] = (),
    ) -> None:
        self.password = password
        self.host = host
        self.name = name
        self.catalogue: dict[str, load_result.LoadResult] = dict(catalogue or {})
        self.stats_interval = stats_interval
        self.player_update_interval = player_update_interval
        self.version = version
        self.source_managers: list[str] = list(source_managers)
        self.plugins: dict[str, str] = dict(plugins or {})
        self.plugin_filters: list[str] = list(plugin_filters)
        self.requests: list[RecordedRequest] = []
        self.handshakes: list[dict[str, str]] = []
        self.sent: list[tuple[str, bytes]] = []
        """Every WebSocket frame sent, as `(session_id, payload)`, in sending order."""
        self._listener = _server.Listener(port)
        self._activity = _server.Activity()
        self._sessions: dict[str, FakeSession] = {}
        self._known: dict[str, models.Track] = {}
        for result in self.catalogue.values():
            for track in result.tracks:
                self._known[track.encoded] = track
        activity, table = self._activity, self._sessions
        self._wire = Wire(self, activity)
        self._playback = Playback(self, table, self._wire, Clock(time_scale))
        self._hub = Sessions(self, table, self._wire, self._playback, activity)
        self._players = Players(self, table, self._known, self._playback, self._wire)
        self._rest = Rest(self, table, self._known, self._playback, activity)
        self._plugin_parts = plugins_.PluginParts(
            self, table, self._known, self._playback, self._wire, activity
        )

    @override
    def __repr__(self) -> str:
        return f"FakeLavalink(name={self.name!r}, port={self.port}, sessions={len(self._sessions)})"

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._listener.port

    @property
    def url(self) -> str:
        """`http://host:port`."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """The WebSocket URL."""
        return f"ws://{self.host}:{self.port}/v4/websocket"

    @property
    def sessions(self) -> collections.abc.Mapping[str, FakeSession]:
        """Live and paused sessions, by id (read-only view)."""
        return types.MappingProxyType(self._sessions)

    @property
    def is_running(self) -> bool:
        """Whether it listens."""
        return self._listener.running

    @property
    def time_scale(self) -> float:
        """How many seconds the node's clock moves in one second of wall time (1: real time).

        At 100 a three-minute track plays in 1.8 s: the positions it reports advance 100
        times as fast as wall time, a track ends (at its length or `endTime`) 100 times
        sooner, and `stats_interval`, `player_update_interval` and the `uptime` in stats,
        all on the node's clock, pass 100 times as fast. It may be set at any time: positions
        carry on from where they are and every running timer is set again.

        Wall time stays wall time for the `time` of a player state (a wall clock on the real server
        too), for a session's resume `timeout` (the client's setting) and for
        [`set_latency`][hikari_lavalink.testing.FakeLavalink.set_latency]. A client
        that interpolates positions between `playerUpdate` messages with its own clock sees them
        jump at each update.

        Raises
        ------
        ValueError
            If set to a number that is not positive and finite.
        """
        return self._playback.clock.scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self._playback.rescale(value)

    async def __aenter__(self) -> FakeLavalink:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen (on the same port as before, after a kill or a stop)."""
        if await self._listener.start(self.host, self._app):
            self._playback.started()

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._rest.middleware])
        app.router.add_get("/v4/websocket", self._hub.websocket)
        self._rest.add_routes(app)
        self._players.add_routes(app, self._update_player)
        plugins_.add_routes(app, self._plugin_parts)
        return app

    async def _update_player(self, request: web.Request) -> web.Response:
        # The player PATCH, on the node so that a subclass can wrap it (bench/servers.py).
        return await self._players.update(request)

    async def stop(self) -> None:
        """Stop listening and forget every session (idempotent)."""
        await self.kill()

    async def kill(self) -> None:
        """Die like a SIGKILL: connections cut with no close frame, every session lost."""
        self._hub.kill()
        await self._listener.stop()

    async def restart(self) -> None:
        """Listen again on the same port, with no sessions (as after a crash)."""
        await self.kill()
        await self.start()

    async def shutdown(self) -> None:
        """Shut down like a SIGTERM: every WebSocket closed with 1001, then stop."""
        await asyncio.gather(
            *(ws.close(code=1001, message=b"Going away") for ws in list(self._hub.sockets)),
            return_exceptions=True,
        )
        await self.kill()

    # -- controls ------------------------------------------------------------------------

    def set_latency(self, seconds: float) -> None:
        """Delay every REST answer and WebSocket handshake by `seconds`."""
        self._rest.latency = seconds

    def hold(self, method: str, path_prefix: str = "") -> RequestHold:
        """Hold the next `method` request under `path_prefix`: recorded, then unanswered
        until `hold.release()`; `await hold.reached()` returns it once it is held.

        For races: a request on its way while something else happens (a leave during the
        voice PATCH of a join, say), in an order the test decides.
        """
        hold = RequestHold(method, path_prefix)
        self._rest.holds.append(hold)
        return hold

    def hold_handshake(self) -> HandshakeHold:
        """Hold the next WebSocket handshake: recorded, then unanswered (nothing checked yet)
        until `hold.release()` or `hold.cut()`; `await hold.reached()` returns its
        headers once it is held. For races: a node connecting while something else happens.
        """
        hold = HandshakeHold()
        self._hub.holds.append(hold)
        return hold

    def fail_rest(self, status: int = 500, count: int = 1, path_prefix: str | None = None) -> None:
        """Answer the next `count` REST calls (under `path_prefix`) with `status`."""
        self._rest.failures.extend([(status, path_prefix)] * count)

    def fail_handshake(self, status: int = 502, count: int = 1) -> None:
        """Refuse the next `count` WebSocket handshakes with `status`."""
        self._hub.handshake_failures.extend([status] * count)

    def clear_failures(self) -> None:
        """Forget pending
        [`fail_rest`][hikari_lavalink.testing.FakeLavalink.fail_rest] and
        [`fail_handshake`][hikari_lavalink.testing.FakeLavalink.fail_handshake]
        failures."""
        self._rest.failures.clear()
        self._hub.handshake_failures.clear()

    async def drop_connections(self) -> None:
        """Cut every client WebSocket with no close frame (a network failure).

        The server keeps running: resumable sessions pause, the others are destroyed.
        """
        await self._settle(self._hub.cut())

    async def close_session(self, session_id: str, code: int = 1000, reason: str = "") -> None:
        """Close a session's WebSocket with a close frame (`code`, `reason`)."""
        session = self._sessions[session_id]
        ws = session.ws
        if ws is not None:
            await ws.close(code=code, message=reason.encode())
        await self._settle([ws] if ws is not None else [])

    async def send_raw(self, data: str | bytes, session_id: str | None = None) -> None:
        """Send an arbitrary text frame (for malformed-input tests)."""
        text = data.decode() if isinstance(data, bytes) else data
        for session in self._hub.targets(session_id):
            self._wire.send(session, text)
        await self._settle()

    def push(
        self,
        frames: collections.abc.Iterable[str | bytes],
        session_id: str | None = None,
        *,
        burst: bool = False,
    ) -> int:
        """Queue many text frames at once, in order, without waiting (for load tests).

        With `burst=True` the frames are framed up front and written to the socket in one
        go, so the server costs next to nothing per frame and a client reading them always
        finds a full buffer (what a benchmark of the client's own cost needs). A paused
        session queues them one by one as usual.

        Returns how many frames were queued per session.
        """
        texts = [frame.decode() if isinstance(frame, bytes) else frame for frame in frames]
        for session in self._hub.targets(session_id):
            self._wire.push(session, texts, burst=burst)
        return len(texts)

    def set_stats(
        self,
        *,
        players: int | msgspec.UnsetType = msgspec.UNSET,
        playing_players: int | msgspec.UnsetType = msgspec.UNSET,
        uptime: int | msgspec.UnsetType = msgspec.UNSET,
        cores: int | msgspec.UnsetType = msgspec.UNSET,
        system_load: float | msgspec.UnsetType = msgspec.UNSET,
        lavalink_load: float | msgspec.UnsetType = msgspec.UNSET,
        memory: models.Memory | msgspec.UnsetType = msgspec.UNSET,
        frame_stats: models.FrameStats | msgspec.UnsetType | None = msgspec.UNSET,
    ) -> None:
        """Report these figures (the ones given) in `stats` messages and `GET /v4/stats` instead of
        the node's own, until
        [`reset_stats`][hikari_lavalink.testing.FakeLavalink.reset_stats];
        [`send_stats`][hikari_lavalink.testing.FakeLavalink.send_stats] sends them.

        `frame_stats` goes only to a session with a playing player (`null` to the others,
        absent over REST, as on Lavalink). A figure Lavalink cannot report (a load outside
        0-1, a negative count, `playing_players` above `players`, `memory.used` not
        `allocated - free`) is a `ValueError`.
        """
        self._playback.figures.set(
            players=players,
            playing_players=playing_players,
            uptime=uptime,
            cores=cores,
            system_load=system_load,
            lavalink_load=lavalink_load,
            memory=memory,
            frame_stats=frame_stats,
        )

    def reset_stats(self) -> None:
        """Report the node's own stats again (undo
        [`set_stats`][hikari_lavalink.testing.FakeLavalink.set_stats])."""
        self._playback.figures.reset()

    async def send_stats(self, session_id: str | None = None) -> None:
        """Send a `stats` message now (to every session, or to `session_id`)."""
        for session in self._hub.targets(session_id):
            self._playback.send_stats(session)
        await self._settle()

    async def finish_track(self, guild_id: int, *, session_id: str | None = None) -> None:
        """End the guild's track as if it reached its end (`finished`)."""
        session, player = self._hub.player(guild_id, session_id)
        self._playback.finish(session, player, "finished")
        await self._settle()

    async def fail_track(
        self,
        guild_id: int,
        message: str = "Something broke while playing the track.",
        severity: str = "common",
        *,
        session_id: str | None = None,
        load: bool = False,
    ) -> None:
        """`TrackExceptionEvent` during playback, then `TrackEndEvent(finished)`; with
        `load`, the track threw before any audio: the end's reason is `loadFailed`."""
        session, player = self._hub.player(guild_id, session_id)
        track = self._playback.now_playing(player)
        exception = models.ExceptionInfo(
            message=message,
            severity=severity,
            cause=f"java.lang.RuntimeException: {message}",
            cause_stack_trace=f"java.lang.RuntimeException: {message}\n\tat fake.Player.play",
        )
        self._wire.event(
            session, player.guild_id, "TrackExceptionEvent", track=track, exception=exception
        )
        self._playback.finish(session, player, "loadFailed" if load else "finished")
        await self._settle()

    async def stick_track(
        self, guild_id: int, threshold_ms: int = 10_000, *, session_id: str | None = None
    ) -> None:
        """`TrackStuckEvent` then a `playerUpdate`; the track keeps playing."""
        session, player = self._hub.player(guild_id, session_id)
        self._wire.event(
            session,
            guild_id,
            "TrackStuckEvent",
            track=self._playback.now_playing(player),
            thresholdMs=threshold_ms,
        )
        self._wire.player_update(session, player)
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
        """`WebSocketClosedEvent` for the guild's voice socket, then `playerUpdate`."""
        session, player = self._hub.player(guild_id, session_id, playing=False)
        player.set_position(player.position)  # it stands still from here: no frames pulled
        player.connected = False
        player.ping = -1
        self._playback.schedule(session, player)  # no voice: its track never ends
        self._wire.event(
            session, guild_id, "WebSocketClosedEvent", code=code, reason=reason, byRemote=by_remote
        )
        self._wire.player_update(session, player)
        await self._settle()

    # -- waiting -------------------------------------------------------------------------

    async def wait_for_request(
        self,
        predicate: collections.abc.Callable[[RecordedRequest], bool],
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> RecordedRequest:
        """Wait for a recorded, answered REST request that matches.

        `after`: search `requests[after:]` only (pass `len(fake.requests)` taken
        before an action to wait for what that action sends, not for an older match).
        """
        return await self._activity.first(
            self.requests,
            lambda request: predicate(request) and request.status != 0,
            timeout,
            after=after,
        )

    async def wait_for_connections(self, count: int, timeout: float = 5.0) -> None:
        """Wait until `count` sessions have a connected WebSocket."""
        await self._activity.until(lambda: self._hub.connected() >= count, timeout)

    async def wait_for_frame(
        self,
        predicate: collections.abc.Callable[[JSON], bool] | None = None,
        *,
        op: str | None = None,
        session_id: str | None = None,
        after: int = 0,
        timeout: float = 5.0,
    ) -> JSON:
        """Wait for a WebSocket frame the node sent (a JSON object) that matches.

        Parameters
        ----------
        predicate
            Only a frame (decoded) for which it returns `True`.
        op
            Only a frame with this `op` (`"event"`, `"playerUpdate"`, `"stats"`...).
        session_id
            Only a frame sent to this session.
        after
            Only look at [`sent`][hikari_lavalink.testing.FakeLavalink.sent] from this
            index on (`len(fake.sent)` taken before an action waits for a frame that action causes).
        timeout
            Seconds.

        Returns
        -------
        dict[str, typing.Any]
            The first matching frame, decoded.

        Raises
        ------
        TimeoutError
            If none was sent in time.
        """
        found: list[JSON] = []
        index = after

        def scan() -> bool:
            nonlocal index
            while index < len(self.sent):
                target, raw = self.sent[index]
                index += 1
                if session_id is not None and target != session_id:
                    continue
                frame = _json_object(raw)
                if (
                    frame is not None
                    and (op is None or frame.get("op") == op)
                    and (predicate is None or predicate(frame))
                ):
                    found.append(frame)
                    return True
            return False

        await self._activity.until(scan, timeout)
        return found[0]

    async def wait_until(
        self, condition: collections.abc.Callable[[], object], timeout: float = 5.0
    ) -> None:
        """Wait until `condition()` is true, checked again whenever the node changes.

        It changes when a session opens, pauses, resumes or ends, a request is answered, and
        a frame is sent or queued (and, as a fallback, every 50 ms).

        Raises
        ------
        TimeoutError
            If it is not true within `timeout` seconds.
        """
        await self._activity.until(condition, timeout)

    async def _settle(self, closing: collections.abc.Iterable[web.WebSocketResponse] = ()) -> None:
        """Let queued frames reach their sockets, and closing sockets end their sessions."""
        closing = list(closing)
        with contextlib.suppress(TimeoutError):
            await self._activity.until(
                lambda: self._hub.gone(closing) and self._wire.flushed(self._sessions.values()),
                _SETTLE_TIMEOUT,
            )


def _json_object(raw: bytes) -> JSON | None:
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return typing.cast("JSON", frame) if isinstance(frame, dict) else None
