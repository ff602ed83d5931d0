"""Several nodes: region choice from the voice endpoint, load spread, failover to a spare."""

from __future__ import annotations

import asyncio
import contextlib
import typing

import hikari
import pytest
from tests.bridge.conftest import PASSWORD, SONG

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, FakeNodeLink, factories

if typing.TYPE_CHECKING:
    import collections.abc


@contextlib.asynccontextmanager
async def cluster(
    regions: dict[str, str | None],
    *,
    resume_timeout: int = 1,
    servers: collections.abc.Mapping[str, type[FakeLavalink]] | None = None,
    **options: typing.Any,
) -> collections.abc.AsyncGenerator[
    tuple[FakeDiscord, dict[str, FakeLavalink], hikari.GatewayBot, hl.LavalinkClient], None
]:
    async with contextlib.AsyncExitStack() as stack:
        discord = await stack.enter_async_context(
            FakeDiscord(shard_count=2, voice_endpoint="c-ams09-fake.discord.media:443")
        )
        fakes = {
            name: await stack.enter_async_context(
                (servers or {}).get(name, FakeLavalink)(password=PASSWORD, name=name)
            )
            for name in regions
        }
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        lava = hl.LavalinkClient(bot, **options)
        for name, region in regions.items():
            lava.add_node(
                name=name,
                host=fakes[name].host,
                port=fakes[name].port,
                password=PASSWORD,
                region=region,
                resume_timeout=resume_timeout,
                reconnect_base=0.05,
                reconnect_cap=0.2,
            )
        await bot.start(check_for_updates=False, shard_count=2)
        try:
            async with asyncio.timeout(5):
                await asyncio.gather(*(node.wait_ready() for node in lava.nodes.values()))
            yield discord, fakes, bot, lava
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_region_from_the_voice_endpoint_picks_the_node() -> None:
    # FakeDiscord's endpoint is c-ams09-...: Europe
    async with cluster({"us": "us-east", "eu": "europe"}) as (discord, fakes, _, lava):
        for guild in discord.guilds:
            player = await lava.join(guild.id, guild.voice_channel_ids[0])
            assert player.node.name == "eu"
        assert len(fakes["eu"].requests) > len(fakes["us"].requests)
        assert not any(r.method == "PATCH" and "/players/" in r.path for r in fakes["us"].requests)


@pytest.mark.asyncio
async def test_unknown_region_spreads_by_load() -> None:
    async with cluster({"a": None, "b": None}) as (discord, _, _, lava):
        players = [await lava.join(g.id, g.voice_channel_ids[0]) for g in discord.guilds]
        assert {p.node.name for p in players} == {"a", "b"}


@pytest.mark.asyncio
async def test_loads_go_to_the_least_loaded_ready_node() -> None:
    async with cluster({"a": None, "b": None}) as (discord, fakes, bot, lava):
        # Each fake sends its first stats right after ready; a node reads its frames in
        # order, so once it has read a marker sent now, it has read those stats.
        with bot.stream(hl.RawLavalinkEvent, timeout=5) as stream:
            for name, fake in fakes.items():
                await fake.send_raw(f'{{"op": "marker", "node": "{name}"}}')
            marked = {event.node.name async for event in stream.limit(len(fakes))}
        assert marked == set(fakes)
        assert all(node.stats is not None for node in lava.nodes.values())
        a, b = lava.nodes["a"], lava.nodes["b"]

        def loads_on(name: str) -> int:
            return sum(r.path == "/v4/loadtracks" for r in fakes[name].requests)

        assert lava.best_node() is a  # equal stats: by name
        await lava.load_tracks("ytsearch:song")
        assert (loads_on("a"), loads_on("b")) == (1, 0)
        guild = discord.guilds[0]
        assert (await lava.join(guild.id, guild.voice_channel_ids[0])).node is a
        # No new stats message since, but one more player on a: loads now go to b.
        assert lava.best_node() is b
        await lava.load_tracks("ytsearch:song")
        assert (loads_on("a"), loads_on("b")) == (1, 1)
        # A lone ready node is the choice, whatever its load.
        await lava.drain_node("b")
        assert lava.best_node() is a
        await lava.load_tracks("ytsearch:song")
        assert (loads_on("a"), loads_on("b")) == (2, 1)
        with pytest.raises(hl.NoNodeAvailableError):
            lava.best_node(exclude=a)
        lava.undrain_node("b")
        assert lava.best_node(exclude=b) is a
        assert lava.best_node(current=a) is a  # close enough: a player stays
        await lava.leave(guild.id)
        assert lava.best_node() is a  # back to equal: by name


