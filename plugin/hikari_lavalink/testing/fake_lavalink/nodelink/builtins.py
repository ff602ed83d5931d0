"""The fake NodeLink's built-in live lyrics and SponsorBlock, as NodeLink v3's `Player` and
its routes behave (`../shared/lavalink-plugins.md` §7.2-7.3, read from `src/playback/player.ts`
and `src/api/`). Both are kept **on the player**, not per session: a resume keeps them, the
player's destruction ends them.

Live lyrics (LavaLyrics' paths, `POST` / `DELETE .../players/{g}/lyrics/subscribe`, 204):

- `skipTrackSource` must be `true` or `false` (else 400 `Invalid parameters`); an unknown
  session is a 404 `Session not found`, a missing player a 500 `Player not found locally.`;
- a first subscription, with a track playing and not paused, loads its lyrics at once (after
  the 204): `LyricsFoundEvent` (`sourceName` the track's source, `text` the lines joined,
  lines with `words` and `plugin`, a missing duration filled to the next line), or
  `LyricsNotFoundEvent`; a second subscription changes nothing, not even `skipTrackSource`;
- each track start of a subscribed player loads its lyrics again;
- the line playback is at is sent (`LyricsLineEvent`) as soon as it is known: on time
  `skipped` false; when lines were jumped (a subscription mid-track, a seek) `skipped` true;
  a seek back sends the line it lands on (none before the first line);
- lyrics the table has untimed (`lines=None`) are sent found, with no lines (NodeLink's
  event for them is not read from its code).

SponsorBlock (`.../players/{g}/sponsorblock`, and any one segment more: `.../categories`
reaches it too, so the Lavalink plugin's `PUT` is a 405):

- `GET` the state, `PATCH {enabled?, categories?, actionTypes?}` (200 with the state; no
  value is checked; `skipMarginMs` is not applied), `POST {segments}` (200 with the state),
  `DELETE` drops the segments (204); an unknown session is a 404 `The provided sessionId
  doesn't exist.`, a missing player a 404 `Player not found locally.`;
- the defaults: `enabled` as `FakeNodeLink(sponsorblock_enabled=...)` (NodeLink's config;
  false), the eight README categories, `actionTypes` `["skip"]`, `skipMarginMs` 150;
- a track start drops the segments; an enabled `youtube` or `ytmusic` track's are loaded
  from the table `set_segments` fills (those of the state's categories and action types) and,
  when there are any, announced (`SponsorBlockSegmentsLoadedEvent`); enabling mid-track
  loads nothing;
- playback within `skipMarginMs` of a segment's start (and before its end) seeks to its end:
  a `SeekEvent`, then `SponsorBlockSegmentSkippedEvent` (`track`, `segment`), once per
  segment (`lastSkippedUuid`).
"""

from __future__ import annotations

import asyncio
import json
import time
import typing

from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.nodelink.routes import track_json
from hikari_lavalink.testing.fake_lavalink.plugins.hooks import FakePlugin
from hikari_lavalink.testing.fake_lavalink.plugins.lavalyrics import FakeLavaLyrics
from hikari_lavalink.testing.fake_lavalink.plugins.sponsorblock import FakeSponsorBlock

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol import models
    from hikari_lavalink.protocol.plugins.lavalyrics import LyricsLine
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = ["BUILT_IN", "NodeLinkLiveLyrics", "NodeLinkSponsorBlock"]

_PLAYER: typing.Final = "/v4/sessions/{session}/players/{guild}"
_NO_PLAYER: typing.Final = "Player not found locally."
_SESSION_GONE: typing.Final = "The provided sessionId doesn't exist."
_CATEGORIES: typing.Final = (
    *("sponsor", "selfpromo", "interaction", "intro"),
    *("outro", "preview", "music_offtopic", "filler"),
)
_VIDEO_SOURCES: typing.Final = frozenset({"youtube", "ytmusic"})


def _error(request: web.Request, status: int, error: str, message: str) -> web.Response:
    # NodeLink's sendErrorResponse, where the `error` is not the status's phrase.
    body = {
        "timestamp": int(time.time() * 1000),
        "status": status,
        "error": error,
        "message": message,
        "path": request.path,
    }
    return web.json_response(body, status=status)


def _guild(request: web.Request) -> int:
    raw = request.match_info["guild"]
    if not (raw.isdigit() and 17 <= len(raw) <= 20):
        raise validation.HTTPError(400, "Invalid path parameters")
    return int(raw)


