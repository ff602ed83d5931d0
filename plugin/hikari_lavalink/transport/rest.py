"""REST over aiohttp: a [`Route`][hikari_lavalink.protocol.routes.Route] in, its model out.

The only place HTTP requests are made. Network failures and timeouts become
[`NodeConnectionError`][hikari_lavalink.NodeConnectionError] (through
`map_connection_errors`); non-2xx answers become
[`RestError`][hikari_lavalink.RestError] (through
[`parse_response`][hikari_lavalink.protocol.routes.parse_response]). The password goes into the
`Authorization` header and nowhere else: not in logs, reprs or error messages.
"""

from __future__ import annotations

import logging
import math
import time
import typing

import aiohttp
import yarl

from hikari_lavalink._about import __version__
from hikari_lavalink._typing import override
from hikari_lavalink.errors import NodeConnectionError, UsageError
from hikari_lavalink.protocol import routes
from hikari_lavalink.transport.errors import map_connection_errors

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import models, requests
    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus

__all__ = ["DEFAULT_USER_AGENT", "RestTransport"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_USER_AGENT: typing.Final = f"hikari-lavalink/{__version__}"
"""The `User-Agent` sent when none is given."""

T = typing.TypeVar("T")


class RestTransport:
    """Makes REST calls to one Lavalink node.

    Parameters
    ----------
    base_url
        `http(s)://host:port` (a path prefix is kept, for nodes behind a proxy).
    password
        The node's password, sent as `Authorization` (no `Bearer`); never logged or
        shown.
    node_name
        The node's name, for errors and logs.
    timeout
        Seconds before a call (connect, send and read the whole answer) gives up.
    session
        A shared `aiohttp.ClientSession` (one per client is best); this transport
        never closes it. When `None`, a session is created on first use (inside the
        running event loop) and closed by
        [`close`][hikari_lavalink.transport.rest.RestTransport.close].
    user_agent
        Sent as `User-Agent`.

    Raises
    ------
    UsageError
        `base_url` is not an `http`/`https` URL with a host, or `timeout` is not
        positive.

    Examples
    --------
    ```python
    rest = RestTransport(base_url="http://127.0.0.1:2333", password="youshallnotpass")
    result = await rest.load_tracks("ytsearch:never gonna give you up")
    await rest.close()
    ```
    """

    __slots__ = (
        "_body_headers",
        "_deadline",
        "_headers",
        "_owns_session",
        "_password",
        "_session",
        "base_url",
        "node_name",
        "timeout",
        "user_agent",
    )

    def __init__(
        self,
        *,
        base_url: str,
        password: str,
        node_name: str = "node",
        timeout: float = 10.0,
        session: aiohttp.ClientSession | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        try:
            url = yarl.URL(base_url.rstrip("/"))
        except (TypeError, ValueError):
            url = None
        if url is not None and (url.user is not None or url.password is not None):
            msg = "base_url must not carry credentials: pass the password as password="
            raise UsageError(msg)
        if url is None or url.scheme not in ("http", "https") or not url.host:
            msg = f"base_url must look like http://host:port, not {base_url!r}"
            raise UsageError(msg)
        if url.query_string or url.fragment:
            msg = f"base_url must not have a query or a fragment: {base_url!r}"
            raise UsageError(msg)
        if not timeout > 0:
            msg = f"timeout must be a positive number of seconds, not {timeout!r}"
            raise UsageError(msg)
        self.base_url: str = str(url)
        """The node's REST root, e.g. `http://127.0.0.1:2333`."""
        self.node_name: str = node_name
        """The node's name, used in errors and logs."""
        self.timeout: float = timeout
        """Seconds before a call gives up."""
        self.user_agent: str = user_agent
        """The `User-Agent` header."""
        self._password = password
        self._session = session
        self._owns_session = session is None
        self._headers: dict[str, str] = {"Authorization": password, "User-Agent": user_agent}
        self._body_headers: dict[str, str] = {**self._headers, "Content-Type": "application/json"}
        self._deadline: tuple[aiohttp.ClientSession, aiohttp.ClientTimeout] | None = None

    @override
    def __repr__(self) -> str:
        return f"RestTransport(node_name={self.node_name!r}, base_url={self.base_url!r})"

    @property
    def owns_session(self) -> bool:
        """Whether [`close`][hikari_lavalink.transport.rest.RestTransport.close] closes the aiohttp
        session (it was not given one)."""
        return self._owns_session

    async def request(self, route: routes.Route[T], /, *, trace: bool = False) -> T:
        """Make the call and decode the answer.

        Parameters
        ----------
        route
            The call, built with
            [`hikari_lavalink.protocol.routes`][hikari_lavalink.protocol.routes].
        trace
            Ask the server for its stack trace on errors (`trace=true`); it ends up in
            `RestError.body.trace`.

        Returns
        -------
        T
            The route's model (`None` for bodiless answers).

        Raises
        ------
        RestError
            A non-2xx status ([`SessionNotFoundError`][hikari_lavalink.SessionNotFoundError] when
            the session is paused or gone). 401/403 carry no body.
        NodeConnectionError
            The node could not be reached, the connection broke, or it did not answer
            within `timeout` (`fatal=False`, `status=None`).
        RemoteProtocolError
            A 2xx answer that does not fit the model.
        UsageError
            The shared aiohttp session given to this transport is closed.
        """
        if trace:
            route = route.with_trace()
        session = self._get_session()
        method = route.method
        # encoded=True: the route's query is already percent-encoded exactly as intended.
        url = yarl.URL(self.base_url + route.url, encoded=True)
        headers = self._headers if route.body is None else self._body_headers
        started = time.perf_counter()
        try:
            with map_connection_errors(
                self.node_name,
                f"{method} {route.shown_path}",
                timeout=self.timeout,
                secret=self._password,
            ):
                async with session.request(
                    method,
                    url,
                    headers=headers,
                    data=route.body,
                    # Never follow a redirect: it would carry the password elsewhere.
                    allow_redirects=False,
                    # A shared session may raise on 4xx/5xx; we read the status ourselves.
                    raise_for_status=False,
                    # The whole call, the body read included, within ``timeout`` seconds.
                    timeout=self._timeout_for(session),
                ) as response:
                    status = response.status
                    body = await response.read()
        except NodeConnectionError as exc:
            if _LOGGER.isEnabledFor(logging.DEBUG):
                _LOGGER.debug("node %s: %s %s -> %s", self.node_name, method, route.shown_path, exc)
            raise
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug(
                "node %s: %s %s -> %s in %.1f ms",
                self.node_name,
                method,
                route.shown_path,
                status,
                (time.perf_counter() - started) * 1000.0,
            )
        return routes.parse_response(route, status, body)

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None or (self._owns_session and session.closed):
            # Created lazily so that it belongs to the running event loop.
            session = self._session = aiohttp.ClientSession()
        elif session.closed:
            msg = f"node {self.node_name!r}: the shared aiohttp session was closed by its owner"
            raise UsageError(msg)
        return session

    def _timeout_for(self, session: aiohttp.ClientSession) -> aiohttp.ClientTimeout:
        # aiohttp's own deadline for the whole call (connect, send, read the body), rather
        # than an asyncio.timeout around it: aiohttp arms its total timer on every request
        # anyway, and a second timer costs as much again. The session's other limits are
        # kept, its total only when it is shorter; ceil_threshold=inf: no rounding up to
        # the next whole second. Built once per session.
        cached = self._deadline
        if cached is not None and cached[0] is session:
            return cached[1]
        own = session.timeout
        total = min(self.timeout, own.total) if own.total and own.total > 0 else self.timeout
        deadline = aiohttp.ClientTimeout(
            total=total,
            connect=own.connect,
            sock_read=own.sock_read,
            sock_connect=own.sock_connect,
            ceil_threshold=math.inf,
        )
        self._deadline = (session, deadline)
        return deadline

    async def close(self) -> None:
        """Close the aiohttp session if this transport created it.

        Idempotent. A shared session is left open. A later call opens a new session.
        """
        session = self._session
        if self._owns_session and session is not None:
            self._session = None
            if not session.closed:
                await session.close()

    # -- typed conveniences: each builds a route and calls request() ----------------------

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, an identifier or a search (`ytsearch:...`).

        A failed load is a 200 [`LoadResult`][hikari_lavalink.LoadResult] with
        `load_type == "error"`, not an exception.
        """
        return await self.request(routes.load_tracks(identifier))

    async def decode_track(self, encoded: str) -> models.Track:
        """Decode one base64 track on the server."""
        return await self.request(routes.decode_track(encoded))

    async def decode_tracks(self, encoded: collections.abc.Sequence[str]) -> list[models.Track]:
        """Decode several base64 tracks, in order."""
        return await self.request(routes.decode_tracks(encoded))

    async def get_players(self, session_id: str) -> list[models.Player]:
        """Every player of the session."""
        return await self.request(routes.get_players(session_id))

    async def get_player(self, session_id: str, guild_id: int) -> models.Player:
        """One player of the session."""
        return await self.request(routes.get_player(session_id, guild_id))

    async def update_player(
        self,
        session_id: str,
        guild_id: int,
        update: requests.UpdatePlayer,
        *,
        no_replace: bool = False,
    ) -> models.Player:
        """Create or update a player; `no_replace` keeps a playing track."""
        return await self.request(
            routes.update_player(session_id, guild_id, update, no_replace=no_replace)
        )

    async def destroy_player(self, session_id: str, guild_id: int) -> None:
        """Destroy a player (the bot must still leave the voice channel itself)."""
        await self.request(routes.destroy_player(session_id, guild_id))

    async def update_session(self, session_id: str, update: models.SessionUpdate) -> models.Session:
        """Change the session's resuming setting and timeout."""
        return await self.request(routes.update_session(session_id, update))

    async def info(self) -> models.Info:
        """The server's version, sources, filters and plugins."""
        return await self.request(routes.info())

    async def stats(self) -> models.Stats:
        """Node statistics (without frame stats)."""
        return await self.request(routes.stats())

    async def version(self) -> str:
        """The server's version string, e.g. `4.2.2`."""
        return await self.request(routes.version())

    async def route_planner_status(self) -> RoutePlannerStatus | None:
        """The route planner's status; `None` when no planner is configured."""
        return await self.request(routes.route_planner_status())

    async def free_address(self, address: str) -> None:
        """Unmark one failing address of the route planner."""
        await self.request(routes.free_address(address))

    async def free_all(self) -> None:
        """Unmark every failing address of the route planner."""
        await self.request(routes.free_all())
