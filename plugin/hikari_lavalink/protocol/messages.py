"""Inbound WebSocket messages, tagged on `op` and, for events, on `type`.

Lavalink plugins add event types (SponsorBlock, lyrics): those the library knows (see
[`hikari_lavalink.protocol.plugins`][hikari_lavalink.protocol.plugins]) decode to a
[`PluginEventMessage`][hikari_lavalink.protocol.messages.PluginEventMessage] of their own; others,
and unknown ops, become [`UnknownMessage`][hikari_lavalink.UnknownMessage], carrying the decoded
JSON, and never an error.
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.protocol.models import (
    MAY_START_NEXT,
    ExceptionInfo,
    Inbound,
    JSONObject,
    PlayerState,
    Stats,
    Track,
)

__all__ = [
    "EventMessage",
    "Message",
    "PluginEventMessage",
    "PlayerUpdateMessage",
    "ReadyMessage",
    "StatsMessage",
    "TrackEndMessage",
    "TrackExceptionMessage",
    "TrackStartMessage",
    "TrackStuckMessage",
    "UnknownMessage",
    "WebSocketClosedMessage",
]


class ReadyMessage(Inbound, tag_field="op", tag="ready", kw_only=True, frozen=True):
    """`ready`: the session is open (`resumed` when an earlier one was resumed)."""

    resumed: bool
    session_id: str


class PlayerUpdateMessage(Inbound, tag_field="op", tag="playerUpdate", kw_only=True, frozen=True):
    """`playerUpdate`: a player's position and voice connection state."""

    guild_id: int
    state: PlayerState


class StatsMessage(Stats, tag_field="op", tag="stats", kw_only=True, frozen=True):
    """`stats`: node statistics, sent once on connect and then every minute."""


class EventEnvelope(Inbound, tag_field="op", tag="event", kw_only=True, frozen=True):
    """Every field any known `event` type has, so one parse reads them all.

    [`decode_message`][hikari_lavalink.decode_message] turns it into the typed message
    of its `type`; it never reaches users.
    """

    type: str
    guild_id: int
    track: Track | None = None
    reason: str | None = None
    exception: ExceptionInfo | None = None
    threshold_ms: int | None = None
    code: int | None = None
    by_remote: bool = False
    playing_quality: int | None = None


class _Event(Inbound, tag_field="type", kw_only=True, frozen=True):
    guild_id: int


class TrackStartMessage(_Event, tag="TrackStartEvent", kw_only=True, frozen=True):
    """A track started playing.

    `playing_quality` is NodeLink's word on the format it plays (a YouTube itag, such as
    251 for Opus); `None` from Lavalink, which gives none.
    """

    track: Track
    playing_quality: int | None = None


class TrackEndMessage(_Event, tag="TrackEndEvent", kw_only=True, frozen=True):
    """A track ended; `reason` is one of [`TrackEndReason`][hikari_lavalink.TrackEndReason]."""

    track: Track
    reason: str

    @property
    def may_start_next(self) -> bool:
        """Whether a queue should advance (only after `finished` or `loadFailed`)."""
        return self.reason in MAY_START_NEXT


class TrackExceptionMessage(_Event, tag="TrackExceptionEvent", kw_only=True, frozen=True):
    """A track threw while loading or playing."""

    track: Track
    exception: ExceptionInfo


class TrackStuckMessage(_Event, tag="TrackStuckEvent", kw_only=True, frozen=True):
    """A track produced no audio for `threshold_ms`; Lavalink does not skip it.

    `reason` is NodeLink's word on why (`None` from Lavalink, which gives none).
    """

    track: Track
    threshold_ms: int
    reason: str | None = None


class WebSocketClosedMessage(_Event, tag="WebSocketClosedEvent", kw_only=True, frozen=True):
    """Lavalink's voice WebSocket to Discord closed (not the client's WebSocket)."""

    code: int
    reason: str = ""
    by_remote: bool = False


class PluginEventMessage(Inbound, tag_field="type", kw_only=True, frozen=True):
    """Base of a plugin's `event` message (LavaLyrics' `LyricsFoundEvent`, say).

    A subclass names its `type` as its msgspec `tag` and is registered with
    `protocol.codec.register_plugin_event`;
    every plugin event names its guild.
    """

    guild_id: int


class UnknownMessage(msgspec.Struct, kw_only=True, frozen=True):
    """A message with an `op` or event `type` this library does not know.

    Attributes
    ----------
    op
        The `op` value.
    type
        The event `type` when `op` is `"event"`, else `None`.
    guild_id
        The `guildId` when present and a valid snowflake, else `None`.
    payload
        The whole decoded JSON object.
    """

    op: str
    type: str | None = None
    guild_id: int | None = None
    payload: JSONObject


EventMessage: typing.TypeAlias = (
    TrackStartMessage
    | TrackEndMessage
    | TrackExceptionMessage
    | TrackStuckMessage
    | WebSocketClosedMessage
)
"""Every known `event` message."""

Message: typing.TypeAlias = (
    ReadyMessage
    | PlayerUpdateMessage
    | StatsMessage
    | EventMessage
    | PluginEventMessage
    | UnknownMessage
)
"""Everything [`decode_message`][hikari_lavalink.decode_message] can return."""

KNOWN_OPS: typing.Final = frozenset({"ready", "playerUpdate", "stats", "event"})
KNOWN_EVENT_TYPES: typing.Final = frozenset(
    {
        "TrackStartEvent",
        "TrackEndEvent",
        "TrackExceptionEvent",
        "TrackStuckEvent",
        "WebSocketClosedEvent",
    }
)
