"""Public decode functions against a bare msgspec floor, in one run.

The floor decodes the same bytes into minimal equivalent Structs with ONE decode call per
message, using the right decoder for each message kind chosen in advance (an idealised
client that knows every message's type before reading it). Ours has to find the type.
"""

from __future__ import annotations

import gc
import time
import typing

import msgspec

import hikari_lavalink as hl
from bench.payloads import mixed_stream, playlist

__all__ = ["run"]


class _S(msgspec.Struct, rename="camel", kw_only=True, frozen=True, gc=False):
    pass


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
    ping: int


class FUpdate(_S, kw_only=True, frozen=True, gc=False):
    guild_id: int
    state: FState


class FMemory(_S, kw_only=True, frozen=True, gc=False):
    free: int
    used: int
    allocated: int
    reservable: int


class FCpu(_S, kw_only=True, frozen=True, gc=False):
    cores: int
    system_load: float
    lavalink_load: float


class FStats(_S, kw_only=True, frozen=True, gc=False):
    players: int
    playing_players: int
    uptime: int
    memory: FMemory
    cpu: FCpu
    frame_stats: dict[str, int] | None = None


class FException(_S, kw_only=True, frozen=True, gc=False):
    message: str | None = None
    severity: str
    cause: str
    cause_stack_trace: str | None = None


class FStart(_S, kw_only=True, frozen=True, gc=False):
    guild_id: int
    track: FTrack


class FEnd(_S, kw_only=True, frozen=True, gc=False):
    guild_id: int
    track: FTrack
    reason: str


class FExc(_S, kw_only=True, frozen=True, gc=False):
    guild_id: int
    track: FTrack
    exception: FException


class FStuck(_S, kw_only=True, frozen=True, gc=False):
    guild_id: int
    track: FTrack
    threshold_ms: int


class FClosed(_S, kw_only=True, frozen=True, gc=False):
    guild_id: int
    code: int
    reason: str
    by_remote: bool


class FPlaylistInfo(_S, kw_only=True, frozen=True, gc=False):
    name: str
    selected_track: int


class FPlaylist(_S, kw_only=True, frozen=True, gc=False):
    info: FPlaylistInfo
    plugin_info: dict[str, typing.Any]
    tracks: list[FTrack]


class FPlaylistResult(_S, kw_only=True, frozen=True, gc=False):
    load_type: str
    data: FPlaylist


FLOOR_DECODERS: dict[str, msgspec.json.Decoder[typing.Any]] = {
    "playerUpdate": msgspec.json.Decoder(FUpdate, strict=False),
    "stats": msgspec.json.Decoder(FStats, strict=False),
    "TrackStartEvent": msgspec.json.Decoder(FStart, strict=False),
    "TrackEndEvent": msgspec.json.Decoder(FEnd, strict=False),
    "TrackExceptionEvent": msgspec.json.Decoder(FExc, strict=False),
    "TrackStuckEvent": msgspec.json.Decoder(FStuck, strict=False),
    "WebSocketClosedEvent": msgspec.json.Decoder(FClosed, strict=False),
}


def _best_pair(
    ours: typing.Callable[[], object], floor: typing.Callable[[], object], repeats: int = 9
) -> tuple[int, int]:
    """Best time of each, measured alternately so that machine noise hits both alike."""
    best = [2**63, 2**63]
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for index, fn in enumerate((ours, floor)):
                start = time.perf_counter_ns()
                fn()
                best[index] = min(best[index], time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return best[0], best[1]


def run() -> list[tuple[str, float, float, str]]:
    """Measure; return rows of (name, ours, floor, unit)."""
    stream = mixed_stream(100_000, guilds=1_000)
    frames = [data for _, data in stream]
    paired = [(FLOOR_DECODERS[kind].decode, data) for kind, data in stream]
    decode = hl.decode_message

    def ours() -> None:
        for data in frames:
            decode(data)

    def floor() -> None:
        for fn, data in paired:
            fn(data)

    assert all(not isinstance(decode(f), hl.UnknownMessage) for f in frames[:1000])
    ws_ours, ws_floor = (t / len(frames) for t in _best_pair(ours, floor))

    big = playlist(1_000)
    assert len(hl.decode_load_result(big).tracks) == 1_000
    floor_playlist = msgspec.json.Decoder(FPlaylistResult, strict=False).decode
    loops = 50

    def ours_playlist() -> None:
        for _ in range(loops):
            hl.decode_load_result(big)

    def floor_pl() -> None:
        for _ in range(loops):
            floor_playlist(big)

    pl_ours, pl_floor = (t / loops / 1e6 for t in _best_pair(ours_playlist, floor_pl))
    return [
        ("decode_message, 100k mixed WS messages", ws_ours / 1000, ws_floor / 1000, "µs/msg"),
        ("decode_load_result, 1,000-track playlist", pl_ours, pl_floor, "ms/playlist"),
    ]
