"""Every Lavalink v4 REST endpoint as data: a [`Route`][hikari_lavalink.protocol.routes.Route] in, a
typed model or an error out.

A route says what to send (method, path, query, body) and how to read the answer. The
transport only moves bytes; [`parse_response`][hikari_lavalink.protocol.routes.parse_response] turns
a status and a body into the model, or into [`RestError`][hikari_lavalink.RestError]. Nothing here
does IO.

Examples
--------
>>> route = load_tracks("ytsearch:AC/DC")
>>> route.method, route.url
('GET', '/v4/loadtracks?identifier=ytsearch%3AAC%2FDC')
>>> with_trace(info()).url
'/v4/info?trace=true'
"""

from __future__ import annotations

import dataclasses
import operator
import typing
import urllib.parse

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.errors import RemoteProtocolError, RestError, SessionNotFoundError, UsageError
from hikari_lavalink.protocol import codec, models, requests
from hikari_lavalink.protocol import nodelink as nodelink_

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus

__all__ = [
    "REDACTED",
    "Route",
    "parse_response",
    "with_trace",
    "load_tracks",
    "decode_track",
    "decode_tracks",
    "get_players",
    "get_player",
    "player_path",
    "update_player",
    "destroy_player",
    "update_session",
    "info",
    "stats",
    "version",
    "route_planner_status",
    "free_address",
    "free_all",
]

T = typing.TypeVar("T")
T_co = typing.TypeVar("T_co", covariant=True)

_TRACE: typing.Final = ("trace", "true")
REDACTED: typing.Final = "[REDACTED]"
"""What stands for a route's `secret` in its repr, logs and errors."""
_MAX_SNOWFLAKE: typing.Final = 2**63  # Lavalink parses guild ids as a Java long
_SESSION_NOT_FOUND: typing.Final = frozenset(
    {"Session not found", "The provided sessionId doesn't exist."}  # Lavalink's, NodeLink's
)
_UNRESERVED: typing.Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)
# Code point (0-255) -> itself when unreserved, else its ``%XX`` escape.
_ESCAPES: typing.Final = tuple(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in range(256))


def _quote(value: str) -> str:
    """`urllib.parse.quote(value, safe="")`: UTF-8, every byte but `A-Za-z0-9-._~` escaped.

    The UTF-8 bytes are read as Latin-1 (one code point per byte), then translated by a
    256-entry table in C. Lone surrogates raise `UnicodeEncodeError`, as with `quote`.
    """
    if type(value) is not str:  # what urlencode does with anything else
        return urllib.parse.quote(value if isinstance(value, bytes) else str(value), safe="")
    if not value.isascii():
        value = value.encode("utf-8").decode("latin-1")
    return value.translate(_ESCAPES)


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Route(typing.Generic[T_co]):
    """One REST call: what to send and how to read a successful answer.

    Build routes with the functions of this module
    ([`load_tracks`][hikari_lavalink.protocol.routes.load_tracks],
    [`update_player`][hikari_lavalink.protocol.routes.update_player], ...) rather than by hand.
    Routes are immutable and hashable.

    Attributes
    ----------
    method
        The HTTP method (`GET`, `POST`, `PATCH` or `DELETE`).
    path
        The URL-safe path with the ids formatted in, without a query string.
    parser
        Turns the body of a 2xx answer into the model; raises
        [`RemoteProtocolError`][hikari_lavalink.RemoteProtocolError] when it does not fit.
    query
        Query parameters, in order, not yet encoded.
    body
        The JSON body, or `None` when the call has none.
    secret
        A secret the path carries (youtube-source's `/youtube/oauth/{refreshToken}`):
        [`shown_path`][hikari_lavalink.protocol.routes.Route.shown_path], the repr, the
        transport's logs and the errors show `[REDACTED]` in its place (as given, and
        as escaped in the path).
    """

    method: str
    path: str
    parser: collections.abc.Callable[[bytes], T_co]
    _: dataclasses.KW_ONLY
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    secret: str | None = None

    @override
    def __repr__(self) -> str:
        # The body is left out on purpose: a voice update carries Discord's voice token.
        size = "" if self.body is None else f", body={len(self.body)} bytes"
        url = self.url if self.secret is None else self.shown_path
        return f"Route({self.method} {url}{size})"

    @property
    def shown_path(self) -> str:
        """The path as logs and errors show it: `path` with the `secret` redacted."""
        return self.path if not self.secret else _redact(self.path, self.secret)

    @property
    def url(self) -> str:
        """The path followed by the URL-encoded query string, if any.

        Every reserved character of a query value is percent-encoded (`+`, `/` and
        `=` of base64, `:` and spaces of a search), so the server reads back exactly
        the value that was given.
        """
        query = self.query
        if not query:
            return self.path
        # The same bytes as urlencode(query, quote_via=quote, safe=""), at a fraction of
        # its cost: this runs for every load.
        return (
            self.path + "?" + "&".join([f"{_quote(key)}={_quote(value)}" for key, value in query])
        )

    @property
    def traced(self) -> bool:
        """Whether the call asks for the server's stack trace on errors (`trace=true`)."""
        return _TRACE in self.query

    def with_trace(self) -> Route[T_co]:
        """The same call with `trace=true`: error bodies then carry the server's stack trace.

        Returns this route unchanged when it already asks for a trace.
        """
        if self.traced:
            return self
        return dataclasses.replace(self, query=(*self.query, _TRACE))

    def parse(self, body: bytes) -> T_co:
        """Decode the body of a successful (2xx) answer."""
        return self.parser(body)


