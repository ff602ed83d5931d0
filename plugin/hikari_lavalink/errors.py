"""The one exception tree of hikari-lavalink.

Every error says whose fault it is and carries the facts needed to act on it:

```
LavalinkError
 +-- UsageError               the caller did something the library's state does not allow
 +-- RemoteProtocolError      Lavalink sent bytes that are not valid JSON or do not fit the schema
 +-- RestError                a REST call answered with a non-2xx status
 |    +-- SessionNotFoundError    404 "Session not found" (the session is paused or gone)
 |    +-- PlayerNotFoundError     404 "Player not found" (a plugin's player route)
 |    +-- NoTrackPlayingError     404 "No track playing" (a plugin's current-track route)
 |    +-- FeatureNotSupportedError  the node's plugin has no route for the call (too old)
 +-- NodeError                something about a node as a whole
      +-- NodeConnectionError     the WebSocket could not be (re)opened, e.g. password rejected
      +-- NodeClosedError         the node closed the WebSocket (code, reason, can_resume)
      +-- NoNodeAvailableError    no connected node can take a player
      |    +-- NodeReadyTimeoutError   no node became ready in time (also a TimeoutError)
      +-- VoiceTimeoutError       Discord did not hand over the voice credentials in time
                                  (also a TimeoutError)
```

No message, `repr` or attribute of these errors contains the Lavalink password.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol import models

__all__ = [
    "LavalinkError",
    "UsageError",
    "RemoteProtocolError",
    "RestError",
    "SessionNotFoundError",
    "PlayerNotFoundError",
    "NoTrackPlayingError",
    "FeatureNotSupportedError",
    "NodeError",
    "NodeConnectionError",
    "NodeClosedError",
    "NoNodeAvailableError",
    "NodeReadyTimeoutError",
    "VoiceTimeoutError",
    "StoreError",
    "ShardsClaimedError",
]

_MAX_RAW_IN_MESSAGE = 200


class LavalinkError(Exception):
    """Base class of every error this library raises."""


class UsageError(LavalinkError):
    """The caller asked for something the current state does not allow.

    For example: playing on a player whose node is gone, or joining a guild whose shard
    is not run by this process.
    """


class ShardNotConnectedError(UsageError):
    """The guild's shard is not connected right now, so op 4 could not be sent.

    hikari reconnects it by itself; a join can be tried again once it is back.
    """


class RemoteProtocolError(LavalinkError):
    """Lavalink sent a payload that is not valid JSON or does not fit the v4 schema.

    Attributes
    ----------
    data
        The raw bytes as received (never contains the password: it comes from the server).
    """

    __slots__ = ("data",)

    def __init__(self, message: str, data: bytes | str = b"") -> None:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
        self.data: bytes = raw
        shown = self.data[:_MAX_RAW_IN_MESSAGE]
        more = "..." if len(self.data) > _MAX_RAW_IN_MESSAGE else ""
        super().__init__(f"{message} (payload: {shown!r}{more})")
        self.reason = message


class RestError(LavalinkError):
    """A REST call answered with a non-2xx status.

    Attributes
    ----------
    status
        The HTTP status code.
    body
        The parsed Lavalink error body, or `None` when there is none (401 and 403 have
        no body; a proxy may answer with HTML).
    path
        The request path, without the query string.
    method
        The HTTP method.
    """

    __slots__ = ("body", "method", "path", "status")

    def __init__(
        self, status: int, body: models.ErrorBody | None, path: str, method: str = "GET"
    ) -> None:
        self.status: int = status
        self.body: models.ErrorBody | None = body
        self.path: str = path
        self.method: str = method
        detail = body.message if body is not None and body.message else _status_hint(status)
        super().__init__(f"{method} {path} failed with HTTP {status}: {detail}")


class SessionNotFoundError(RestError):
    """404 `Session not found`: the session is paused awaiting resume, or it is gone."""


class PlayerNotFoundError(RestError):
    """404 `Player not found`: the node has no player for the guild (a plugin's player
    route; the player is being rebuilt after a shard death, say)."""


class NoTrackPlayingError(RestError):
    """404 `No track playing`: a plugin's call about the current track, with none playing."""