@pytest.mark.asyncio
async def test_custom_strategy() -> None:
    def last(nodes: typing.Sequence[hl.Node], region: str | None) -> hl.Node:
        return sorted(nodes, key=lambda n: n.name)[-1]

    async with cluster({"a": None, "z": None}, node_strategy=last) as (discord, _, _, lava):
        guild = discord.guilds[0]
        player = await lava.join(guild.id, guild.voice_channel_ids[0])
        assert player.node.name == "z"


@pytest.mark.asyncio
@pytest.mark.parametrize("b_server", [FakeLavalink, FakeNodeLink], ids=["lavalink", "nodelink"])
async def test_dead_node_players_move_with_their_state(b_server: type[FakeLavalink]) -> None:
    # With a NodeLink node "b": a failover from Lavalink to NodeLink, or the other way.
    servers = {"b": b_server}
    async with cluster({"a": None, "b": None}, servers=servers) as (discord, fakes, bot, lava):
        players = [await lava.join(g.id, g.voice_channel_ids[0]) for g in discord.guilds]
        victim = players[0]
        await victim.play(SONG, start=50_000)
        await victim.set_volume(33)
        await victim.set_filters(
            hl.Filters(timescale=hl.Timescale(speed=1.3), karaoke=hl.Karaoke())
        )
        await victim.pause()
        dead = victim.node.name
        alive = next(n for n in fakes if n != dead)
        position = victim.position
        await fakes[dead].kill()
        moved = await bot.wait_for(hl.PlayerMovedEvent, timeout=10)
        assert moved.player is victim
        assert (moved.from_node.name, moved.node.name) == (dead, alive)
        remote = fakes[alive].sessions[victim.node.session_id or ""].players[victim.guild_id]
        assert remote.track is not None
        assert remote.track.encoded == SONG.encoded
        assert abs(remote.position - position) < 1000
        assert (remote.volume, remote.paused) == (33, True)
        assert remote.filters == hl.Filters(timescale=hl.Timescale(speed=1.3), karaoke=hl.Karaoke())
        assert remote.voice == victim.voice
        assert lava.get_player(victim.guild_id) is victim


def test_tracks_factory_is_shared() -> None:
    assert factories.make_track(title="Song", length=600_000).encoded == SONG.encoded


@pytest.mark.asyncio
async def test_drain_moves_players_gracefully_and_remove_closes() -> None:
    async with cluster({"a": None, "b": None}) as (discord, fakes, bot, lava):
        players = [await lava.join(g.id, g.voice_channel_ids[0]) for g in discord.guilds]
        for player in players:
            await player.play(SONG, start=20_000)
        drained = players[0].node.name
        other = next(n for n in fakes if n != drained)
        on_drained = [p for p in players if p.node.name == drained]
        await lava.drain_node(drained)
        assert all(p.node.name == other for p in players)
        assert not lava.nodes[drained].players
        old_session = fakes[drained].sessions[lava.nodes[drained].session_id or ""]
        assert not old_session.players  # destroyed on the drained node
        for player in on_drained:
            remote = fakes[other].sessions[player.node.session_id or ""].players[player.guild_id]
            assert remote.track is not None
            assert abs(remote.position - player.position) < 1000
        assert not bot.get_listeners(hl.PlayerMovedEvent)  # nobody listens: none was built
        # a drained node takes no new players
        guild = discord.guilds[0]
        await lava.leave(guild.id)
        again = await lava.join(guild.id, guild.voice_channel_ids[0])
        assert again.node.name == other
        lava.undrain_node(drained)
        await lava.remove_node(other)
        assert list(lava.nodes) == [drained]
        assert all(p.node.name == drained for p in lava.players.values())


