"""WS stream: 100,000 mixed messages over a real socket, through the Node's reader task and
the hikari bridge (one listener on TrackEndEvent), against a floor measured in the same run.

- The server, a FakeLavalink, runs in another process (``bench.servers stream``) and writes
  the whole stream in one burst of pre-built frames: the client always finds a full buffer,
  so both loops below read in the same large chunks and the figure is the client's own
  cost per message. (A server writing frame by frame lets a faster reader wake up more
  often per message: that made the first version of the floor look *slower* than ours.)
- The figure is this process's CPU time per message (``time.process_time``).
- Ours: a ``LavalinkClient`` on a ``hikari.GatewayBot`` with ``players`` players; every
  message is decoded, its player looked up and updated, events dispatched to hikari.
- Floor: aiohttp ``ws_connect`` with the same options (heartbeat, text frames as raw bytes,
  as ours on aiohttp 3.14+), ``receive()``, one ``msgspec`` decode
  per message with a decoder chosen in advance (it knows every message's type: idealised),
  and a dict lookup of the guild.
- Ours and the floor run in ``PAIRS`` pairs, back to back (each pair in the other order
  than the one before). The ratio is the median of the pairs' ratios: the two runs of a
  pair share the machine's load of that moment, so the load moves it least. The figures
  themselves are the best of each (printed with their own ratio as well).

``bench.instructions`` runs the same two loops under callgrind: it hands them the stream's
kinds (so the measured process does not build the stream) and a ``clock`` that marks the
ends of the measured region.
"""

from __future__ import annotations

import asyncio
import gc
import time
import typing

import aiohttp
import hikari
import msgspec

import hikari_lavalink as hl
from bench._common import Result, median, scaled
from bench.decode import FLOOR_TYPES
from bench.payloads import labelled_stream
from bench.servers import PASSWORD, FakeProcess
from hikari_lavalink.testing import factories

__all__ = ["PLAYER_COUNTS", "floor", "ours", "run", "stream_kinds"]

COUNT = scaled(100_000, 2_000)
PAIRS = scaled(9, 1)
ROUNDS = scaled(5, 1)
"""Runs of the PlayerUpdateEvent listener variant (no floor: best of these)."""
PLAYER_COUNTS = (0, 10, 1_000, 10_000)
STREAM_GUILDS = 1_000
"""Guilds in the stream when there are no players (every message then finds none)."""
GUILD_BASE = 817327181659111454
GUILD_STEP = 4194304
USER_ID = 100000000000000001
HEARTBEAT = 30.0
"""Our transport's WebSocket heartbeat; the floor uses the same."""


def _guilds(players: int) -> int:
    return players or STREAM_GUILDS


def stream_kinds(players: int, count: int) -> list[str]:
    """The kind of every message of the stream pushed for ``players`` players."""
    return [kind for kind, _ in labelled_stream(count, _guilds(players))]


class _Server:
    """The FakeLavalink process (``python -m bench.servers stream``)."""

    def __init__(self, fake: FakeProcess) -> None:
        self.fake = fake
        self.port = int(fake.info["port"])

    @classmethod
    async def start(cls) -> _Server:
        return cls(await FakeProcess.spawn("stream"))

    async def push(self, guilds: int) -> None:
        """Push the stream (plus a ``bench-end`` frame) to every connected session."""
        await self.fake.ask(f"push {COUNT} {guilds}", timeout=60)

    async def stop(self) -> None:
        await self.fake.close(timeout=10)


_TRACK = factories.make_track(title="Stream Song", length=600_000)
_VOICE = hl.VoiceUpdate(
    token="0123456789abcdef",
    endpoint="c-fra07-1234abcd.discord.media:443",
    session_id="benchstreamsession",
)


def _playing(node: hl.Node, guild: int) -> None:
    # A player as a bot's are: its voice sent and a track playing (the state ``play``
    # leaves: Lavalink's answer applied), without 10,000 REST calls before each round.
    player = node.create_player(guild)
    player.voice = _VOICE
    player.apply_player(factories.make_player(guild, track=_TRACK, position=0))


