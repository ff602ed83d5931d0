"""WS stream in instructions per message: the deterministic twin of ``bench.stream``.

CPU time on a small, shared machine is noisy (the stream's ratio swings by a third between
runs); the number of instructions executed is not. This runs the same two loops as
``bench.stream`` (ours: ``LavalinkClient`` on a ``hikari.GatewayBot``; the floor: aiohttp
``receive()`` and one ``msgspec`` decode) under ``valgrind --tool=callgrind``, in
``bench._measured``; the FakeLavalink server runs natively in its own process (callgrind does
not trace children).

- Only the region ``bench.stream`` times is counted: its ``clock`` is swapped for a marker
  that makes callgrind dump its counters (``--dump-before``), so start-up, imports, creating
  the players and building the floor's plan are not in the figure, nor is the stream's
  generation (the parent works out the kinds of the messages and hands them over).
- Each player count is run with ``SHORT`` and ``LONG`` messages, and the figure is
  ``(Ir(LONG) - Ir(SHORT)) / (LONG - SHORT)``: what is fixed per run (the push request, the
  end frame, waking up) cancels out. One unmeasured ``SHORT`` run first takes what happens
  once per process (lazy imports, first calls).
- Ours and the floor run at the same time, in two processes (one per core), with
  ``PYTHONHASHSEED=0``. Skipped in quick mode (too slow for a smoke run) and without
  valgrind.
- Cache misses come from callgrind's cache simulation, with this machine's L1 (32 KiB,
  8-way, 64 B lines) and its per-core L2 (512 KiB) in the role of the last level: an "L2
  miss" is a line fetched from L3 or memory. They are printed beside each figure (per
  message, ours and the floor), as the deterministic view of what CPU time adds to the
  instruction count when players grow cold: the simulation is of the same run, not a
  second one.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import typing

from bench._common import QUICK, Result
from bench._measured import MARKER
from bench.stream import stream_kinds

if typing.TYPE_CHECKING:
    from bench._measured import Plan, Run

__all__ = ["LONG", "PLAYER_COUNTS", "SHORT", "counts_of", "misses", "per_message", "run"]

PLAYER_COUNTS = (0, 10, 1_000, 10_000)
SHORT = 100
LONG = 10_000
TIMEOUT = 900.0
"""Seconds for both measured processes together."""
ROOT = pathlib.Path(__file__).resolve().parent.parent
_EVENTS = re.compile(rb"^events:\s*(.+?)\s*$", re.MULTILINE)
_SUMMARY = re.compile(rb"^summary:\s*(.+?)\s*$", re.MULTILINE)
CACHES = ("--cache-sim=yes", "--I1=32768,8,64", "--D1=32768,8,64", "--LL=524288,8,64")
"""This machine's L1 caches, and its per-core L2 as callgrind's last level."""


def _plan(mode: typing.Literal["ours", "floor"]) -> Plan:
    sizes = [(PLAYER_COUNTS[0], SHORT)]  # warm-up, not measured
    sizes += [(players, count) for players in PLAYER_COUNTS for count in (SHORT, LONG)]
    runs: list[Run] = [
        {"players": players, "count": count, "kinds": stream_kinds(players, count)}
        for players, count in sizes
    ]
    return {"mode": mode, "runs": runs}


Counts: typing.TypeAlias = dict[str, int]
"""callgrind's events of one region: ``Ir`` (instructions), ``D1mr``, ``DLmr``..."""


def counts_of(out: pathlib.Path, runs: int) -> list[Counts]:
    """Events of each measured region: run ``i`` (from 0) is dump ``2 * i + 2``."""
    dumps = sorted(out.parent.glob(f"{out.name}.*"), key=lambda p: int(p.suffix[1:]))
    if len(dumps) != 2 * runs:
        raise RuntimeError(f"{out.name}: {len(dumps)} callgrind dumps, expected {2 * runs}")
    counts: list[Counts] = []
    for dump in dumps[1::2]:
        data = dump.read_bytes()
        names, found = _EVENTS.search(data), _SUMMARY.search(data)
        if names is None or found is None:
            raise RuntimeError(f"{dump.name}: no events or summary line")
        values = [int(value) for value in found[1].split()]
        counts.append(dict(zip(names[1].decode().split(), values, strict=True)))
    return counts


def per_message(counts: list[Counts], index: int, event: str) -> float:
    return (counts[2 * index + 1][event] - counts[2 * index][event]) / (LONG - SHORT)


def misses(counts: list[Counts], index: int) -> tuple[float, float]:
    """Data misses per message: L1 (reads and writes), and L2 (lines from L3 or memory)."""
    l1 = per_message(counts, index, "D1mr") + per_message(counts, index, "D1mw")
    l2 = per_message(counts, index, "DLmr") + per_message(counts, index, "DLmw")
    return l1, l2


def _measure(valgrind: str, temp: pathlib.Path) -> dict[str, list[Counts]]:
    """Events of every run of each mode (ours and the floor at the same time)."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("BENCH_QUICK", None)
    started: dict[str, tuple[subprocess.Popen[bytes], pathlib.Path, int]] = {}
    try:
        for mode in ("ours", "floor"):
            plan = _plan(mode)
            plan_path = temp / f"{mode}.json"
            plan_path.write_text(json.dumps(plan), encoding="utf-8")
            out = temp / mode / "callgrind.out"
            out.parent.mkdir()
            command = [
                valgrind, "--tool=callgrind", *CACHES, f"--callgrind-out-file={out}",
                f"--dump-before={MARKER}", sys.executable, "-m", "bench._measured", str(plan_path),
            ]  # fmt: skip
            with (temp / f"{mode}.log").open("wb") as log:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            started[mode] = (process, out, len(plan["runs"]))
        deadline = time.monotonic() + TIMEOUT
        for mode, (process, _, _) in started.items():
            code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
            if code != 0:
                log = (temp / f"{mode}.log").read_text(errors="replace")
                raise RuntimeError(f"{mode} under callgrind exited with {code}:\n{log[-3000:]}")
        return {mode: counts_of(out, runs)[1:] for mode, (_, out, runs) in started.items()}
    finally:
        for process, _, _ in started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 9)
                process.wait()


def run() -> list[Result]:
    """Instructions per message, ours and the floor, at every player count."""
    if QUICK:
        print("  skipped in quick mode (valgrind is too slow for a smoke run)")
        return []
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("  skipped: valgrind is not on PATH")
        return []
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as temp:
        counts = _measure(valgrind, pathlib.Path(temp))
    results: list[Result] = []
    for index, players in enumerate(PLAYER_COUNTS):
        ours, floor = (per_message(counts[mode], index, "Ir") for mode in ("ours", "floor"))
        (ours_l1, ours_l2), (floor_l1, floor_l2) = (
            misses(counts[mode], index) for mode in ("ours", "floor")
        )
        results.append(
            Result(
                f"WS stream instructions, {players:,} players",
                ours,
                "instr/msg",
                floor=floor,
                max_ratio=1.5,
                group="stream-instructions",
                x=players,
                extra={
                    "L1 misses": ours_l1,
                    "floor L1": floor_l1,
                    "L2 misses": ours_l2,
                    "floor L2": floor_l2,
                },
            )
        )
    return results
