"""A Lavalink node: its state, its players, its lifecycle and its REST calls.

Its one WebSocket and the task that reads it, in message order, are its
`NodeConnection`; what it reports goes to its
[`NodeListener`][hikari_lavalink.NodeListener].
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
import types
import typing

from hikari_lavalink._about import __version__
from hikari_lavalink._typing import override
from hikari_lavalink.errors import (
    LavalinkError,
    NodeConnectionError,
    NodeReadyTimeoutError,
    UsageError,
)
from hikari_lavalink.protocol import models, routes
from hikari_lavalink.protocol import session as session_
from hikari_lavalink.protocol.backoff import Backoff
from hikari_lavalink.protocol.plugins.base import NODELINK_BUILT_IN
from hikari_lavalink.runtime import music as music_
from hikari_lavalink.runtime import plugin_state
from hikari_lavalink.runtime.connection import NodeConnection
from hikari_lavalink.runtime.listener import NodeListener
from hikari_lavalink.runtime.player import Player

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus
    from hikari_lavalink.transport.base import NodeTransport

__all__ = ["Node", "NodeListener", "NodeState"]

_LOGGER = logging.getLogger("hikari_lavalink.node")
T = typing.TypeVar("T")
CLIENT_NAME: typing.Final = f"hikari-lavalink/{__version__}"


class NodeState(enum.Enum):
    """A node's connection, as users see it."""

    CONNECTING = "connecting"
    """Connecting or reconnecting; not usable yet."""
    READY = "ready"
    """Connected with a session: players can be controlled."""
    DISCONNECTED = "disconnected"
    """The WebSocket is down; the node keeps trying to reconnect (and resume)."""
    STOPPED = "stopped"
    """Closed by the user, or stopped for good (for example a rejected password)."""


