"""NodeLink's lyrics, spelled as the client's lyrics calls
([`LyricsRoutes`][hikari_lavalink.runtime.plugin_routes.LyricsRoutes]).

NodeLink has lyrics built in, at `GET /v4/loadlyrics?encodedTrack=` in a format of its own
(`{"loadType": "lyrics", "data": {synced, lang, source, lines: [{text, time, duration}]}}`,
or `loadType: "empty"`), read here into LavaLyrics'
[`Lyrics`][hikari_lavalink.Lyrics]: `source` is the source name, the text is the lines
joined, and untimed lyrics (`synced: false`) have `lines=None`. It has no route for the
lyrics of a player's track (the client asks for its track's). Its live lyrics take
LavaLyrics' subscribe paths and send LavaLyrics' events (`LyricsFoundEvent`,
`LyricsNotFoundEvent`, `LyricsLineEvent`; its lines carry `words`, not kept), timed by
NodeLink: a seek back sends the line it lands on again.

>>> track_lyrics("QAAA").url
'/v4/loadlyrics?encodedTrack=QAAA'
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol import routes
from hikari_lavalink.protocol.models import Inbound
from hikari_lavalink.protocol.plugins import lavalyrics
from hikari_lavalink.protocol.plugins.base import body_decoder
from hikari_lavalink.protocol.plugins.lavalyrics import Lyrics, LyricsLine

__all__ = ["current_lyrics", "subscribe", "track_lyrics", "unsubscribe"]


class _Line(Inbound, kw_only=True, frozen=True):
    text: str = ""
    time: int | None = None
    duration: int | None = None


class _Data(Inbound, kw_only=True, frozen=True):
    synced: bool = False
    source: str = ""
    lines: list[_Line] = msgspec.field(default_factory=list[_Line])


class _Loaded(Inbound, kw_only=True, frozen=True):
    load_type: str
    data: _Data = msgspec.field(default_factory=_Data)


_decode: typing.Final = body_decoder(_Loaded, "NodeLink lyrics")


def _parse(body: bytes) -> Lyrics | None:
    loaded = _decode(body)
    if loaded.load_type != "lyrics":
        return None  # "empty": none found
    data = loaded.data
    timed = data.synced and all(line.time is not None for line in data.lines)
    return Lyrics(
        source_name=data.source,
        text="\n".join(line.text for line in data.lines),
        lines=[
            LyricsLine(timestamp=line.time or 0, duration=line.duration, line=line.text)
            for line in data.lines
        ]
        if timed
        else None,
    )


def track_lyrics(encoded: str, *, skip_track_source: bool = False) -> routes.Route[Lyrics | None]:
    """`GET /v4/loadlyrics?encodedTrack=...`: the lyrics of an encoded track (`None`: none
    found). NodeLink has no `skipTrackSource`; it is ignored."""
    del skip_track_source
    return routes.Route("GET", "/v4/loadlyrics", _parse, query=(("encodedTrack", encoded),))


def current_lyrics(
    session_id: str, guild_id: int, *, skip_track_source: bool = False
) -> routes.Route[Lyrics | None]:
    """NodeLink has no route for the lyrics of a player's track (the client asks
    [`track_lyrics`][hikari_lavalink.protocol.plugins.nodelink_lyrics.track_lyrics] of the
    track it knows the player plays).

    Raises
    ------
    UsageError
        Always (nothing is sent).
    """
    raise UsageError(
        "NodeLink has no route for the lyrics of a player's track; ask for the lyrics of "
        "the track itself (track_lyrics, or lava.fetch_lyrics(player.track))"
    )


def subscribe(
    session_id: str, guild_id: int, *, skip_track_source: bool = False
) -> routes.Route[None]:
    """`POST .../players/{guild_id}/lyrics/subscribe`, LavaLyrics' path: live lyrics for the
    player (204; without a player 500 `Player not found locally.`). NodeLink keeps it on
    the player, through resumes, until the player goes; a second subscription changes
    nothing (not even `skipTrackSource`: unsubscribe first)."""
    return lavalyrics.subscribe(session_id, guild_id, skip_track_source=skip_track_source)


def unsubscribe(session_id: str, guild_id: int) -> routes.Route[None]:
    """`DELETE .../players/{guild_id}/lyrics/subscribe` (204)."""
    return lavalyrics.unsubscribe(session_id, guild_id)
