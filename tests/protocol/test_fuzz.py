"""Hypothesis: decoders return a model or raise RemoteProtocolError, and encoding round-trips."""

from __future__ import annotations

import contextlib
import copy
import json
import typing

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, trackblob

FUZZ = settings(max_examples=150, deadline=None)
ROUND_TRIP = settings(max_examples=100, deadline=None)

MESSAGE_TYPES = typing.get_args(hl.Message)
LOAD_RESULT_TYPES = typing.get_args(hl.LoadResult)
INT64 = st.integers(-(2**63), 2**63 - 1)

json_scalars = st.none() | st.booleans() | INT64 | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
JSON: typing.TypeAlias = typing.Any


def _vectors(pattern: str) -> list[JSON]:
    """Parsed vectors matching ``pattern``, with the docs' ``"..."`` guild id made real."""
    out: list[JSON] = []
    for path in sorted(VECTORS.glob(pattern)):
        if "handshake" in path.name:
            continue
        text = path.read_text().replace('"guildId": "..."', '"guildId": "817327181659111454"')
        out.append(json.loads(text))
    assert out
    return out


WS_VECTORS = _vectors("ws-*.json")
LOAD_VECTORS = _vectors("rest-loadtracks-*.json")


def _objects(value: JSON) -> list[dict[str, JSON]]:
    """Every JSON object inside ``value``, itself included, outermost first."""
    found: list[dict[str, JSON]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            node = typing.cast("dict[str, JSON]", node)
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(typing.cast("list[JSON]", node))
    return found


def _other_type(value: JSON) -> st.SearchStrategy[JSON]:
    return json_values.filter(lambda new: type(new) is not type(value))


@st.composite
def mutated(draw: st.DrawFn, sources: list[JSON], tags: tuple[str, ...]) -> bytes:
    """A vector with 1-4 random edits anywhere in it: drop, retype, add keys, retag."""
    payload = copy.deepcopy(draw(st.sampled_from(sources)))
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(_objects(payload)))
        keys = sorted(target)
        action = draw(st.sampled_from(["drop", "retype", "add", "retag"]))
        if action == "drop" and keys:
            del target[draw(st.sampled_from(keys))]
        elif action == "retype" and keys:
            key = draw(st.sampled_from(keys))
            target[key] = draw(_other_type(target[key]))
        elif action == "add":
            target[draw(st.text(max_size=8))] = draw(json_values)
        else:
            payload[draw(st.sampled_from(tags))] = draw(st.text(max_size=20))
    return json.dumps(payload).encode()


