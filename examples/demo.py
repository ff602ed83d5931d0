"""The README's demo: ``make demo``.

Until the hikari bot demo lands (the voice bridge issue), this runs the node demo against
the embedded FakeLavalink.
"""

from __future__ import annotations

import asyncio
import sys

from examples.node_demo import main

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
