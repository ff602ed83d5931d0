"""The nodes' listener: every Lavalink message and node change becomes a hikari event here.

`NodeEvents` is what each node's reader task calls, in message order. It holds the
one table from Lavalink message types to hikari events, the listener gate (an event is only
built when someone listens) and the one way the client's components emit an event.

What a node's change means for the players (a lost session moves them; a reconciled
session restores what the store kept) is not decided here: the reactions are given as
callables by the composition root.
"""

from __future__ import annotations

import logging
import typing

import hikari

from hikari_lavalink._typing import override
from hikari_lavalink.bridge import events as ev
from hikari_lavalink.bridge import plugin_events as pev
from hikari_lavalink.bridge.gate import ListenerGate
from hikari_lavalink.protocol import messages
from hikari_lavalink.protocol.plugins import lavalyrics, nodelink, sponsorblock
from hikari_lavalink.runtime import plugin_state
from hikari_lavalink.runtime.listener import NodeListener

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.errors import LavalinkError
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = ["EVENTS", "PLUGIN_EVENTS", "NodeEvents"]

_LOGGER = logging.getLogger("hikari_lavalink.client")

EVENTS: typing.Final[dict[type, tuple[type[ev.PlayerEvent], tuple[str, ...]]]] = {
    messages.TrackStartMessage: (ev.TrackStartEvent, ("track", "playing_quality")),
    messages.TrackEndMessage: (ev.TrackEndEvent, ("track", "reason")),
    messages.TrackExceptionMessage: (ev.TrackExceptionEvent, ("track", "exception")),
    messages.TrackStuckMessage: (ev.TrackStuckEvent, ("track", "threshold_ms", "reason")),
    messages.WebSocketClosedMessage: (ev.VoiceSocketClosedEvent, ("code", "reason", "by_remote")),
}
"""Lavalink message type -> (hikari event type, the message fields the event carries over)."""

_Hook: typing.TypeAlias = "collections.abc.Callable[[Player, typing.Any], None]"
"""`hook(player, message)`: the queue engine's for one message type (`Music.hooks`)."""

PLUGIN_EVENTS: typing.Final[dict[type, tuple[type[ev.PlayerEvent], tuple[str, ...]]]] = {
    # NodeLink
    nodelink.NodeLinkPlayerCreatedMessage: (pev.NodeLinkPlayerCreatedEvent, ("server_player",)),
    nodelink.NodeLinkPlayerDestroyedMessage: (pev.NodeLinkPlayerDestroyedEvent, ()),
    nodelink.NodeLinkPlayerConnectedMessage: (pev.NodeLinkPlayerConnectedEvent, ("voice",)),
    nodelink.NodeLinkPlayerReconnectingMessage: (pev.NodeLinkPlayerReconnectingEvent, ("voice",)),
    nodelink.NodeLinkPauseMessage: (pev.NodeLinkPauseEvent, ("paused",)),
    nodelink.NodeLinkSeekMessage: (pev.NodeLinkSeekEvent, ("position", "duration")),
    nodelink.NodeLinkVolumeChangedMessage: (pev.NodeLinkVolumeChangedEvent, ("volume",)),
    nodelink.NodeLinkFiltersChangedMessage: (pev.NodeLinkFiltersChangedEvent, ("filters",)),
    nodelink.NodeLinkStreamMetadataMessage: (
        pev.NodeLinkStreamMetadataEvent,
        ("track", "stream"),
    ),
    lavalyrics.LyricsFoundMessage: (pev.LyricsFoundEvent, ("lyrics",)),
    lavalyrics.LyricsNotFoundMessage: (pev.LyricsNotFoundEvent, ()),
    lavalyrics.LyricsLineMessage: (pev.LyricsLineEvent, ("line_index", "line", "skipped")),
    sponsorblock.SegmentsLoadedMessage: (pev.SegmentsLoadedEvent, ("segments",)),
    sponsorblock.SegmentSkippedMessage: (pev.SegmentSkippedEvent, ("segment",)),
    sponsorblock.NodeLinkSegmentsLoadedMessage: (pev.SegmentsLoadedEvent, ("segments",)),
    sponsorblock.NodeLinkSegmentSkippedMessage: (pev.SegmentSkippedEvent, ("segment",)),
    sponsorblock.ChaptersLoadedMessage: (pev.ChaptersLoadedEvent, ("chapters",)),
    sponsorblock.ChapterStartedMessage: (pev.ChapterStartedEvent, ("chapter",)),
}
"""As `EVENTS`, for the plugins' messages (a registered type without a row becomes a
[`PluginEvent`][hikari_lavalink.PluginEvent])."""


