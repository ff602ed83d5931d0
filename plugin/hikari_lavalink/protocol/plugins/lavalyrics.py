"""LavaLyrics (`topi314/LavaLyrics`, plugin `lavalyrics-plugin`): lyrics, and live lyrics.

Its models, its WebSocket events (registered with the codec on import) and its routes as
data, like [`routes`][hikari_lavalink.protocol.routes]: a route in, a model or an error out.

- `GET /v4/lyrics?track=&skipTrackSource=`: the lyrics of any encoded track (204: none;
  500: the server cannot decode the track);
- `GET /v4/sessions/{s}/players/{g}/track/lyrics`: those of the player's track (404
  `No track playing`, `Player not found`);
- `POST` / `DELETE /v4/sessions/{s}/players/{g}/lyrics/subscribe`: live lyrics (204). A
  LavaLyrics older than its live-lyrics API (1.0.0 has none) answers 404 or 405. The
  subscription is kept per session: a WebSocket resume wipes it (the client subscribes
  again for you).

Lyrics whose `lines` are `None` (or empty) are untimed: `text` only. Live lyrics send
[`LyricsNotFoundMessage`][hikari_lavalink.protocol.plugins.lavalyrics.LyricsNotFoundMessage]
for them.

Examples
--------
>>> track_lyrics("QAAA...", skip_track_source=True).url
'/v4/lyrics?track=QAAA...&skipTrackSource=true'
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.protocol import codec, routes
from hikari_lavalink.protocol.messages import PluginEventMessage
from hikari_lavalink.protocol.models import Inbound
from hikari_lavalink.protocol.plugins.base import no_body, optional_body_decoder

__all__ = [
    "Lyrics",
    "LyricsFoundMessage",
    "LyricsLine",
    "LyricsLineMessage",
    "LyricsNotFoundMessage",
    "current_lyrics",
    "subscribe",
    "track_lyrics",
    "unsubscribe",
]


class LyricsLine(Inbound, kw_only=True, frozen=True):
    """One timed line of lyrics (NodeLink's extra `words` are ignored)."""

    timestamp: int
    """Where the line starts, in ms."""
    duration: int | None = None
    """How long it lasts, in ms; `None` when the source does not say (Spotify, LRCLIB)."""
    line: str = ""
    """Its text; `""` for an instrumental gap."""
    plugin: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])
    """What the server's lyrics modifiers added (`{}` by default)."""


class Lyrics(Inbound, kw_only=True, frozen=True):
    """A track's lyrics, as LavaLyrics found them."""

    source_name: str
    """The lyrics source that answered (`spotify`, `deezer`, `youtube`, `LRCLIB`...)."""
    provider: str | None = None
    """Who provides them (`MusixMatch`, `LyricFind`...), when known."""
    text: str | None = None
    """The whole text; `None` from sources that send lines only (Spotify)."""
    lines: list[LyricsLine] | None = None
    """The timed lines, or `None` for untimed lyrics."""
    plugin: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])
    """What the server's lyrics modifiers added (`{}` by default)."""

    @property
    def timed(self) -> bool:
        """Whether it has timed lines (live lyrics can follow them)."""
        return bool(self.lines)

    @property
    def plain(self) -> str:
        """The text, or the lines joined when there is no text (`""` for neither)."""
        if self.text is not None:
            return self.text
        return "\n".join(line.line for line in self.lines or ())


class LyricsFoundMessage(PluginEventMessage, tag="LyricsFoundEvent", kw_only=True, frozen=True):
    """Live lyrics: the player's track (started, or playing when it subscribed) has timed
    lyrics; a `LyricsLineEvent` follows as playback reaches each line."""

    lyrics: Lyrics


class LyricsNotFoundMessage(
    PluginEventMessage, tag="LyricsNotFoundEvent", kw_only=True, frozen=True
):
    """Live lyrics: the player's track has no lyrics, or no timed ones."""


class LyricsLineMessage(PluginEventMessage, tag="LyricsLineEvent", kw_only=True, frozen=True):
    """Live lyrics: playback reached a line (in order, once per play of the track).

    `skipped` is `True` when the line was passed by a seek (or came late), not played.
    """

    line_index: int
    """Its index in the lyrics' `lines` (0-based)."""
    line: LyricsLine
    skipped: bool = False


for _message in (LyricsFoundMessage, LyricsNotFoundMessage, LyricsLineMessage):
    codec.register_plugin_event(_message)

_parse_lyrics: typing.Final = optional_body_decoder(Lyrics, "lyrics")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def track_lyrics(encoded: str, *, skip_track_source: bool = False) -> routes.Route[Lyrics | None]:
    """`GET /v4/lyrics?track=...&skipTrackSource=...`: the lyrics of an encoded track
    (`None`: none found, 204).

    `skip_track_source`: do not ask the track's own source first (a Deezer track's
    Deezer lyrics); the other lyrics sources are asked in order either way.
    """
    query = (("track", encoded), ("skipTrackSource", _flag(skip_track_source)))
    return routes.Route("GET", "/v4/lyrics", _parse_lyrics, query=query)


def current_lyrics(
    session_id: str, guild_id: int, *, skip_track_source: bool = False
) -> routes.Route[Lyrics | None]:
    """`GET /v4/sessions/{session_id}/players/{guild_id}/track/lyrics`: the lyrics of the
    player's track (`None`: none found, 204; 404 `No track playing`, `Player not found`)."""
    path = routes.player_path(session_id, guild_id) + "/track/lyrics"
    return routes.Route(
        "GET", path, _parse_lyrics, query=(("skipTrackSource", _flag(skip_track_source)),)
    )


def subscribe(
    session_id: str, guild_id: int, *, skip_track_source: bool = False
) -> routes.Route[None]:
    """`POST .../players/{guild_id}/lyrics/subscribe`: live lyrics for the player, from its
    current track on (204; 404 `Player not found`; a LavaLyrics without live lyrics: 404
    or 405)."""
    path = routes.player_path(session_id, guild_id) + "/lyrics/subscribe"
    return routes.Route(
        "POST", path, no_body, query=(("skipTrackSource", _flag(skip_track_source)),)
    )


def unsubscribe(session_id: str, guild_id: int) -> routes.Route[None]:
    """`DELETE .../players/{guild_id}/lyrics/subscribe`: no more live lyrics (204, always)."""
    path = routes.player_path(session_id, guild_id) + "/lyrics/subscribe"
    return routes.Route("DELETE", path, no_body)
