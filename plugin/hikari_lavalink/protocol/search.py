"""Search prefixes: turn what a user typed into an identifier for `/v4/loadtracks`.

>>> identifier("never gonna give you up", "spotify")
'spsearch:never gonna give you up'

`ytsearch:`, `ytmsearch:` and `scsearch:` are built into Lavalink (YouTube through the
youtube-source plugin); the others need the LavaSrc plugin with that source enabled. A node
serves a prefix only when its `/v4/info` `sourceManagers` lists
`SOURCE_NAMES[source]`; an unserved prefix loads as `empty` or `error`.
"""

from __future__ import annotations

import re
import types
import typing

from hikari_lavalink import errors

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["PREFIXES", "SOURCE_NAMES", "SearchSource", "identifier"]

SearchSource = typing.Literal[
    "youtube",
    "youtube_music",
    "soundcloud",
    "spotify",
    "deezer",
    "apple_music",
    "yandex_music",
    "vk_music",
    "tidal",
    "qobuz",
    "jiosaavn",
]
"""A source [`LavalinkClient.search`][hikari_lavalink.LavalinkClient.search] can search."""

PREFIXES: typing.Final[collections.abc.Mapping[SearchSource, str]] = types.MappingProxyType(
    {
        "youtube": "ytsearch:",
        "youtube_music": "ytmsearch:",
        "soundcloud": "scsearch:",
        "spotify": "spsearch:",
        "deezer": "dzsearch:",
        "apple_music": "amsearch:",
        "yandex_music": "ymsearch:",
        "vk_music": "vksearch:",
        "tidal": "tdsearch:",
        "qobuz": "qbsearch:",
        "jiosaavn": "jssearch:",
    }
)
"""The search prefix of each source."""

SOURCE_NAMES: typing.Final[collections.abc.Mapping[SearchSource, str]] = types.MappingProxyType(
    {
        "youtube": "youtube",
        "youtube_music": "youtube",
        "soundcloud": "soundcloud",
        "spotify": "spotify",
        "deezer": "deezer",
        "apple_music": "applemusic",
        "yandex_music": "yandexmusic",
        "vk_music": "vkmusic",
        "tidal": "tidal",
        "qobuz": "qobuz",
        "jiosaavn": "jiosaavn",
    }
)
"""The `sourceManagers` name in `/v4/info` a node needs to serve each prefix."""

_URL: typing.Final = re.compile(r"https?://", re.IGNORECASE)
_PREFIX: typing.Final = re.compile(r"[a-z]+(?:search|rec|isrc|prev):")
"""Any search-like prefix: `ytsearch:`, LavaSrc's `sprec:`, `dzisrc:`, `spprev:`..."""


def identifier(query: str, source: SearchSource = "youtube") -> str:
    """The identifier that loads `query`: searched on `source` unless it is a URL.

    Surrounding whitespace is stripped. An `http(s)://` URL, or a query that already
    starts with a prefix (lowercase letters then `search:`, `rec:`, `isrc:` or
    `prev:`, as Lavalink and LavaSrc spell them), passes through; anything else gets
    `PREFIXES[source]`. So `identifier(identifier(q))` is `identifier(q)`.

    Parameters
    ----------
    query
        What the user typed: search words, a URL or an identifier with a prefix.
    source
        Where to search words; one of [`SearchSource`][hikari_lavalink.SearchSource].

    Raises
    ------
    UsageError
        `query` is blank (or a prefix with nothing after it), or `source` is unknown.

    Examples
    --------
    >>> identifier("  https://youtu.be/dQw4w9WgXcQ ")
    'https://youtu.be/dQw4w9WgXcQ'
    >>> identifier("scsearch:lofi", "spotify")
    'scsearch:lofi'
    """
    prefix = PREFIXES.get(source)
    if prefix is None:
        msg = f"unknown search source {source!r}; pass one of: {', '.join(PREFIXES)}"
        raise errors.UsageError(msg)
    query = query.strip()
    if not query:
        msg = "the query is blank; pass the words to search for, or a URL"
        raise errors.UsageError(msg)
    if _URL.match(query):
        return query
    if match := _PREFIX.match(query):
        if not query[match.end() :].strip():
            msg = f"nothing follows {match.group()!r}; pass the words to search for after it"
            raise errors.UsageError(msg)
        return query
    return prefix + query
