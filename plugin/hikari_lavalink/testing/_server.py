"""Plumbing shared by the fakes: serving an aiohttp app, cutting sockets, waiting for change."""

from __future__ import annotations

import asyncio
import contextlib
import typing

from aiohttp import web

__all__ = ["Activity", "abort", "serve"]


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host:port`` (0: any free port); return the runner and the real port."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    return runner, int(runner.addresses[0][1])


def abort(ws: web.WebSocketResponse) -> None:
    """Cut a server-side WebSocket's TCP connection with no close frame (a network failure)."""
    request: typing.Any = getattr(ws, "_req", None)
    transport: typing.Any = getattr(request, "transport", None)
    if transport is not None:
        transport.abort()


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
