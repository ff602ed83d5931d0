"""RedisStore against a real Redis server: scopes, what is written when, claims, bad records,
and Redis down."""

from __future__ import annotations

import logging
import time
import typing

import msgspec
import pytest
import redis.asyncio
import redis.exceptions

import hikari_lavalink as hl
from hikari_lavalink.store import RedisStore, StoredMusic, StoredPlayer, StoredState, StoreScope
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    from tests.store.redis_server import RedisServer

SONG = factories.make_track(title="Song", length=600_000)
OTHER = factories.make_track(title="Other", length=300_000)


def guild_on(shard: int, index: int = 0, shard_count: int = 4) -> int:
    """A guild id of ``shard`` (of ``shard_count``)."""
    return ((shard + index * shard_count) << 22) | 7


def player(guild: int, **fields: typing.Any) -> StoredPlayer:
    base: dict[str, typing.Any] = {
        "guild_id": guild,
        "channel_id": guild + 1,
        "node": "main",
        "track": SONG,
        "position": 10_000,
        "saved_at": time.time(),
    }
    return StoredPlayer(**(base | fields))


async def calls(client: redis.asyncio.Redis, command: str) -> int:
    """How many times Redis ran ``command`` since its stats were reset."""
    stats = await client.info("commandstats")  # pyright: ignore[reportUnknownMemberType]
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


@pytest.mark.asyncio
async def test_each_process_loads_only_its_own_shards_and_sessions(
    redis_server: RedisServer, cluster: str
) -> None:
    first = RedisStore(redis_server.url, cluster=cluster, instance="one")
    second = RedisStore(redis_server.url, cluster=cluster, instance="two")
    await first.open(StoreScope(4, (0, 1)))
    await second.open(StoreScope(4, (2, 3)))
    try:
        assert await first.load() is None
        mine = [player(guild_on(0)), player(guild_on(1), music=StoredMusic(queue=[OTHER]))]
        theirs = [player(guild_on(2)), player(guild_on(3, 5))]
        await first.save(StoredState(sessions={"main": "s-one"}, players=mine))
        await second.save(StoredState(sessions={"main": "s-two"}, players=theirs))
        again = RedisStore(redis_server.url, cluster=cluster, instance="one")
        await first.close()
        await again.open(StoreScope(4, (0, 1)))
        loaded = await again.load()
        assert loaded is not None
        assert loaded.sessions == {"main": "s-one"}
        assert sorted(p.guild_id for p in loaded.players) == sorted(p.guild_id for p in mine)
        queue = next(p for p in loaded.players if p.guild_id == guild_on(1)).music
        assert queue is not None
        assert queue.queue == [OTHER]
        # A dashboard reads every process's players from Redis alone.
        everyone = await again.read_players()
        assert {p.guild_id for p in everyone} == {p.guild_id for p in mine + theirs}
        assert await again.read_owners() == {0: "one", 1: "one", 2: "two", 3: "two"}
        await again.close()
    finally:
        await second.close()


@pytest.mark.asyncio
async def test_a_playing_track_is_not_written_again_as_it_plays(
    redis_server: RedisServer, cluster: str
) -> None:
    store = RedisStore(redis_server.url, cluster=cluster)
    client = redis.asyncio.Redis.from_url(redis_server.url)  # pyright: ignore[reportUnknownMemberType]
    await store.open(StoreScope(1, (0,)))
    try:
        now = time.time()
        first = player(guild_on(0, shard_count=1), position=10_000, saved_at=now)
        await store.save(StoredState(players=[first]))
        await client.config_resetstat()  # pyright: ignore[reportUnknownMemberType]
        # Five seconds later, five seconds further: only the save's heartbeat is written.
        later = msgspec.structs.replace(first, position=15_000, saved_at=now + 5)
        await store.save(StoredState(players=[later]))
        assert await calls(client, "hset") == 0
        # A seek is written (the position, and the save's heartbeat), a new track too (its
        # record as well).
        seeked = msgspec.structs.replace(later, position=100_000, saved_at=now + 6)
        await store.save(StoredState(players=[seeked]))
        assert await calls(client, "hset") == 2
        new_track = msgspec.structs.replace(seeked, track=OTHER, position=0, saved_at=now + 7)
        await store.save(StoredState(players=[new_track]))
        assert await calls(client, "hset") == 5
        # A player gone is deleted; the others' records are not touched.
        await store.save(StoredState(players=[]))
        assert await client.hlen(store.key("players")) == 0  # pyright: ignore[reportUnknownMemberType, reportGeneralTypeIssues]
    finally:
        await store.close()
        await client.aclose()


