"""WS stream: 100,000 mixed messages over a real socket, through the Node's reader task and
the hikari bridge (one listener on TrackEndEvent), against a floor measured in the same run.

- The server, a FakeLavalink, runs in another process (``bench.servers stream``) and writes
  each chunk asked for in one burst of pre-built frames: the client always finds a full buffer,
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
- Ours and the floor are connected at the same time, in this one process, and read the
  stream in chunks of ``CHUNK`` messages, in turn: ours reads a chunk, then the floor
  reads the same chunk (every other chunk, the floor first). Only the client being fed
  works; a chunk takes a few milliseconds, and the machine's load moves on a scale of
  hundreds of them, so the two reads of a chunk share its moment. The ratio is the
  median of every chunk's ratio, over ``RUNS`` runs; the figures are each run's mean,
  the best run of each. The harness's own cost per chunk (the push command, the end
  frame), measured on empty chunks, is taken off both. (An earlier version ran whole
  streams back to back, in pairs; on a noisy host a pair's two runs did not share its
  load, and the ratios of pairs scattered from 1.1 to 2.0.)

``bench.instructions`` runs the same two loops under callgrind: it hands them the stream's
kinds (so the measured process does not build the stream) and a ``clock`` that marks the
ends of the measured region.
"""

from __future__ import annotations

import asyncio
import contextlib
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
CHUNK = scaled(2_000, 500)
"""Messages per chunk of an interleaved run: ours and the floor read each chunk in turn."""
RUNS = scaled(3, 1)
"""Interleaved runs per player count."""
EMPTY = scaled(8, 2)
"""Empty chunks per side measuring the harness's own cost per chunk (subtracted)."""
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


class Server:
    """The FakeLavalink process (``python -m bench.servers stream``)."""

    def __init__(self, fake: FakeProcess) -> None:
        self.fake = fake
        self.port = int(fake.info["port"])

    @classmethod
    async def start(cls) -> Server:
        return cls(await FakeProcess.spawn("stream"))

    async def push(self, guilds: int, start: int, stop: int, session_id: str) -> None:
        """Push the stream's frames ``start:stop`` (plus a ``bench-end`` frame) to the
        session."""
        await self.fake.ask(f"push {COUNT} {guilds} {start} {stop} {session_id}", timeout=60)

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


class _Ours:
    """A ``LavalinkClient`` on a ``hikari.GatewayBot`` with ``players`` players (and one
    TrackEndEvent listener), reading the stream's chunks pushed to its session."""

    def __init__(self, server: Server, players: int) -> None:
        self.server = server
        self.players = players
        self.session_id = ""
        self.done = asyncio.Event()
        self.ends = 0
        self.updates = 0

    @classmethod
    async def open(
        cls,
        server: Server,
        players: int,
        stack: contextlib.AsyncExitStack,
        *,
        listen_updates: bool = False,
    ) -> _Ours:
        bot = hikari.GatewayBot("MTAwMDAwMDAwMDAwMDAwMDAx.bench.token", banner=None)
        lava = hl.LavalinkClient(bot, auto_start=False)
        node = lava.add_node(name="bench", host="127.0.0.1", port=server.port, password=PASSWORD)
        side = cls(server, players)

        async def on_end(_: hl.TrackEndEvent) -> None:
            side.ends += 1

        async def on_update(_: hl.PlayerUpdateEvent) -> None:
            side.updates += 1

        async def on_raw(event: hl.RawLavalinkEvent) -> None:
            if event.op == "bench-end":
                side.done.set()

        bot.subscribe(hl.TrackEndEvent, on_end)
        bot.subscribe(hl.RawLavalinkEvent, on_raw)
        if listen_updates:
            bot.subscribe(hl.PlayerUpdateEvent, on_update)
        await lava.start(user_id=USER_ID)
        stack.push_async_callback(lava.close)
        await lava.wait_ready(timeout=10)
        side.session_id = node.session_id or ""
        for index in range(players):
            _playing(node, GUILD_BASE + index * GUILD_STEP)
        return side

    async def run(self, start: int, stop: int, clock: typing.Callable[[], float]) -> float:
        """``clock`` time from pushing the stream's messages ``start:stop`` to their end."""
        self.done.clear()
        started = clock()
        await self.server.push(_guilds(self.players), start, stop, self.session_id)
        await asyncio.wait_for(self.done.wait(), timeout=120)
        for _ in range(3):  # let the listener tasks hikari created run: they are part of the cost
            await asyncio.sleep(0)
        return clock() - started

    def check(self, kinds: typing.Sequence[str], *, listen_updates: bool = False) -> None:
        """Every TrackEnd (and playerUpdate, when listened to) of ``kinds`` reached hikari."""
        expected = _expected(kinds)
        assert self.ends == expected.get("TrackEndEvent", 0), (self.ends, expected)
        assert not listen_updates or self.updates == expected.get("playerUpdate", 0)


