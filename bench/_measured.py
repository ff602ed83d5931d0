"""The process ``bench.instructions`` runs under callgrind: ``python -m bench._measured PLAN``.

``PLAN`` is a JSON file written by the parent: ``{"mode": "ours" | "floor", "runs": [{"players":
p, "count": n, "kinds": [...]}, ...]}``. Every run is one pass of :func:`bench.stream.ours` or
:func:`bench.stream.floor` over a stream of ``count`` messages whose kinds the parent worked
out (so this process never builds the stream: ``json.dumps`` and ``random`` would cost more
than the loops measured). The ``clock`` handed to the loop calls :data:`MARKER`, a libc
function nothing else here calls; callgrind runs with ``--dump-before=MARKER``, so each end of
a measured region starts a new dump: the cost of run ``i`` (from 1) is in dump ``2 * i``.
Prints ``DONE <runs>`` at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import typing

from bench import stream

__all__ = ["MARKER", "main"]

MARKER: typing.Final = "getsid"
"""The libc function whose entry starts a callgrind dump (``os.getsid`` calls it)."""


class Run(typing.TypedDict):
    players: int
    count: int
    kinds: list[str]


class Plan(typing.TypedDict):
    mode: typing.Literal["ours", "floor"]
    runs: list[Run]


def _mark() -> float:
    os.getsid(0)
    return 0.0


async def _main(plan: Plan) -> None:
    server = await stream.Server.start()
    loop = stream.ours if plan["mode"] == "ours" else stream.floor
    try:
        for run in plan["runs"]:
            stream.COUNT = run["count"]
            await loop(server, run["players"], kinds=run["kinds"], clock=_mark)
    finally:
        await server.stop()


def main(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        plan = typing.cast("Plan", json.load(file))
    asyncio.run(_main(plan))
    print(f"DONE {len(plan['runs'])}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