class FeatureNotSupportedError(RestError):
    """The node's plugin has no route for this call (404 from an unmapped path, or 405): it
    is older than the feature (live lyrics need a LavaLyrics newer than 1.0.0).

    Attributes
    ----------
    feature
        What was asked for (`"live lyrics"`).
    """

    __slots__ = ("feature",)

    def __init__(self, error: RestError, feature: str) -> None:
        super().__init__(error.status, error.body, error.path, error.method)
        self.feature: str = feature
        self.args: tuple[typing.Any, ...] = (
            f"{error.method} {error.path} failed with HTTP {error.status}: the node's plugin "
            f"does not support {feature} (update the plugin on the node)",
        )


class NodeError(LavalinkError):
    """Something went wrong with a node as a whole.

    Attributes
    ----------
    node
        The node's name.
    """

    __slots__ = ("node",)

    def __init__(self, node: str, message: str) -> None:
        self.node: str = node
        super().__init__(f"node {node!r}: {message}")


class NodeConnectionError(NodeError):
    """The node's WebSocket could not be opened.

    Attributes
    ----------
    status
        The HTTP status of the refused handshake, or `None` for a network failure.
    fatal
        `True` when retrying cannot help (401/403: the password was rejected).
    refused
        `True` when the server's port refused the connection: nothing listens there, so
        the Lavalink process is gone (and its sessions with it), not merely unreachable.
    """

    __slots__ = ("fatal", "refused", "status")

    def __init__(
        self,
        node: str,
        message: str,
        *,
        status: int | None = None,
        fatal: bool,
        refused: bool = False,
    ) -> None:
        self.status: int | None = status
        self.fatal: bool = fatal
        self.refused: bool = refused
        super().__init__(node, message)


class NodeClosedError(NodeError):
    """The node closed the WebSocket.

    Attributes
    ----------
    code
        The WebSocket close code (1006 when the connection died without a close frame).
    reason
        The close reason the server gave, possibly empty.
    can_resume
        Whether the session may still be resumed.
    """

    __slots__ = ("can_resume", "code", "reason")

    def __init__(self, node: str, code: int, reason: str, *, can_resume: bool) -> None:
        self.code: int = code
        self.reason: str = reason
        self.can_resume: bool = can_resume
        what = "resumable" if can_resume else "not resumable"
        super().__init__(node, f"WebSocket closed with code {code} {reason!r} ({what})")


class NoNodeAvailableError(LavalinkError):
    """No connected node can take a player right now."""


class NodeReadyTimeoutError(NoNodeAvailableError, TimeoutError):
    """No node became ready within the time given (`wait_ready(timeout=...)`).

    A `TimeoutError` too, so that `except TimeoutError` catches it; its message
    names each node and where it is.
    """


class VoiceTimeoutError(LavalinkError, TimeoutError):
    """Discord did not send the voice state and voice server updates in time.

    A `TimeoutError` too, so that `except TimeoutError` catches it.
    """


class StoreError(LavalinkError):
    """The store refused this process (see
    [`RedisStore`][hikari_lavalink.store.redis.RedisStore])."""


class ShardsClaimedError(StoreError):
    """Another live process of the bot runs some of this process's shards.

    Two processes must never drive one guild: start each with its own shards, or let the
    other one stop (its claim ends with it, or after the store's lease time when it was
    killed), or ask the store to wait (`RedisStore(wait_for_shards=...)`).

    Attributes
    ----------
    owners
        Shard id -> the instance that holds it.
    """

    __slots__ = ("owners",)

    def __init__(self, message: str, owners: dict[int, str]) -> None:
        self.owners: dict[int, str] = owners
        super().__init__(message)


def _status_hint(status: int) -> str:
    if status == 401:
        return "no Authorization header was accepted (missing password)"
    if status == 403:
        return "the password was rejected"
    return "no error body"