async def ours(
    server: _Server,
    players: int,
    *,
    listen_updates: bool = False,
    kinds: typing.Sequence[str] | None = None,
    clock: typing.Callable[[], float] = time.process_time,
) -> float:
    """CPU seconds per message through LavalinkClient (one TrackEndEvent listener).

    ``kinds``: the stream's kinds (:func:`stream_kinds`), when already known; ``clock`` is
    read at both ends of the measured region.
    """
    bot = hikari.GatewayBot("MTAwMDAwMDAwMDAwMDAwMDAx.bench.token", banner=None)
    lava = hl.LavalinkClient(bot, auto_start=False)
    node = lava.add_node(name="bench", host="127.0.0.1", port=server.port, password=PASSWORD)
    done = asyncio.Event()
    ends = 0
    updates = 0

    async def on_end(_: hl.TrackEndEvent) -> None:
        nonlocal ends
        ends += 1

    async def on_update(_: hl.PlayerUpdateEvent) -> None:
        nonlocal updates
        updates += 1

    async def on_raw(event: hl.RawLavalinkEvent) -> None:
        if event.op == "bench-end":
            done.set()

    bot.subscribe(hl.TrackEndEvent, on_end)
    bot.subscribe(hl.RawLavalinkEvent, on_raw)
    if listen_updates:
        bot.subscribe(hl.PlayerUpdateEvent, on_update)
    await lava.start(user_id=USER_ID)
    await lava.wait_ready(timeout=10)
    for index in range(players):
        _playing(node, GUILD_BASE + index * GUILD_STEP)
    gc.collect()
    started = clock()
    await server.push(_guilds(players))
    await asyncio.wait_for(done.wait(), timeout=120)
    for _ in range(3):  # let the listener tasks hikari created run: they are part of the cost
        await asyncio.sleep(0)
    elapsed = clock() - started
    expected = _expected(kinds if kinds is not None else stream_kinds(players, COUNT))
    assert ends == expected.get("TrackEndEvent", 0), (ends, expected.get("TrackEndEvent", 0))
    assert not listen_updates or updates == expected.get("playerUpdate", 0)
    await lava.close()
    return elapsed / COUNT


async def floor(
    server: _Server,
    players: int,
    *,
    kinds: typing.Sequence[str] | None = None,
    clock: typing.Callable[[], float] = time.process_time,
) -> float:
    """CPU seconds per message of the bare loop: aiohttp receive, one decode, a dict lookup.

    ``kinds`` and ``clock``: as for :func:`ours`.
    """
    table: dict[int, int] = {GUILD_BASE + i * GUILD_STEP: 0 for i in range(players)}
    decoders = {
        kind: msgspec.json.Decoder(t, strict=False).decode for kind, t in FLOOR_TYPES.items()
    }
    if kinds is None:
        kinds = stream_kinds(players, COUNT)
    plan = [decoders[kind] for kind in kinds]
    headers = {"Authorization": PASSWORD, "User-Id": str(USER_ID), "Client-Name": "floor/1"}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            f"ws://127.0.0.1:{server.port}/v4/websocket",
            headers=headers,
            heartbeat=HEARTBEAT,
            decode_text=False,
        ) as ws,
    ):
        await ws.receive()  # ready
        await ws.receive()  # first stats
        gc.collect()
        started = clock()
        await server.push(_guilds(players))
        for decode in plan:
            decoded = decode((await ws.receive()).data)
            guild = getattr(decoded, "guild_id", None)
            if guild is not None and guild in table:
                table[guild] += 1
        last = await ws.receive()
        elapsed = clock() - started
        assert last.data == b'{"op":"bench-end"}', last
        assert players == 0 or sum(table.values()) > COUNT * 0.9
        return elapsed / COUNT


def _expected(kinds: typing.Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


async def _run() -> list[Result]:
    server = await _Server.start()
    results: list[Result] = []
    try:
        for players in PLAYER_COUNTS:
            pairs: list[tuple[float, float]] = []
            for number in range(PAIRS):
                if number % 2:
                    ours_time = await ours(server, players)
                    floor_time = await floor(server, players)
                else:
                    floor_time = await floor(server, players)
                    ours_time = await ours(server, players)
                pairs.append((ours_time, floor_time))
            results.append(
                Result(
                    f"WS stream, {players:,} players",
                    min(o for o, _ in pairs) * 1e6,
                    "µs/msg CPU",
                    floor=min(f for _, f in pairs) * 1e6,
                    max_ratio=1.5,
                    paired_ratio=median([o / f for o, f in pairs]),
                    group="stream",
                    x=players,
                )
            )
        with_listener = min([await ours(server, 1_000, listen_updates=True) for _ in range(ROUNDS)])
        results.append(
            Result(
                "WS stream, 1,000 players, + a PlayerUpdateEvent listener (hikari dispatch)",
                with_listener * 1e6,
                "µs/msg CPU",
                group="stream-listener",
                x=1_000,
            )
        )
    finally:
        await server.stop()
    return results


def run() -> list[Result]:
    """Measure the stream at every player count."""
    return asyncio.run(_run())
