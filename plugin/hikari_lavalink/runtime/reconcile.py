"""After a node's ready: its local players and the server's, made one again.

A resumed session (or a restarted bot resuming a stored session) finds players on the
server: those the node does not know yet are adopted, and every one takes the server's
view. A new session finds none of the old players: each local player with voice is
recreated on it, at its position, when the node restores players.

When the server's players cannot be read, or some cannot be recreated (a node answering
500 for a while after a restart), `Reconciliation` tries again, with the node's
reconnect back-off and out of the reader task's way, until it works; the players still
not on the server when the resume window has passed are declared lost, as for a lost
session (moved to another node, or left).
"""

from __future__ import annotations

import asyncio
import logging
import typing

from hikari_lavalink._typing import override
from hikari_lavalink.errors import LavalinkError
from hikari_lavalink.protocol import requests, routes
from hikari_lavalink.protocol.backoff import Backoff
from hikari_lavalink.runtime import plugin_state

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import models
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = ["Reconciliation", "read_info", "reconcile"]

_LOGGER = logging.getLogger("hikari_lavalink.node")


async def read_info(node: Node) -> None:
    """Read `node.info` (on every ready: a restarted server may have gained or lost a
    plugin); a failure keeps the previous one, logged."""
    try:
        node.info = await node.request(routes.info())
    except LavalinkError as exc:
        _LOGGER.warning(
            "node %s: could not read /v4/info (its plugins are unknown until the next ready): %s",
            node.name,
            exc,
        )


async def reconcile(
    node: Node, session_id: str, *, restore_players: bool
) -> tuple[list[Player], list[Player], list[Player]] | None:
    """Reconcile `node`'s players with its session `session_id`.

    Returns the players adopted from the server, those recreated on it and those whose
    recreation failed (to try again), or `None` when the server's players could not be
    read (logged). Running it again is safe: what is on the server is taken as it is.
    """
    try:
        server_players = await node.request(
            routes.get_players(session_id, nodelink=node.is_nodelink)
        )
    except LavalinkError as exc:
        _LOGGER.warning("node %s: could not reconcile players: %s", node.name, exc)
        return None
    on_server = {player.guild_id: player for player in server_players}
    adopted: list[Player] = []
    restored: list[Player] = []
    failed: list[Player] = []
    kept: list[Player] = []  # on the server: its plugins forgot them (a resume wipes them)
    for guild_id, remote in on_server.items():
        local = node.get_player(guild_id)
        if local is None:
            local = node.create_player(guild_id)
            adopted.append(local)
        kept.append(local)
        if local.voice is None and remote.voice.token:
            local.adopt_voice(remote.voice)
        elif (unsent := _unsent_voice(local, remote)) is not None:
            # A voice PATCH lost on its way (the node went away meanwhile): sent now.
            try:
                await local.update(requests.UpdatePlayer(voice=unsent))
            except LavalinkError as exc:
                _LOGGER.warning(
                    "node %s: could not send the voice of guild %s: %s", node.name, guild_id, exc
                )
                failed.append(local)
            continue
        # After the voice: a player whose voice the server holds is voice-ready.
        local.apply_player(remote)
    await plugin_state.resend_all(kept)
    for guild_id, player in list(node.players.items()):
        if guild_id in on_server:
            continue
        # A detached player's voice died with its shard's connection: its restore, when
        # the shard is back, rebuilds it (never with the stale voice).
        if not restore_players or player.voice is None or player.detached:
            continue
        try:
            await plugin_state.restore(player)
        except LavalinkError as exc:
            _LOGGER.warning(
                "node %s: could not restore the player of guild %s: %s",
                node.name,
                guild_id,
                exc,
            )
            failed.append(player)
            continue
        restored.append(player)
    if adopted or restored:
        _LOGGER.info(
            "node %s: reconciled players (%d adopted, %d restored)",
            node.name,
            len(adopted),
            len(restored),
        )
    return adopted, restored, failed


def _unsent_voice(local: Player, remote: models.Player) -> requests.VoiceUpdate | None:
    """The local voice, when the server holds other credentials (or none)."""
    voice = local.voice
    if voice is None or local.detached:
        return None  # a detached player's voice is rebuilt when its shard is back
    held = remote.voice
    if (voice.token, voice.endpoint, voice.session_id) != (
        held.token,
        held.endpoint,
        held.session_id,
    ):
        return voice
    # Servers before 4.2 hold no channel (null): the credentials alone tell then.
    channel = voice.channel_id
    if isinstance(channel, str) and held.channel_id is not None and int(channel) != held.channel_id:
        return voice
    return None


class Reconciliation:
    """A node's reconciliation after each ready, tried again until it works.

    Parameters
    ----------
    node
        The node.
    restore_players
        Recreate local players missing on a new session.
    backoff
        The node's reconnect back-off (its base and cap pace the tries).
    reconciled
        `reconciled(adopted, restored, resumed)`: players adopted and recreated.
    lost
        `lost(session_id, players)`: players that could not be recreated in time.
    """

    __slots__ = ("_backoff", "_lost", "_node", "_reconciled", "_retry", "restore_players")

    def __init__(
        self,
        node: Node,
        *,
        restore_players: bool,
        backoff: Backoff,
        reconciled: collections.abc.Callable[[list[Player], list[Player], bool], None],
        lost: collections.abc.Callable[[str, list[Player]], None],
    ) -> None:
        self._node = node
        self.restore_players: bool = restore_players
        self._backoff = backoff
        self._reconciled = reconciled
        self._lost = lost
        self._retry: asyncio.Task[None] | None = None

    @override
    def __repr__(self) -> str:
        return f"Reconciliation(node={self._node.name!r}, retrying={self._retry is not None})"

    async def run(self, session_id: str, *, resumed: bool) -> None:
        """Read the server's `/v4/info`, then reconcile now (in the reader, before `ready` is
        signalled); again later if needed."""
        self.cancel()  # a new ready: an older retry is moot
        await read_info(self._node)
        result = await reconcile(self._node, session_id, restore_players=self.restore_players)
        if result is not None:
            adopted, restored, failed = result
            self._reconciled(adopted, restored, resumed)
            if not failed:
                return
        self._retry = asyncio.get_running_loop().create_task(
            self._again(session_id, resumed=resumed, read=result is not None)
        )

    def cancel(self) -> None:
        """Stop trying again (the node closes, or has a new ready)."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    async def _again(self, session_id: str, *, resumed: bool, read: bool) -> None:
        node = self._node
        backoff = Backoff(base=self._backoff.base, cap=self._backoff.cap)
        give_up_at = node.clock() + node.resume_timeout
        failed: list[Player] = []
        while True:
            await asyncio.sleep(backoff.next_delay())
            if not node.is_ready or node.session_id != session_id:
                return  # a new session reconciles for itself
            result = await reconcile(node, session_id, restore_players=self.restore_players)
            if result is not None:
                adopted, restored, failed = result
                if not read or adopted or restored:
                    self._reconciled(adopted, restored, resumed)
                read = True
                if not failed:
                    return
            if node.clock() >= give_up_at:
                lost = failed if read else list(node.players.values())
                _LOGGER.warning(
                    "node %s: %d player(s) could not be recreated on session %s; lost",
                    node.name,
                    len(lost),
                    session_id,
                )
                self._lost(session_id, lost)
                return
