"""The fake node's clock, its players, and the timers that move them along.

Lavalink plays in real time. The fake plays on a `Clock` that runs `time_scale` times
as fast as wall time (1 by default), so that a test can watch a three-minute track end in
1.8 s. Everything the node measures in its own time follows that clock: positions, track ends
(at the track's length or `endTime`), the `playerUpdate` and `stats` intervals, and the
reported uptime. A new scale takes effect at once: positions carry on from where they were and
every timer is set again. Wall time stays wall time where the server reads a wall clock (the
`time` of a player state) and where the client sets a duration (a session's resume timeout).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import filters, models, requests
from hikari_lavalink.testing.fake_lavalink.stats import DEFAULT_CPU, DEFAULT_MEMORY, StatsFigures

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession
    from hikari_lavalink.testing.fake_lavalink.wire import Wire

__all__ = ["Clock", "FakePlayer", "Playback"]


class Clock:
    """The node's time in seconds: it runs `scale` times as fast as `time.monotonic()`.

    Parameters
    ----------
    scale
        How many seconds of the node's time pass in one second of wall time (> 0).
    """

    __slots__ = ("_origin", "_scale", "_wall")

    def __init__(self, scale: float = 1.0) -> None:
        self._scale = _positive(scale)
        self._wall = self._origin = time.monotonic()

    @override
    def __repr__(self) -> str:
        return f"Clock(scale={self._scale})"

    def now(self) -> float:
        """The node's time now (at scale 1 the same as `time.monotonic()`)."""
        return self._origin + (time.monotonic() - self._wall) * self._scale

    @property
    def scale(self) -> float:
        """Node seconds per wall second; a new value carries on from the node's time now."""
        return self._scale

    @scale.setter
    def scale(self, value: float) -> None:
        scale = _positive(value)
        wall = time.monotonic()
        self._origin += (wall - self._wall) * self._scale
        self._wall = wall
        self._scale = scale

    def wall(self, seconds: float) -> float:
        """How many wall seconds `seconds` of the node's time take."""
        return seconds / self._scale


def _positive(scale: float) -> float:
    if not (math.isfinite(scale) and scale > 0):
        msg = f"time_scale must be a positive finite number, not {scale!r}"
        raise ValueError(msg)
    return float(scale)


class FakePlayer:
    """A player on the fake node (read it in assertions; do not change it)."""

    __slots__ = (
        "_clock",
        "base",
        "connected",
        "end_handle",
        "end_time",
        "filters",
        "guild_id",
        "paused",
        "ping",
        "since",
        "track",
        "update_handle",
        "voice",
        "volume",
    )

    def __init__(self, guild_id: int, clock: Clock | None = None) -> None:
        self._clock = clock if clock is not None else Clock()
        self.guild_id: int = guild_id
        self.track: models.Track | None = None
        self.volume: int = 100
        self.paused: bool = False
        self.filters: filters.Filters = filters.Filters()
        self.voice: requests.VoiceUpdate | None = None
        self.connected: bool = False
        self.ping: int = -1
        self.end_time: int | None = None
        self.base: int = 0
        self.since: float = self._clock.now()
        self.end_handle: asyncio.TimerHandle | None = None
        self.update_handle: asyncio.TimerHandle | None = None

    @override
    def __repr__(self) -> str:
        title = self.track.info.title if self.track else None
        return f"FakePlayer(guild_id={self.guild_id}, track={title!r}, position={self.position})"

    @property
    def position(self) -> int:
        """The track position in ms, advancing with the node's clock while playing.

        The clock runs
        [`FakeLavalink.time_scale`][hikari_lavalink.testing.FakeLavalink.time_scale]
        times as fast as wall time (real time by default).
        """
        if self.track is None:
            return 0
        # Frames are only pulled for a player with a voice connection: without one (never
        # sent, or closed), Lavalink's player does not advance, and its track never ends.
        still = self.paused or not self.connected
        elapsed = 0 if still else int((self._clock.now() - self.since) * 1000)
        position = self.base + elapsed
        return position if self.track.info.is_stream else min(position, self.track.info.length)

    def set_position(self, position: int) -> None:
        self.base = max(0, position)
        self.since = self._clock.now()

    def cancel_timers(self) -> None:
        for handle in (self.end_handle, self.update_handle):
            if handle is not None:
                handle.cancel()
        self.end_handle = None
        self.update_handle = None


