"""Plumbing the fakes share: listening, cutting sockets, reading a socket, waiting for change.

Both fakes ([`fake_discord`][hikari_lavalink.testing.fake_discord] and
[`fake_lavalink`][hikari_lavalink.testing.fake_lavalink]) serve an aiohttp app on a port they keep
across a stop (a restarted server comes back where it was), cut sockets with no close frame to play
a network failure, read each WebSocket until it closes, and record what happens in plain lists.
Whenever they record something they raise one `Activity` flag; their `wait_for_*` helpers look at
the records again each time it rises, so a test waits on what happened rather than on a clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import typing

import aiohttp
from aiohttp import web

from hikari_lavalink._typing import override

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["Activity", "Listener", "Served", "abort", "read", "serve"]

T = typing.TypeVar("T")

_ENDED: typing.Final = frozenset(
    (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
)
_DATA: typing.Final = frozenset((aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY))


async def serve(app: web.Application, host: str, port: int) -> Served:
    """Serve `app` on `host:port` (0: any free port)."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    assert runner.server is not None
    connections = _Connections(runner.server)
    try:
        server = await asyncio.get_running_loop().create_server(
            connections, host, port, reuse_address=True
        )
    except BaseException:
        await runner.cleanup()
        raise
    return Served(runner, server, connections)


class Served:
    """An app being served: aiohttp's runner, the listening socket, the connections accepted."""

    __slots__ = ("_connections", "_runner", "_server", "port")

    def __init__(
        self, runner: web.AppRunner, server: asyncio.Server, connections: _Connections
    ) -> None:
        self._runner, self._server, self._connections = runner, server, connections
        self.port: int = server.sockets[0].getsockname()[1]
        """The port bound."""

    async def stop(self) -> None:
        """Stop listening; once this returns, every socket accepted is closed.

        Left open, a socket is collected later with a ResourceWarning ("unclosed transport"):
        one accepted as the server closes (its transport never built), one whose
        `connection_made` comes after aiohttp's cleanup looked, one whose graceful close
        waits on data the peer does not read. So what aiohttp's cleanup leaves is aborted.
        """
        # Stop accepting, then let each connection accepted get its transport (a task's first
        # step, an iteration later) before closing the server: a close in between makes
        # asyncio fail to build it and leave its socket to the GC (CPython gh-109564).
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError):  # a loop with no readers: no such race
            for sock in self._server.sockets:
                loop.remove_reader(sock.fileno())
        await asyncio.sleep(0)
        self._server.close()
        await self._runner.cleanup()
        await self._connections.cut()


class _Connections:
    """aiohttp's protocol factory, keeping each connection it makes until its socket closes."""

    __slots__ = ("_factory", "_gone", "_live", "cutting")

    def __init__(self, factory: collections.abc.Callable[[], asyncio.Protocol]) -> None:
        self._factory = factory
        self._live: set[_Connection] = set()
        self._gone = asyncio.Event()
        self.cutting = False

    def __call__(self) -> _Connection:
        connection = _Connection(self._factory(), self)
        self._live.add(connection)
        return connection

    def lost(self, connection: _Connection) -> None:
        """`connection`'s socket is closed (its transport closes it right after this)."""
        self._live.discard(connection)
        if not self._live:
            self._gone.set()

    async def cut(self) -> None:
        """Abort every connection, now or as it is made; return once all their sockets close."""
        self.cutting = True
        self._gone.clear()
        for connection in list(self._live):
            if connection.transport is not None:
                connection.transport.abort()
        if self._live:
            # A protocol is made just before its transport, whose connection_made is queued
            # then; a bound only in case asyncio fails to make the transport.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    await self._gone.wait()


