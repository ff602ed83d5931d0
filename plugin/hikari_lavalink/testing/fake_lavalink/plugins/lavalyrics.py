"""The fake LavaLyrics (`lavalyrics-plugin`), as `LavaLyricsPlugin.kt` and its event handler
behave (`../shared/lavalink-plugins.md` §3).

Its lyrics come from a table the test fills
([`FakeLavalink.set_lyrics`][hikari_lavalink.testing.FakeLavalink.set_lyrics]), by a track's
encoded string or its identifier. Subscriptions are kept per session, then per guild:

- `onWebSocketOpen` gives the session a fresh, empty map, **also on a resume**;
- `POST .../lyrics/subscribe` records the guild first, then needs the session (404) and
  the player (404 `Player not found`); with a track playing it sends `LyricsFoundEvent`
  (lyrics with timed lines) or `LyricsNotFoundEvent` before its 204, and starts the lines.
  A session the plugin never saw open gets 204 and nothing happens;
- each track start of a subscribed player does the same for the new track;
- a line is sent (`LyricsLineEvent`) when playback reaches its timestamp, in order, once:
  late or passed by a seek, `skipped` is true; a seek back does not send lines again;
- destroying the player does **not** end its subscription (the plugin looks the guild up in
  the wrong map): the guild's next player on the session is still subscribed.

A plugin version of `1.0.0` has no live lyrics (the subscribe routes came later): 404.
"""

from __future__ import annotations

import typing

from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import codec
from hikari_lavalink.protocol.plugins import PluginName
from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.plugins.hooks import FakePlugin

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol import models
    from hikari_lavalink.protocol.plugins.lavalyrics import Lyrics
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = ["FakeLavaLyrics", "spring_bool"]

NO_LIVE_LYRICS: typing.Final = frozenset({"1.0.0"})
"""LavaLyrics versions without the subscribe routes."""
_TRUE: typing.Final = frozenset({"true", "on", "yes", "1"})
_FALSE: typing.Final = frozenset({"false", "off", "no", "0", ""})


def spring_bool(request: web.Request, name: str) -> bool:
    """A boolean request parameter as Spring converts it (absent: `False`; bad: 400)."""
    raw = request.query.get(name)
    if raw is None or raw.lower() in _FALSE:
        return False
    if raw.lower() in _TRUE:
        return True
    raise validation.HTTPError(
        400,
        f"Failed to convert value of type 'java.lang.String' to required type 'boolean'; "
        f"Invalid boolean value [{raw}]",
    )


def _guild(request: web.Request) -> int:
    # `guildId.toLong()` on a String path variable: not a number is an uncaught 500.
    raw = request.match_info["guild"]
    if not validation.is_long(raw):
        raise validation.HTTPError(500, f'For input string: "{raw}"')
    return int(raw)


