"""What the fake node's REST API refuses, with Lavalink 4.2's statuses and messages.

A refusal is an `HTTPError` that the REST middleware answers with Spring's error body.
The checks of a player PATCH run in the server's own order (`PlayerRestHandler`), so that a
request with two faults gets the message Lavalink gives first: the body must parse, `track`
and `encodedTrack`/`identifier` exclude each other, so do `encoded` and `identifier`,
`voice` needs `channelId` and every field filled in, and `endTime` must be positive.
Loading a track to play comes last (after the other fields have been applied, as on the real
server): no match, a load error, or a playlist or search result are 400s, and a blob that does
not decode is a 500. `filters` are read into the server's model as the body is parsed
(`.filter_chain`: a null filter dropped, a band's missing `gain` 1.0, `Float` fields
32-bit). Path ids must parse as Java longs (400), and sessions must exist and not be paused
(404).
"""

from __future__ import annotations

import http
import typing

import msgspec

from hikari_lavalink.errors import RemoteProtocolError
from hikari_lavalink.protocol import filters, load_result, models, requests
from hikari_lavalink.protocol.trackblob import decode_track_source_bytes, read_fields
from hikari_lavalink.testing.fake_lavalink import filter_chain

if typing.TYPE_CHECKING:
    import collections.abc

    from aiohttp import web

    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = [
    "MAY_NOT_PARSE",
    "HTTPError",
    "PlayerChange",
    "guild_of",
    "is_long",
    "player_change",
    "reason",
    "resolve",
    "session_of",
    "track_to_play",
    "tracks_to_decode",
]

MAY_NOT_PARSE: typing.Final = "Request body could not be parsed"
_strict_update: typing.Final = msgspec.json.Decoder(requests.UpdatePlayer, strict=True)


class HTTPError(Exception):
    """A refused request: the status and the `message` of Lavalink's error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def reason(status: int) -> str:
    """The HTTP reason phrase of `status` (`"Error"` for an unknown one)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def is_long(raw: str) -> bool:
    """Whether Java's `Long.parseLong` would take `raw` (non-negative ids only)."""
    return raw.isascii() and raw.isdigit() and int(raw) < 2**63


def guild_of(request: web.Request) -> int:
    """The `{guild}` of the path, which must parse as a Java long."""
    raw = request.match_info["guild"]
    if not is_long(raw):
        raise HTTPError(
            400,
            f"Failed to convert value of type 'java.lang.String' to required type 'long'; "
            f'For input string: "{raw}"',
        )
    return int(raw)


def session_of(
    request: web.Request, sessions: collections.abc.Mapping[str, FakeSession]
) -> FakeSession:
    """The `{session}` of the path, which must be live (a paused one is not found)."""
    session = sessions.get(request.match_info["session"])
    if session is None or session.paused:
        raise HTTPError(404, "Session not found")
    return session


class PlayerChange:
    """A player PATCH that passed validation, with its track fields brought together."""

    __slots__ = ("encoded", "filters", "identifier", "update", "user_data")

    def __init__(
        self,
        update: requests.UpdatePlayer,
        encoded: str | msgspec.UnsetType | None,
        identifier: str | msgspec.UnsetType,
        user_data: dict[str, typing.Any] | msgspec.UnsetType,
        parsed: filters.Filters | msgspec.UnsetType = msgspec.UNSET,
    ) -> None:
        self.update: requests.UpdatePlayer = update
        self.encoded: str | msgspec.UnsetType | None = encoded
        self.identifier: str | msgspec.UnsetType = identifier
        self.user_data: dict[str, typing.Any] | msgspec.UnsetType = user_data
        self.filters: filters.Filters | msgspec.UnsetType = parsed
        """`update.filters` as the server's model holds them (see `.filter_chain`)."""

    @property
    def new_track(self) -> bool:
        """Whether it names a track to play (or `encoded: null`, to stop)."""
        return not isinstance(self.encoded, msgspec.UnsetType) or not isinstance(
            self.identifier, msgspec.UnsetType
        )