@pytest.mark.asyncio
async def test_a_loaded_position_is_where_the_track_was_at_the_last_save(
    redis_server: RedisServer, cluster: str
) -> None:
    store = RedisStore(redis_server.url, cluster=cluster)
    await store.open(StoreScope(1, (0,)))
    now = time.time()
    guild = guild_on(0, shard_count=1)
    await store.save(StoredState(players=[player(guild, position=10_000, saved_at=now - 60)]))
    # 60 s of play later (consistent: nothing new to write but the heartbeat), the process dies.
    await store.save(StoredState(players=[player(guild, position=70_000, saved_at=now)]))
    await store.close()
    restarted = RedisStore(redis_server.url, cluster=cluster)
    await restarted.open(StoreScope(1, (0,)))
    loaded = await restarted.load()
    await restarted.close()
    assert loaded is not None
    assert abs(loaded.players[0].position - 70_000) < 1_000


@pytest.mark.asyncio
async def test_overlapping_shards_are_refused_while_their_owner_lives(
    redis_server: RedisServer, cluster: str
) -> None:
    owner = RedisStore(redis_server.url, cluster=cluster, instance="a", lease_ttl=60)
    await owner.open(StoreScope(4, (0, 1)))
    try:
        intruder = RedisStore(redis_server.url, cluster=cluster, instance="b")
        with pytest.raises(hl.ShardsClaimedError, match="shard 1 by 'a'") as caught:
            await intruder.open(StoreScope(4, (1, 2)))
        assert caught.value.owners == {1: "a"}
        # Another shard count while a live process runs the old split: refused too.
        other_split = RedisStore(redis_server.url, cluster=cluster, instance="c")
        with pytest.raises(hl.ShardsClaimedError):
            await other_split.open(StoreScope(2, (1,)))
        await other_split.close()
        await intruder.close()
        neighbour = RedisStore(redis_server.url, cluster=cluster, instance="d")
        await neighbour.open(StoreScope(4, (2, 3)))  # disjoint: fine
        await neighbour.close()
        # The same instance (its restart) takes its shards over at once.
        restart = RedisStore(redis_server.url, cluster=cluster, instance="a")
        await restart.open(StoreScope(4, (0, 1)))
        assert restart.claimed
        await restart.close()
    finally:
        await owner.close()
    # Released on close: another process may take them now.
    successor = RedisStore(redis_server.url, cluster=cluster, instance="b")
    await successor.open(StoreScope(4, (1, 2)))
    await successor.close()


@pytest.mark.asyncio
async def test_a_killed_owners_shards_are_free_after_its_lease(
    redis_server: RedisServer, cluster: str
) -> None:
    killed = RedisStore(redis_server.url, cluster=cluster, instance="a", lease_ttl=0.3)
    await killed.open(StoreScope(2, (0, 1)))
    renewer = killed._renewer  # pyright: ignore[reportPrivateUsage]
    assert renewer is not None
    renewer.cancel()  # as SIGKILL: no renewal, no release
    waiting = RedisStore(
        redis_server.url, cluster=cluster, instance="b", lease_ttl=0.3, wait_for_shards=10
    )
    started = time.monotonic()
    await waiting.open(StoreScope(2, (0, 1)))
    assert waiting.claimed
    assert time.monotonic() - started < 5
    assert await waiting.read_owners() == {0: "b", 1: "b"}
    await waiting.close()
    await killed.close()  # its release finds nothing of its own to release


