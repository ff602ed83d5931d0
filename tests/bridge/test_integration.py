"""Lightbulb extension, missing intents, shards of another process, play while rejoining."""

from __future__ import annotations

import asyncio
import typing

import hikari
import lightbulb
import pytest
from tests.bridge.conftest import PASSWORD, SONG, World

import hikari_lavalink as hl
from hikari_lavalink.ext.lightbulb import make_loader
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, VoiceBehaviour, factories

OTHER = factories.make_track(title="Other", length=300_000)


@pytest.mark.asyncio
async def test_lightbulb_extension_load_inject_and_unload(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as lavalink:
        monkeypatch.setenv("LAVALINK_HOST", lavalink.host)
        monkeypatch.setenv("LAVALINK_PORT", str(lavalink.port))
        monkeypatch.setenv("LAVALINK_PASSWORD", PASSWORD)
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        client = lightbulb.client_from_app(bot)
        commands = lightbulb.Loader()
        answers: list[str] = []
        answered = asyncio.Event()

        @commands.command
        class Nodes(lightbulb.SlashCommand, name="nodes", description="List nodes"):
            @lightbulb.invoke
            async def invoke(
                self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
            ) -> None:
                answers.append(",".join(lava.nodes))
                answered.set()
                await ctx.respond(f"nodes: {','.join(lava.nodes)}")

        @bot.listen(hikari.StartingEvent)
        async def load(_: hikari.StartingEvent) -> None:
            await client.load_extensions("hikari_lavalink.ext.lightbulb")
            await client.load_extensions("hikari_lavalink.ext.lightbulb")  # idempotent
            await commands.add_to_client(client)

        bot.subscribe(hikari.StartedEvent, client.start)
        await bot.start(check_for_updates=False, shard_count=2)
        try:
            async with client.di.enter_context(lightbulb.di.Contexts.DEFAULT) as container:
                lava = await container.get(hl.LavalinkClient)
            assert list(lava.nodes) == ["main"]
            await lava.wait_ready(timeout=5)
            guild = discord.guilds[0]
            await discord.dispatch_interaction(guild.id, guild.text_channel_ids[0], "nodes")
            async with asyncio.timeout(5):
                await answered.wait()
            assert answers == ["main"]
            listeners = len(bot.get_listeners(hikari.VoiceServerUpdateEvent))
            await client.unload_extensions("hikari_lavalink.ext.lightbulb")
            assert len(bot.get_listeners(hikari.VoiceServerUpdateEvent)) == listeners - 1
            assert all(node.state is hl.NodeState.STOPPED for node in lava.nodes.values())
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_make_loader_with_a_client_of_your_own() -> None:
    async with FakeDiscord(shard_count=1) as discord:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        client = lightbulb.client_from_app(bot)
        lava = hl.LavalinkClient(bot)
        loader = make_loader(lava)
        await loader.add_to_client(client)
        async with client.di.enter_context(lightbulb.di.Contexts.DEFAULT) as container:
            assert await container.get(hl.LavalinkClient) is lava
        await loader.remove_from_client(client)
        await loader.remove_from_client(client)


def test_missing_voice_intent_warns_at_subscribe() -> None:
    bot = hikari.GatewayBot(FakeDiscord().token, banner=None, intents=hikari.Intents.GUILDS)
    with pytest.warns(hikari.MissingIntentWarning):
        hl.LavalinkClient(bot)


@pytest.mark.asyncio
async def test_join_without_the_voice_states_intent_fails_at_once() -> None:
    async with FakeDiscord(shard_count=1) as discord, FakeLavalink(password=PASSWORD) as lavalink:
        bot = hikari.GatewayBot(
            discord.token, rest_url=discord.rest_url, banner=None, intents=hikari.Intents.GUILDS
        )
        with pytest.warns(hikari.MissingIntentWarning):
            lava = hl.LavalinkClient(bot)
        lava.add_node(name="main", host=lavalink.host, port=lavalink.port, password=PASSWORD)
        await bot.start(check_for_updates=False)
        try:
            await lava.wait_ready(timeout=5)
            guild = discord.guilds[0]
            # At once, not after the voice timeout (10 s by default): Discord would never
            # send the voice state this bot does not ask for.
            async with asyncio.timeout(2):
                with pytest.raises(hl.UsageError, match="GUILD_VOICE_STATES"):
                    await lava.join(guild.id, guild.voice_channel_ids[0])
            assert discord.voice_ops == []  # no op 4 went out
            assert lava.get_player(guild.id) is None
            assert list(lava.tracked_guilds) == []
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_guild_on_a_shard_of_another_process() -> None:
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as lavalink:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        lava = hl.LavalinkClient(bot)
        lava.add_node(name="main", host=lavalink.host, port=lavalink.port, password=PASSWORD)
        await bot.start(check_for_updates=False, shard_ids=[0], shard_count=2)
        try:
            await lava.wait_ready(timeout=5)
            on_shard_1 = next(g for g in discord.guilds if discord.shard_of(g.id) == 1)
            with pytest.raises(hl.UsageError, match="does not run"):
                await lava.join(on_shard_1.id, on_shard_1.voice_channel_ids[0])
            assert not discord.voice_ops
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_play_while_rejoining_waits_for_the_voice(world: World) -> None:
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == 1)
    player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
    await player.play(SONG)
    await world.discord.kill_shard(1, "abort")
    await world.wait_event(hl.VoiceLostEvent)
    await player.play(OTHER)  # waits for the rejoin instead of playing into nothing
    assert world.of(hl.VoiceRestoredEvent)
    remote = world.lavalink.sessions[player.node.session_id or ""].players[guild.id]
    assert remote.track is not None
    assert remote.track.info.title == "Other"


