"""Foreign exceptions stop here: aiohttp, socket and timeout errors become ours.

One mapping for the whole IO edge (REST and the WebSocket), in the style of httpcore's
`map_exceptions`: wrap the IO in `map_connection_errors` and every network failure
leaves as a [`NodeConnectionError`][hikari_lavalink.NodeConnectionError] that names the node and
says what happened. No aiohttp type escapes: the original exception is neither the cause nor shown
as the context (its type name and text are in the message), and the password, when given, is
redacted from that text.

Examples
--------
```python
with map_connection_errors("main", "GET /v4/info", timeout=10.0, secret=password):
    async with asyncio.timeout(10.0):
        ...  # aiohttp calls
```
"""

from __future__ import annotations

import typing

import aiohttp

from hikari_lavalink._typing import override
from hikari_lavalink.errors import NodeConnectionError

if typing.TYPE_CHECKING:
    import types

__all__ = ["REDACTED", "map_connection_errors", "node_connection_error", "redact"]

REDACTED: typing.Final = "[REDACTED]"
"""What replaces the password wherever it would have appeared."""


def redact(text: str, secret: str | None) -> str:
    """Return `text` with every occurrence of `secret` replaced by `REDACTED`."""
    if secret and secret in text:
        return text.replace(secret, REDACTED)
    return text


def node_connection_error(
    exc: BaseException,
    node_name: str,
    what: str,
    *,
    timeout: float | None = None,
    secret: str | None = None,
) -> NodeConnectionError | None:
    """Translate one network exception, or return `None` when it is not one.

    Parameters
    ----------
    exc
        The exception that was raised.
    node_name
        The node's name, for the error.
    what
        What was being done, e.g. `"GET /v4/info"` or `"WebSocket handshake"`.
    timeout
        The deadline in seconds, mentioned when `exc` is a timeout.
    secret
        The password, redacted from the message should the foreign text contain it.

    Returns
    -------
    NodeConnectionError | None
        `fatal=True` with the status for an HTTP 401/403 answer (retrying cannot help),
        otherwise `fatal=False`; `None` for anything that is not a network failure
        (including `asyncio.CancelledError`, which must propagate untouched).
    """
    status: int | None = None
    fatal = False
    # TimeoutError first: it is an OSError, and aiohttp's timeouts are also ClientErrors.
    if isinstance(exc, TimeoutError):
        after = f" after {timeout:g} s" if timeout is not None else ""
        message = f"{what} timed out{after}"
    elif isinstance(exc, aiohttp.ClientResponseError):
        status = exc.status
        fatal = status in (401, 403)
        reason = "the password was rejected" if fatal else "unexpected answer"
        message = f"{what} failed: {reason} (HTTP {status})"
    elif isinstance(exc, aiohttp.ClientError | OSError):
        detail = str(exc)
        message = f"{what} failed: {type(exc).__name__}" + (f": {detail}" if detail else "")
    else:
        return None
    return NodeConnectionError(node_name, redact(message, secret), status=status, fatal=fatal)


class map_connection_errors:  # noqa: N801 -- used like a function: `with map_connection_errors(...)`
    """Context manager that re-raises network failures as `NodeConnectionError`.

    Parameters
    ----------
    node_name
        The node's name, for the error.
    what
        What is being done, e.g. `"GET /v4/info"`; it starts the error message.
    timeout
        The deadline in seconds, mentioned when the failure is a timeout. The deadline
        itself is set by the caller (`asyncio.timeout` inside this block).
    secret
        The password, redacted from every message.

    Notes
    -----
    Usable around `await` expressions: it is a plain (synchronous) context manager.
    Exceptions that are not network failures pass through unchanged.
    """

    __slots__ = ("_node_name", "_secret", "_timeout", "_what")

    def __init__(
        self,
        node_name: str,
        what: str,
        *,
        timeout: float | None = None,
        secret: str | None = None,
    ) -> None:
        self._node_name = node_name
        self._what = what
        self._timeout = timeout
        self._secret = secret

    @override
    def __repr__(self) -> str:
        return f"map_connection_errors({self._node_name!r}, {self._what!r})"

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        if exc is None:
            return
        error = node_connection_error(
            exc, self._node_name, self._what, timeout=self._timeout, secret=self._secret
        )
        if error is not None:
            raise error from None
