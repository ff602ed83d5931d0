"""The [`LavalinkClient`][hikari_lavalink.LavalinkClient]: binds Lavalink nodes to a hikari
`GatewayBot`.

It is a composition root: it builds the components below, wires them to each other and
to the bot (a handful of listeners, never one per player), and delegates to them. Each
owns its state; nothing else writes it (`docs/concepts/architecture.md` maps them).

- `runtime.pool.NodePool`: the nodes, draining, the one node selection;
- `bridge.dispatch.NodeEvents`: every node's listener, Lavalink messages as hikari events;
- `bridge.voice.VoiceCoordinator`: the guild table, join and leave (op 4), voice events;
- `bridge.shards.ShardRecovery`: a shard's death drops voice, its return rejoins or leaves;
- `runtime.failover.Failover`: a lost node's players moved to another node, or left;
- `bridge.restore.Restore`: the store, for a restarted bot;
- `runtime.music.Music`: the queue engine (what plays next) and the music settings;
- `bridge.auto_leave.AutoLeave`: leaving a channel that idles or has only bots left;
- `runtime.background.BackgroundTasks`: what runs beside them.
"""

from __future__ import annotations

import asyncio
import typing

import hikari

from hikari_lavalink._client_nodes import NodeAdministration
from hikari_lavalink._client_plugin_calls import PluginCalls
from hikari_lavalink._client_plugins import SourcePlugins
from hikari_lavalink._setting import Setting
from hikari_lavalink._typing import override
from hikari_lavalink.bridge import events as ev
from hikari_lavalink.bridge.auto_leave import AutoLeave
from hikari_lavalink.bridge.dispatch import NodeEvents
from hikari_lavalink.bridge.remote import RemoteControl
from hikari_lavalink.bridge.restore import Restore
from hikari_lavalink.bridge.shards import ShardDeathPolicy, ShardRecovery
from hikari_lavalink.bridge.voice import LEAVE_ECHO_WINDOW, VoiceCoordinator
from hikari_lavalink.errors import ShardsClaimedError
from hikari_lavalink.nodes import SharedSession
from hikari_lavalink.protocol import search as search_
from hikari_lavalink.runtime.background import BackgroundTasks
from hikari_lavalink.runtime.failover import MOVE_CONCURRENCY, Failover
from hikari_lavalink.runtime.music import Music, Recommender
from hikari_lavalink.runtime.pool import NodePool, NodeStrategy

if typing.TYPE_CHECKING:
    import collections.abc

    import aiohttp

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.models import Track
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


