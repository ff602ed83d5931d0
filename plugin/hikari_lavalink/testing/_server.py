"""Plumbing the fakes share: listening, cutting sockets, reading a socket, waiting for change.

Both fakes (:mod:`~hikari_lavalink.testing.fake_discord` and
:mod:`~hikari_lavalink.testing.fake_lavalink`) serve an aiohttp app on a port they keep across
a stop (a restarted server comes back where it was), cut sockets with no close frame to play a
network failure, read each WebSocket until it closes, and record what happens in plain lists.
Whenever they record something they raise one :class:`Activity` flag; their ``wait_for_*``
helpers look at the records again each time it rises, so a test waits on what happened rather
than on a clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import typing

import aiohttp
from aiohttp import web

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["Activity", "Listener", "abort", "read", "serve"]

T = typing.TypeVar("T")

_ENDED: typing.Final = frozenset(
    (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
)
_DATA: typing.Final = frozenset((aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY))


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host:port`` (0: any free port); return the runner and the real port."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    return runner, int(runner.addresses[0][1])


class Listener:
    """One fake's listening socket: the port it got stays its port after a stop."""

    __slots__ = ("_port", "_runner")

    def __init__(self, port: int) -> None:
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port: the one asked for until the first start, then the one bound."""
        return self._port

    @property
    def running(self) -> bool:
        """Whether it listens."""
        return self._runner is not None

    async def start(self, host: str, app: collections.abc.Callable[[], web.Application]) -> bool:
        """Serve a new ``app()`` (on the same port as before); ``False`` if already listening."""
        if self._runner is not None:
            return False
        self._runner, self._port = await serve(app(), host, self._port)
        return True

    async def stop(self) -> None:
        """Stop listening (idempotent); the port is kept for the next start."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


def abort(socket: web.WebSocketResponse | web.BaseRequest) -> None:
    """Cut a server-side WebSocket's TCP connection with no close frame (a network failure).

    ``socket`` is the WebSocket or, better, the request that opened it (its transport is
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
    """Hand each text or binary message to ``handle`` (if any) until the socket closes.

    Returns the peer's close code, or ``None`` when the connection ended without a close frame
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
        """Wait for the next happening, at most ``timeout`` seconds."""
        self._event.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._event.wait()

    async def until(self, condition: collections.abc.Callable[[], object], timeout: float) -> None:
        """Return once ``condition()`` is true, checked again after each happening.

        Raises
        ------
        TimeoutError
            If it is not true within ``timeout`` seconds.
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
        """Return the first of ``records[after:]`` that matches, waiting for it to be recorded.

        Raises
        ------
        TimeoutError
            If none is recorded within ``timeout`` seconds.
        """
        async with asyncio.timeout(timeout):
            while True:
                for record in records[after:]:
                    if predicate(record):
                        return record
                await self.wait()