@pytest.mark.asyncio
async def test_events_are_only_built_for_listeners(world: World) -> None:
    guild = world.discord.guilds[0]
    player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
    await player.play(SONG)
    await world.wait_event(hl.TrackStartEvent)
    updates: list[hl.PlayerUpdateEvent] = []
    updated = asyncio.Event()

    async def on_update(event: hl.PlayerUpdateEvent) -> None:
        updates.append(event)
        updated.set()

    world.bot.subscribe(hl.PlayerUpdateEvent, on_update)
    async with asyncio.timeout(5):  # player_update_interval is 0.5 s in the fixture
        await updated.wait()
    assert updates
    assert updates[-1].player is player
    assert updates[-1].state.connected
    typing.assert_type(updates[-1].state, hl.PlayerState)


@pytest.mark.asyncio
async def test_plugin_events_arrive_raw(world: World) -> None:
    guild = world.discord.guilds[0]
    await world.lava.join(guild.id, guild.voice_channel_ids[0])
    await world.lavalink.send_raw(
        f'{{"op":"event","type":"MarkerSkipped","guildId":"{guild.id}","marker":{{"start":1}}}}'
    )
    raw = await world.wait_event(hl.RawLavalinkEvent)
    assert (raw.op, raw.type, raw.guild_id) == ("event", "MarkerSkipped", guild.id)
    assert raw.payload["marker"] == {"start": 1}


@pytest.mark.asyncio
async def test_rejoin_leaves_and_joins_again_when_no_voice_server_comes(world: World) -> None:
    world.lava.rejoin_timeout = 0.3
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == 1)
    player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
    await player.play(SONG)
    world.discord.set_voice_behaviour(guild.id, VoiceBehaviour(ignore_joins=1))
    ops = len(world.discord.voice_ops)
    await world.discord.kill_shard(1, "abort")
    await world.wait_event(hl.VoiceRestoredEvent, timeout=15)
    channels = [d["channel_id"] for _, d in world.discord.voice_ops[ops:]]
    assert channels == [str(guild.voice_channel_ids[0]), None, str(guild.voice_channel_ids[0])]
    assert world.lava.get_player(guild.id) is player


@pytest.mark.asyncio
async def test_explicit_start_without_lifecycle_events() -> None:
    async with FakeDiscord(shard_count=1) as discord, FakeLavalink(password=PASSWORD) as lavalink:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        lava = hl.LavalinkClient(bot, auto_start=False)
        lava.add_node(name="main", host=lavalink.host, port=lavalink.port, password=PASSWORD)
        await bot.start(check_for_updates=False)
        try:
            # StartedEvent has been handled (start() awaits its listeners): the node would
            # be running by now, and it is not.
            with pytest.raises(hl.NodeConnectionError, match="not running"):
                await lava.nodes["main"].wait_ready(timeout=5)
            assert not lavalink.handshakes  # nothing happens on its own
            await lava.start()
            await lava.wait_ready(timeout=5)
            assert lavalink.handshakes[0]["User-Id"] == str(discord.bot_id)
            guild = discord.guilds[0]
            await lava.join(guild.id, guild.voice_channel_ids[0])
            await lava.close()
            assert not lava.players
        finally:
            await bot.close()
