"""The fake node's player routes, applied in Lavalink's own order.

`PATCH /v4/sessions/{session}/players/{guild}` makes the player if it is new and then, in one
pass as `PlayerRestHandler` does: `voice` (a new one connects and sends a
`playerUpdate`), `paused` (unless a track is given), `userData`, `volume` (clamped to
0-1000), `position` (a seek, with a `playerUpdate`), `endTime`, `filters` (kept as
`.filter_chain` says, with a `playerUpdate`) and last the track: `noReplace` keeps a
playing one, `encoded: null` stops it, and a new one ends the old with
`TrackEndEvent(replaced)` before its own `TrackStartEvent` and `playerUpdate`. A new
track unpauses unless `paused` says otherwise. `GET` reads a player (404 if none),
`DELETE` stops and forgets it (204, found or not). What is refused, and with which message,
is `.validation`'s.
"""

from __future__ import annotations

import time
import typing

import msgspec
from aiohttp import web

from hikari_lavalink.protocol.plugins import PluginName
from hikari_lavalink.testing.fake_lavalink import filter_chain, validation

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import models
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer, Playback
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession
    from hikari_lavalink.testing.fake_lavalink.wire import Wire

    _Handler: typing.TypeAlias = collections.abc.Callable[
        [web.Request], collections.abc.Awaitable[web.StreamResponse]
    ]

__all__ = ["Players"]


