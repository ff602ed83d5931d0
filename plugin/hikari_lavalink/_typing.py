"""Typing helpers that cost nothing at run time (no runtime dependency on typing_extensions)."""

from __future__ import annotations

import contextlib
import sys
import typing

__all__ = ["Sentinel", "override"]

if sys.version_info >= (3, 12):
    from typing import override
elif typing.TYPE_CHECKING:
    from typing_extensions import override
else:
    _F = typing.TypeVar("_F")

    def override(method: _F, /) -> _F:
        """Mark a method as overriding its base's (checked by pyright)."""
        with contextlib.suppress(AttributeError, TypeError):
            method.__override__ = True  # type: ignore[attr-defined]
        return method


class Sentinel:
    """A marker value (one instance per subclass) that prints as its subclass's `name`."""

    __slots__ = ()
    name: typing.ClassVar[str]

    @override
    def __repr__(self) -> str:
        return self.name
