"""After a node's ready: its local players and the server's, made one again.

A resumed session (or a restarted bot resuming a stored session) finds players on the
server: those the node does not know yet are adopted, and every one takes the server's
view. A new session finds none of the old players: each local player with voice is
recreated on it, at its position, when the node restores players.
"""

from __future__ import annotations

import logging
import typing

from hikari_lavalink.errors import LavalinkError
from hikari_lavalink.protocol import routes

if typing.TYPE_CHECKING:
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = ["reconcile"]

_LOGGER = logging.getLogger("hikari_lavalink.node")


async def reconcile(
    node: Node, session_id: str, *, restore_players: bool
) -> tuple[list[Player], list[Player]] | None:
    """Reconcile ``node``'s players with its session ``session_id``.

    Returns the players adopted from the server and those recreated on it, or ``None``
    when the server's players could not be read (logged).
    """
    try:
        server_players = await node.request(routes.get_players(session_id))
    except LavalinkError as exc:
        _LOGGER.warning("node %s: could not reconcile players: %s", node.name, exc)
        return None
    on_server = {player.guild_id: player for player in server_players}
    adopted: list[Player] = []
    for guild_id, remote in on_server.items():
        local = node.get_player(guild_id)
        if local is None:
            local = node.create_player(guild_id)
            adopted.append(local)
        if local.voice is None and remote.voice.token:
            local.adopt_voice(remote.voice)
        # After the voice: a player whose voice the server holds is voice-ready.
        local.apply_player(remote)
    restored: list[Player] = []
    for guild_id, player in list(node.players.items()):
        if guild_id in on_server:
            continue
        if not restore_players or player.voice is None:
            continue
        try:
            await player.update(player.restore_request())
        except LavalinkError as exc:
            _LOGGER.warning(
                "node %s: could not restore the player of guild %s: %s",
                node.name,
                guild_id,
                exc,
            )
            continue
        restored.append(player)
    if adopted or restored:
        _LOGGER.info(
            "node %s: reconciled players (%d adopted, %d restored)",
            node.name,
            len(adopted),
            len(restored),
        )
    return adopted, restored
