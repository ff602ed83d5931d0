"""NodeLink's lyrics, spelled as the client's lyrics calls
([`LyricsRoutes`][hikari_lavalink.runtime.plugin_routes.LyricsRoutes]).

NodeLink has lyrics built in, at `GET /v4/loadlyrics?encodedTrack=` in a format of its own
(`{"loadType": "lyrics", "data": {synced, lang, source, lines: [{text, time, duration}]}}`,
or `loadType: "empty"`), read here into LavaLyrics'
[`Lyrics`][hikari_lavalink.Lyrics]: `source` is the source name, the text is the lines
joined, and untimed lyrics (`synced: false`) have `lines=None`. It has no route for the
lyrics of a player's track; its live-lyrics subscription (LavaLyrics' paths) is not spoken
by this client yet: both raise [`UsageError`][hikari_lavalink.UsageError] before any request.

>>> track_lyrics("QAAA").url
'/v4/loadlyrics?encodedTrack=QAAA'
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol import routes
from hikari_lavalink.protocol.models import Inbound
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


def _unspoken(what: str) -> UsageError:
    return UsageError(
        f"{what} is not supported on NodeLink yet; fetch the lyrics of the player's track "
        "with lava.fetch_lyrics(player.track), or use a Lavalink node that runs LavaLyrics"
    )


def current_lyrics(
    session_id: str, guild_id: int, *, skip_track_source: bool = False
) -> routes.Route[Lyrics | None]:
    """NodeLink has no route for the lyrics of a player's track.

    Raises
    ------
    UsageError
        Always (nothing is sent).
    """
    raise _unspoken("the lyrics of a player's track (a route NodeLink lacks)")


def subscribe(
    session_id: str, guild_id: int, *, skip_track_source: bool = False
) -> routes.Route[None]:
    """NodeLink's live lyrics are not spoken by this client yet.

    Raises
    ------
    UsageError
        Always (nothing is sent).
    """
    raise _unspoken("live lyrics")


def unsubscribe(session_id: str, guild_id: int) -> routes.Route[None]:
    """As [`subscribe`][hikari_lavalink.protocol.plugins.nodelink_lyrics.subscribe].

    Raises
    ------
    UsageError
        Always (nothing is sent).
    """
    raise _unspoken("live lyrics")