class _Connection(asyncio.Protocol):
    """One accepted connection: aiohttp's protocol and, once handed to it, the transport."""

    __slots__ = ("_connections", "_handler", "transport")

    def __init__(self, handler: asyncio.Protocol, connections: _Connections) -> None:
        self._handler = handler
        self._connections = connections
        self.transport: asyncio.Transport | None = None

    @override
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._connections.cutting:  # accepted before the stop, made after it: never served
            typing.cast("asyncio.Transport", transport).abort()
            return
        self.transport = typing.cast("asyncio.Transport", transport)
        self._handler.connection_made(transport)

    @override
    def connection_lost(self, exc: Exception | None) -> None:
        try:
            if self.transport is not None:
                self._handler.connection_lost(exc)
        finally:
            self._connections.lost(self)

    @override
    def data_received(self, data: bytes) -> None:
        self._handler.data_received(data)

    @override
    def eof_received(self) -> bool | None:
        return self._handler.eof_received()

    @override
    def pause_writing(self) -> None:
        self._handler.pause_writing()

    @override
    def resume_writing(self) -> None:
        self._handler.resume_writing()


class Listener:
    """One fake's listening socket: the port it got stays its port after a stop."""

    __slots__ = ("_port", "_served")

    def __init__(self, port: int) -> None:
        self._port = port
        self._served: Served | None = None

    @property
    def port(self) -> int:
        """The port: the one asked for until the first start, then the one bound."""
        return self._port

    @property
    def running(self) -> bool:
        """Whether it listens."""
        return self._served is not None

    async def start(self, host: str, app: collections.abc.Callable[[], web.Application]) -> bool:
        """Serve a new `app()` (on the same port as before); `False` if already listening."""
        if self._served is not None:
            return False
        self._served = await serve(app(), host, self._port)
        self._port = self._served.port
        return True

    async def stop(self) -> None:
        """Stop listening (idempotent); the port is kept for the next start.

        Once it returns, every connection it accepted is closed (aborted if need be).
        """
        served, self._served = self._served, None
        if served is not None:
            await served.stop()


def abort(socket: web.WebSocketResponse | web.BaseRequest) -> None:
    """Cut a server-side WebSocket's TCP connection with no close frame (a network failure).

    `socket` is the WebSocket or, better, the request that opened it (its transport is
    public; a WebSocket's request is not).
    """
    request: typing.Any = (
        socket if isinstance(socket, web.BaseRequest) else getattr(socket, "_req", None)
    )
    transport: typing.Any = getattr(request, "transport", None)
    if transport is not None:
        transport.abort()


async def read(
    ws: web.WebSocketResponse,
    handle: collections.abc.Callable[[str | bytes], collections.abc.Awaitable[None]] | None = None,
) -> int | None:
    """Hand each text or binary message to `handle` (if any) until the socket closes.

    Returns the peer's close code, or `None` when the connection ended without a close frame
    from the peer (a cut, an error, or a close the server started).
    """
    while True:
        message = await ws.receive()
        if message.type is aiohttp.WSMsgType.CLOSE:
            return int(message.data)
        if message.type in _ENDED:
            return None
        if handle is not None and message.type in _DATA:
            await handle(message.data)


class Activity:
    """A flag the fakes raise whenever something happens, so tests can wait without spinning."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def touch(self) -> None:
        """Something happened."""
        self._event.set()

    async def wait(self, timeout: float = 0.05) -> None:
        """Wait for the next happening, at most `timeout` seconds."""
        self._event.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()

    async def until(self, condition: collections.abc.Callable[[], object], timeout: float) -> None:
        """Return once `condition()` is true, checked again after each happening.

        Raises
        ------
        TimeoutError
            If it is not true within `timeout` seconds.
        """
        async with asyncio.timeout(timeout):
            while not condition():
                await self.wait()

    async def first(
        self,
        records: collections.abc.Sequence[T],
        predicate: collections.abc.Callable[[T], bool],
        timeout: float,
        *,
        after: int = 0,
    ) -> T:
        """Return the first of `records[after:]` that matches, waiting for it to be recorded.

        Raises
        ------
        TimeoutError
            If none is recorded within `timeout` seconds.
        """
        async with asyncio.timeout(timeout):
            while True:
                for record in records[after:]:
                    if predicate(record):
                        return record
                await self.wait()
