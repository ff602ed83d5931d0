"""The benchmark suite still runs: ``python -m bench --quick`` (tiny sizes, no timing checked).

The figures of a quick run mean nothing and are not asserted on; what is checked is that
every benchmark module runs its real code path to the end and reports finite figures.
The run takes a while (a subprocess of 10 to 20 s): it is marked ``bench``, so that
``pytest -m "not bench"`` leaves it out; ``make test`` runs it, beside the other tests.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXPECTED = {"decode", "failover", "join", "load", "memory", "store", "stream"}


@pytest.mark.bench
@pytest.mark.timeout(300)
def test_every_benchmark_runs_in_quick_mode(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", f"--json={out}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = json.loads(out.read_text())
    assert {row["module"] for row in rows} >= EXPECTED
    for row in rows:
        assert math.isfinite(row["value"]), row
        assert row["value"] >= 0, row
        if row["floor"] is not None:
            assert row["floor"] > 0, row
    stream = [row for row in rows if row["group"] == "stream"]
    assert [row["x"] for row in stream] == [0, 10, 1_000, 10_000]
    for row in stream:  # read in interleaved chunks: the ratio is the chunks' median
        assert row["ratio"] == row["paired_ratio"], row
        assert math.isfinite(row["extra"]["ratio of a run's means (median)"]), row
    assert "QUICK" in done.stdout


def test_callgrind_dumps_are_read_with_their_cache_events(tmp_path: pathlib.Path) -> None:
    # The instructions module runs only under valgrind (not in quick mode): its reading
    # of callgrind's dumps is checked here on dumps of the form callgrind writes.
    from bench import instructions

    out = tmp_path / "callgrind.out"
    events = "Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw"
    span = instructions.LONG - instructions.SHORT  # the messages between the two runs
    regions = [(1_000, 10, 2, 1), (1_000 + 17 * span, 10 + 3 * span, 2 + span, 1 + 2 * span)]
    for index, (ir, d1mr, dlmr, dlmw) in enumerate(regions):
        for number, summary in ((2 * index + 1, "5 0 0 0 0 0 0 0 0"), (2 * index + 2, None)):
            line = summary or f"{ir} 0 0 0 {d1mr} 4 0 {dlmr} {dlmw}"
            body = f"version: 1\ncreator: callgrind-3.19.0\nevents: {events}\nsummary: {line}\n"
            (tmp_path / f"callgrind.out.{number}").write_text(body)
    counts = instructions.counts_of(out, runs=2)
    assert [c["Ir"] for c in counts] == [1_000, 1_000 + 17 * span]
    assert instructions.per_message(counts, 0, "Ir") == 17.0
    l1, l2 = instructions.misses(counts, 0)
    assert (l1, l2) == (3.0, 3.0)


def test_a_paired_ratio_is_the_ratio_and_the_best_of_each_stays_the_figures() -> None:
    from bench._common import Result, median

    # Two pairs at a ratio of 1.2 under different loads, and one whose floor ran in a
    # quiet moment its partner did not get: the best of each (2.4 and 1.6) says 1.5.
    pairs = [(2.4, 2.0), (3.0, 2.5), (2.6, 1.6)]
    result = Result(
        "stream",
        min(o for o, _ in pairs),
        "µs",
        floor=min(f for _, f in pairs),
        max_ratio=1.3,
        paired_ratio=median([o / f for o, f in pairs]),
    )
    assert result.floor is not None
    assert result.value / result.floor == pytest.approx(1.5)
    assert result.ratio == pytest.approx(1.2)
    assert result.ok is True
    unpaired = Result("stream", 2.4, "µs", floor=1.6, max_ratio=1.3)
    assert unpaired.ratio == pytest.approx(1.5)
    assert unpaired.ok is False
    assert math.isnan(median([]))
