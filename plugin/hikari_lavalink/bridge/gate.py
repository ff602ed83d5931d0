"""Whether anyone listens to an event type: asked for every Lavalink message, answered in O(1).

hikari's own answer (the event manager's `_enabled_for_event`) walks the event's class
hierarchy and probes two dicts: about 0.3 µs, as much as a third of what decoding a
`playerUpdate` costs. [`ListenerGate.wants_in`][hikari_lavalink.bridge.gate.ListenerGate.wants_in]
remembers each answer for the rest of one *step* of one node's reader task, that is until the task
next gives the event loop a turn.

Why that is exact: listeners and waiters are added by `subscribe`, `listen`,
`wait_for` and `stream`, which only code running on the event loop can call. While a
reader task handles buffered frames back to back, no other code runs, so nothing can be
added. The first answer remembered schedules a callback with `call_soon` that forgets
them all; that callback is queued before anything that could resume the reader (the
reader's wakeup is queued only after it yields), so the reader never sees an answer from
an earlier step. Answers are remembered for one reader at a time: another node's reader,
running later in the same loop iteration after some other task subscribed, asks afresh.
Removals (a waiter resolved by a dispatch) can only make a remembered "yes" stale, which
costs one event built for nobody, never one lost.
"""

from __future__ import annotations

import asyncio
import typing

from hikari_lavalink._typing import override

if typing.TYPE_CHECKING:
    import collections.abc

    import hikari

__all__ = ["ListenerGate"]


class ListenerGate:
    """Answers "would dispatching this event type reach a listener or a waiter?".

    Parameters
    ----------
    manager
        The bot's event manager.
    """

    __slots__ = ("_known", "_owner", "_probe")

    def __init__(self, manager: hikari.api.EventManager) -> None:
        # hikari's check is private; if a future hikari renames it, every event is built.
        probe: typing.Any = getattr(manager, "_enabled_for_event", None)
        self._probe: collections.abc.Callable[[type[hikari.Event]], object] = (
            probe if callable(probe) else _always
        )
        self._known: dict[type[hikari.Event], bool] | None = None
        self._owner: object = None

    @override
    def __repr__(self) -> str:
        return f"ListenerGate(remembered={self._known!r})"

    def wants(self, event_type: type[hikari.Event]) -> bool:
        """Whether an event of this type would reach anyone now (asks hikari)."""
        return bool(self._probe(event_type))

    def wants_in(self, event_type: type[hikari.Event], reader: object) -> bool:
        """[`wants`][hikari_lavalink.bridge.gate.ListenerGate.wants], remembered for the rest of
        this step of `reader`'s task.

        Call it only from the one task that `reader` (a node) reads its messages in.
        """
        known = self._known
        if known is None or self._owner is not reader:
            known = self._known = {}
            self._owner = reader
            asyncio.get_running_loop().call_soon(self._forget)
        wanted = known.get(event_type)
        if wanted is None:
            wanted = known[event_type] = bool(self._probe(event_type))
        return wanted

    def _forget(self) -> None:
        self._known = None
        self._owner = None


def _always(_: type[hikari.Event]) -> bool:
    return True
