"""Decoding and encoding, in one place, with prebuilt msgspec decoders.

Every decode function takes `bytes` or `str` and returns a typed model, or raises
[`RemoteProtocolError`][hikari_lavalink.RemoteProtocolError] when the data is not JSON or does not
fit the schema; no msgspec or json error escapes. Snowflakes arrive as strings and are decoded to
`int` (`strict=False`).
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.errors import RemoteProtocolError, UsageError
from hikari_lavalink.protocol import messages, models, requests
from hikari_lavalink.protocol.load_result import LoadResult
from hikari_lavalink.protocol.routeplanner import RoutePlannerStatus

__all__ = [
    "decode_error_body",
    "decode_info",
    "decode_load_result",
    "decode_message",
    "decode_player",
    "decode_players",
    "decode_route_planner_status",
    "decode_session",
    "decode_session_update",
    "decode_stats",
    "decode_track",
    "decode_tracks",
    "decode_update_player",
    "encode",
    "finish_event",
    "frame_decoder",
    "make_decoder",
    "plugin_event_types",
    "register_plugin_event",
]

T = typing.TypeVar("T")

_op_decoder: typing.Final = msgspec.json.Decoder(
    messages.ReadyMessage
    | messages.PlayerUpdateMessage
    | messages.StatsMessage
    | messages.EventEnvelope,
    strict=False,
)
# Typed loosely on purpose: the hot path checks ``__class__`` (isinstance on a Struct class
# and typing.cast both cost measurable time per message; see bench/decode.py).
_op_decode: typing.Final[typing.Callable[[bytes | str], typing.Any]] = _op_decoder.decode
_object_decoder: typing.Final = msgspec.json.Decoder(dict[str, typing.Any])
_Envelope: typing.Final = messages.EventEnvelope

_encoder: typing.Final = msgspec.json.Encoder()
_GUILD_ID_DIGITS: typing.Final = 20
"""A snowflake has at most 20 digits; a longer "id" is no id (and int() of 4,300+ digits
raises)."""


def decode_message(data: bytes | str) -> messages.Message:
    """Decode one WebSocket text frame.

    Returns a typed message; an unknown `op` or event `type` gives an
    [`UnknownMessage`][hikari_lavalink.UnknownMessage] with the decoded JSON.

    Raises
    ------
    RemoteProtocolError
        The frame is not a JSON object, or a known message does not fit its schema.
    """
    try:
        message = _op_decode(data)
    except msgspec.ValidationError as exc:
        return _unknown_or_raise(data, exc)
    except msgspec.DecodeError as exc:
        raise RemoteProtocolError(f"WebSocket frame is not valid JSON: {exc}", data) from None
    except UnicodeError as exc:  # invalid UTF-8 in bytes, or a lone surrogate in a str
        raise RemoteProtocolError(f"WebSocket frame is not valid UTF-8: {exc}", data) from None
    except RecursionError:  # msgspec's answer to JSON nested about a thousand deep
        raise RemoteProtocolError("WebSocket frame is nested too deep", data) from None
    if message.__class__ is _Envelope:
        return finish_event(message, data)
    return message


frame_decoder: typing.Final[typing.Callable[[bytes | str], typing.Any]] = _op_decode
"""The hot path's first step: the prebuilt decoder
[`decode_message`][hikari_lavalink.decode_message] starts with.

