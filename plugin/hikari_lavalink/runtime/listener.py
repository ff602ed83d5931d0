"""What a node tells whoever listens: [`NodeListener`][hikari_lavalink.NodeListener], the node's one
listener seam.

The client's listener is `hikari_lavalink.bridge.dispatch.NodeEvents`; a bot that
drives nodes without the client (see `examples/node_demo.py`) subclasses this itself.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from hikari_lavalink.errors import LavalinkError
    from hikari_lavalink.protocol import messages, models
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = ["NodeListener"]


class NodeListener:
    """Receives what happens on a node. Subclass it and override what you need.

    Every method is called from the node's reader task, in message order, and must not
    block. Exceptions raised here are logged and do not stop the node.
    """

    def node_ready(self, node: Node, *, session_id: str, resumed: bool) -> None:
        """The node has a session (`resumed` when the previous one survived)."""

    def node_disconnected(
        self, node: Node, *, code: int, reason: str, will_resume: bool, graceful: bool
    ) -> None:
        """The WebSocket closed; the node reconnects by itself."""

    def session_lost(
        self, node: Node, *, session_id: str, players: list[Player], reachable: bool
    ) -> None:
        """The server destroyed the session and these players with it.

        `reachable` is `True` when the node answered (it refused to resume: it restarted)
        and a new session follows at once; `False` when the resume deadline passed while the
        node was unreachable. The node restores the players on its next session when it was
        created with `restore_players=True`; remove them (`Node.forget_player`) to
        prevent that.
        """

    def players_reconciled(
        self, node: Node, *, adopted: list[Player], restored: list[Player], resumed: bool
    ) -> None:
        """After a ready: players adopted from the server and players recreated on it."""

    def node_stopped(self, node: Node, *, error: LavalinkError | None) -> None:
        """The node stopped for good (`error` is `None` when the user closed it)."""

    def wants_player_updates(self, node: Node) -> bool:
        """Whether [`player_update`][hikari_lavalink.NodeListener.player_update] is to
        be called for `node`'s messages now.

        Asked once per step of the node's reader task (until it next gives the event loop
        a turn), and the answer holds for the messages of that step: return what other
        code on the loop may change (subscriptions, say), not what this listener's own
        calls change. By default, always.
        """
        return True

    def player_update(
        self, node: Node, player: Player | None, message: messages.PlayerUpdateMessage
    ) -> None:
        """A `playerUpdate` (`player` is `None` for a guild with no local player)."""

    def event(self, node: Node, player: Player | None, message: messages.EventMessage) -> None:
        """A track or voice event."""

    def plugin_event(
        self, node: Node, player: Player | None, message: messages.PluginEventMessage
    ) -> None:
        """A plugin's event of a type the codec knows (lyrics, SponsorBlock...)."""

    def unknown(self, node: Node, message: messages.UnknownMessage) -> None:
        """A message with an unknown op or event type (plugins)."""

    def stats(self, node: Node, stats: models.Stats) -> None:
        """New statistics."""
