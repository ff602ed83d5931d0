"""Public decode functions against a bare msgspec floor measured in the same run.

The floor decodes the same bytes into minimal equivalent Structs defined here: one union
tagged on ``op`` for ``ready``/``playerUpdate``/``stats``, and one union tagged on ``type``
for the events. It is idealised: the messages are sorted by kind beforehand, so each is
decoded by the right decoder with ONE call, whereas ours has to find the kind itself.

Timing: ``time.perf_counter_ns``, best of ``REPEATS``, garbage collector off while timing,
ours and the floor measured alternately so that machine noise hits both alike.
"""

from __future__ import annotations

import gc
import time
import typing

import msgspec

import hikari_lavalink as hl
from bench._common import Result, scaled
from bench.payloads import labelled_stream, playlist, search

__all__ = ["run"]

REPEATS = 5
STREAM_SIZE = scaled(100_000, 2_000)
GUILDS = 1_000
PLAYLIST_SIZE = 1_000
PLAYLIST_LOOPS = scaled(200, 2)
SEARCH_LOOPS = scaled(20_000, 20)


class _S(msgspec.Struct, rename="camel", kw_only=True, frozen=True, gc=False):
    pass


# -- floor structs: the same fields as ours ------------------------------------------------


class FInfo(_S, kw_only=True, frozen=True, gc=False):
    identifier: str
    is_seekable: bool
    author: str
    length: int
    is_stream: bool
    position: int
    title: str
    uri: str | None = None
    artwork_url: str | None = None
    isrc: str | None = None
    source_name: str


class FTrack(_S, kw_only=True, frozen=True, gc=False):
    encoded: str
    info: FInfo
    plugin_info: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])
    user_data: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])


class FState(_S, kw_only=True, frozen=True, gc=False):
    time: int
    position: int
    connected: bool
    ping: int = -1


class FMemory(_S, kw_only=True, frozen=True, gc=False):
    free: int
    used: int
    allocated: int
    reservable: int


class FCpu(_S, kw_only=True, frozen=True, gc=False):
    cores: int
    system_load: float
    lavalink_load: float


class FFrameStats(_S, kw_only=True, frozen=True, gc=False):
    sent: int
    nulled: int
    deficit: int


class FException(_S, kw_only=True, frozen=True, gc=False):
    message: str | None = None
    severity: str = "fault"
    cause: str = ""
    cause_stack_trace: str | None = None


class FReady(_S, tag_field="op", tag="ready", kw_only=True, frozen=True, gc=False):
    resumed: bool
    session_id: str


class FUpdate(_S, tag_field="op", tag="playerUpdate", kw_only=True, frozen=True, gc=False):
    guild_id: int
    state: FState


class FStats(_S, tag_field="op", tag="stats", kw_only=True, frozen=True, gc=False):
    players: int
    playing_players: int
    uptime: int
    memory: FMemory
    cpu: FCpu
    frame_stats: FFrameStats | None = None


class FEvent(_S, tag_field="type", kw_only=True, frozen=True, gc=False):
    guild_id: int


class FStart(FEvent, tag="TrackStartEvent", kw_only=True, frozen=True, gc=False):
    track: FTrack


class FEnd(FEvent, tag="TrackEndEvent", kw_only=True, frozen=True, gc=False):
    track: FTrack
    reason: str


class FExc(FEvent, tag="TrackExceptionEvent", kw_only=True, frozen=True, gc=False):
    track: FTrack
    exception: FException


class FStuck(FEvent, tag="TrackStuckEvent", kw_only=True, frozen=True, gc=False):
    track: FTrack
    threshold_ms: int


class FClosed(FEvent, tag="WebSocketClosedEvent", kw_only=True, frozen=True, gc=False):
    code: int
    reason: str = ""
    by_remote: bool = False


class FPlaylistInfo(_S, kw_only=True, frozen=True, gc=False):
    name: str
    selected_track: int = -1


class FPlaylist(_S, kw_only=True, frozen=True, gc=False):
    info: FPlaylistInfo
    plugin_info: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])
    tracks: list[FTrack] = msgspec.field(default_factory=list[FTrack])


class FPlaylistResult(_S, tag_field="loadType", tag="playlist", kw_only=True, frozen=True):
    data: FPlaylist


class FSearchResult(_S, tag_field="loadType", tag="search", kw_only=True, frozen=True):
    data: list[FTrack] = msgspec.field(default_factory=list[FTrack])


