"""Memory: bytes per player (tracemalloc), and a join/play/leave soak over real sockets.

(a) Per player. 10,000 players, each holding a track and a voice state, created the way
the client creates them: ``Node.create_player`` plus the client's per-guild bookkeeping
(exactly the lines ``LavalinkClient.join`` runs, the voice waiter it awaits included),
the bot's own ``VOICE_STATE_UPDATE`` and ``VOICE_SERVER_UPDATE`` built by hikari's event
factory from gateway payloads and dispatched on the bot's event manager to the client's
own listeners (so the voice handshake, the waiter's resolution and ``player.voice`` are
the real ones), then the answer of a ``play`` PATCH
parsed by the real route parser and taken by ``Player.apply_player`` (what
``Player.update`` does with it). No socket: the node is never started, so the client
keeps the voice for the node's next session, as it does for a node not yet ready.
Each player holds its own decoded ``Track``, as in a real bot; the bytes of one decoded
track (measured the same way, 10,000 times) are subtracted for the idle figure.

(b) Soak. A real ``hikari.GatewayBot`` (2 shards) against FakeDiscord and FakeLavalink,
both in a child process (their recordings grow by design and must not count as ours):
``ROUNDS`` rounds of ``GUILDS`` guilds, each joining, playing a track and leaving. After
each round, once the gateway and Lavalink echoes have arrived: ``gc.collect()``, then
tracemalloc's current memory. The least-squares slope over the rounds after the warm-up
ones is the growth in bytes per cycle (one guild's join/play/leave).

Cycle count: hikari sends at most 117 op 4 per shard per minute, and a cycle sends two,
so a bot on 2 shards at full rate does about 3,500 cycles in 30 minutes; the full soak
runs 35 x 100 = 3,500 cycles. The fake Discord does not rate-limit, so the benchmark
lifts hikari's client-side limiter (otherwise it would spend those 30 minutes waiting).

Tolerance: the slope must stay under 1% of the measured per-player size with its track
(~15 B per cycle). Leaking even one object per cycle costs more (a float is 24 B, a dict
entry ~30 B, a player with its track ~1.5 kB), while the round-to-round noise of
tracemalloc's figure (free lists, the loop's deques, about +-10 kB per round) averages
out over the steady rounds to a standard error near 1-2 B per cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import resource
import sys
import tracemalloc
import typing

import hikari
import hikari.impl.shard
import msgspec

import hikari_lavalink as hl
from bench._common import Result, scaled
from hikari_lavalink.protocol import models, requests, routes
from hikari_lavalink.testing import FakeDiscord, FakeGuild, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["run"]

PLAYERS = scaled(10_000, 500)
GUILDS = scaled(100, 10)
ROUNDS = scaled(35, 4)
WARMUP_ROUNDS = scaled(5, 1)
TOP_LINES = 16
IDLE_LIMIT = 450.0
QUEUE_LENGTH = 100
QUEUED_PLAYERS = scaled(1_000, 100)
QUEUE_LIMIT = 4_096.0
"""A 100-track queue: its deques' blocks (100 pointers in two 64-slot blocks), the two
deques, the queue and the player's side objects: about 2.5 kB; 4 kB flags a regression."""
"""Bytes per idle player beyond its track (issue 5)."""
SLOPE_SHARE = 0.01
"""Soak target: growth per cycle under this share of the per-player size."""

PASSWORD = "bench-memory"  # the child fakes' password, not a secret
BOT_ID = 100000000000000001
SHARDS = 2
SESSION_ID = "benchmemorysession"
SEARCH = "ytsearch:soak"
TRACK = factories.make_track(title="Soak Song", author="Bench Band", length=600_000)
_DISCORD_EPOCH_MS = 1_420_070_400_000
_GUILD_BASE = (1_600_000_000_000 - _DISCORD_EPOCH_MS) // SHARDS * SHARDS


def guild_id(index: int) -> int:
    """A snowflake for guild ``index``; guilds alternate between the shards."""
    return ((_GUILD_BASE + index) << 22) | (index & 0xFFF)


def fake_guilds(count: int) -> list[FakeGuild]:
    """The guilds the child FakeDiscord serves (each with one voice and one text channel)."""
    return [
        FakeGuild(
            id=(gid := guild_id(i)),
            name=f"Soak guild {i}",
            voice_channel_ids=(gid + 1,),
            text_channel_ids=(gid + 2,),
        )
        for i in range(count)
    ]


# -- (a) bytes per player ------------------------------------------------------------------


class _Shard:
    """Stands in for the shard a gateway event arrived on (the client reads ``.id``)."""

    __slots__ = ("id",)

    def __init__(self, shard_id: int) -> None:
        self.id = shard_id


