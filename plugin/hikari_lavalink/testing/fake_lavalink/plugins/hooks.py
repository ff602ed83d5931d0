"""What the fake node tells its plugins, and Lavaplayer's track markers on the fake's clock.

A real plugin is a `PluginEventHandler` (`onWebSocketOpen`, `onSocketContextDestroyed`,
`onNewPlayer`, `onDestroyPlayer`) with `AudioEventAdapter`s on its players (`onTrackStart`),
and it reacts to playback through `TrackMarker`s. Here a plugin is a
[`FakePlugin`][hikari_lavalink.testing.fake_lavalink.plugins.hooks.FakePlugin]; the node's parts
call [`PluginHooks`][hikari_lavalink.testing.fake_lavalink.plugins.hooks.PluginHooks] at those
moments, which tells each plugin the node runs (in `FakeLavalink.plugins` order, the order
their listeners were added in).

[`Markers`][hikari_lavalink.testing.fake_lavalink.plugins.hooks.Markers] are a player's track
markers, as Lavaplayer fires them: `REACHED` when playback gets there (a timer on the node's
clock, set again at each change of the player's state), `LATE` when one is added where
playback already is (or is past), `BYPASSED` when a seek (or any state change) finds it passed.
`set` replaces every marker of the track (Lavaplayer's `setMarker`), `add` adds one; a new
track drops the old track's.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import typing

if typing.TYPE_CHECKING:
    import collections.abc

    from aiohttp import web

    from hikari_lavalink.protocol import models
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer, Playback
    from hikari_lavalink.testing.fake_lavalink.plugins import PluginParts
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = ["FakePlugin", "MarkerHandler", "Markers", "PluginHooks"]

MarkerHandler: typing.TypeAlias = "collections.abc.Callable[[str], None]"
"""`handler(state)`, state `"REACHED"`, `"LATE"` or `"BYPASSED"`."""


class FakePlugin:
    """A fake plugin: its routes and what it does at the node's moments (no-ops here)."""

    name: typing.ClassVar[str] = ""

    def __init__(self, parts: PluginParts, markers: Markers) -> None:
        self.parts = parts
        self.markers = markers

    def add_routes(self, app: web.Application) -> None:
        """Route its endpoints of `app` here."""

    def session_opened(self, session: FakeSession, *, resumed: bool) -> None:
        """`onWebSocketOpen` (also on a resume)."""

    def session_destroyed(self, session: FakeSession) -> None:
        """`onSocketContextDestroyed`."""

    def track_started(self, session: FakeSession, player: FakePlayer) -> None:
        """`onTrackStart` of the player (after its `TrackStartEvent`)."""

    def player_destroyed(self, session: FakeSession, player: FakePlayer) -> None:
        """`onDestroyPlayer` (a `DELETE` of the player)."""

    def moved(self, session: FakeSession, player: FakePlayer) -> None:
        """The player's state changed (a seek, a pause, a voice connection, a new scale)."""


class PluginHooks:
    """The node's moments, told to each plugin it runs (those enabled at its last start)."""

    __slots__ = ("active", "markers")

    def __init__(self, playback: Playback) -> None:
        self.active: list[FakePlugin] = []
        self.markers: Markers = Markers(playback)

    def session_opened(self, session: FakeSession, *, resumed: bool) -> None:
        for plugin in self.active:
            plugin.session_opened(session, resumed=resumed)

    def session_destroyed(self, session: FakeSession) -> None:
        for player in session.players.values():
            self.markers.forget(player)
        for plugin in self.active:
            plugin.session_destroyed(session)

    def track_started(self, session: FakeSession, player: FakePlayer) -> None:
        for plugin in self.active:
            plugin.track_started(session, player)

    def player_destroyed(self, session: FakeSession, player: FakePlayer) -> None:
        self.markers.forget(player)
        for plugin in self.active:
            plugin.player_destroyed(session, player)

    def scheduled(self, session: FakeSession, player: FakePlayer) -> None:
        """The player's state changed (a seek, a pause, a voice connection, a new scale)."""
        self.markers.moved(session, player)
        for plugin in self.active:
            plugin.moved(session, player)


