"""A player's memory layout: the slots a ``playerUpdate`` touches first, the rest aside.

Thousands of players sit in memory at once, and each ``playerUpdate`` meets a cold one: the
hot slots come first (:class:`HotSlots`), and what a playing player does not need lives in
an :class:`Extras` side object that exists only while needed (see
:mod:`hikari_lavalink._side`).
"""

from __future__ import annotations

import typing

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import filters as filters_

if typing.TYPE_CHECKING:
    import asyncio

__all__ = [
    "DEFAULTS",
    "NODE_DEFAULT",
    "NO_FILTERS",
    "ROUNDING_MS",
    "Extras",
    "HotSlots",
    "NodeDefault",
]

NO_FILTERS: typing.Final = filters_.Filters()
"""The empty filter set, shared by every player that has none (Structs are frozen)."""


class NodeDefault:
    """The type of :data:`NODE_DEFAULT`."""

    __slots__ = ()

    @override
    def __repr__(self) -> str:
        return "NODE_DEFAULT"


NODE_DEFAULT: typing.Final = NodeDefault()
"""A player's ``voice_timeout`` when it follows its node's :attr:`Node.voice_timeout`."""


class Extras:
    """What a playing player does not need: settings few players make, and states it is
    in only for a while (no voice yet, or dropped on purpose)."""

    __slots__ = ("detached", "end_time", "filters", "voice_ready", "voice_timeout")

    def __init__(self) -> None:
        self.end_time: int | None = None
        self.filters: filters_.Filters = NO_FILTERS
        self.voice_timeout: float | NodeDefault | None = NODE_DEFAULT
        self.detached = False
        # True: Lavalink has the voice; False: not (yet); a Future: not, and someone waits.
        # No asyncio.Event per player: its waiter deque alone costs ~760 bytes.
        self.voice_ready: bool | asyncio.Future[None] = True

    def is_default(self) -> bool:
        return (
            self.voice_ready is True
            and not self.detached
            and self.end_time is None
            and self.filters is NO_FILTERS
            and self.voice_timeout is NODE_DEFAULT
        )


DEFAULTS: typing.Final = Extras()
"""Read (never written) for a player that sets none of them."""
ROUNDING_MS: typing.Final = 1e-3
"""Added before truncating an interpolated position: float rounding, not a millisecond."""


class HotSlots:
    """The slots a ``playerUpdate`` touches, laid out first and together.

    CPython orders a class's own slots by name, after those of its bases: as a base, these
    sit right after the object header, in one or two cache lines of a player's 144 bytes,
    instead of spread over all three. With 10,000 players, each update meets a cold one.
    """

    __slots__ = ("_at", "_extras", "_node", "connected", "paused", "ping")
