"""[`FakeNodeLink`][hikari_lavalink.testing.FakeNodeLink]: a
[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink] that answers as NodeLink v3 does.

A subclass rather than a flag: it is another server, with defaults of its own (its version,
sources and filters), and every control of the Lavalink fake (`finish_track`, `restart`,
`drop_connections`...) works on it unchanged, so a test written for one runs on the other.
What it answers differently is in `.routes`; its WebSocket is Lavalink's (NodeLink keeps
`ready`, `playerUpdate` and `stats` as they are, its stats naming the process load
`nodelinkLoad`), plus its own events.
"""

from __future__ import annotations

import typing

from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
from hikari_lavalink.testing.fake_lavalink.nodelink.builtins import (
    BUILT_IN,
    NodeLinkLiveLyrics,
    NodeLinkSponsorBlock,
)
from hikari_lavalink.testing.fake_lavalink.nodelink.routes import (
    NodeLinkPlayers,
    NodeLinkRest,
    track_json,
)
from hikari_lavalink.testing.fake_lavalink.plugins.lavalyrics import FakeLavaLyrics
from hikari_lavalink.testing.fake_lavalink.plugins.sponsorblock import FakeSponsorBlock

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import load_result, models

__all__ = ["FakeNodeLink"]


class FakeNodeLink(FakeLavalink):
    """A fake NodeLink v3 node on 127.0.0.1 (the parameters are
    [`FakeLavalink`][hikari_lavalink.testing.FakeLavalink]'s; `version` is NodeLink's).

    Every answer carries `Nodelink-Api-Version: 4` and `IamNodelink: true`, and no
    `Lavalink-Api-Version`; `/v4/info` says `isNodelink: true`. Its built-in
    `/v4/loadlyrics` and live lyrics answer from what `set_lyrics` set, its
    `/v4/loadchapters` and SponsorBlock from what `set_segments` set, in NodeLink's formats
    (`hikari_lavalink.testing.fake_lavalink.nodelink.builtins` says how).
    `sponsorblock_enabled`: NodeLink's config default of a new player's SponsorBlock.
    """

    api_headers: typing.ClassVar[collections.abc.Mapping[str, str]] = {
        "Nodelink-Api-Version": "4",
        "IamNodelink": "true",
    }

    def __init__(
        self,
        *,
        password: str = "youshallnotpass",  # noqa: S107 - NodeLink's documented default
        port: int = 0,
        catalogue: collections.abc.Mapping[str, load_result.LoadResult] | None = None,
        version: str = "3.8.0",
        name: str = "fake-nodelink",
        source_managers: collections.abc.Sequence[str] = ("youtube", "soundcloud", "http"),
        sponsorblock_enabled: bool = False,
        **options: typing.Any,
    ) -> None:
        super().__init__(
            password=password,
            port=port,
            catalogue=catalogue,
            version=version,
            name=name,
            source_managers=source_managers,
            **options,
        )
        table, known = self._sessions, self._known
        self._rest = NodeLinkRest(self, table, known, self._playback, self._activity)
        self._players = self._nodelink_players = NodeLinkPlayers(
            self, table, known, self._playback, self._wire
        )
        self._playback.cpu_load_key = "nodelinkLoad"
        self._wire.track_json = track_json
        self.fake_plugin(NodeLinkSponsorBlock).enabled_by_default = sponsorblock_enabled

    @override
    def _app(self) -> web.Application:
        app = super()._app()
        app.router.add_get("/v4/loadlyrics", self._load_lyrics)
        app.router.add_get("/v4/loadchapters", self._load_chapters)
        for kind in BUILT_IN:  # always on, heard after the node's plugins
            plugin = self.fake_plugin(kind)
            plugin.add_routes(app)
            self.plugin_hooks.active.append(plugin)
        return app

    async def _load_chapters(self, request: web.Request) -> web.Response:
        # From the table `set_segments` fills; [] for a track that is not a video's.
        encoded = request.query.get("encodedTrack", "").strip()
        if not encoded:
            raise validation.HTTPError(400, "Missing encodedTrack parameter.")
        track = validation.resolve(encoded, self._known)
        if track.info.source_name not in ("youtube", "ytmusic"):
            return web.json_response([])
        chapters = self.fake_plugin(FakeSponsorBlock).chapters.get(track.info.identifier, [])
        return web.json_response(
            [
                {
                    "title": c.name,
                    "startTime": c.start,
                    "thumbnails": [],
                    "duration": c.duration,
                    "endTime": c.end,
                }
                for c in chapters
            ]
        )

    def lyrics_subscribed(self, guild_id: int, *, session_id: str | None = None) -> bool:
        """Whether the guild's player has live lyrics (NodeLink keeps them on the player)."""
        _, player = self._hub.player(guild_id, session_id, playing=False)
        return player in self.fake_plugin(NodeLinkLiveLyrics).live

    def sponsorblock_state(
        self, guild_id: int, *, session_id: str | None = None
    ) -> dict[str, typing.Any]:
        """The guild's player's SponsorBlock state, as `GET .../sponsorblock` answers it."""
        _, player = self._hub.player(guild_id, session_id, playing=False)
        return self.fake_plugin(NodeLinkSponsorBlock).state(player).json()

    async def _load_lyrics(self, request: web.Request) -> web.Response:
        # NodeLink's built-in lyrics, from the table `set_lyrics` fills, in its own format.
        encoded = request.query.get("encodedTrack")
        if not encoded:
            raise validation.HTTPError(400, "Invalid query parameters")
        track = validation.resolve(encoded, self._known)
        lyrics = self.fake_plugin(FakeLavaLyrics).find(track, skip_track_source=False)
        if lyrics is None:
            return web.json_response({"loadType": "empty", "data": {}})
        if lyrics.lines is not None:
            lines = [
                {"text": line.line, "time": line.timestamp, "duration": line.duration}
                for line in lyrics.lines
            ]
        else:
            texts = (lyrics.text or "").splitlines()
            lines = [{"text": text, "time": None, "duration": None} for text in texts]
        data = {
            "synced": lyrics.lines is not None,
            "lang": "en",
            "source": lyrics.source_name,
            "lines": lines,
        }
        return web.json_response({"loadType": "lyrics", "data": data})

    @override
    def __repr__(self) -> str:
        return f"FakeNodeLink(name={self.name!r}, port={self.port}, sessions={len(self._sessions)})"

    async def play_next(
        self,
        guild_id: int,
        track: models.Track,
        *,
        reason: str = "gapless",
        session_id: str | None = None,
    ) -> None:
        """Go on to `track` as NodeLink does with the next track a bot preloaded (`nextTrack`):
        the current track ends with `reason` (`gapless`, or `crossfading`), then `track`
        starts (a `TrackStartEvent`), in that order."""
        session, player = self._hub.player(guild_id, session_id)
        self._nodelink_players.play_next(session, player, track, reason)
        await self._settle()
