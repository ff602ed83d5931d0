"""Attributes kept in a side object that exists only while one of them is set.

Thousands of players and guilds carry fields that almost always hold their default (an
end time, a lock, a join waiter...). A slot each would cost 8 bytes per object for
nothing; instead they live in one side object, created when a field is set and dropped
as soon as every field is back at its default.
"""

from __future__ import annotations

import typing

__all__ = ["Side", "SideField"]

T = typing.TypeVar("T")


class Side(typing.Protocol):
    """The side object: its fields as attributes, and whether all are at their default."""

    def is_default(self) -> bool: ...


S = typing.TypeVar("S", bound=Side)


class SideField(typing.Generic[T]):
    """A descriptor for one field of the side object held in the owner's slot `slot`.

    Reading gives the field, or its default while there is no side object (`idle`, a
    side object never written, gives it). Writing the default with no side object
    allocates nothing; writing anything else creates the side object (with `make`); a
    write that leaves every field at its default drops it.

    The field has the descriptor's name, or `field` when given.
    """

    __slots__ = ("_field", "_idle", "_make", "_slot")

    def __init__(
        self,
        slot: str,
        make: typing.Callable[[], Side],
        idle: Side,
        *,
        field: str | None = None,
    ) -> None:
        self._slot = slot
        self._make = make
        self._idle = idle
        self._field = field or ""

    def __set_name__(self, owner: type, name: str) -> None:
        if not self._field:
            self._field = name

    @typing.overload
    def __get__(self, obj: None, owner: type | None = None) -> SideField[T]: ...

    @typing.overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | SideField[T]:
        if obj is None:
            return self
        side = getattr(obj, self._slot) or self._idle
        return getattr(side, self._field)

    def __set__(self, obj: object, value: T) -> None:
        field = self._field
        side: Side | None = getattr(obj, self._slot)
        if side is None:
            if value is getattr(self._idle, field):
                return  # the default, with nothing set: nothing to keep
            side = self._make()
            setattr(obj, self._slot, side)
        setattr(side, field, value)
        if side.is_default():
            setattr(obj, self._slot, None)
