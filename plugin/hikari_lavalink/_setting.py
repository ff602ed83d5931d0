"""A setting of a façade that lives in the component it governs (read and written there)."""

from __future__ import annotations

import typing

__all__ = ["Setting"]

T = typing.TypeVar("T")


class Setting(typing.Generic[T]):
    """A descriptor for the attribute `name` of the component in the owner's slot `slot`.

    The façade keeps no copy: a component reads its own attribute, and a write through the
    façade reaches it (a property of the component, if it is one, runs).
    """

    __slots__ = ("_name", "_slot")

    def __init__(self, slot: str, name: str) -> None:
        self._slot = slot
        self._name = name

    @typing.overload
    def __get__(self, obj: None, owner: type | None = None) -> Setting[T]: ...

    @typing.overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | Setting[T]:
        if obj is None:
            return self
        return getattr(getattr(obj, self._slot), self._name)

    def __set__(self, obj: object, value: T) -> None:
        setattr(getattr(obj, self._slot), self._name, value)
