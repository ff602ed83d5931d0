"""The node pool: a client's nodes by name, which are draining, and the one node selection.

Every choice of a node (a new player, a player homed by its voice region, a player moved
off a lost or drained node) goes through `NodePool.choose`: ready nodes only, never a
draining one, then the user's strategy or [`choose`][hikari_lavalink.protocol.balancing.choose].
"""

from __future__ import annotations

import asyncio
import types
import typing

from hikari_lavalink._typing import override
from hikari_lavalink.errors import NodeReadyTimeoutError, NoNodeAvailableError, UsageError
from hikari_lavalink.protocol import balancing

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.runtime.node import Node

__all__ = ["NodePool", "NodeStrategy", "node_load"]

NodeStrategy: typing.TypeAlias = (
    "collections.abc.Callable[[collections.abc.Sequence[Node], str | None], Node]"
)
"""Your own node selection: `strategy(ready_nodes, region) -> node`."""


class NodePool:
    """A client's nodes, by name.

    Parameters
    ----------
    strategy
        The user's node selection, or `None` for lowest penalty, region first, with
        hysteresis (see [`hikari_lavalink.protocol.balancing`][hikari_lavalink.protocol.balancing]).
    """

    __slots__ = ("_draining", "_nodes", "_ready", "strategy")

    def __init__(self, strategy: NodeStrategy | None = None) -> None:
        self.strategy: NodeStrategy | None = strategy
        self._nodes: dict[str, Node] = {}
        self._draining: set[str] = set()
        # Set whenever a node becomes ready: what a player held for a node waits on.
        self._ready = asyncio.Event()

    @override
    def __repr__(self) -> str:
        return f"NodePool(nodes={list(self._nodes)}, draining={sorted(self._draining)})"

    @property
    def nodes(self) -> collections.abc.Mapping[str, Node]:
        """The nodes, by name (read-only view)."""
        return types.MappingProxyType(self._nodes)

    def named(self, name: str) -> Node:
        """The node of this name.

        Raises
        ------
        UsageError
            There is none (the message names the nodes there are).
        """
        node = self._nodes.get(name)
        if node is None:
            known = ", ".join(repr(n) for n in self._nodes) or "none; add one with add_node()"
            msg = f"no node is named {name!r} (nodes: {known})"
            raise UsageError(msg)
        return node

    def add(self, node: Node) -> None:
        """Add a node (its name must be new)."""
        self._nodes[node.name] = node

    def remove(self, name: str) -> None:
        """Forget a node (and that it was draining)."""
        self._nodes.pop(name, None)
        self._draining.discard(name)

    def drain(self, name: str) -> None:
        """Give the node no new players."""
        self._draining.add(name)

    def undrain(self, name: str) -> None:
        """Let the node take new players again."""
        self._draining.discard(name)

    def node_ready(self) -> None:
        """A node became ready (wakes `wait_for_node`)."""
        self._ready.set()

    def choose(
        self,
        *,
        exclude: collections.abc.Container[str] = (),
        region: str | None = None,
        current: Node | None = None,
        plugin: str | None = None,
    ) -> Node | None:
        """The ready node a player should use, `None` when there is none.

        Nodes named in `exclude` and draining nodes are never chosen, nor nodes without
        what the plugin `plugin` (a [`PluginName`][hikari_lavalink.PluginName]) gives when
        one is named ([`Node.provides`][hikari_lavalink.runtime.node.Node.provides]);
        `region` and `current` are as in [`choose`][hikari_lavalink.protocol.balancing.choose].
        """
        draining = self._draining
        candidates = [
            node
            for name, node in self._nodes.items()
            if node.is_ready
            and name not in draining
            and name not in exclude
            and (plugin is None or node.provides(plugin))
        ]
        if self.strategy is not None:
            return self.strategy(candidates, region) if candidates else None
        return balancing.choose(candidates, region=region, current=current, load=node_load)

    def best(
        self,
        *,
        exclude: collections.abc.Container[str] = (),
        region: str | None = None,
        current: Node | None = None,
        plugin: str | None = None,
    ) -> Node:
        """`choose`, raising when no node is ready (with the plugin `plugin`, if named).

        Raises
        ------
        NoNodeAvailableError
            No node is ready (none with that plugin).
        """
        chosen = self.choose(exclude=exclude, region=region, current=current, plugin=plugin)
        if chosen is None:
            msg = "no Lavalink node" + (f" with the {plugin} plugin" if plugin else "")
            msg += " is connected" + (
                f" (nodes: {', '.join(f'{n.name}={n.state.value}' for n in self._nodes.values())})"
                if self._nodes
                else "; add one with add_node()"
            )
            raise NoNodeAvailableError(msg)
        return chosen

    async def wait_for_node(self, *, timeout: float, region: str | None = None) -> Node | None:
        """The first node `choose` finds within `timeout` seconds, or `None`."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._ready.clear()
                    node = self.choose(region=region)
                    if node is not None:
                        return node
                    await self._ready.wait()
        except TimeoutError:
            return None

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until at least one node is ready.

        Raises
        ------
        NoNodeAvailableError
            No node was added.
        NodeConnectionError
            Every node stopped for good.
        NodeReadyTimeoutError
            `timeout` passed first (a `TimeoutError` too).
        """
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
        except TimeoutError:
            states = ", ".join(f"{n.name}={n.state.value}" for n in self._nodes.values())
            msg = (
                f"no Lavalink node was ready within {timeout:g} s (nodes: {states}): are "
                "their servers running, and reachable from here?"
            )
            raise NodeReadyTimeoutError(msg) from None
        finally:
            for waiter in waiters:
                waiter.cancel()


def node_load(node: Node) -> float:
    """A node's penalty for selection, its player count always live.

    Stats arrive once a minute: the players created since count at once, so that joins
    spread; the stats part is computed once per stats message.
    """
    stats = node.stats
    reported = stats.playing_players if stats is not None else 0
    return balancing.cached_penalty(stats) - reported + max(reported, len(node.players))
