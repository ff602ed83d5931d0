"""WS stream: 100,000 mixed messages pushed over a real socket through the Node's reader task
and the hikari bridge (one listener on TrackEndEvent), against a floor: the same bytes read
by a bare aiohttp client, decoded into Structs with msgspec and looked up in a dict.

The server runs in another process; the figure is this process's CPU time per message.

Work in progress (issue 5): the "floor" loop still measures *slower* than the real path
(about 9 µs against 5.3 µs per message), so it is not yet a floor and its ratio means
nothing; the absolute figures for our path are the useful output for now.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time

import aiohttp
import hikari
import msgspec

import hikari_lavalink as hl
from bench.decode import FLOOR_TYPES
from bench.payloads import labelled_stream
from bench.stream_server import PASSWORD

__all__ = ["run"]

COUNT = 100_000
GUILD_BASE = 817327181659111454


async def _server() -> tuple[asyncio.subprocess.Process, int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.stream_server",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    line = (await process.stdout.readline()).decode()
    return process, int(line.split()[1])


async def _push(process: asyncio.subprocess.Process, guilds: int) -> None:
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(f"push {COUNT} {guilds}\n".encode())
    await process.stdin.drain()
    await process.stdout.readline()


async def _ours(port: int, process: asyncio.subprocess.Process, players: int) -> float:
    token = "MTAwMDAwMDAwMDAwMDAwMDAx.bench.token"
    bot = hikari.GatewayBot(token, banner=None)
    lava = hl.LavalinkClient(bot, auto_start=False)
    node = lava.add_node(name="bench", host="127.0.0.1", port=port, password=PASSWORD)
    done = asyncio.Event()
    ends = 0

    async def on_end(_: hl.TrackEndEvent) -> None:
        nonlocal ends
        ends += 1

    async def on_raw(event: hl.RawLavalinkEvent) -> None:
        if event.op == "bench-end":
            done.set()

    bot.subscribe(hl.TrackEndEvent, on_end)
    bot.subscribe(hl.RawLavalinkEvent, on_raw)
    await lava.start(user_id=100000000000000001)
    await lava.wait_ready(timeout=10)
    for index in range(players):
        node.create_player(GUILD_BASE + index * 4194304)
    gc.collect()
    started = time.process_time()
    await _push(process, max(players, 1))
    await asyncio.wait_for(done.wait(), timeout=120)
    await asyncio.sleep(0)  # let the TrackEnd listener tasks run: they are part of the cost
    elapsed = time.process_time() - started
    assert ends > 0
    await lava.close()
    return elapsed / COUNT


async def _floor(port: int, process: asyncio.subprocess.Process, players: int) -> float:
    # The idealised floor: it knows each message's type in advance (the stream is seeded)
    # and decodes it with ONE call into the right Struct, then looks up the guild.
    table: dict[int, int] = {GUILD_BASE + i * 4194304: 0 for i in range(players)}
    decoders = {
        kind: msgspec.json.Decoder(t, strict=False).decode for kind, t in FLOOR_TYPES.items()
    }
    plan = [decoders[kind] for kind, _ in labelled_stream(COUNT, max(players, 1))]
    headers = {"Authorization": PASSWORD, "User-Id": "1", "Client-Name": "floor/1"}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"ws://127.0.0.1:{port}/v4/websocket", headers=headers) as ws,
    ):
        await ws.receive()  # ready
        await ws.receive()  # first stats
        gc.collect()
        started = time.process_time()
        await _push(process, max(players, 1))
        for decode in plan:
            decoded = decode((await ws.receive()).data)
            guild = getattr(decoded, "guild_id", None)
            if guild is not None and guild in table:
                table[guild] += 1
        await ws.receive()  # bench-end
        return (time.process_time() - started) / COUNT


async def _run() -> list[tuple[str, float, float, str]]:
    process, port = await _server()
    rows: list[tuple[str, float, float, str]] = []
    try:
        for players in (10, 1_000, 10_000):
            floor = min([await _floor(port, process, players) for _ in range(2)])
            ours = min([await _ours(port, process, players) for _ in range(2)])
            rows.append(
                (
                    f"WS stream via Node + bridge, {players:,} players (floor: WIP)",
                    ours * 1e6,
                    floor * 1e6,
                    "µs/msg CPU",
                )
            )
    finally:
        assert process.stdin is not None
        process.stdin.write(b"quit\n")
        await process.stdin.drain()
        await process.wait()
    return rows


def run() -> list[tuple[str, float, float, str]]:
    """Measure; return rows of (name, ours, floor, unit)."""
    return asyncio.run(_run())
