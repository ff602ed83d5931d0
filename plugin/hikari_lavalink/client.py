"""The :class:`LavalinkClient` façade: binds Lavalink nodes to a hikari ``GatewayBot``.

It subscribes a handful of listeners on the bot (never one per player) and owns the nodes
and the players:

- the bot's own ``VOICE_STATE_UPDATE`` and every ``VOICE_SERVER_UPDATE`` go to the guild's
  voice handshake and, once complete, to Lavalink (``voice`` PATCH);
- ``join`` and ``leave`` send op 4 on the guild's own shard;
- a shard's gateway death drops the Lavalink voice of its players (remembering their
  state), and its reconnection rejoins and resumes them (or leaves, by policy);
- a node that cannot be resumed has its players moved to another node, or left with op 4;
- Lavalink messages become hikari events, built only when something listens.
"""

from __future__ import annotations

import asyncio
import logging
import time
import types
import typing

import hikari

from hikari_lavalink.bridge import events as ev
from hikari_lavalink.bridge.gate import ListenerGate
from hikari_lavalink.bridge.voice import GuildPlayers, GuildVoice, send_op4, shard_for
from hikari_lavalink.errors import (
    LavalinkError,
    NoNodeAvailableError,
    ShardNotConnectedError,
    UsageError,
    VoiceTimeoutError,
)
from hikari_lavalink.nodes import SharedSession, create_node
from hikari_lavalink.protocol import balancing, messages, routes
from hikari_lavalink.protocol.voice import SendVoice, VoiceDisconnected
from hikari_lavalink.runtime.node import Node, NodeListener
from hikari_lavalink.store import StoredPlayer, StoredState

if typing.TYPE_CHECKING:
    import collections.abc

    import aiohttp

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.requests import VoiceUpdate
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.store import SessionStore

__all__ = ["LavalinkClient", "NodeStrategy", "ShardDeathPolicy"]

_LOGGER = logging.getLogger("hikari_lavalink.client")
ShardDeathPolicy: typing.TypeAlias = typing.Literal["rejoin", "leave"]
NodeStrategy: typing.TypeAlias = (
    "collections.abc.Callable[[collections.abc.Sequence[Node], str | None], Node]"
)
"""Your own node selection: ``strategy(ready_nodes, region) -> node``."""
EventT = typing.TypeVar("EventT", bound=hikari.Event)
MOVE_CONCURRENCY: typing.Final = 16
"""Players moved at once when a node dies or is drained."""
LEAVE_ECHO_WINDOW: typing.Final = 10.0
"""Seconds within which a ``channel_id: null`` state is taken as the answer to our own leave."""


