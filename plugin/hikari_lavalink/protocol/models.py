"""Lavalink v4 wire models: Track, Player, Stats, Info and friends.

Every payload is a msgspec Struct. Attribute names are the snake_case of the wire names
(`sessionId` -> `session_id`), Discord snowflakes are `int` (strings on the wire),
durations and positions are `int` milliseconds. Inbound models are frozen and ignore
unknown keys, so newer servers and plugins never break decoding. Values that Lavalink may
extend (end reasons, severities) are plain `str` compared against the constants in
[`TrackEndReason`][hikari_lavalink.TrackEndReason] and [`Severity`][hikari_lavalink.Severity].
"""

from __future__ import annotations

import enum
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol.filters import Filters

__all__ = [
    "Cpu",
    "ErrorBody",
    "ExceptionInfo",
    "FrameStats",
    "Git",
    "Info",
    "Memory",
    "Player",
    "PlayerState",
    "Playlist",
    "PlaylistInfo",
    "Plugin",
    "SECRET_USER_DATA_KEYS",
    "Session",
    "SessionUpdate",
    "Severity",
    "Stats",
    "Track",
    "TrackEndReason",
    "TrackInfo",
    "Version",
    "VoiceState",
    "shown_user_data",
]

JSONObject: typing.TypeAlias = dict[str, typing.Any]


class Inbound(msgspec.Struct, rename="camel", kw_only=True, frozen=True, gc=False):
    """Base of every model Lavalink sends: camelCase on the wire, frozen, no GC tracking.

    `gc=False` is safe because decoded JSON cannot form reference cycles.
    """


class TrackEndReason(enum.StrEnum):
    """Why a track ended. `TrackEndEvent.reason` is a `str` equal to one of these."""

    FINISHED = "finished"
    LOAD_FAILED = "loadFailed"
    STOPPED = "stopped"
    REPLACED = "replaced"
    CLEANUP = "cleanup"
    GAPLESS = "gapless"
    """NodeLink only: it went on to the next track it had preloaded (`nextTrack`)."""
    CROSSFADING = "crossfading"
    """NodeLink only: it crossfades into the next track it had preloaded."""


MAY_START_NEXT: typing.Final = frozenset({TrackEndReason.FINISHED, TrackEndReason.LOAD_FAILED})
"""End reasons after which a queue may advance to the next track."""

ANOTHER_PLAYS: typing.Final = frozenset(
    {TrackEndReason.REPLACED, TrackEndReason.GAPLESS, TrackEndReason.CROSSFADING}
)
"""End reasons after which another track plays already: the queue neither advances nor idles."""


class Severity(enum.StrEnum):
    """How bad a track exception is. `ExceptionInfo.severity` is a `str`."""

    COMMON = "common"
    SUSPICIOUS = "suspicious"
    FAULT = "fault"


class TrackInfo(Inbound, kw_only=True, frozen=True):
    """What a track is: title, author, length (ms; `2**63 - 1` for streams), source."""

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


class Track(Inbound, kw_only=True, frozen=True):
    """A playable track. `encoded` is opaque: pass it back to Lavalink unchanged.

    Its repr shows `[REDACTED]` for the `user_data` keys in
    `SECRET_USER_DATA_KEYS`
    (youtube-source's `oauth-token`); the value itself is kept and sent as is.
    """

    encoded: str
    info: TrackInfo
    plugin_info: JSONObject = msgspec.field(default_factory=dict[str, typing.Any])
    user_data: JSONObject = msgspec.field(default_factory=dict[str, typing.Any])

    @override
    def __repr__(self) -> str:
        if SECRET_USER_DATA_KEYS.isdisjoint(self.user_data):
            return super().__repr__()
        shown = msgspec.structs.replace(self, user_data=shown_user_data(self.user_data))
        return super(Track, shown).__repr__()

    @override
    def __rich_repr__(self) -> list[tuple[str, typing.Any]]:
        return [
            (name, shown_user_data(value) if name == "user_data" else value)
            for name, value in super().__rich_repr__()
        ]


SECRET_USER_DATA_KEYS: typing.Final = frozenset({"oauth-token"})
"""`userData` keys whose values are secrets (youtube-source's per-track OAuth access token):
[`Track`][hikari_lavalink.Track] and
[`UpdatePlayerTrack`][hikari_lavalink.UpdatePlayerTrack] reprs hide them."""


def shown_user_data(user_data: JSONObject) -> JSONObject:
    """`user_data` as reprs show it: each secret key's value is `[REDACTED]`."""
    if SECRET_USER_DATA_KEYS.isdisjoint(user_data):
        return user_data
    return {k: "[REDACTED]" if k in SECRET_USER_DATA_KEYS else v for k, v in user_data.items()}


