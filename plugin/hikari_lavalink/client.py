"""The :class:`LavalinkClient`: binds Lavalink nodes to a hikari ``GatewayBot``.

It is a composition root: it builds the components below, wires them to each other and
to the bot (a handful of listeners, never one per player), and delegates to them. Each
owns its state; nothing else writes it (``docs/concepts/architecture.md`` maps them).

- ``runtime.pool.NodePool``: the nodes, draining, the one node selection;
- ``bridge.dispatch.NodeEvents``: every node's listener, Lavalink messages as hikari events;
- ``bridge.voice.VoiceCoordinator``: the guild table, join and leave (op 4), voice events;
- ``bridge.shards.ShardRecovery``: a shard's death drops voice, its return rejoins or leaves;
- ``runtime.failover.Failover``: a lost node's players moved to another node, or left;
- ``bridge.restore.Restore``: the store, for a restarted bot;
- ``runtime.background.BackgroundTasks``: what runs beside them.
"""

from __future__ import annotations

import asyncio
import typing

import hikari

from hikari_lavalink._setting import Setting
from hikari_lavalink._typing import override
from hikari_lavalink.bridge.dispatch import NodeEvents
from hikari_lavalink.bridge.restore import Restore
from hikari_lavalink.bridge.shards import ShardDeathPolicy, ShardRecovery
from hikari_lavalink.bridge.voice import LEAVE_ECHO_WINDOW, VoiceCoordinator
from hikari_lavalink.errors import UsageError
from hikari_lavalink.nodes import SharedSession, create_node
from hikari_lavalink.runtime.background import BackgroundTasks
from hikari_lavalink.runtime.failover import MOVE_CONCURRENCY, Failover
from hikari_lavalink.runtime.pool import NodePool, NodeStrategy

if typing.TYPE_CHECKING:
    import collections.abc

    import aiohttp

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.store import SessionStore, StoredState

__all__ = [
    "LEAVE_ECHO_WINDOW",
    "MOVE_CONCURRENCY",
    "LavalinkClient",
    "NodeStrategy",
    "ShardDeathPolicy",
]