class _Timed:
    """A player's state with a timer of the fake's clock (the next line, the next segment)."""

    __slots__ = ("handle",)

    def __init__(self) -> None:
        self.handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


class _Live(_Timed):
    """One player's live lyrics."""

    __slots__ = ("index", "lines", "skip", "track")

    def __init__(self, skip: bool) -> None:
        super().__init__()
        self.skip: bool = skip
        self.track: models.Track | None = None
        self.lines: list[dict[str, typing.Any]] = []
        self.index: int = -1


class NodeLinkLiveLyrics(FakePlugin):
    """NodeLink's live lyrics (see the module), from the table `set_lyrics` fills."""

    name: typing.ClassVar[str] = "nodelink:lyrics"

    def __init__(self, *args: typing.Any) -> None:
        super().__init__(*args)
        self.live: dict[FakePlayer, _Live] = {}
        """The subscribed players."""

    @override
    def add_routes(self, app: web.Application) -> None:
        path = _PLAYER + "/lyrics/subscribe"
        app.router.add_post(path, self._subscribe)
        app.router.add_delete(path, self._unsubscribe)

    @override
    def session_destroyed(self, session: FakeSession) -> None:
        for player in session.players.values():
            self._drop(player)

    @override
    def player_destroyed(self, session: FakeSession, player: FakePlayer) -> None:
        self._drop(player)

    @override
    def track_started(self, session: FakeSession, player: FakePlayer) -> None:
        live = self.live.get(player)
        if live is not None:
            self._load(session, player, live)

    @override
    def moved(self, session: FakeSession, player: FakePlayer) -> None:
        live = self.live.get(player)
        if live is not None and live.track is not None:
            if live.track is not player.track:
                live.cancel()
                live.track, live.lines, live.index = None, [], -1
                return
            self._sync(session, player, live, backward=True)

    def _drop(self, player: FakePlayer) -> None:
        live = self.live.pop(player, None)
        if live is not None:
            live.cancel()

    async def _player(self, request: web.Request) -> tuple[FakeSession, FakePlayer] | web.Response:
        guild = _guild(request)
        session = self.parts.sessions.get(request.match_info["session"])
        if session is None:
            return _error(request, 404, "Session not found", "Session not found")
        player = session.players.get(guild)
        if player is None:
            return _error(request, 500, _NO_PLAYER, _NO_PLAYER)
        return session, player

    async def _subscribe(self, request: web.Request) -> web.Response:
        found = await self._player(request)
        if isinstance(found, web.Response):
            return found
        raw = request.query.get("skipTrackSource")
        if raw not in (None, "true", "false"):
            raise validation.HTTPError(400, "Invalid parameters")
        session, player = found
        if player not in self.live:
            live = self.live[player] = _Live(raw == "true")
            if player.track is not None and not player.paused:
                asyncio.get_running_loop().call_soon(self._load, session, player, live)
        return web.Response(status=204)

    async def _unsubscribe(self, request: web.Request) -> web.Response:
        found = await self._player(request)
        if isinstance(found, web.Response):
            return found
        self._drop(found[1])
        return web.Response(status=204)

    def _load(self, session: FakeSession, player: FakePlayer, live: _Live) -> None:
        if self.live.get(player) is not live or player.track is None:
            return
        live.cancel()
        track = player.track
        lyrics = self.parts.node.fake_plugin(FakeLavaLyrics).find(
            track, skip_track_source=live.skip
        )
        wire, guild = self.parts.wire, player.guild_id
        live.track, live.index = track, -1
        if lyrics is None:
            live.lines = []
            wire.event(session, guild, "LyricsNotFoundEvent")
            return
        live.lines = _lines(lyrics.lines or [])
        text = "\n".join(line["line"] for line in live.lines) if live.lines else lyrics.text
        payload: dict[str, object] = {
            "sourceName": track.info.source_name,
            "provider": lyrics.provider,
            "text": text,
            "lines": live.lines,
            "plugin": {},
        }
        wire.event(session, guild, "LyricsFoundEvent", lyrics=payload)
        self._sync(session, player, live, backward=False)

    def _sync(
        self, session: FakeSession, player: FakePlayer, live: _Live, *, backward: bool
    ) -> None:
        # The line playback is at, sent when it changed; then the timer for the next one.
        live.cancel()
        position = player.position
        at = -1
        for index, line in enumerate(live.lines):
            if line["timestamp"] <= position:
                at = index
        if at != live.index and (backward or at > live.index):
            jumped = at > live.index + 1
            live.index = at
            if at >= 0:
                self._send(session, player, live, skipped=jumped)
        self._arm(session, player, live)

    def _send(
        self, session: FakeSession, player: FakePlayer, live: _Live, *, skipped: bool
    ) -> None:
        self.parts.wire.event(
            session,
            player.guild_id,
            "LyricsLineEvent",
            lineIndex=live.index,
            line=live.lines[live.index],
            skipped=skipped,
        )

    def _arm(self, session: FakeSession, player: FakePlayer, live: _Live) -> None:
        following = live.index + 1
        if following >= len(live.lines) or player.paused or not player.connected:
            return
        ahead = (live.lines[following]["timestamp"] - player.position) / 1000
        delay = self.parts.playback.clock.wall(max(0.0, ahead))
        loop = asyncio.get_running_loop()
        live.handle = loop.call_later(delay, self._due, session, player, live)

    def _due(self, session: FakeSession, player: FakePlayer, live: _Live) -> None:
        live.handle = None
        if self.live.get(player) is not live or live.track is not player.track:
            return
        live.index += 1
        self._send(session, player, live, skipped=False)
        self._arm(session, player, live)


