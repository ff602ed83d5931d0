"""An in-memory node transport: a [`Node`][hikari_lavalink.Node] with no socket.

The seam the node talks through (`NodeTransport` (`hikari_lavalink.transport.base`))
has a second implementation here, as httpcore ships a mock backend beside its real ones. A
[`MemoryServer`][hikari_lavalink.testing.MemoryServer] is the test's side: it hands out the
transport to give the node, and it drives everything the node sees. Nothing runs on its own: no
timer, no playback, no protocol emulation (for a Lavalink that behaves, see
[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink]). Time is what the node's `clock` says.

Example
-------
```python
server = MemoryServer(password="pw")
server.answer("PATCH", "/v4/sessions/*", models.Session(resuming=True, timeout=60))
server.answer("GET", "/v4/sessions/*/players", [])
node = Node(name="n", transport=server.transport, user_id=1, clock=clock)
await node.start()
socket = await server.accepted(1)  # the node's first connection
socket.send_ready("s1")
await node.wait_ready()
socket.send({"op": "playerUpdate", "guildId": "1", "state": {...}})
await socket.wait_read()  # the node has handled every frame sent so far
socket.abort()  # the connection dies without a close frame (1006)
again = await server.accepted(2)  # the node reconnects (to resume: Session-Id)
```

What the node sees, and how the server makes it happen:

* the WebSocket handshake:
  [`MemoryServer.accepted`][hikari_lavalink.testing.memory.MemoryServer.accepted] waits for it and
  gives the connection; [`MemoryServer.refuse`][hikari_lavalink.testing.memory.MemoryServer.refuse]
  and [`MemoryServer.reachable`][hikari_lavalink.testing.memory.MemoryServer.reachable] make it fail
  as the aiohttp transport fails (`NodeConnectionError`, fatal for 401 and 403);
  [`MemoryServer.session_resumed`][hikari_lavalink.testing.memory.MemoryServer.session_resumed] is
  the `Session-Resumed` answer header; * frames, closes and network failures:
  [`MemoryConnection`][hikari_lavalink.testing.MemoryConnection]; * REST:
  [`MemoryServer.answer`][hikari_lavalink.testing.memory.MemoryServer.answer] (a typed value, a raw
  [`Reply`][hikari_lavalink.testing.memory.Reply] decoded by the route as the aiohttp transport
  decodes it, an error to raise, or a function of the route); every call is recorded in
  [`MemoryServer.requests`][hikari_lavalink.testing.memory.MemoryServer.requests].
"""

from __future__ import annotations

import asyncio
import collections.abc
import fnmatch
import inspect
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.errors import NodeConnectionError
from hikari_lavalink.protocol import routes
from hikari_lavalink.transport import base
from hikari_lavalink.transport.base import WebSocketClosed

__all__ = ["MemoryConnection", "MemoryServer", "MemoryTransport", "MemoryWebSocket", "Reply"]

T = typing.TypeVar("T")
ABNORMAL_CLOSURE: typing.Final = 1006


class _Kind:
    """A kind of message on a memory WebSocket (compared by identity, as aiohttp's are)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name: str = name

    @override
    def __repr__(self) -> str:
        return f"<{self.name}>"


TEXT: typing.Final = _Kind("TEXT")
BINARY: typing.Final = _Kind("BINARY")
PING: typing.Final = _Kind("PING")
"""A control message that is not a frame: the reader must skip it."""
CLOSE: typing.Final = _Kind("CLOSE")
"""A close frame from the server: `(CLOSE, code, reason)`."""
ERROR: typing.Final = _Kind("ERROR")
"""The connection died without a close frame: `(ERROR, None, reason)`."""
CLOSED: typing.Final = _Kind("CLOSED")
"""The socket is over (closed by the client, or read past its end)."""

_Message: typing.TypeAlias = tuple[_Kind, typing.Any, typing.Any]


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    """A raw REST answer, decoded by the route exactly as the aiohttp transport decodes one.

    `body` is sent as it is when it is `bytes` or `str`, and as JSON otherwise (a
    `dict`, a list, a msgspec Struct). A non-2xx status becomes the library's
    [`RestError`][hikari_lavalink.RestError] (or `SessionNotFoundError`).
    """

    status: int = 200
    body: typing.Any = b""

    def encoded(self) -> bytes:
        """The body's bytes."""
        body = self.body
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode()
        return msgspec.json.encode(body)

    @classmethod
    def error(cls, status: int, message: str, path: str = "") -> Reply:
        """A Lavalink error body (`{"status", "error", "message", "path", ...}`)."""
        body = {"timestamp": 0, "status": status, "error": message, "message": message}
        return cls(status=status, body={**body, "path": path})


