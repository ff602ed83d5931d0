"""The fake SponsorBlock plugin (`sponsorblock-plugin`), as `SponsorBlockPlugin.java` and
`SegmentHandler.java` behave (`../shared/lavalink-plugins.md` §4).

A video's segments and chapters come from a table the test fills
([`FakeLavalink.set_segments`][hikari_lavalink.testing.FakeLavalink.set_segments]), by the
track's identifier (the video id). Categories are kept per session, then per guild, apart
from the players:

- `onWebSocketOpen` gives the session a fresh, empty map, **also on a resume**; destroying
  a player (or the session) removes its guild's categories;
- `GET .../sponsorblock/categories`: the guild's, 404 `Guild not found` when none were
  `PUT`, 404 `Session not found` for a session the plugin never saw open; `PUT` takes a
  JSON array (200, no body); `DELETE` always answers 200;
- at a track start, only for a `youtube` track of a guild with categories: the video's
  segments of those categories (`SegmentsLoaded`, if any), its chapters (`ChaptersLoaded`,
  if any), then one chain of markers over both, by start: at a segment, a seek to its end and
  `SegmentSkipped`; at a chapter, `ChapterStarted`. A seek past either fires it too (so a
  passed segment seeks *back* to its end). The chain uses `setMarker`, which removes every
  other marker of the track (LavaLyrics' lines among them), as on the real server.
"""

from __future__ import annotations

import typing

import msgspec
from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.protocol.plugins import PluginName
from hikari_lavalink.protocol.plugins.sponsorblock import Chapter, Segment
from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.plugins.hooks import FakePlugin

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = ["FakeSponsorBlock"]

_PATH: typing.Final = "/v4/sessions/{session}/players/{guild}/sponsorblock/categories"
_categories_decoder: typing.Final = msgspec.json.Decoder(list[str])


class FakeSponsorBlock(FakePlugin):
    """The SponsorBlock plugin on the fake node."""

    name: typing.ClassVar[str] = PluginName.SPONSORBLOCK

    def __init__(self, *args: typing.Any) -> None:
        super().__init__(*args)
        self.segments: dict[str, list[Segment]] = {}
        """Video id -> its segments (of every category: a guild gets those of its own)."""
        self.chapters: dict[str, list[Chapter]] = {}
        """Video id -> its chapters."""
        self.categories: dict[str, dict[int, list[str]]] = {}
        """Session id -> guild id -> its categories, as the plugin keeps them."""

    # -- the node's moments --------------------------------------------------------------

    @override
    def session_opened(self, session: FakeSession, *, resumed: bool) -> None:
        self.categories[session.id] = {}  # a resume too: every guild's are gone

    @override
    def session_destroyed(self, session: FakeSession) -> None:
        self.categories.pop(session.id, None)

    @override
    def player_destroyed(self, session: FakeSession, player: FakePlayer) -> None:
        by_guild = self.categories.get(session.id)
        if by_guild is not None:
            by_guild.pop(player.guild_id, None)

    @override
    def track_started(self, session: FakeSession, player: FakePlayer) -> None:
        track = player.track
        if track is None or track.info.source_name != "youtube":
            return
        categories = self.categories.get(session.id, {}).get(player.guild_id)
        if categories is None:
            return
        video = track.info.identifier
        segments = [s for s in self.segments.get(video, []) if s.category in categories]
        chapters = list(self.chapters.get(video, []))
        wire, guild = self.parts.wire, player.guild_id
        if segments:
            wire.event(session, guild, "SegmentsLoaded", segments=_builtins(segments))
        if chapters:
            wire.event(session, guild, "ChaptersLoaded", chapters=_builtins(chapters))
        markables: list[Segment | Chapter] = [*segments, *chapters]
        markables.sort(key=lambda m: m.start)
        if markables:
            self._chain(session, player, markables)

    def _chain(
        self, session: FakeSession, player: FakePlayer, markables: list[Segment | Chapter]
    ) -> None:
        wire, playback, guild = self.parts.wire, self.parts.playback, player.guild_id
        index = 0

        def handle(state: str) -> None:
            nonlocal index
            if state not in ("REACHED", "LATE", "BYPASSED"):
                return
            markable = markables[index]
            if isinstance(markable, Chapter):
                wire.event(session, guild, "ChapterStarted", chapter=markable)
            else:
                player.set_position(markable.end)  # track.setPosition(segment.getEnd())
                playback.schedule(session, player)
                wire.event(session, guild, "SegmentSkipped", segment=markable)
            index += 1
            if index < len(markables):
                self.markers.set(session, player, markables[index].start, handle)

        self.markers.set(session, player, markables[0].start, handle)

    # -- the routes ----------------------------------------------------------------------

    @override
    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(_PATH, self._get)
        app.router.add_put(_PATH, self._put)
        app.router.add_delete(_PATH, self._delete)

    async def _get(self, request: web.Request) -> web.Response:
        guild = validation.guild_of(request)  # `@PathVariable long guildId`: else 400
        by_guild = self.categories.get(request.match_info["session"])
        if by_guild is None:
            raise validation.HTTPError(404, "Session not found")
        categories = by_guild.get(guild)
        if categories is None:
            raise validation.HTTPError(404, "Guild not found")
        return web.json_response(categories)

    async def _put(self, request: web.Request) -> web.Response:
        guild = validation.guild_of(request)
        by_guild = self.categories.get(request.match_info["session"])
        if by_guild is None:
            raise validation.HTTPError(404, "Session not found")
        try:
            categories = _categories_decoder.decode(await request.read())
        except msgspec.DecodeError:
            raise validation.HTTPError(400, "Failed to read request") from None
        by_guild[guild] = list(dict.fromkeys(categories))  # a Set<String>
        return web.Response(status=200)

    async def _delete(self, request: web.Request) -> web.Response:
        guild = validation.guild_of(request)
        by_guild = self.categories.get(request.match_info["session"])
        if by_guild is not None:
            by_guild.pop(guild, None)
        return web.Response(status=200)


def _builtins(items: list[Segment] | list[Chapter]) -> list[typing.Any]:
    return [msgspec.to_builtins(item) for item in items]
