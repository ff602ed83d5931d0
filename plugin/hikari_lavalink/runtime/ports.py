"""The seams between the runtime and the IO edge (the transport implements these).

The runtime talks to a node only through :class:`NodeTransport`; the aiohttp
implementation lives in :mod:`hikari_lavalink.transport`, and tests or other IO stacks
can provide their own.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.routes import Route

__all__ = ["NodeTransport", "WebSocketClosed", "WebSocketConnection"]

T = typing.TypeVar("T")


class WebSocketClosed:
    """What :meth:`WebSocketConnection.receive` returns once the socket is closed.

    ``code`` is 1006 when the connection died without a close frame.
    """

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason

    def __repr__(self) -> str:
        return f"WebSocketClosed(code={self.code}, reason={self.reason!r})"


class WebSocketConnection(typing.Protocol):
    """An open WebSocket to a node."""

    @property
    def resumed(self) -> bool | None:
        """The ``Session-Resumed`` response header, or ``None`` if absent."""
        ...

    async def receive(self) -> str | bytes | WebSocketClosed:
        """Wait for the next text frame; a :class:`WebSocketClosed` when it is over."""
        ...

    async def close(self, code: int = 1000) -> None:
        """Close the socket (idempotent)."""
        ...


class NodeTransport(typing.Protocol):
    """How a node reaches its Lavalink server: one WebSocket and REST calls."""

    async def connect(self, headers: collections.abc.Mapping[str, str]) -> WebSocketConnection:
        """Open the WebSocket with these headers (``Authorization`` is added by the transport).

        Raises
        ------
        NodeConnectionError
            The handshake failed; ``status`` holds the HTTP status, if any.
        """
        ...

    async def request(self, route: Route[T], /, *, trace: bool = False) -> T:
        """Make a REST call and decode its answer."""
        ...

    async def close(self) -> None:
        """Release the transport's resources."""
        ...
