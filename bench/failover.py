"""Failover: 1,000 players playing on node A; A dies like a SIGKILL; B and C take them.

A real ``hikari.GatewayBot`` (16 shards, see :mod:`bench.join` for why) runs here against
FakeDiscord; nodes A, B and C run in another process (see :mod:`bench.servers`). Every
player joins on A and plays a track; then A is killed (connections cut with no close
frame, sessions lost, port closed). The client resumes for a 1 s window (``resume_timeout``),
then declares A's session lost and moves the players, :data:`MOVE_CONCURRENCY` at a time.

The figure runs from the moment the client declares A dead (a ``NodeUnavailableEvent``
listener: dispatched just before the moves are spawned) to the last move's track PATCH
reaching B or C (stamped in the nodes' process; both CLOCK_MONOTONIC). Every guild is
checked: a track PATCH on B or C, and a player with a track there. Extra figures: the time
from the kill to "declared dead" (the resume window plus detection), and the most PATCHes
to B or C in flight at once (counted with an aiohttp trace on the client's session: one
PATCH per move, so it is the number of moves in flight).

Repeated on fresh fakes and a fresh bot; the reported run is the median one.
"""

from __future__ import annotations

import asyncio
import time
import typing

import aiohttp

import hikari_lavalink as hl
from bench._common import Result, scaled
from bench.servers import quiet_logs, running_bot, running_fakes
from hikari_lavalink.client import MOVE_CONCURRENCY
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    import types

__all__ = ["run"]

PLAYERS = scaled(1_000, 20)
SHARDS = scaled(16, 2)
REPEATS = scaled(3, 1)
RESUME_WINDOW = 1
TIMEOUT = 60.0


class _InFlight:
    """Counts the client's PATCH requests in flight, and the most at once."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.config = aiohttp.TraceConfig()
        self.config.on_request_start.append(self._start)
        self.config.on_request_end.append(self._end)
        self.config.on_request_exception.append(self._end)

    async def _start(
        self, _: aiohttp.ClientSession, __: types.SimpleNamespace, params: typing.Any
    ) -> None:
        if params.method == "PATCH":
            self.now += 1
            self.most = max(self.most, self.now)

    async def _end(
        self, _: aiohttp.ClientSession, __: types.SimpleNamespace, params: typing.Any
    ) -> None:
        if params.method == "PATCH":
            self.now -= 1


async def _once() -> dict[str, float]:
    in_flight = _InFlight()
    session = aiohttp.ClientSession(trace_configs=[in_flight.config])
    try:
        async with (
            running_fakes(SHARDS, PLAYERS, ("a", "b", "c")) as fakes,
            running_bot(fakes, session=session, resume_timeout=RESUME_WINDOW) as (bot, lava),
        ):
            node_a = lava.nodes["a"]
            guilds = [(g.id, g.voice_channel_ids[0]) for g in fakes.guilds]
            players = await asyncio.gather(
                *(lava.join(g, c, node=node_a, timeout=TIMEOUT) for g, c in guilds)
            )
            track = factories.make_track(title="Failover", length=3_600_000)
            await asyncio.gather(*(p.play(track) for p in players))
            playing: dict[str, list[int]] = await fakes.lavalink.ask("playing")
            if len(playing["a"]) != PLAYERS:
                msg = f"{len(playing['a'])} of {PLAYERS} players play on node A"
                raise RuntimeError(msg)

            declared: list[int] = []
            moved = 0
            all_moved = asyncio.Event()

            async def on_unavailable(event: hl.NodeUnavailableEvent) -> None:
                if event.node.name == "a" and not declared:
                    declared.append(time.monotonic_ns())

            async def on_moved(_: hl.PlayerMovedEvent) -> None:
                nonlocal moved
                moved += 1
                if moved >= PLAYERS:
                    all_moved.set()

            bot.subscribe(hl.NodeUnavailableEvent, on_unavailable)
            bot.subscribe(hl.PlayerMovedEvent, on_moved)
            await fakes.lavalink.ask("clear")
            in_flight.most = 0
            killed: int = (await fakes.lavalink.ask("kill a"))["at"]
            await asyncio.wait_for(all_moved.wait(), TIMEOUT)
            patches: dict[str, list[list[int]]] = await fakes.lavalink.ask("patches")
            playing = await fakes.lavalink.ask("playing")
            homes = {g: lava.players[g].node.name for g, _ in guilds if g in lava.players}
    finally:
        await session.close()
    if not declared:
        raise RuntimeError("node A was never declared dead")
    dead_at = declared[0]
    arrived: dict[int, int] = {}
    for name in ("b", "c"):
        for guild, at, _, has_track in patches[name]:
            if has_track and at >= dead_at:
                arrived[guild] = max(arrived.get(guild, at), at)
    on_others = set(playing["b"]) | set(playing["c"])
    bad = [
        g
        for g, _ in guilds
        if g not in arrived or g not in on_others or homes.get(g) not in ("b", "c")
    ]
    if bad:
        msg = f"{len(bad)} player(s) not playing on B or C, e.g. guild {bad[0]}"
        raise RuntimeError(msg)
    return {
        "seconds": (max(arrived.values()) - dead_at) / 1e9,
        "kill -> declared dead s": (dead_at - killed) / 1e9,
        "max moves in flight": float(in_flight.most),
        "on B": float(sum(1 for g in homes.values() if g == "b")),
        "on C": float(sum(1 for g in homes.values() if g == "c")),
    }


async def _run() -> list[Result]:
    with quiet_logs():
        runs = [await _once() for _ in range(REPEATS)]
    runs.sort(key=lambda figures: figures["seconds"])
    median = runs[len(runs) // 2]
    return [
        Result(
            name=f"failover: A declared dead -> {PLAYERS:,} players playing on B/C",
            value=median["seconds"],
            unit="s",
            limit=2.0,
            extra={
                **{k: v for k, v in median.items() if k != "seconds"},
                "best s": runs[0]["seconds"],
                "move concurrency": float(MOVE_CONCURRENCY),
                "runs": float(len(runs)),
            },
        )
    ]


def run() -> list[Result]:
    """Measure failover."""
    return asyncio.run(_run())
