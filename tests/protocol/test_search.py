"""Search prefixes: which queries get one, which pass through, and what is refused."""

from __future__ import annotations

import typing

import hypothesis
import pytest
from hypothesis import strategies as st

from hikari_lavalink import errors
from hikari_lavalink.protocol import search

SOURCES: tuple[search.SearchSource, ...] = typing.get_args(search.SearchSource)
EXPECTED: dict[str, tuple[str, str]] = {
    # source: (prefix, sourceManagers name), from lavalink-plugins.md section 1.1
    "youtube": ("ytsearch:", "youtube"),
    "youtube_music": ("ytmsearch:", "youtube"),
    "soundcloud": ("scsearch:", "soundcloud"),
    "spotify": ("spsearch:", "spotify"),
    "deezer": ("dzsearch:", "deezer"),
    "apple_music": ("amsearch:", "applemusic"),
    "yandex_music": ("ymsearch:", "yandexmusic"),
    "vk_music": ("vksearch:", "vkmusic"),
    "tidal": ("tdsearch:", "tidal"),
    "qobuz": ("qbsearch:", "qobuz"),
    "jiosaavn": ("jssearch:", "jiosaavn"),
}


def test_every_source_has_a_prefix_and_a_source_manager_name() -> None:
    assert set(search.PREFIXES) == set(SOURCES) == set(search.SOURCE_NAMES)
    assert {s: (search.PREFIXES[s], search.SOURCE_NAMES[s]) for s in SOURCES} == EXPECTED


def test_the_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        typing.cast("dict[str, str]", search.PREFIXES)["youtube"] = "x:"


@pytest.mark.parametrize("source", SOURCES)
def test_plain_words_get_the_prefix_of_the_source(source: search.SearchSource) -> None:
    assert search.identifier("lofi beats", source) == search.PREFIXES[source] + "lofi beats"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("never gonna give you up", "ytsearch:never gonna give you up"),
        ("  padded  \n", "ytsearch:padded"),
        ("ytsearch", "ytsearch:ytsearch"),
        ("YTSEARCH:loud", "ytsearch:YTSEARCH:loud"),  # Lavalink's prefixes are lowercase
        ("ytsearch10:x", "ytsearch:ytsearch10:x"),
        ("artist: song", "ytsearch:artist: song"),
        ("ftp://host/file", "ytsearch:ftp://host/file"),
    ],
)
def test_what_is_not_a_url_or_prefix_is_searched(query: str, expected: str) -> None:
    assert search.identifier(query) == expected


PASS_THROUGH = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "http://radio.example/live.mp3",
    "HTTPS://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
    "https://soundcloud.com/a/b?in=c ytsearch:",
    *(prefix + "lofi" for prefix in search.PREFIXES.values()),
    "sprec:mix:track:4uLU6hMCjMI75M1A2tKUQC",
    "dzisrc:USUM71703861",
    "qbisrc:USUM71703861",
    "dzrec:track=3135556",
    "spprev:spsearch:animals",
    "bcsearch:some band",
]
"""URLs, and identifiers with a prefix of Lavalink, LavaSrc or another plugin."""


@pytest.mark.parametrize("query", PASS_THROUGH)
@pytest.mark.parametrize("source", ["youtube", "deezer"])
def test_a_url_or_a_prefixed_query_passes_through(query: str, source: search.SearchSource) -> None:
    assert search.identifier(query, source) == query
    assert search.identifier(f"  {query}\t") == query


@pytest.mark.parametrize("query", ["", " ", "\n\t ", "\u3000"])
def test_a_blank_query_is_refused(query: str) -> None:
    with pytest.raises(errors.UsageError, match="blank; pass the words to search for"):
        search.identifier(query)


@pytest.mark.parametrize("query", ["ytsearch:", "spsearch:   ", " sprec: "])
def test_a_prefix_with_nothing_after_it_is_refused(query: str) -> None:
    with pytest.raises(errors.UsageError, match="nothing follows"):
        search.identifier(query)


def test_an_unknown_source_is_refused_with_the_known_ones() -> None:
    with pytest.raises(errors.UsageError, match="unknown search source 'bandcamp'") as caught:
        search.identifier("lofi", typing.cast("search.SearchSource", "bandcamp"))
    assert all(source in str(caught.value) for source in SOURCES)


def test_the_source_is_checked_even_for_a_url() -> None:
    with pytest.raises(errors.UsageError, match="unknown search source"):
        search.identifier("https://x.example", typing.cast("search.SearchSource", "YouTube"))


queries = st.one_of(
    st.text(),
    st.builds(
        str.__add__,
        st.sampled_from([*search.PREFIXES.values(), "https://", "sprec:", " ", "x"]),
        st.text(),
    ),
)


@hypothesis.given(queries, st.sampled_from(SOURCES), st.sampled_from(SOURCES))
def test_identifier_is_idempotent(
    query: str, source: search.SearchSource, other: search.SearchSource
) -> None:
    try:
        once = search.identifier(query, source)
    except errors.UsageError:
        hypothesis.reject()
    assert search.identifier(once, source) == once
    assert search.identifier(once, other) == once
    assert once in (query.strip(), search.PREFIXES[source] + query.strip())