class _Floor:
    """The bare loop: aiohttp receive, one decode, a dict lookup of the guild."""

    def __init__(
        self,
        server: Server,
        players: int,
        ws: aiohttp.ClientWebSocketResponse[typing.Literal[False]],
        plan: typing.Sequence[typing.Callable[[bytes], typing.Any]],
        session_id: str,
    ) -> None:
        self.server = server
        self.players = players
        self.ws = ws
        self.plan = plan
        self.session_id = session_id
        self.table: dict[int, int] = {GUILD_BASE + i * GUILD_STEP: 0 for i in range(players)}

    @classmethod
    async def open(
        cls,
        server: Server,
        players: int,
        kinds: typing.Sequence[str],
        stack: contextlib.AsyncExitStack,
    ) -> _Floor:
        decoders = {
            kind: msgspec.json.Decoder(t, strict=False).decode for kind, t in FLOOR_TYPES.items()
        }
        headers = {"Authorization": PASSWORD, "User-Id": str(USER_ID), "Client-Name": "floor/1"}
        session = await stack.enter_async_context(aiohttp.ClientSession())
        ws = await stack.enter_async_context(
            session.ws_connect(
                f"ws://127.0.0.1:{server.port}/v4/websocket",
                headers=headers,
                heartbeat=HEARTBEAT,
                decode_text=False,
            )
        )
        ready = msgspec.json.decode((await ws.receive()).data)
        await ws.receive()  # first stats
        plan = [decoders[kind] for kind in kinds]
        return cls(server, players, ws, plan, ready["sessionId"])

    async def run(self, start: int, stop: int, clock: typing.Callable[[], float]) -> float:
        """As :meth:`_Ours.run`."""
        steps = self.plan[start:stop]
        table = self.table
        receive = self.ws.receive
        started = clock()
        await self.server.push(_guilds(self.players), start, stop, self.session_id)
        for decode in steps:
            decoded = decode((await receive()).data)
            guild = getattr(decoded, "guild_id", None)
            if guild is not None and guild in table:
                table[guild] += 1
        last = await receive()
        elapsed = clock() - started
        assert last.data == b'{"op":"bench-end"}', last
        return elapsed

    def check(self, messages: int) -> None:
        """Most of ``messages`` found their guild (all but stats and a few events)."""
        assert self.players == 0 or sum(self.table.values()) > messages * 0.9


async def ours(
    server: Server,
    players: int,
    *,
    listen_updates: bool = False,
    kinds: typing.Sequence[str] | None = None,
    clock: typing.Callable[[], float] = time.process_time,
) -> float:
    """CPU seconds per message through LavalinkClient, the whole stream in one burst.

    ``kinds``: the stream's kinds (:func:`stream_kinds`), when already known; ``clock`` is
    read at both ends of the measured region.
    """
    async with contextlib.AsyncExitStack() as stack:
        side = await _Ours.open(server, players, stack, listen_updates=listen_updates)
        gc.collect()
        elapsed = await side.run(0, COUNT, clock)
        side.check(
            kinds if kinds is not None else stream_kinds(players, COUNT),
            listen_updates=listen_updates,
        )
    return elapsed / COUNT


async def floor(
    server: Server,
    players: int,
    *,
    kinds: typing.Sequence[str] | None = None,
    clock: typing.Callable[[], float] = time.process_time,
) -> float:
    """CPU seconds per message of the bare loop, the whole stream in one burst.

    ``kinds`` and ``clock``: as for :func:`ours`.
    """
    async with contextlib.AsyncExitStack() as stack:
        side = await _Floor.open(
            server, players, kinds if kinds is not None else stream_kinds(players, COUNT), stack
        )
        gc.collect()
        elapsed = await side.run(0, COUNT, clock)
        side.check(COUNT)
    return elapsed / COUNT


async def interleaved(server: Server, players: int) -> list[tuple[float, float]]:
    """The stream in chunks of :data:`CHUNK`, each read by ours and by the floor in turn.

    Returns, per chunk, the CPU seconds per message of ours and of the floor, less the
    harness's own cost per chunk (the push command and the end frame, measured on empty
    chunks). Both clients are connected in this one process; only the one being fed
    works.
    """
    kinds = stream_kinds(players, COUNT)
    clock = time.process_time
    pairs: list[tuple[float, float]] = []
    async with contextlib.AsyncExitStack() as stack:
        mine = await _Ours.open(server, players, stack)
        bare = await _Floor.open(server, players, kinds, stack)
        gc.collect()
        gc.freeze()  # what both set up is never traversed by a collection during the chunks
        stack.callback(gc.unfreeze)
        sides: tuple[_Ours | _Floor, ...] = (mine, bare)
        harness = [median([await side.run(0, 0, clock) for _ in range(EMPTY)]) for side in sides]
        for number, start in enumerate(range(0, COUNT, CHUNK)):
            stop = min(start + CHUNK, COUNT)
            if number % 2:  # each first in every other chunk
                floor_time = await bare.run(start, stop, clock)
                ours_time = await mine.run(start, stop, clock)
            else:
                ours_time = await mine.run(start, stop, clock)
                floor_time = await bare.run(start, stop, clock)
            size = stop - start
            pairs.append(((ours_time - harness[0]) / size, (floor_time - harness[1]) / size))
        mine.check(kinds)
        bare.check(COUNT)
    return pairs


def _expected(kinds: typing.Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


async def _run() -> list[Result]:
    server = await Server.start()
    results: list[Result] = []
    try:
        for players in PLAYER_COUNTS:
            runs = [await interleaved(server, players) for _ in range(RUNS)]
            # A run's figure: its mean per message (its chunks are all but the last alike).
            totals = [
                (sum(o for o, _ in run) / len(run), sum(f for _, f in run) / len(run))
                for run in runs
            ]
            results.append(
                Result(
                    f"WS stream, {players:,} players",
                    min(o for o, _ in totals) * 1e6,
                    "µs/msg CPU",
                    floor=min(f for _, f in totals) * 1e6,
                    max_ratio=1.5,
                    paired_ratio=median([o / f for run in runs for o, f in run]),
                    group="stream",
                    x=players,
                    extra={"ratio of a run's means (median)": median([o / f for o, f in totals])},
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
