"""RedisStore end to end: real GatewayBots (one per shard, as processes of one bot would be) on
FakeDiscord, a FakeLavalink node, a real Redis server."""

from __future__ import annotations

import asyncio
import contextlib
import typing

import hikari
import pytest
import typing_extensions
from tests.bridge.conftest import PASSWORD, SONG

import hikari_lavalink as hl
from hikari_lavalink.store import RedisStore
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

    from tests.store.redis_server import RedisServer

NEXT = factories.make_track(title="Next", length=600_000)


class WatchedStore(RedisStore):
    """A RedisStore that tells when a save reached Redis."""

    def __init__(self, url: str, **options: typing.Any) -> None:
        super().__init__(url, **options)
        self.saves = asyncio.Event()
        self.failures = asyncio.Event()

    @typing_extensions.override
    async def save(self, state: hl.StoredState) -> None:
        try:
            await super().save(state)
        except Exception:
            self.failures.set()
            raise
        self.saves.set()

    async def wait_saved(self) -> None:
        """Until the next save that reaches Redis."""
        self.saves.clear()
        await self.saves.wait()


class Process:
    """One process of the bot: its shards, its client, its own RedisStore."""

    def __init__(
        self, discord: FakeDiscord, node: FakeLavalink, store: WatchedStore, shard: int
    ) -> None:
        self.bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        self.lava = hl.LavalinkClient(
            self.bot, store=store, store_interval=0.05, rejoin_timeout=3.0, auto_start=False
        )
        self.lava.add_node(
            name="main", host=node.host, port=node.port, password=PASSWORD, resume_timeout=30
        )
        self.store = store
        self.shard = shard

    async def start(self) -> None:
        await self.bot.start(check_for_updates=False, shard_ids=[self.shard], shard_count=2)
        try:
            await self.lava.start()
        except BaseException:
            await self.close()
            raise
        await self.lava.wait_ready(timeout=5)

    async def close(self) -> None:
        """Stop it as a bot stops (auto_start=False: the client is closed by hand); again:
        nothing."""
        if self.bot.is_alive:
            await self.lava.close()
            await self.bot.close()


def guild_of(discord: FakeDiscord, shard: int) -> tuple[int, int]:
    guild = next(g for g in discord.guilds if discord.shard_of(g.id) == shard)
    return guild.id, guild.voice_channel_ids[0]


@contextlib.asynccontextmanager
async def world() -> collections.abc.AsyncGenerator[tuple[FakeDiscord, FakeLavalink]]:
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as node:
        yield discord, node


async def stored(
    store: WatchedStore, guild: int, check: collections.abc.Callable[[hl.StoredPlayer], object]
) -> None:
    """Wait until Redis holds ``guild``'s player and ``check(player)`` holds."""
    async with asyncio.timeout(10):
        while True:
            waiting = asyncio.ensure_future(store.wait_saved())
            players = {p.guild_id: p for p in await store.read_players()}
            if guild in players and check(players[guild]):
                waiting.cancel()
                return
            await waiting


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_restarted_process_adopts_its_guilds_and_the_other_sees_nothing(
    redis_server: RedisServer, cluster: str
) -> None:
    def store(name: str) -> WatchedStore:
        return WatchedStore(redis_server.url, cluster=cluster, instance=name, lease_ttl=5)

    async with world() as (discord, node):
        first = Process(discord, node, store("p0"), 0)
        second = Process(discord, node, store("p1"), 1)
        await first.start()
        await second.start()
        try:
            (g0, c0), (g1, c1) = guild_of(discord, 0), guild_of(discord, 1)
            p0 = await first.lava.join(g0, c0)
            p0.queue.add(NEXT, requester=1234)
            await p0.play(SONG, start=30_000)
            p0.data["announce"] = 42
            p1 = await second.lava.join(g1, c1)
            await p1.play(SONG)
            await stored(first.store, g0, lambda p: p.music is not None and p.music.queue)
            await stored(second.store, g1, lambda p: p.track is not None)
            ops, requests = len(discord.voice_ops), len(node.requests)
            await first.close()  # with a store: its session and players are kept
            restarted = Process(discord, node, store("p0"), 0)
            await restarted.start()
            try:
                player = restarted.lava.get_player(g0)
                assert player is not None  # adopted from the resumed session: no op 4
                assert player.track is not None
                assert player.track.encoded == SONG.encoded
                assert [t.encoded for t in player.queue] == [NEXT.encoded]
                assert hl.requester_of(next(iter(player.queue))) == 1234
                assert player.data["announce"] == 42
                assert restarted.lava.get_player(g1) is None  # not its guild
                # The other process saw nothing: no op 4 and no request for its guild.
                assert not [d for _, d in discord.voice_ops[ops:] if int(d["guild_id"]) == g1]
                assert not [r for r in node.requests[requests:] if r.path.endswith(f"/{g1}")]
                assert second.lava.get_player(g1) is p1
                # A third process for a shard that a live one runs is refused.
                intruder = Process(discord, node, store("p2"), 1)
                with pytest.raises(hl.ShardsClaimedError, match="p1"):
                    await intruder.start()
            finally:
                await restarted.close()
        finally:
            await second.close()


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_redis_down_while_playing_is_not_the_bots_trouble(
    own_redis: RedisServer, cluster: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with world() as (discord, node):
        proc = Process(discord, node, WatchedStore(own_redis.url, cluster=cluster), 0)
        await proc.start()
        try:
            guild, channel = guild_of(discord, 0)
            player = await proc.lava.join(guild, channel)
            await player.play(SONG)
            await stored(proc.store, guild, lambda p: p.track is not None)
            own_redis.stop()
            # Playback goes on: a new track, a volume, no error for the bot.
            await player.play(NEXT)
            await player.set_volume(55)
            remote = node.sessions[player.node.session_id or ""].players[guild]
            assert remote.track is not None
            assert remote.track.encoded == NEXT.encoded
            async with asyncio.timeout(10):
                await proc.store.failures.wait()  # a save failed, and is retried
            own_redis.start()  # back, empty: the latest state is written again
            await stored(proc.store, guild, lambda p: p.volume == 55)
            warnings = [r for r in caplog.records if "could not save" in r.getMessage()]
            assert [r.levelname for r in warnings][:1] == ["WARNING"]
            assert sum(r.levelname == "WARNING" for r in warnings) == 1
        finally:
            await proc.close()
