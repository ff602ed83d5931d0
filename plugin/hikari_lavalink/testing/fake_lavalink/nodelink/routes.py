"""The fake NodeLink's REST: Lavalink's routes as NodeLink v3 answers them
(`../shared/lavalink-plugins.md` §7.1-7.2, read from NodeLink's `src/api/`).

What differs from the Lavalink fake: `Authorization` is the password or `Bearer <password>`,
anything else a 401 `text/plain` `Unauthorized`; a guild id in a player path must be 17 to
20 digits (else 400 `Invalid path parameters`); an unknown route is 404 `The requested route
was not found.`, an unknown session 404 `The provided sessionId doesn't exist.` (a paused one
is found by `PATCH /v4/sessions/{id}`, as NodeLink looks in its resumable pool too); a player
PATCH is refused with one 400 `Invalid payload` (`noReplace` not `true`/`false`: `Invalid query
parameters`), its deprecated top-level `encodedTrack` with a 500, its top-level `identifier`
ignored, `voice.channelId` optional, `startTime` an alias of `position`, and a new track does
not touch `paused`. Its player JSON has `null` voice fields until set, a `track` without
`pluginInfo` (and without `userData` when empty), the filters one level deeper
(`{"filters": {...}}`) and `ping` 0 when unknown. A new player sends `PlayerCreatedEvent`, a
voice connection `PlayerConnectedEvent`, pause, seek, volume and filters their events, and a
DELETE ends the track with `cleanup`, then sends `WebSocketClosedEvent` (1000, `destroyed by
client`) and `PlayerDestroyedEvent`. `/v4/info`, `/v4/stats` (`nodelinkLoad`, `detailedStats`)
and `/v4/routeplanner/*` have NodeLink's shapes. Error bodies keep Lavalink's keys (NodeLink's
`sendErrorResponse` takes the same status, error, message and path).
"""

from __future__ import annotations

import json
import re
import time
import typing

import msgspec
from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import requests
from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.players import Players
from hikari_lavalink.testing.fake_lavalink.rest import Rest

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol import models
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = ["INFO_FILTERS", "NodeLinkPlayers", "NodeLinkRest"]

_INFO_FILTER_NAMES: typing.Final = (
    "equalizer timescale karaoke tremolo vibrato rotation distortion channelMix lowpass"
)
INFO_FILTERS: typing.Final = tuple(_INFO_FILTER_NAMES.split())
"""The filter names NodeLink's `/v4/info` lists by default (its config's keys)."""

_GUILD: typing.Final = re.compile(r"\d{17,20}")
_PLAYER_PATH: typing.Final = re.compile(r"/v4/sessions/[^/]+/players/([^/]+)/?")
_SESSION_GONE: typing.Final = "The provided sessionId doesn't exist."
_INVALID: typing.Final = "Invalid payload"
_DEPRECATED: typing.Final = "The `encodedTrack` field is deprecated. Use `track.encoded` instead."
_EXTRAS: typing.Final = ("nextTrack", "loudnessNormalizer", "ducking", "fading", "crossfade")


