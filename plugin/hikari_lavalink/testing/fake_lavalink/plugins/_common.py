"""What the fake plugins share: per-node state, and request bodies read as the servers
read them."""

from __future__ import annotations

import json
import typing
import weakref

from hikari_lavalink.testing.fake_lavalink import validation

if typing.TYPE_CHECKING:
    import collections.abc

    from aiohttp import web

    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink

__all__ = ["NodeStates", "json_object", "missing_parameter"]

S = typing.TypeVar("S")


class NodeStates(typing.Generic[S]):
    """One state per fake node, made on first use (and gone with the node)."""

    __slots__ = ("_factory", "_states")

    def __init__(self, factory: collections.abc.Callable[[], S]) -> None:
        self._factory = factory
        self._states: weakref.WeakKeyDictionary[FakeLavalink, S] = weakref.WeakKeyDictionary()

    def of(self, node: FakeLavalink) -> S:
        """The state of `node`."""
        state = self._states.get(node)
        if state is None:
            state = self._states[node] = self._factory()
        return state


async def json_object(request: web.Request) -> dict[str, typing.Any]:
    """The body as a JSON object; 400 as Lavalink answers a body it cannot parse."""
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise validation.HTTPError(400, validation.MAY_NOT_PARSE) from None
    if not isinstance(body, dict):
        raise validation.HTTPError(400, validation.MAY_NOT_PARSE)
    return typing.cast("dict[str, typing.Any]", body)


def missing_parameter(name: str) -> validation.HTTPError:
    """Spring's 400 for a missing required query parameter."""
    text = f"Required request parameter '{name}' for method parameter type String is not present"
    return validation.HTTPError(400, text)