def _lines(lines: list[LyricsLine]) -> list[dict[str, typing.Any]]:
    shown: list[dict[str, typing.Any]] = []
    for index, line in enumerate(lines):
        duration = line.duration or 0
        if not duration and index + 1 < len(lines):
            duration = lines[index + 1].timestamp - line.timestamp
        shown.append(
            {
                "timestamp": line.timestamp,
                "duration": duration,
                "line": line.line,
                "words": [],
                "plugin": {},
            }
        )
    return shown


def _names(value: object) -> list[object]:
    # A PATCHed list as NodeLink keeps it (unchecked: anything else matches nothing).
    return typing.cast("list[object]", value) if isinstance(value, list) else []


class _Block(_Timed):
    """One player's SponsorBlock state, as NodeLink keeps it."""

    __slots__ = ("action_types", "categories", "enabled", "last", "margin", "segments")

    def __init__(self, enabled: bool) -> None:
        super().__init__()
        self.enabled: object = enabled
        self.categories: object = list(_CATEGORIES)
        self.action_types: object = ["skip"]
        self.segments: list[dict[str, typing.Any]] = []
        self.last: str | None = None
        self.margin: int = 150

    def json(self) -> dict[str, typing.Any]:
        return {
            "enabled": self.enabled,
            "categories": self.categories,
            "actionTypes": self.action_types,
            "segments": self.segments,
            "lastSkippedUuid": self.last,
            "skipMarginMs": self.margin,
        }