def with_trace(route: Route[T]) -> Route[T]:
    """Return `route` with `trace=true` added (see
    [`Route.with_trace`][hikari_lavalink.protocol.routes.Route.with_trace])."""
    return route.with_trace()


def parse_response(route: Route[T], status: int, body: bytes) -> T:
    """Turn an HTTP answer to `route` into its model.

    Parameters
    ----------
    route
        The call that was made.
    status
        The HTTP status code of the answer.
    body
        The raw body of the answer (`b""` when there is none).

    Returns
    -------
    T
        The decoded model for a 2xx status; `None` for the routes whose success has no
        body (`DELETE` player, route planner calls, and a 204 route planner status).

    Raises
    ------
    SessionNotFoundError
        404 with the message `Session not found` (NodeLink: `The provided sessionId doesn't
        exist.`): the session is paused or gone.
    RestError
        Any other non-2xx status. `body` holds the parsed Lavalink error, or `None`
        when there is none (401 and 403 never have one; a proxy may answer with HTML).
    RemoteProtocolError
        A 2xx answer whose body does not fit the model.
    """
    if 200 <= status < 300:
        return route.parser(body)
    # 401/403 are rejected before any handler runs and have no error JSON by design.
    error = None if status in (401, 403) else codec.decode_error_body(body)
    if error is not None and route.secret:
        error = _redact_error(error, route.secret)
    if status == 404 and error is not None and error.message in _SESSION_NOT_FOUND:
        raise SessionNotFoundError(status, error, route.shown_path, route.method)
    raise RestError(status, error, route.shown_path, route.method)


def _redact_error(error: models.ErrorBody, secret: str) -> models.ErrorBody:
    # Spring's error body repeats the path (and may quote it in the message or trace).
    return msgspec.structs.replace(
        error,
        message=_redact(error.message, secret),
        path=_redact(error.path, secret),
        trace=None if error.trace is None else _redact(error.trace, secret),
    )


def _redact(text: str, secret: str) -> str:
    # The secret as given and as it is escaped in a path.
    return text.replace(_quote(secret), REDACTED).replace(secret, REDACTED)


# -- parsers of bodiless and plain-text answers ------------------------------------------


def _no_body(_: bytes) -> None:
    return None


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise RemoteProtocolError("version is not UTF-8 text", body) from None


def _planner(body: bytes) -> RoutePlannerStatus | None:
    if not body.strip():
        return None  # 204: no route planner is configured
    return codec.decode_route_planner_status(body)


# -- id checks ----------------------------------------------------------------------------


def _session(session_id: str) -> str:
    if not session_id or session_id.isspace():
        msg = "no Lavalink session id: the node is not connected (ready) yet"
        raise UsageError(msg)
    return urllib.parse.quote(session_id, safe="")


def _guild(guild_id: int) -> int:
    try:
        value = operator.index(guild_id)
    except TypeError:
        msg = f"a guild id must be an int (or a hikari Snowflake), not {type(guild_id).__name__}"
        raise UsageError(msg) from None
    if not 0 < value < _MAX_SNOWFLAKE:
        msg = f"not a guild id: {value}"
        raise UsageError(msg)
    return value


def _player_path(session_id: str, guild_id: int) -> str:
    return f"/v4/sessions/{_session(session_id)}/players/{_guild(guild_id)}"


def player_path(session_id: str, guild_id: int) -> str:
    """`/v4/sessions/{session_id}/players/{guild_id}`, its ids checked and escaped: where the
    plugins' player routes live (`.../lyrics/subscribe`...).

    Raises
    ------
    UsageError
        `session_id` is empty, or `guild_id` is not a positive 64-bit integer.
    """
    return _player_path(session_id, guild_id)


# -- the endpoints (protocol §2.2) --------------------------------------------------------


def load_tracks(identifier: str) -> Route[LoadResult]:
    """`GET /v4/loadtracks?identifier=...`: resolve a URL, an id or a search.

    Parameters
    ----------
    identifier
        A URL, a source-specific id, or a search such as `ytsearch:never gonna`. It is
        URL-encoded for you.
    """
    return Route(
        "GET", "/v4/loadtracks", codec.decode_load_result, query=(("identifier", identifier),)
    )


