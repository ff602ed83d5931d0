"""Failover: players moved off a lost or drained node, or left, never silent.

A lost node's players go to the best other ready node with their voice, track, position,
volume, filters and paused state; with no node ready they are held for a grace period (a
restarted node takes them back on its new session) and then leave their channels. Drained
players move the same way, gracefully: destroyed on the old node once live on the new one,
and kept where they are when no other node can take them.

Hikari-free: what it needs of the bridge (is this still the guild's player? leave; tell the
user) it is given as callables.
"""

from __future__ import annotations

import asyncio
import logging
import typing

from hikari_lavalink._typing import override
from hikari_lavalink.errors import LavalinkError
from hikari_lavalink.protocol import balancing, routes
from hikari_lavalink.runtime import plugin_state

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.runtime.pool import NodePool

__all__ = ["MOVE_CONCURRENCY", "Failover"]

_LOGGER = logging.getLogger("hikari_lavalink.client")
MOVE_CONCURRENCY: typing.Final = 16
"""Players moved at once when a node dies or is drained."""


class Failover:
    """Moves players between the nodes of a pool.

    Parameters
    ----------
    pool
        Where the players go.
    is_current
        `is_current(guild_id, player)`: whether `player` is still that guild's player
        (a player left or replaced meanwhile is not moved).
    leave
        `await leave(guild_id, reason)`: leave the channel and destroy the player.
    moved
        `moved(player, from_node)`: a player now lives on `player.node`.
    grace
        Seconds a lost node's players wait for any node to be ready before they leave.
    """

    __slots__ = ("_is_current", "_leave", "_moved", "_pool", "grace")

    def __init__(
        self,
        pool: NodePool,
        *,
        is_current: collections.abc.Callable[[int, Player], bool],
        leave: collections.abc.Callable[[int, str], collections.abc.Awaitable[None]],
        moved: collections.abc.Callable[[Player, Node], None],
        grace: float,
    ) -> None:
        self._pool = pool
        self._is_current = is_current
        self._leave = leave
        self._moved = moved
        self.grace: float = grace

    @override
    def __repr__(self) -> str:
        return f"Failover(grace={self.grace})"

    async def relocate(self, source: Node, players: list[Player]) -> None:
        """`source` is gone for these players: move them, or leave."""
        await self.move(source, players, graceful=False)

    async def move(self, source: Node, players: list[Player], *, graceful: bool) -> None:
        """Move `players` off `source`,
        [`MOVE_CONCURRENCY`][hikari_lavalink.client.MOVE_CONCURRENCY] at a time.

        `graceful` (a drain): `source` still lives, each player is destroyed there once
        moved, and a player no other node can take stays.
        """
        limit = asyncio.Semaphore(MOVE_CONCURRENCY)

        async def move(player: Player) -> None:
            async with limit:
                await self._move_player(source, player, graceful=graceful)

        await asyncio.gather(*(move(p) for p in players))

    async def _move_player(self, source: Node, player: Player, *, graceful: bool) -> None:
        guild = player.guild_id
        tried: set[str] = {source.name}
        region = balancing.region_of_endpoint(player.voice.endpoint if player.voice else None)
        while self._is_current(guild, player):
            target = self._choose(player, tried, region)
            if target is None and not graceful:
                # No node is ready: hold the player for any node to come (back: a
                # restarted node takes its old players on its new session).
                target = await self._pool.wait_for_node(timeout=self.grace, region=region)
            if target is None:
                if graceful:
                    _LOGGER.warning("guild %s: no other node can take it; it stays", guild)
                    return
                _LOGGER.warning(
                    "guild %s: node %s is gone and no other node is ready; leaving voice",
                    guild,
                    source.name,
                )
                await self._leave(guild, "node_lost")
                return
            tried.add(target.name)
            source.forget_player(guild)
            target.adopt_player(player)
            try:
                # A detached player's voice died with its shard's connection: it is not sent
                # anywhere; its restore, when the shard is back, rebuilds it on this node.
                if player.voice is not None and not player.detached:
                    await plugin_state.restore(player)  # with what its plugins must hear
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
            self._moved(player, source)
            return

    def _choose(self, player: Player, tried: set[str], region: str | None) -> Node | None:
        # The best node that runs every plugin the player uses (its live lyrics, its
        # SponsorBlock categories), else the best node.
        wanted = plugin_state.plugins_in_use(player)
        for plugin in wanted:
            target = self._pool.choose(exclude=tried, region=region, plugin=plugin)
            if target is not None and all(target.has_plugin(p) for p in wanted):
                return target
        return self._pool.choose(exclude=tried, region=region)