class LavalinkClient:
    """A Lavalink client for a hikari ``GatewayBot``.

    Parameters
    ----------
    bot
        The bot. The client subscribes its listeners at once and starts with the bot
        (``StartedEvent``), unless ``auto_start`` is ``False`` (then call :meth:`start`).
    session
        An aiohttp session for every node; by default the client creates one, shared by
        all its nodes, and closes it in :meth:`close`.
    voice_timeout
        Seconds :meth:`join` waits for Discord's voice credentials.
    shard_death_policy
        After a shard's gateway connection died: ``"rejoin"`` the channel and resume the
        track where it was (default), or ``"leave"``.
    rejoin_timeout
        Seconds to wait for the voice credentials when rejoining; on expiry the client
        leaves and joins again once, then gives up and leaves.
    self_deaf, self_mute
        Sent with every op 4 (both always sent).
    auto_start
        Start and stop with the bot's lifecycle events.
    node_strategy
        Your own node selection (default: lowest penalty, region first, with hysteresis;
        see :mod:`hikari_lavalink.protocol.balancing`).
    store
        Persist sessions and players (see :mod:`hikari_lavalink.store`) so that a restarted
        bot resumes them. With a store, shutting down keeps the Lavalink sessions alive
        (for their ``resume_timeout``) instead of destroying the players: the music goes on
        while the bot restarts. Off by default: without a store, shutdown leaves voice.
    store_interval
        Seconds between store writes (only when something changed).
    node_loss_grace
        When a node is lost and no other node is ready, hold its players this many seconds
        for any node to come (back) before leaving their channels with op 4.
    """

    __slots__ = (
        "_auto_start",
        "_bot",
        "_closing",
        "_events",
        "_failover",
        "_pool",
        "_restore",
        "_session",
        "_shards",
        "_started",
        "_tasks",
        "_voice",
    )

    def __init__(
        self,
        bot: hikari.GatewayBotAware,
        *,
        session: aiohttp.ClientSession | None = None,
        voice_timeout: float = 10.0,
        shard_death_policy: ShardDeathPolicy = "rejoin",
        rejoin_timeout: float = 10.0,
        self_deaf: bool = True,
        self_mute: bool = False,
        auto_start: bool = True,
        node_strategy: NodeStrategy | None = None,
        store: SessionStore | None = None,
        store_interval: float = 5.0,
        node_loss_grace: float = 5.0,
    ) -> None:
        self._bot = bot
        self._session: aiohttp.ClientSession | SharedSession = session or SharedSession()
        self._auto_start = auto_start
        self._closing = False
        self._started = False
        self._tasks = BackgroundTasks()
        self._pool = NodePool(node_strategy)
        # The components call each other through what they are given here; the client's
        # own methods among them bind late, as each needs a component built after it.
        self._events = NodeEvents(
            bot,
            player_of=self._player_of,
            closing=lambda: self._closing,
            ready=self._pool.node_ready,
            relocate=self._relocate,
            reconciled=self._reconciled,
        )
        self._voice = VoiceCoordinator(
            bot,
            self._pool,
            self._events,
            voice_timeout=voice_timeout,
            self_deaf=self_deaf,
            self_mute=self_mute,
        )
        self._shards = ShardRecovery(
            self._voice,
            self._events,
            self._tasks,
            closing=lambda: self._closing,
            policy=shard_death_policy,
            rejoin_timeout=rejoin_timeout,
        )
        self._failover = Failover(
            self._pool,
            is_current=self._voice.is_player,
            leave=self._voice.leave,
            moved=self._events.player_moved,
            grace=node_loss_grace,
        )
        self._restore = Restore(
            bot,
            store,
            pool=self._pool,
            voice=self._voice,
            tasks=self._tasks,
            restore_guild=self._shards.restore_guild,
            interval=store_interval,
        )
        for event_type, callback in self._listeners():
            bot.event_manager.subscribe(event_type, callback)

    @override
    def __repr__(self) -> str:
        return f"LavalinkClient(nodes={list(self._pool.nodes)}, players={len(self.players)})"

    def _player_of(self, guild: int) -> Player | None:
        return self._voice.players.get(guild)

    def _relocate(self, node: Node, players: list[Player]) -> None:
        self._tasks.spawn(self._failover.relocate(node, players))

    def _reconciled(self, node: Node, adopted: list[Player]) -> None:
        self._restore.reconciled(node, adopted)

    def _listeners(self) -> list[tuple[type[hikari.Event], typing.Any]]:
        return [
            *self._voice.listeners(),
            *self._shards.listeners(),
            (hikari.StartingEvent, self._on_starting),
            *(
                [
                    (hikari.StartedEvent, self._on_started),
                    (hikari.StoppingEvent, self._on_stopping),
                ]
                if self._auto_start
                else []
            ),
        ]

    def detach(self) -> None:
        """Unsubscribe the client's listeners from the bot (idempotent)."""
        manager = self._bot.event_manager
        for event_type, callback in self._listeners():
            if callback in manager.get_listeners(event_type, polymorphic=False):
                manager.unsubscribe(event_type, callback)

    # -- settings (each held by the component it governs) --------------------------------

    @property
    def bot(self) -> hikari.GatewayBotAware:
        """The bot this client is bound to."""
        return self._bot

    voice_timeout = Setting[float]("_voice", "voice_timeout")
    """Seconds :meth:`join` waits for Discord's voice credentials.

    Also the :attr:`Node.voice_timeout` of every node of this client: how long
    ``player.play()`` waits for a voice connection being (re)built.
    """
    self_deaf = Setting[bool]("_voice", "self_deaf")
    """Sent with every op 4."""
    self_mute = Setting[bool]("_voice", "self_mute")
    """Sent with every op 4."""
    shard_death_policy = Setting[ShardDeathPolicy]("_shards", "policy")
    """After a shard's gateway connection died: ``"rejoin"`` or ``"leave"``."""
    rejoin_timeout = Setting[float]("_shards", "rejoin_timeout")
    """Seconds to wait for the voice credentials when rejoining after a shard death."""
    node_loss_grace = Setting[float]("_failover", "grace")
    """Seconds a lost node's players wait for any node before leaving their channels."""
    node_strategy = Setting["NodeStrategy | None"]("_pool", "strategy")
    """Your own node selection, or ``None`` for the default."""
    store_interval = Setting[float]("_restore", "interval")
    """Seconds between store writes (only when something changed)."""

    # -- nodes ---------------------------------------------------------------------------

    @property
    def nodes(self) -> collections.abc.Mapping[str, Node]:
        """The nodes, by name (read-only view)."""
        return self._pool.nodes

    @property
    def players(self) -> collections.abc.Mapping[int, Player]:
        """The players of this process, by guild id (read-only view)."""
        return self._voice.players

    @property
    def tracked_guilds(self) -> collections.abc.Set[int]:
        """The guilds the client keeps voice bookkeeping for (a live view): each has a
        player or something under way (a join, an unanswered leave, a shard's recovery)."""
        return self._voice.guilds.keys()

    @property
    def recovering(self) -> frozenset[int]:
        """Guilds whose voice connection is being rebuilt (their shard died)."""
        return self._shards.recovering

    def add_node(
        self,
        *,
        name: str,
        host: str,
        port: int,
        password: str,
        secure: bool = False,
        region: str | None = None,
        resume_timeout: int = 60,
        reconnect_cap: float = 30.0,
        reconnect_base: float = 0.5,
        rest_timeout: float = 10.0,
        session_id: str | None = None,
    ) -> Node:
        """Add a Lavalink node; it connects when the client starts (at once if started).

        A node of this name that stopped for good (its password was refused) is replaced.

        Raises
        ------
        UsageError
            A node with this name exists (and has not stopped for good).
        """
        old = self._pool.nodes.get(name)
        if old is not None:
            if old.error is None:
                msg = f"a node named {name!r} exists already (remove_node() it first)"
                raise UsageError(msg)
            self._pool.remove(name)  # stopped for good (a refused password): replaced
            self._tasks.spawn(old.close())
        node = create_node(
            name=name,
            host=host,
            port=port,
            password=password,
            user_id=0,
            secure=secure,
            session=self._session,
            listener=self._events,
            resume_timeout=resume_timeout,
            reconnect_cap=reconnect_cap,
            reconnect_base=reconnect_base,
            rest_timeout=rest_timeout,
            session_id=session_id,
            regions=(region,) if isinstance(region, str) else (region or ()),
        )
        node.voice_timeout = self._voice.voice_timeout
        self._pool.add(node)
        if self._started:
            self._tasks.spawn(self._start_node(node))
        return node

    async def remove_node(self, name: str) -> None:
        """Drain a node (its players move to other nodes, or leave), close it and forget it.

        An unknown ``name`` raises :class:`UsageError`.
        """
        node = self._pool.named(name)
        await self.drain_node(name)
        stranded = list(node.players.values())
        await node.close()
        self._pool.remove(name)
        if stranded:  # no other node could take them: leave rather than sit silent
            await self._failover.move(node, stranded, graceful=False)

    async def drain_node(self, name: str) -> None:
        """Move every player off a node, gracefully, and stop giving it new players.

        Each player is created on the best other node with its voice, track, position,
        volume, filters and paused state, then destroyed on the drained node. Players no
        other node can take stay where they are. Use :meth:`undrain_node` to take new
        players on it again (for example after an upgrade). An unknown ``name`` raises
        :class:`UsageError`.
        """
        node = self._pool.named(name)
        self._pool.drain(name)
        players = list(node.players.values())
        if players:
            await self._failover.move(node, players, graceful=True)

    def undrain_node(self, name: str) -> None:
        """Let a drained node take new players again (``UsageError`` for an unknown name)."""
        self._pool.undrain(self._pool.named(name).name)

    def best_node(
        self,
        *,
        exclude: Node | None = None,
        region: str | None = None,
        current: Node | None = None,
    ) -> Node:
        """The ready node a player should use (region first, lowest penalty, hysteresis).

        Raises
        ------
        NoNodeAvailableError
            No node is ready.
        """
        excluded = (exclude.name,) if exclude is not None else ()
        return self._pool.best(exclude=excluded, region=region, current=current)

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, user_id: int | None = None) -> None:
        """Connect every node (called for you on ``StartedEvent`` unless ``auto_start=False``)."""
        if self._started:
            return
        if user_id is None:
            me = self._bot.get_me()
            user_id = (
                int(me.id) if me is not None else int((await self._bot.rest.fetch_my_user()).id)
            )
        self._started = True
        self._closing = False
        await self._restore.load()
        for node in self._pool.nodes.values():
            node.user_id = user_id
            await node.start()
        if self._restore.enabled:
            self._tasks.spawn(self._restore.save_loop())

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until at least one node is ready: a ``NodeReadyTimeoutError`` (a
        ``TimeoutError`` too) when ``timeout`` passes first."""
        await self._pool.wait_ready(timeout)

    async def close(self) -> None:
        """Destroy every player, leave every voice channel and close the nodes.

        With a store, the players and sessions are saved and kept alive instead, so that
        the next run resumes them.
        """
        self._closing = True
        keep = self._restore.enabled
        if keep:
            await self._restore.save()
        else:
            guild_ids = list(self.players)
            await asyncio.gather(
                *(self._voice.leave(g, "shutdown") for g in guild_ids), return_exceptions=True
            )
        for node in list(self._pool.nodes.values()):
            await node.close(keep_session=keep)
        await self._tasks.cancel_all()
        if isinstance(self._session, SharedSession):
            await self._session.close()
        self._started = False

    async def _start_node(self, node: Node) -> None:
        me = self._bot.get_me()
        if me is not None:
            node.user_id = int(me.id)
        await node.start()

    async def _on_starting(self, _: hikari.StartingEvent) -> None:
        self._closing = False

    async def _on_started(self, _: hikari.StartedEvent) -> None:
        await self.start()

    async def _on_stopping(self, _: hikari.StoppingEvent) -> None:
        # Shards are still connected here: op 4 leave works. A flag keeps the shard
        # disconnects that follow from looking like shard deaths.
        await self.close()

    def snapshot(self) -> StoredState:
        """What the store would save now."""
        return self._restore.snapshot()

    # -- players -------------------------------------------------------------------------

    def get_player(self, guild_id: hikari.Snowflakeish) -> Player | None:
        """The guild's player, if any."""
        return self._voice.players.get(int(guild_id))

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, identifier or search (``ytsearch:...``) on the best node."""
        return await self._pool.best().load_tracks(identifier)

    async def join(
        self,
        guild_id: hikari.Snowflakeish,
        channel_id: hikari.Snowflakeish,
        *,
        timeout: float | None = None,
        node: Node | None = None,
    ) -> Player:
        """Join a voice channel (op 4 on the guild's shard) and connect Lavalink to it.

        Returns once Lavalink has the voice credentials. Joining another channel of the
        same guild moves the bot.

        Raises
        ------
        UsageError
            The guild's shard is not run by this process or is not connected, or the bot
            lacks the ``GUILD_VOICE_STATES`` intent.
        NoNodeAvailableError
            No node is connected.
        VoiceTimeoutError
            Discord did not send the voice credentials in time.
        """
        return await self._voice.join(int(guild_id), int(channel_id), timeout=timeout, node=node)

    async def leave(self, guild_id: hikari.Snowflakeish) -> None:
        """Destroy the guild's player and leave its voice channel (op 4, channel ``None``)."""
        await self._voice.leave(int(guild_id), "left")
