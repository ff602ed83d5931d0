"""Every Lavalink v4 REST endpoint as data: a :class:`Route` in, a typed model or an error out.

A route says what to send (method, path, query, body) and how to read the answer. The
transport only moves bytes; :func:`parse_response` turns a status and a body into the
model, or into :class:`~hikari_lavalink.RestError`.
"""

from __future__ import annotations

import typing
import urllib.parse

from hikari_lavalink.errors import RestError, SessionNotFoundError, UsageError
from hikari_lavalink.protocol import codec, models, requests

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus

__all__ = [
    "Route",
    "decode_track",
    "decode_tracks",
    "destroy_player",
    "free_address",
    "free_all",
    "get_player",
    "get_players",
    "info",
    "load_tracks",
    "parse_response",
    "route_planner_status",
    "stats",
    "update_player",
    "update_session",
    "version",
]

T = typing.TypeVar("T")
T_co = typing.TypeVar("T_co", covariant=True)


class Route(typing.Generic[T_co]):
    """One REST call: what to send and how to read the answer.

    Attributes
    ----------
    method
        The HTTP method.
    path
        The path, with ids already formatted in (never with a query string).
    query
        Query parameters, in order.
    body
        The JSON body, or ``None``.
    """

    __slots__ = ("_parse", "body", "method", "path", "query")

    def __init__(
        self,
        method: str,
        path: str,
        parse: collections.abc.Callable[[bytes], T_co],
        *,
        query: tuple[tuple[str, str], ...] = (),
        body: bytes | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self._parse = parse

    def __repr__(self) -> str:
        return f"Route({self.method} {self.url})"

    @property
    def url(self) -> str:
        """The path with its URL-encoded query string."""
        if not self.query:
            return self.path
        return f"{self.path}?{urllib.parse.urlencode(self.query, quote_via=urllib.parse.quote)}"

    def with_trace(self) -> Route[T_co]:
        """The same call with ``trace=true`` (errors then carry the server's stack trace)."""
        return Route(
            self.method,
            self.path,
            self._parse,
            query=(*self.query, ("trace", "true")),
            body=self.body,
        )

    def parse(self, body: bytes) -> T_co:
        """Decode a successful answer's body."""
        return self._parse(body)


def parse_response(route: Route[T], status: int, body: bytes) -> T:
    """Turn an HTTP answer into the route's model.

    Raises
    ------
    SessionNotFoundError
        404 ``Session not found``.
    RestError
        Any other non-2xx status (``body`` is ``None`` when there is no error JSON).
    RemoteProtocolError
        A 2xx answer whose body does not fit the model.
    """
    if 200 <= status < 300:
        return route.parse(body)
    error = codec.decode_error_body(body)
    if status == 404 and error is not None and error.message == "Session not found":
        raise SessionNotFoundError(status, error, route.path, route.method)
    raise RestError(status, error, route.path, route.method)


def _none(_: bytes) -> None:
    return None


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace").strip()


def _planner(body: bytes) -> RoutePlannerStatus | None:
    if not body.strip():
        return None  # 204: no route planner configured
    return codec.decode_route_planner_status(body)


def _session(session_id: str) -> str:
    if not session_id:
        msg = "no session id: the node is not connected yet"
        raise UsageError(msg)
    return urllib.parse.quote(session_id, safe="")


def _guild(guild_id: int) -> int:
    if not 0 < int(guild_id) < 2**64:
        msg = f"not a guild id: {guild_id!r}"
        raise UsageError(msg)
    return int(guild_id)


def load_tracks(identifier: str) -> Route[LoadResult]:
    """``GET /v4/loadtracks?identifier=...`` (a URL, an id, or ``ytsearch:...``)."""
    return Route(
        "GET", "/v4/loadtracks", codec.decode_load_result, query=(("identifier", identifier),)
    )


def decode_track(encoded: str) -> Route[models.Track]:
    """``GET /v4/decodetrack?encodedTrack=...``."""
    return Route("GET", "/v4/decodetrack", codec.decode_track, query=(("encodedTrack", encoded),))


def decode_tracks(encoded: collections.abc.Sequence[str]) -> Route[list[models.Track]]:
    """``POST /v4/decodetracks`` with a JSON array of encoded tracks."""
    return Route("POST", "/v4/decodetracks", codec.decode_tracks, body=codec.encode(list(encoded)))


def get_players(session_id: str) -> Route[list[models.Player]]:
    """``GET /v4/sessions/{session_id}/players``."""
    return Route("GET", f"/v4/sessions/{_session(session_id)}/players", codec.decode_players)


def get_player(session_id: str, guild_id: int) -> Route[models.Player]:
    """``GET /v4/sessions/{session_id}/players/{guild_id}``."""
    path = f"/v4/sessions/{_session(session_id)}/players/{_guild(guild_id)}"
    return Route("GET", path, codec.decode_player)


def update_player(
    session_id: str, guild_id: int, update: requests.UpdatePlayer, *, no_replace: bool = False
) -> Route[models.Player]:
    """``PATCH /v4/sessions/{session_id}/players/{guild_id}?noReplace=...``."""
    path = f"/v4/sessions/{_session(session_id)}/players/{_guild(guild_id)}"
    return Route(
        "PATCH",
        path,
        codec.decode_player,
        query=(("noReplace", "true" if no_replace else "false"),),
        body=codec.encode(update),
    )


def destroy_player(session_id: str, guild_id: int) -> Route[None]:
    """``DELETE /v4/sessions/{session_id}/players/{guild_id}`` (204)."""
    path = f"/v4/sessions/{_session(session_id)}/players/{_guild(guild_id)}"
    return Route("DELETE", path, _none)


def update_session(session_id: str, update: models.SessionUpdate) -> Route[models.Session]:
    """``PATCH /v4/sessions/{session_id}`` (resuming and its timeout)."""
    path = f"/v4/sessions/{_session(session_id)}"
    return Route("PATCH", path, codec.decode_session, body=codec.encode(update))


def info() -> Route[models.Info]:
    """``GET /v4/info``."""
    return Route("GET", "/v4/info", codec.decode_info)


def stats() -> Route[models.Stats]:
    """``GET /v4/stats`` (no frame stats over REST)."""
    return Route("GET", "/v4/stats", codec.decode_stats)


def version() -> Route[str]:
    """``GET /version`` (plain text, not versioned)."""
    return Route("GET", "/version", _text)


def route_planner_status() -> Route[RoutePlannerStatus | None]:
    """``GET /v4/routeplanner/status``; ``None`` when no planner is configured (204)."""
    return Route("GET", "/v4/routeplanner/status", _planner)


def free_address(address: str) -> Route[None]:
    """``POST /v4/routeplanner/free/address``."""
    body = codec.encode(requests.FreeAddress(address=address))
    return Route("POST", "/v4/routeplanner/free/address", _none, body=body)


def free_all() -> Route[None]:
    """``POST /v4/routeplanner/free/all``."""
    return Route("POST", "/v4/routeplanner/free/all", _none)
