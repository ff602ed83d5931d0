"""``examples/cluster.py``: two processes of a bot (two GatewayBots, a shard each) on one
Redis, read and commanded by its dashboard from outside."""

from __future__ import annotations

import typing

import hikari
import pytest
from tests.bridge.conftest import CATALOGUE, PASSWORD, SONG

from examples import cluster as example
from hikari_lavalink.store import RedisStore
from hikari_lavalink.testing import FakeDiscord, FakeLavalink

if typing.TYPE_CHECKING:
    from tests.store.redis_server import RedisServer

    import hikari_lavalink as hl


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_the_dashboard_sees_and_commands_every_process(
    redis_server: RedisServer, cluster: str
) -> None:
    async with (
        FakeDiscord(shard_count=2) as discord,
        FakeLavalink(password=PASSWORD, catalogue=CATALOGUE) as node,
    ):
        processes: list[tuple[hikari.GatewayBot, hl.LavalinkClient]] = []
        for shard in (0, 1):
            bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
            lava = example.make_client(
                bot, redis_server.url, instance=f"shard-{shard}", cluster=cluster
            )
            lava.add_node(name="main", host=node.host, port=node.port, password=PASSWORD)
            await bot.start(check_for_updates=False, shard_ids=[shard], shard_count=2)
            await lava.wait_ready(timeout=5)
            processes.append((bot, lava))
        store = RedisStore(redis_server.url, cluster=cluster)
        try:
            for (_, lava), shard in zip(processes, (0, 1), strict=True):
                guild = next(g for g in discord.guilds if discord.shard_of(g.id) == shard)
                player = await lava.join(guild.id, guild.voice_channel_ids[0])
                player.queue.add(SONG, SONG)
                await player.skip()  # the queue starts
            # The dashboard reads both processes' players, once their stores are written.
            for _, lava in processes:
                assert await lava.save()
            lines = await example.dashboard(store)
            assert lines[0] == "shards: 0=shard-0, 1=shard-1"
            assert all("playing 'Song' at 0:0" in line and "1 queued" in line for line in lines[1:])
            # And commands the guild of whichever process runs it.
            guild = next(g for g in discord.guilds if discord.shard_of(g.id) == 1)
            reply = await store.send_command(guild.id, "pause")
            assert reply.ok
            player = processes[1][1].get_player(guild.id)
            assert player is not None
            assert player.paused
        finally:
            await store.close()
            for bot, _ in processes:
                await bot.close()