class Node:
    """A Lavalink v4 node.

    Parameters
    ----------
    name
        A name for logs and lookups.
    transport
        How to reach the server (see `hikari_lavalink.transport.create_transport`).
    user_id
        The bot's user id, sent as `User-Id`.
    listener
        Receives messages and lifecycle changes.
    resuming
        Enable session resuming after each new session (on by default).
    resume_timeout
        Seconds the server keeps a disconnected session alive.
    reconnect_cap
        The longest wait between reconnect attempts, in seconds.
    session_id
        A session to resume on the first connect (bot restart survival).
    restore_players
        Recreate local players on a new session after the old one was lost.
    regions
        Regions this node serves, for node selection.
    client_name
        Sent as `Client-Name`.
    """

    __slots__ = (
        "_closing",
        "_link",
        "_listener",
        "_players",
        "_rng",
        "_transport",
        "client_name",
        "clock",
        "info",
        "music",
        "name",
        "regions",
        "stats",
        "user_id",
        "voice_timeout",
    )

    def __init__(
        self,
        *,
        name: str,
        transport: NodeTransport,
        user_id: int,
        listener: NodeListener | None = None,
        resuming: bool = True,
        resume_timeout: int = 60,
        reconnect_base: float = 0.5,
        reconnect_cap: float = 30.0,
        session_id: str | None = None,
        restore_players: bool = True,
        regions: collections.abc.Iterable[str] = (),
        client_name: str = CLIENT_NAME,
        rng: random.Random | None = None,
        clock: collections.abc.Callable[[], float] = time.monotonic,
    ) -> None:
        self.name: typing.Final[str] = name
        """The node's name, unique among the client's nodes."""
        self.regions: frozenset[str] = frozenset(regions)
        """Regions this node serves (names as in `protocol.balancing.REGION_PREFIXES`)."""
        self.user_id: int = user_id
        """The bot's user id, sent in the handshake."""
        self.client_name: str = client_name
        """The `Client-Name` header of the handshake."""
        self.clock: typing.Final[collections.abc.Callable[[], float]] = clock
        """Internal: the monotonic clock positions are interpolated with."""
        self.stats: models.Stats | None = None
        """The latest statistics from the WebSocket, `None` until the first arrive."""
        self.info: models.Info | None = None
        """The server's `/v4/info`, read on every ready (before the node is ready); `None`
        until it was read once (a failed read keeps the previous one, logged)."""
        self.voice_timeout: float | None = None
        """The [`Player.voice_timeout`][hikari_lavalink.runtime.player.Player.voice_timeout] of its
        players that set none of their own (the hikari bridge sets its own `voice_timeout` here)."""
        self.music: music_.Music = music_.Music()
        """The music settings and queue engine of its players (internal: the client's, once
        added)."""
        self._transport = transport
        self._listener = listener or NodeListener()
        self._rng = rng or random.Random()
        backoff = Backoff(base=reconnect_base, cap=reconnect_cap, rng=self._rng)
        self._players: dict[int, Player] = {}
        self._closing = False
        self._link = NodeConnection(
            self,
            players=self._players,
            transport=transport,
            listener=self._listener,
            session=session_.NodeSession(
                resuming=resuming,
                resume_timeout=resume_timeout,
                backoff=backoff,
                session_id=session_id,
            ),
            backoff=backoff,
            restore_players=restore_players,
        )

    @override
    def __repr__(self) -> str:
        return f"Node(name={self.name!r}, state={self.state.value}, players={len(self._players)})"

    # -- state ---------------------------------------------------------------------------

    @property
    def state(self) -> NodeState:
        """Where the node is."""
        state = self._link.session.state
        if state is session_.SessionState.STOPPED or self._closing:
            return NodeState.STOPPED
        if state is session_.SessionState.READY:
            return NodeState.READY
        if state is session_.SessionState.WAITING:
            return NodeState.DISCONNECTED
        return NodeState.CONNECTING

    @property
    def is_ready(self) -> bool:
        """Whether the node has a live session and players can be controlled."""
        return self._link.session.state is session_.SessionState.READY and not self._closing

    @property
    def session_id(self) -> str | None:
        """The current (or last) Lavalink session id."""
        return self._link.session.session_id

    @property
    def error(self) -> LavalinkError | None:
        """Why the node stopped, if it stopped on an error."""
        return self._link.error

    @property
    def plugins(self) -> collections.abc.Mapping[str, str]:
        """The server's plugins, name (`lavalyrics-plugin`...) to version, from `info`."""
        info = self.info
        return {p.name: p.version for p in info.plugins} if info is not None else {}

    @property
    def is_nodelink(self) -> bool:
        """Whether the server is NodeLink (`isNodelink` in its `/v4/info`)."""
        info = self.info
        return info is not None and info.is_nodelink

    def has_plugin(self, name: str) -> bool:
        """Whether the server runs the plugin `name` (see
        [`PluginName`][hikari_lavalink.PluginName])."""
        info = self.info
        return info is not None and any(p.name == name for p in info.plugins)

    def provides(self, name: str) -> bool:
        """Whether the server has what the plugin `name` gives: it runs it, or it is
        NodeLink, which has LavaLyrics' and SponsorBlock's features built in (node choice
        with `plugin=` asks this)."""
        return self.has_plugin(name) or (self.is_nodelink and name in NODELINK_BUILT_IN)

    def require_plugin(self, name: str, feature: str) -> None:
        """Raise, before any request, when the server lacks the plugin `feature` needs.

        Raises
        ------
        UsageError
            The node's `/v4/info` lists no plugin `name` (or was never read).
        """
        if not self.has_plugin(name):
            known = ", ".join(sorted(self.plugins)) or "none"
            raise UsageError(
                f"{feature} needs the {name} plugin, which node {self.name!r} does not run "
                f"(its plugins: {known}); install it on the node, or choose a node that has it"
            )

    @property
    def players(self) -> collections.abc.Mapping[int, Player]:
        """The players on this node, by guild id (read-only view)."""
        return types.MappingProxyType(self._players)

    @property
    def resume_timeout(self) -> int:
        """Seconds the server keeps this node's session when the WebSocket drops."""
        return self._link.session.resume_timeout

    # -- lifecycle -----------------------------------------------------------------------

    def resume_session(self, session_id: str) -> None:
        """Before [`start`][hikari_lavalink.runtime.node.Node.start]: resume this session id on the
        first connect, if it lives."""
        self._link.session.offer(session_id)

    async def start(self) -> None:
        """Start connecting in the background (returns at once; see
        [`wait_ready`][hikari_lavalink.runtime.node.Node.wait_ready])."""
        self._link.start()

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the node is ready.

        Raises
        ------
        NodeConnectionError
            The node stopped for good (for example the password was rejected).
        NodeReadyTimeoutError
            `timeout` passed first (a `TimeoutError` too).
        """
        link = self._link
        try:
            async with asyncio.timeout(timeout):
                if link.task is None:
                    await asyncio.sleep(0)  # a start scheduled (add_node on a started client)
                while not self.is_ready:
                    if link.error is not None:
                        raise link.error
                    task = link.task
                    if task is None or task.done():
                        msg = f"node {self.name!r} is not running: start() it first"
                        raise NodeConnectionError(self.name, msg, fatal=True)
                    waiter = asyncio.ensure_future(link.ready.wait())
                    done, _ = await asyncio.wait(
                        [waiter, task], return_when=asyncio.FIRST_COMPLETED
                    )
                    if waiter not in done:
                        waiter.cancel()
        except TimeoutError:
            msg = (
                f"node {self.name!r} was not ready within {timeout:g} s (it is "
                f"{self.state.value}): is its Lavalink server running, and reachable from here?"
            )
            raise NodeReadyTimeoutError(msg) from None

    async def close(self, *, keep_session: bool = False) -> None:
        """Close the node.

        Parameters
        ----------
        keep_session
            Leave the session resumable, so its players keep playing for
            `resume_timeout` seconds and a restarted bot can resume it. By default
            resuming is turned off first, so the server destroys the players at once.
        """
        if self._closing:
            return
        session_id = self.session_id
        if not keep_session and self.is_ready and session_id is not None:
            try:
                await self.request(
                    routes.update_session(session_id, models.SessionUpdate(resuming=False))
                )
            except LavalinkError as exc:
                _LOGGER.debug("node %s: could not turn resuming off: %s", self.name, exc)
        self._closing = True
        told = self._link.error is not None  # stopped for good already: the listener knows
        await self._link.stop()
        if not told:
            self._link.call(self._listener.node_stopped, self, error=None)

    # -- players -------------------------------------------------------------------------

    def get_player(self, guild_id: int) -> Player | None:
        """The local player of a guild on this node, if any."""
        return self._players.get(guild_id)

    def create_player(self, guild_id: int) -> Player:
        """Get or create the local player of a guild (created on the server at first update)."""
        player = self._players.get(guild_id)
        if player is None:
            player = self._players[guild_id] = Player(self, guild_id)
        return player

    def adopt_player(self, player: Player) -> None:
        """Take a player from another node (internal: failover); it is not sent anywhere yet."""
        player.move_to(self)
        self._players[player.guild_id] = player

    def forget_player(self, guild_id: int) -> Player | None:
        """Drop the local player without telling the server."""
        return self._players.pop(guild_id, None)

    async def drop_remote_player(self, guild_id: int) -> None:
        """Destroy the player on the server but keep the local one (and its state).

        Used when its Discord voice connection is known dead (its shard died): the local
        player remembers track, position, volume and filters to rebuild it later.
        """
        player = self._players.get(guild_id)
        if player is not None:
            player.freeze()
            player.detached = True
        session_id = self.session_id
        if session_id is not None and self.is_ready:
            await self.request(routes.destroy_player(session_id, guild_id))

    async def destroy_player(self, guild_id: int) -> None:
        """Destroy the player on the server (if connected) and forget it locally.

        The local player is destroyed for good: every command on it raises from now on.
        """
        player = self._players.pop(guild_id, None)
        if player is not None:
            player.discard("destroyed")
            await plugin_state.forget(self, player)  # LavaLyrics keeps it past the player
        session_id = self.session_id
        if session_id is not None and self.is_ready:
            await self.request(routes.destroy_player(session_id, guild_id))

    # -- REST ----------------------------------------------------------------------------

    async def request(self, route: routes.Route[T], *, trace: bool = False) -> T:
        """Make a REST call to this node."""
        return await self._transport.request(route, trace=trace)

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, an identifier or a search (`ytsearch:...`)."""
        return await self.request(routes.load_tracks(identifier))

    async def decode_track(self, encoded: str) -> models.Track:
        """Decode one encoded track on the server."""
        return await self.request(routes.decode_track(encoded))

    async def decode_tracks(self, encoded: collections.abc.Sequence[str]) -> list[models.Track]:
        """Decode several encoded tracks, in order."""
        return await self.request(routes.decode_tracks(encoded))

    async def fetch_players(self) -> list[models.Player]:
        """The players the server has for this session."""
        session_id = self._require_session()
        return await self.request(routes.get_players(session_id, nodelink=self.is_nodelink))

    async def fetch_player(self, guild_id: int) -> models.Player:
        """One player as the server has it."""
        session_id = self._require_session()
        return await self.request(
            routes.get_player(session_id, guild_id, nodelink=self.is_nodelink)
        )

    async def fetch_info(self) -> models.Info:
        """What the server is and what it can do."""
        return await self.request(routes.info())

    async def fetch_stats(self) -> models.Stats:
        """Statistics over REST (without frame stats)."""
        return await self.request(routes.stats())

    async def fetch_version(self) -> str:
        """The server's version string."""
        return await self.request(routes.version())

    async def fetch_route_planner_status(self) -> RoutePlannerStatus | None:
        """The route planner's status, `None` when no planner is configured."""
        return await self.request(routes.route_planner_status(nodelink=self.is_nodelink))

    async def free_address(self, address: str) -> None:
        """Unmark a failing address of the route planner."""
        await self.request(routes.free_address(address))

    async def free_all_addresses(self) -> None:
        """Unmark every failing address of the route planner."""
        await self.request(routes.free_all())

    def _require_session(self) -> str:
        session_id = self.session_id
        if session_id is None:
            msg = f"node {self.name!r} has no session yet"
            raise NodeConnectionError(self.name, msg, fatal=False)
        return session_id
