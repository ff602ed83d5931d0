"""``python -m bench``: run every benchmark and print figures and ratios to their floors."""

from __future__ import annotations

import platform
import sys

from bench import decode

TARGET = 1.3


def main() -> int:
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    rows = decode.run()
    width = max(len(name) for name, *_ in rows)
    print(f"{'benchmark':<{width}}  {'ours':>10}  {'floor':>10}  ratio  target")
    failed = False
    for name, ours, floor, unit in rows:
        ratio = ours / floor
        ok = ratio <= TARGET
        failed |= not ok
        verdict = "ok" if ok else "MISSED"
        figures = f"{ours:>10.3f}  {floor:>10.3f}  {ratio:5.2f}"
        print(f"{name:<{width}}  {figures}  <= {TARGET} {verdict}  ({unit})")
    return 1 if failed and "--strict" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
