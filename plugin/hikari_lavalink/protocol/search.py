"""Search prefixes: turn what a user typed into an identifier for `/v4/loadtracks`.

>>> identifier("never gonna give you up", "spotify")
'spsearch:never gonna give you up'

`ytsearch:`, `ytmsearch:` and `scsearch:` are built into Lavalink (YouTube through the
youtube-source plugin); the others need the LavaSrc plugin with that source enabled. A node
serves a prefix only when its `/v4/info` `sourceManagers` lists
`SOURCE_NAMES[source]`; an unserved prefix loads as `empty` or `error`.

LavaSrc also loads recommendations, previews and ISRC lookups; build their identifiers with
[`recommendations`][hikari_lavalink.protocol.search.recommendations],
[`preview`][hikari_lavalink.protocol.search.preview] and
[`isrc`][hikari_lavalink.protocol.search.isrc]:

>>> preview("animals", "spotify")
'spprev:spsearch:animals'
>>> isrc("USEP42058010")
'dzisrc:USEP42058010'
>>> required_source("sprec:mix:track:0eG08cBeKk0mzykKjw4hcQ")
'spotify'
"""

from __future__ import annotations

import re
import types
import typing

from hikari_lavalink import errors

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.models import Track

__all__ = [
    "ISRC_PREFIXES",
    "LAVASRC_SOURCES",
    "PREFIXES",
    "PREVIEW_PREFIXES",
    "RECOMMENDATION_PREFIXES",
    "SOURCE_NAMES",
    "IsrcSource",
    "PreviewSource",
    "RecommendationSource",
    "SearchSource",
    "identifier",
    "isrc",
    "preview",
    "recommendations",
    "required_source",
]

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


# -- LavaSrc's other prefixes -------------------------------------------------------------

RecommendationSource = typing.Literal[
    "spotify", "deezer", "yandex_music", "vk_music", "tidal", "qobuz", "jiosaavn"
]
"""A LavaSrc source that loads recommendations."""
PreviewSource = typing.Literal["spotify", "apple_music", "deezer", "jiosaavn"]
"""A LavaSrc source that loads previews (a fixed-length clip; `isPreview` is `true`)."""
IsrcSource = typing.Literal["deezer", "qobuz"]
"""A LavaSrc source that looks a track up by its ISRC."""

RECOMMENDATION_PREFIXES: typing.Final[collections.abc.Mapping[RecommendationSource, str]] = (
    types.MappingProxyType(
        {
            "spotify": "sprec:",
            "deezer": "dzrec:",
            "yandex_music": "ymrec:",
            "vk_music": "vkrec:",
            "tidal": "tdrec:",
            "qobuz": "qbrec:",
            "jiosaavn": "jsrec:",
        }
    )
)
"""The recommendation prefix of each source."""
PREVIEW_PREFIXES: typing.Final[collections.abc.Mapping[PreviewSource, str]] = (
    types.MappingProxyType(
        {"spotify": "spprev:", "apple_music": "amprev:", "deezer": "dzprev:", "jiosaavn": "jsprev:"}
    )
)
"""The preview prefix of each source (it goes before a whole identifier)."""
ISRC_PREFIXES: typing.Final[collections.abc.Mapping[IsrcSource, str]] = types.MappingProxyType(
    {"deezer": "dzisrc:", "qobuz": "qbisrc:"}
)
"""The ISRC prefix of each source."""

LAVASRC_SOURCES: typing.Final[frozenset[SearchSource]] = frozenset(PREFIXES) - {
    "youtube",
    "youtube_music",
    "soundcloud",
}
"""The search sources LavaSrc provides (each needs its `sourceManagers` entry)."""

_BY_SOURCE_NAME: typing.Final[dict[str, RecommendationSource]] = {
    SOURCE_NAMES[source]: source for source in RECOMMENDATION_PREFIXES
}
_NEEDS: typing.Final[dict[str, str]] = {
    **{PREFIXES[source]: SOURCE_NAMES[source] for source in LAVASRC_SOURCES},
    **{prefix: SOURCE_NAMES[source] for source, prefix in RECOMMENDATION_PREFIXES.items()},
    **{prefix: SOURCE_NAMES[source] for source, prefix in PREVIEW_PREFIXES.items()},
    **{prefix: SOURCE_NAMES[source] for source, prefix in ISRC_PREFIXES.items()},
}


def _seed(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        msg = f"the {what} is blank"
        raise errors.UsageError(msg)
    return value


def recommendations(seed: str | Track, source: RecommendationSource | None = None) -> str:
    """The identifier that loads LavaSrc's recommendations for `seed` (a `playlist` of
    type `recommendations`).

    Parameters
    ----------
    seed
        A track of a source that recommends (its id is the seed; a Spotify track seeds a
        radio mix, `sprec:mix:track:{id}`), or a seed as the source takes it: a track id
        (`dzrec:`, `ymrec:`...), Deezer's `artist={id}`, or Spotify's seed query or
        `mix:{album|artist|track|isrc}:{id}`.
    source
        Where to ask; a track's own source by default (required with a string seed).

    Raises
    ------
    UsageError
        The seed is blank, `source` is missing or gives no recommendations, or the
        track's source does not.

    Examples
    --------
    >>> recommendations("1090538082", "deezer")
    'dzrec:1090538082'
    """
    if isinstance(seed, str):
        value = _seed(seed, "seed")
        if source is None:
            msg = "a string seed needs its source (source='spotify', 'deezer'...)"
            raise errors.UsageError(msg)
    else:
        own = _BY_SOURCE_NAME.get(seed.info.source_name)
        source = source or own
        if source is None or own != source:
            msg = (
                f"a {seed.info.source_name!r} track seeds no LavaSrc recommendations; "
                f"these sources give them: {', '.join(RECOMMENDATION_PREFIXES)}"
            )
            raise errors.UsageError(msg)
        value = _seed(seed.info.identifier, "track's identifier")
        if source == "spotify":
            value = f"mix:track:{value}"
    prefix = RECOMMENDATION_PREFIXES.get(source)
    if prefix is None:
        known = ", ".join(RECOMMENDATION_PREFIXES)
        msg = f"{source!r} gives no recommendations; pass one of: {known}"
        raise errors.UsageError(msg)
    return prefix + value


def preview(query: str, source: PreviewSource) -> str:
    """The identifier that loads the preview clip of what `query` loads on `source`: a URL
    or an identifier, or words (searched on `source`).

    Raises
    ------
    UsageError
        `query` is blank, or `source` has no previews.
    """
    prefix = PREVIEW_PREFIXES.get(source)
    if prefix is None:
        msg = f"{source!r} has no previews; pass one of: {', '.join(PREVIEW_PREFIXES)}"
        raise errors.UsageError(msg)
    return prefix + identifier(query, source)


def isrc(code: str, source: IsrcSource = "deezer") -> str:
    """The identifier that loads the track with the ISRC `code` on `source`.

    Raises
    ------
    UsageError
        `code` is blank, or `source` has no ISRC lookup.
    """
    prefix = ISRC_PREFIXES.get(source)
    if prefix is None:
        msg = f"{source!r} looks up no ISRC; pass one of: {', '.join(ISRC_PREFIXES)}"
        raise errors.UsageError(msg)
    return prefix + _seed(code, "ISRC")


def required_source(identifier: str) -> str | None:
    """The `sourceManagers` name (`spotify`...) a LavaSrc identifier needs on a node, from
    its prefix; `None` for anything else (URLs, the core sources' searches), which no
    client-side check covers."""
    match = _PREFIX.match(identifier.strip())
    return _NEEDS.get(match.group()) if match else None
