"""The Lavaplayer track blob codec against the decoded vectors."""

from __future__ import annotations

import base64
import json
import struct

import msgspec
import pytest
from tests.conftest import load_vector

import hikari_lavalink as hl
from hikari_lavalink.protocol.trackblob import decode_track_blob, encode_track_blob


def test_decodes_the_repository_strings() -> None:
    for expected in json.loads(load_vector("encoded-tracks-decoded.json")):
        info = decode_track_blob(expected["encoded"])
        assert expected["version"] == 2
        assert info.title == expected["title"]
        assert info.author == expected["author"]
        assert info.length == expected["length"]
        assert info.identifier == expected["identifier"]
        assert info.is_stream == expected["isStream"]
        assert info.uri == expected["uri"]
        assert info.source_name == expected["sourceName"]
        assert info.position == expected["position"]
        assert info.artwork_url is None
        assert info.isrc is None


def test_version_3_round_trip_with_awkward_text() -> None:
    info = decode_track_blob(json.loads(load_vector("encoded-tracks-decoded.json"))[0]["encoded"])
    odd = msgspec.structs.replace(
        info,
        title="naïve \x00 😀 ẞ",
        isrc="GBARL9300135",
        artwork_url="https://a/b.jpg",
        position=5,
    )
    assert decode_track_blob(encode_track_blob(odd)) == odd


@pytest.mark.parametrize(
    "encoded",
    [
        "not base64!",
        "",
        base64.b64encode(b"\x40\x00\x00\x05\x09abcd").decode(),  # unsupported version
        base64.b64encode(b"\x40\x00\x00\x09\x03").decode(),  # size mismatch
        base64.b64encode(struct.pack(">IB", 1 << 30 | 3, 3) + b"\x00\x10").decode(),  # truncated
    ],
)
def test_bad_blobs(encoded: str) -> None:
    with pytest.raises(hl.RemoteProtocolError, match="invalid encoded track"):
        decode_track_blob(encoded)


def test_too_long_strings_are_refused() -> None:
    info = decode_track_blob(json.loads(load_vector("encoded-tracks-decoded.json"))[0]["encoded"])
    with pytest.raises(ValueError, match="too long"):
        encode_track_blob(msgspec.structs.replace(info, title="x" * 70_000))