class Playback:
    """The timers: each playing player's track end and `playerUpdate`, each session's stats."""

    __slots__ = ("_node", "_sessions", "_started_at", "_wire", "clock", "cpu_load_key", "figures")

    def __init__(
        self,
        node: FakeLavalink,
        sessions: collections.abc.Mapping[str, FakeSession],
        wire: Wire,
        clock: Clock,
    ) -> None:
        self._node = node
        self._sessions = sessions
        self._wire = wire
        self.clock: Clock = clock
        self.figures: StatsFigures = StatsFigures()
        """The stats figures a test set (`set_stats`)."""
        self.cpu_load_key: str = "lavalinkLoad"
        """The key of the process's CPU load in stats (NodeLink's is `nodelinkLoad`)."""
        self._started_at = clock.now()

    def player(self, guild_id: int) -> FakePlayer:
        """A new idle player on this clock."""
        return FakePlayer(guild_id, self.clock)

    def now_playing(self, player: FakePlayer) -> models.Track:
        """The player's track with its position now (`info.position`)."""
        assert player.track is not None
        info = msgspec.structs.replace(player.track.info, position=player.position)
        return msgspec.structs.replace(player.track, info=info)

    def schedule(self, session: FakeSession, player: FakePlayer) -> None:
        """(Re)set the player's track end and `playerUpdate` timers (and its plugins' track
        markers) from its state now."""
        self._node.plugin_hooks.scheduled(session, player)
        player.cancel_timers()
        track = player.track
        if track is None or player.paused:
            return
        loop = asyncio.get_running_loop()
        clock = self.clock
        end = track.info.length if not track.info.is_stream else None
        if player.end_time is not None:
            end = player.end_time if end is None else min(end, player.end_time)
        if end is not None and player.connected:  # no voice: no frames, no end
            delay = clock.wall(max(0.0, (end - player.position) / 1000))
            player.end_handle = loop.call_later(delay, self.finish, session, player, "finished")

        def update() -> None:
            if (
                player.track is None
                or player.paused
                or session.players.get(player.guild_id) is not player
            ):
                return
            self._wire.player_update(session, player)
            player.update_handle = loop.call_later(interval(), update)

        def interval() -> float:
            return clock.wall(self._node.player_update_interval)

        player.update_handle = loop.call_later(interval(), update)

    def finish(self, session: FakeSession, player: FakePlayer, reason: str) -> None:
        """End the player's track with `TrackEndEvent(reason)` (nothing if it has none)."""
        if player.track is None:
            return
        track = self.now_playing(player)
        player.cancel_timers()
        player.track = None
        player.end_time = None
        player.set_position(0)
        self._wire.event(session, player.guild_id, "TrackEndEvent", track=track, reason=reason)

    def start_stats(self, session: FakeSession) -> None:
        """Send the session `stats` every `stats_interval` until it is destroyed."""
        if session.stats_handle is not None:
            session.stats_handle.cancel()
        loop = asyncio.get_running_loop()

        def tick() -> None:
            if self._sessions.get(session.id) is not session:
                return
            self.send_stats(session)
            session.stats_handle = loop.call_later(interval(), tick)

        def interval() -> float:
            return self.clock.wall(self._node.stats_interval)

        session.stats_handle = loop.call_later(interval(), tick)

    def send_stats(self, session: FakeSession) -> None:
        """Send a `stats` message: `frameStats` is `null` unless the session has a
        playing player and the test set frame figures (the fake sends no audio)."""
        payload = self.stats_json()
        payload["op"] = "stats"
        frames = self.figures.frame_stats
        playing = any(p.track is not None and not p.paused for p in session.players.values())
        shown = frames is not None and playing
        payload["frameStats"] = msgspec.to_builtins(frames) if shown else None
        self._wire.send(session, json.dumps(payload))

    def stats_json(self) -> dict[str, typing.Any]:
        """The node's stats now as JSON (`cpu_load_key` names the process's load)."""
        payload: dict[str, typing.Any] = msgspec.to_builtins(self.stats())
        cpu = payload["cpu"]
        cpu.pop("nodelinkLoad", None)
        cpu[self.cpu_load_key] = cpu.pop("lavalinkLoad", 0.0)
        return payload

    def stats(self) -> models.Stats:
        """The node's stats now (no frame stats): the players of live sessions, uptime on the
        node's clock, and whatever figures the test set instead."""
        live = [s for s in self._sessions.values() if not s.paused]
        players = [p for s in live for p in s.players.values()]
        own = models.Stats(
            players=len(players),
            playing_players=sum(1 for p in players if p.track is not None and not p.paused),
            uptime=int((self.clock.now() - self._started_at) * 1000),
            memory=DEFAULT_MEMORY,
            cpu=DEFAULT_CPU,
        )
        return self.figures.apply(own)

    def started(self) -> None:
        """The node (re)started listening: its uptime counts from now."""
        self._started_at = self.clock.now()

    def rescale(self, scale: float) -> None:
        """Run the clock at `scale` from now on and set every running timer again."""
        self.clock.scale = scale
        for session in self._sessions.values():
            if session.stats_handle is not None:
                self.start_stats(session)
            for player in session.players.values():
                self.schedule(session, player)