It returns a ready, playerUpdate or stats message, or an
[`EventEnvelope`][hikari_lavalink.protocol.messages.EventEnvelope] to pass to
[`finish_event`][hikari_lavalink.protocol.codec.finish_event]; it raises msgspec's own errors. A
caller that skips [`decode_message`][hikari_lavalink.decode_message] this way must hand any frame it
raises on to [`decode_message`][hikari_lavalink.decode_message], which says what is wrong with it.
Used by the node's reader to save a call per message.
"""


def finish_event(event: messages.EventEnvelope, data: bytes | str) -> messages.Message:
    """The typed message of an event envelope (`data`: the frame, for errors).

    Raises
    ------
    RemoteProtocolError
        A known event type lacks a required field.
    """
    kind = event.type
    track = event.track
    if kind == "TrackStartEvent" and track is not None:
        return messages.TrackStartMessage(
            guild_id=event.guild_id, track=track, playing_quality=event.playing_quality
        )
    if kind == "TrackEndEvent" and track is not None and event.reason is not None:
        return messages.TrackEndMessage(guild_id=event.guild_id, track=track, reason=event.reason)
    if kind == "TrackExceptionEvent" and track is not None and event.exception is not None:
        return messages.TrackExceptionMessage(
            guild_id=event.guild_id, track=track, exception=event.exception
        )
    if kind == "TrackStuckEvent" and track is not None and event.threshold_ms is not None:
        return messages.TrackStuckMessage(
            guild_id=event.guild_id,
            track=track,
            threshold_ms=event.threshold_ms,
            reason=event.reason,
        )
    if kind == "WebSocketClosedEvent" and event.code is not None:
        return messages.WebSocketClosedMessage(
            guild_id=event.guild_id,
            code=event.code,
            reason=event.reason or "",
            by_remote=event.by_remote,
        )
    if kind in messages.KNOWN_EVENT_TYPES:
        raise RemoteProtocolError(f"{kind} lacks a required field", data)
    plugin = _plugin_decoders.get(kind)
    if plugin is not None:
        try:
            return plugin(data)
        except msgspec.ValidationError as exc:
            raise RemoteProtocolError(f"invalid {kind}: {exc}", data) from None
    return _unknown(_object_decoder.decode(data))


_plugin_decoders: typing.Final[dict[str, typing.Callable[[bytes | str], messages.Message]]] = {}


def register_plugin_event(message_type: type[messages.PluginEventMessage]) -> None:
    """The codec's one extension point: decode `event` frames of a plugin's type.

    `message_type` is a [`PluginEventMessage`][hikari_lavalink.protocol.messages.PluginEventMessage]
    subclass whose msgspec `tag` is the event's `type` (`"LyricsFoundEvent"`); frames of
    that type decode to it from now on, instead of an
    [`UnknownMessage`][hikari_lavalink.UnknownMessage]. The core messages are not slowed:
    a plugin's type is looked up only once the core types are ruled out.

    Raises
    ------
    UsageError
        The type is a core event type, or already registered to another class.
    """
    tag = message_type.__struct_config__.tag
    if not isinstance(tag, str):
        raise UsageError(f"{message_type.__name__} names no event type (its msgspec tag)")
    if tag in messages.KNOWN_EVENT_TYPES:
        raise UsageError(f"{tag} is a core Lavalink event; it cannot be a plugin's")
    known = _plugin_types.get(tag)
    if known is not None and known is not message_type:
        raise UsageError(f"{tag} is already decoded as {known.__name__}")
    _plugin_types[tag] = message_type
    _plugin_decoders[tag] = msgspec.json.Decoder(message_type, strict=False).decode


_plugin_types: typing.Final[dict[str, type[messages.PluginEventMessage]]] = {}


def plugin_event_types() -> dict[str, type[messages.PluginEventMessage]]:
    """The registered plugin event types: `type` to message class (a copy)."""
    return dict(_plugin_types)


def _unknown_or_raise(data: bytes | str, error: msgspec.ValidationError) -> messages.Message:
    try:
        payload = _object_decoder.decode(data)
    except msgspec.ValidationError:
        raise RemoteProtocolError("WebSocket frame is not a JSON object", data) from None
    except msgspec.DecodeError as exc:
        # The first decoder can fail validation before it reaches malformed JSON further on.
        raise RemoteProtocolError(f"WebSocket frame is not valid JSON: {exc}", data) from None
    except UnicodeError as exc:
        raise RemoteProtocolError(f"WebSocket frame is not valid UTF-8: {exc}", data) from None
    except RecursionError:
        raise RemoteProtocolError("WebSocket frame is nested too deep", data) from None
    op = payload.get("op")
    if not isinstance(op, str):
        raise RemoteProtocolError("WebSocket frame has no string 'op'", data) from None
    kind = payload.get("type")
    if op in messages.KNOWN_OPS and (
        op != "event" or not isinstance(kind, str) or kind in messages.KNOWN_EVENT_TYPES
    ):
        raise RemoteProtocolError(f"invalid {op!r} message: {error}", data) from None
    return _unknown(payload)


def _unknown(payload: dict[str, typing.Any]) -> messages.UnknownMessage:
    kind = payload.get("type")
    guild_id = payload.get("guildId")
    return messages.UnknownMessage(
        op=str(payload.get("op")),
        type=kind if isinstance(kind, str) else None,
        guild_id=int(guild_id)
        if isinstance(guild_id, str)
        and guild_id.isascii()
        and guild_id.isdigit()
        and len(guild_id) <= _GUILD_ID_DIGITS
        else None,
        payload=payload,
    )


def _make(kind: type[T] | typing.Any, what: str) -> typing.Callable[[bytes | str], T]:
    decoder: msgspec.json.Decoder[T] = msgspec.json.Decoder(kind, strict=False)
    decode = decoder.decode

    def decode_checked(data: bytes | str) -> T:
        try:
            return decode(data)
        except (msgspec.DecodeError, UnicodeError) as exc:
            raise RemoteProtocolError(f"invalid {what}: {exc}", data) from None
        except RecursionError:  # JSON nested about a thousand deep
            raise RemoteProtocolError(f"invalid {what}: nested too deep", data) from None

    decode_checked.__name__ = f"decode_{what.replace(' ', '_')}"
    decode_checked.__doc__ = f"Decode {what}; raises RemoteProtocolError on bad data."
    return decode_checked


def make_decoder(kind: type[T], what: str) -> typing.Callable[[bytes | str], T]:
    """A prebuilt decoder of `kind` (a plugin's model) that raises
    [`RemoteProtocolError`][hikari_lavalink.RemoteProtocolError] naming `what` on bad data."""
    return _make(kind, what)


decode_load_result: typing.Final[typing.Callable[[bytes | str], LoadResult]] = _make(
    LoadResult, "load result"
)
decode_track: typing.Final = _make(models.Track, "track")
decode_tracks: typing.Final = _make(list[models.Track], "track list")
decode_player: typing.Final = _make(models.Player, "player")
decode_players: typing.Final = _make(list[models.Player], "player list")
decode_info: typing.Final = _make(models.Info, "info")
decode_stats: typing.Final = _make(models.Stats, "stats")
decode_session: typing.Final = _make(models.Session, "session")
decode_session_update: typing.Final = _make(models.SessionUpdate, "session update")
decode_update_player: typing.Final = _make(requests.UpdatePlayer, "player update")
decode_route_planner_status: typing.Final[typing.Callable[[bytes | str], RoutePlannerStatus]] = (
    _make(RoutePlannerStatus, "route planner status")
)
_decode_error_body: typing.Final = _make(models.ErrorBody, "error body")


def decode_error_body(data: bytes | str) -> models.ErrorBody | None:
    """Decode a Lavalink error body leniently: `None` when there is none or it is not JSON."""
    if not data:
        return None
    try:
        return _decode_error_body(data)
    except RemoteProtocolError:
        return None


def encode(value: object) -> bytes:
    """Encode a request body (`UNSET` fields are omitted, `None` becomes `null`)."""
    return _encoder.encode(value)
