"""The node WebSocket over aiohttp: handshake headers in, text frames out.

Every `aiohttp.WSMsgType` is handled; the connection ends in exactly one
[`WebSocketClosed`][hikari_lavalink.transport.base.WebSocketClosed] with the close code (1006 when
the connection died without a close frame). The password is only ever put in the `Authorization`
header.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import typing

import aiohttp

from hikari_lavalink.errors import NodeConnectionError
from hikari_lavalink.transport import base
from hikari_lavalink.transport.base import WebSocketClosed

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["AiohttpWebSocket", "connect_websocket"]

_LOGGER = logging.getLogger("hikari_lavalink.transport.websocket")
ABNORMAL_CLOSURE: typing.Final = 1006
_TEXT: typing.Final = aiohttp.WSMsgType.TEXT
_BINARY: typing.Final = aiohttp.WSMsgType.BINARY
_CLOSE: typing.Final = aiohttp.WSMsgType.CLOSE
_ENDED: typing.Final = (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)
_ERROR: typing.Final = aiohttp.WSMsgType.ERROR
_FRAME_KINDS: typing.Final = (_TEXT, _BINARY)
# aiohttp 3.14+ can hand text frames over as the raw bytes: msgspec decodes (and checks the
# UTF-8 of) bytes directly, so the str aiohttp would build per frame is skipped.
_RAW_TEXT: typing.Final[dict[str, typing.Any]] = (
    {"decode_text": False}
    if "decode_text" in inspect.signature(aiohttp.ClientSession.ws_connect).parameters
    else {}
)


class AiohttpWebSocket:
    """An open WebSocket to a Lavalink node."""

    __slots__ = ("_closed", "_resumed", "_ws")

    def __init__(
        self, ws: aiohttp.ClientWebSocketResponse[typing.Any], resumed: bool | None
    ) -> None:
        self._ws = ws
        self._resumed = resumed
        self._closed: WebSocketClosed | None = None

    @property
    def next_message(
        self,
    ) -> collections.abc.Callable[
        [], collections.abc.Awaitable[tuple[object, typing.Any, typing.Any]]
    ]:
        """aiohttp's own `receive`: `(kind, data, extra)` messages (the hot path)."""
        return self._ws.receive

    @property
    def frame_kinds(self) -> tuple[object, object]:
        """The aiohttp message kinds whose data is a frame."""
        return _FRAME_KINDS

    @property
    def resumed(self) -> bool | None:
        """The `Session-Resumed` response header (`None` when absent)."""
        return self._resumed

    async def receive(self) -> str | bytes | WebSocketClosed:
        """The next text frame (`bytes` on aiohttp 3.14+), or how the connection closed."""
        if self._closed is not None:
            return self._closed
        return await base.receive_frame(self)

    def end_of(self, kind: object, data: typing.Any, extra: typing.Any) -> WebSocketClosed | None:
        """How the socket closed, for a message that is not a frame (`None`: not closed)."""
        ws = self._ws
        if kind is _CLOSE:
            code = typing.cast("int | None", data) or ws.close_code or ABNORMAL_CLOSURE
            return self._finish(code, str(extra or ""))
        if kind in _ENDED:
            return self._finish(ws.close_code or ABNORMAL_CLOSURE, "connection closed")
        if kind is _ERROR:
            return self._finish(ABNORMAL_CLOSURE, f"connection error: {ws.exception()}")
        # PING, PONG and CONTINUATION are handled by aiohttp itself; nothing to do.
        return None

    def failed(self, error: Exception) -> WebSocketClosed:
        """The close an exception from
        [`next_message`][hikari_lavalink.transport.websocket.AiohttpWebSocket.next_message] stands
        for (re-raises bugs)."""
        if not isinstance(error, TimeoutError | aiohttp.ClientError | OSError):
            raise error
        return self._finish(ABNORMAL_CLOSURE, f"{type(error).__name__}: {error}")

    def _finish(self, code: int, reason: str) -> WebSocketClosed:
        self._closed = WebSocketClosed(code, reason)
        return self._closed

    async def close(self, code: int = 1000) -> None:
        """Close the socket (idempotent; never raises)."""
        try:
            await self._ws.close(code=code)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            _LOGGER.debug("closing the node WebSocket failed: %s", exc)


async def connect_websocket(
    session: aiohttp.ClientSession,
    url: str,
    *,
    password: str,
    headers: collections.abc.Mapping[str, str],
    node_name: str,
    timeout: float = 10.0,
    heartbeat: float | None = 30.0,
) -> AiohttpWebSocket:
    """Open the node WebSocket.

    Raises
    ------
    NodeConnectionError
        With `fatal=True` and the status for 401/403 (password rejected), otherwise
        with `fatal=False` (refused, timed out, 5xx, not a WebSocket endpoint).
    """
    all_headers = {**headers, "Authorization": password}
    try:
        async with asyncio.timeout(timeout):
            # Typed loosely: which keywords exist depends on the aiohttp version.
            connect: typing.Any = session.ws_connect
            ws: aiohttp.ClientWebSocketResponse[typing.Any] = await connect(
                url, headers=all_headers, heartbeat=heartbeat, autoping=True, **_RAW_TEXT
            )
    except aiohttp.WSServerHandshakeError as exc:
        status = exc.status
        fatal = status in (401, 403)
        what = "the password was rejected" if fatal else "the WebSocket handshake failed"
        raise NodeConnectionError(
            node_name, f"{what} (HTTP {status})", status=status, fatal=fatal
        ) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        cause = exc.os_error if isinstance(exc, aiohttp.ClientConnectorError) else exc
        raise NodeConnectionError(
            node_name,
            f"cannot reach {url}: {type(exc).__name__}: {exc}",
            fatal=False,
            refused=isinstance(cause, ConnectionRefusedError),
        ) from None
    return AiohttpWebSocket(ws, _session_resumed(ws))


def _session_resumed(ws: aiohttp.ClientWebSocketResponse[typing.Any]) -> bool | None:
    # aiohttp keeps the handshake response private; read it defensively. When it is not
    # there, ``ready.resumed`` carries the same fact a moment later.
    response: typing.Any = getattr(ws, "_response", None)
    headers: typing.Any = getattr(response, "headers", None)
    raw: typing.Any = headers.get("Session-Resumed") if headers is not None else None
    return None if not isinstance(raw, str) else raw.lower() == "true"
