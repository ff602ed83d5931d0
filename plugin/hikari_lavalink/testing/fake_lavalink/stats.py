"""The figures the fake node reports in `stats` messages and `GET /v4/stats`.

By default they are the node's own (`StatsCollector` on the real server): `players` and
`playingPlayers` count the players of the connected sessions (a paused session's do not
count), `uptime` runs on the node's clock, and memory and CPU are fixed, plausible numbers.
[`FakeLavalink.set_stats`][hikari_lavalink.testing.FakeLavalink.set_stats] replaces
any of them with a test's numbers, which then stay until
[`reset_stats`][hikari_lavalink.testing.FakeLavalink.reset_stats].

`frameStats` follows the server's rule: absent over REST, and on the WebSocket `null`
unless the session has a playing player (a track, not paused), whose figures (set by the test:
the fake sends no audio) it then carries.
"""

from __future__ import annotations

import math
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import models

__all__ = ["DEFAULT_CPU", "DEFAULT_MEMORY", "StatsFigures"]

DEFAULT_MEMORY: typing.Final = models.Memory(
    free=100_000_000, used=50_000_000, allocated=150_000_000, reservable=1_000_000_000
)
DEFAULT_CPU: typing.Final = models.Cpu(cores=2, system_load=0.1, lavalink_load=0.05)

_Unset: typing.TypeAlias = msgspec.UnsetType


class StatsFigures:
    """The figures a test set (`UNSET`: the node's own), checked as the server bounds them."""

    __slots__ = (
        "cores",
        "frame_stats",
        "lavalink_load",
        "memory",
        "players",
        "playing_players",
        "system_load",
        "uptime",
    )

    players: int | _Unset
    playing_players: int | _Unset
    uptime: int | _Unset
    cores: int | _Unset
    system_load: float | _Unset
    lavalink_load: float | _Unset
    memory: models.Memory | _Unset
    frame_stats: models.FrameStats | None

    def __init__(self) -> None:
        self.reset()

    @override
    def __repr__(self) -> str:
        fields = {name: getattr(self, name) for name in self.__slots__}
        shown = ", ".join(f"{k}={v!r}" for k, v in fields.items() if v not in (msgspec.UNSET, None))
        return f"StatsFigures({shown})"

    def set(
        self,
        *,
        players: int | _Unset,
        playing_players: int | _Unset,
        uptime: int | _Unset,
        cores: int | _Unset,
        system_load: float | _Unset,
        lavalink_load: float | _Unset,
        memory: models.Memory | _Unset,
        frame_stats: models.FrameStats | _Unset | None,
    ) -> None:
        """Set the figures given (the others keep their value); `ValueError` for a figure
        Lavalink cannot report, and then nothing changes."""
        for name, count in (("players", players), ("playing_players", playing_players)):
            _check(count, name, minimum=0)
        _check(uptime, "uptime", minimum=0)
        _check(cores, "cores", minimum=1)
        for name, load in (("system_load", system_load), ("lavalink_load", lavalink_load)):
            if not isinstance(load, _Unset) and not (math.isfinite(load) and 0.0 <= load <= 1.0):
                msg = f"{name} must be within 0.0-1.0 (Lavalink clamps it), not {load!r}"
                raise ValueError(msg)
        if not isinstance(memory, _Unset):
            if min(memory.free, memory.used, memory.allocated, memory.reservable) < 0:
                msg = f"memory figures are byte counts, never negative: {memory!r}"
                raise ValueError(msg)
            if memory.used != memory.allocated - memory.free:
                msg = f"memory.used must be allocated - free, as the JVM's: {memory!r}"
                raise ValueError(msg)
        if (
            isinstance(frame_stats, models.FrameStats)
            and min(frame_stats.sent, frame_stats.nulled) < 0
        ):
            msg = f"frame_stats.sent and .nulled are frame counts, never negative: {frame_stats!r}"
            raise ValueError(msg)
        total = players if not isinstance(players, _Unset) else self.players
        playing = (
            playing_players if not isinstance(playing_players, _Unset) else self.playing_players
        )
        if not isinstance(total, _Unset) and not isinstance(playing, _Unset) and playing > total:
            msg = f"playing_players ({playing}) cannot exceed players ({total})"
            raise ValueError(msg)
        for name, value in (
            ("players", players),
            ("playing_players", playing_players),
            ("uptime", uptime),
            ("cores", cores),
            ("system_load", system_load),
            ("lavalink_load", lavalink_load),
            ("memory", memory),
            ("frame_stats", frame_stats),
        ):
            if not isinstance(value, _Unset):
                setattr(self, name, value)

    def reset(self) -> None:
        """Back to the node's own figures."""
        self.players = self.playing_players = self.uptime = self.cores = msgspec.UNSET
        self.system_load = self.lavalink_load = self.memory = msgspec.UNSET
        self.frame_stats = None

    def apply(self, stats: models.Stats) -> models.Stats:
        """`stats` (the node's own figures, with no frame stats) with the test's instead."""
        cpu = stats.cpu
        changes: dict[str, typing.Any] = {
            name: value
            for name, value in (
                ("players", self.players),
                ("playing_players", self.playing_players),
                ("uptime", self.uptime),
                ("memory", self.memory),
            )
            if not isinstance(value, _Unset)
        }
        changes["cpu"] = models.Cpu(
            cores=cpu.cores if isinstance(self.cores, _Unset) else self.cores,
            system_load=cpu.system_load
            if isinstance(self.system_load, _Unset)
            else self.system_load,
            lavalink_load=(
                cpu.lavalink_load if isinstance(self.lavalink_load, _Unset) else self.lavalink_load
            ),
        )
        return msgspec.structs.replace(stats, **changes)


def _check(value: int | _Unset, name: str, *, minimum: int) -> None:
    if not isinstance(value, _Unset) and value < minimum:
        msg = f"{name} must be at least {minimum}, not {value!r}"
        raise ValueError(msg)
