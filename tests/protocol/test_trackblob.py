"""The Lavaplayer track blob codec: the decoded vectors, hand-built v2/v3 blobs, round trips."""

from __future__ import annotations

import base64
import json
import pathlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hikari_lavalink as hl
from hikari_lavalink.protocol.trackblob import decode_track_blob, encode_track_blob
from hikari_lavalink.testing import factories

# Read straight from the shared vectors (the project's copies are checked elsewhere).
SHARED_DECODED = (
    pathlib.Path(__file__).resolve().parents[3]
    / "shared"
    / "lavalink-vectors"
    / "encoded-tracks-decoded.json"
)


def _utf(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">H", len(raw)) + raw


def _blob(version: int, *fields: bytes, flags: int = 1) -> str:
    body = bytes([version]) + b"".join(fields)
    return base64.b64encode(struct.pack(">I", flags << 30 | len(body)) + body).decode()


@pytest.mark.skipif(not SHARED_DECODED.is_file(), reason="../shared/lavalink-vectors not present")
def test_decodes_the_repository_strings() -> None:
    vectors = json.loads(SHARED_DECODED.read_bytes())
    assert vectors
    for expected in vectors:
        info = decode_track_blob(expected["encoded"])
        assert expected["version"] == 2
        assert info.title == expected["title"]
        assert info.author == expected["author"]
        assert info.length == expected["length"]
        assert info.identifier == expected["identifier"]
        assert info.is_stream == expected["isStream"]
        assert info.is_seekable is not expected["isStream"]
        assert info.uri == expected["uri"]
        assert info.source_name == expected["sourceName"]
        assert info.position == expected["position"]
        assert info.artwork_url is None
        assert info.isrc is None


def test_version_2_with_source_specific_bytes_and_a_position() -> None:
    encoded = _blob(
        2,
        _utf("Title"),
        _utf("Author"),
        struct.pack(">q", 9_000),
        _utf("id"),
        b"\x01",  # a stream
        b"\x00",  # no uri
        _utf("twitch"),
        b"\xde\xad\xbe\xef",  # what the source manager wrote
        struct.pack(">q", 1_234),
    )
    info = decode_track_blob(encoded)
    assert (info.title, info.author, info.length, info.identifier) == (
        "Title",
        "Author",
        9_000,
        "id",
    )
    assert info.is_stream
    assert not info.is_seekable
    assert info.uri is None
    assert info.source_name == "twitch"
    assert info.position == 1_234
    assert (info.artwork_url, info.isrc) == (None, None)


def test_version_3_reads_artwork_and_isrc() -> None:
    encoded = _blob(
        3,
        _utf("T"),
        _utf("A"),
        struct.pack(">q", 1),
        _utf("i"),
        b"\x00",
        b"\x01" + _utf("https://u"),
        b"\x01" + _utf("https://art"),
        b"\x00",
        _utf("http"),
        struct.pack(">q", 0),
    )
    info = decode_track_blob(encoded)
    assert (info.uri, info.artwork_url, info.isrc) == ("https://u", "https://art", None)


def test_encoder_writes_version_3() -> None:
    raw = base64.b64decode(encode_track_blob(factories.make_track_info(isrc="X")))
    (header,) = struct.unpack(">I", raw[:4])
    assert header >> 30 == 1
    assert header & 0x3FFFFFFF == len(raw) - 4
    assert raw[4] == 3


def test_awkward_text_uses_java_modified_utf8() -> None:
    info = factories.make_track_info(
        title="naïve \x00 😀 ẞ", isrc="GBARL9300135", artwork_url="https://a/b.jpg", position=5
    )
    encoded = encode_track_blob(info)
    raw = base64.b64decode(encoded)
    assert b"\xc0\x80" in raw  # NUL as two bytes
    assert "😀".encode() not in raw  # astral characters as surrogate pairs (CESU-8)
    assert decode_track_blob(encoded) == info


@pytest.mark.parametrize(
    "encoded",
    [
        "not base64!",
        "",
        base64.b64encode(b"\x40\x00\x00\x05\x09abcd").decode(),  # unsupported version
        base64.b64encode(b"\x40\x00\x00\x09\x03").decode(),  # size mismatch
        base64.b64encode(struct.pack(">IB", 1 << 30 | 3, 3) + b"\x00\x10").decode(),  # truncated
        _blob(3, b"", flags=0),  # unversioned (version 1)
        # every field present but the trailing position is missing
        _blob(
            2, _utf("t"), _utf("a"), struct.pack(">q", 1), _utf("i"), b"\x00", b"\x00", _utf("x")
        ),
    ],
)
def test_bad_blobs(encoded: str) -> None:
    with pytest.raises(hl.RemoteProtocolError, match="invalid encoded track"):
        decode_track_blob(encoded)


def test_too_long_strings_are_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        encode_track_blob(factories.make_track_info(title="x" * 70_000))


# Java strings are UTF-16: any text without lone surrogates survives the trip.
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@st.composite
def track_infos(draw: st.DrawFn) -> hl.TrackInfo:
    is_stream = draw(st.booleans())
    return hl.TrackInfo(
        identifier=draw(texts),
        is_seekable=not is_stream,
        author=draw(texts),
        length=draw(st.integers(-(2**63), 2**63 - 1)),
        is_stream=is_stream,
        position=draw(st.integers(-(2**63), 2**63 - 1)),
        title=draw(texts),
        uri=draw(st.none() | texts),
        artwork_url=draw(st.none() | texts),
        isrc=draw(st.none() | texts),
        source_name=draw(texts),
    )


@settings(max_examples=300, deadline=None)
@given(track_infos())
def test_round_trip(info: hl.TrackInfo) -> None:
    assert decode_track_blob(encode_track_blob(info)) == info


@settings(max_examples=100, deadline=None)
@given(track_infos(), st.binary(max_size=16))
def test_source_specific_bytes_are_skipped(info: hl.TrackInfo, extra: bytes) -> None:
    raw = base64.b64decode(encode_track_blob(info))
    body = raw[4:-8] + extra + raw[-8:]
    spliced = base64.b64encode(struct.pack(">I", 1 << 30 | len(body)) + body).decode()
    assert decode_track_blob(spliced) == info
