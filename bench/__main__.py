"""``python -m bench``: run every benchmark module in ``bench/`` and print a summary.

A benchmark module is any module of this package with a ``run()`` that returns rows of
``(name, ours, floor, unit)``. Options: ``--strict`` makes a missed target exit with
status 1; ``--repeats=N`` takes the best of N runs instead of 5 (useful on a busy machine).
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
import typing

import msgspec

import bench
from bench import decode

TARGET = 1.3
NOT_BENCHMARKS = frozenset({"payloads"})

Row: typing.TypeAlias = tuple[str, float, float, str]


def benchmarks() -> list[tuple[str, typing.Callable[[], list[Row]]]]:
    """Every ``bench.<module>.run``, in name order."""
    found: list[tuple[str, typing.Callable[[], list[Row]]]] = []
    for module in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if module.name.startswith("_") or module.name in NOT_BENCHMARKS:
            continue
        run = getattr(importlib.import_module(f"bench.{module.name}"), "run", None)
        if callable(run):
            found.append((module.name, typing.cast("typing.Callable[[], list[Row]]", run)))
    return found


def main() -> int:
    for arg in sys.argv[1:]:
        if arg.startswith("--repeats="):
            decode.REPEATS = int(arg.partition("=")[2])
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"msgspec {msgspec.__version__}, {platform.machine()} {platform.system()}, "
        f"best of {decode.REPEATS}"
    )
    rows: list[Row] = []
    for name, run in benchmarks():
        print(f"[{name}]")
        rows.extend(run())
    width = max(len(name) for name, *_ in rows)
    print()
    print(f"{'benchmark':<{width}}  {'ours':>10}  {'floor':>10}  {'ratio':>5}  target  unit")
    missed = 0
    for name, ours, floor, unit in rows:
        ratio = ours / floor
        verdict = "ok" if ratio <= TARGET else "MISSED"
        missed += ratio > TARGET
        print(
            f"{name:<{width}}  {ours:>10,.3f}  {floor:>10,.3f}  {ratio:>5.2f}  "
            f"<= {TARGET} {verdict:<6}  {unit}"
        )
    return 1 if missed and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
