"""`RedisStore`: one store for every process of a bot, on Redis (or Valkey).

Each process of the bot runs some of its shards; it stores and loads only the guilds of
those shards, and its own Lavalink sessions. The keys, under `{prefix}{cluster}:`:

- `players`: a hash, guild id -> the player's record (JSON:
  [`StoredPlayer`][hikari_lavalink.store.base.StoredPlayer] with its position left out), written
  when the record changes;
- `positions`: a hash, guild id -> `"{position} {unix_ms} {writer}"`, written when the
  position is not where the last one said it would be (a seek, a pause, a new track), not
  as a track plays; `saved`, a hash, writer (a shard set, `"4:0,1"`) -> when it last
  saved (Unix ms): a playing track is taken to have played on until then;
- `sessions`: a hash, shard set (`"4:0,1"`) -> its process's sessions (JSON, node
  name -> session id); a process drops the sets that overlap its own (after a re-split);
- `leases`: a hash, shard id -> `"{shard_count}|{instance}|{token}|{expires_ms}"`. A process claims
  its shards when the client opens the store, renews the claim every third of `lease_ttl`, releases
  it when it closes (killed: `lease_ttl` seconds later). Another process asking for a live one's
  shard gets [`ShardsClaimedError`][hikari_lavalink.ShardsClaimedError] (or waits), unless it has
  the same `instance` name (the restart of that process).

Redis down is not the bot's trouble: at start, no stored players (one warning), the claim made when
it is back; later, playback goes on and saves are retried until it is back. Other processes command
a guild's player over pub/sub (`RedisStore.send_command`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
import typing

import msgspec
import redis.asyncio
import redis.exceptions

from hikari_lavalink._typing import override
from hikari_lavalink.errors import ShardsClaimedError, UsageError
from hikari_lavalink.store._redis_parts import (
    CHUNK,
    CLAIM,
    RELEASE,
    as_of_last_save,
    changes,
    decode_sessions,
    live_owners,
    overlaps,
    parse_position,
    without_credentials,
)
from hikari_lavalink.store.base import RemoteReply, StoredPlayer, StoredState, StoreScope
from hikari_lavalink.store.redis_commands import CommandHandler, RedisCommands

__all__ = ["RedisStore"]

_LOGGER = logging.getLogger("hikari_lavalink.store")

_record_encoder: typing.Final = msgspec.json.Encoder()
_record_decoder: typing.Final = msgspec.json.Decoder(StoredPlayer)


class RedisStore:
    """A store shared by the processes of one bot, on Redis (needs the `redis` extra).

    Parameters
    ----------
    url
        The server, as redis-py reads it (`redis://user:password@host:6379/0`,
        `rediss://` for TLS); or give `client`.
    client
        A `redis.asyncio.Redis` of the bot's own (not closed by the store).
    cluster
        The bot's name: each bot sharing one Redis has its own.
    prefix
        Put before every key.
    lease_ttl
        Seconds a killed process keeps its shards' claim.
    wait_for_shards
        When another live process holds some of the shards: `False` raises
        [`ShardsClaimedError`][hikari_lavalink.ShardsClaimedError] at once, `True` waits until they
        are free, a number waits that many seconds at most.
    instance
        This process's name in the claims (default `"{hostname}/{pid}"`): a process of the
        same name takes its shards over at once, as the restart of that process.
    """

    __slots__ = (
        "_claimed",
        "_client",
        "_commands",
        "_known",
        "_lost",
        "_owns_client",
        "_positions",
        "_records",
        "_renewer",
        "_reported",
        "_scope",
        "_sessions",
        "_token",
        "_where",
        "_writer",
        "_written",
        "claimed",
        "cluster",
        "instance",
        "lease_ttl",
        "prefix",
        "wait_for_shards",
    )

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.asyncio.Redis | None = None,
        cluster: str = "bot",
        prefix: str = "hikari-lavalink:",
        lease_ttl: float = 15.0,
        wait_for_shards: bool | float = False,
        instance: str | None = None,
    ) -> None:
        if (url is None) == (client is None):
            msg = "RedisStore needs a url or a client (one of them)"
            raise UsageError(msg)
        if lease_ttl <= 0:
            msg = f"lease_ttl must be positive, not {lease_ttl}"
            raise UsageError(msg)
        instance = instance if instance is not None else f"{socket.gethostname()}/{os.getpid()}"
        if "|" in instance or not instance:
            msg = f"an instance name is not empty and has no '|': {instance!r}"
            raise UsageError(msg)
        if client is None:
            assert url is not None
            client = redis.asyncio.Redis.from_url(  # pyright: ignore[reportUnknownMemberType]
                url, socket_timeout=5.0, socket_connect_timeout=5.0
            )
            self._where = without_credentials(url)
            self._owns_client = True
        else:
            self._where = "a client of the bot's"
            self._owns_client = False
        self._client = client
        self._commands = RedisCommands(client, f"{prefix}{cluster}:commands")
        self.cluster: str = cluster
        self.prefix: str = prefix
        self.lease_ttl: float = lease_ttl
        self.wait_for_shards: bool | float = wait_for_shards
        self.instance: str = instance
        self.claimed: bool = False
        """Whether this process holds its shards' claim."""
        self._token = secrets.token_hex(8)
        self._scope: StoreScope | None = None
        self._writer = "-"
        self._renewer: asyncio.Task[None] | None = None
        self._claimed = asyncio.Event()
        self._reported = self._lost = False  # _lost: another process holds our shards now
        # What Redis holds now for this process's guilds, as last written or read.
        self._records: dict[int, bytes] = {}
        self._positions: dict[int, tuple[int, int]] = {}
        self._sessions: dict[str, str] = {}
        self._written = False  # whether a save of this process has reached Redis
        self._known: set[int] = set()  # the guilds whose records Redis may hold for us

    @override
    def __repr__(self) -> str:
        return (
            f"RedisStore({self._where}, cluster={self.cluster!r}, instance={self.instance!r}, "
            f"claimed={self.claimed})"
        )

    def key(self, name: str) -> str:
        """The full name of one of the cluster's keys (`players`, `leases`...)."""
        return f"{self.prefix}{self.cluster}:{name}"

    # -- claims ----------------------------------------------------------------------------

    async def open(self, scope: StoreScope) -> None:
        """Claim `scope`'s shards, then keep the claim alive.

        Raises
        ------
        ShardsClaimedError
            Another live process holds some of them (after `wait_for_shards`).
        """
        if self._renewer is not None and scope == self._scope:
            return  # opened already (before bot.start: refused before any shard connects)
        self._scope = scope
        self._writer = scope.key
        wait = self.wait_for_shards
        deadline = None if wait is True else time.monotonic() + (0.0 if wait is False else wait)
        while True:
            try:
                owners = await self._claim()
            except redis.exceptions.RedisError as exc:
                _LOGGER.warning(
                    "Redis store %s is unreachable (%s: %s): starting with no stored players; "
                    "the shards are claimed when it is back",
                    self._where,
                    type(exc).__name__,
                    exc,
                )
                self._reported = True
                break
            if not owners:
                break
            if deadline is not None and time.monotonic() >= deadline:
                held = ", ".join(f"shard {s} by {o!r}" for s, o in sorted(owners.items()))
                msg = (
                    f"cluster {self.cluster!r}: another live process runs these shards ({held});"
                    f" start this one with other shards, stop that one, or wait for its claim"
                    f" to end ({self.lease_ttl:g} s after it was killed)"
                )
                if self._owns_client:  # refused: no connection left open (it may try again)
                    await self._client.connection_pool.disconnect()
                raise ShardsClaimedError(msg, owners)
            await asyncio.sleep(min(max(self.lease_ttl / 10, 0.05), 1.0))
        self._renewer = asyncio.get_running_loop().create_task(self._renew())

    async def _claim(self) -> dict[int, str]:
        scope = self._scope
        assert scope is not None
        answer = await self._client.eval(  # pyright: ignore[reportUnknownMemberType]
            CLAIM,
            1,
            self.key("leases"),
            self._token,
            self.instance,
            str(scope.shard_count),
            str(int(self.lease_ttl * 1000)),
            *map(str, scope.shard_ids),
        )
        owners: dict[int, str] = {}
        for item in typing.cast("list[bytes]", answer):
            shard, _, owner = item.decode().partition("|")
            owners[int(shard)] = owner
        self.claimed = not owners
        (self._claimed.set if self.claimed else self._claimed.clear)()
        return owners

    async def wait_claimed(self, timeout: float | None = None) -> None:
        """Wait until this process holds its shards' claim (Redis may be down at start); a
        `TimeoutError` after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            await self._claimed.wait()

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ttl / 3)
            await self._renew_once()

    async def _renew_once(self) -> None:
        try:
            owners = await self._claim()
        except redis.exceptions.RedisError as exc:
            if not self._reported:
                self._reported = True
                _LOGGER.warning("Redis store %s: cannot renew the claim: %s", self._where, exc)
            return
        if owners and not self._lost:
            lost = "cluster %r: shards %s are now run by another process; no more saves here"
            _LOGGER.error(lost, self.cluster, sorted(owners))
        elif not owners and (self._lost or self._reported):
            _LOGGER.info("Redis store %s: reachable, and the shards claimed", self._where)
            self._reported = False
        self._lost = bool(owners)

    async def close(self) -> None:
        """Stop renewing, release the claim, close the connection (if the store made it)."""
        await self._commands.close()
        if self._renewer is not None:
            self._renewer.cancel()
            self._renewer = None
        if self.claimed:
            try:
                await self._client.eval(  # pyright: ignore[reportUnknownMemberType]
                    RELEASE, 1, self.key("leases"), self._token
                )
            except redis.exceptions.RedisError as exc:
                _LOGGER.warning(
                    "Redis store %s: the claim ends with its lease: %s", self._where, exc
                )
            self.claimed = False
            self._claimed.clear()
        if self._owns_client:
            await self._client.aclose()

    # -- the state ------------------------------------------------------------------------

    async def load(self) -> StoredState | None:
        """The players of this process's shards and its sessions (`None`: Redis was down
        when the store opened, or it holds nothing for them)."""
        scope = self._scope
        if self._reported and not self.claimed:
            return None  # said once already; the claim comes when Redis is back
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.hgetall(self.key("players"))
            pipe.hgetall(self.key("positions"))
            pipe.hgetall(self.key("saved"))
            pipe.hgetall(self.key("sessions"))
            answers = typing.cast("list[dict[bytes, bytes]]", await pipe.execute())
        records, positions, saved = answers[0], answers[1], answers[2]
        sessions = decode_sessions(answers[3].get(scope.key.encode())) if scope else {}
        stale = [f for f in answers[3] if scope and overlaps(f.decode(), scope)]
        if stale and self.claimed:  # older splits' sessions: their processes are gone
            await self._client.hdel(self.key("sessions"), *stale)  # pyright: ignore[reportUnknownMemberType, reportGeneralTypeIssues]
        players: list[StoredPlayer] = []
        skipped = 0
        for index, (raw_guild, record) in enumerate(records.items()):
            if index % CHUNK == CHUNK - 1:
                await asyncio.sleep(0)
            try:
                guild = int(raw_guild)
                if scope is not None and not scope.owns(guild):
                    continue
                player = _record_decoder.decode(record)
            except (ValueError, msgspec.DecodeError, RecursionError):
                skipped += 1
                continue
            anchor = parse_position(positions.get(raw_guild))
            self._records[guild] = record
            self._known.add(guild)
            self._positions[guild] = anchor[:2]
            players.append(as_of_last_save(player, guild, anchor, saved))
        if skipped:
            _LOGGER.warning(
                "Redis store %s: skipped %d player record(s) this version cannot read",
                self._where,
                skipped,
            )
        self._sessions = dict(sessions)
        if not players and not sessions:
            return None
        return StoredState(sessions=sessions, players=players)

    async def save(self, state: StoredState) -> None:
        """Write what changed since the last write: records, positions, sessions (nothing
        once another process has taken this one's shards: it would write over that one's)."""
        if self._lost:
            return
        now_ms = int(time.time() * 1000)
        records, positions, seen = await changes(state, self._records, self._positions, now_ms)
        removed = self._known - seen
        sessions = state.sessions
        if not (records or positions or removed or sessions != self._sessions):
            return
        scope = self._scope
        players: list[typing.Any] = list(records.items())
        places: list[typing.Any] = list(positions.items())
        try:
            # A big write (a first save, one after an outage) goes in batches: redis-py packs
            # a pipeline in one go, and 10,000 records held the event loop for 45 ms.
            while len(players) + len(places) > CHUNK:
                async with self._client.pipeline(transaction=False) as pipe:
                    for name, items in (("players", players), ("positions", places)):
                        if batch := items[:CHUNK]:
                            del items[:CHUNK]
                            pipe.hset(self.key(name), mapping=self._fields(name, batch))
                    await pipe.execute()
            async with self._client.pipeline(transaction=False) as pipe:
                for name, items in (("players", players), ("positions", places)):
                    if items:
                        pipe.hset(self.key(name), mapping=self._fields(name, items))
                if removed:
                    pipe.hdel(self.key("players"), *map(str, removed))
                    pipe.hdel(self.key("positions"), *map(str, removed))
                if scope is not None and sessions != self._sessions:
                    pipe.hset(self.key("sessions"), scope.key, _record_encoder.encode(sessions))
                pipe.hset(self.key("saved"), self._writer, str(now_ms))
                answers = await pipe.execute()
        except redis.exceptions.RedisError:
            self._forget()  # after an outage, everything is written again
            raise
        if answers[-1] and self._written:
            # Our heartbeat was new to Redis: it lost its data (a restart without
            # persistence). Everything is written again on the next save.
            _LOGGER.warning("Redis store %s lost its data; writing it all again", self._where)
            self._forget()
            await self.save(state)
            return
        self._written = True
        self._known = seen
        self._records.update(records)
        self._positions.update(positions)
        for guild in removed:
            self._records.pop(guild, None)
            self._positions.pop(guild, None)
        self._sessions = dict(sessions)

    def _fields(self, name: str, batch: list[typing.Any]) -> dict[typing.Any, typing.Any]:
        # A batch's fields, formatted as it is sent (not all 10,000 at once).
        if name == "players":
            return {str(g): r for g, r in batch}
        return {str(g): f"{p} {a} {self._writer}" for g, (p, a) in batch}

    def _forget(self) -> None:
        self._records.clear()
        self._positions.clear()
        self._sessions = {"": ""}  # never what the client has: the sessions are written too
        self._written = False

    # -- reading from anywhere (a dashboard) ----------------------------------------------

    async def read_players(self) -> list[StoredPlayer]:
        """Every guild's stored player, of every process of the cluster, from Redis alone.

        `position_at(time.time())` tells where a playing track is now.
        """
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.hgetall(self.key("players"))
            pipe.hgetall(self.key("positions"))
            pipe.hgetall(self.key("saved"))
            answers = typing.cast("list[dict[bytes, bytes]]", await pipe.execute())
        records, positions, saved = answers
        players: list[StoredPlayer] = []
        for raw_guild, record in records.items():
            try:
                player = _record_decoder.decode(record)
                guild = int(raw_guild)
            except (ValueError, msgspec.DecodeError, RecursionError):
                continue
            anchor = parse_position(positions.get(raw_guild))
            players.append(as_of_last_save(player, guild, anchor, saved))
        return sorted(players, key=lambda p: p.guild_id)

    async def read_owners(self) -> dict[int, str]:
        """Shard id -> the instance that runs it now (live claims only)."""
        held = await self._client.hgetall(self.key("leases"))  # pyright: ignore[reportUnknownMemberType]
        return live_owners(typing.cast("dict[bytes, bytes]", held), int(time.time() * 1000))

    # -- commands from other processes ----------------------------------------------------

    def serve_commands(self, handler: CommandHandler) -> None:
        """Carry out the commands other processes send for this process's guilds (the client does it
        once the store is open; see
        [`send_command`][hikari_lavalink.store.redis.RedisStore.send_command])."""
        if self._scope is not None:
            self._commands.serve(self._scope, handler)

    async def send_command(
        self,
        guild_id: int,
        action: str,
        value: int | str | None = None,
        *,
        requester: int | None = None,
        timeout: float = 5.0,
    ) -> RemoteReply:
        """Ask the process that runs `guild_id`'s shard to act on its player, from any
        process (no bot needed): `skip`, `pause`, `resume`, `stop`, `volume`
        (`value`: 0-1000), `seek` (ms), `enqueue` (a query or URL), `leave`.
        A [`StoreError`][hikari_lavalink.StoreError] when no process answers in time."""
        return await self._commands.send(
            guild_id, action, value, requester=requester, timeout=timeout
        )
