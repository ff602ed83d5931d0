"""``python -m bench``: run every benchmark module in ``bench/`` and print a summary.

A benchmark module is any public module of this package with ``run() -> list[Result]``.

Options:

- ``--only=a,b``: run only these modules (e.g. ``--only=stream,memory``);
- ``--json=PATH``: also write every result as JSON (``docs/perf`` reads it for the plot);
- ``--strict``: exit with status 1 when a target is missed;
- ``--quick``: tiny sizes, to check that every benchmark still runs (figures meaningless);
- ``--repeats=N``: best of N runs for the in-process decode benchmarks (default 5).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import typing

if typing.TYPE_CHECKING:
    from bench._common import Result

NOT_BENCHMARKS = frozenset({"payloads", "plot", "servers"})


def benchmarks(only: set[str] | None) -> list[tuple[str, typing.Callable[[], list[Result]]]]:
    """Every ``bench.<module>.run``, in name order."""
    import bench

    found: list[tuple[str, typing.Callable[[], list[Result]]]] = []
    for module in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        name = module.name
        if name.startswith("_") or name in NOT_BENCHMARKS or (only and name not in only):
            continue
        run = getattr(importlib.import_module(f"bench.{name}"), "run", None)
        if callable(run):
            found.append((name, typing.cast("typing.Callable[[], list[Result]]", run)))
    return found


def _options(argv: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for arg in argv:
        key, _, value = arg.removeprefix("--").partition("=")
        options[key] = value
    return options


def main() -> int:
    options = _options(sys.argv[1:])
    if "quick" in options:
        os.environ["BENCH_QUICK"] = "1"  # read by bench._common at import
    import msgspec

    from bench import decode

    if options.get("repeats"):
        decode.REPEATS = int(options["repeats"])
    only = set(options["only"].split(",")) if options.get("only") else None
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"msgspec {msgspec.__version__}, {platform.machine()} {platform.system()}, "
        f"{os.cpu_count()} cores{', QUICK (figures meaningless)' if 'quick' in options else ''}"
    )
    results: list[tuple[str, Result]] = []
    for name, run in benchmarks(only):
        print(f"[{name}]", flush=True)
        started = time.perf_counter()
        for result in run():
            results.append((name, result))
            print(f"  {_line(result)}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    missed = _summary([result for _, result in results])
    if options.get("json"):
        with open(options["json"], "w", encoding="utf-8") as out:
            json.dump([_as_json(module, result) for module, result in results], out, indent=1)
    return 1 if missed and "strict" in options else 0


def _line(result: Result) -> str:
    text = f"{result.name}: {result.value:,.3f} {result.unit}"
    if result.floor is not None:
        text += f", floor {result.floor:,.3f}, ratio {result.ratio:.2f}"
        if result.paired_ratio is not None:
            text += f" (median of the pairs; best of each: {result.value / result.floor:.2f})"
    for key, value in result.extra.items():
        text += f", {key} {value:,.3f}"
    return text


def _summary(results: list[Result]) -> int:
    if not results:
        print("no benchmark ran")
        return 0
    width = max(len(result.name) for result in results)
    print()
    header = f"{'benchmark':<{width}}  {'ours':>11}  {'floor':>11}  {'ratio':>5}  verdict  target"
    print(header)
    missed = 0
    for result in results:
        floor = f"{result.floor:>11,.3f}" if result.floor is not None else f"{'-':>11}"
        ratio = f"{result.ratio:>5.2f}" if result.ratio is not None else f"{'-':>5}"
        ok = result.ok
        verdict = "-" if ok is None else ("ok" if ok else "MISSED")
        missed += ok is False
        print(
            f"{result.name:<{width}}  {result.value:>11,.3f}  {floor}  {ratio}  "
            f"{verdict:<7}  {result.target()} ({result.unit})"
        )
    return missed


def _as_json(module: str, result: Result) -> dict[str, typing.Any]:
    return {
        "module": module,
        "name": result.name,
        "value": result.value,
        "unit": result.unit,
        "floor": result.floor,
        "ratio": result.ratio,
        "paired_ratio": result.paired_ratio,
        "max_ratio": result.max_ratio,
        "limit": result.limit,
        "ok": result.ok,
        "group": result.group,
        "x": result.x,
        "extra": result.extra,
    }


if __name__ == "__main__":
    sys.exit(main())
