"""A node's connection: its one task, reading frames in order and carrying out the effects
of its session machine ([`hikari_lavalink.protocol.session`][hikari_lavalink.protocol.session]).

The rules of the hot path, stated once for the whole module: the reader task is the only
place messages are handled, one at a time, in the order the server sent them. Per message
the work is a decode, a dict lookup of the player, one call into it and a call to the
listener: nothing grows with the number of players and no task is created. Names are bound
once per connection, types are compared by identity (a `typing.cast` per message would
cost a call, so messages are typed loosely), the codec's prebuilt decoder is called
directly, and an exception a listener raises is logged, never fatal.

A Lavalink message takes this path: the transport's receive -> `NodeConnection._read`
-> `codec.frame_decoder` -> the player (`apply_update` / `apply_event`) -> the node's
[`NodeListener`][hikari_lavalink.NodeListener] (for the client,
`NodeEvents`, which builds the hikari event).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import typing

from hikari_lavalink._typing import override
from hikari_lavalink.errors import LavalinkError, NodeConnectionError, RemoteProtocolError
from hikari_lavalink.protocol import codec, messages, models, routes
from hikari_lavalink.protocol import session as session_
from hikari_lavalink.runtime.reconcile import Reconciliation

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.backoff import Backoff
    from hikari_lavalink.runtime.listener import NodeListener
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.transport.base import NodeTransport, WebSocketClosed, WebSocketConnection

__all__ = ["NodeConnection"]

_LOGGER = logging.getLogger("hikari_lavalink.node")
INTERNAL_ERROR: typing.Final = 1011
"""The close code the node uses when its own task failed."""


class NodeConnection:
    """The task of one [`Node`][hikari_lavalink.Node] and its per-step state.

    Internal: the node builds it, starts `run` in its task and stops it in
    `stop`. `session` is the session machine; `ready` is set while a session is
    ready; `error` says why the node stopped for good.
    """

    __slots__ = (
        "_backoff",
        "_clock",
        "_listener",
        "_name",
        "_node",
        "_players",
        "_reconciliation",
        "_step_now",
        "_transport",
        "_unreachable",
        "_updates_wanted",
        "closed_at",
        "conn",
        "error",
        "ready",
        "session",
        "task",
    )

    def __init__(
        self,
        node: Node,
        *,
        players: dict[int, Player],
        transport: NodeTransport,
        listener: NodeListener,
        session: session_.NodeSession,
        backoff: Backoff,
        restore_players: bool,
    ) -> None:
        self._node = node
        self._name = node.name
        self._clock = node.clock
        self._players = players
        self._transport = transport
        self._listener = listener
        self.session: session_.NodeSession = session
        self._backoff = backoff
        self.ready: asyncio.Event = asyncio.Event()
        self.conn: WebSocketConnection | None = None
        self.task: asyncio.Task[None] | None = None
        self.error: LavalinkError | None = None
        self.closed_at: float | None = None
        self._unreachable = False
        self._reconciliation = Reconciliation(
            node,
            restore_players=restore_players,
            backoff=backoff,
            reconciled=self._reconciled,
            lost=self._lost,
        )
        # The reader's step (until it gives the event loop a turn): the clock reading that
        # stamps its player updates (None: no update in this step yet), and the listener's
        # wants_player_updates answer, both taken at the step's first update.
        self._step_now: float | None = None
        self._updates_wanted = True

    @override
    def __repr__(self) -> str:
        return f"NodeConnection(node={self._name!r}, state={self.session.state.value})"

    def start(self) -> None:
        """Start `run` in the node's task (once)."""
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(
                self.run(), name=f"hikari-lavalink node {self._name}"
            )

    async def stop(self) -> None:
        """Stop the session machine, close the socket, end the task, release the transport."""
        self.session.stop()
        self._reconciliation.cancel()
        if self.conn is not None:
            await self.conn.close(1000)
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.ready.clear()
        await self._transport.close()

    def call(
        self, callback: collections.abc.Callable[..., None], *args: typing.Any, **kwargs: typing.Any
    ) -> None:
        """Call a listener method; an exception it raises is logged."""
        try:
            callback(*args, **kwargs)
        except Exception:
            _LOGGER.exception("node %s: listener %s raised", self._name, callback)

    def _reconciled(self, adopted: list[Player], restored: list[Player], resumed: bool) -> None:
        self.call(
            self._listener.players_reconciled,
            self._node,
            adopted=adopted,
            restored=restored,
            resumed=resumed,
        )

    def _lost(self, session_id: str, players: list[Player]) -> None:
        self.call(
            self._listener.session_lost,
            self._node,
            session_id=session_id,
            players=players,
            reachable=False,
        )

    async def run(self) -> None:
        """The node's one task: connect, read, reconnect, until stopped for good."""
        effects = self.session.start(self._clock())
        while effects:
            try:
                pending: list[session_.Effect] = []
                for effect in effects:
                    pending.extend(await self._carry_out(effect))
                effects = pending
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug of ours: say so loudly, and never stay silent for it
                _LOGGER.exception("node %s: reader task crashed; reconnecting", self._name)
                effects = await self._recover()

    async def _recover(self) -> list[session_.Effect]:
        # The task crashed: whatever it was doing, the node is down now (never READY with
        # nobody reading) and reconnects (resuming), as after a dropped socket.
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close(INTERNAL_ERROR)
        now = self._clock()
        return self.session.on_closed(
            now, code=INTERNAL_ERROR, reason="the reader crashed"
        ) or self.session.on_wait_over(now)

    async def _carry_out(self, effect: session_.Effect) -> list[session_.Effect]:
        if isinstance(effect, session_.Connect):
            return await self._connect_and_read(effect.resume_session_id)
        if isinstance(effect, session_.Wait):
            return await self._wait(effect)
        if isinstance(effect, session_.EnableResuming):
            return await self._enable_resuming(effect)
        if isinstance(effect, session_.Reconcile):
            await self._reconciliation.run(effect.session_id, resumed=effect.resumed)
            return []
        if isinstance(effect, session_.SignalReady):
            self.ready.set()
            _LOGGER.info(
                "node %s: ready (session %s, resumed=%s)",
                self._name,
                effect.session_id,
                effect.resumed,
            )
            self.call(
                self._listener.node_ready,
                self._node,
                session_id=effect.session_id,
                resumed=effect.resumed,
            )
            return []
        if isinstance(effect, session_.SignalDisconnected):
            self.ready.clear()
            self.closed_at = self._clock()
            self._unreachable = False
            _LOGGER.warning(
                "node %s: WebSocket closed (code %s %r, %s)%s",
                self._name,
                effect.code,
                effect.reason,
                "server shutting down" if effect.graceful else "unexpected",
                "; will try to resume" if effect.will_resume else "",
            )
            self.call(
                self._listener.node_disconnected,
                self._node,
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
        self.ready.clear()
        self.error = NodeConnectionError(
            self._name,
            f"the server refused the password (HTTP {effect.status}); "
            "this node is stopped: fix the password and add_node() it again (same name)",
            status=effect.status,
            fatal=True,
        )
        _LOGGER.error("%s", self.error)
        self.call(self._listener.node_stopped, self._node, error=self.error)
        return []

    def _headers(self, resume_session_id: str | None) -> dict[str, str]:
        headers = {"User-Id": str(self._node.user_id), "Client-Name": self._node.client_name}
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
                _LOGGER.warning("node %s: cannot connect (%s); retrying", self._name, exc)
            else:
                _LOGGER.debug("node %s: cannot connect (%s)", self._name, exc)
            return self.session.on_connect_failed(
                self._clock(), status=exc.status, reason=str(exc), refused=exc.refused
            )
        self.conn = conn
        effects = self.session.on_open(self._clock(), resumed_header=conn.resumed)
        for effect in effects:
            await self._carry_out(effect)
        try:
            closed = await self._read(conn)
        finally:
            self.conn = None
        return self.session.on_closed(self._clock(), code=closed.code, reason=closed.reason)

    def _start_step(self) -> float:
        # At the first playerUpdate of a step of the reader; a callback forgets it before
        # the next step, so that no message pays a call for it. Every message the step
        # handles was received before the step began (the transport is fed between steps):
        # one clock reading stamps them all, nearer their arrival than a reading per message
        # would be, and one answer of the listener holds for them all (see bridge.gate).
        try:
            wanted = bool(self._listener.wants_player_updates(self._node))
        except Exception:
            _LOGGER.exception("node %s: listener %s raised", self._name, self._listener)
            wanted = True
        self._updates_wanted = wanted
        now = self._step_now = self._clock()
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
        node = self._node
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
            try:
                # Typed loosely on purpose (message is Any): the identity checks narrow, and a
                # typing.cast per message would cost a call.
                message_type = message.__class__
                if message_type is update_type:
                    update: messages.PlayerUpdateMessage = message
                    now = self._step_now
                    if now is None:
                        now = self._start_step()
                    player = get_player(update.guild_id)
                    # A detached player (dropped on purpose) takes no update, and nobody hears it.
                    if player is not None and not player.apply_update(update.state, now):
                        continue
                    if self._updates_wanted:
                        try:
                            on_update(node, player, update)
                        except Exception:
                            _LOGGER.exception("node %s: listener %s raised", self._name, on_update)
                elif message_type is envelope_type:
                    self._on_other(codec.finish_event(message, data))
                elif message_type is ready_type:
                    await self._on_ready(message)
                else:
                    self._on_other(message)
            except RemoteProtocolError as exc:  # an event lacking a field it must have
                _LOGGER.warning("node %s: ignoring a malformed message: %s", self._name, exc)
            except Exception:  # a frame is never worth the reader: skip it, say so
                _LOGGER.exception(
                    "node %s: a %d-byte frame could not be handled; skipped", self._name, len(data)
                )

    async def _on_ready(self, ready: messages.ReadyMessage) -> None:
        for effect in self.session.on_ready(
            self._clock(), session_id=ready.session_id, resumed=ready.resumed
        ):
            await self._carry_out(effect)

    def _decode_slowly(self, frame: str | bytes) -> typing.Any:
        # A Message, or None when the frame is malformed (logged).
        try:
            return codec.decode_message(frame)
        except RemoteProtocolError as exc:
            _LOGGER.warning("node %s: ignoring a malformed message: %s", self._name, exc)
        except Exception:  # a bug of the codec's: the frame is skipped, the reader goes on
            _LOGGER.exception("node %s: a %d-byte frame broke the codec", self._name, len(frame))
        return None

    def _on_other(self, message: typing.Any) -> None:
        # Typed loosely, as in _read: the identity checks narrow, where a typing.cast per
        # message would cost a call; the listener is called in place, not through _call.
        kind = message.__class__
        if kind is messages.StatsMessage:
            stats: messages.StatsMessage = message
            self._node.stats = stats
            callback = self._listener.stats
            args: tuple[typing.Any, ...] = (self._node, stats)
        elif kind is messages.UnknownMessage:
            unknown: messages.UnknownMessage = message
            callback = self._listener.unknown
            args = (self._node, unknown)
        elif kind in _EVENT_KINDS:
            event: messages.EventMessage = message
            player = self._players.get(event.guild_id)
            if player is not None and not player.apply_event(event):
                # The end of a player we dropped on purpose: not news for anyone.
                _LOGGER.debug("node %s: %s of a detached player", self._name, event)
                return
            callback = self._listener.event
            args = (self._node, player, event)
        elif isinstance(message, messages.PluginEventMessage):
            plugin: messages.PluginEventMessage = message
            player = self._players.get(plugin.guild_id)
            if player is not None and player.detached:
                return
            callback = self._listener.plugin_event
            args = (self._node, player, plugin)
        else:
            return
        try:
            callback(*args)
        except Exception:
            _LOGGER.exception("node %s: listener %s raised", self._name, callback)

    async def _wait(self, effect: session_.Wait) -> list[session_.Effect]:
        effects: list[session_.Effect] = []
        if effect.deadline_in is not None and effect.deadline_in < effect.delay:
            await asyncio.sleep(effect.deadline_in)
            for lost in self.session.on_deadline(self._clock()):
                await self._carry_out(lost)
            await asyncio.sleep(effect.delay - effect.deadline_in)
        else:
            await asyncio.sleep(effect.delay)
        effects.extend(self.session.on_wait_over(self._clock()))
        return effects

    async def _enable_resuming(self, effect: session_.EnableResuming) -> list[session_.Effect]:
        update = models.SessionUpdate(resuming=True, timeout=effect.timeout)
        try:
            await self._transport.request(routes.update_session(effect.session_id, update))
        except LavalinkError as exc:
            _LOGGER.warning("node %s: could not enable resuming: %s", self._name, exc)
            return self.session.on_resuming_enabled(self._clock(), ok=False)
        return self.session.on_resuming_enabled(self._clock(), ok=True)

    def _on_session_lost(self, session_id: str) -> None:
        players = list(self._players.values())
        # A server we could not reach since the socket closed most likely died then (crash,
        # SIGKILL, restart): its audio stopped at the close. A reachable server that refused
        # to resume kept playing until it dropped the session: freeze at "now".
        stopped_at = self.closed_at if self._unreachable else None
        for player in players:
            player.freeze(stopped_at)
        _LOGGER.warning(
            "node %s: session %s is gone with its %d player(s)%s",
            self._name,
            session_id,
            len(players),
            "; they will be restored on the next session"
            if self._reconciliation.restore_players
            else "",
        )
        self.call(
            self._listener.session_lost,
            self._node,
            session_id=session_id,
            players=players,
            reachable=self.conn is not None,
        )


_EVENT_KINDS: typing.Final = frozenset(typing.get_args(messages.EventMessage))
"""The message classes of `event` ops: what `Node._on_other` hands to `event`."""