class MemoryWebSocket:
    """The node's end of a [`MemoryConnection`][hikari_lavalink.testing.MemoryConnection] (a
    `WebSocketConnection`)."""

    __slots__ = ("_closed", "_peer", "_resumed")

    def __init__(self, peer: MemoryConnection, resumed: bool | None) -> None:
        self._peer = peer
        self._resumed = resumed
        self._closed: WebSocketClosed | None = None

    @override
    def __repr__(self) -> str:
        return f"MemoryWebSocket(closed={self._closed!r})"

    @property
    def resumed(self) -> bool | None:
        """The `Session-Resumed` answer header (`None`: absent)."""
        return self._resumed

    @property
    def frame_kinds(self) -> tuple[object, object]:
        """The two kinds whose data is a frame."""
        return (TEXT, BINARY)

    @property
    def next_message(
        self,
    ) -> collections.abc.Callable[
        [], collections.abc.Awaitable[tuple[object, typing.Any, typing.Any]]
    ]:
        """The next message as `(kind, data, extra)`; raises what the server injected."""
        return self._peer.take

    def end_of(self, kind: object, data: typing.Any, extra: typing.Any) -> WebSocketClosed | None:
        """How the socket closed, for a message that is not a frame (`None`: not closed)."""
        if kind is CLOSE:
            return self._finish(int(data), str(extra or ""))
        if kind is ERROR:
            return self._finish(ABNORMAL_CLOSURE, str(extra or "connection lost"))
        if kind is CLOSED:
            if self._closed is not None:
                return self._closed
            return self._finish(self._peer.closed_code or ABNORMAL_CLOSURE, "connection closed")
        return None  # PING: nothing to do

    def failed(self, error: Exception) -> WebSocketClosed:
        """The close a network failure stands for; anything else is raised again (a bug)."""
        if not isinstance(error, OSError | TimeoutError):
            raise error
        return self._finish(ABNORMAL_CLOSURE, f"{type(error).__name__}: {error}")

    def _finish(self, code: int, reason: str) -> WebSocketClosed:
        if self._closed is None:
            self._closed = WebSocketClosed(code, reason)
            self._peer.ended()
        return self._closed

    async def receive(self) -> str | bytes | WebSocketClosed:
        """The next frame, or how the connection closed."""
        if self._closed is not None:
            return self._closed
        return await base.receive_frame(self)

    async def close(self, code: int = 1000) -> None:
        """Close the socket (idempotent): the server sees `code`."""
        self._peer.closed_by_client(code)


