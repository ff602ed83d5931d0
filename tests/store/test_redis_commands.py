"""Commands from another process over Redis pub/sub, carried out by the process that runs
the guild's shard (real GatewayBots on FakeDiscord, a FakeLavalink, a real Redis)."""

from __future__ import annotations

import typing

import pytest
import redis.asyncio
from tests.bridge.conftest import CATALOGUE, PASSWORD, SONG
from tests.store.test_redis_bot import Process, WatchedStore, guild_of

import hikari_lavalink as hl
from hikari_lavalink.store import RedisStore
from hikari_lavalink.testing import FakeDiscord, FakeLavalink

if typing.TYPE_CHECKING:
    from tests.store.redis_server import RedisServer


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_dashboard_commands_the_player_of_whichever_process_runs_the_guild(
    redis_server: RedisServer, cluster: str, caplog: pytest.LogCaptureFixture
) -> None:
    def store(name: str) -> WatchedStore:
        return WatchedStore(redis_server.url, cluster=cluster, instance=name)

    async with (
        FakeDiscord(shard_count=2) as discord,
        FakeLavalink(password=PASSWORD, catalogue=CATALOGUE) as node,
    ):
        first, second = (
            Process(discord, node, store("p0"), 0),
            Process(discord, node, store("p1"), 1),
        )
        await first.start()
        await second.start()
        dashboard = RedisStore(redis_server.url, cluster=cluster)  # no bot, no claim
        try:
            (g0, _), (g1, c1) = guild_of(discord, 0), guild_of(discord, 1)
            player = await second.lava.join(g1, c1)
            # An idle player: the enqueued search result is queued and played at once.
            reply = await dashboard.send_command(g1, "enqueue", "song", requester=77)
            assert (reply.ok, reply.track) == (True, "Song")
            assert player.track is not None
            assert player.track.encoded == SONG.encoded
            assert hl.requester_of(player.track) == 77
            assert (await dashboard.send_command(g1, "volume", 40)).ok
            assert (await dashboard.send_command(g1, "pause")).ok
            remote = node.sessions[player.node.session_id or ""].players[g1]
            assert (remote.volume, remote.paused) == (40, True)
            # Errors are answers, not exceptions in the owner.
            bad = await dashboard.send_command(g1, "volume", "loud")
            assert not bad.ok
            assert "whole number" in (bad.error or "")
            nothing = await dashboard.send_command(g0, "skip")  # shard 0 runs, no player
            assert not nothing.ok
            assert "has no player" in (nothing.error or "")
            with pytest.raises(hl.UsageError, match="unknown remote action"):
                await dashboard.send_command(g1, "explode")
            # A malformed message on the channel is logged; the listener carries on.
            client = redis.asyncio.Redis.from_url(redis_server.url)  # pyright: ignore[reportUnknownMemberType]
            await client.publish(dashboard.key("commands"), b"{not json")  # pyright: ignore[reportUnknownMemberType]
            await client.aclose()
            assert (await dashboard.send_command(g1, "resume")).ok
            assert not player.paused
            assert "malformed remote command" in caplog.text
            assert (await dashboard.send_command(g1, "leave")).ok
            assert second.lava.get_player(g1) is None
            # No process for the guild's shard: the sender is told, after its timeout.
            await first.close()
            with pytest.raises(hl.StoreError, match="no process answered"):
                await dashboard.send_command(g0, "skip", timeout=0.3)
        finally:
            await dashboard.close()
            await second.close()
            await first.close()