class NodeLinkSponsorBlock(FakePlugin):
    """NodeLink's SponsorBlock (see the module), from the table `set_segments` fills."""

    name: typing.ClassVar[str] = "nodelink:sponsorblock"

    def __init__(self, *args: typing.Any) -> None:
        super().__init__(*args)
        self.blocks: dict[FakePlayer, _Block] = {}
        """Each player's state (made when first needed)."""
        self.enabled_by_default: bool = False

    def state(self, player: FakePlayer) -> _Block:
        """The player's state."""
        block = self.blocks.get(player)
        if block is None:
            block = self.blocks[player] = _Block(self.enabled_by_default)
        return block

    @override
    def add_routes(self, app: web.Application) -> None:
        for path in (_PLAYER + "/sponsorblock", _PLAYER + "/sponsorblock/{extra}"):
            app.router.add_route("*", path, self._route)

    @override
    def session_destroyed(self, session: FakeSession) -> None:
        for player in session.players.values():
            self._drop(player)

    @override
    def player_destroyed(self, session: FakeSession, player: FakePlayer) -> None:
        self._drop(player)

    @override
    def track_started(self, session: FakeSession, player: FakePlayer) -> None:
        block = self.state(player)
        block.cancel()
        block.segments, block.last = [], None
        track = player.track
        if (
            track is None
            or block.enabled is not True
            or track.info.source_name not in _VIDEO_SOURCES
        ):
            return
        video = track.info.identifier
        table = self.parts.node.fake_plugin(FakeSponsorBlock).segments.get(video, [])
        categories, actions = _names(block.categories), _names(block.action_types)
        if "skip" not in actions:
            return  # the table's segments are all to skip
        block.segments = [
            {
                "uuid": f"{video}-{index}",
                "start": segment.start,
                "end": segment.end,
                "category": segment.category,
                "actionType": "skip",
                "votes": 0,
                "locked": False,
                "videoDuration": track.info.length,
                "description": "",
            }
            for index, segment in enumerate(table)
            if segment.category in categories
        ]
        if block.segments:
            self.parts.wire.event(
                session, player.guild_id, "SponsorBlockSegmentsLoadedEvent", segments=block.segments
            )

    @override
    def moved(self, session: FakeSession, player: FakePlayer) -> None:
        block = self.blocks.get(player)
        if block is not None and block.segments:
            self._check(session, player, block)

    def _drop(self, player: FakePlayer) -> None:
        block = self.blocks.pop(player, None)
        if block is not None:
            block.cancel()

    def _due_segment(self, player: FakePlayer, block: _Block) -> dict[str, typing.Any] | None:
        categories, actions = _names(block.categories), _names(block.action_types)
        position = player.position
        for segment in block.segments:
            if (
                segment.get("category") in categories
                and segment.get("actionType") in actions
                and position + block.margin >= segment.get("start", 0)
                and position < segment.get("end", 0)
                and segment.get("uuid") != block.last
            ):
                return segment
        return None

    def _check(self, session: FakeSession, player: FakePlayer, block: _Block) -> None:
        block.cancel()
        if block.enabled is not True or player.track is None or player.paused:
            return
        segment = self._due_segment(player, block)
        if segment is not None:
            block.last = segment.get("uuid")
            before = player.position
            player.set_position(int(segment["end"]))
            wire, guild = self.parts.wire, player.guild_id
            wire.event(
                session,
                guild,
                "SeekEvent",
                position=player.position,
                duration=player.position - before,
            )
            wire.event(
                session,
                guild,
                "SponsorBlockSegmentSkippedEvent",
                track=track_json(player.track),
                segment=segment,
            )
            self.parts.playback.schedule(session, player)  # comes back here: nothing due
            return
        ahead = [
            s["start"] - block.margin - player.position
            for s in block.segments
            if isinstance(s.get("start"), int) and s["start"] - block.margin > player.position
        ]
        if ahead and player.connected:
            delay = self.parts.playback.clock.wall(min(ahead) / 1000)
            loop = asyncio.get_running_loop()
            block.handle = loop.call_later(delay, self._due, session, player, block)

    def _due(self, session: FakeSession, player: FakePlayer, block: _Block) -> None:
        block.handle = None
        if self.blocks.get(player) is block and session.players.get(player.guild_id) is player:
            self._check(session, player, block)

    async def _route(self, request: web.Request) -> web.Response:
        guild = _guild(request)
        session = self.parts.sessions.get(request.match_info["session"])
        if session is None:
            raise validation.HTTPError(404, _SESSION_GONE)
        method = request.method
        if method not in ("GET", "PATCH", "POST", "DELETE"):
            return _error(request, 405, "Method Not Allowed", "Method Not Allowed")
        player = session.players.get(guild)
        body: object = None
        if method in ("PATCH", "POST"):
            try:
                body = json.loads(await request.read())
            except ValueError:
                body = None
        if method == "PATCH" and not isinstance(body, dict):
            raise validation.HTTPError(400, "Invalid body")
        if method == "POST" and not (
            isinstance(body, dict)
            and isinstance(typing.cast("dict[str, object]", body).get("segments"), list)
        ):
            raise validation.HTTPError(400, "Invalid segments array")
        if player is None:
            raise validation.HTTPError(404, _NO_PLAYER)
        block = self.state(player)
        if method == "DELETE":
            block.segments, block.last = [], None
            block.cancel()
            return web.Response(status=204)
        fields = typing.cast("dict[str, typing.Any]", body)
        if method == "PATCH":
            for key, attribute in (
                ("enabled", "enabled"),
                ("categories", "categories"),
                ("actionTypes", "action_types"),
            ):
                if fields.get(key) is not None:
                    setattr(block, attribute, fields[key])
        elif method == "POST":
            block.segments = [s for s in fields["segments"] if isinstance(s, dict)]
            block.last = None
        if block.segments:
            self._check(session, player, block)
        return web.json_response(block.json())


BUILT_IN: typing.Final[tuple[type[FakePlugin], ...]] = (NodeLinkLiveLyrics, NodeLinkSponsorBlock)
"""What NodeLink has built in, always on (by their `name`)."""