def _own_user(bot: hikari.GatewayBot) -> hikari.OwnUser:
    return bot.entity_factory.deserialize_my_user(
        {
            "id": str(BOT_ID),
            "username": "bench",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "mfa_enabled": False,
            "flags": 0,
        }
    )


def _voice_payloads(guild: int, channel: int) -> tuple[dict[str, typing.Any], ...]:
    # What the gateway sends, decoded fresh per guild: every string is its own object.
    raw = msgspec.json.encode(
        {
            "state": {
                "guild_id": str(guild),
                "channel_id": str(channel),
                "user_id": str(BOT_ID),
                "member": {
                    "user": {
                        "id": str(BOT_ID),
                        "username": "bench",
                        "discriminator": "0",
                        "avatar": None,
                    },
                    "roles": [],
                    "joined_at": "2024-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                },
                # The bot's gateway session: one per shard, the same for its guilds.
                "session_id": f"{(guild >> 22) % SHARDS:032x}",
                "deaf": False,
                "mute": False,
                "self_deaf": True,
                "self_mute": False,
                "self_video": False,
                "suppress": False,
                "request_to_speak_timestamp": None,
            },
            "server": {
                "token": f"{guild * 7919:016x}"[-16:],
                "guild_id": str(guild),
                "endpoint": "c-fra07-1234abcd.discord.media:443",
            },
        }
    )
    decoded = msgspec.json.decode(raw)
    return decoded["state"], decoded["server"]


def _play_answer(guild: int, voice: requests.VoiceUpdate) -> bytes:
    # Lavalink's answer to the play PATCH: the player with its track, as on the wire.
    return msgspec.json.encode(
        models.Player(
            guild_id=guild,
            track=TRACK,
            volume=100,
            paused=False,
            state=models.PlayerState(time=1_700_000_000_000, position=0, connected=True, ping=12),
            voice=models.VoiceState(
                token=voice.token,
                endpoint=voice.endpoint,
                session_id=voice.session_id,
                channel_id=int(typing.cast("str", voice.channel_id)),
            ),
        )
    )


async def _make_players(
    bot: hikari.GatewayBot, lava: hl.LavalinkClient, node: hl.Node, indices: range
) -> None:
    shards = [_Shard(i) for i in range(SHARDS)]
    factory = bot.event_factory
    dispatch = bot.event_manager.dispatch
    for index in indices:
        guild = guild_id(index)
        channel = guild + 1
        shard = shards[hikari.snowflakes.calculate_shard_id(SHARDS, guild)]
        # LavalinkClient.join's bookkeeping, line for line (join itself needs a live shard).
        player = node.create_player(guild)
        guild_voice = lava._voice.add_player(player)  # pyright: ignore[reportPrivateUsage]
        player.channel_id = channel
        waiter = guild_voice.new_waiter()  # join awaits it (after op 4, not sent here)
        # Discord's answer to op 4, through hikari and the client's listeners.
        state, server = _voice_payloads(guild, channel)
        gateway_shard = typing.cast("hikari.api.GatewayShard", shard)
        await dispatch(
            factory.deserialize_voice_state_update_event(gateway_shard, state), return_tasks=True
        )
        await dispatch(
            factory.deserialize_voice_server_update_event(gateway_shard, server), return_tasks=True
        )
        assert waiter.done(), "the client did not resolve the join's waiter"
        voice = player.voice
        assert voice is not None, "the client did not take the voice credentials"
        # player.play(): Player.update parses Lavalink's answer and applies it.
        route = routes.update_player(SESSION_ID, guild, requests.UpdatePlayer())
        player.apply_player(route.parser(_play_answer(guild, voice)))
        assert player.track is not None


def _track_bytes(count: int) -> float:
    """Bytes of one decoded ``Track`` (structs and strings), averaged over ``count``."""
    raw = msgspec.json.encode(TRACK)
    decoder = msgspec.json.Decoder(models.Track)
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    tracks = [decoder.decode(raw) for _ in range(count)]
    gc.collect()
    size = tracemalloc.get_traced_memory()[0] - before
    list_bytes = sys.getsizeof(tracks)
    del tracks
    return (size - list_bytes) / count


async def _per_player() -> tuple[float, float, list[tuple[str, float]], float]:
    bot = hikari.GatewayBot(FakeDiscord(bot_id=BOT_ID).token, banner=None, logs="WARNING")
    typing.cast("hikari.api.MutableCache", bot.cache).set_me(_own_user(bot))
    lava = hl.LavalinkClient(bot, auto_start=False)
    node = lava.add_node(name="memory", host="127.0.0.1", port=9, password=PASSWORD)
    # Warm every code path and cache first, on guilds outside the measured range.
    await _make_players(bot, lava, node, range(PLAYERS, PLAYERS + 10))
    gc.collect()
    tracemalloc.start()
    try:
        track = _track_bytes(PLAYERS)
        gc.collect()
        before_snapshot = tracemalloc.take_snapshot()
        before = tracemalloc.get_traced_memory()[0]
        await _make_players(bot, lava, node, range(PLAYERS))
        gc.collect()
        total = (tracemalloc.get_traced_memory()[0] - before) / PLAYERS
        after_snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert len(lava.players) == PLAYERS + 10
    keep = (
        tracemalloc.Filter(inclusive=False, filename_pattern=tracemalloc.__file__),
        tracemalloc.Filter(inclusive=False, filename_pattern="<frozen importlib._bootstrap>"),
    )
    stats = after_snapshot.filter_traces(keep).compare_to(
        before_snapshot.filter_traces(keep), "lineno"
    )
    top = [
        (
            f"{'/'.join(stat.traceback[0].filename.rsplit('/', 2)[-2:])}:"
            f"{stat.traceback[0].lineno}",
            stat.size_diff / PLAYERS,
        )
        for stat in stats[:TOP_LINES]
        if stat.size_diff / PLAYERS >= 1
    ]
    queued = _queue_bytes(lava)
    await lava.close()
    return total, track, top, queued


def _queue_bytes(lava: hl.LavalinkClient) -> float:
    """Bytes a player gains by holding a ``QUEUE_LENGTH``-track queue (the queue, its
    deques and the player's side objects; not the tracks, which the bot holds anyway)."""
    tracks = [TRACK] * QUEUE_LENGTH
    players = list(lava.players.values())[:QUEUED_PLAYERS]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for player in players:
            player.queue.add(*tracks)
        gc.collect()
        size = (tracemalloc.get_traced_memory()[0] - before) / len(players)
    finally:
        tracemalloc.stop()
    assert all(len(p.queue) == QUEUE_LENGTH for p in players)
    return size


# -- (b) the soak --------------------------------------------------------------------------


async def _serve(guilds: int) -> None:
    """The child process: FakeDiscord + FakeLavalink until ``quit`` (or EOF) on stdin."""
    catalogue: dict[str, hl.LoadResult] = {SEARCH: factories.make_search([TRACK])}
    async with (
        FakeDiscord(bot_id=BOT_ID, shard_count=SHARDS, guilds=fake_guilds(guilds)) as discord,
        FakeLavalink(password=PASSWORD, catalogue=catalogue, player_update_interval=0.2) as lava,
    ):
        print(f"PORTS {discord.port} {lava.port}", flush=True)
        loop = asyncio.get_running_loop()
        reader = loop.run_in_executor(None, sys.stdin.readline)
        while True:
            done, _ = await asyncio.wait({reader}, timeout=1.0)
            # The fakes record everything by design; keep this process's memory flat.
            discord.frames.clear()
            discord.voice_ops.clear()
            discord.rest_requests.clear()
            lava.requests.clear()
            lava.sent.clear()
            if done:
                return


class _Soak:
    """The bot side of the soak: counts what it hears, records loop errors."""

    def __init__(self) -> None:
        self.starts = 0
        self.ends = 0
        self.updates = 0
        self.loop_errors: list[dict[str, typing.Any]] = []

    async def on_start(self, _: hl.TrackStartEvent) -> None:
        self.starts += 1

    async def on_end(self, _: hl.TrackEndEvent) -> None:
        self.ends += 1

    async def on_update(self, _: hl.PlayerUpdateEvent) -> None:
        self.updates += 1


async def _cycle(lava: hl.LavalinkClient, guild: FakeGuild) -> None:
    player = await lava.join(guild.id, guild.voice_channel_ids[0])
    result = await lava.load_tracks(SEARCH)
    await player.play(result.tracks[0])
    await asyncio.sleep(0.25)  # let it play: TrackStart and a playerUpdate or two arrive
    await lava.leave(guild.id)


async def _settle(soak: _Soak, expected_ends: int) -> None:
    # Wait (bounded) for every TrackEnd, then for the gateway echoes of the leaves.
    for _ in range(100):
        if soak.ends >= expected_ends:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)