@pytest.mark.asyncio
async def test_remove_the_last_node_leaves_voice() -> None:
    # No node to move to: the player is held node_loss_grace seconds, then leaves.
    async with cluster({"only": None}, node_loss_grace=0.05) as (discord, _, bot, lava):
        guild = discord.guilds[0]
        await lava.join(guild.id, guild.voice_channel_ids[0])
        await lava.remove_node("only")
        assert not lava.players
        await discord.wait_for_op(4, lambda f: f.data["channel_id"] is None)
        assert bot.is_alive


@pytest.mark.asyncio
async def test_two_processes_share_nodes_without_interfering() -> None:
    async with FakeDiscord(shard_count=2) as discord, FakeLavalink(password=PASSWORD) as node:
        bots: list[tuple[hikari.GatewayBot, hl.LavalinkClient]] = []
        for shard in (0, 1):
            bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
            lava = hl.LavalinkClient(bot)
            lava.add_node(name="main", host=node.host, port=node.port, password=PASSWORD)
            await bot.start(check_for_updates=False, shard_ids=[shard], shard_count=2)
            await lava.wait_ready(timeout=5)
            bots.append((bot, lava))
        try:
            by_shard = {discord.shard_of(g.id): g for g in discord.guilds}
            players: list[hl.Player] = []
            for shard, (_, lava) in enumerate(bots):
                guild = by_shard[shard]
                players.append(await lava.join(guild.id, guild.voice_channel_ids[0]))
                other = by_shard[1 - shard]
                with pytest.raises(hl.UsageError):
                    await lava.join(other.id, other.voice_channel_ids[0])
            sessions = {p.node.session_id for p in players}
            assert len(sessions) == 2  # one Lavalink session per process
            for player, (_, lava) in zip(players, bots, strict=True):
                assert list(lava.players) == [player.guild_id]
                remote = node.sessions[player.node.session_id or ""]
                assert list(remote.players) == [player.guild_id]
            await discord.kill_shard(0, "abort")
            restored = await bots[0][0].wait_for(hl.VoiceRestoredEvent, timeout=10)
            assert restored.guild_id == players[0].guild_id
            assert not [
                r
                for r in node.requests
                if r.method == "DELETE" and str(players[1].guild_id) in r.path
            ]
        finally:
            for bot, _ in bots:
                await bot.close()


@pytest.mark.asyncio
async def test_node_refusing_the_password_after_a_drop_moves_its_players() -> None:
    async with cluster({"a": None, "b": None}) as (discord, fakes, bot, lava):
        guild = discord.guilds[0]
        player = await lava.join(guild.id, guild.voice_channel_ids[0])
        await player.play(SONG)
        stopped = player.node.name
        fakes[stopped].password = "rotated-password"
        stopped_event = asyncio.ensure_future(bot.wait_for(hl.NodeStoppedEvent, timeout=10))
        moved_event = asyncio.ensure_future(bot.wait_for(hl.PlayerMovedEvent, timeout=10))
        await asyncio.sleep(0)
        await fakes[stopped].drop_connections()
        event = await stopped_event
        assert isinstance(event.error, hl.NodeConnectionError)
        assert event.error.fatal
        moved = await moved_event
        assert moved.player is player
        assert player.node.name != stopped
        assert player.node.is_ready


