"""A Lavalink node: one WebSocket, one reader task, the session machine's effects carried out.

The reader task is the only place messages are handled, one at a time, in the order the
server sent them. Per message the work is a decode, a dict lookup of the player and a call
to the listener: nothing grows with the number of players and no task is created.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import time
import types
import typing

from hikari_lavalink._about import __version__
from hikari_lavalink.errors import LavalinkError, NodeConnectionError, RemoteProtocolError
from hikari_lavalink.protocol import codec, messages, models, routes
from hikari_lavalink.protocol import session as session_
from hikari_lavalink.protocol.backoff import Backoff
from hikari_lavalink.runtime.listener import NodeListener
from hikari_lavalink.runtime.player import Player

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus
    from hikari_lavalink.transport.base import NodeTransport, WebSocketClosed, WebSocketConnection

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
        How to reach the server (see :func:`hikari_lavalink.transport.create_transport`).
    user_id
        The bot's user id, sent as ``User-Id``.
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
        Sent as ``Client-Name``.
    """

    __slots__ = (
        "_backoff",
        "_closed_at",
        "_closing",
        "_conn",
        "_error",
        "_listener",
        "_players",
        "_ready",
        "_restore_players",
        "_rng",
        "_session",
        "_step_now",
        "_task",
        "_transport",
        "_unreachable",
        "_updates_wanted",
        "client_name",
        "clock",
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
        self.name: typing.Final = name
        self.regions: frozenset[str] = frozenset(regions)
        """Regions this node serves (names as in ``protocol.balancing.REGION_PREFIXES``)."""
        self.user_id = user_id
        self.client_name = client_name
        self.clock: typing.Final = clock
        self.stats: models.Stats | None = None
        """The latest statistics from the WebSocket, ``None`` until the first arrive."""
        self.voice_timeout: float | None = None
        """The :attr:`Player.voice_timeout` of its players that set none of their own
        (the hikari bridge sets its own ``voice_timeout`` here)."""
        self._transport = transport
        self._listener = listener or NodeListener()
        self._rng = rng or random.Random()
        self._backoff = Backoff(base=reconnect_base, cap=reconnect_cap, rng=self._rng)
        self._session = session_.NodeSession(
            resuming=resuming,
            resume_timeout=resume_timeout,
            backoff=self._backoff,
            session_id=session_id,
        )
        self._restore_players = restore_players
        self._players: dict[int, Player] = {}
        self._ready = asyncio.Event()
        self._conn: WebSocketConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._error: LavalinkError | None = None
        self._closing = False
        self._closed_at: float | None = None
        self._unreachable = False
        # The reader's step (until it gives the event loop a turn): the clock reading that
        # stamps its player updates (None: no update in this step yet), and the listener's
        # wants_player_updates answer, both taken at the step's first update.
        self._step_now: float | None = None
        self._updates_wanted = True

    def __repr__(self) -> str:
        return f"Node(name={self.name!r}, state={self.state.value}, players={len(self._players)})"

    # -- state ---------------------------------------------------------------------------

    @property
    def state(self) -> NodeState:
        """Where the node is."""
        state = self._session.state
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
        return self._session.state is session_.SessionState.READY and not self._closing

    @property
    def session_id(self) -> str | None:
        """The current (or last) Lavalink session id."""
        return self._session.session_id

    @property
    def error(self) -> LavalinkError | None:
        """Why the node stopped, if it stopped on an error."""
        return self._error

    @property
    def players(self) -> collections.abc.Mapping[int, Player]:
        """The players on this node, by guild id (read-only view)."""
        return types.MappingProxyType(self._players)

    @property
    def resume_timeout(self) -> int:
        """Seconds the server keeps this node's session when the WebSocket drops."""
        return self._session.resume_timeout

    # -- lifecycle -----------------------------------------------------------------------

    def resume_session(self, session_id: str) -> None:
        """Before :meth:`start`: resume this session id on the first connect, if it lives."""
        self._session.offer(session_id)

    async def start(self) -> None:
        """Start connecting in the background (returns at once; see :meth:`wait_ready`)."""
        if self._task is not None:
            return
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"hikari-lavalink node {self.name}"
        )

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the node is ready.

        Raises
        ------
        NodeConnectionError
            The node stopped for good (for example the password was rejected).
        TimeoutError
            ``timeout`` passed first.
        """
        async with asyncio.timeout(timeout):
            while not self.is_ready:
                if self._error is not None:
                    raise self._error
                if self._task is None or self._task.done():
                    raise NodeConnectionError(self.name, "node is not running", fatal=True)
                waiter = asyncio.ensure_future(self._ready.wait())
                done, _ = await asyncio.wait(
                    [waiter, self._task], return_when=asyncio.FIRST_COMPLETED
                )
                if waiter not in done:
                    waiter.cancel()

    async def close(self, *, keep_session: bool = False) -> None:
        """Close the node.

        Parameters
        ----------
        keep_session
            Leave the session resumable, so its players keep playing for
            ``resume_timeout`` seconds and a restarted bot can resume it. By default
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
        self._session.stop()
        if self._conn is not None:
            await self._conn.close(1000)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._ready.clear()
        await self._transport.close()
        self._call(self._listener.node_stopped, self, error=None)

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
        """Take a player from another node (failover); it is not sent anywhere yet."""
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
        """Destroy the player on the server (if connected) and forget it locally."""
        self._players.pop(guild_id, None)
        session_id = self.session_id
        if session_id is not None and self.is_ready:
            await self.request(routes.destroy_player(session_id, guild_id))

    # -- REST ----------------------------------------------------------------------------

    async def request(self, route: routes.Route[T], *, trace: bool = False) -> T:
        """Make a REST call to this node."""
        return await self._transport.request(route, trace=trace)

    async def load_tracks(self, identifier: str) -> LoadResult:
        """Resolve a URL, an identifier or a search (``ytsearch:...``)."""
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
        return await self.request(routes.get_players(session_id))

    async def fetch_player(self, guild_id: int) -> models.Player:
        """One player as the server has it."""
        session_id = self._require_session()
        return await self.request(routes.get_player(session_id, guild_id))

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
        """The route planner's status, ``None`` when no planner is configured."""
        return await self.request(routes.route_planner_status())

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

    # -- the reader task -----------------------------------------------------------------

    async def _run(self) -> None:
        effects = self._session.start(self.clock())
        try:
            while effects:
                pending: list[session_.Effect] = []
                for effect in effects:
                    pending.extend(await self._carry_out(effect))
                effects = pending
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug of ours: say so loudly, never die silently
            _LOGGER.exception("node %s: reader task crashed", self.name)
            raise

    async def _carry_out(self, effect: session_.Effect) -> list[session_.Effect]:
        if isinstance(effect, session_.Connect):
            return await self._connect_and_read(effect.resume_session_id)
        if isinstance(effect, session_.Wait):
            return await self._wait(effect)
        if isinstance(effect, session_.EnableResuming):
            return await self._enable_resuming(effect)
        if isinstance(effect, session_.Reconcile):
            await self._reconcile(effect.session_id, resumed=effect.resumed)
            return []
        if isinstance(effect, session_.SignalReady):
            self._ready.set()
            _LOGGER.info(
                "node %s: ready (session %s, resumed=%s)",
                self.name,
                effect.session_id,
                effect.resumed,
            )
            self._call(
                self._listener.node_ready,
                self,
                session_id=effect.session_id,
                resumed=effect.resumed,
            )
            return []
        if isinstance(effect, session_.SignalDisconnected):
            self._ready.clear()
            self._closed_at = self.clock()
            self._unreachable = False
            _LOGGER.warning(
                "node %s: WebSocket closed (code %s %r, %s)%s",
                self.name,
                effect.code,
                effect.reason,
                "server shutting down" if effect.graceful else "unexpected",
                "; will try to resume" if effect.will_resume else "",
            )
            self._call(
                self._listener.node_disconnected,
                self,
                code=effect.code,
                reason=effect.reason,
                will_resume=effect.will_resume,
                graceful=effect.graceful,
            )
            return []
        if isinstance(effect, session_.SessionLost):
            self._on_session_lost(effect.session_id)
            return []
        # GiveUp
        self._ready.clear()
        self._error = NodeConnectionError(
            self.name,
            f"the server refused the password (HTTP {effect.status}); "
            "this node is stopped, fix the password and add it again",
            status=effect.status,
            fatal=True,
        )
        _LOGGER.error("%s", self._error)
        self._call(self._listener.node_stopped, self, error=self._error)
        return []

    def _headers(self, resume_session_id: str | None) -> dict[str, str]:
        headers = {"User-Id": str(self.user_id), "Client-Name": self.client_name}
        if resume_session_id is not None:
            headers["Session-Id"] = resume_session_id
        return headers

    async def _connect_and_read(self, resume_session_id: str | None) -> list[session_.Effect]:
        try:
            conn = await self._transport.connect(self._headers(resume_session_id))
        except NodeConnectionError as exc:
            self._unreachable = True
            attempt = self._backoff.attempt
            if not exc.fatal and (attempt == 0 or attempt % 10 == 0):
                _LOGGER.warning("node %s: cannot connect (%s); retrying", self.name, exc)
            else:
                _LOGGER.debug("node %s: cannot connect (%s)", self.name, exc)
            return self._session.on_connect_failed(self.clock(), status=exc.status, reason=str(exc))
        self._conn = conn
        effects = self._session.on_open(self.clock(), resumed_header=conn.resumed)
        for effect in effects:
            await self._carry_out(effect)
        try:
            closed = await self._read(conn)
        finally:
            self._conn = None
        return self._session.on_closed(self.clock(), code=closed.code, reason=closed.reason)

    def _start_step(self) -> float:
        # At the first playerUpdate of a step of the reader; a callback forgets it before
        # the next step, so that no message pays a call for it. Every message the step
        # handles was received before the step began (the transport is fed between steps):
        # one clock reading stamps them all, nearer their arrival than a reading per message
        # would be, and one answer of the listener holds for them all (see bridge.gate).
        try:
            wanted = bool(self._listener.wants_player_updates(self))
        except Exception:
            _LOGGER.exception("node %s: listener %s raised", self.name, self._listener)
            wanted = True
        self._updates_wanted = wanted
        now = self._step_now = self.clock()
        asyncio.get_running_loop().call_soon(self._end_step)
        return now

    def _end_step(self) -> None:
        self._step_now = None

    async def _read(self, conn: WebSocketConnection) -> WebSocketClosed:
        # The hot loop: names are bound once, types are compared by identity, the codec's
        # prebuilt decoder is called directly (a frame it rejects goes through
        # decode_message, which says why) and the listener is called directly (an
        # exception it raises is logged, never fatal).
        ready_type = messages.ReadyMessage
        update_type = messages.PlayerUpdateMessage
        envelope_type = messages.EventEnvelope
        get_player = self._players.get
        decode = codec.frame_decoder
        receive = conn.next_message
        text_kind, binary_kind = conn.frame_kinds
        on_update = self._listener.player_update
        while True:
            try:
                kind, data, extra = await receive()
            except Exception as exc:  # noqa: BLE001 - failed() re-raises what is not network
                return conn.failed(exc)
            if kind is not text_kind and kind is not binary_kind:
                closed = conn.end_of(kind, data, extra)
                if closed is not None:
                    return closed
                continue
            try:
                message: typing.Any = decode(data)
            except Exception:  # noqa: BLE001 - msgspec's errors: decode_message maps them
                message = self._decode_slowly(data)
                if message is None:
                    continue
            # Typed loosely on purpose (message is Any): the identity checks narrow, and a
            # typing.cast per message would cost a call.
            message_type = message.__class__
            if message_type is update_type:
                update: messages.PlayerUpdateMessage = message
                now = self._step_now
                if now is None:
                    now = self._start_step()
                player = get_player(update.guild_id)
                if player is not None:
                    # Player.detached, read without a property call: a playing player has
                    # no extras (one slot read), and few others are detached.
                    extras = player._extras  # pyright: ignore[reportPrivateUsage]
                    if extras is not None and extras.detached:
                        continue
                    player.apply_state(update.state, now)
                if self._updates_wanted:
                    try:
                        on_update(self, player, update)
                    except Exception:
                        _LOGGER.exception("node %s: listener %s raised", self.name, on_update)
            elif message_type is envelope_type:
                try:
                    event = codec.finish_event(message, data)
                except RemoteProtocolError as exc:
                    _LOGGER.warning("node %s: ignoring a malformed message: %s", self.name, exc)
                    continue
                self._on_other(event)
            elif message_type is ready_type:
                await self._on_ready(message)
            else:
                self._on_other(message)

    async def _on_ready(self, ready: messages.ReadyMessage) -> None:
        for effect in self._session.on_ready(
            self.clock(), session_id=ready.session_id, resumed=ready.resumed
        ):
            await self._carry_out(effect)

    def _decode_slowly(self, frame: str | bytes) -> typing.Any:
        # A Message, or None when the frame is malformed (logged).
        try:
            return codec.decode_message(frame)
        except RemoteProtocolError as exc:
            _LOGGER.warning("node %s: ignoring a malformed message: %s", self.name, exc)
            return None

    def _on_other(self, message: typing.Any) -> None:
        # Typed loosely, as in _read: the identity checks narrow, where a typing.cast per
        # message would cost a call; the listener is called in place, not through _call.
        kind = message.__class__
        if kind is messages.StatsMessage:
            stats: messages.StatsMessage = message
            self.stats = stats
            callback = self._listener.stats
            args: tuple[typing.Any, ...] = (self, stats)
        elif kind is messages.UnknownMessage:
            unknown: messages.UnknownMessage = message
            callback = self._listener.unknown
            args = (self, unknown)
        elif kind in _EVENT_KINDS:
            event: messages.EventMessage = message
            player = self._players.get(event.guild_id)
            if player is not None:
                # Player.detached, read as the reader reads it: a playing player has no
                # extras.
                extras = player._extras  # pyright: ignore[reportPrivateUsage]
                if extras is not None and extras.detached:
                    # The end of a player we dropped on purpose: not news for anyone.
                    _LOGGER.debug("node %s: %s of a detached player", self.name, event)
                    return
                _apply_event(player, event)
            callback = self._listener.event
            args = (self, player, event)
        else:
            return
        try:
            callback(*args)
        except Exception:
            _LOGGER.exception("node %s: listener %s raised", self.name, callback)

    async def _wait(self, effect: session_.Wait) -> list[session_.Effect]:
        effects: list[session_.Effect] = []
        if effect.deadline_in is not None and effect.deadline_in < effect.delay:
            await asyncio.sleep(effect.deadline_in)
            for lost in self._session.on_deadline(self.clock()):
                await self._carry_out(lost)
            await asyncio.sleep(effect.delay - effect.deadline_in)
        else:
            await asyncio.sleep(effect.delay)
        effects.extend(self._session.on_wait_over(self.clock()))
        return effects

    async def _enable_resuming(self, effect: session_.EnableResuming) -> list[session_.Effect]:
        update = models.SessionUpdate(resuming=True, timeout=effect.timeout)
        try:
            await self.request(routes.update_session(effect.session_id, update))
        except LavalinkError as exc:
            _LOGGER.warning("node %s: could not enable resuming: %s", self.name, exc)
            return self._session.on_resuming_enabled(self.clock(), ok=False)
        return self._session.on_resuming_enabled(self.clock(), ok=True)

    def _on_session_lost(self, session_id: str) -> None:
        players = list(self._players.values())
        # A server we could not reach since the socket closed most likely died then (crash,
        # SIGKILL, restart): its audio stopped at the close. A reachable server that refused
        # to resume kept playing until it dropped the session: freeze at "now".
        stopped_at = self._closed_at if self._unreachable else None
        for player in players:
            player.freeze(stopped_at)
        _LOGGER.warning(
            "node %s: session %s is gone with its %d player(s)%s",
            self.name,
            session_id,
            len(players),
            "; they will be restored on the next session" if self._restore_players else "",
        )
        self._call(
            self._listener.session_lost,
            self,
            session_id=session_id,
            players=players,
            reachable=self._conn is not None,
        )

    async def _reconcile(self, session_id: str, *, resumed: bool) -> None:
        try:
            server_players = await self.request(routes.get_players(session_id))
        except LavalinkError as exc:
            _LOGGER.warning("node %s: could not reconcile players: %s", self.name, exc)
            return
        on_server = {player.guild_id: player for player in server_players}
        adopted: list[Player] = []
        for guild_id, remote in on_server.items():
            local = self._players.get(guild_id)
            if local is None:
                local = self._players[guild_id] = Player(self, guild_id)
                adopted.append(local)
            local.apply_player(remote)
            if local.voice is None and remote.voice.token:
                local.adopt_voice(remote.voice)
        restored: list[Player] = []
        for guild_id, player in list(self._players.items()):
            if guild_id in on_server:
                continue
            if not self._restore_players or player.voice is None:
                continue
            try:
                await player.update(player.restore_request())
            except LavalinkError as exc:
                _LOGGER.warning(
                    "node %s: could not restore the player of guild %s: %s",
                    self.name,
                    guild_id,
                    exc,
                )
                continue
            restored.append(player)
        if adopted or restored:
            _LOGGER.info(
                "node %s: reconciled players (%d adopted, %d restored)",
                self.name,
                len(adopted),
                len(restored),
            )
        self._call(
            self._listener.players_reconciled,
            self,
            adopted=adopted,
            restored=restored,
            resumed=resumed,
        )

    def _call(
        self, callback: collections.abc.Callable[..., None], *args: typing.Any, **kwargs: typing.Any
    ) -> None:
        try:
            callback(*args, **kwargs)
        except Exception:
            _LOGGER.exception("node %s: listener %s raised", self.name, callback)


_EVENT_KINDS: typing.Final = frozenset(typing.get_args(messages.EventMessage))
"""The message classes of ``event`` ops: what :meth:`Node._on_other` hands to ``event``."""


def _apply_event(player: Player, message: typing.Any) -> None:
    # Typed loosely, as in Node._read: the identity checks narrow.
    kind = message.__class__
    if kind is messages.TrackStartMessage:
        start: messages.TrackStartMessage = message
        player.track = start.track
    elif kind is messages.TrackEndMessage:
        end: messages.TrackEndMessage = message
        current = player.track
        if (
            current is not None
            and end.reason != models.TrackEndReason.REPLACED
            and current.encoded == end.track.encoded
        ):
            player.track = None
            player.end_time = None
    elif kind is messages.WebSocketClosedMessage:
        player.connected = False