def decode_track(encoded: str) -> Route[models.Track]:
    """`GET /v4/decodetrack?encodedTrack=...`: decode one base64 track on the server."""
    return Route("GET", "/v4/decodetrack", codec.decode_track, query=(("encodedTrack", encoded),))


def decode_tracks(encoded: collections.abc.Sequence[str]) -> Route[list[models.Track]]:
    """`POST /v4/decodetracks`: decode several base64 tracks, answered in the same order."""
    body = codec.encode(list(encoded))
    return Route("POST", "/v4/decodetracks", codec.decode_tracks, body=body)


def get_players(session_id: str, *, nodelink: bool = False) -> Route[list[models.Player]]:
    """`GET /v4/sessions/{session_id}/players`: every player of the session (`nodelink`:
    the answer is NodeLink's player JSON, see [`nodelink`][hikari_lavalink.protocol.nodelink]).

    Raises
    ------
    UsageError
        `session_id` is empty (the node has no session yet).
    """
    parser = nodelink_.decode_players if nodelink else codec.decode_players
    return Route("GET", f"/v4/sessions/{_session(session_id)}/players", parser)


def get_player(session_id: str, guild_id: int, *, nodelink: bool = False) -> Route[models.Player]:
    """`GET /v4/sessions/{session_id}/players/{guild_id}`: one player (`nodelink`: the answer
    is NodeLink's player JSON, see [`nodelink`][hikari_lavalink.protocol.nodelink]).

    Raises
    ------
    UsageError
        `session_id` is empty, or `guild_id` is not a positive 64-bit integer.
    """
    parser = nodelink_.decode_player if nodelink else codec.decode_player
    return Route("GET", _player_path(session_id, guild_id), parser)


def update_player(
    session_id: str,
    guild_id: int,
    update: requests.UpdatePlayer,
    *,
    no_replace: bool = False,
    nodelink: bool = False,
) -> Route[models.Player]:
    """`PATCH /v4/sessions/{session_id}/players/{guild_id}?noReplace=...`.

    Creates the player when it does not exist. The answer is the updated player.

    Parameters
    ----------
    session_id
        The node's Lavalink session id.
    guild_id
        The guild of the player.
    update
        What to change; `UNSET` fields are left as they are.
    no_replace
        When `True` a new track is only started if nothing is playing.
    nodelink
        The node is NodeLink: its answer is read as NodeLink's player JSON.

    Raises
    ------
    UsageError
        `session_id` is empty, or `guild_id` is not a positive 64-bit integer.
    """
    return Route(
        "PATCH",
        _player_path(session_id, guild_id),
        nodelink_.decode_player if nodelink else codec.decode_player,
        query=(("noReplace", "true" if no_replace else "false"),),
        body=codec.encode(update),
    )


def destroy_player(session_id: str, guild_id: int) -> Route[None]:
    """`DELETE /v4/sessions/{session_id}/players/{guild_id}` (204, also when absent).

    Raises
    ------
    UsageError
        `session_id` is empty, or `guild_id` is not a positive 64-bit integer.
    """
    return Route("DELETE", _player_path(session_id, guild_id), _no_body)


def update_session(session_id: str, update: models.SessionUpdate) -> Route[models.Session]:
    """`PATCH /v4/sessions/{session_id}`: resuming and its timeout (seconds).

    Raises
    ------
    UsageError
        `session_id` is empty.
    """
    path = f"/v4/sessions/{_session(session_id)}"
    return Route("PATCH", path, codec.decode_session, body=codec.encode(update))


def info() -> Route[models.Info]:
    """`GET /v4/info`: the server's version, sources, filters and plugins."""
    return Route("GET", "/v4/info", codec.decode_info)


def stats() -> Route[models.Stats]:
    """`GET /v4/stats` (`frame_stats` is always `None` over REST)."""
    return Route("GET", "/v4/stats", codec.decode_stats)


def version() -> Route[str]:
    """`GET /version` (not under `/v4`): the version as plain text, e.g. `4.2.2`."""
    return Route("GET", "/version", _text)


def route_planner_status(*, nodelink: bool = False) -> Route[RoutePlannerStatus | None]:
    """`GET /v4/routeplanner/status`; `None` when no planner is configured (204); `nodelink`:
    NodeLink's answer (its IP block size is a number)."""
    parser = nodelink_.decode_route_planner_status if nodelink else _planner
    return Route("GET", "/v4/routeplanner/status", parser)


def free_address(address: str) -> Route[None]:
    """`POST /v4/routeplanner/free/address`: unmark one failing address (204)."""
    body = codec.encode(requests.FreeAddress(address=address))
    return Route("POST", "/v4/routeplanner/free/address", _no_body, body=body)


def free_all() -> Route[None]:
    """`POST /v4/routeplanner/free/all`: unmark every failing address (204)."""
    return Route("POST", "/v4/routeplanner/free/all", _no_body)
