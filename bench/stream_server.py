"""A FakeLavalink in its own process, so its CPU is not counted with the client's.

Protocol on stdin/stdout: prints ``PORT <n>``; reads ``push <count> <guilds>`` lines and
pushes that many mixed messages (plus a final ``bench-end`` frame) to every session in one
burst (framed up front, one socket write: the server costs next to nothing per frame, so the
client always finds a full buffer), then prints ``PUSHED``; ``quit`` stops it.
"""

from __future__ import annotations

import asyncio
import sys

from bench.payloads import labelled_stream
from hikari_lavalink.testing import FakeLavalink

PASSWORD = "bench"


async def main() -> None:
    async with FakeLavalink(password=PASSWORD, stats_interval=3600) as fake:
        print(f"PORT {fake.port}", flush=True)
        loop = asyncio.get_running_loop()
        streams: dict[tuple[int, int], list[bytes]] = {}
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            words = line.split()
            if not words or words[0] == "quit":
                return
            count, guilds = int(words[1]), int(words[2])
            await fake.wait_for_connections(1, timeout=10)
            if (count, guilds) not in streams:
                frames = [data for _, data in labelled_stream(count, guilds)]
                streams[count, guilds] = [*frames, b'{"op":"bench-end"}']
            fake.sent.clear()
            fake.push(streams[count, guilds], burst=True)
            print("PUSHED", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