class MemoryConnection:
    """The server's end of one WebSocket the node opened: push frames, close it, watch it.

    Everything pushed is queued in order; the node reads it on its next turns, a burst of
    queued messages in one step of its reader (as from a full socket buffer).
    """

    __slots__ = (
        "_changed",
        "_inbox",
        "_reader",
        "closed_code",
        "headers",
        "is_open",
        "sent",
    )

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers: dict[str, str] = headers
        """The handshake's request headers (`Authorization` included)."""
        self.sent: list[str | bytes] = []
        """Every frame pushed, in order."""
        self.closed_code: int | None = None
        """The close code the node sent (`None` while it has not closed the socket)."""
        self.is_open: bool = True
        """`False` once the socket is over (either side closed it, or it died)."""
        self._inbox: collections.deque[_Message | Exception] = collections.deque()
        self._reader: asyncio.Future[None] | None = None
        self._changed = asyncio.Event()

    @override
    def __repr__(self) -> str:
        state = "open" if self.is_open else f"closed({self.closed_code})"
        return f"MemoryConnection({state}, queued={len(self._inbox)}, sent={len(self.sent)})"

    # -- the server's controls -----------------------------------------------------------

    def send(self, frame: typing.Any, *, binary: bool = False) -> None:
        """Push a frame: `str` or `bytes` as it is, anything else encoded as JSON."""
        data: str | bytes = frame if isinstance(frame, str | bytes) else msgspec.json.encode(frame)
        self.sent.append(data)
        self._push((BINARY if binary else TEXT, data, None))

    def send_ready(self, session_id: str, *, resumed: bool = False) -> None:
        """Push Lavalink's `ready` op."""
        self.send({"op": "ready", "resumed": resumed, "sessionId": session_id})

    def ping(self) -> None:
        """Push a control message that is not a frame (the reader skips it)."""
        self._push((PING, b"", None))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Push a close frame: the node reads `code` and `reason` after what is queued."""
        self._push((CLOSE, code, reason))

    def abort(self, reason: str = "connection reset by peer") -> None:
        """The connection dies without a close frame (the node reads code 1006)."""
        self._push((ERROR, None, reason))

    def fail(self, error: Exception) -> None:
        """The node's next read raises `error` (an `OSError` is a network failure)."""
        self._push(error)

    # -- waiting -------------------------------------------------------------------------

    async def wait_read(self, timeout: float = 5.0) -> None:
        """Wait until the node has handled everything pushed and waits for more.

        The node handles a message before it asks for the next, so this returns once each
        pushed frame has had its effect (or at once when the socket is over).
        """
        async with asyncio.timeout(timeout):
            while self.is_open and (self._inbox or self._reader is None):
                self._changed.clear()
                await self._changed.wait()

    async def wait_closed(self, timeout: float = 5.0) -> int | None:
        """Wait until the socket is over; the code the node closed it with, if it did."""
        async with asyncio.timeout(timeout):
            while self.is_open:
                self._changed.clear()
                await self._changed.wait()
        return self.closed_code

    # -- the node's side -----------------------------------------------------------------

    async def take(self) -> _Message:
        """What the node's read awaits: the next queued message, waiting for one."""
        while not self._inbox:
            if not self.is_open:
                return (CLOSED, None, None)
            waiter = self._reader = asyncio.get_running_loop().create_future()
            self._changed.set()
            try:
                await waiter
            finally:
                self._reader = None
        item = self._inbox.popleft()
        self._changed.set()
        if isinstance(item, Exception):
            raise item
        return item

    def closed_by_client(self, code: int) -> None:
        """The node closed the socket with `code`."""
        if self.closed_code is None and self.is_open:
            self.closed_code = code
        self.ended()

    def ended(self) -> None:
        """The socket is over: nothing more reaches the node."""
        self.is_open = False
        self._wake()

    def _push(self, item: _Message | Exception) -> None:
        if not self.is_open:
            msg = f"{self!r} is over: nothing more reaches the node"
            raise RuntimeError(msg)
        self._inbox.append(item)
        self._wake()

    def _wake(self) -> None:
        reader = self._reader
        if reader is not None and not reader.done():
            reader.set_result(None)
        self._changed.set()


_Answer: typing.TypeAlias = typing.Any
"""A typed value, a [`Reply`][hikari_lavalink.testing.memory.Reply], an exception, or a function of
the route to one."""


