"""RedisStore across real OS processes: a 4-shard bot run by 3 processes (each a
``python -m tests.store.bot_process``) on one FakeDiscord, 2 FakeLavalink nodes and one Redis.
One process is SIGKILLed and started again, a process asking for shards that live ones run is
refused, then the bot is stopped and started again with another split of its shards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pathlib
import signal
import sys
import typing

import pytest
import typing_extensions
from tests.store.bot_process import CLAIMED

from hikari_lavalink.store.redis import RedisStore
from hikari_lavalink.testing import FakeDiscord, FakeGuild, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

    from tests.store.redis_server import RedisServer

    import hikari_lavalink as hl

JSON: typing.TypeAlias = dict[str, typing.Any]

REPO: typing.Final = pathlib.Path(__file__).resolve().parents[2]
PASSWORD: typing.Final = "processes-test-password"
SHARDS: typing.Final = 4
SONG: typing.Final = factories.make_track(title="Song", length=600_000)
NEXT: typing.Final = factories.make_track(title="Next", length=600_000)
LAST: typing.Final = factories.make_track(title="Last", length=600_000)
CATALOGUE: typing.Final[dict[str, hl.LoadResult]] = {
    "ytsearch:song": factories.make_search([SONG]),
    "ytsearch:next": factories.make_search([NEXT]),
    "ytsearch:last": factories.make_search([LAST]),
}
START: typing.Final = 30_000
"""Where each guild's song starts (ms)."""
TIMEOUT: typing.Final = 30.0
"""Seconds for a process to answer (a start includes importing hikari)."""
# Clean exits say none of these on stderr (the processes run with -W always::ResourceWarning).
NOT_CLEAN: typing.Final = (
    "ResourceWarning",
    "Task was destroyed",
    "Exception ignored",
    "Traceback",
)


def guild_on(shard: int, index: int) -> FakeGuild:
    """The ``index``-th guild of ``shard`` (of :data:`SHARDS`)."""
    base = 400_000_000_000 // SHARDS * SHARDS  # ms since Discord's epoch: shard 0
    gid = ((base + shard + index * SHARDS) << 22) | index
    return FakeGuild(
        id=gid,
        name=f"Guild {index} on shard {shard}",
        voice_channel_ids=(gid + 1, gid + 2),
        text_channel_ids=(gid + 3,),
    )


GUILDS: typing.Final = [guild_on(shard, index) for shard in range(SHARDS) for index in range(2)]