class LavalinkClient(NodeListener):
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
        "_draining",
        "_gate",
        "_guilds",
        "_node_ready",
        "_nodes",
        "_players",
        "_restoring",
        "_saved",
        "_session",
        "_started",
        "_store",
        "_tasks",
        "_voice_timeout",
        "node_loss_grace",
        "node_strategy",
        "rejoin_timeout",
        "self_deaf",
        "self_mute",
        "shard_death_policy",
        "store_interval",
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
        self.node_strategy = node_strategy
        self._store = store
        self.store_interval = store_interval
        self.node_loss_grace = node_loss_grace
        self._node_ready = asyncio.Event()
        self._saved: StoredState | None = None
        self._restoring: dict[str, list[StoredPlayer]] = {}
        self._session: aiohttp.ClientSession | SharedSession = session or SharedSession()
        self._voice_timeout = voice_timeout
        self.shard_death_policy: ShardDeathPolicy = shard_death_policy
        self.rejoin_timeout = rejoin_timeout
        self.self_deaf = self_deaf
        self.self_mute = self_mute
        self._auto_start = auto_start
        self._nodes: dict[str, Node] = {}
        self._draining: set[str] = set()
        self._guilds: dict[int, GuildVoice] = {}
        self._players = GuildPlayers(self._guilds)
        self._tasks: set[asyncio.Task[typing.Any]] = set()
        self._closing = False
        self._started = False
        self._gate = ListenerGate(bot.event_manager)
        for event_type, callback in self._listeners():
            bot.event_manager.subscribe(event_type, callback)

    def __repr__(self) -> str:
        return f"LavalinkClient(nodes={list(self._nodes)}, players={len(self._players)})"

    def _listeners(self) -> list[tuple[type[hikari.Event], typing.Any]]:
        return [
            (hikari.VoiceStateUpdateEvent, self._on_voice_state),
            (hikari.VoiceServerUpdateEvent, self._on_voice_server),
            (hikari.ShardDisconnectedEvent, self._on_shard_disconnected),
            (hikari.ShardConnectedEvent, self._on_shard_connected),
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

    @property
    def bot(self) -> hikari.GatewayBotAware:
        """The bot this client is bound to."""
        return self._bot

    @property
    def voice_timeout(self) -> float:
        """Seconds :meth:`join` waits for Discord's voice credentials.

        Also the :attr:`Node.voice_timeout` of every node of this client: how long
        ``player.play()`` waits for a voice connection being (re)built.
        """
        return self._voice_timeout

    @voice_timeout.setter
    def voice_timeout(self, timeout: float) -> None:
        self._voice_timeout = timeout
        for node in self._nodes.values():
            node.voice_timeout = timeout

    # -- nodes ---------------------------------------------------------------------------

    @property
    def nodes(self) -> collections.abc.Mapping[str, Node]:
        """The nodes, by name (read-only view)."""
        return types.MappingProxyType(self._nodes)

    @property
    def players(self) -> collections.abc.Mapping[int, Player]:
        """The players of this process, by guild id (read-only view)."""
        return self._players

    @property
    def recovering(self) -> frozenset[int]:
        """Guilds whose voice connection is being rebuilt (their shard died)."""
        return frozenset(g for g, v in self._guilds.items() if v.voice_lost and g in self._players)

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

        Raises
        ------
        UsageError
            A node with this name exists.
        """
        if name in self._nodes:
            msg = f"a node named {name!r} exists already"
            raise UsageError(msg)
        node = create_node(
            name=name,
            host=host,
            port=port,
            password=password,
            user_id=0,
            secure=secure,
            session=self._session,
            listener=self,
            resume_timeout=resume_timeout,
            reconnect_cap=reconnect_cap,
            reconnect_base=reconnect_base,
            rest_timeout=rest_timeout,
            session_id=session_id,
            regions=(region,) if isinstance(region, str) else (region or ()),
        )
        node.voice_timeout = self._voice_timeout
        self._nodes[name] = node
        if self._started:
            self._spawn(self._start_node(node))
        return node

    async def remove_node(self, name: str) -> None:
        """Drain a node (its players move to other nodes, or leave), close it and forget it."""
        node = self._nodes[name]
        await self.drain_node(name)
        stranded = list(node.players.values())
        await node.close()
        self._nodes.pop(name, None)
        self._draining.discard(name)
        if stranded:  # no other node could take them: leave rather than sit silent
            await self._move_players(node, stranded, graceful=False)

    async def drain_node(self, name: str) -> None:
        """Move every player off a node, gracefully, and stop giving it new players.

        Each player is created on the best other node with its voice, track, position,
        volume, filters and paused state, then destroyed on the drained node. Players no
        other node can take stay where they are. Use :meth:`undrain_node` to take new
        players on it again (for example after an upgrade).
        """
        node = self._nodes[name]
        self._draining.add(name)
        players = list(node.players.values())
        if players:
            await self._move_players(node, players, graceful=True)

    def undrain_node(self, name: str) -> None:
        """Let a drained node take new players again."""
        self._draining.discard(name)

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
        draining = self._draining
        candidates = [
            n
            for n in self._nodes.values()
            if n.is_ready and n is not exclude and n.name not in draining
        ]
        chosen: Node | None
        if self.node_strategy is not None and candidates:
            chosen = self.node_strategy(candidates, region)
        else:
            chosen = balancing.choose(candidates, region=region, current=current, load=_load)
        if chosen is None:
            msg = "no Lavalink node is connected" + (
                f" (nodes: {', '.join(f'{n.name}={n.state.value}' for n in self._nodes.values())})"
                if self._nodes
                else "; add one with add_node()"
            )
            raise NoNodeAvailableError(msg)
        return chosen

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
        if self._store is not None:
            await self._load_store()
        for node in self._nodes.values():
            node.user_id = user_id
            await node.start()
        if self._store is not None:
            self._spawn(self._store_loop())

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until at least one node is ready."""
        if not self._nodes:
            raise NoNodeAvailableError("no Lavalink node was added; add one with add_node()")
        waiters = [asyncio.ensure_future(n.wait_ready()) for n in self._nodes.values()]
        try:
            async with asyncio.timeout(timeout):
                pending = set(waiters)
                while pending:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    if any(not w.exception() for w in done):
                        return
                raise waiters[0].exception() or NoNodeAvailableError("no node is ready")
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def close(self) -> None:
        """Destroy every player, leave every voice channel and close the nodes.

        With a store, the players and sessions are saved and kept alive instead, so that
        the next run resumes them.
        """
        self._closing = True
        keep = self._store is not None
        if keep:
            await self._save_store()
        else:
            guild_ids = list(self._players)
            await asyncio.gather(
                *(self._leave(g, reason="shutdown") for g in guild_ids), return_exceptions=True
            )
        for node in list(self._nodes.values()):
            await node.close(keep_session=keep)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
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

    # -- the store -----------------------------------------------------------------------

    def snapshot(self) -> StoredState:
        """What the store would save now."""
        sessions = {n.name: n.session_id for n in self._nodes.values() if n.session_id}
        players = [
            StoredPlayer(
                guild_id=p.guild_id,
                channel_id=p.channel_id,
                node=p.node.name,
                track=p.track,
                position=p.position,
                volume=p.volume,
                paused=p.paused,
                filters=p.filters,
                end_time=p.end_time,
            )
            for p in self._players.values()
        ]
        return StoredState(sessions=sessions, players=players)

    async def _save_store(self) -> None:
        if self._store is None:
            return
        state = self.snapshot()
        if state == self._saved:
            return
        try:
            await self._store.save(state)
        except OSError as exc:
            _LOGGER.warning("could not save the session store: %s", exc)
            return
        self._saved = state

    async def _store_loop(self) -> None:
        while True:
            await asyncio.sleep(self.store_interval)
            await self._save_store()

    async def _load_store(self) -> None:
        assert self._store is not None
        state = await self._store.load()
        if state is None:
            return
        for name, session_id in state.sessions.items():
            node = self._nodes.get(name)
            if node is not None:
                node.resume_session(session_id)
        self._restoring.clear()
        for stored in state.players:
            key = stored.node if stored.node in self._nodes else ""
            self._restoring.setdefault(key, []).append(stored)

    def _adopt(self, node: Node, players: list[Player]) -> None:
        stored = {p.guild_id: p for p in self._restoring.pop(node.name, [])}
        for player in players:
            guild = player.guild_id
            try:
                shard_for(self._bot, guild)
            except UsageError:
                continue  # another process's guild, or one this bot left
            if player.channel_id is None and guild in stored:
                player.channel_id = stored[guild].channel_id
            self._players.put(self._guild(guild), player)
            stored.pop(guild, None)
        if stored:
            self._restoring.setdefault(node.name, []).extend(stored.values())

    async def _recreate(self, node: Node) -> None:
        pending = self._restoring.pop(node.name, []) + self._restoring.pop("", [])
        for stored in pending:
            guild = stored.guild_id
            if guild in self._players or stored.channel_id is None:
                continue
            try:
                shard_for(self._bot, guild)
            except UsageError:
                _LOGGER.info("guild %s: no longer served by this process; forgetting it", guild)
                continue
            if self._bot.cache.get_guild(guild) is None:
                _LOGGER.info("guild %s: no longer available; forgetting its player", guild)
                continue
            target = node if node.is_ready else self.best_node()
            player = target.create_player(guild)
            player.channel_id = stored.channel_id
            player.track = stored.track
            player.volume = stored.volume
            player.paused = stored.paused
            player.filters = stored.filters
            player.end_time = stored.end_time
            player.set_position(stored.position)
            player.freeze()
            voice = self._guild(guild)
            self._players.put(voice, player)
            voice.voice_lost = True
            voice.lost_channel_id = stored.channel_id
            self._spawn(self._restore_guild(guild))

    # -- players -------------------------------------------------------------------------

    def get_player(self, guild_id: hikari.Snowflakeish) -> Player | None:
        """The guild's player, if any."""
        return self._players.get(int(guild_id))

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, identifier or search (``ytsearch:...``) on the best node."""
        return await self.best_node().load_tracks(identifier)

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
            The guild's shard is not run by this process or is not connected.
        NoNodeAvailableError
            No node is connected.
        VoiceTimeoutError
            Discord did not send the voice credentials in time.
        """
        guild = int(guild_id)
        channel = int(channel_id)
        shard = shard_for(self._bot, guild)
        voice = self._guild(guild)
        player = voice.player
        created = player is None
        if player is None:
            target = node or self.best_node()
            player = target.create_player(guild)
            self._players.put(voice, player)
        if voice.handshake.channel_id == channel and voice.handshake.sent is not None:
            return player
        player.channel_id = channel
        waiter = voice.new_waiter()
        try:
            await send_op4(
                self._bot, guild, channel, self_mute=self.self_mute, self_deaf=self.self_deaf
            )
        except ShardNotConnectedError as exc:
            voice.fail(exc)
            if created and self._players.get(guild) is player:
                # Nothing was sent anywhere: the player never existed.
                self._players.pop(guild)
                player.node.forget_player(guild)
            raise
        voice.leave_owed = False  # this join replaces a leave that could not go out
        limit = self.voice_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                await asyncio.shield(waiter)
        except TimeoutError:
            if created and self._players.get(guild) is player:
                # Do not leave a half-joined bot behind: forget the player and leave.
                await self._leave(guild, reason="voice_timeout")
            elif voice.handshake.channel_id is not None and player.channel_id == channel:
                player.channel_id = voice.handshake.channel_id  # it stayed where it was
            raise VoiceTimeoutError(self._timeout_message(guild, shard, limit)) from None
        return player

    async def leave(self, guild_id: hikari.Snowflakeish) -> None:
        """Destroy the guild's player and leave its voice channel (op 4, channel ``None``)."""
        await self._leave(int(guild_id), reason="left")

    async def _leave(self, guild: int, *, reason: str) -> None:
        player = self._players.pop(guild)
        voice = self._guilds.get(guild)
        if voice is not None:
            # Keep the bookkeeping: Discord's answer to this leave (channel null) may arrive
            # after a new join, and must not read as a moderator's kick of the new player.
            voice.fail(UsageError(f"guild {guild}: the player was destroyed ({reason})"))
            voice.handshake.reset()
            voice.voice_lost = False
        if player is not None:
            try:
                await player.node.destroy_player(guild)
            except LavalinkError as exc:
                _LOGGER.warning("guild %s: destroying the player failed: %s", guild, exc)
        await self._send_leave(guild, voice)
        if player is not None:
            self._emit(
                ev.PlayerDestroyedEvent,
                lambda: ev.PlayerDestroyedEvent(
                    app=self._bot,
                    guild_id=hikari.Snowflake(guild),
                    player=player,
                    node=player.node,
                    reason=reason,
                ),
            )

    def _guild(self, guild: int) -> GuildVoice:
        voice = self._guilds.get(guild)
        if voice is None:
            voice = self._guilds[guild] = GuildVoice(guild)
        return voice

    def _shard_up(self, guild: int) -> bool:
        try:
            return shard_for(self._bot, guild).is_connected
        except UsageError:
            return False

    def _shard_of(self, guild: int) -> int:
        # The shard hikari sends this guild's op 4 on (and Discord its events).
        return hikari.snowflakes.calculate_shard_id(self._bot, guild)

    def _timeout_message(self, guild: int, shard: hikari.api.GatewayShard, limit: float) -> str:
        causes: list[str] = []
        if not (self._bot.intents & hikari.Intents.GUILD_VOICE_STATES):
            causes.append("the bot lacks the GUILD_VOICE_STATES intent")
        if not shard.is_connected:
            causes.append(f"shard {shard.id} is not connected")
        causes.append("the bot may lack the Connect permission or the channel is full")
        return (
            f"Discord sent no voice credentials for guild {guild} within {limit:g} s; "
            f"likely cause: {'; or '.join(causes)}"
        )

    # -- gateway voice events ------------------------------------------------------------

    async def _on_voice_state(self, event: hikari.VoiceStateUpdateEvent) -> None:
        state = event.state
        me = self._bot.get_me()
        if me is None or state.user_id != me.id:
            return
        guild = int(state.guild_id)
        voice = self._guilds.get(guild)
        if voice is None:
            return
        channel = int(state.channel_id) if state.channel_id is not None else None
        old_channel = voice.handshake.channel_id
        outcome = voice.handshake.on_state(session_id=state.session_id, channel_id=channel)
        if isinstance(outcome, VoiceDisconnected):
            if voice.is_forgettable():
                # Out of voice with no player (the answer to our leave, as a rule): nothing
                # to keep for this guild, so a bot's bookkeeping stays as large as its
                # players, not as the guilds it ever played in.
                del self._guilds[guild]
                return
            if voice.leaving or voice.voice_lost or voice.player is None:
                return
            if voice.left_at is not None and time.monotonic() - voice.left_at < LEAVE_ECHO_WINDOW:
                voice.left_at = None
                return  # the echo of our own leave, not a kick
            _LOGGER.info("guild %s: the bot was disconnected from voice", guild)
            await self._leave(guild, reason="kicked")
            return
        if isinstance(outcome, SendVoice):
            if old_channel is not None and old_channel != outcome.channel_id:
                self._emit_moved(guild, old_channel, outcome.channel_id)
            await self._send_voice(voice, outcome.voice, outcome.channel_id)

    async def _on_voice_server(self, event: hikari.VoiceServerUpdateEvent) -> None:
        guild = int(event.guild_id)
        voice = self._guilds.get(guild)
        if voice is None:
            return
        outcome = voice.handshake.on_server(token=event.token, endpoint=event.raw_endpoint)
        if isinstance(outcome, SendVoice):
            await self._send_voice(voice, outcome.voice, outcome.channel_id)

    def _emit_moved(self, guild: int, old: int, new: int) -> None:
        player = self._players.get(guild)
        if player is None:
            return
        player.channel_id = new
        self._emit(
            ev.VoiceChannelMovedEvent,
            lambda: ev.VoiceChannelMovedEvent(
                app=self._bot,
                guild_id=hikari.Snowflake(guild),
                player=player,
                node=player.node,
                old_channel_id=hikari.Snowflake(old),
                channel_id=hikari.Snowflake(new),
            ),
        )

    async def _send_voice(self, voice: GuildVoice, update: VoiceUpdate, channel: int) -> None:
        async with voice.lock:
            player = self._players.get(voice.guild_id)
            if player is None:
                return
            player.channel_id = channel
            restoring = voice.voice_lost
            if player.voice is None and player.track is None:
                self._home_by_region(player, update.endpoint)
            try:
                if not player.node.is_ready:
                    player.voice = update  # sent with the player on the node's next session
                elif restoring:
                    player.voice = update
                    await player.update(player.restore_request())
                else:
                    await player.set_voice(update)
            except LavalinkError as exc:
                _LOGGER.warning(
                    "guild %s: sending voice to Lavalink failed: %s", voice.guild_id, exc
                )
                voice.handshake.mark_unsent()
                voice.fail(exc)
                return
            if restoring:
                voice.voice_lost = False
                self._emit(
                    ev.VoiceRestoredEvent,
                    lambda: ev.VoiceRestoredEvent(
                        app=self._bot,
                        guild_id=hikari.Snowflake(voice.guild_id),
                        player=player,
                        node=player.node,
                        shard_id=self._shard_of(voice.guild_id),
                        channel_id=hikari.Snowflake(channel),
                        position=player.position,
                    ),
                )
            voice.resolve(update)

    def _home_by_region(self, player: Player, endpoint: str) -> None:
        # The region is only known from the voice endpoint; a player Lavalink has not seen
        # yet can still move to a node in that region for free.
        region = balancing.region_of_endpoint(endpoint)
        if region is None:
            return
        try:
            target = self.best_node(region=region, current=player.node)
        except NoNodeAvailableError:
            return
        if target is not player.node:
            _LOGGER.debug(
                "guild %s: region %s, using node %s", player.guild_id, region, target.name
            )
            player.node.forget_player(player.guild_id)
            target.adopt_player(player)

    # -- shard lifecycle -----------------------------------------------------------------

    async def _on_shard_disconnected(self, event: hikari.ShardDisconnectedEvent) -> None:
        if self._closing:
            return
        shard_id = event.shard.id
        lost: list[tuple[GuildVoice, Player]] = []
        now = time.monotonic()
        for guild, voice in self._guilds.items():
            player = voice.player
            if player is None:
                left = voice.left_at
                if (
                    left is not None
                    and now - left < LEAVE_ECHO_WINDOW
                    and self._shard_of(guild) == shard_id
                ):
                    # Our leave went out, and Discord's answer had not come when the
                    # connection died: the leave may have died with it. Again when the
                    # shard is back (a second leave is harmless).
                    voice.leave_owed = True
                continue
            if self._shard_of(guild) != shard_id:
                continue
            if voice.voice_lost:
                # Dead again before the restore was done: what came on the dead connection
                # is stale, and the shard's next connect starts a new restore.
                voice.handshake.reset()
                continue
            voice.voice_lost = True
            # The player's channel: the last one confirmed, or the one a join in flight
            # asked for (Discord's answer to it may never come on this connection).
            voice.lost_channel_id = player.channel_id or voice.handshake.channel_id
            voice.handshake.reset()
            player.freeze()
            player.detached = True
            lost.append((voice, player))
        if not lost:
            return
        _LOGGER.warning(
            "shard %s disconnected: dropping the Lavalink voice of %d player(s)",
            shard_id,
            len(lost),
        )
        for voice, player in lost:
            channel = voice.lost_channel_id
            self._emit(
                ev.VoiceLostEvent,
                lambda voice=voice, player=player, channel=channel: ev.VoiceLostEvent(
                    app=self._bot,
                    guild_id=hikari.Snowflake(voice.guild_id),
                    player=player,
                    node=player.node,
                    shard_id=shard_id,
                    channel_id=hikari.Snowflake(channel) if channel is not None else None,
                ),
            )
        # hikari awaits this listener before reconnecting: do the REST calls in a task.
        self._spawn(self._drop_voice(lost))

    async def _drop_voice(self, lost: list[tuple[GuildVoice, Player]]) -> None:
        async def drop(voice: GuildVoice, player: Player) -> None:
            async with voice.lock:
                try:
                    await player.node.drop_remote_player(voice.guild_id)
                except LavalinkError as exc:
                    _LOGGER.debug("guild %s: dropping voice failed: %s", voice.guild_id, exc)

        await asyncio.gather(*(drop(v, p) for v, p in lost))

    async def _on_shard_connected(self, event: hikari.ShardConnectedEvent) -> None:
        if self._closing:
            return
        shard_id = event.shard.id
        guilds: list[int] = []
        owed: list[int] = []
        for guild, voice in self._guilds.items():
            if voice.voice_lost:
                if self._shard_of(guild) == shard_id:
                    guilds.append(guild)
            elif voice.leave_owed and voice.player is None and self._shard_of(guild) == shard_id:
                owed.append(guild)
        if guilds:
            self._spawn(self._restore_shard(shard_id, guilds))
        if owed:
            self._spawn(self._send_owed_leaves(owed))

    async def _send_owed_leaves(self, guilds: list[int]) -> None:
        for guild in guilds:
            voice = self._guilds.get(guild)
            if voice is None or not voice.leave_owed or voice.player is not None:
                continue  # joined again meanwhile
            voice.leave_owed = False
            await self._send_leave(guild, voice)

    async def _send_leave(self, guild: int, voice: GuildVoice | None) -> None:
        # Op 4 leave; while the shard is down it is owed, and sent at its next connect (a
        # resumed session keeps the bot in the channel): no bot left sitting silent.
        try:
            if voice is not None:
                voice.left_at = time.monotonic()
            await send_op4(
                self._bot, guild, None, self_mute=self.self_mute, self_deaf=self.self_deaf
            )
        except ShardNotConnectedError as exc:
            if voice is not None:
                voice.leave_owed = True
            _LOGGER.info("guild %s: op 4 leave owed until the shard is back: %s", guild, exc)
        except UsageError as exc:
            _LOGGER.debug("guild %s: op 4 leave not sent: %s", guild, exc)

    async def _restore_shard(self, shard_id: int, guilds: list[int]) -> None:
        _LOGGER.info(
            "shard %s is back: %s %d player(s)",
            shard_id,
            "rejoining" if self.shard_death_policy == "rejoin" else "leaving",
            len(guilds),
        )
        await asyncio.gather(*(self._restore_guild(g) for g in guilds), return_exceptions=True)

    async def _restore_guild(self, guild: int) -> None:
        voice = self._guilds.get(guild)
        player = self._players.get(guild)
        if voice is None or player is None:
            return
        channel = voice.lost_channel_id
        if self.shard_death_policy == "leave" or channel is None:
            await self._leave(guild, reason="voice_lost")
            return
        # One restore per guild: one started at a later connect of the shard (it died and
        # came back while this one waited) takes over, and this one stops where it is, so
        # that no two send their op 4s for the same guild.
        token = voice.restorer = object()
        try:
            await self._rejoin(guild, voice, player, channel, token)
        finally:
            if voice.restorer is token:
                voice.restorer = None

    async def _rejoin(
        self, guild: int, voice: GuildVoice, player: Player, channel: int, token: object
    ) -> None:
        for attempt in range(2):
            if (
                self._players.get(guild) is not player
                or not voice.voice_lost
                or voice.restorer is not token
            ):
                return  # left, destroyed, restored or taken over: never rejoin for nobody
            waiter = voice.new_waiter()
            try:
                if attempt:
                    # No voice server came back: leave, then join again.
                    voice.leaving = True
                    try:
                        await send_op4(
                            self._bot,
                            guild,
                            None,
                            self_mute=self.self_mute,
                            self_deaf=self.self_deaf,
                        )
                    finally:
                        voice.leaving = False
                    voice.handshake.reset()
                await send_op4(
                    self._bot, guild, channel, self_mute=self.self_mute, self_deaf=self.self_deaf
                )
                async with asyncio.timeout(self.rejoin_timeout):
                    await asyncio.shield(waiter)
            except (TimeoutError, LavalinkError) as exc:
                if voice.restorer is not token:
                    return  # the shard died and came back meanwhile: a new restore runs
                if isinstance(exc, ShardNotConnectedError) or not self._shard_up(guild):
                    # The shard died again: its next connect restores this guild afresh
                    # (voice_lost stays set), so this is no failed attempt to give up on.
                    _LOGGER.info("guild %s: shard down again while rejoining: %s", guild, exc)
                    return
                _LOGGER.warning("guild %s: rejoin attempt %d failed: %s", guild, attempt + 1, exc)
                continue
            return
        if self._players.get(guild) is player and voice.restorer is token:
            voice.voice_lost = False
            await self._leave(guild, reason="voice_lost")

    # -- node listener (called from each node's reader task) -----------------------------

    def players_reconciled(
        self, node: Node, *, adopted: list[Player], restored: list[Player], resumed: bool
    ) -> None:
        if adopted:
            self._adopt(node, adopted)
        if self._restoring.get(node.name) or self._restoring.get(""):
            self._spawn(self._recreate(node))

    def node_ready(self, node: Node, *, session_id: str, resumed: bool) -> None:
        self._node_ready.set()
        self._emit(
            ev.NodeReadyEvent,
            lambda: ev.NodeReadyEvent(
                app=self._bot, node=node, session_id=session_id, resumed=resumed
            ),
        )

    def node_disconnected(
        self, node: Node, *, code: int, reason: str, will_resume: bool, graceful: bool
    ) -> None:
        self._emit(
            ev.NodeDisconnectedEvent,
            lambda: ev.NodeDisconnectedEvent(
                app=self._bot,
                node=node,
                code=code,
                reason=reason,
                will_resume=will_resume,
                graceful=graceful,
            ),
        )

    def node_stopped(self, node: Node, *, error: LavalinkError | None) -> None:
        players = list(node.players.values())
        if error is not None and players and not self._closing:
            # Stopped for good (the password is now refused): its players cannot stay.
            for player in players:
                node.forget_player(player.guild_id)
            self._spawn(self._relocate_or_leave(node, players))
        self._emit(
            ev.NodeStoppedEvent, lambda: ev.NodeStoppedEvent(app=self._bot, node=node, error=error)
        )

    def session_lost(
        self, node: Node, *, session_id: str, players: list[Player], reachable: bool
    ) -> None:
        if self._closing or not players:
            return
        self._emit(
            ev.NodeUnavailableEvent,
            lambda: ev.NodeUnavailableEvent(
                app=self._bot,
                node=node,
                session_id=session_id,
                guild_ids=[hikari.Snowflake(p.guild_id) for p in players],
            ),
        )
        if reachable:
            return  # the node restarted: it restores its players on the new session
        for player in players:
            node.forget_player(player.guild_id)
        self._spawn(self._relocate_or_leave(node, players))

    async def _relocate_or_leave(self, dead: Node, players: list[Player]) -> None:
        await self._move_players(dead, players, graceful=False)

    async def _move_players(self, source: Node, players: list[Player], *, graceful: bool) -> None:
        limit = asyncio.Semaphore(MOVE_CONCURRENCY)

        async def move(player: Player) -> None:
            async with limit:
                await self._move_player(source, player, graceful=graceful)

        await asyncio.gather(*(move(p) for p in players))

    async def _move_player(self, source: Node, player: Player, *, graceful: bool) -> None:
        guild = player.guild_id
        tried: set[str] = {source.name}
        while self._players.get(guild) is player:
            candidates = [n for n in self._nodes.values() if n.name not in tried]
            target = self._best_of(candidates, player)
            if target is None and not graceful:
                target = await self._await_node(player)
            if target is None:
                if graceful:
                    _LOGGER.warning("guild %s: no other node can take it; it stays", guild)
                    return
                _LOGGER.warning(
                    "guild %s: node %s is gone and no other node is ready; leaving voice",
                    guild,
                    source.name,
                )
                await self._leave(guild, reason="node_lost")
                return
            tried.add(target.name)
            source.forget_player(guild)
            target.adopt_player(player)
            try:
                if player.voice is not None:
                    await player.update(player.restore_request())
            except LavalinkError as exc:
                _LOGGER.warning("guild %s: moving to node %s failed: %s", guild, target.name, exc)
                target.forget_player(guild)
                source.adopt_player(player)
                continue
            if graceful and source.is_ready and source.session_id is not None:
                try:
                    await source.request(routes.destroy_player(source.session_id, guild))
                except LavalinkError as exc:
                    _LOGGER.debug("guild %s: destroying on %s failed: %s", guild, source.name, exc)
            self._emit(
                ev.PlayerMovedEvent,
                lambda: ev.PlayerMovedEvent(
                    app=self._bot,
                    guild_id=hikari.Snowflake(guild),
                    player=player,
                    node=player.node,
                    from_node=source,
                ),
            )
            return

    async def _await_node(self, player: Player) -> Node | None:
        # No node is ready: hold the player for the grace period, for any node to come
        # (back: a restarted node takes its old players on its new session).
        try:
            async with asyncio.timeout(self.node_loss_grace):
                while True:
                    self._node_ready.clear()
                    target = self._best_of(list(self._nodes.values()), player)
                    if target is not None:
                        return target
                    await self._node_ready.wait()
        except TimeoutError:
            return None

    def _best_of(self, candidates: list[Node], player: Player) -> Node | None:
        ready = [n for n in candidates if n.is_ready and n.name not in self._draining]
        if not ready:
            return None
        if self.node_strategy is not None:
            return self.node_strategy(ready, None)
        region = balancing.region_of_endpoint(player.voice.endpoint if player.voice else None)
        return balancing.choose(ready, region=region, load=_load)

    def wants_player_updates(self, node: Node) -> bool:
        # Asked once per reader step: no PlayerUpdateEvent listener, no call per message.
        return self._gate.wants(ev.PlayerUpdateEvent)

    def player_update(
        self, node: Node, player: Player | None, message: messages.PlayerUpdateMessage
    ) -> None:
        self._bot.event_manager.dispatch(
            ev.PlayerUpdateEvent(
                app=self._bot,
                guild_id=hikari.Snowflake(message.guild_id),
                player=player,
                node=node,
                state=message.state,
            )
        )

    def event(self, node: Node, player: Player | None, message: messages.EventMessage) -> None:
        if player is None:
            current = self._players.get(message.guild_id)
            if current is not None and current.node is not node:
                return  # a late word from a node this player has left
        event_type, fields = _EVENTS[type(message)]
        if self._gate.wants_in(event_type, node):
            self._bot.event_manager.dispatch(
                event_type(
                    app=self._bot,
                    guild_id=hikari.Snowflake(message.guild_id),
                    player=player,
                    node=node,
                    **{field: getattr(message, field) for field in fields},
                )
            )

    def unknown(self, node: Node, message: messages.UnknownMessage) -> None:
        if self._gate.wants_in(ev.RawLavalinkEvent, node):
            self._bot.event_manager.dispatch(
                ev.RawLavalinkEvent(
                    app=self._bot,
                    node=node,
                    op=message.op,
                    type=message.type,
                    guild_id=hikari.Snowflake(message.guild_id) if message.guild_id else None,
                    payload=message.payload,
                )
            )

    # -- helpers -------------------------------------------------------------------------

    def _emit(self, event_type: type[EventT], build: collections.abc.Callable[[], EventT]) -> None:
        if self._gate.wants(event_type):
            self._bot.event_manager.dispatch(build())

    def _spawn(self, coro: collections.abc.Coroutine[typing.Any, typing.Any, typing.Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[typing.Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("background task failed", exc_info=task.exception())


def _load(node: Node) -> float:
    # Stats arrive once a minute: count the players created since, so joins spread at once.
    stats = node.stats
    reported = stats.playing_players if stats is not None else 0
    # The stats part is computed once per stats message; the player count is always live.
    return balancing.cached_penalty(stats) - reported + max(reported, len(node.players))


# Lavalink message type -> (hikari event type, the message fields the event carries over).
_EVENTS: typing.Final[dict[type, tuple[type[ev.PlayerEvent], tuple[str, ...]]]] = {
    messages.TrackStartMessage: (ev.TrackStartEvent, ("track",)),
    messages.TrackEndMessage: (ev.TrackEndEvent, ("track", "reason")),
    messages.TrackExceptionMessage: (ev.TrackExceptionEvent, ("track", "exception")),
    messages.TrackStuckMessage: (ev.TrackStuckEvent, ("track", "threshold_ms")),
    messages.WebSocketClosedMessage: (ev.VoiceSocketClosedEvent, ("code", "reason", "by_remote")),
}