class MemoryServer:
    """The test's side of a [`MemoryTransport`][hikari_lavalink.testing.MemoryTransport]: the node's
    server, in memory.

    Parameters
    ----------
    password
        Sent by the transport as `Authorization` (as the aiohttp transport sends it); the server
        refuses nothing by itself (see
        [`refuse`][hikari_lavalink.testing.memory.MemoryServer.refuse]).
    name
        The node's name in the errors the transport raises.
    """

    __slots__ = (
        "_answers",
        "_changed",
        "_refusals",
        "connections",
        "handshakes",
        "name",
        "reachable",
        "refusing",
        "requests",
        "session_resumed",
        "transport",
    )

    def __init__(self, *, password: str = "youshallnotpass", name: str = "memory") -> None:  # noqa: S107
        self.name: str = name
        self.transport: MemoryTransport = MemoryTransport(self, password)
        """The `NodeTransport` (`hikari_lavalink.transport.base`) to give the node."""
        self.handshakes: list[dict[str, str]] = []
        """The headers of every handshake attempt, refused ones included."""
        self.connections: list[MemoryConnection] = []
        """Every accepted WebSocket, in order."""
        self.requests: list[routes.Route[typing.Any]] = []
        """Every REST call, in order (`trace=true` included in the route when asked)."""
        self.reachable: bool = True
        """`False`: every handshake and REST call fails as an unreachable server's do."""
        self.refusing: bool = False
        """`True`: every handshake is refused, as when the server's process is gone."""
        self.session_resumed: bool | None = False
        """The `Session-Resumed` header of the next accepted handshakes (`None`: absent)."""
        self._refusals: collections.deque[int] = collections.deque()
        self._answers: list[tuple[str, str, _Answer, list[int | None]]] = []
        self._changed = asyncio.Event()

    @override
    def __repr__(self) -> str:
        return (
            f"MemoryServer(name={self.name!r}, connections={len(self.connections)}, "
            f"requests={len(self.requests)})"
        )

    # -- the WebSocket -------------------------------------------------------------------

    def refuse(self, status: int = 502, count: int = 1) -> None:
        """Refuse the next `count` handshakes with this HTTP status (401/403: fatal)."""
        self._refusals.extend([status] * count)

    @property
    def connection(self) -> MemoryConnection:
        """The latest accepted connection."""
        if not self.connections:
            msg = "the node has not connected yet"
            raise LookupError(msg)
        return self.connections[-1]

    async def accepted(self, count: int | None = None, timeout: float = 5.0) -> MemoryConnection:
        """Wait for the `count`-th accepted connection (1 is the first) and return it.

        By default, the one after those there are now: when the node may connect before
        this is called (it reconnects after a short back-off), count them before the action
        that makes it reconnect and pass `count`.
        """
        wanted = len(self.connections) + 1 if count is None else count
        async with asyncio.timeout(timeout):
            while len(self.connections) < wanted:
                self._changed.clear()
                await self._changed.wait()
        return self.connections[wanted - 1]

    async def wait_for_handshakes(self, count: int, timeout: float = 5.0) -> None:
        """Wait until `count` handshakes were attempted (refused ones included)."""
        async with asyncio.timeout(timeout):
            while len(self.handshakes) < count:
                self._changed.clear()
                await self._changed.wait()

    def drop(self) -> None:
        """The server is gone: the open connection dies (1006), later attempts fail."""
        self.reachable = False
        for connection in self.connections:
            if connection.is_open:
                connection.abort("the server is gone")

    def handshake(self, headers: dict[str, str]) -> MemoryWebSocket:
        """What the transport calls to open a WebSocket (tests use
        [`accepted`][hikari_lavalink.testing.memory.MemoryServer.accepted])."""
        self.handshakes.append(headers)
        self._changed.set()
        if not self.reachable:
            raise NodeConnectionError(self.name, "cannot reach the server", fatal=False)
        if self.refusing:
            msg = "the connection was refused (nothing listens on the port)"
            raise NodeConnectionError(self.name, msg, fatal=False, refused=True)
        if self._refusals:
            status = self._refusals.popleft()
            fatal = status in (401, 403)
            what = "the password was rejected" if fatal else "the WebSocket handshake failed"
            raise NodeConnectionError(
                self.name, f"{what} (HTTP {status})", status=status, fatal=fatal
            )
        connection = MemoryConnection(headers)
        self.connections.append(connection)
        return MemoryWebSocket(connection, self.session_resumed)

    # -- REST ----------------------------------------------------------------------------

    def answer(self, method: str, path: str, answer: _Answer, *, times: int | None = None) -> None:
        """Answer calls of `method` to `path` (a `*` stands for one path segment).

        `answer` is returned as it is (a model of the route's type), decoded as the route decodes a
        body when it is a [`Reply`][hikari_lavalink.testing.memory.Reply], raised when it is an
        exception (`RestError`, `NodeConnectionError`...), or called with the route (its result,
        awaited when it is awaitable, is then taken the same way). The latest matching answer wins;
        with `times` it is used that many times, then forgotten. A call nothing answers gets
        Lavalink's 404.
        """
        self._answers.append((method, path, answer, [times]))

    async def wait_for_request(
        self,
        predicate: collections.abc.Callable[[routes.Route[typing.Any]], bool],
        timeout: float = 5.0,
    ) -> routes.Route[typing.Any]:
        """Wait for a recorded REST call that matches."""
        async with asyncio.timeout(timeout):
            while True:
                for route in self.requests:
                    if predicate(route):
                        return route
                self._changed.clear()
                await self._changed.wait()

    async def serve(self, route: routes.Route[T], trace: bool) -> T:
        """What the transport calls for a REST call (tests use
        [`answer`][hikari_lavalink.testing.memory.MemoryServer.answer])."""
        if trace:
            route = route.with_trace()
        self.requests.append(route)
        self._changed.set()
        if not self.reachable:
            what = f"{route.method} {route.path} failed: the server is gone"
            raise NodeConnectionError(self.name, what, fatal=False)
        answer: _Answer = self._find(route)
        if callable(answer) and not isinstance(answer, type):
            answer = answer(route)
            if inspect.isawaitable(answer):
                answer = await answer
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Reply):
            return routes.parse_response(route, answer.status, answer.encoded())
        return typing.cast("T", answer)

    def _find(self, route: routes.Route[typing.Any]) -> _Answer:
        for index in range(len(self._answers) - 1, -1, -1):
            method, pattern, answer, left = self._answers[index]
            if method != route.method or not _matches(pattern, route.path):
                continue
            times = left[0]
            if times is not None:
                left[0] = times - 1
                if times <= 1:
                    del self._answers[index]
            return answer
        return Reply.error(404, "Not Found", route.path)