class NodeLinkRest(Rest):
    """NodeLink's authentication, path checks, errors, info, stats and route planner."""

    __slots__ = ()

    @override
    def refuse(self, request: web.Request) -> web.Response | None:
        password = self._node.password
        if request.headers.get("Authorization") not in (password, f"Bearer {password}"):
            return web.Response(status=401, text="Unauthorized", content_type="text/plain")
        player_path = _PLAYER_PATH.fullmatch(request.path)
        if player_path is not None and _GUILD.fullmatch(player_path.group(1)) is None:
            raise validation.HTTPError(400, "Invalid path parameters")
        return None

    @staticmethod
    @override
    def unrouted(request: web.Request, status: int) -> str:
        if status == 405:
            return f"Method {request.method} is not allowed here"
        return "The requested route was not found."

    @override
    def _error(self, request: web.Request, status: int, message: str) -> web.Response:
        if status == 404 and message == "Session not found":
            message = _SESSION_GONE
        return super()._error(request, status, message)

    @override
    async def _info(self, _: web.Request) -> web.Response:
        version = self._node.version
        major, minor, patch = (int(p) for p in [*version.split("-")[0].split("."), "0", "0"][:3])
        return web.json_response(
            {
                "version": {
                    "semver": version,
                    "major": major,
                    "minor": minor,
                    "patch": patch,
                    "prerelease": [],
                    "build": [],
                },
                "buildTime": 1776000000000,
                "git": {"branch": "main", "commit": "2ef244b", "commitTime": 1776000000000},
                "node": "v22.22.2",
                "voice": {"name": "@performanc/voice", "version": "github:PerformanC/voice"},
                "isNodelink": True,
                "sourceManagers": list(self._node.source_managers),
                "filters": [*INFO_FILTERS, *self._node.plugin_filters],
                "plugins": [
                    {"name": name, "version": version, "author": None, "path": None}
                    for name, version in self._node.plugins.items()
                ],
            }
        )

    @override
    async def _stats(self, _: web.Request) -> web.Response:
        payload = self._playback.stats_json()
        payload["frameStats"] = None
        payload["detailedStats"] = {}
        return web.json_response(payload)

    @override
    async def _update_session(self, request: web.Request) -> web.Response:
        session = self._sessions.get(request.match_info["session"])
        if session is None:
            raise validation.HTTPError(404, _SESSION_GONE)
        try:
            raw: object = json.loads(await request.read())
        except ValueError:
            raw = None
        payload = typing.cast("dict[str, object]", raw) if isinstance(raw, dict) else {}
        resuming, timeout = payload.get("resuming"), payload.get("timeout")
        if (
            not isinstance(raw, dict)
            or (resuming is not None and not isinstance(resuming, bool))
            or (timeout is not None and (not isinstance(timeout, int | float) or timeout < 0))
        ):
            raise validation.HTTPError(400, "Invalid PATCH payload")
        if isinstance(resuming, bool):
            session.resuming = resuming
        if isinstance(timeout, int | float):
            session.timeout = int(timeout)
        return web.json_response({"resuming": session.resuming, "timeout": session.timeout})

    @override
    async def _planner_status(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "class": "BalancingIpRoutePlanner",
                "details": {
                    "ipBlock": {"type": "Inet4Address", "size": 0},
                    "failingAddresses": [],
                    "strategy": "RotateOnBan",
                    "currentAddress": None,
                    "blockIndex": None,
                    "ipIndex": None,
                },
            }
        )

    @override
    async def _planner_free(self, request: web.Request) -> web.Response:
        if request.path.endswith("/address"):
            try:
                address = json.loads(await request.read()).get("address")
            except (ValueError, AttributeError):
                address = None
            if not isinstance(address, str) or not address.strip():
                raise validation.HTTPError(400, "The address field is required.")
        return web.Response(status=204)


_VIDEOS: typing.Final = frozenset({"youtube", "ytmusic"})


def track_json(track: models.Track, end_time: int = 0) -> dict[str, typing.Any]:
    """NodeLink's own track object, in its player JSON and its events: no `pluginInfo`, no
    `userData` when empty."""
    shown: dict[str, typing.Any] = {
        "encoded": track.encoded,
        "info": msgspec.to_builtins(track.info),
        "endTime": end_time,
    }
    if track.user_data:
        shown["userData"] = track.user_data
    return shown