@pytest.mark.asyncio
async def test_records_of_another_version_load_or_are_skipped_with_one_warning(
    redis_server: RedisServer, cluster: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(redis_server.url, cluster=cluster)
    client = redis.asyncio.Redis.from_url(redis_server.url)  # pyright: ignore[reportUnknownMemberType]
    newer = msgspec.json.encode(player(1 << 22, position=0, saved_at=None)).replace(
        b"{", b'{"a_field_of_a_newer_version":[1,2],', 1
    )
    await client.hset(  # pyright: ignore[reportUnknownMemberType, reportGeneralTypeIssues]
        store.key("players"),
        mapping={"4194304": newer, "8388608": b'{"guild_id": "not a number"', "x": b"{}"},
    )
    await client.aclose()
    await store.open(StoreScope(1, (0,)))
    loaded = await store.load()
    await store.close()
    assert loaded is not None
    assert [p.guild_id for p in loaded.players] == [1 << 22]
    skipped = [r for r in caplog.records if "cannot read" in r.getMessage()]
    assert len(skipped) == 1
    assert "skipped 2 player record(s)" in skipped[0].getMessage()


@pytest.mark.asyncio
async def test_redis_down_at_start_is_one_warning_and_no_stored_players(
    own_redis: RedisServer, cluster: str, caplog: pytest.LogCaptureFixture
) -> None:
    own_redis.stop()
    store = RedisStore(own_redis.url, cluster=cluster, lease_ttl=0.3)
    await store.open(StoreScope(1, (0,)))
    assert await store.load() is None
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    assert not store.claimed
    # The password never shows: not in the repr, not in the logs.
    secret = RedisStore("redis://bot:hunter2@127.0.0.1:1/0", cluster=cluster)
    assert "hunter2" not in repr(secret)
    await secret.close()
    # When Redis is back, the claim is made by the renewal.
    own_redis.start()
    await store.wait_claimed(timeout=5)
    await store.close()
    assert "hunter2" not in caplog.text


@pytest.mark.asyncio
async def test_a_redis_that_lost_its_data_is_written_again(
    own_redis: RedisServer, cluster: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(own_redis.url, cluster=cluster)
    await store.open(StoreScope(1, (0,)))
    state = StoredState(sessions={"main": "s"}, players=[player(1 << 22)])
    await store.save(state)
    own_redis.stop()
    own_redis.start()  # no persistence: empty
    changed = msgspec.structs.replace(state, sessions={"main": "s", "spare": "t"})
    try:
        await store.save(changed)
        assert "lost its data" in caplog.text  # (noticed by its heartbeat, new to Redis)
    except redis.exceptions.ConnectionError:
        await store.save(changed)  # the old connection failed; the client saves again
    reader = RedisStore(own_redis.url, cluster=cluster)
    assert [p.guild_id for p in await reader.read_players()] == [1 << 22]
    await reader.close()
    await store.close()


@pytest.mark.asyncio
async def test_a_store_opened_before_the_bot_starts_is_not_claimed_twice(
    redis_server: RedisServer, cluster: str
) -> None:
    store = RedisStore(redis_server.url, cluster=cluster, instance="early")
    scope = StoreScope(2, (0, 1))
    await store.open(scope)  # before bot.start: a refusal comes before any shard connects
    renewer = store._renewer  # pyright: ignore[reportPrivateUsage]
    await store.open(scope)  # the client's own open: nothing more
    assert store._renewer is renewer  # pyright: ignore[reportPrivateUsage]
    assert await store.read_owners() == {0: "early", 1: "early"}
    await store.close()
    reader = RedisStore(redis_server.url, cluster=cluster)
    assert await reader.read_owners() == {}  # released on close
    await reader.close()


@pytest.mark.asyncio
async def test_a_new_split_drops_the_sessions_of_the_shard_sets_it_replaces(
    redis_server: RedisServer, cluster: str
) -> None:
    for ids, session in (((0, 1), "old-a"), ((3,), "keep")):
        store = RedisStore(redis_server.url, cluster=cluster)
        await store.open(StoreScope(4, ids))
        await store.save(StoredState(sessions={"main": session}))
        await store.close()
    merged = RedisStore(redis_server.url, cluster=cluster)
    await merged.open(StoreScope(4, (0, 1, 2)))
    loaded = await merged.load()
    assert loaded is None or not loaded.sessions  # not its own: never resumed by it
    client = redis.asyncio.Redis.from_url(redis_server.url)  # pyright: ignore[reportUnknownMemberType]
    fields = await client.hkeys(merged.key("sessions"))  # pyright: ignore[reportUnknownMemberType, reportGeneralTypeIssues, reportUnknownVariableType]
    assert sorted(fields) == [b"4:3"]  # pyright: ignore[reportUnknownArgumentType]
    await client.aclose()
    await merged.close()


@pytest.mark.asyncio
async def test_a_process_whose_shards_were_taken_over_stops_writing(
    redis_server: RedisServer, cluster: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A process cut off from Redis longer than its lease: another took its shards over.
    stale = RedisStore(redis_server.url, cluster=cluster, instance="old", lease_ttl=0.3)
    await stale.open(StoreScope(1, (0,)))
    renewer = stale._renewer  # pyright: ignore[reportPrivateUsage]
    assert renewer is not None
    renewer.cancel()  # its renewals do not get through
    successor = RedisStore(
        redis_server.url, cluster=cluster, instance="new", lease_ttl=0.3, wait_for_shards=10
    )
    await successor.open(StoreScope(1, (0,)))
    await successor.save(StoredState(players=[player(1 << 22, volume=42)]))
    # The old one's next renewal finds the shards taken: it says so and writes no more.
    await stale._renew_once()  # pyright: ignore[reportPrivateUsage]
    assert "now run by another process; no more saves" in caplog.text
    await stale.save(StoredState(players=[player(1 << 22, volume=99)]))
    assert [p.volume for p in await successor.read_players()] == [42]
    await stale.close()
    await successor.close()


@pytest.mark.asyncio
async def test_a_big_first_save_goes_in_batches_and_writes_everything(
    redis_server: RedisServer, cluster: str
) -> None:
    store = RedisStore(redis_server.url, cluster=cluster)
    client = redis.asyncio.Redis.from_url(redis_server.url)  # pyright: ignore[reportUnknownMemberType]
    await store.open(StoreScope(1, (0,)))
    try:
        players = [player((index + 1) << 22) for index in range(1_000)]
        await client.config_resetstat()  # pyright: ignore[reportUnknownMemberType]
        await store.save(StoredState(players=players))
        assert await client.hlen(store.key("players")) == 1_000  # pyright: ignore[reportUnknownMemberType, reportGeneralTypeIssues]
        assert await client.hlen(store.key("positions")) == 1_000  # pyright: ignore[reportUnknownMemberType, reportGeneralTypeIssues]
        # 256 records at most per HSET (each pipeline small: the loop is never held long).
        assert await calls(client, "hset") >= 2 * 1_000 // 256
    finally:
        await store.close()
        await client.aclose()