class FakeLavaLyrics(FakePlugin):
    """LavaLyrics on the fake node."""

    name: typing.ClassVar[str] = PluginName.LAVALYRICS

    def __init__(self, *args: typing.Any) -> None:
        super().__init__(*args)
        self.lyrics: dict[str, Lyrics | None] = {}
        """Encoded track or identifier -> its lyrics (`None`: none)."""
        self.subscribed: dict[str, dict[int, bool]] = {}
        """Session id -> guild id -> `skipTrackSource`, as the plugin keeps them."""
        self.asked: list[tuple[str, bool]] = []
        """Every lookup, `(identifier, skip_track_source)`, in order."""

    def find(self, track: models.Track, *, skip_track_source: bool) -> Lyrics | None:
        """The table's lyrics of `track` (by its encoded string, then its identifier)."""
        self.asked.append((track.info.identifier, skip_track_source))
        if track.encoded in self.lyrics:
            return self.lyrics[track.encoded]
        return self.lyrics.get(track.info.identifier)

    # -- the node's moments --------------------------------------------------------------

    @override
    def session_opened(self, session: FakeSession, *, resumed: bool) -> None:
        self.subscribed[session.id] = {}  # a resume too: every subscription is gone

    @override
    def session_destroyed(self, session: FakeSession) -> None:
        self.subscribed.pop(session.id, None)

    @override
    def player_destroyed(self, session: FakeSession, player: FakePlayer) -> None:
        # `subscribedPlayers[player.guildId.toString()]`: the map is keyed by session id, so
        # nothing is removed (the reference's bug, kept).
        by_guild = self.subscribed.get(str(player.guild_id))
        if by_guild is not None:
            by_guild.pop(player.guild_id, None)

    @override
    def track_started(self, session: FakeSession, player: FakePlayer) -> None:
        skip = self.subscribed.get(session.id, {}).get(player.guild_id)
        if skip is not None:
            self._start(session, player, skip_track_source=skip)

    def _start(self, session: FakeSession, player: FakePlayer, *, skip_track_source: bool) -> None:
        track = player.track
        if track is None:
            return
        wire = self.parts.wire
        lyrics = self.find(track, skip_track_source=skip_track_source)
        if lyrics is None or not lyrics.lines:
            wire.event(session, player.guild_id, "LyricsNotFoundEvent")
            return
        wire.event(session, player.guild_id, "LyricsFoundEvent", lyrics=lyrics)
        lines = lyrics.lines
        index = 0

        def handle(state: str) -> None:
            nonlocal index
            if state not in ("REACHED", "LATE", "BYPASSED"):
                return
            wire.event(
                session,
                player.guild_id,
                "LyricsLineEvent",
                lineIndex=index,
                line=lines[index],
                skipped=state != "REACHED",
            )
            index += 1
            if index < len(lines):
                self.markers.add(session, player, lines[index].timestamp, handle)

        self.markers.add(session, player, lines[0].timestamp, handle)

    # -- the routes ----------------------------------------------------------------------

    @override
    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/v4/lyrics", self._load)
        app.router.add_get("/v4/sessions/{session}/players/{guild}/track/lyrics", self._current)
        if self.parts.node.plugins.get(self.name) not in NO_LIVE_LYRICS:
            path = "/v4/sessions/{session}/players/{guild}/lyrics/subscribe"
            app.router.add_post(path, self._subscribe)
            app.router.add_delete(path, self._unsubscribe)

    async def _load(self, request: web.Request) -> web.Response:
        encoded = request.query.get("track")
        if encoded is None:
            raise validation.HTTPError(
                400,
                "Required request parameter 'track' for method parameter type String is not "
                "present",
            )
        skip = spring_bool(request, "skipTrackSource")
        track = validation.resolve(
            encoded, self.parts.known, lavasrc=PluginName.LAVASRC in self.parts.node.plugins
        )  # 500 if it does not decode
        return _lyrics(self.find(track, skip_track_source=skip))

    async def _current(self, request: web.Request) -> web.Response:
        skip = spring_bool(request, "skipTrackSource")
        session = validation.session_of(request, self.parts.sessions)
        player = session.players.get(_guild(request))
        if player is None:
            raise validation.HTTPError(404, "Player not found")
        if player.track is None:
            raise validation.HTTPError(404, "No track playing")
        return _lyrics(self.find(player.track, skip_track_source=skip))

    async def _subscribe(self, request: web.Request) -> web.Response:
        skip = spring_bool(request, "skipTrackSource")
        guild = _guild(request)
        by_guild = self.subscribed.get(request.match_info["session"])
        if by_guild is None:
            return web.Response(status=204)  # `?.set(...) == null`: nothing, and no 404
        by_guild[guild] = skip
        session = validation.session_of(request, self.parts.sessions)
        player = session.players.get(guild)
        if player is None:
            raise validation.HTTPError(404, "Player not found")
        self._start(session, player, skip_track_source=skip)
        return web.Response(status=204)

    async def _unsubscribe(self, request: web.Request) -> web.Response:
        guild = _guild(request)
        by_guild = self.subscribed.get(request.match_info["session"])
        if by_guild is not None:
            by_guild.pop(guild, None)
        return web.Response(status=204)


def _lyrics(lyrics: Lyrics | None) -> web.Response:
    if lyrics is None:
        return web.Response(status=204)
    return web.Response(body=codec.encode(lyrics), content_type="application/json")
