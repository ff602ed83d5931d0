"""REST over aiohttp: a :class:`~hikari_lavalink.protocol.routes.Route` in, its model out.

The only place HTTP requests are made. aiohttp and timeout exceptions are mapped to
:class:`~hikari_lavalink.NodeConnectionError`; non-2xx answers to
:class:`~hikari_lavalink.RestError`. The password goes into the ``Authorization`` header
and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing

import aiohttp

from hikari_lavalink.errors import NodeConnectionError
from hikari_lavalink.protocol import routes

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import models, requests
    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus

__all__ = ["RestTransport"]

_LOGGER = logging.getLogger("hikari_lavalink.transport.rest")
T = typing.TypeVar("T")


class RestTransport:
    """Makes REST calls to one Lavalink node.

    Parameters
    ----------
    base_url
        ``http(s)://host:port``.
    password
        The node's password (sent as ``Authorization``; never logged or shown).
    node_name
        The node's name, for errors and logs.
    timeout
        Seconds before a call gives up.
    session
        A shared aiohttp session; when ``None`` one is created on first use and closed
        by :meth:`close`.
    user_agent
        Sent as ``User-Agent``.
    """

    __slots__ = (
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
        user_agent: str = "hikari-lavalink",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.node_name = node_name
        self.timeout = timeout
        self.user_agent = user_agent
        self._password = password
        self._session = session
        self._owns_session = session is None

    def __repr__(self) -> str:
        return f"RestTransport(node_name={self.node_name!r}, base_url={self.base_url!r})"

    async def request(self, route: routes.Route[T], /, *, trace: bool = False) -> T:
        """Make the call and decode the answer.

        Raises
        ------
        RestError
            A non-2xx status (``SessionNotFoundError`` for a missing session).
        NodeConnectionError
            The node could not be reached, or did not answer within ``timeout``.
        RemoteProtocolError
            A 2xx answer that does not fit the model.
        """
        if trace:
            route = route.with_trace()
        session = self._get_session()
        headers = {"Authorization": self._password, "User-Agent": self.user_agent}
        if route.body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                async with session.request(
                    route.method, self.base_url + route.url, headers=headers, data=route.body
                ) as response:
                    status = response.status
                    body = await response.read()
        except TimeoutError:
            msg = f"{route.method} {route.path} timed out after {self.timeout:g} s"
            raise NodeConnectionError(self.node_name, msg, fatal=False) from None
        except (aiohttp.ClientError, OSError) as exc:
            msg = f"{route.method} {route.path} failed: {type(exc).__name__}: {exc}"
            raise NodeConnectionError(self.node_name, msg, fatal=False) from None
        if _LOGGER.isEnabledFor(logging.DEBUG):
            _LOGGER.debug(
                "node %s: %s %s -> %s in %.1f ms",
                self.node_name,
                route.method,
                route.path,
                status,
                (time.perf_counter() - started) * 1000.0,
            )
        return routes.parse_response(route, status, body)

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        """Close the session if this transport created it (idempotent)."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()

    # -- typed conveniences --------------------------------------------------------------

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, an identifier or a search."""
        return await self.request(routes.load_tracks(identifier))

    async def decode_track(self, encoded: str) -> models.Track:
        """Decode one encoded track."""
        return await self.request(routes.decode_track(encoded))

    async def decode_tracks(self, encoded: collections.abc.Sequence[str]) -> list[models.Track]:
        """Decode encoded tracks, in order."""
        return await self.request(routes.decode_tracks(encoded))

    async def get_players(self, session_id: str) -> list[models.Player]:
        """The session's players."""
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
        """Create or update a player."""
        return await self.request(
            routes.update_player(session_id, guild_id, update, no_replace=no_replace)
        )

    async def destroy_player(self, session_id: str, guild_id: int) -> None:
        """Destroy a player."""
        await self.request(routes.destroy_player(session_id, guild_id))

    async def update_session(self, session_id: str, update: models.SessionUpdate) -> models.Session:
        """Change the session's resuming settings."""
        return await self.request(routes.update_session(session_id, update))

    async def info(self) -> models.Info:
        """``GET /v4/info``."""
        return await self.request(routes.info())

    async def stats(self) -> models.Stats:
        """``GET /v4/stats``."""
        return await self.request(routes.stats())

    async def version(self) -> str:
        """``GET /version``."""
        return await self.request(routes.version())

    async def route_planner_status(self) -> RoutePlannerStatus | None:
        """The route planner status, ``None`` without a planner."""
        return await self.request(routes.route_planner_status())

    async def free_address(self, address: str) -> None:
        """Unmark a failing address."""
        await self.request(routes.free_address(address))

    async def free_all(self) -> None:
        """Unmark every failing address."""
        await self.request(routes.free_all())
