"""The aiohttp implementation of [`NodeTransport`][hikari_lavalink.transport.base.NodeTransport]."""

from __future__ import annotations

import typing

import aiohttp

from hikari_lavalink._about import __version__
from hikari_lavalink._typing import override
from hikari_lavalink.transport.rest import RestTransport
from hikari_lavalink.transport.websocket import AiohttpWebSocket, connect_websocket

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.routes import Route

__all__ = ["AiohttpNodeTransport", "SharedSession"]

T = typing.TypeVar("T")


class SharedSession:
    """One aiohttp session shared by every node of a client, created on first use.

    The client owns it and closes it once, after its nodes; the nodes never close it.
    """

    __slots__ = ("_session",)

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    @override
    def __repr__(self) -> str:
        return f"SharedSession(open={self._session is not None and not self._session.closed})"

    def get(self) -> aiohttp.ClientSession:
        """The session (a new one if there is none or it was closed)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


class AiohttpNodeTransport:
    """Reaches one Lavalink node over aiohttp: its WebSocket and its REST API.

    Parameters
    ----------
    host, port, secure
        Where the node listens; `secure` uses `https`/`wss`.
    password
        The node's password (sent as `Authorization`; never logged or shown).
    name
        The node's name, for errors and logs.
    session
        A shared `aiohttp.ClientSession` (one per client is best). When `None`
        the transport creates its own and closes it in
        [`close`][hikari_lavalink.transport.node.AiohttpNodeTransport.close].
    rest_timeout
        Seconds before a REST call or the WebSocket handshake gives up.
    heartbeat
        Seconds between WebSocket pings; a node that stops answering is treated as dead.
    """

    __slots__ = (
        "_heartbeat",
        "_owns_session",
        "_password",
        "_rest",
        "_rest_session",
        "_session",
        "_timeout",
        "base_url",
        "name",
        "ws_url",
    )

    def __init__(
        self,
        *,
        host: str,
        port: int,
        password: str,
        name: str = "node",
        secure: bool = False,
        session: aiohttp.ClientSession | SharedSession | None = None,
        rest_timeout: float = 10.0,
        heartbeat: float | None = 30.0,
    ) -> None:
        self.name: str = name
        self.base_url: str = f"{'https' if secure else 'http'}://{host}:{port}"
        self.ws_url: str = f"{'wss' if secure else 'ws'}://{host}:{port}/v4/websocket"
        self._password = password
        self._session = session
        self._owns_session = session is None
        self._timeout = rest_timeout
        self._heartbeat = heartbeat
        self._rest: RestTransport | None = None
        self._rest_session: aiohttp.ClientSession | None = None

    @override
    def __repr__(self) -> str:
        return f"AiohttpNodeTransport(name={self.name!r}, base_url={self.base_url!r})"

    def _ensure(self) -> tuple[aiohttp.ClientSession, RestTransport]:
        if isinstance(self._session, SharedSession):
            session = self._session.get()
            if self._rest is None or self._rest_session is not session:
                self._rest = None
                self._rest_session = session
        else:
            if self._session is None or self._session.closed:
                self._session = aiohttp.ClientSession()
                self._owns_session = True
                self._rest = None
            session = self._session
            self._rest_session = session
        if self._rest is None:
            self._rest = RestTransport(
                base_url=self.base_url,
                password=self._password,
                node_name=self.name,
                timeout=self._timeout,
                session=session,
                user_agent=f"hikari-lavalink/{__version__}",
            )
        return session, self._rest

    async def connect(self, headers: collections.abc.Mapping[str, str]) -> AiohttpWebSocket:
        """Open the node WebSocket (see
        [`connect_websocket`][hikari_lavalink.transport.websocket.connect_websocket])."""
        session, _ = self._ensure()
        return await connect_websocket(
            session,
            self.ws_url,
            password=self._password,
            headers=headers,
            node_name=self.name,
            timeout=self._timeout,
            heartbeat=self._heartbeat,
        )

    async def request(self, route: Route[T], /, *, trace: bool = False) -> T:
        """Make a REST call."""
        _, rest = self._ensure()
        return await rest.request(route, trace=trace)

    async def close(self) -> None:
        """Close the session if this transport created it."""
        session = self._session
        if self._owns_session and isinstance(session, aiohttp.ClientSession) and not session.closed:
            await session.close()
