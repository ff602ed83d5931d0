"""The process harness of the end-to-end benchmarks (``join``, ``failover``).

The fakes run in processes of their own, so their CPU does not queue behind the client's:
one process for FakeDiscord, one for the FakeLavalink nodes (so Discord's burst of voice
events does not delay the nodes' stamps either). Every stamp is ``time.monotonic_ns()``
(CLOCK_MONOTONIC), comparable across the processes of one Linux machine.

Run as ``python -m bench.servers discord <shards> <guilds>`` or
``python -m bench.servers lavalink <name>...``: it prints ``READY <json>``, then answers each
command line on stdin with one JSON line; ``quit`` (or the end of stdin) stops it.

- discord: ``vsu`` -> ``{guild: ns}``, when the last ``VOICE_SERVER_UPDATE`` of each guild
  was sent;
- lavalink: ``patches`` -> ``{node: [[guild, ns, voice, track], ...]}``, every player PATCH
  as it reached the node (``voice``/``track``: whether the body carries them); ``clear``;
  ``kill <node>`` (SIGKILL-like) -> the ns just before; ``playing`` -> ``{node: [guild...]}``
  of the players with a track.
- catalogue (``python -m bench.servers catalogue <playlist size> <search size>``): one
  FakeLavalink whose catalogue holds :data:`PLAYLIST_IDENTIFIER` (a playlist of
  :func:`bench.payloads.playlist`) and :data:`SEARCH_IDENTIFIER` (the results of
  :func:`bench.payloads.search`), decoded from those bytes; ``READY`` carries its ``port``.
  ``requests`` -> ``{identifier: n}``, the successful ``/v4/loadtracks`` calls since the
  last ``requests``.
- stream (``python -m bench.servers stream``): one FakeLavalink; ``push <count> <guilds>
  <start> <stop> <session>`` pushes the frames ``start:stop`` of
  :func:`bench.payloads.mixed_stream` ``(count, guilds)`` (plus a final ``bench-end``
  frame) to that session in one burst (``FakeLavalink.push(burst=True)``: framed up front,
  one socket write, so the server costs next to nothing per frame and the client always
  finds a full buffer), then answers ``{"pushed": n}``. ``READY`` carries its ``port``.

The bot side (:func:`running_fakes`, :func:`running_bot`, :func:`voice_server_frames`) runs a
real ``hikari.GatewayBot`` and a :class:`~hikari_lavalink.LavalinkClient` against them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import sys
import time
import typing

import hikari
from hikari.impl.event_manager import EventManagerImpl
from typing_extensions import override

import hikari_lavalink as hl
from bench import payloads
from hikari_lavalink.testing import FakeDiscord, FakeGuild, FakeLavalink

if typing.TYPE_CHECKING:
    import collections.abc

    import aiohttp
    from aiohttp import web

__all__ = [
    "PASSWORD",
    "PLAYLIST_IDENTIFIER",
    "SEARCH_IDENTIFIER",
    "Fakes",
    "FakeProcess",
    "bench_guilds",
    "quiet_logs",
    "running_bot",
    "running_fakes",
    "voice_server_frames",
]

PASSWORD: typing.Final = "bench-servers"  # the fakes' password, not a secret
_EPOCH_MS: typing.Final = 1420070400000
_FIRST_MS: typing.Final = 1_700_000_000_000 - _EPOCH_MS
_REPLY_LIMIT: typing.Final = 1 << 24
JSON: typing.TypeAlias = dict[str, typing.Any]
PLAYLIST_IDENTIFIER: typing.Final = "https://www.youtube.com/playlist?list=PLbench-load"
"""What the ``catalogue`` fake loads as the playlist."""
SEARCH_IDENTIFIER: typing.Final = "ytsearch:never gonna give you up"
"""What the ``catalogue`` fake loads as the search."""


def bench_guilds(shards: int, count: int) -> list[FakeGuild]:
    """``count`` guilds spread evenly over ``shards`` (the same list in every process)."""
    guilds: list[FakeGuild] = []
    for index in range(count):
        gid = (_FIRST_MS + index) << 22  # shard: (id >> 22) % shards, round robin
        guilds.append(FakeGuild(gid, f"bench-{index}", (gid + 1,), (gid + 2,)))
    return guilds


# -- the server side (in its own process) ------------------------------------------------


class _StampingLavalink(FakeLavalink):
    """A FakeLavalink that stamps every player PATCH the moment its handler starts."""

    def __init__(self, name: str) -> None:
        super().__init__(password=PASSWORD, name=name)
        self.patches: list[tuple[int, int, bool, bool]] = []

    @override
    async def _update_player(self, request: web.Request) -> web.Response:
        now = time.monotonic_ns()
        body = await request.read()  # read (and cached) by the middleware already
        guild = int(request.match_info["guild"])
        self.patches.append((guild, now, b'"voice"' in body, b'"encoded"' in body))
        return await super()._update_player(request)


async def _lines() -> collections.abc.AsyncIterator[list[str]]:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        words = line.split()
        if not words or words[0] == "quit":
            return
        yield words


def _reply(value: object) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


async def _serve_discord(shards: int, count: int) -> None:
    async with FakeDiscord(shard_count=shards, guilds=bench_guilds(shards, count)) as discord:
        _reply_ready({"rest_url": discord.rest_url})
        async for words in _lines():
            if words[0] == "vsu":
                sent = {
                    str(frame.data["guild_id"]): int(frame.at * 1e9)
                    for frame in discord.frames
                    if frame.direction == "out" and frame.t == "VOICE_SERVER_UPDATE"
                }
                _reply(sent)
            else:
                _reply({"error": words[0]})


async def _serve_lavalink(names: list[str]) -> None:
    nodes = {name: _StampingLavalink(name) for name in names}
    async with contextlib.AsyncExitStack() as stack:
        for node in nodes.values():
            await stack.enter_async_context(node)
        _reply_ready({"ports": {name: node.port for name, node in nodes.items()}})
        async for words in _lines():
            command = words[0]
            if command == "patches":
                _reply({name: node.patches for name, node in nodes.items()})
            elif command == "clear":
                for node in nodes.values():
                    node.patches.clear()
                _reply({})
            elif command == "kill":
                at = time.monotonic_ns()
                await nodes[words[1]].kill()
                _reply({"at": at})
            elif command == "playing":
                _reply(
                    {
                        name: [
                            guild
                            for session in node.sessions.values()
                            for guild, player in session.players.items()
                            if player.track is not None
                        ]
                        for name, node in nodes.items()
                    }
                )
            else:
                _reply({"error": command})


async def _serve_catalogue(playlist_size: int, search_size: int) -> None:
    catalogue = {
        PLAYLIST_IDENTIFIER: hl.decode_load_result(payloads.playlist(playlist_size)),
        SEARCH_IDENTIFIER: hl.decode_load_result(payloads.search(search_size)),
    }
    # No stats while measuring: the client's WebSocket stays quiet.
    async with FakeLavalink(password=PASSWORD, catalogue=catalogue, stats_interval=3600) as fake:
        _reply_ready({"port": fake.port})
        async for words in _lines():
            if words[0] == "requests":
                loads: dict[str, int] = {}
                for record in fake.requests:
                    if record.path == "/v4/loadtracks" and record.status == 200:
                        identifier = record.query.get("identifier", "")
                        loads[identifier] = loads.get(identifier, 0) + 1
                fake.requests.clear()
                _reply(loads)
            else:
                _reply({"error": words[0]})


async def _serve_stream() -> None:
    streams: dict[tuple[int, int], list[bytes]] = {}
    async with FakeLavalink(password=PASSWORD, stats_interval=3600) as fake:
        _reply_ready({"port": fake.port})
        async for words in _lines():
            if words[0] == "push":
                count, guilds, start, stop = map(int, words[1:5])
                session = words[5]
                await fake.wait_for_connections(1, timeout=10)
                if (count, guilds) not in streams:
                    streams[count, guilds] = payloads.mixed_stream(count, guilds)
                fake.sent.clear()  # its record of every frame would only grow
                frames = streams[count, guilds][start:stop]
                fake.push([*frames, b'{"op":"bench-end"}'], session, burst=True)
                _reply({"pushed": len(frames)})
            else:
                _reply({"error": words[0]})


def _reply_ready(info: JSON) -> None:
    sys.stdout.write("READY " + json.dumps(info) + "\n")
    sys.stdout.flush()


async def _serve(argv: list[str]) -> None:
    if argv[0] == "discord":
        await _serve_discord(int(argv[1]), int(argv[2]))
    elif argv[0] == "catalogue":
        await _serve_catalogue(int(argv[1]), int(argv[2]))
    elif argv[0] == "stream":
        await _serve_stream()
    else:
        await _serve_lavalink(argv[1:])


# -- the bot side ------------------------------------------------------------------------


class FakeProcess:
    """One fake server process, driven over its stdin and stdout."""

    __slots__ = ("_process", "info")

    def __init__(self, process: asyncio.subprocess.Process, info: JSON) -> None:
        self._process = process
        self.info = info
        """What it printed with ``READY``."""

    @classmethod
    async def spawn(cls, *args: str, timeout: float = 30.0) -> FakeProcess:
        """Start ``python -m bench.servers *args`` and wait for its ``READY`` line."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.servers", *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=_REPLY_LIMIT,
        )  # fmt: skip
        fake = cls(process, {})
        try:
            assert process.stdout is not None
            line = (await asyncio.wait_for(process.stdout.readline(), timeout)).decode()
            if not line.startswith("READY "):
                msg = f"bench.servers {' '.join(args)} did not start: {line!r}"
                raise RuntimeError(msg)
        except BaseException:
            await fake.close()
            raise
        fake.info = json.loads(line.removeprefix("READY "))
        return fake

    async def ask(self, command: str, timeout: float = 30.0) -> typing.Any:
        """Send one command; return its JSON answer."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write(command.encode() + b"\n")
        await stdin.drain()
        line = await asyncio.wait_for(stdout.readline(), timeout)
        if not line:
            msg = f"the fake process died (asked {command!r})"
            raise RuntimeError(msg)
        return json.loads(line)

    async def close(self, timeout: float = 5.0) -> None:
        """Ask it to quit; kill it if it does not within ``timeout`` seconds."""
        process = self._process
        if process.returncode is not None:
            return
        try:
            if process.stdin is not None:
                process.stdin.write(b"quit\n")
                await process.stdin.drain()
                process.stdin.close()
            await asyncio.wait_for(process.wait(), timeout)
        except (TimeoutError, ConnectionError):
            process.kill()
            await process.wait()
        except BaseException:
            process.kill()
            await process.wait()
            raise


@dataclasses.dataclass(frozen=True, slots=True)
class Fakes:
    """The two fake processes and what the bot needs to reach them."""

    discord: FakeProcess
    lavalink: FakeProcess
    shards: int
    guilds: list[FakeGuild]

    @property
    def rest_url(self) -> str:
        """FakeDiscord's REST base URL."""
        return str(self.discord.info["rest_url"])

    @property
    def ports(self) -> dict[str, int]:
        """Node name -> port."""
        return {str(k): int(v) for k, v in self.lavalink.info["ports"].items()}