@pytest.mark.asyncio
async def test_node_errors_say_what_to_do() -> None:
    async with cluster({"a": None}) as (_, fakes, bot, lava):
        for call in (lava.remove_node, lava.drain_node):
            with pytest.raises(hl.UsageError, match=r"no node is named 'nope' \(nodes: 'a'\)"):
                await call("nope")
        with pytest.raises(hl.UsageError, match="no node is named 'nope'"):
            lava.undrain_node("nope")
        down = asyncio.ensure_future(bot.wait_for(hl.NodeDisconnectedEvent, timeout=5))
        await fakes["a"].kill()  # gone: the node reconnects, in vain
        await down
        with pytest.raises(hl.NodeReadyTimeoutError, match=r"within 0\.1 s \(nodes: a=") as info:
            await lava.wait_ready(timeout=0.1)
        assert isinstance(info.value, TimeoutError)  # `except TimeoutError` still catches it
        with pytest.raises(hl.NodeReadyTimeoutError, match=r"node 'a' was not ready within 0\.1 s"):
            await lava.nodes["a"].wait_ready(timeout=0.1)


@pytest.mark.asyncio
async def test_a_refused_password_is_fixed_by_adding_the_node_again() -> None:
    async with cluster({"a": None}) as (_, fakes, bot, lava):
        stops: list[hl.NodeStoppedEvent] = []

        async def on_stopped(event: hl.NodeStoppedEvent) -> None:
            stops.append(event)

        bot.subscribe(hl.NodeStoppedEvent, on_stopped)
        old = lava.nodes["a"]
        fakes["a"].password = "rotated-password"
        stopped = asyncio.ensure_future(bot.wait_for(hl.NodeStoppedEvent, timeout=10))
        await fakes["a"].drop_connections()
        error = (await stopped).error
        assert isinstance(error, hl.NodeConnectionError)
        assert "add_node() it again (same name)" in str(error)
        # The advice holds: the same name, the new password.
        new = lava.add_node(
            name="a", host=fakes["a"].host, port=fakes["a"].port, password="rotated-password"
        )
        assert new is not old
        assert lava.nodes["a"] is new
        await new.wait_ready(timeout=5)
        await old.close()  # closing the stopped node again tells nobody again
        assert [(e.node, e.error is not None) for e in stops] == [(old, True)]
        with pytest.raises(hl.UsageError, match="exists already"):  # a live one is kept
            lava.add_node(name="a", host="127.0.0.1", port=9, password="x")


@pytest.mark.asyncio
@pytest.mark.parametrize("spare", [True, False], ids=["moved", "left"])
async def test_a_killed_node_is_not_waited_for_through_its_resume_window(spare: bool) -> None:
    # The default resume window is 60 s; a killed node's port refuses connections, so its
    # sessions are gone: its players move at once (or leave, after the short grace).
    regions: dict[str, str | None] = {"a": None, "b": None} if spare else {"a": None}
    async with cluster(regions, resume_timeout=60, node_loss_grace=0.2) as (
        discord,
        fakes,
        bot,
        lava,
    ):
        guild = discord.guilds[0]
        player = await lava.join(guild.id, guild.voice_channel_ids[0], node=lava.nodes["a"])
        await player.play(SONG)
        kind = hl.PlayerMovedEvent if spare else hl.PlayerDestroyedEvent
        outcome = asyncio.ensure_future(bot.wait_for(kind, timeout=10))
        await fakes["a"].kill()
        event = await outcome  # within seconds, not the 60 s window
        if spare:
            assert event.player is player
            assert player.node.name == "b"
            remote = fakes["b"].sessions[player.node.session_id or ""].players[guild.id]
            assert remote.track is not None
        else:
            assert isinstance(event, hl.PlayerDestroyedEvent)
            assert event.reason == "node_lost"
            ops = [d for _, d in discord.voice_ops if int(d["guild_id"]) == guild.id]
            assert ops[-1]["channel_id"] is None  # left with op 4: no bot sits silent