class Child:
    """One ``python -m tests.store.bot_process``: its JSON lines, its stderr, its end."""

    def __init__(self, name: str, shards: list[int], process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.shards = shards
        self.process = process
        self.lines: asyncio.Queue[JSON | None] = asyncio.Queue()
        self.stderr: list[str] = []
        self._readers = [
            asyncio.ensure_future(self._read_stdout()),
            asyncio.ensure_future(self._read_stderr()),
        ]

    @typing_extensions.override
    def __repr__(self) -> str:
        return f"Child({self.name!r}, shards={self.shards}, pid={self.process.pid})"

    async def _read_stdout(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while line := await stream.readline():
                try:
                    self.lines.put_nowait(json.loads(line))
                except ValueError:
                    self.stderr.append(f"[not JSON on stdout] {line.decode(errors='replace')}")
        finally:
            self.lines.put_nowait(None)

    async def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        while line := await stream.readline():
            self.stderr.append(line.decode(errors="replace"))

    def tail(self, lines: int = 40) -> str:
        """The last lines of its stderr, for a failure's message."""
        return "".join(self.stderr[-lines:])

    async def next(self, timeout: float = TIMEOUT) -> JSON:
        """Its next line; fails (with its stderr) when it ends or says nothing in time."""
        try:
            async with asyncio.timeout(timeout):
                line = await self.lines.get()
        except TimeoutError:
            pytest.fail(f"{self!r} said nothing in {timeout} s; its stderr:\n{self.tail()}")
        if line is None:
            await self.wait()
            pytest.fail(
                f"{self!r} ended ({self.process.returncode}) before answering:\n{self.tail()}"
            )
        return line

    async def ask(self, **command: typing.Any) -> JSON:
        """Send a command; its answer (a failure when it is an error)."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(json.dumps(command).encode() + b"\n")
        await stdin.drain()
        answer = await self.next()
        if "error" in answer:
            pytest.fail(f"{self!r}: {command} -> {answer}; its stderr:\n{self.tail()}")
        return answer

    async def ready(self) -> JSON:
        """Its ``ready`` line."""
        line = await self.next()
        if not line.get("ready"):
            pytest.fail(f"{self!r} did not start: {line}; its stderr:\n{self.tail()}")
        return line

    async def stop(self, *, sigterm: bool = False) -> None:
        """Stop it with the ``stop`` command (or SIGTERM): it closes the client (the sessions
        kept), then the bot, says so and exits 0, with nothing unclean on its stderr."""
        if sigterm:
            self.process.send_signal(signal.SIGTERM)
        else:
            stdin = self.process.stdin
            assert stdin is not None
            stdin.write(b'{"stop": true}\n')
            await stdin.drain()
        assert await self.next() == {"stopped": True}
        assert await self.wait() == 0, self.tail()
        self.assert_clean()

    def assert_clean(self) -> None:
        unclean = [line for line in self.stderr if any(word in line for word in NOT_CLEAN)]
        assert not unclean, f"{self!r} did not end cleanly:\n{self.tail()}"

    def kill(self) -> None:
        """SIGKILL (when it still runs)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)

    async def wait(self, timeout: float = TIMEOUT) -> int:
        """Its exit status, once it has ended and its pipes are read to their end."""
        async with asyncio.timeout(timeout):
            status = await self.process.wait()
            await asyncio.gather(*self._readers)
        return status

    async def close(self) -> None:
        """Make sure it is gone (killed if it still runs), its pipes closed."""
        self.kill()
        try:
            await self.wait(10)
        finally:
            for reader in self._readers:
                reader.cancel()
            stdin = self.process.stdin
            if stdin is not None:
                stdin.close()


class Launcher:
    """Starts processes of the bot; closes every one it started."""

    def __init__(
        self, discord: FakeDiscord, nodes: list[FakeLavalink], redis_url: str, cluster: str
    ) -> None:
        self.discord = discord
        self.nodes = nodes
        self.redis_url = redis_url
        self.cluster = cluster
        self.children: list[Child] = []

    async def start(self, instance: str, shards: list[int]) -> Child:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
        env.pop("COVERAGE_PROCESS_START", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-W",
            "always::ResourceWarning",
            "-m",
            "tests.store.bot_process",
            "--discord-url",
            self.discord.rest_url,
            "--token",
            self.discord.token,
            "--nodes",
            ",".join(f"{n.host}:{n.port}" for n in self.nodes),
            "--password",
            PASSWORD,
            "--redis",
            self.redis_url,
            "--cluster",
            self.cluster,
            "--instance",
            instance,
            "--shards",
            ",".join(map(str, shards)),
            "--shard-count",
            str(SHARDS),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=REPO,
            env=env,
        )
        child = Child(instance, shards, process)
        self.children.append(child)
        return child

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.children), return_exceptions=True)


@contextlib.asynccontextmanager
async def world() -> collections.abc.AsyncGenerator[tuple[FakeDiscord, list[FakeLavalink]]]:
    async with (
        FakeDiscord(shard_count=SHARDS, guilds=GUILDS) as discord,
        FakeLavalink(password=PASSWORD, catalogue=CATALOGUE, name="n0") as n0,
        FakeLavalink(password=PASSWORD, catalogue=CATALOGUE, name="n1") as n1,
    ):
        yield discord, [n0, n1]


def shard_of(guild: int) -> int:
    return (guild >> 22) % SHARDS


def by_guild(state: JSON) -> dict[int, JSON]:
    return {p["guild"]: p for p in state["players"]}


def steady(player: JSON) -> JSON:
    """What of a player's state must not change while it is left alone (not its position)."""
    return {k: v for k, v in player.items() if k != "position"}


def player_requests(
    node: FakeLavalink, guilds: collections.abc.Iterable[int], after: int
) -> list[str]:
    """The node's requests from ``after`` on for one of ``guilds``' players."""
    ends = tuple(f"/players/{g}" for g in guilds)
    return [f"{r.method} {r.path}" for r in node.requests[after:] if r.path.endswith(ends)]