class PlaylistInfo(Inbound, kw_only=True, frozen=True):
    """A playlist's name and selected track (`-1` when none is selected)."""

    name: str
    selected_track: int = -1


class Playlist(Inbound, kw_only=True, frozen=True):
    """The `data` of a `playlist` load result."""

    info: PlaylistInfo
    plugin_info: JSONObject = msgspec.field(default_factory=dict[str, typing.Any])
    tracks: list[Track] = msgspec.field(default_factory=list[typing.Any])


class ExceptionInfo(Inbound, kw_only=True, frozen=True):
    """Lavalink's description of a failure in a track event or a load result."""

    message: str | None = None
    severity: str = Severity.FAULT
    cause: str = ""
    cause_stack_trace: str | None = None


class PlayerState(Inbound, kw_only=True, frozen=True):
    """A player's state at server time `time` (epoch ms).

    `position` is the track position in ms, `connected` whether Lavalink's voice
    connection to Discord is open, `ping` its latency in ms (`-1` when not connected).
    """

    time: int
    position: int
    connected: bool
    ping: int = -1


class VoiceState(Inbound, kw_only=True, frozen=True):
    """The voice credentials a player holds (`""` and `None` when it has none)."""

    token: str
    endpoint: str
    session_id: str
    channel_id: int | None = None


class Player(Inbound, kw_only=True, frozen=True):
    """A player as the REST API returns it."""

    guild_id: int
    track: Track | None = None
    volume: int = 100
    paused: bool = False
    state: PlayerState
    voice: VoiceState
    filters: Filters = msgspec.field(default_factory=Filters)


class Memory(Inbound, kw_only=True, frozen=True):
    """JVM memory figures, in bytes."""

    free: int
    used: int
    allocated: int
    reservable: int


class Cpu(Inbound, kw_only=True, frozen=True):
    """CPU figures: logical cores and loads clamped to 0.0-1.0.

    NodeLink reports its own process's load as `nodelink_load` (and no `lavalink_load`,
    which is 0.0 then); its `system_load` is the one-minute load average, not clamped.
    """

    cores: int
    system_load: float
    lavalink_load: float = 0.0
    nodelink_load: float | None = None


class FrameStats(Inbound, kw_only=True, frozen=True):
    """Per-player frame averages over the last minute (3000 frames expected)."""

    sent: int
    nulled: int
    deficit: int


class Stats(Inbound, kw_only=True, frozen=True):
    """Node statistics (`frame_stats` is absent over REST and often `None` on the WS)."""

    players: int
    playing_players: int
    uptime: int
    memory: Memory
    cpu: Cpu
    frame_stats: FrameStats | None = None


class Version(Inbound, kw_only=True, frozen=True):
    """The server version; `pre_release` may be `""` or `None` for a stable release.

    NodeLink sends its pre-release and build parts as lists (`"build": []`); those read
    as `None` here, the semver string says it all.
    """

    semver: str
    major: int
    minor: int
    patch: int
    pre_release: str | None = None
    build: str | list[str] | None = None


class Git(Inbound, kw_only=True, frozen=True):
    """Git facts of the server build (empty strings and 0 when unknown)."""

    branch: str
    commit: str
    commit_time: int


class Plugin(Inbound, kw_only=True, frozen=True):
    """A plugin loaded on the server: its name (`lavasrc-plugin`...) and version.

    The version is the plugin's release (`"4.8.3"`), or a commit hash for a snapshot build:
    not always semver.
    """

    name: str
    version: str


class Info(Inbound, kw_only=True, frozen=True):
    """`GET /v4/info`: what the server is and what it can do.

    `is_nodelink` is `True` for a NodeLink server, which sends no `jvm` and `lavaplayer`
    (they are `""` then).
    """

    version: Version
    build_time: int
    git: Git
    jvm: str = ""
    lavaplayer: str = ""
    source_managers: list[str] = msgspec.field(default_factory=list[typing.Any])
    filters: list[str] = msgspec.field(default_factory=list[typing.Any])
    plugins: list[Plugin] = msgspec.field(default_factory=list[typing.Any])
    is_nodelink: bool = False


class Session(Inbound, kw_only=True, frozen=True):
    """A session's resuming setting; `timeout` in seconds."""

    resuming: bool
    timeout: int


class SessionUpdate(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    """Body of `PATCH /v4/sessions/{id}`; unset fields are left as they are."""

    resuming: bool | msgspec.UnsetType = msgspec.UNSET
    timeout: int | msgspec.UnsetType = msgspec.UNSET


class ErrorBody(Inbound, kw_only=True, frozen=True):
    """Lavalink's (Spring Boot's) error body. Parsed leniently: every key may be missing."""

    timestamp: int = 0
    status: int = 0
    error: str = ""
    message: str = ""
    path: str = ""
    trace: str | None = None
