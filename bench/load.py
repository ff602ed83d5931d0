"""``load_tracks`` over a real socket: a 1,000-track playlist and a 10-result search, through
``LavalinkClient.load_tracks`` (node selection, the route, the aiohttp REST transport, the
decode), against a floor measured in the same run.

- The server, a FakeLavalink, runs in another process (``python -m bench.servers
  catalogue``) so its CPU is not counted. Its catalogue is decoded from the bytes of
  :func:`bench.payloads.playlist` and :func:`bench.payloads.search`; before timing, the
  JSON it serves is checked to be the same JSON value as those bytes (it is re-encoded
  compactly, so not the same bytes).
- The figure is this process's CPU time per load (``time.process_time``); the wall time
  per load is reported alongside.
- Floor: a bare aiohttp GET of the same URL (built once) with the same headers on a reused
  ``ClientSession``, ``await response.read()``, then one ``msgspec`` decode into the
  minimal Structs of :mod:`bench.decode` (``FPlaylistResult`` / ``FSearchResult``).
- Ours and the floor alternate load by load; a round is ``*_LOADS`` loads of each, and
  the figure is the best round's mean (best of ``ROUNDS``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import time
import typing

import aiohttp
import hikari
import msgspec
import yarl

import hikari_lavalink as hl
from bench._common import Result, scaled
from bench.decode import FPlaylistResult, FSearchResult
from bench.payloads import playlist, search
from bench.servers import PASSWORD, PLAYLIST_IDENTIFIER, SEARCH_IDENTIFIER, FakeProcess
from hikari_lavalink.protocol import routes
from hikari_lavalink.transport.rest import DEFAULT_USER_AGENT

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["run"]

PLAYLIST_SIZE = 1_000
SEARCH_SIZE = 10
ROUNDS = scaled(10, 1)
PLAYLIST_LOADS = scaled(30, 2)
"""Loads per side and round of the playlist."""
SEARCH_LOADS = scaled(600, 5)
"""Loads per side and round of the search."""
WARMUP = scaled(5, 1)
USER_ID = 100000000000000001

Load: typing.TypeAlias = "collections.abc.Callable[[], collections.abc.Awaitable[object]]"


async def _compare(ours: Load, floor: Load, loads: int) -> dict[str, float]:
    """Best CPU and wall seconds per load of each side over ``ROUNDS`` rounds.

    Within a round the two sides alternate load by load (which goes first alternates too),
    so that a burst of machine noise hits both alike.
    """
    best = {"ours": math.inf, "floor": math.inf}
    best_wall = {"ours": math.inf, "floor": math.inf}
    for _ in range(WARMUP):
        await ours()
        await floor()
    clock, wall_clock = time.process_time, time.perf_counter
    for _ in range(ROUNDS):
        cpu = {"ours": 0.0, "floor": 0.0}
        wall = {"ours": 0.0, "floor": 0.0}
        gc.collect()
        for index in range(loads):
            sides = (
                (("ours", ours), ("floor", floor))
                if index % 2
                else (("floor", floor), ("ours", ours))
            )
            for side, load in sides:
                started, wall_started = clock(), wall_clock()
                await load()
                cpu[side] += clock() - started
                wall[side] += wall_clock() - wall_started
        for side, value in best.items():
            best[side] = min(value, cpu[side] / loads)
            best_wall[side] = min(best_wall[side], wall[side] / loads)
    return {
        "ours": best["ours"],
        "floor": best["floor"],
        "ours_wall": best_wall["ours"],
        "floor_wall": best_wall["floor"],
    }


class _Bench:
    """One client and one bare session against the catalogue fake."""

    def __init__(self, port: int, lava: hl.LavalinkClient, session: aiohttp.ClientSession) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self.lava = lava
        self.session = session
        self.headers = {"Authorization": PASSWORD, "User-Agent": DEFAULT_USER_AGENT}

    async def get(self, url: yarl.URL) -> bytes:
        async with self.session.get(url, headers=self.headers) as response:
            assert response.status == 200, response.status
            return await response.read()

    async def measure(
        self,
        identifier: str,
        raw: bytes,
        floor_type: type[FPlaylistResult | FSearchResult],
        tracks: int,
        loads: int,
    ) -> dict[str, float]:
        """Check both sides against ``raw``, then time them."""
        url = yarl.URL(self.base_url + routes.load_tracks(identifier).url, encoded=True)
        served = await self.get(url)
        if json.loads(served) != json.loads(raw):
            msg = f"the fake does not serve the JSON of the payload for {identifier!r}"
            raise AssertionError(msg)
        expected = hl.decode_load_result(raw)
        result = await self.lava.load_tracks(identifier)
        assert result == expected, identifier
        assert len(result.tracks) == tracks, (len(result.tracks), tracks)
        floor_decode = msgspec.json.Decoder(floor_type, strict=False).decode
        decoded = floor_decode(served)
        floor_tracks = decoded.data if isinstance(decoded, FSearchResult) else decoded.data.tracks
        assert len(floor_tracks) == tracks, (len(floor_tracks), tracks)

        lava, session, headers = self.lava, self.session, self.headers

        async def ours() -> object:
            return await lava.load_tracks(identifier)

        async def floor() -> object:
            async with session.get(url, headers=headers) as response:
                body = await response.read()
            return floor_decode(body)

        figures = await _compare(ours, floor, loads)
        figures["bytes"] = float(len(served))
        return figures


def _result(name: str, figures: dict[str, float], unit: str, x: int) -> Result:
    scale = 1e3 if unit == "ms" else 1e6
    return Result(
        name,
        figures["ours"] * scale,
        f"{unit}/load CPU",
        floor=figures["floor"] * scale,
        max_ratio=1.3,
        group="load",
        x=x,
        extra={
            f"wall {unit}": figures["ours_wall"] * scale,
            f"floor wall {unit}": figures["floor_wall"] * scale,
            "wall ratio": figures["ours_wall"] / figures["floor_wall"],
            "KiB served": figures["bytes"] / 1024,
        },
    )


async def _run() -> list[Result]:
    fake = await FakeProcess.spawn("catalogue", str(PLAYLIST_SIZE), str(SEARCH_SIZE))
    try:
        port = int(fake.info["port"])
        bot = hikari.GatewayBot(
            "MTAwMDAwMDAwMDAwMDAwMDAx.bench.token", banner=None, suppress_optimization_warning=True
        )
        lava = hl.LavalinkClient(bot, auto_start=False)
        lava.add_node(name="bench", host="127.0.0.1", port=port, password=PASSWORD)
        try:
            await lava.start(user_id=USER_ID)
            await lava.wait_ready(timeout=10)
            async with aiohttp.ClientSession() as session:
                bench = _Bench(port, lava, session)
                big = await bench.measure(
                    PLAYLIST_IDENTIFIER,
                    playlist(PLAYLIST_SIZE),
                    FPlaylistResult,
                    PLAYLIST_SIZE,
                    PLAYLIST_LOADS,
                )
                small = await bench.measure(
                    SEARCH_IDENTIFIER, search(SEARCH_SIZE), FSearchResult, SEARCH_SIZE, SEARCH_LOADS
                )
        finally:
            await lava.close()
        served = await fake.ask("requests")
        # One check GET and one checked load each, then both sides' warm-up and timed loads.
        expected = {
            PLAYLIST_IDENTIFIER: 2 + 2 * (WARMUP + ROUNDS * PLAYLIST_LOADS),
            SEARCH_IDENTIFIER: 2 + 2 * (WARMUP + ROUNDS * SEARCH_LOADS),
        }
        assert served == expected, (served, expected)
    finally:
        await fake.close()
    return [
        _result(
            f"load_tracks, {PLAYLIST_SIZE:,}-track playlist (socket)", big, "ms", PLAYLIST_SIZE
        ),
        _result(f"load_tracks, {SEARCH_SIZE}-result search (socket)", small, "µs", SEARCH_SIZE),
    ]


def run() -> list[Result]:
    """Measure both loads against the catalogue fake."""
    return asyncio.run(_run())
