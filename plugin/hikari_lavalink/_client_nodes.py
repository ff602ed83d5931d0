"""The node administration of [`LavalinkClient`][hikari_lavalink.LavalinkClient] (a base of it).

Adding, draining and removing nodes, and choosing one: the client's public node API, kept
apart from the composition root. Each method delegates to the components the client
built (`NodePool`,
`Failover`...).
"""

from __future__ import annotations

import typing

from hikari_lavalink.errors import UsageError
from hikari_lavalink.nodes import SharedSession, create_node

if typing.TYPE_CHECKING:
    import aiohttp
    import hikari

    from hikari_lavalink.bridge.dispatch import NodeEvents
    from hikari_lavalink.bridge.voice import VoiceCoordinator
    from hikari_lavalink.runtime.background import BackgroundTasks
    from hikari_lavalink.runtime.failover import Failover
    from hikari_lavalink.runtime.music import Music
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.pool import NodePool

__all__ = ["NodeAdministration"]


class NodeAdministration:
    """Add, drain, remove and choose nodes (the client's methods; no state of its own)."""

    __slots__ = ()

    _bot: hikari.GatewayBotAware
    _events: NodeEvents
    _failover: Failover
    _music: Music
    _pool: NodePool
    _session: aiohttp.ClientSession | SharedSession
    _started: bool
    _tasks: BackgroundTasks
    _voice: VoiceCoordinator

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
        node.music = self._music
        self._pool.add(node)
        if self._started:
            self._tasks.spawn(self._start_node(node))
        return node

    async def remove_node(self, name: str) -> None:
        """Drain a node (its players move to other nodes, or leave), close it and forget it.

        An unknown `name` raises [`UsageError`][hikari_lavalink.UsageError].
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
        other node can take stay where they are. Use
        [`undrain_node`][hikari_lavalink.client.LavalinkClient.undrain_node] to take new players on
        it again (for example after an upgrade). An unknown `name` raises
        [`UsageError`][hikari_lavalink.UsageError].
        """
        node = self._pool.named(name)
        self._pool.drain(name)
        players = list(node.players.values())
        if players:
            await self._failover.move(node, players, graceful=True)

    def undrain_node(self, name: str) -> None:
        """Let a drained node take new players again (`UsageError` for an unknown name)."""
        self._pool.undrain(self._pool.named(name).name)

    def best_node(
        self,
        *,
        exclude: Node | None = None,
        region: str | None = None,
        current: Node | None = None,
        plugin: str | None = None,
    ) -> Node:
        """The ready node a player should use (region first, lowest penalty, hysteresis);
        with `plugin` (a [`PluginName`][hikari_lavalink.PluginName]), only a node that runs it.

        Raises
        ------
        NoNodeAvailableError
            No node is ready (none with that plugin).
        """
        excluded = (exclude.name,) if exclude is not None else ()
        return self._pool.best(exclude=excluded, region=region, current=current, plugin=plugin)

    async def _start_node(self, node: Node) -> None:
        me = self._bot.get_me()
        if me is not None:
            node.user_id = int(me.id)
        await node.start()