@pytest.mark.asyncio
@pytest.mark.timeout(120)
async def test_processes_of_one_bot_survive_a_kill_and_a_new_split(
    redis_server: RedisServer, cluster: str
) -> None:
    async with world() as (discord, nodes):
        node = {n.name: n for n in nodes}
        launcher = Launcher(discord, nodes, redis_server.url, cluster)
        reader = RedisStore(redis_server.url, cluster=cluster)
        try:
            # -- three processes: shards [0, 1], [2] and [3] -------------------------------
            a, b, c = (
                await launcher.start("a", [0, 1]),
                await launcher.start("b", [2]),
                await launcher.start("c", [3]),
            )
            for child in (a, b, c):
                first = await child.ready()
                assert first["expected"] == []  # nothing stored yet
            owner = {0: a, 1: a, 2: b, 3: c}
            queues: dict[int, list[JSON]] = {}

            async def music(child: Child) -> None:
                # Each guild on the node its index names, a song, one or two tracks queued.
                for index, guild in enumerate(GUILDS):
                    if owner[shard_of(guild.id)] is not child:
                        continue
                    channel, on = guild.voice_channel_ids[0], f"n{index % 2}"
                    assert (await child.ask(join=guild.id, channel=channel, node=on))["node"] == on
                    await child.ask(play=guild.id, query="ytsearch:song", start=START)
                    await child.ask(
                        queue_add=guild.id, query="ytsearch:next", requester=1000 + index
                    )
                    if index % 2 == 0:
                        await child.ask(queue_add=guild.id, query="ytsearch:last", requester=7)
                    queues[guild.id] = by_guild(await child.ask(state=True))[guild.id]["queue"]
                await child.ask(sync=True)  # in Redis

            await asyncio.gather(music(a), music(b), music(c))
            assert [len(queues[g.id]) for g in GUILDS] == [2, 1] * SHARDS
            before = {child.name: await child.ask(state=True) for child in (a, b, c)}
            for child in (a, b, c):
                players = by_guild(before[child.name])
                assert sorted(players) == sorted(
                    g.id for g in GUILDS if shard_of(g.id) in child.shards
                )
                for guild, player in players.items():
                    assert player["track"] == SONG.encoded
                    assert player["queue"] == queues[guild]
                    remote = node[player["node"]].sessions[player["session"]].players[guild]
                    assert remote.track is not None
                    assert remote.track.encoded == SONG.encoded
            stored = {p.guild_id: p for p in await reader.read_players()}
            assert sorted(stored) == sorted(g.id for g in GUILDS)

            # -- SIGKILL the first; start it again (same instance): it adopts its guilds -----
            a_guilds = [g.id for g in GUILDS if shard_of(g.id) in (0, 1)]
            others = [g.id for g in GUILDS if g.id not in a_guilds]
            a_sessions: dict[str, str] = before["a"]["sessions"]
            ops = len(discord.voice_ops)
            requests = {n.name: len(n.requests) for n in nodes}
            identifies = dict(discord.identifies)
            a.kill()
            assert await a.wait() == -signal.SIGKILL
            for name, session in a_sessions.items():  # its sessions wait for it
                await node[name].wait_until(lambda n=name, s=session: node[n].sessions[s].paused)
            await discord.wait_until(lambda: not any(map(discord.is_connected, (0, 1))))
            restarted = await launcher.start("a", [0, 1])
            ready = await restarted.ready()
            assert ready["expected"] == sorted(a_guilds)
            assert ready["recreated"] == []  # adopted from the resumed sessions
            assert ready["sessions"] == a_sessions
            players = by_guild(ready)
            assert sorted(players) == sorted(a_guilds)
            for guild, player in players.items():
                old = by_guild(before["a"])[guild]
                assert steady(player) == steady(old), guild  # track, queue, node, session...
                assert player["position"] >= old["position"]
            assert discord.voice_ops[ops:] == []  # no op 4 at all, for any guild
            assert discord.identifies[0] == identifies[0] + 1  # the new process's shards
            for n in nodes:
                assert not player_requests(n, others, requests[n.name])  # the others: nothing
                assert not [
                    r for r in player_requests(n, a_guilds, requests[n.name]) if "PATCH" in r
                ]
                for session in n.sessions.values():
                    assert not session.paused
            for guild, player in {
                **by_guild(ready),
                **by_guild(before["b"]),
                **by_guild(before["c"]),
            }.items():
                remote = node[player["node"]].sessions[player["session"]].players[guild]
                assert remote.track is not None  # every guild plays on, where it played
                assert remote.track.encoded == SONG.encoded
                assert remote.position >= START
            for child in (b, c):  # the other processes still hold their players, unchanged
                now = await child.ask(state=True)
                assert now["sessions"] == before[child.name]["sessions"]
                assert {g: steady(p) for g, p in by_guild(now).items()} == {
                    g: steady(p) for g, p in by_guild(before[child.name]).items()
                }

            # -- a process for shards that live ones run is refused, and touches nothing -----
            intruder = await launcher.start("x", [1, 2])
            refused = await intruder.next()
            assert refused["error"] == "ShardsClaimedError", refused
            assert refused["owners"] == {"1": "a", "2": "b"}
            assert "shard 1 by 'a'" in refused["message"]
            assert "shard 2 by 'b'" in refused["message"]
            assert await intruder.wait() == CLAIMED
            assert any("ShardsClaimedError: cluster" in line for line in intruder.stderr)
            intruder.assert_clean()
            assert discord.identifies[1] == identifies[1] + 1  # the restart's, not the intruder's
            assert discord.identifies[2] == identifies[2]
            assert discord.voice_ops[ops:] == []

            # -- stop them all (the sessions kept), then start shards [0, 1, 2] and [3] ------
            kept = {child.name: await child.ask(state=True) for child in (restarted, b, c)}
            await asyncio.gather(restarted.stop(), b.stop(sigterm=True), c.stop())
            stored = {p.guild_id: p for p in await reader.read_players()}
            assert sorted(stored) == sorted(g.id for g in GUILDS)
            for guild, player in stored.items():
                assert player.track is not None
                assert player.track.encoded == SONG.encoded
                assert player.music is not None
                assert [t.encoded for t in player.music.queue] == [
                    q["track"] for q in queues[guild]
                ]
                assert player.position >= START
            ops = len(discord.voice_ops)
            requests = {n.name: len(n.requests) for n in nodes}
            wide = await launcher.start("p", [0, 1, 2])
            narrow = await launcher.start("q", [3])
            wide_ready, narrow_ready = await wide.ready(), await narrow.ready()

            # The new shard set [0, 1, 2] has no session of its own: its guilds are recreated
            # with op 4, at their stored positions, on the nodes they were on.
            moved = [g.id for g in GUILDS if shard_of(g.id) in (0, 1, 2)]
            assert wide_ready["expected"] == sorted(moved)
            assert wide_ready["recreated"] == sorted(moved)
            old_sessions = set(kept["a"]["sessions"].values()) | set(kept["b"]["sessions"].values())
            assert not set(wide_ready["sessions"].values()) & old_sessions
            joins = [(s, int(d["guild_id"]), d["channel_id"]) for s, d in discord.voice_ops[ops:]]
            assert sorted(joins) == sorted(
                (shard_of(g), g, str(stored[g].channel_id)) for g in moved
            )
            assert discord.wrong_shard_ops == []
            players = by_guild(wide_ready)
            for guild in moved:
                player, was = players[guild], stored[guild]
                assert player["node"] == was.node
                assert player["channel"] == was.channel_id
                assert player["track"] == SONG.encoded
                assert player["queue"] == queues[guild]
                assert not player["recovering"]
                fake = node[was.node]
                session = wide_ready["sessions"][was.node]
                remote = fake.sessions[session].players[guild]
                assert remote.track is not None
                assert remote.track.encoded == SONG.encoded
                sent = [
                    r.json()
                    for r in fake.requests[requests[was.node] :]
                    if r.method == "PATCH" and r.path.endswith(f"/{session}/players/{guild}")
                ]
                positions = [body["position"] for body in sent if "position" in body]
                assert positions, sent
                assert abs(positions[0] - was.position) <= 50, (positions, was.position)

            # The same shard set [3] resumes its own sessions: adopted, no op 4.
            c_guilds = [g.id for g in GUILDS if shard_of(g.id) == 3]
            assert narrow_ready["expected"] == sorted(c_guilds)
            assert narrow_ready["recreated"] == []
            assert narrow_ready["sessions"] == kept["c"]["sessions"]
            assert {g: steady(p) for g, p in by_guild(narrow_ready).items()} == {
                g: steady(p) for g, p in by_guild(kept["c"]).items()
            }
            assert not [g for _, g, _ in joins if g in c_guilds]
            for n in nodes:
                assert not player_requests(n, c_guilds, requests[n.name])

            await asyncio.gather(wide.stop(), narrow.stop())
        finally:
            await launcher.close()
            await reader.close()
