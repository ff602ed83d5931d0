"""The fake LavaSearch: `GET /v4/loadsearch`, as `AudioSearchRestHandler` and LavaSrc's
search managers behave.

The query's prefix picks a provider: LavaSrc's `spsearch:`, `amsearch:`, `dzsearch:`,
`ymsearch:`, `vksearch:` when the node has that source, `ytsearch:` and `ytmsearch:` with
youtube-source beside LavaSrc, and `jssearch:`, which always declines. No provider: 204.
Without LavaSrc no provider is registered at all: 500. No `query`: 400. A provider answers
what a test put in
[`fake_lavasearch(node).results`][hikari_lavalink.testing.fake_lavalink.plugins.lavasearch.FakeLavaSearch]
for the whole query, or an empty result; only the `types` asked for (unknown names
dropped; none means all), every key present.
"""

from __future__ import annotations

import re
import typing

import msgspec
from aiohttp import web

from hikari_lavalink.protocol import codec
from hikari_lavalink.protocol.plugins.lavasearch import LavaSearchResult
from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.plugins._common import NodeStates, missing_parameter

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.plugins import PluginParts

__all__ = ["FakeLavaSearch", "add_routes", "fake_lavasearch"]

_PROVIDERS: typing.Final = {
    "spsearch:": "spotify",
    "amsearch:": "applemusic",
    "dzsearch:": "deezer",
    "ymsearch:": "yandexmusic",
    "vksearch:": "vkmusic",
    "jssearch:": "jiosaavn",
}
_DECLINES: typing.Final = frozenset({"jssearch:"})
_YOUTUBE: typing.Final = ("ytsearch:", "ytmsearch:")
_FIELDS: typing.Final = {
    "track": "tracks",
    "album": "albums",
    "artist": "artists",
    "playlist": "playlists",
    "text": "texts",
}
_SPLIT: typing.Final = re.compile(r",\s*")


class FakeLavaSearch:
    """The fake node's LavaSearch answers."""

    __slots__ = ("results",)

    def __init__(self) -> None:
        self.results: dict[str, LavaSearchResult | bytes] = {}
        """Query (with its prefix) -> what its provider finds; `bytes` are sent as the
        body as they are (a malformed answer)."""


_STATES: typing.Final = NodeStates(FakeLavaSearch)


def fake_lavasearch(node: FakeLavalink) -> FakeLavaSearch:
    """The fake LavaSearch of `node` (made on first use)."""
    return _STATES.of(node)


def add_routes(app: web.Application, parts: PluginParts) -> None:
    """Route `GET /v4/loadsearch`."""
    node = parts.node

    def provided(query: str) -> bool:
        if query.startswith(_YOUTUBE):
            return "youtube-plugin" in node.plugins
        prefix = next((p for p in _PROVIDERS if query.startswith(p)), None)
        return (
            prefix is not None
            and prefix not in _DECLINES
            and (_PROVIDERS[prefix] in node.source_managers)
        )

    async def load_search(request: web.Request) -> web.Response:
        query = request.query.get("query")
        if query is None:
            raise missing_parameter("query")
        if "lavasrc-plugin" not in node.plugins:
            raise validation.HTTPError(500, "No search managers registered")
        if not provided(query):
            return web.Response(status=204)
        found = fake_lavasearch(node).results.get(query, LavaSearchResult())
        if isinstance(found, bytes):
            return web.Response(body=found, content_type="application/json")
        names = _SPLIT.split(request.query.get("types", "").strip())
        wanted = {_FIELDS[n] for n in names if n in _FIELDS} or set(_FIELDS.values())
        dropped: dict[str, list[typing.Any]] = {
            field: [] for field in _FIELDS.values() if field not in wanted
        }
        answer = msgspec.structs.replace(found, **dropped)
        return web.Response(body=codec.encode(answer), content_type="application/json")

    app.router.add_get("/v4/loadsearch", load_search)
