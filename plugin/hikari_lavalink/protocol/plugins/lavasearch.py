"""LavaSearch (`lavasearch-plugin`): `GET /v4/loadsearch`, typed.

LavaSearch does nothing by itself: the providers are other plugins' (LavaSrc's
`spsearch:`, `amsearch:`, `dzsearch:`, `ymsearch:`, `vksearch:`, and `ytsearch:` /
`ytmsearch:` with youtube-source installed). The query's prefix picks the provider.

>>> route = load_search("spsearch:architects", types=["track", "album"])
>>> route.url
'/v4/loadsearch?query=spsearch%3Aarchitects&types=track%2Calbum'

A 204 (no provider answered: an unknown prefix, or JioSaavn's `jssearch:`, whose provider
always declines) reads as `None`; a provider that found nothing answers 200 with empty
lists. 400 (no query) and 500 (no provider registered, or one failed) raise
[`RestError`][hikari_lavalink.RestError].
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol import codec
from hikari_lavalink.protocol.models import Inbound, JSONObject, Playlist, Track
from hikari_lavalink.protocol.routes import Route

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["SEARCH_TYPES", "LavaSearchResult", "SearchText", "SearchType", "load_search"]

SearchType = typing.Literal["track", "album", "artist", "playlist", "text"]
"""A kind of LavaSearch result."""

SEARCH_TYPES: typing.Final[tuple[SearchType, ...]] = typing.get_args(SearchType)
"""Every [`SearchType`][hikari_lavalink.protocol.plugins.lavasearch.SearchType]."""


class SearchText(Inbound, kw_only=True, frozen=True):
    """A suggestion or autocomplete term; `plugin` is extra data (`{}` with LavaSrc)."""

    text: str
    plugin: JSONObject = msgspec.field(default_factory=dict[str, typing.Any])


class LavaSearchResult(Inbound, kw_only=True, frozen=True):
    """What `/v4/loadsearch` found. A list is empty when its type was not asked for or
    nothing was found.

    `albums`, `artists` and `playlists` are Lavalink
    [`Playlist`][hikari_lavalink.Playlist]s with **no tracks**: load their
    [`LavaSrcPlaylistInfo`][hikari_lavalink.protocol.plugins.lavasrc.LavaSrcPlaylistInfo]
    `url` through `/v4/loadtracks` to get them. `tracks` carry their source's
    `plugin_info` (LavaSrc's, for its sources).
    """

    tracks: list[Track] = msgspec.field(default_factory=list[typing.Any])
    albums: list[Playlist] = msgspec.field(default_factory=list[typing.Any])
    artists: list[Playlist] = msgspec.field(default_factory=list[typing.Any])
    playlists: list[Playlist] = msgspec.field(default_factory=list[typing.Any])
    texts: list[SearchText] = msgspec.field(default_factory=list[typing.Any])
    plugin: JSONObject = msgspec.field(default_factory=dict[str, typing.Any])


decode_search_result: typing.Final = codec.make_decoder(LavaSearchResult, "loadsearch result")
"""Decode a `/v4/loadsearch` body; raises
[`RemoteProtocolError`][hikari_lavalink.RemoteProtocolError] on bad data."""


def _search_result(body: bytes) -> LavaSearchResult | None:
    if not body.strip():
        return None  # 204: no provider answered
    return decode_search_result(body)


def load_search(
    query: str, types: collections.abc.Iterable[SearchType] | None = None
) -> Route[LavaSearchResult | None]:
    """`GET /v4/loadsearch?query=...&types=...`.

    Parameters
    ----------
    query
        A prefixed query (`spsearch:architects`).
    types
        The kinds of results wanted; `None` or empty for the provider's default (usually
        all it supports).

    Raises
    ------
    UsageError
        `query` is blank, or a type is unknown (the server would drop it silently).
    """
    if not query.strip():
        msg = "the query is blank; pass a prefixed query such as 'spsearch:architects'"
        raise UsageError(msg)
    params: list[tuple[str, str]] = [("query", query)]
    wanted = list(dict.fromkeys(types or ()))
    unknown = [t for t in wanted if t not in SEARCH_TYPES]
    if unknown:
        msg = f"unknown LavaSearch types {unknown}; pass some of: {', '.join(SEARCH_TYPES)}"
        raise UsageError(msg)
    if wanted:
        params.append(("types", ",".join(wanted)))
    return Route("GET", "/v4/loadsearch", _search_result, query=tuple(params))
