"""The benchmark suite still runs: ``python -m bench --quick`` (tiny sizes, no timing checked).

The figures of a quick run mean nothing and are not asserted on; what is checked is that
every benchmark module runs its real code path to the end and reports finite figures.
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
EXPECTED = {"decode", "failover", "join", "load", "memory", "stream"}


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
    assert "QUICK" in done.stdout