OP_DECODER: typing.Final = msgspec.json.Decoder(FReady | FUpdate | FStats, strict=False)
EVENT_DECODER: typing.Final = msgspec.json.Decoder(
    FStart | FEnd | FExc | FStuck | FClosed, strict=False
)
FLOOR_TYPES: typing.Final[dict[str, type[msgspec.Struct]]] = {
    "ready": FReady,
    "playerUpdate": FUpdate,
    "stats": FStats,
    "TrackStartEvent": FStart,
    "TrackEndEvent": FEnd,
    "TrackExceptionEvent": FExc,
    "TrackStuckEvent": FStuck,
    "WebSocketClosedEvent": FClosed,
}
OUR_TYPES: typing.Final[dict[str, type[msgspec.Struct]]] = {
    "ready": hl.ReadyMessage,
    "playerUpdate": hl.PlayerUpdateMessage,
    "stats": hl.StatsMessage,
    "TrackStartEvent": hl.TrackStartMessage,
    "TrackEndEvent": hl.TrackEndMessage,
    "TrackExceptionEvent": hl.TrackExceptionMessage,
    "TrackStuckEvent": hl.TrackStuckMessage,
    "WebSocketClosedEvent": hl.WebSocketClosedMessage,
}


def best_pair(
    ours: typing.Callable[[], object], floor: typing.Callable[[], object]
) -> tuple[int, int]:
    """Best wall time in ns of each of ``ours`` and ``floor`` over ``REPEATS`` alternate runs."""
    best = [2**63, 2**63]
    gc.collect()
    gc.disable()
    try:
        for _ in range(REPEATS):
            for index, fn in enumerate((ours, floor)):
                start = time.perf_counter_ns()
                fn()
                best[index] = min(best[index], time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return best[0], best[1]


def bench_stream() -> Result:
    """(a) ``decode_message`` over a mixed stream vs one pre-chosen decoder call each."""
    stream = labelled_stream(STREAM_SIZE, guilds=GUILDS)
    frames = [data for _, data in stream]
    by_op = [data for kind, data in stream if kind in {"ready", "playerUpdate", "stats"}]
    by_type = [data for kind, data in stream if kind not in {"ready", "playerUpdate", "stats"}]
    # Both sides must produce the right type for every message before anything is timed.
    for kind, data in stream:
        decoder = OP_DECODER if kind in {"ready", "playerUpdate", "stats"} else EVENT_DECODER
        assert type(decoder.decode(data)) is FLOOR_TYPES[kind], kind
        assert type(hl.decode_message(data)) is OUR_TYPES[kind], kind

    decode = hl.decode_message
    op_decode = OP_DECODER.decode
    event_decode = EVENT_DECODER.decode

    def ours() -> None:
        for data in frames:
            decode(data)

    def floor() -> None:
        for data in by_op:
            op_decode(data)
        for data in by_type:
            event_decode(data)

    ours_ns, floor_ns = best_pair(ours, floor)
    return Result(
        f"decode_message, {len(frames):,} mixed WS messages",
        ours_ns / len(frames),
        "ns/msg",
        floor=floor_ns / len(frames),
        max_ratio=1.3,
    )


def _bench_load(
    raw: bytes, floor_decoder: msgspec.json.Decoder[typing.Any], loops: int, tracks: int
) -> tuple[float, float]:
    """ns per decode of ours and of the floor; both checked to find ``tracks`` tracks."""
    assert len(hl.decode_load_result(raw).tracks) == tracks
    floor_result = floor_decoder.decode(raw)
    floor_tracks = (
        floor_result.data if isinstance(floor_result, FSearchResult) else (floor_result.data.tracks)
    )
    assert len(floor_tracks) == tracks
    decode = hl.decode_load_result
    floor_decode = floor_decoder.decode

    def ours() -> None:
        for _ in range(loops):
            decode(raw)

    def floor() -> None:
        for _ in range(loops):
            floor_decode(raw)

    ours_ns, floor_ns = best_pair(ours, floor)
    return ours_ns / loops, floor_ns / loops


def bench_playlist() -> Result:
    """(b) ``decode_load_result`` over a 1,000-track playlist vs the playlist Struct alone."""
    ours, floor = _bench_load(
        playlist(PLAYLIST_SIZE),
        msgspec.json.Decoder(FPlaylistResult, strict=False),
        PLAYLIST_LOOPS,
        PLAYLIST_SIZE,
    )
    return Result(
        f"decode_load_result, {PLAYLIST_SIZE:,}-track playlist",
        ours / 1e6,
        "ms",
        floor=floor / 1e6,
        max_ratio=1.3,
    )


def bench_search() -> Result:
    """(c) ``decode_load_result`` over a 10-result search vs the search Struct alone."""
    floor_decoder = msgspec.json.Decoder(FSearchResult, strict=False)
    ours, floor = _bench_load(search(10), floor_decoder, SEARCH_LOOPS, 10)
    return Result(
        "decode_load_result, 10-result search", ours / 1e3, "µs", floor=floor / 1e3, max_ratio=1.3
    )


def run() -> list[Result]:
    """Measure every decode benchmark, in process (no sockets)."""
    return [bench_stream(), bench_playlist(), bench_search()]