@contextlib.contextmanager
def _no_op4_rate_limit() -> collections.abc.Generator[None]:
    # Read when each shard is created: the fake Discord has no limit to protect.
    module = hikari.impl.shard.__dict__
    saved = {k: module[k] for k in ("_TOTAL_RATELIMIT", "_NON_PRIORITY_RATELIMIT")}
    module.update(dict.fromkeys(saved, (60.0, 1_000_000)))
    try:
        yield
    finally:
        module.update(saved)


async def _soak() -> tuple[list[int], float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.memory", "serve", str(GUILDS),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    assert process.stdout is not None
    soak = _Soak()
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: soak.loop_errors.append(context))
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        discord_port, lavalink_port = (int(word) for word in line.split()[1:3])
        rest_url = f"http://127.0.0.1:{discord_port}/api/v10"
        bot = hikari.GatewayBot(
            FakeDiscord(bot_id=BOT_ID).token, rest_url=rest_url, banner=None, logs="WARNING"
        )
        lava = hl.LavalinkClient(bot, voice_timeout=5.0)
        lava.add_node(name="soak", host="127.0.0.1", port=lavalink_port, password=PASSWORD)
        bot.subscribe(hl.TrackStartEvent, soak.on_start)
        bot.subscribe(hl.TrackEndEvent, soak.on_end)
        bot.subscribe(hl.PlayerUpdateEvent, soak.on_update)
        guilds = fake_guilds(GUILDS)
        with _no_op4_rate_limit():
            await bot.start(check_for_updates=False, shard_count=SHARDS)
        try:
            await lava.wait_ready(timeout=10)
            tracemalloc.start()
            rounds: list[int] = []
            for number in range(ROUNDS):
                async with asyncio.timeout(60):
                    await asyncio.gather(*(_cycle(lava, g) for g in guilds))
                await _settle(soak, (number + 1) * GUILDS)
                gc.collect()
                rounds.append(tracemalloc.get_traced_memory()[0])
                print(
                    f"  soak round {number + 1:>3}/{ROUNDS}: {rounds[-1]:>12,} B traced"
                    f"{'  (warm-up)' if number < WARMUP_ROUNDS else ''}",
                    flush=True,
                )
            tracemalloc.stop()
            assert not lava.players, "players left behind"
            assert soak.starts >= ROUNDS * GUILDS, (soak.starts, ROUNDS * GUILDS)
        finally:
            tracemalloc.stop()
            await bot.close()
    finally:
        loop.set_exception_handler(previous)
        if process.returncode is None:
            process.stdin.write(b"quit\n")
            with contextlib.suppress(ConnectionError):
                await process.stdin.drain()
            try:
                await asyncio.wait_for(process.wait(), timeout=10)
            except TimeoutError:
                process.kill()
                await process.wait()
    assert not soak.loop_errors, soak.loop_errors
    return rounds, soak.updates / (ROUNDS * GUILDS)