class NodeEvents(NodeListener):
    """The listener of a client's nodes, and the emitter of the client's events.

    Parameters
    ----------
    bot
        Where events are dispatched.
    player_of
        The guild's player, if any (`players.get`).
    closing
        Whether the client is shutting down (lost players are then not moved).
    ready
        Called when a node becomes ready.
    relocate
        `relocate(node, players)`: these players lost their node for good; they are no
        longer on it. Move them, or leave.
    reconciled
        `reconciled(node, adopted)`: after a node's ready, the players it adopted from
        the server.
    hooks
        The queue engine's hooks by message type
        ([`Music.hooks`][hikari_lavalink.runtime.music.Music.hooks]): `hook(player, message)`
        is called for each event of that type of a player, before its hikari event is
        built; an event of another type calls nothing.
    """

    __slots__ = (
        "_bot",
        "_closing",
        "_departed",
        "_dispatch",
        "_gate",
        "_player_of",
        "_ready",
        "_reconciled",
        "_relocate",
        "_rows",
    )

    def __init__(
        self,
        bot: hikari.GatewayBotAware,
        *,
        player_of: collections.abc.Callable[[int], Player | None],
        closing: collections.abc.Callable[[], bool],
        ready: collections.abc.Callable[[], None],
        relocate: collections.abc.Callable[[Node, list[Player]], None],
        reconciled: collections.abc.Callable[[Node, list[Player]], None],
        hooks: collections.abc.Mapping[type, _Hook],
    ) -> None:
        self._bot = bot
        self._dispatch = bot.event_manager.dispatch
        self._gate = ListenerGate(bot.event_manager)
        self._player_of = player_of
        self._closing = closing
        self._ready = ready
        self._relocate = relocate
        self._reconciled = reconciled
        # EVENTS with each type's hook (or None), read in one lookup per event.
        self._rows: dict[type, tuple[type[ev.PlayerEvent], tuple[str, ...], _Hook | None]] = {
            kind: (event_type, fields, hooks.get(kind))
            for kind, (event_type, fields) in EVENTS.items()
        }
        # Players destroyed with a track playing, until their TrackEndEvent(stopped) comes.
        self._departed: dict[int, Player] = {}

    @override
    def __repr__(self) -> str:
        return f"NodeEvents({self._gate!r})"

    # -- emitting --------------------------------------------------------------------------

    def emit_player(
        self, event_type: type[ev.PlayerEvent], player: Player, **fields: typing.Any
    ) -> None:
        """Emit a player's event (its guild, the player and its node, and `fields`)."""
        if self._gate.wants(event_type):
            self._dispatch(
                event_type(
                    app=self._bot,
                    guild_id=hikari.Snowflake(player.guild_id),
                    player=player,
                    node=player.node,
                    **fields,
                )
            )

    def emit_node(self, event_type: type[ev.NodeEvent], node: Node, **fields: typing.Any) -> None:
        """Emit a node's event (the node and `fields`)."""
        if self._gate.wants(event_type):
            self._dispatch(event_type(app=self._bot, node=node, **fields))

    def player_destroyed(self, player: Player, reason: str) -> None:
        """Emit that `player` is destroyed, before its DELETE goes out: the
        `TrackEndEvent(stopped)` that DELETE causes comes after, with this player."""
        if player.track is not None and player.node.is_ready:
            self._departed[player.guild_id] = player
        self.emit_player(ev.PlayerDestroyedEvent, player, reason=reason)

    def player_moved(self, player: Player, source: Node) -> None:
        """Emit that `player` moved from `source` to the node it is on now."""
        self.emit_player(ev.PlayerMovedEvent, player, from_node=source)

    # -- the node listener (called from each node's reader task) ---------------------------

    @override
    def node_ready(self, node: Node, *, session_id: str, resumed: bool) -> None:
        self._ready()
        self.emit_node(ev.NodeReadyEvent, node, session_id=session_id, resumed=resumed)

    @override
    def node_disconnected(
        self, node: Node, *, code: int, reason: str, will_resume: bool, graceful: bool
    ) -> None:
        self.emit_node(
            ev.NodeDisconnectedEvent,
            node,
            code=code,
            reason=reason,
            will_resume=will_resume,
            graceful=graceful,
        )

    @override
    def node_stopped(self, node: Node, *, error: LavalinkError | None) -> None:
        players = list(node.players.values())
        if error is not None and players and not self._closing():
            # Stopped for good (the password is now refused): its players cannot stay.
            for player in players:
                node.forget_player(player.guild_id)
            self._relocate(node, players)
        self.emit_node(ev.NodeStoppedEvent, node, error=error)

    @override
    def session_lost(
        self, node: Node, *, session_id: str, players: list[Player], reachable: bool
    ) -> None:
        if self._closing() or not players:
            return
        self.emit_node(
            ev.NodeUnavailableEvent,
            node,
            session_id=session_id,
            guild_ids=[hikari.Snowflake(p.guild_id) for p in players],
        )
        if reachable:
            return  # the node restarted: it restores its players on the new session
        for player in players:
            node.forget_player(player.guild_id)
        self._relocate(node, players)

    @override
    def players_reconciled(
        self, node: Node, *, adopted: list[Player], restored: list[Player], resumed: bool
    ) -> None:
        self._reconciled(node, adopted)

    @override
    def wants_player_updates(self, node: Node) -> bool:
        # Asked once per reader step: no PlayerUpdateEvent listener, no call per message.
        return self._gate.wants(ev.PlayerUpdateEvent)

    @override
    def player_update(
        self, node: Node, player: Player | None, message: messages.PlayerUpdateMessage
    ) -> None:
        self._dispatch(
            ev.PlayerUpdateEvent(
                app=self._bot,
                guild_id=hikari.Snowflake(message.guild_id),
                player=player,
                node=node,
                state=message.state,
            )
        )

    @override
    def event(self, node: Node, player: Player | None, message: messages.EventMessage) -> None:
        event_type, fields, hook = self._rows[message.__class__]
        if player is None:
            guild = message.guild_id
            current = self._player_of(guild)
            if current is not None and current.node is not node:
                return  # a late word from a node this player has left
            if current is None and _closed_by_us(message):
                return  # NodeLink's word on the destroy this client asked for: not news
            if self._departed and message.__class__ is messages.TrackEndMessage:
                # The end of the track of a player just destroyed (its DELETE): its player.
                departed = self._departed.pop(guild, None)
                if departed is not None and departed.node is node and current is None:
                    player = departed
        elif hook is not None:
            hook(player, message)
        if self._gate.wants_in(event_type, node):
            self._emit_message(event_type, node, player, message, fields)

    def _emit_message(
        self,
        event_type: type[ev.PlayerEvent],
        node: Node,
        player: Player | None,
        source: messages.EventMessage | messages.PluginEventMessage,
        fields: tuple[str, ...],
        **extra: typing.Any,
    ) -> None:
        # The event of a node's message: its guild, player and node, `fields` of the message.
        self._dispatch(
            event_type(
                app=self._bot,
                guild_id=hikari.Snowflake(source.guild_id),
                player=player,
                node=node,
                **{field: getattr(source, field) for field in fields},
                **extra,
            )
        )

    @override
    def plugin_event(
        self, node: Node, player: Player | None, message: messages.PluginEventMessage
    ) -> None:
        if player is None:
            current = self._player_of(message.guild_id)
            if current is not None and current.node is not node:
                return  # a late word from a node this player has left
        elif not plugin_state.on_message(player, message):
            return  # a repeat of what was delivered (see runtime.plugin_state)
        row = PLUGIN_EVENTS.get(type(message))
        if row is None:
            if self._gate.wants_in(pev.PluginEvent, node):
                self._emit_message(pev.PluginEvent, node, player, message, (), message=message)
            return
        event_type, fields = row
        if self._gate.wants_in(event_type, node):
            self._emit_message(event_type, node, player, message, fields)

    @override
    def unknown(self, node: Node, message: messages.UnknownMessage) -> None:
        if self._gate.wants_in(ev.RawLavalinkEvent, node):
            self._dispatch(
                ev.RawLavalinkEvent(
                    app=self._bot,
                    node=node,
                    op=message.op,
                    type=message.type,
                    guild_id=hikari.Snowflake(message.guild_id) if message.guild_id else None,
                    payload=message.payload,
                )
            )


def _closed_by_us(message: messages.EventMessage) -> bool:
    # NodeLink's WebSocketClosedEvent of a DELETE (1000 "destroyed by client", not by Discord);
    # Lavalink sends none. Only asked for a guild without a player.
    return (
        message.__class__ is messages.WebSocketClosedMessage
        and typing.cast("messages.WebSocketClosedMessage", message).code == _NORMAL_CLOSURE
        and not typing.cast("messages.WebSocketClosedMessage", message).by_remote
    )


_NORMAL_CLOSURE: typing.Final = 1000