ascii_bytes = st.binary(min_size=1, max_size=4).map(lambda raw: bytes(b & 0x7F for b in raw))
# Bytes that are never valid UTF-8 wherever they stand.
invalid_utf8 = st.sampled_from([b"\x80", b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xf8\x88\x80\x80"])


@st.composite
def spliced(draw: st.DrawFn, sources: list[JSON]) -> bytes:
    """A vector's bytes cut short, or with a few random ASCII bytes written over.

    Non-UTF-8 bytes have their own test (``in_strings`` below).
    """
    raw = json.dumps(draw(st.sampled_from(sources))).encode()
    cut = draw(st.integers(0, len(raw)))
    if draw(st.booleans()):
        return raw[:cut]
    return raw[:cut] + draw(ascii_bytes) + raw[cut + 1 :]


@st.composite
def invalid_utf8_in_a_string(draw: st.DrawFn, sources: list[JSON]) -> bytes:
    """A vector with one string value, anywhere in it, holding bytes that are not UTF-8."""
    payload = copy.deepcopy(draw(st.sampled_from(sources)))
    target = draw(st.sampled_from(_objects(payload)))
    sentinel = "SENTINEL-7f3a"
    target[draw(st.sampled_from([*sorted(target), "newKey"]))] = sentinel
    raw = json.dumps(payload).encode()
    return raw.replace(sentinel.encode(), b"ab" + draw(invalid_utf8) + b"cd")


def _check_message(data: bytes | str) -> None:
    message: object
    try:
        message = hl.decode_message(data)
    except hl.RemoteProtocolError as exc:
        message = exc
    if isinstance(message, hl.RemoteProtocolError):
        assert message.data == (data.encode() if isinstance(data, str) else data)
        return
    assert isinstance(message, MESSAGE_TYPES)
    if isinstance(message, hl.UnknownMessage):
        payload = json.loads(data)
        assert message.payload == payload
        assert message.op == payload["op"]
        assert message.op != "event" or message.type == payload.get("type")


@FUZZ
@given(st.binary(max_size=200))
def test_decode_message_on_bytes(data: bytes) -> None:
    _check_message(data)


@FUZZ
@given(st.text(max_size=200))
def test_decode_message_on_text(data: str) -> None:
    _check_message(data)


@FUZZ
@given(
    st.fixed_dictionaries(
        {"op": st.text(max_size=12) | st.sampled_from(["ready", "event", "stats"])},
        # ASCII digits here; non-ASCII ones are covered in test_codec.py.
        optional={
            "type": json_values | st.sampled_from(["TrackStartEvent", "SegmentsLoaded"]),
            "guildId": st.none() | INT64 | st.text(st.characters(max_codepoint=127), max_size=20),
            "x": json_values,
        },
    )
)
def test_decode_message_on_objects_with_a_string_op(payload: dict[str, JSON]) -> None:
    _check_message(json.dumps(payload))


@FUZZ
@given(mutated(WS_VECTORS, ("op", "type")))
def test_decode_message_on_mutated_vectors(data: bytes) -> None:
    _check_message(data)


@FUZZ
@given(spliced(WS_VECTORS))
def test_decode_message_on_spliced_vectors(data: bytes) -> None:
    _check_message(data)


def _check_load_result(data: bytes) -> None:
    result: object
    try:
        result = hl.decode_load_result(data)
    except hl.RemoteProtocolError as exc:
        result = exc
    if isinstance(result, hl.RemoteProtocolError):
        assert result.data == data
        return
    assert isinstance(result, LOAD_RESULT_TYPES)
    assert all(isinstance(track, hl.Track) for track in result.tracks)


@FUZZ
@given(mutated(LOAD_VECTORS, ("loadType",)))
def test_decode_load_result_on_mutated_vectors(data: bytes) -> None:
    _check_load_result(data)


@FUZZ
@given(spliced(LOAD_VECTORS))
def test_decode_load_result_on_spliced_vectors(data: bytes) -> None:
    _check_load_result(data)


@settings(FUZZ, report_multiple_bugs=False)
@given(invalid_utf8_in_a_string(WS_VECTORS))
def test_decode_message_on_invalid_utf8(data: bytes) -> None:
    _check_message(data)


@settings(FUZZ, report_multiple_bugs=False)
@given(invalid_utf8_in_a_string(LOAD_VECTORS))
def test_decode_load_result_on_invalid_utf8(data: bytes) -> None:
    _check_load_result(data)


@FUZZ
@given(st.text(max_size=300))
def test_track_blob_decoder_never_raises_foreign_errors(data: str) -> None:
    with contextlib.suppress(hl.RemoteProtocolError):
        trackblob.decode_track_blob(data)


# -- round trips ---------------------------------------------------------------------------

T = typing.TypeVar("T")


def unset_or(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | msgspec.UnsetType]:
    return st.just(msgspec.UNSET) | strategy


def unset_none_or(
    strategy: st.SearchStrategy[T],
) -> st.SearchStrategy[T | msgspec.UnsetType | None]:
    return st.just(msgspec.UNSET) | st.none() | strategy


floats = st.floats(allow_nan=False, allow_infinity=False)
texts = st.text(max_size=12)
plain_json = st.recursive(
    st.none() | st.booleans() | INT64 | floats | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
json_objects = st.dictionaries(texts, plain_json, max_size=3)

filters = st.builds(
    hl.Filters,
    volume=unset_or(floats),
    equalizer=unset_or(st.lists(st.builds(hl.Band, band=st.integers(0, 14), gain=floats))),
    karaoke=unset_none_or(
        st.builds(
            hl.Karaoke, level=floats, mono_level=floats, filter_band=floats, filter_width=floats
        )
    ),
    timescale=unset_none_or(st.builds(hl.Timescale, speed=floats, pitch=floats, rate=floats)),
    tremolo=unset_none_or(st.builds(hl.Tremolo, frequency=floats, depth=floats)),
    vibrato=unset_none_or(st.builds(hl.Vibrato, frequency=floats, depth=floats)),
    rotation=unset_none_or(st.builds(hl.Rotation, rotation_hz=floats)),
    distortion=unset_none_or(
        st.builds(
            hl.Distortion,
            sin_offset=floats,
            sin_scale=floats,
            cos_offset=floats,
            cos_scale=floats,
            tan_offset=floats,
            tan_scale=floats,
            offset=floats,
            scale=floats,
        )
    ),
    channel_mix=unset_none_or(
        st.builds(
            hl.ChannelMix,
            left_to_left=floats,
            left_to_right=floats,
            right_to_left=floats,
            right_to_right=floats,
        )
    ),
    low_pass=unset_none_or(st.builds(hl.LowPass, smoothing=floats)),
    plugin_filters=unset_or(json_objects),
)
updates = st.builds(
    hl.UpdatePlayer,
    track=unset_or(
        st.builds(
            hl.UpdatePlayerTrack,
            encoded=unset_none_or(texts),
            identifier=unset_or(texts),
            user_data=unset_or(json_objects),
        )
    ),
    encoded_track=unset_none_or(texts),
    identifier=unset_or(texts),
    position=unset_or(st.integers(0, 2**63 - 1)),
    end_time=unset_none_or(st.integers(0, 2**63 - 1)),
    volume=unset_or(st.integers(0, 1000)),
    paused=unset_or(st.booleans()),
    filters=unset_or(filters),
    voice=unset_or(
        st.builds(
            hl.VoiceUpdate,
            token=texts,
            endpoint=texts,
            session_id=texts,
            channel_id=unset_none_or(st.integers(1, 2**64 - 1).map(str)),
        )
    ),
)


@ROUND_TRIP
@given(updates)
def test_update_player_round_trips(update: hl.UpdatePlayer) -> None:
    assert codec.decode_update_player(hl.encode(update)) == update


@ROUND_TRIP
@given(filters)
def test_filters_round_trip(value: hl.Filters) -> None:
    body = hl.encode(hl.UpdatePlayer(filters=value))
    assert codec.decode_update_player(body).filters == value
    assert json.loads(body)["filters"] == json.loads(hl.encode(value))


@ROUND_TRIP
@given(st.builds(hl.SessionUpdate, resuming=unset_or(st.booleans()), timeout=unset_or(INT64)))
def test_session_update_round_trips(update: hl.SessionUpdate) -> None:
    assert codec.decode_session_update(hl.encode(update)) == update


track_infos = st.builds(
    hl.TrackInfo,
    identifier=st.text(max_size=20),
    is_seekable=st.booleans(),
    author=st.text(max_size=20),
    length=st.integers(0, 2**63 - 1),
    is_stream=st.booleans(),
    position=st.integers(0, 2**63 - 1),
    title=st.text(max_size=40),
    uri=st.none() | st.text(max_size=20),
    artwork_url=st.none() | st.text(max_size=20),
    isrc=st.none() | st.text(max_size=12),
    source_name=st.text(max_size=10),
)
tracks = st.builds(
    hl.Track,
    encoded=st.text(max_size=40),
    info=track_infos,
    plugin_info=json_objects,
    user_data=json_objects,
)


@ROUND_TRIP
@given(tracks)
def test_inbound_track_round_trips(track: hl.Track) -> None:
    assert codec.decode_track(hl.encode(track)) == track
    result = hl.SearchResult(data=[track, track])
    assert hl.decode_load_result(hl.encode(result)) == result


@ROUND_TRIP
@given(track_infos.filter(lambda info: info.is_seekable is not info.is_stream))
def test_track_blob_round_trips(info: hl.TrackInfo) -> None:
    assert trackblob.decode_track_blob(trackblob.encode_track_blob(info)) == info