def _matches(pattern: str, path: str) -> bool:
    wanted, parts = pattern.split("/"), path.split("/")
    return len(wanted) == len(parts) and all(
        fnmatch.fnmatchcase(part, segment) for segment, part in zip(wanted, parts, strict=True)
    )


class MemoryTransport:
    """A `NodeTransport` (`hikari_lavalink.transport.base`) served by a
    [`MemoryServer`][hikari_lavalink.testing.MemoryServer] (make it with the server:
    `MemoryServer().transport`)."""

    __slots__ = ("_password", "_server", "closed")

    def __init__(self, server: MemoryServer, password: str) -> None:
        self._server = server
        self._password = password
        self.closed: bool = False
        """Whether the node closed its transport."""

    @override
    def __repr__(self) -> str:
        return f"MemoryTransport(server={self._server.name!r}, closed={self.closed})"

    async def connect(self, headers: collections.abc.Mapping[str, str]) -> MemoryWebSocket:
        """Open a WebSocket to the server (`Authorization` is added)."""
        return self._server.handshake({**headers, "Authorization": self._password})

    async def request(self, route: routes.Route[T], /, *, trace: bool = False) -> T:
        """Make a REST call to the server."""
        return await self._server.serve(route, trace)

    async def close(self) -> None:
        """Mark the transport closed (idempotent)."""
        self.closed = True
