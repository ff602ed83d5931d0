"""Hypothesis: decoders return a model or raise RemoteProtocolError, and nothing else."""

from __future__ import annotations

import contextlib
import json
import typing

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, trackblob

FUZZ = settings(max_examples=300, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _ws_vectors() -> list[dict[str, typing.Any]]:
    out: list[dict[str, typing.Any]] = []
    for path in sorted(VECTORS.glob("ws-*.json")):
        if "handshake" in path.name:
            continue
        data = json.loads(path.read_text().replace('"guildId": "..."', '"guildId": "42"'))
        out.append(data)
    return out


def _load_vectors() -> list[dict[str, typing.Any]]:
    return [json.loads(p.read_text()) for p in sorted(VECTORS.glob("rest-loadtracks-*.json"))]


@st.composite
def mutated(draw: st.DrawFn, sources: list[dict[str, typing.Any]]) -> bytes:
    payload = dict(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["drop", "replace", "add", "retag"]))
        keys = sorted(payload)
        if action == "drop" and keys:
            payload.pop(draw(st.sampled_from(keys)))
        elif action == "replace" and keys:
            payload[draw(st.sampled_from(keys))] = draw(json_values)
        elif action == "add":
            payload[draw(st.text(max_size=6))] = draw(json_values)
        else:
            tag = draw(st.sampled_from(["op", "type", "loadType"]))
            payload[tag] = draw(st.text(max_size=12) | json_values)
    return json.dumps(payload).encode()


@FUZZ
@given(st.binary(max_size=200))
def test_decode_message_on_bytes(data: bytes) -> None:
    try:
        message = hl.decode_message(data)
    except hl.RemoteProtocolError:
        return
    assert isinstance(message, typing.get_args(hl.Message))


@FUZZ
@given(st.text(max_size=200))
def test_decode_message_on_text(data: str) -> None:
    with contextlib.suppress(hl.RemoteProtocolError):
        hl.decode_message(data)


@FUZZ
@given(mutated(_ws_vectors()))
def test_decode_message_on_mutated_vectors(data: bytes) -> None:
    outcome: object
    try:
        outcome = hl.decode_message(data)
    except hl.RemoteProtocolError as exc:
        outcome = exc
    if isinstance(outcome, hl.RemoteProtocolError):
        assert outcome.data == data
    else:
        assert isinstance(outcome, typing.get_args(hl.Message))


@FUZZ
@given(mutated(_load_vectors()))
def test_decode_load_result_on_mutated_vectors(data: bytes) -> None:
    try:
        result = hl.decode_load_result(data)
    except hl.RemoteProtocolError:
        return
    assert isinstance(result.tracks, list)


@FUZZ
@given(st.text(max_size=300))
def test_track_blob_decoder_never_raises_foreign_errors(data: str) -> None:
    with contextlib.suppress(hl.RemoteProtocolError):
        trackblob.decode_track_blob(data)


floats = st.floats(min_value=-10, max_value=10, allow_nan=False)
filters = st.builds(
    hl.Filters,
    volume=floats | st.just(hl.Filters().volume),
    equalizer=st.lists(st.builds(hl.Band, band=st.integers(0, 14), gain=floats), max_size=3),
    timescale=st.none() | st.builds(hl.Timescale, speed=floats, pitch=floats, rate=floats),
    karaoke=st.none() | st.builds(hl.Karaoke, level=floats),
    plugin_filters=st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
updates = st.builds(
    hl.UpdatePlayer,
    track=st.builds(
        hl.UpdatePlayerTrack,
        encoded=st.none() | st.text(max_size=20),
        user_data=st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    ),
    position=st.integers(0, 2**63 - 1),
    end_time=st.none() | st.integers(1, 2**63 - 1),
    volume=st.integers(0, 1000),
    paused=st.booleans(),
    filters=filters,
    voice=st.builds(
        hl.VoiceUpdate,
        token=st.text(max_size=10),
        endpoint=st.text(max_size=10),
        session_id=st.text(max_size=10),
        channel_id=st.text(max_size=10),
    ),
)


@FUZZ
@given(updates)
def test_update_player_round_trips(update: hl.UpdatePlayer) -> None:
    assert codec.decode_update_player(hl.encode(update)) == update


track_infos = st.builds(
    hl.TrackInfo,
    identifier=st.text(max_size=20),
    is_seekable=st.just(True),
    author=st.text(max_size=20),
    length=st.integers(0, 2**63 - 1),
    is_stream=st.just(False),
    position=st.integers(0, 2**63 - 1),
    title=st.text(max_size=40),
    uri=st.none() | st.text(max_size=20),
    artwork_url=st.none() | st.text(max_size=20),
    isrc=st.none() | st.text(max_size=12),
    source_name=st.text(max_size=10),
)


@FUZZ
@given(track_infos)
def test_track_blob_round_trips(info: hl.TrackInfo) -> None:
    assert trackblob.decode_track_blob(trackblob.encode_track_blob(info)) == info