class NodeLinkPlayers(Players):
    """NodeLink's player JSON, PATCH checks and player events."""

    __slots__ = ()

    destroy_reason: typing.ClassVar[str] = "cleanup"
    new_track_keeps_pause: typing.ClassVar[bool] = True

    @override
    def start_fields(self, track: models.Track) -> dict[str, typing.Any]:
        # `_emitTrackStart`'s `playingQuality`: the itag of the format played, on a video
        # (the fake plays each in Opus, itag 251).
        return {"playingQuality": 251} if track.info.source_name in _VIDEOS else {}

    @override
    def json(self, player: FakePlayer) -> dict[str, typing.Any]:
        voice = player.voice
        track = self._playback.now_playing(player) if player.track else None
        shown = track_json(track, player.end_time or 0) if track is not None else None
        chain = msgspec.to_builtins(player.filters)
        channel = voice.channel_id if voice is not None else None
        return {
            "guildId": str(player.guild_id),
            "track": shown,
            "volume": player.volume,
            "loudnessNormalizer": False,
            "paused": player.paused,
            "filters": {"filters": chain} if chain else {},
            "state": {
                "time": int(time.time() * 1000),
                "position": player.position,
                "connected": player.connected,
                "ping": player.ping if player.connected and player.ping > 0 else 0,
            },
            "voice": {
                "sessionId": voice.session_id if voice else None,
                "token": voice.token if voice else None,
                "endpoint": voice.endpoint if voice else None,
                "channelId": channel if isinstance(channel, str) else None,
            },
        }

    @override
    async def change(self, request: web.Request) -> validation.PlayerChange:
        if request.query.get("noReplace", "false") not in ("true", "false"):
            raise validation.HTTPError(400, "Invalid query parameters")
        return nodelink_change(await request.read())

    @override
    def created(self, session: FakeSession, player: FakePlayer) -> None:
        self._wire.event(session, player.guild_id, "PlayerCreatedEvent", player=self.json(player))

    @override
    async def destroy(self, request: web.Request) -> web.Response:
        session = validation.session_of(request, self._sessions)
        had = session.players.get(validation.guild_of(request))
        response = await super().destroy(request)
        if had is not None:
            guild = had.guild_id
            self._wire.event(
                session,
                guild,
                "WebSocketClosedEvent",
                code=1000,
                reason="destroyed by client",
                byRemote=False,
            )
            self._wire.event(session, guild, "PlayerDestroyedEvent")
        return response

    @override
    def _apply(
        self, session: FakeSession, player: FakePlayer, change: validation.PlayerChange
    ) -> None:
        was_connected, paused, position = player.connected, player.paused, player.position
        super()._apply(session, player, change)
        update, guild = change.update, player.guild_id
        if player.connected and not was_connected and player.voice is not None:
            voice = msgspec.to_builtins(player.voice)
            self._wire.event(session, guild, "PlayerConnectedEvent", voice=voice)
        if not isinstance(update.volume, msgspec.UnsetType):
            self._wire.event(session, guild, "VolumeChangedEvent", volume=player.volume)
        if player.paused != paused:
            self._wire.event(session, guild, "PauseEvent", paused=player.paused)
        if (
            not change.new_track
            and not isinstance(update.position, msgspec.UnsetType)
            and player.track is not None
        ):
            moved = abs(player.position - position)
            self._wire.event(session, guild, "SeekEvent", position=player.position, duration=moved)
        if not isinstance(change.filters, msgspec.UnsetType):
            chain = msgspec.to_builtins(player.filters)
            self._wire.event(session, guild, "FiltersChangedEvent", filters={"filters": chain})

    def play_next(
        self, session: FakeSession, player: FakePlayer, track: models.Track, reason: str
    ) -> None:
        """Go on to `track` as NodeLink does with a preloaded next track: the current one
        ends with `reason` (`gapless`, `crossfading`), then `track` starts."""
        change = validation.PlayerChange(
            requests.UpdatePlayer(), track.encoded, msgspec.UNSET, msgspec.UNSET
        )
        self._play(session, player, change, ended=reason)


def nodelink_change(body: bytes) -> validation.PlayerChange:
    """A player PATCH body checked as NodeLink checks it (see the module)."""
    try:
        raw = json.loads(body)
    except ValueError:
        raise validation.HTTPError(400, _INVALID) from None
    if not isinstance(raw, dict):
        raise validation.HTTPError(400, _INVALID)
    fields = typing.cast("dict[str, typing.Any]", raw)
    if "encodedTrack" in fields:
        raise validation.HTTPError(500, _DEPRECATED)
    fields.pop("identifier", None)  # the deprecated top-level one: ignored
    for extra in _EXTRAS:
        fields.pop(extra, None)
    if "startTime" in fields and "position" not in fields:
        fields["position"] = fields.pop("startTime")
    volume = fields.get("volume")
    if volume is not None and (not isinstance(volume, int) or not 0 <= volume <= 1000):
        raise validation.HTTPError(400, _INVALID)
    voice = _voice(fields.pop("voice", None))
    try:
        change = validation.player_change(json.dumps(fields).encode())
    except validation.HTTPError as exc:
        if exc.status == 400:
            raise validation.HTTPError(400, _INVALID) from None
        raise
    if voice is not None:
        change.update = msgspec.structs.replace(change.update, voice=voice)
    return change


def _voice(raw: object) -> requests.VoiceUpdate | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise validation.HTTPError(400, _INVALID)
    fields = typing.cast("dict[str, typing.Any]", raw)
    parts = [fields.get(key) for key in ("token", "endpoint", "sessionId")]
    channel = fields.get("channelId")
    if not all(isinstance(part, str) and part for part in parts) or not (
        channel is None or isinstance(channel, str)
    ):
        raise validation.HTTPError(400, _INVALID)
    token, endpoint, session_id = typing.cast("list[str]", parts)
    return requests.VoiceUpdate(
        token=token,
        endpoint=endpoint,
        session_id=session_id,
        channel_id=channel if channel is not None else msgspec.UNSET,
    )