@contextlib.asynccontextmanager
async def running_fakes(
    shards: int, guilds: int, nodes: collections.abc.Sequence[str]
) -> collections.abc.AsyncGenerator[Fakes]:
    """FakeDiscord (``shards``, ``guilds``) and FakeLavalink ``nodes``, each process its own."""
    async with contextlib.AsyncExitStack() as stack:
        spawned = await asyncio.gather(
            FakeProcess.spawn("discord", str(shards), str(guilds)),
            FakeProcess.spawn("lavalink", *nodes),
            return_exceptions=True,
        )
        for process in spawned:
            if isinstance(process, FakeProcess):
                stack.push_async_callback(process.close)
        for process in spawned:
            if isinstance(process, BaseException):
                raise process
        discord, lavalink = typing.cast("list[FakeProcess]", spawned)
        yield Fakes(discord, lavalink, shards, bench_guilds(shards, guilds))


@contextlib.asynccontextmanager
async def running_bot(
    fakes: Fakes,
    *,
    session: aiohttp.ClientSession | None = None,
    resume_timeout: int = 60,
    timeout: float = 60.0,
) -> collections.abc.AsyncGenerator[tuple[hikari.GatewayBot, hl.LavalinkClient]]:
    """A started GatewayBot (every shard ready) and a client with every node ready."""
    bot = hikari.GatewayBot(
        FakeDiscord().token,  # the fakes' token: computed, never shown
        rest_url=fakes.rest_url,
        banner=None,
        logs=None,
        suppress_optimization_warning=True,
    )
    lava = hl.LavalinkClient(bot, session=session, voice_timeout=timeout)
    for name, port in fakes.ports.items():
        lava.add_node(
            name=name,
            host="127.0.0.1",
            port=port,
            password=PASSWORD,
            resume_timeout=resume_timeout,
            reconnect_base=0.05,
            reconnect_cap=0.2,
        )
    try:
        async with asyncio.timeout(timeout):
            await bot.start(check_for_updates=False, shard_count=fakes.shards)
            for node in lava.nodes.values():
                await node.wait_ready()
            for _ in range(50):  # the guilds are cached once each shard's GUILD_CREATEs are in
                if len(bot.cache.get_guilds_view()) >= len(fakes.guilds):
                    break
                await asyncio.sleep(0.1)
        yield bot, lava
    finally:
        # Teardown is not measured: close the shards first (no op 4 leaves, hikari would
        # rate-limit them), then the client (it destroys its players on the nodes).
        lava.detach()
        if bot.is_alive:
            await bot.close()
        await lava.close()


@contextlib.contextmanager
def voice_server_frames() -> collections.abc.Generator[dict[int, int]]:
    """Guild -> ``monotonic_ns`` when its last ``VOICE_SERVER_UPDATE`` frame was read.

    The stamp is taken in hikari's ``consume_raw_event``: the shard has read the gateway
    frame (decompressed and JSON-decoded it), hikari has not built the event yet.
    """
    stamps: dict[int, int] = {}
    original = EventManagerImpl.consume_raw_event

    def consume(
        self: EventManagerImpl,
        event_name: str,
        shard: hikari.api.GatewayShard,
        payload: collections.abc.Mapping[str, typing.Any],
    ) -> None:
        if event_name == "VOICE_SERVER_UPDATE":
            stamps[int(payload["guild_id"])] = time.monotonic_ns()
        original(self, event_name, shard, payload)

    EventManagerImpl.consume_raw_event = consume
    try:
        yield stamps
    finally:
        EventManagerImpl.consume_raw_event = original


@contextlib.contextmanager
def quiet_logs() -> collections.abc.Generator[None]:
    """Silence the client's expected warnings (a node dies on purpose) while measuring."""
    logger = logging.getLogger("hikari_lavalink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1:]))