def player_change(body: bytes) -> PlayerChange:
    """Parse and check a player PATCH body in the server's order."""
    try:
        # Strictly, as kotlinx.serialization parses it: `paused: 1` or `"volume": "50"` is a
        # 400, not a value the server would take.
        update = _strict_update.decode(body)
        sent = update.filters
        parsed = sent if isinstance(sent, msgspec.UnsetType) else filter_chain.parse(body, sent)
    except (msgspec.DecodeError, UnicodeError, RecursionError, ValueError) as exc:
        raise HTTPError(400, f"{MAY_NOT_PARSE}: {_kotlinx(exc)}") from None
    track_update = update.track
    deprecated = not isinstance(update.encoded_track, msgspec.UnsetType) or not isinstance(
        update.identifier, msgspec.UnsetType
    )
    if not isinstance(track_update, msgspec.UnsetType) and deprecated:
        raise HTTPError(400, "Cannot specify both track and encodedTrack/identifier")
    user_data: dict[str, typing.Any] | msgspec.UnsetType = msgspec.UNSET
    if not isinstance(track_update, msgspec.UnsetType):
        encoded, identifier, user_data = (
            track_update.encoded,
            track_update.identifier,
            track_update.user_data,
        )
    else:
        encoded, identifier = update.encoded_track, update.identifier
    if not isinstance(encoded, msgspec.UnsetType) and not isinstance(identifier, msgspec.UnsetType):
        raise HTTPError(400, "Cannot specify both encodedTrack and identifier")
    voice = update.voice
    if not isinstance(voice, msgspec.UnsetType):
        if isinstance(voice.channel_id, msgspec.UnsetType):
            raise HTTPError(
                400,
                f"{MAY_NOT_PARSE}: Field 'channelId' is required for type with serial name "
                "'dev.arbjerg.lavalink.protocol.v4.VoiceState', but it was missing",
            )
        parts = (voice.token, voice.endpoint, voice.session_id, voice.channel_id)
        if not all(isinstance(part, str) and part.strip() for part in parts):  # isBlank()
            raise HTTPError(
                400, "token, endpoint, sessionId and channelId must be provided in voice state"
            )
    end_time = update.end_time
    if isinstance(end_time, int) and end_time <= 0:
        raise HTTPError(400, "End time must be greater than 0")
    return PlayerChange(update, encoded, identifier, user_data, parsed)


def _kotlinx(exc: Exception) -> str:
    # kotlinx.serialization's words for a missing required field (a band with no `band`).
    if str(exc).startswith("Object missing required field `band` - at `$.filters.equalizer"):
        return (
            "Field 'band' is required for type with serial name "
            "'dev.arbjerg.lavalink.protocol.v4.Band', but it was missing"
        )
    return str(exc)


def resolve(
    encoded: str, known: collections.abc.Mapping[str, models.Track], *, lavasrc: bool = False
) -> models.Track:
    """The track of a blob: a catalogue track (without user data) or the decoded blob (500).

    With `lavasrc` (the node runs LavaSrc), a decoded blob of a LavaSrc track gets its
    `pluginInfo` back from the blob's extension fields, as LavaSrc's `decodeTrack` and
    `LavaSrcAudioPluginInfoModifier` give it; `isLocal`, which the blob does not hold, is read
    from the identifier (`"local"`), on Spotify tracks only.
    """
    track = known.get(encoded)
    if track is not None:
        return msgspec.structs.replace(track, user_data={})
    try:
        info, source_bytes = decode_track_source_bytes(encoded)
    except RemoteProtocolError:
        raise HTTPError(
            500, "Failed to decode track due to a mismatching version or missing source manager"
        ) from None
    fields = read_fields(source_bytes, _LAVASRC_FIELDS) if lavasrc and source_bytes else None
    if fields is None:
        return models.Track(encoded=encoded, info=info)
    plugin_info: dict[str, typing.Any] = dict(zip(_LAVASRC_KEYS, fields, strict=True))
    if info.source_name == "spotify":
        plugin_info["isLocal"] = info.identifier == "local"
    return models.Track(encoded=encoded, info=info, plugin_info=plugin_info)


_LAVASRC_FIELDS: typing.Final = (str, str, str, str, str, bool)
_LAVASRC_KEYS: typing.Final = (
    "albumName",
    "albumUrl",
    "artistUrl",
    "artistArtworkUrl",
    "previewUrl",
    "isPreview",
)


def track_to_play(
    change: PlayerChange,
    catalogue: collections.abc.Mapping[str, load_result.LoadResult],
    known: collections.abc.Mapping[str, models.Track],
    *,
    lavasrc: bool = False,
) -> models.Track:
    """The track a PATCH plays: its blob (see `resolve`), or what its identifier loads as a
    single track."""
    if isinstance(change.encoded, str):
        return resolve(change.encoded, known, lavasrc=lavasrc)
    assert isinstance(change.identifier, str)
    result = catalogue.get(change.identifier)
    if result is None or isinstance(result, load_result.EmptyResult):
        raise HTTPError(400, "No matches found for identifier")
    if isinstance(result, load_result.ErrorResult):
        raise HTTPError(
            400, result.data.message or "Something went wrong while looking up the track."
        )
    if isinstance(result, load_result.TrackResult):
        return result.data
    raise HTTPError(400, "Cannot play a playlist or search result")


def tracks_to_decode(body: bytes) -> list[str]:
    """The blobs of a `POST /v4/decodetracks` body: a non-empty JSON list of strings."""
    try:
        items = msgspec.json.decode(body, type=list[str])
    except msgspec.DecodeError:
        raise HTTPError(400, MAY_NOT_PARSE) from None
    if not items:
        raise HTTPError(400, "No tracks to decode provided")
    return items
