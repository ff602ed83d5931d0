"""One process of a sharded bot, for the multi-process store tests (tests/store/test_processes.py).

Run as ``python -m tests.store.bot_process --discord-url URL --token TOKEN --nodes
host:port,host:port --password PASSWORD --redis URL --cluster NAME --instance NAME --shards 0,1
--shard-count 4``: a ``hikari.GatewayBot`` running those shards, a ``LavalinkClient`` with a
node per ``--nodes`` entry (named ``n0``, ``n1``...) and a
:class:`~hikari_lavalink.store.RedisStore`.

It claims its shards *before* its shards connect to Discord, so that a process refused its
shards never takes a gateway connection from their owner: then it writes one line
``{"error": "ShardsClaimedError", "message": ..., "owners": {...}}`` and exits with
:data:`CLAIMED`.

Otherwise, once every node is ready and every player the store held for its shards is back
(adopted from a resumed session, or recreated and its ``VoiceRestoredEvent`` seen), it writes
``{"ready": true, ...}`` and then answers the commands it reads on stdin, one JSON object a
line, with one JSON line each on stdout:

- ``{"join": guild, "channel": channel, "node": "n0"}`` (``node`` optional);
- ``{"play": guild, "query": "ytsearch:song", "start": ms}``: the first track found;
- ``{"queue_add": guild, "query": ..., "requester": user}``;
- ``{"state": true}``: the players it holds;
- ``{"sync": true}``: answers once a store save begun after the command reached Redis;
- ``{"stop": true}`` (or SIGTERM, or stdin closed): closes the client (with a store, the
  sessions and players are kept), then the bot, and exits 0.

A command that fails is answered ``{"error": type, "message": ...}``. Every wait is on an
event (a hikari_lavalink event, a store save), with a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import typing

import hikari
import typing_extensions

import hikari_lavalink as hl
from hikari_lavalink.errors import ShardsClaimedError, UsageError
from hikari_lavalink.store import StoreScope
from hikari_lavalink.store.redis import RedisStore

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.runtime.player import Player

JSON: typing.TypeAlias = dict[str, typing.Any]

CLAIMED: typing.Final = 3
"""The exit status of a process refused its shards (``ShardsClaimedError``)."""
FAILED: typing.Final = 4
"""The exit status of a process that could not start or restore its players."""
READY_TIMEOUT: typing.Final = 20.0
"""Seconds to get every node ready and every stored player back."""
COMMAND_TIMEOUT: typing.Final = 10.0


class ProcessStore(RedisStore):
    """A RedisStore that may be opened before the client opens it (the same scope: once), and
    that tells when a save reached Redis."""

    def __init__(self, url: str, **options: typing.Any) -> None:
        super().__init__(url, **options)
        self.opened: StoreScope | None = None
        self.begun = 0
        self.done = 0
        self.saved = asyncio.Event()

    @typing_extensions.override
    async def open(self, scope: StoreScope) -> None:
        if self.opened is not None:
            if scope != self.opened:
                msg = f"opened for {self.opened!r}, then asked for {scope!r}"
                raise UsageError(msg)
            return  # claimed already, before the bot started
        await super().open(scope)
        self.opened = scope

    @typing_extensions.override
    async def save(self, state: hl.StoredState) -> None:
        self.begun += 1
        generation = self.begun
        await super().save(state)
        self.done = max(self.done, generation)
        self.saved.set()

    async def sync(self, timeout: float) -> None:
        """Until a save begun from now on has reached Redis."""
        after = self.begun
        async with asyncio.timeout(timeout):
            while self.done <= after:
                self.saved.clear()
                await self.saved.wait()


class Watcher:
    """Every hikari_lavalink event wakes the waits; the guilds restored are kept."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.restored: list[int] = []

    async def on_event(self, event: hl.LavalinkEvent) -> None:
        if isinstance(event, hl.VoiceRestoredEvent):
            self.restored.append(int(event.guild_id))
        self.changed.set()

    async def until(self, condition: collections.abc.Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


def emit(message: JSON) -> None:
    """One line on stdout."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def describe(player: Player, recovering: collections.abc.Set[int]) -> JSON:
    track = player.track
    return {
        "guild": player.guild_id,
        "channel": player.channel_id,
        "node": player.node.name,
        "session": player.node.session_id,
        "track": track.encoded if track is not None else None,
        "title": track.info.title if track is not None else None,
        "queue": [
            {"track": t.encoded, "requester": hl.requester_of(t)} for t in player.queue.upcoming
        ],
        "position": player.position,
        "paused": player.paused,
        "recovering": player.guild_id in recovering,
    }


def parse_args(argv: collections.abc.Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.store.bot_process")
    parser.add_argument("--discord-url", required=True, help="FakeDiscord's rest_url")
    parser.add_argument("--token", required=True)
    parser.add_argument("--nodes", required=True, help="host:port,host:port")
    parser.add_argument("--password", required=True)
    parser.add_argument("--redis", required=True, help="the Redis URL")
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--shards", required=True, help="this process's shard ids: 0,1")
    parser.add_argument("--shard-count", type=int, required=True)
    parser.add_argument("--lease-ttl", type=float, default=1.0)
    parser.add_argument("--store-interval", type=float, default=0.1)
    parser.add_argument("--resume-timeout", type=int, default=60)
    return parser.parse_args(argv)


class BotProcess:
    """The bot, its client and its store, and the commands it answers."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.scope = StoreScope(args.shard_count, (int(s) for s in args.shards.split(",")))
        self.store = ProcessStore(
            args.redis, cluster=args.cluster, instance=args.instance, lease_ttl=args.lease_ttl
        )
        # logs=None: hikari would log to stdout, the lines this process answers on.
        self.bot = hikari.GatewayBot(args.token, rest_url=args.discord_url, banner=None, logs=None)
        self.lava = hl.LavalinkClient(
            self.bot,
            store=self.store,
            store_interval=args.store_interval,
            auto_start=False,
            voice_timeout=5.0,
            rejoin_timeout=5.0,
        )
        for index, address in enumerate(args.nodes.split(",")):
            host, _, port = address.rpartition(":")
            self.lava.add_node(
                name=f"n{index}",
                host=host,
                port=int(port),
                password=args.password,
                resume_timeout=args.resume_timeout,
                reconnect_base=0.05,
                reconnect_cap=0.5,
            )
        self.watcher = Watcher()
        self.bot.subscribe(hl.LavalinkEvent, self.watcher.on_event)
        self.expected: list[int] = []
        self.commands: asyncio.Queue[JSON] = asyncio.Queue()

    def restored(self) -> bool:
        """Every node ready, and every stored player of these shards back and not recovering."""
        lava = self.lava
        recovering = lava.recovering
        return all(n.is_ready for n in lava.nodes.values()) and all(
            g in lava.players and g not in recovering for g in self.expected
        )

    def state(self) -> JSON:
        recovering = self.lava.recovering
        players = sorted(self.lava.players.values(), key=lambda p: p.guild_id)
        return {
            "players": [describe(p, recovering) for p in players],
            "sessions": {n.name: n.session_id for n in self.lava.nodes.values()},
        }

    async def run(self) -> int:
        """Claim, start, restore, serve; the exit status."""
        try:
            await self.store.open(self.scope)
        except ShardsClaimedError as exc:
            sys.stderr.write(f"ShardsClaimedError: {exc}\n")
            emit(
                {
                    "error": "ShardsClaimedError",
                    "message": str(exc),
                    "owners": {str(s): o for s, o in exc.owners.items()},
                }
            )
            await self.lava.close()  # closes the store too
            return CLAIMED
        bot_started = False
        try:
            stored = await self.store.read_players()
            self.expected = sorted(
                p.guild_id
                for p in stored
                if self.scope.owns(p.guild_id) and p.channel_id is not None
            )
            await self.bot.start(
                check_for_updates=False,
                shard_ids=self.scope.shard_ids,
                shard_count=self.scope.shard_count,
            )
            bot_started = True
            await self.lava.start()
            await self.lava.wait_ready(timeout=READY_TIMEOUT)
            await self.watcher.until(self.restored, READY_TIMEOUT)
            emit(
                {
                    "ready": True,
                    "pid": os.getpid(),
                    "shards": list(self.scope.shard_ids),
                    "expected": self.expected,
                    "recreated": sorted(set(self.watcher.restored)),
                    **self.state(),
                }
            )
            await self.serve()
        except Exception as exc:
            emit({"error": type(exc).__name__, "message": str(exc), **self._safe_state()})
            return FAILED
        finally:
            await self.lava.close()
            if bot_started:
                await self.bot.close()
        return 0

    def _safe_state(self) -> JSON:
        try:
            return self.state()
        except Exception as exc:
            return {"state_error": repr(exc)}

    async def serve(self) -> None:
        while True:
            command = await self.commands.get()
            if "stop" in command:
                return
            try:
                async with asyncio.timeout(COMMAND_TIMEOUT):
                    answer = await self.answer(command)
            except Exception as exc:
                answer = {"error": type(exc).__name__, "message": str(exc)}
            emit(answer)

    def player(self, guild: int) -> Player:
        player = self.lava.get_player(guild)
        if player is None:
            msg = f"no player in guild {guild}"
            raise UsageError(msg)
        return player

    async def track(self, query: str) -> hl.Track:
        result = await self.lava.load_tracks(query)
        tracks = result.tracks
        if not tracks:
            msg = f"nothing found for {query!r}"
            raise UsageError(msg)
        return tracks[0]

    async def answer(self, command: JSON) -> JSON:
        lava = self.lava
        recovering = lava.recovering
        if "join" in command:
            node = lava.nodes[command["node"]] if command.get("node") else None
            player = await lava.join(int(command["join"]), int(command["channel"]), node=node)
            return describe(player, recovering)
        if "play" in command:
            player = self.player(int(command["play"]))
            track = await self.track(str(command["query"]))
            await player.play(track, start=int(command.get("start", 0)))
            return describe(player, recovering)
        if "queue_add" in command:
            player = self.player(int(command["queue_add"]))
            track = await self.track(str(command["query"]))
            player.queue.add(track, requester=command.get("requester"))
            return describe(player, recovering)
        if "state" in command:
            return self.state()
        if "sync" in command:
            await self.store.sync(COMMAND_TIMEOUT)
            return {"synced": True}
        msg = f"unknown command {command!r}"
        raise UsageError(msg)

    async def read_commands(self) -> None:
        """stdin's lines into :attr:`commands`; a stop at its end."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
        )
        try:
            while line := await reader.readline():
                if not line.strip():
                    continue
                try:
                    command = json.loads(line)
                except ValueError as exc:
                    emit({"error": "ValueError", "message": f"not JSON: {exc}"})
                    continue
                if not isinstance(command, dict):
                    emit({"error": "ValueError", "message": "a command is a JSON object"})
                    continue
                self.commands.put_nowait(typing.cast("JSON", command))
        finally:
            transport.close()
            self.commands.put_nowait({"stop": True})


async def main(argv: collections.abc.Sequence[str] | None = None) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(levelname).1s %(asctime)s %(name)s: %(message)s",
    )
    process = BotProcess(parse_args(argv))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, process.commands.put_nowait, {"stop": True})
    reader = loop.create_task(process.read_commands())
    try:
        status = await process.run()
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    if status == 0:
        emit({"stopped": True})
    return status


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