class Players:
    """The `/v4/sessions/{session}/players` routes."""

    __slots__ = ("_known", "_node", "_playback", "_sessions", "_wire")

    destroy_reason: typing.ClassVar[str] = "stopped"
    """The end reason of a track playing when its player is destroyed."""
    new_track_keeps_pause: typing.ClassVar[bool] = False
    """Whether a new track given without `paused` leaves the pause as it is (Lavalink's
    unpauses)."""

    def __init__(
        self,
        node: FakeLavalink,
        sessions: collections.abc.Mapping[str, FakeSession],
        known: collections.abc.Mapping[str, models.Track],
        playback: Playback,
        wire: Wire,
    ) -> None:
        self._node = node
        self._sessions = sessions
        self._known = known
        self._playback = playback
        self._wire = wire

    def start_fields(self, track: models.Track) -> dict[str, typing.Any]:
        """What a `TrackStartEvent` says besides its `track` (nothing, on Lavalink)."""
        del track
        return {}

    def add_routes(self, app: web.Application, update: _Handler) -> None:
        """Route the player endpoints of `app` here, the PATCH through `update`.

        `update` is the node's handler, which ends in `update` (a subclass of the
        node may wrap it, as `bench/servers.py` does to stamp each PATCH).
        """
        app.router.add_get("/v4/sessions/{session}/players", self.get_all)
        app.router.add_get("/v4/sessions/{session}/players/{guild}", self.get)
        app.router.add_patch("/v4/sessions/{session}/players/{guild}", update)
        app.router.add_delete("/v4/sessions/{session}/players/{guild}", self.destroy)

    def json(self, player: FakePlayer) -> dict[str, typing.Any]:
        """The player as the REST API shows it."""
        voice = player.voice
        channel = voice.channel_id if voice is not None else None
        track = self._playback.now_playing(player) if player.track else None
        return {
            "guildId": str(player.guild_id),
            "track": msgspec.to_builtins(track) if track is not None else None,
            "volume": player.volume,
            "paused": player.paused,
            "state": {
                "time": int(time.time() * 1000),
                "position": player.position,
                "connected": player.connected,
                "ping": player.ping,
            },
            "voice": {
                "token": voice.token if voice else "",
                "endpoint": voice.endpoint if voice else "",
                "sessionId": voice.session_id if voice else "",
                "channelId": channel if isinstance(channel, str) else None,
            },
            "filters": msgspec.to_builtins(player.filters),
        }

    async def get_all(self, request: web.Request) -> web.Response:
        session = validation.session_of(request, self._sessions)
        return web.json_response([self.json(p) for p in session.players.values()])

    async def get(self, request: web.Request) -> web.Response:
        session = validation.session_of(request, self._sessions)
        player = session.players.get(validation.guild_of(request))
        if player is None:
            raise validation.HTTPError(404, "Player not found")
        return web.json_response(self.json(player))

    async def destroy(self, request: web.Request) -> web.Response:
        session = validation.session_of(request, self._sessions)
        player = session.players.pop(validation.guild_of(request), None)
        if player is not None:
            if player.track is not None:
                self._playback.finish(session, player, self.destroy_reason)
            player.cancel_timers()
            self._node.plugin_hooks.player_destroyed(session, player)
        return web.Response(status=204)

    async def change(self, request: web.Request) -> validation.PlayerChange:
        """The PATCH's change, checked as the server checks it (`.validation`)."""
        return validation.player_change(await request.read())

    def created(self, session: FakeSession, player: FakePlayer) -> None:
        """A PATCH made `player` (Lavalink says nothing of it)."""

    async def update(self, request: web.Request) -> web.Response:
        session = validation.session_of(request, self._sessions)
        guild_id = validation.guild_of(request)
        change = await self.change(request)
        player = session.players.get(guild_id)
        if player is None:
            player = session.players[guild_id] = self._playback.player(guild_id)
            self.created(session, player)
        self._apply(session, player, change)
        if change.new_track:
            no_replace = request.query.get("noReplace", "false").lower() == "true"
            if not (no_replace and player.track is not None):
                self._play(session, player, change)
        return web.json_response(self.json(player))

    def _apply(
        self, session: FakeSession, player: FakePlayer, change: validation.PlayerChange
    ) -> None:
        # Everything but the track, in the server's order.
        update, new_track, playback = change.update, change.new_track, self._playback
        voice = update.voice
        if not isinstance(voice, msgspec.UnsetType) and (
            voice != player.voice or not player.connected
        ):
            player.voice = voice
            player.set_position(player.position)  # it advances from here, now connected
            player.connected = True
            player.ping = 12
            playback.schedule(session, player)
            self._wire.player_update(session, player)
        paused = update.paused
        if not isinstance(paused, msgspec.UnsetType) and not new_track and player.paused != paused:
            position = player.position
            player.paused = paused
            player.set_position(position)
            playback.schedule(session, player)
        user_data, track = change.user_data, player.track
        if not new_track and not isinstance(user_data, msgspec.UnsetType) and track is not None:
            player.track = msgspec.structs.replace(track, user_data=user_data)
        if not isinstance(update.volume, msgspec.UnsetType):
            player.volume = max(0, min(1000, update.volume))
        position = update.position
        if (
            not new_track
            and not isinstance(position, msgspec.UnsetType)
            and player.track is not None
        ):
            player.set_position(position)
            playback.schedule(session, player)
            self._wire.player_update(session, player)
        end_time = update.end_time
        if not new_track and isinstance(end_time, int) and player.track is not None:
            player.end_time = end_time
            playback.schedule(session, player)
        if not isinstance(change.filters, msgspec.UnsetType):
            try:
                player.filters = filter_chain.build(change.filters, self._node.plugin_filters)
            except IndexError as exc:  # a band outside 0-14, once the fields above are applied
                raise validation.HTTPError(500, str(exc)) from None
            self._wire.player_update(session, player)

    def _play(
        self,
        session: FakeSession,
        player: FakePlayer,
        change: validation.PlayerChange,
        *,
        ended: str = "replaced",
    ) -> None:
        # `ended`: the reason the track playing ends with (NodeLink's gapless start says its own).
        update, playback = change.update, self._playback
        if not isinstance(update.paused, msgspec.UnsetType):
            player.paused = update.paused
        elif not self.new_track_keeps_pause:
            player.paused = False
        if change.encoded is None:
            playback.finish(session, player, "stopped")
            return
        track = validation.track_to_play(
            change,
            self._node.catalogue,
            self._known,
            lavasrc=PluginName.LAVASRC in self._node.plugins,
        )
        if not isinstance(change.user_data, msgspec.UnsetType):
            track = msgspec.structs.replace(track, user_data=change.user_data)
        if player.track is not None:
            playback.finish(session, player, ended)
        player.track = track
        player.end_time = update.end_time if isinstance(update.end_time, int) else None
        start = update.position if not isinstance(update.position, msgspec.UnsetType) else 0
        player.set_position(start)
        started = playback.now_playing(player)
        fields = self.start_fields(started)
        self._wire.event(session, player.guild_id, "TrackStartEvent", track=started, **fields)
        self._node.plugin_hooks.track_started(session, player)  # the plugins' onTrackStart
        playback.schedule(session, player)
        self._wire.player_update(session, player)
