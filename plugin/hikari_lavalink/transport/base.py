"""The seams between the runtime and the IO edge (the transport implements these).

The runtime talks to a node only through
[`NodeTransport`][hikari_lavalink.transport.base.NodeTransport]; the aiohttp implementation lives in
`hikari_lavalink.transport`, and tests or other IO stacks can provide their own.
"""

from __future__ import annotations

import typing

from hikari_lavalink._typing import override

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.routes import Route

__all__ = ["NodeTransport", "WebSocketClosed", "WebSocketConnection", "receive_frame"]

T = typing.TypeVar("T")


class WebSocketClosed:
    """What
    [`WebSocketConnection.receive`][hikari_lavalink.transport.base.WebSocketConnection.receive]
    returns once the socket is closed.

    `code` is 1006 when the connection died without a close frame.
    """

    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str = "") -> None:
        self.code: int = code
        self.reason: str = reason

    @override
    def __repr__(self) -> str:
        return f"WebSocketClosed(code={self.code}, reason={self.reason!r})"


class WebSocketConnection(typing.Protocol):
    """An open WebSocket to a node.

    The node's reader uses the hot-path trio
    [`next_message`][hikari_lavalink.transport.base.WebSocketConnection.next_message],
    [`frame_kinds`][hikari_lavalink.transport.base.WebSocketConnection.frame_kinds] and
    [`end_of`][hikari_lavalink.transport.base.WebSocketConnection.end_of] /
    [`failed`][hikari_lavalink.transport.base.WebSocketConnection.failed]: it awaits the IO stack's
    own receive directly, with no coroutine of ours wrapped around it (a layer that costs a
    measurable share of the per-message budget).
    [`receive`][hikari_lavalink.transport.base.WebSocketConnection.receive] is the same, packaged
    for everyone else.
    """

    @property
    def resumed(self) -> bool | None:
        """The `Session-Resumed` response header, or `None` if absent."""
        ...

    @property
    def frame_kinds(self) -> tuple[object, object]:
        """The two message kinds (text, binary) whose data is a frame."""
        ...

    @property
    def next_message(
        self,
    ) -> collections.abc.Callable[
        [], collections.abc.Awaitable[tuple[object, typing.Any, typing.Any]]
    ]:
        """Await `next_message()` for the next message as `(kind, data, extra)`, in the IO
        stack's own terms (a property, so that it can be the IO stack's own coroutine).

        When `kind` is one of
        [`frame_kinds`][hikari_lavalink.transport.base.WebSocketConnection.frame_kinds], `data` is
        the frame (`str` or `bytes`); give any other message to
        [`end_of`][hikari_lavalink.transport.base.WebSocketConnection.end_of], and any exception
        this raises to [`failed`][hikari_lavalink.transport.base.WebSocketConnection.failed].
        """
        ...

    def end_of(self, kind: object, data: typing.Any, extra: typing.Any) -> WebSocketClosed | None:
        """What a message that is not a frame means: how the socket closed, or `None`."""
        ...

    def failed(self, error: Exception) -> WebSocketClosed:
        """The close that an exception from
        [`next_message`][hikari_lavalink.transport.base.WebSocketConnection.next_message] stands
        for.

        Raises `error` again when it is not a network failure (a bug to see).
        """
        ...

    async def receive(self) -> str | bytes | WebSocketClosed:
        """Wait for the next frame; a
        [`WebSocketClosed`][hikari_lavalink.transport.base.WebSocketClosed] when it is over."""
        ...

    async def close(self, code: int = 1000) -> None:
        """Close the socket (idempotent)."""
        ...


class NodeTransport(typing.Protocol):
    """How a node reaches its Lavalink server: one WebSocket and REST calls."""

    async def connect(self, headers: collections.abc.Mapping[str, str]) -> WebSocketConnection:
        """Open the WebSocket with these headers (`Authorization` is added by the transport).

        Raises
        ------
        NodeConnectionError
            The handshake failed; `status` holds the HTTP status, if any.
        """
        ...

    async def request(self, route: Route[T], /, *, trace: bool = False) -> T:
        """Make a REST call and decode its answer."""
        ...

    async def close(self) -> None:
        """Release the transport's resources."""
        ...


async def receive_frame(conn: WebSocketConnection) -> str | bytes | WebSocketClosed:
    """The next frame of `conn` through its hot-path trio, or how it closed.

    What [`WebSocketConnection.receive`][hikari_lavalink.transport.base.WebSocketConnection.receive]
    does, written once for every implementation.
    """
    text_kind, binary_kind = conn.frame_kinds
    while True:
        try:
            kind, data, extra = await conn.next_message()
        except Exception as exc:  # noqa: BLE001 - failed() keeps the network failures
            return conn.failed(exc)
        if kind is text_kind or kind is binary_kind:
            frame: str | bytes = data
            return frame
        closed = conn.end_of(kind, data, extra)
        if closed is not None:
            return closed