def slope(values: collections.abc.Sequence[float]) -> float:
    """Least-squares slope of ``values`` against their index."""
    count = len(values)
    if count < 2:
        return 0.0
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(count))
    return num / den


def run() -> list[Result]:
    """Measure bytes per player in process, then soak over real sockets."""
    total, track, top, queued = asyncio.run(_per_player())
    print(f"  {PLAYERS:,} players: top allocations still held, bytes per player:")
    for where, size in top:
        print(f"    {size:>8,.1f}  {where}")
    idle = total - track
    results = [
        Result(
            f"memory per player with its track, {PLAYERS:,} players",
            total,
            "B/player",
            extra={"track B": track},
        ),
        Result(
            "memory per idle player beyond its track",
            idle,
            "B/player",
            limit=IDLE_LIMIT,
        ),
        Result(
            f"memory a player gains with a {QUEUE_LENGTH}-track queue (not the tracks)",
            queued,
            "B/player",
            limit=QUEUE_LIMIT,
            extra={"with its tracks B": queued + QUEUE_LENGTH * track},
        ),
    ]
    rounds, updates = asyncio.run(_soak())
    steady = rounds[WARMUP_ROUNDS:]
    per_cycle = slope(steady) / GUILDS
    results.append(
        Result(
            f"soak growth, {ROUNDS} rounds x {GUILDS} guilds join/play/leave",
            per_cycle,
            "B/cycle",
            limit=SLOPE_SHARE * total,
            extra={
                "cycles": ROUNDS * GUILDS,
                "first steady round B": steady[0] if steady else 0,
                "last round B": rounds[-1],
                "playerUpdates/cycle": updates,
            },
        )
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.append(
        Result(
            # ru_maxrss: this process only (the fakes' child is not ours), with
            # tracemalloc's own per-allocation records included.
            "peak RSS of the whole run",
            usage.ru_maxrss / 1024,
            "MiB",
        )
    )
    return results


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    asyncio.run(_serve(int(sys.argv[2])))