class _Marks:
    """One track's markers, earliest first, and the timer of the earliest."""

    __slots__ = ("handle", "markers", "session", "track")

    def __init__(self, session: FakeSession, track: models.Track | None) -> None:
        self.session = session
        self.track = track
        self.markers: list[tuple[int, int, MarkerHandler]] = []
        self.handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


class Markers:
    """Every player's track markers (see the module)."""

    __slots__ = ("_by_player", "_order", "_playback")

    def __init__(self, playback: Playback) -> None:
        self._playback = playback
        self._by_player: dict[FakePlayer, _Marks] = {}
        self._order = itertools.count()

    def add(
        self, session: FakeSession, player: FakePlayer, timecode: int, handler: MarkerHandler
    ) -> None:
        """Add a marker to the player's track (`LATE` at once if playback is past it)."""
        if player.track is None:
            return
        if timecode <= player.position:  # `currentTimecode >= marker.timecode`
            handler("LATE")
            return
        marks = self._marks(session, player)
        bisect.insort(marks.markers, (timecode, next(self._order), handler), key=lambda m: m[0])
        self._arm(player, marks)

    def set(
        self, session: FakeSession, player: FakePlayer, timecode: int, handler: MarkerHandler
    ) -> None:
        """Replace every marker of the player's track with this one."""
        marks = self._by_player.get(player)
        if marks is not None:
            marks.markers.clear()
            marks.cancel()
        self.add(session, player, timecode, handler)

    def moved(self, session: FakeSession, player: FakePlayer) -> None:
        """The player's state changed: fire what it passed, set the timer again."""
        marks = self._by_player.get(player)
        if marks is None:
            return
        if marks.track is not player.track or session.players.get(player.guild_id) is not player:
            self.forget(player)
            return
        self._fire(player, marks, "BYPASSED", player.position)
        self._arm(player, marks)

    def forget(self, player: FakePlayer) -> None:
        """Drop the player's markers."""
        marks = self._by_player.pop(player, None)
        if marks is not None:
            marks.cancel()

    def pending(self, player: FakePlayer) -> list[int]:
        """The timecodes of the player's markers still to fire."""
        marks = self._by_player.get(player)
        return [m[0] for m in marks.markers] if marks is not None else []

    def _marks(self, session: FakeSession, player: FakePlayer) -> _Marks:
        marks = self._by_player.get(player)
        if marks is None or marks.track is not player.track:
            if marks is not None:
                marks.cancel()
            marks = self._by_player[player] = _Marks(session, player.track)
        return marks

    def _fire(self, player: FakePlayer, marks: _Marks, state: str, limit: int) -> None:
        # The markers up to `limit` (where playback was when asked), each taken off before its
        # handler runs: a handler may seek (which comes back here) or add the next marker.
        while (
            marks.markers
            and self._by_player.get(player) is marks
            and marks.track is player.track
            and marks.markers[0][0] <= limit
        ):
            _, _, handler = marks.markers.pop(0)
            handler(state)

    def _arm(self, player: FakePlayer, marks: _Marks) -> None:
        marks.cancel()
        if (
            not marks.markers
            or player.track is None
            or player.paused
            or not player.connected
            or self._by_player.get(player) is not marks
        ):
            return
        clock = self._playback.clock
        delay = clock.wall(max(0.0, (marks.markers[0][0] - player.position) / 1000))
        marks.handle = asyncio.get_running_loop().call_later(delay, self._due, player, marks)

    def _due(self, player: FakePlayer, marks: _Marks) -> None:
        marks.handle = None
        if self._by_player.get(player) is not marks or marks.track is not player.track:
            return
        self._fire(player, marks, "REACHED", player.position)
        self._arm(player, marks)
