"""The fake node's WebSocket endpoint and the sessions it opens, pauses, resumes and destroys.

As Lavalink 4.2 does it: the handshake needs the password (401 otherwise) and a `User-Id`
that parses as a non-zero Java long (400 otherwise); a new session gets `ready` and at once
a first `stats`. When the socket goes, a session with resuming on is *paused* (REST answers
it with 404, events and stats queue up, `playerUpdate` messages are dropped) for its
`timeout` in seconds of wall time, then destroyed with its players; any other session is
destroyed at once. A handshake naming a paused session resumes it: `ready` with
`resumed: true`, the queue in order, then one `playerUpdate` per player. Lavalink v4
ignores what clients send. A [`HandshakeHold`][hikari_lavalink.testing.HandshakeHold] keeps a
handshake unanswered (recorded, nothing checked yet) until the test releases it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import string
import typing

from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.testing import _server
from hikari_lavalink.testing.fake_lavalink import validation

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer, Playback
    from hikari_lavalink.testing.fake_lavalink.wire import Burst, Wire

__all__ = ["FakeSession", "HandshakeHold", "Sessions"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_lavalink")


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
        self.id: str = session_id
        self.user_id: int = user_id
        self.client_name: str | None = client_name
        self.resuming: bool = False
        self.timeout: int = 60
        self.paused: bool = False
        self.players: dict[int, FakePlayer] = {}
        self.queue: list[str] = []
        self.ws: web.WebSocketResponse | None = None
        self.outbox: asyncio.Queue[str | Burst] | None = None
        self.writer: asyncio.Task[None] | None = None
        self.timeout_handle: asyncio.TimerHandle | None = None
        self.stats_handle: asyncio.TimerHandle | None = None

    @override
    def __repr__(self) -> str:
        return (
            f"FakeSession(id={self.id!r}, paused={self.paused}, resuming={self.resuming}, "
            f"players={len(self.players)})"
        )


class HandshakeHold:
    """The next WebSocket handshake waits here, recorded but unanswered, until
    [`release`][hikari_lavalink.testing.HandshakeHold.release] (see
    [`FakeLavalink.hold_handshake`][hikari_lavalink.testing.FakeLavalink.hold_handshake]):
    a node connecting, made to last."""

    __slots__ = ("_arrived", "_released", "cut_off")

    def __init__(self) -> None:
        self._arrived: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._released = asyncio.Event()
        self.cut_off: bool = False
        """Whether [`cut`][hikari_lavalink.testing.HandshakeHold.cut] ended it (its
        connection cut, the handshake never answered)."""

    @override
    def __repr__(self) -> str:
        return f"HandshakeHold(held={self.held}, released={self._released.is_set()})"

    @property
    def held(self) -> bool:
        """Whether a handshake has reached it (and waits, if not released yet)."""
        return self._arrived.done()

    def takes(self, headers: dict[str, str]) -> bool:
        """Whether this hold is still free (then it holds the handshake with `headers`)."""
        if self._arrived.done():
            return False
        self._arrived.set_result(headers)
        return True

    async def reached(self, timeout: float = 5.0) -> dict[str, str]:
        """Wait until a handshake is held here; its request headers (as in `handshakes`)."""
        async with asyncio.timeout(timeout):
            return await asyncio.shield(self._arrived)

    def release(self) -> None:
        """Let the held handshake (or the next one, if none came yet) be answered."""
        self._released.set()

    def cut(self) -> None:
        """Cut the held handshake's connection instead of answering it (a network failure
        during the upgrade): no session is made, and the client sees its connection drop."""
        self.cut_off = True
        self._released.set()

    async def wait_released(self) -> None:
        """Wait for [`release`][hikari_lavalink.testing.HandshakeHold.release] (or
        [`cut`][hikari_lavalink.testing.HandshakeHold.cut])."""
        await self._released.wait()


class Sessions:
    """The WebSocket endpoint, the open sockets, and what happens to a session when one goes."""

    __slots__ = (
        "_activity",
        "_node",
        "_playback",
        "_rng",
        "_sessions",
        "_wire",
        "handshake_failures",
        "holds",
        "sockets",
    )

    def __init__(
        self,
        node: FakeLavalink,
        sessions: dict[str, FakeSession],
        wire: Wire,
        playback: Playback,
        activity: _server.Activity,
    ) -> None:
        self._node = node
        self._sessions = sessions
        self._wire = wire
        self._playback = playback
        self._activity = activity
        self._rng = random.Random()
        self.sockets: set[web.WebSocketResponse] = set()
        """The open WebSockets."""
        self.handshake_failures: list[int] = []
        """Statuses for the next handshakes to be refused with (`fail_handshake`)."""
        self.holds: list[HandshakeHold] = []
        """Holds for the next handshakes, free ones first in the order asked for
        (`hold_handshake`), then the ones holding a handshake."""

    # -- lookups -------------------------------------------------------------------------

    def targets(self, session_id: str | None) -> list[FakeSession]:
        """The named session (`KeyError` if unknown), or every session."""
        if session_id is not None:
            return [self._sessions[session_id]]
        return list(self._sessions.values())

    def player(
        self, guild_id: int, session_id: str | None, *, playing: bool = True
    ) -> tuple[FakeSession, FakePlayer]:
        """The guild's player (and its session), for a control; `LookupError` if none."""
        for session in self.targets(session_id):
            player = session.players.get(guild_id)
            if player is not None:
                if playing and player.track is None:
                    msg = f"guild {guild_id} has no track playing"
                    raise LookupError(msg)
                return session, player
        msg = f"no player for guild {guild_id}"
        raise LookupError(msg)

    def connected(self) -> int:
        """How many sessions have a WebSocket."""
        return sum(1 for s in self._sessions.values() if s.ws is not None)

    # -- the endpoint --------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """`GET /v4/websocket`: refuse the handshake, or run the session until it closes."""
        headers = dict(request.headers)
        self._node.handshakes.append(headers)
        if await self._held(headers):
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never sent: the connection is gone
        if self.handshake_failures:
            status = self.handshake_failures.pop(0)
            return web.Response(status=status, text=validation.reason(status))
        if request.headers.get("Authorization") != self._node.password:
            return web.Response(status=401)
        raw_user = request.headers.get("User-Id", "")
        if not validation.is_long(raw_user) or int(raw_user) == 0:
            return web.Response(status=400)
        resume_id = request.headers.get("Session-Id")
        session = self._sessions.get(resume_id) if resume_id else None
        resumed = session is not None and session.paused and session.resuming
        ws = web.WebSocketResponse(autoping=True)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text='Can "Upgrade" only to "WebSocket".')
        ws.headers["Session-Resumed"] = "true" if resumed else "false"
        ws.headers.update(self._node.api_headers)
        await ws.prepare(request)
        if resumed and session is not None:
            if session.timeout_handle is not None:
                session.timeout_handle.cancel()
            session.paused = False
        else:
            session = FakeSession(
                _session_id(self._rng), int(raw_user), request.headers.get("Client-Name")
            )
            self._sessions[session.id] = session
        self._wire.open(session, ws, request.transport)
        self._node.plugin_hooks.session_opened(session, resumed=resumed)
        self.sockets.add(ws)
        self._wire.send(
            session, json.dumps({"op": "ready", "resumed": resumed, "sessionId": session.id})
        )
        if resumed:
            queued, session.queue = session.queue, []
            for text in queued:
                self._wire.send(session, text)
            for player in session.players.values():
                self._wire.player_update(session, player)
        else:
            self._playback.send_stats(session)
            self._playback.start_stats(session)
        self._activity.touch()
        try:
            await _server.read(ws)  # Lavalink v4 ignores what clients send over the WebSocket.
        finally:
            self.sockets.discard(ws)
            self._disconnected(session, ws)
            self._activity.touch()
        return ws

    async def _held(self, headers: dict[str, str]) -> bool:
        """Wait while a free hold holds this handshake; whether the hold cut it."""
        hold = next((h for h in self.holds if h.takes(headers)), None)
        if hold is None:
            return False
        self._activity.touch()
        try:
            await hold.wait_released()
        finally:
            self.holds.remove(hold)
        return hold.cut_off

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
            self.destroy(session, emit=True)

    # -- endings -------------------------------------------------------------------------

    def cut(self) -> list[web.WebSocketResponse]:
        """Cut every WebSocket with no close frame; return them."""
        sockets = list(self.sockets)
        for ws in sockets:
            _server.abort(ws)
        return sockets

    def gone(self, sockets: collections.abc.Iterable[web.WebSocketResponse]) -> bool:
        """Whether every one of `sockets` has been closed and its session dealt with."""
        return self.sockets.isdisjoint(sockets)

    def kill(self) -> None:
        """Cut every socket (a held handshake's too) and forget every session, sending
        nothing (a SIGKILL)."""
        for hold in self.holds:
            if hold.held:
                hold.cut()
        self.cut()
        self.sockets.clear()
        for session in list(self._sessions.values()):
            self.destroy(session, emit=False)

    def destroy(self, session: FakeSession, *, emit: bool) -> None:
        """Destroy the session and its players (`TrackEndEvent(stopped)` first if `emit`)."""
        self._node.plugin_hooks.session_destroyed(session)
        for player in session.players.values():
            if emit and player.track is not None:
                self._playback.finish(session, player, "stopped")
            player.cancel_timers()
        session.players.clear()
        for handle in (session.timeout_handle, session.stats_handle):
            if handle is not None:
                handle.cancel()
        writer = session.writer
        if writer is not None:
            writer.cancel()
        self._sessions.pop(session.id, None)
        self._activity.touch()

    def _expire(self, session: FakeSession) -> None:
        _LOGGER.debug("fake session %s: resume timeout passed, destroying it", session.id)
        self.destroy(session, emit=True)


def _session_id(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase + string.digits, k=16))