class LavalinkClient(NodeAdministration, SourcePlugins, PluginCalls):
    """A Lavalink client for a hikari `GatewayBot`.

    Each player may set its own `autoplay`, `auto_advance`, `leave_when_idle` and
    `leave_when_alone`; until it does, it follows the client's.

    Parameters
    ----------
    bot
        The bot. The client subscribes its listeners at once and starts with the bot
        (`StartedEvent`), unless `auto_start` is `False` (then call
        [`start`][hikari_lavalink.client.LavalinkClient.start]).
    session
        An aiohttp session for every node; by default the client creates one, shared by
        all its nodes, and closes it in [`close`][hikari_lavalink.client.LavalinkClient.close].
    voice_timeout
        Seconds [`join`][hikari_lavalink.client.LavalinkClient.join] waits for Discord's voice
        credentials.
    shard_death_policy
        After a shard's gateway connection died: `"rejoin"` the channel and resume the
        track where it was (default), or `"leave"`.
    rejoin_timeout
        Seconds to wait for the voice credentials when rejoining; on expiry the client
        leaves and joins again once, then gives up and leaves.
    self_deaf, self_mute
        Sent with every op 4 (both always sent).
    auto_start
        Start and stop with the bot's lifecycle events.
    node_strategy
        Your own node selection (default: lowest penalty, region first, with hysteresis;
        see [`NodeStrategy`][hikari_lavalink.NodeStrategy]).
    store
        Persist sessions and players (a [`SessionStore`][hikari_lavalink.SessionStore]) so that
        a restarted bot resumes them. With a store, shutting down keeps the Lavalink sessions alive
        (for their `resume_timeout`) instead of destroying the players: the music goes on while the
        bot restarts. Off by default: without a store, shutdown leaves voice.
    store_interval
        Seconds between store writes (only when something changed).
    node_loss_grace
        When a node is lost and no other node is ready, hold its players this many seconds
        for any node to come (back) before leaving their channels with op 4.
    auto_advance
        Play the queue's next track when a track ends `finished` or `loadFailed`.
    autoplay
        When the queue runs dry, fill it from `recommender` instead of going idle.
    recommender
        `await recommender(player, seed) -> tracks`; by default a YouTube mix for YouTube
        tracks and LavaSrc's recommendations for Spotify and Deezer ones
        ([`recommend`][hikari_lavalink.recommend]).
    leave_when_idle
        Leave (op 4) after this many seconds with nothing playing and an empty queue.
    leave_when_alone
        Leave this many seconds after the last member who is not a bot left the channel.
    """

    __slots__ = (
        "_auto_leave",
        "_auto_start",
        "_bot",
        "_closing",
        "_events",
        "_failover",
        "_music",
        "_pool",
        "_remote",
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
        auto_advance: bool = True,
        autoplay: bool = False,
        recommender: Recommender | None = None,
        leave_when_idle: float | None = None,
        leave_when_alone: float | None = None,
    ) -> None:
        self._bot = bot
        self._session: aiohttp.ClientSession | SharedSession = session or SharedSession()
        self._auto_start = auto_start
        self._closing = False
        self._started = False
        self._tasks = BackgroundTasks()
        self._pool = NodePool(node_strategy)
        self._music = Music(
            auto_advance=auto_advance,
            autoplay=autoplay,
            recommender=recommender,
            leave_when_idle=leave_when_idle,
            leave_when_alone=leave_when_alone,
            is_current=lambda player: self._voice.is_player(player.guild_id, player),
            queue_end=self._queue_end,
            # Bound late: AutoLeave needs the VoiceCoordinator, built below.
            idle=lambda player: self._auto_leave.idle(player),  # noqa: PLW0108
            playing=lambda player: self._auto_leave.playing(player),  # noqa: PLW0108
            reconsider=lambda player: self._auto_leave.reconsider(player),  # noqa: PLW0108
            spawn=self._tasks.spawn,
        )
        # The components call each other through what they are given here; the client's
        # own methods among them bind late, as each needs a component built after it.
        self._events = NodeEvents(
            bot,
            player_of=self._player_of,
            closing=lambda: self._closing,
            ready=self._pool.node_ready,
            relocate=self._relocate,
            reconciled=self._reconciled,
            hooks=self._music.hooks(),
        )
        self._voice = VoiceCoordinator(
            bot,
            self._pool,
            self._events,
            voice_timeout=voice_timeout,
            self_deaf=self_deaf,
            self_mute=self_mute,
        )
        self._auto_leave: AutoLeave = AutoLeave(bot, self._voice, self._tasks)
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
        self._remote = RemoteControl(self._voice.players, self.search, self.leave)
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

    def _queue_end(self, player: Player, last: Track | None) -> None:
        self._events.emit_player(ev.QueueEndEvent, player, track=last)

    def _relocate(self, node: Node, players: list[Player]) -> None:
        self._tasks.spawn(self._failover.relocate(node, players))

    def _reconciled(self, node: Node, adopted: list[Player]) -> None:
        self._restore.reconciled(node, adopted)

    def _listeners(self) -> list[tuple[type[hikari.Event], typing.Any]]:
        return [
            *self._voice.listeners(),
            *self._shards.listeners(),
            *self._auto_leave.listeners(),
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

    voice_timeout: Setting[float] = Setting("_voice", "voice_timeout")
    """Seconds [`join`][hikari_lavalink.client.LavalinkClient.join] waits for Discord's voice
    credentials.

    Also the [`Node.voice_timeout`][hikari_lavalink.runtime.node.Node.voice_timeout] of every node
    of this client: how long `player.play()` waits for a voice connection being (re)built.
    """
    self_deaf: Setting[bool] = Setting("_voice", "self_deaf")
    """Sent with every op 4."""
    self_mute: Setting[bool] = Setting("_voice", "self_mute")
    """Sent with every op 4."""
    shard_death_policy: Setting[ShardDeathPolicy] = Setting("_shards", "policy")
    """After a shard's gateway connection died: `"rejoin"` or `"leave"`."""
    rejoin_timeout: Setting[float] = Setting("_shards", "rejoin_timeout")
    """Seconds to wait for the voice credentials when rejoining after a shard death."""
    node_loss_grace: Setting[float] = Setting("_failover", "grace")
    """Seconds a lost node's players wait for any node before leaving their channels."""
    node_strategy: Setting[NodeStrategy | None] = Setting("_pool", "strategy")
    """Your own node selection, or `None` for the default."""
    store_interval: Setting[float] = Setting("_restore", "interval")
    """Seconds between store writes (only when something changed)."""
    auto_advance: Setting[bool] = Setting("_music", "auto_advance")
    """Whether a player's queue plays its next track when a track ends (by default)."""
    autoplay: Setting[bool] = Setting("_music", "autoplay")
    """Whether an empty queue is filled from
    [`recommender`][hikari_lavalink.client.LavalinkClient.recommender] (by default)."""
    recommender: Setting[Recommender] = Setting("_music", "recommender")
    """`await recommender(player, seed) -> tracks`: what autoplay plays."""
    leave_when_idle: Setting[float | None] = Setting("_music", "leave_when_idle")
    """Seconds with nothing playing and an empty queue before leaving (`None`: never)."""
    leave_when_alone: Setting[float | None] = Setting("_music", "leave_when_alone")
    """Seconds alone with bots in the channel before leaving (`None`: never)."""

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

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, user_id: int | None = None) -> None:
        """Connect every node (called for you on `StartedEvent` unless `auto_start=False`).

        Raises
        ------
        ShardsClaimedError
            The store (a [`ShardedStore`][hikari_lavalink.store.ShardedStore]) says another live
            process runs some of this process's shards: nothing was started.
        """
        if self._started:
            return
        if user_id is None:
            me = self._bot.get_me()
            user_id = (
                int(me.id) if me is not None else int((await self._bot.rest.fetch_my_user()).id)
            )
        self._started = True
        self._closing = False
        try:
            await self._restore.load()
        except ShardsClaimedError:
            self._started = False  # the store refused this process its shards: not started
            raise
        self._restore.serve_commands(self._remote.handle)
        for node in self._pool.nodes.values():
            node.user_id = user_id
            await node.start()
        if self._restore.enabled:
            self._tasks.spawn(self._restore.save_loop())

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until at least one node is ready: a `NodeReadyTimeoutError` (a
        `TimeoutError` too) when `timeout` passes first."""
        await self._pool.wait_ready(timeout)

    async def close(self) -> None:
        """Destroy every player, leave every voice channel and close the nodes.

        With a store, the players and sessions are saved and kept alive instead, so that
        the next run resumes them.
        """
        self._closing = True
        keep = self._restore.enabled
        if keep and self._started:
            await self._restore.save()
        else:
            guild_ids = list(self.players)
            await asyncio.gather(
                *(self._voice.leave(g, "shutdown") for g in guild_ids), return_exceptions=True
            )
        for node in list(self._pool.nodes.values()):
            await node.close(keep_session=keep)
        await self._tasks.cancel_all()
        await self._restore.close()
        if isinstance(self._session, SharedSession):
            await self._session.close()
        self._started = False

    async def _on_starting(self, _: hikari.StartingEvent) -> None:
        self._closing = False

    async def _on_started(self, _: hikari.StartedEvent) -> None:
        await self.start()

    async def _on_stopping(self, _: hikari.StoppingEvent) -> None:
        # Shards are still connected here: op 4 leave works. A flag keeps the shard
        # disconnects that follow from looking like shard deaths.
        await self.close()

    async def save(self) -> bool:
        """Write the store now (what changed since its last write; it is written every
        `store_interval` seconds anyway): `False` if the store failed (logged)."""
        return await self._restore.save()

    def snapshot(self) -> StoredState:
        """What the store would save now."""
        return self._restore.snapshot()

    # -- players -------------------------------------------------------------------------

    def get_player(self, guild_id: hikari.Snowflakeish) -> Player | None:
        """The guild's player, if any."""
        return self._voice.players.get(int(guild_id))

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, identifier or search on the best node (a LavaSrc prefix: see search)."""
        return await self._source_node(identifier, None).load_tracks(identifier)

    async def search(
        self, query: str, *, source: search_.SearchSource = "youtube", node: Node | None = None
    ) -> LoadResult:
        """Search `source` for `query` (its search prefix added; a URL or an already
        prefixed query, such as
        [`search.recommendations`][hikari_lavalink.protocol.search.recommendations] builds,
        passes unchanged) on `node` or the best node.

        A LavaSrc prefix (`spsearch:`, `sprec:`, `dzisrc:`, `spprev:`...) goes to a node
        with LavaSrc and that source: a `UsageError` says so before any request when no
        ready node (or not `node`) has them.
        """
        identifier = search_.identifier(query, source)
        return await self._source_node(identifier, node).load_tracks(identifier)

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
            lacks the `GUILD_VOICE_STATES` intent.
        NoNodeAvailableError
            No node is connected.
        VoiceTimeoutError
            Discord did not send the voice credentials in time.
        """
        player = await self._voice.join(int(guild_id), int(channel_id), timeout=timeout, node=node)
        self._auto_leave.joined(player)
        return player

    def auto_leave_pending(self, guild_id: hikari.Snowflakeish) -> frozenset[str]:
        """The auto-leave timers running for the guild (`"idle"`, `"alone"`): when one
        runs out, the bot leaves (see `leave_when_idle` and `leave_when_alone`)."""
        return self._auto_leave.armed(int(guild_id))

    async def leave(self, guild_id: hikari.Snowflakeish) -> None:
        """Destroy the guild's player and leave its voice channel (op 4, channel `None`)."""
        await self._voice.leave(int(guild_id), "left")
