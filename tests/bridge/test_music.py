"""End to end: the queue on every player advances by itself, autoplay, auto-leave, requester
and ``player.data``, on a real GatewayBot against FakeDiscord and FakeLavalink."""

from __future__ import annotations

import asyncio
import typing

import pytest
from tests.bridge.test_recovery import guild_and_channel

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

    from tests.bridge.conftest import World

ALPHA, BETA, GAMMA = (
    factories.make_track(title=t, length=600_000) for t in ("Alpha", "Beta", "Gamma")
)


def titles(tracks: collections.abc.Iterable[hl.Track]) -> list[str]:
    return [t.info.title for t in tracks]


async def joined(world: World, shard: int = 0) -> hl.Player:
    guild, channel = guild_and_channel(world, shard)
    return await world.lava.join(guild, channel)


async def started(world: World, title: str, after: int) -> hl.TrackStartEvent:
    event = await world.wait_event(
        hl.TrackStartEvent, lambda e: e.track.info.title == title, after=after
    )
    assert isinstance(event, hl.TrackStartEvent)
    return event


async def start_queue(world: World, player: hl.Player) -> None:
    """Start the queue (a skip while nothing plays), and wait for its first track's start."""
    mark = len(world.events)
    first = await player.skip()
    assert first is not None
    await started(world, first.info.title, mark)


def starts_after(world: World, mark: int) -> list[str]:
    return [e.track.info.title for e in world.events[mark:] if isinstance(e, hl.TrackStartEvent)]


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_the_queue_advances_by_itself_and_says_when_it_ends(world: World) -> None:
    player = await joined(world)
    guild = player.guild_id
    player.queue.add(ALPHA, BETA, requester=42)
    mark = len(world.events)
    assert (await player.skip()) is not None  # nothing plays: skip starts the queue
    first = await started(world, "Alpha", mark)
    assert hl.requester_of(first.track) == 42  # Lavalink echoes the requester back
    mark = len(world.events)
    await world.lavalink.finish_track(guild)
    second = await started(world, "Beta", mark)
    assert hl.requester_of(second.track) == 42
    kinds = [type(e) for e in world.events[mark:] if isinstance(e, hl.TrackEvent)]
    assert kinds[:2] == [hl.TrackEndEvent, hl.TrackStartEvent]
    assert titles(player.queue.history) == ["Alpha"]
    assert len(player.queue) == 0
    mark = len(world.events)
    await world.lavalink.finish_track(guild)
    end = await world.wait_event(hl.QueueEndEvent, after=mark)
    assert end.player is player
    assert end.track.info.title == "Beta"
    assert player.track is None
    assert starts_after(world, mark) == []


@pytest.mark.asyncio
async def test_loop_modes_and_a_track_that_fails_to_load(world: World) -> None:
    player = await joined(world)
    guild = player.guild_id
    player.queue.add(ALPHA, BETA)
    await start_queue(world, player)
    mark = len(world.events)
    player.queue.loop = hl.LoopMode.TRACK
    await world.lavalink.finish_track(guild)
    await started(world, "Alpha", mark)  # again
    mark = len(world.events)
    await world.lavalink.fail_track(guild, load=True)  # a broken track never loops
    await started(world, "Beta", mark)
    assert titles(player.queue.history) == ["Alpha"]
    assert [e.reason for e in world.of(hl.TrackEndEvent)][-1] == "loadFailed"
    player.queue.loop = hl.LoopMode.QUEUE
    mark = len(world.events)
    await world.lavalink.finish_track(guild)
    await started(world, "Beta", mark)  # the queue went round: Beta was put back, and next
    assert titles(player.queue.history) == ["Alpha", "Beta"]


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_stop_never_advances_and_skip_moves_on_or_stops(world: World) -> None:
    player = await joined(world)
    player.queue.add(ALPHA, BETA, GAMMA)
    await start_queue(world, player)
    mark = len(world.events)
    await player.stop()
    await world.wait_event(hl.TrackEndEvent, lambda e: e.reason == "stopped", after=mark)
    assert player.track is None
    assert titles(player.queue) == ["Beta", "Gamma"]
    assert starts_after(world, mark) == []
    skipped = await player.skip(2)  # Beta skipped too
    assert skipped is not None
    assert skipped.info.title == "Gamma"
    await started(world, "Gamma", mark)
    mark = len(world.events)
    assert await player.skip() is None  # nothing left: stopped, and the queue ended
    end = await world.wait_event(hl.QueueEndEvent, after=mark)
    assert end.track.info.title == "Gamma"
    await world.wait_event(hl.TrackEndEvent, lambda e: e.reason == "stopped", after=mark)
    assert player.track is None


@pytest.mark.asyncio
async def test_a_skip_racing_the_tracks_end_skips_one_track(world: World) -> None:
    player = await joined(world)
    player.queue.add(ALPHA, BETA, GAMMA)
    await start_queue(world, player)
    mark = len(world.events)
    await asyncio.gather(world.lavalink.finish_track(player.guild_id), player.skip())
    await started(world, "Beta", mark)
    # Whichever came first, the user's skip and Alpha's end moved the queue on once.
    assert titles(player.queue) == ["Gamma"]
    assert "Gamma" not in starts_after(world, mark)


@pytest.mark.asyncio
async def test_auto_advance_off_leaves_the_queue_to_the_bot(world: World) -> None:
    player = await joined(world)
    player.queue.add(ALPHA, BETA)
    await start_queue(world, player)
    player.auto_advance = False
    assert world.lava.auto_advance  # the client's default is untouched
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)
    await world.wait_event(hl.TrackEndEvent, after=mark)
    # The engine's decision ran before the event was dispatched: nothing was started.
    await player.set_volume(90)
    assert player.track is None
    assert titles(player.queue) == ["Beta"]
    player.auto_advance = hl.CLIENT_DEFAULT
    assert player.auto_advance


@pytest.mark.asyncio
async def test_autoplay_fills_an_empty_queue_without_repeating_history(world: World) -> None:
    seed = factories.make_track(title="Seed", source_name="youtube", identifier="seedvideo01")
    heard = factories.make_track(title="Heard", source_name="youtube", identifier="heardvideo1")
    picks = [
        factories.make_track(title=f"Pick {n}", source_name="youtube", identifier=f"pickvideo0{n}")
        for n in (1, 2)
    ]
    mix = "https://www.youtube.com/watch?v=seedvideo01&list=RDseedvideo01"
    world.lavalink.catalogue[mix] = factories.make_playlist("Mix", [seed, heard, *picks])
    world.lava.autoplay = True
    player = await joined(world)
    player.queue.add(heard, seed)
    await start_queue(world, player)
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)
    await started(world, "Seed", mark)
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)  # the queue is dry: autoplay
    pick = await started(world, "Pick 1", mark)
    assert hl.is_autoplayed(pick.track)
    assert titles(player.queue) == ["Pick 2"]
    assert not world.of(hl.QueueEndEvent)
    player.queue.add(ALPHA)  # what people ask for goes before autoplay's picks
    assert titles(player.queue) == ["Alpha", "Pick 2"]
    player.autoplay = False
    assert world.lava.autoplay


@pytest.mark.asyncio
async def test_a_failing_recommender_ends_the_queue(world: World) -> None:
    async def broken(player: hl.Player, seed: hl.Track) -> list[hl.Track]:
        raise RuntimeError("recommendations are down")

    world.lava.recommender = broken
    player = await joined(world)
    player.autoplay = True
    player.queue.add(ALPHA)
    await start_queue(world, player)
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)
    end = await world.wait_event(hl.QueueEndEvent, after=mark)
    assert end.track.info.title == "Alpha"


@pytest.mark.asyncio
async def test_auto_leave_when_idle(world: World) -> None:
    player = await joined(world)
    player.queue.add(ALPHA)
    await start_queue(world, player)
    world.lava.leave_when_idle = 0.05
    assert world.lava.auto_leave_pending(player.guild_id) == frozenset()  # playing
    mark = len(world.events)
    frames = len(world.discord.frames)
    await world.lavalink.finish_track(player.guild_id)
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent, after=mark)
    assert destroyed.reason == "idle"
    kinds = [type(e) for e in world.events[mark:] if isinstance(e, hl.LavalinkEvent)]
    assert kinds.index(hl.QueueEndEvent) < kinds.index(hl.PlayerDestroyedEvent)
    leave = await world.discord.wait_for_op(4, after=frames)  # the op 4 leave
    assert leave.data["guild_id"] == str(player.guild_id)
    assert leave.data["channel_id"] is None
    assert world.lava.get_player(player.guild_id) is None


@pytest.mark.asyncio
async def test_auto_leave_when_alone_with_bots_and_back_when_someone_returns(
    world: World,
) -> None:
    guild, channel = guild_and_channel(world, 1)
    human, other_bot = 777, 778
    await world.discord.put_member_in_voice(guild, channel, human)
    await world.discord.put_member_in_voice(guild, channel, other_bot, bot=True)
    player = await world.lava.join(guild, channel)
    player.leave_when_alone = 30.0
    assert world.lava.auto_leave_pending(guild) == frozenset()
    mark = len(world.events)
    await world.discord.put_member_in_voice(guild, None, human)  # only a bot stays
    await world.wait_until(lambda: "alone" in world.lava.auto_leave_pending(guild))
    await world.discord.put_member_in_voice(guild, channel, human)  # back: cancelled
    await world.wait_until(lambda: not world.lava.auto_leave_pending(guild))
    player.leave_when_alone = 0.05
    await world.discord.put_member_in_voice(guild, None, human)
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent, after=mark)
    assert destroyed.reason == "alone"
    assert destroyed.player is player
    assert world.lava.get_player(guild) is None


@pytest.mark.asyncio
async def test_player_data_and_queue_survive_a_shard_death(world: World) -> None:
    player = await joined(world, shard=1)
    player.data["announce_in"] = 1234
    player.queue.add(ALPHA, BETA)
    await start_queue(world, player)
    mark = len(world.events)
    await world.discord.kill_shard(1, "close:4000")
    await world.wait_event(hl.VoiceRestoredEvent, after=mark, timeout=15)
    # The DELETE that dropped its voice ended Alpha ("stopped"): that never advanced.
    assert player.track is not None
    assert player.track.info.title == "Alpha"
    assert titles(player.queue) == ["Beta"]
    assert starts_after(world, mark).count("Beta") == 0
    assert player.data == {"announce_in": 1234}
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)
    await started(world, "Beta", mark)


@pytest.mark.asyncio
async def test_the_queue_moves_with_its_player_on_failover(world: World) -> None:
    async with FakeLavalink(password=world.lavalink.password) as spare:
        world.lava.add_node(name="spare", host=spare.host, port=spare.port, password=spare.password)
        await world.lava.nodes["spare"].wait_ready(timeout=5)
        player = await joined(world)
        assert player.node.name == "main"
        player.data["announce_in"] = 99
        player.queue.add(ALPHA, BETA, GAMMA)
        player.queue.loop = hl.LoopMode.QUEUE
        await start_queue(world, player)
        await world.lavalink.kill()
        await world.wait_event(hl.PlayerMovedEvent, lambda e: e.player is player)
        assert player.node.name == "spare"
        assert player.track is not None
        assert player.track.info.title == "Alpha"
        assert titles(player.queue) == ["Beta", "Gamma"]
        assert player.queue.loop is hl.LoopMode.QUEUE
        assert player.data == {"announce_in": 99}
        mark = len(world.events)
        await spare.finish_track(player.guild_id)
        await started(world, "Beta", mark)
        assert titles(player.queue) == ["Gamma", "Alpha"]


@pytest.mark.asyncio
async def test_a_drain_never_advances_the_queue(world: World) -> None:
    async with FakeLavalink(password=world.lavalink.password) as spare:
        world.lava.add_node(name="spare", host=spare.host, port=spare.port, password=spare.password)
        await world.lava.nodes["spare"].wait_ready(timeout=5)
        player = await joined(world)
        player.queue.add(ALPHA, BETA)
        await start_queue(world, player)
        mark = len(world.events)
        await world.lava.drain_node("main")
        assert player.node.name == "spare"
        # The drained node's DELETE ended Alpha there ("stopped"): a late word, not an end.
        # A frame sent after it, once read, says the client has read that end too.
        await world.lavalink.send_raw(b'{"op":"barrier"}')
        await world.wait_event(hl.RawLavalinkEvent, lambda e: e.op == "barrier", after=mark)
        assert titles(player.queue) == ["Beta"]
        assert player.track is not None
        assert player.track.info.title == "Alpha"
        assert "Beta" not in starts_after(world, mark)


@pytest.mark.asyncio
@pytest.mark.parametrize("attempt", range(5))
async def test_leave_emits_destroyed_then_the_stopped_end_with_its_player(
    world: World, attempt: int
) -> None:
    player = await joined(world, shard=attempt % 2)
    player.queue.add(ALPHA, BETA)
    await start_queue(world, player)
    mark = len(world.events)
    await world.lava.leave(player.guild_id)
    end = await world.wait_event(hl.TrackEndEvent, after=mark)
    assert end.reason == "stopped"
    assert end.player is player  # not None: the player it ended on
    assert player.destroyed == "left"
    kinds = [type(e) for e in world.events[mark:] if isinstance(e, hl.PlayerEvent)]
    assert kinds[:2] == [hl.PlayerDestroyedEvent, hl.TrackEndEvent]
    assert titles(player.queue) == ["Beta"]  # a leave never advances
    assert "Beta" not in starts_after(world, mark)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("source", "query"), [("spotify", "sprec:mix:track:{}"), ("deezer", "dzrec:{}")]
)
async def test_autoplay_uses_lavasrc_recommendations_when_the_node_has_the_source(
    world: World, source: str, query: str
) -> None:
    seed = factories.make_track(title="Seed", source_name=source, identifier="seed42")
    pick = factories.make_track(title="Pick", source_name=source, identifier="pick42")
    world.lavalink.catalogue[query.format("seed42")] = factories.make_playlist("Rec", [pick])
    world.lava.autoplay = True
    player = await joined(world)
    player.queue.add(seed)
    await start_queue(world, player)
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)  # the fake has no LavaSrc: nothing
    end = await world.wait_event(hl.QueueEndEvent, after=mark)
    assert end.track.info.title == "Seed"
    # Now it has (as /v4/info says, read on each ready: here a resume after a dropped socket).
    world.lavalink.source_managers.append(source)
    mark = len(world.events)
    await world.lavalink.drop_connections()
    await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, after=mark)
    assert world.lava.get_player(player.guild_id) is player
    player.queue.add(seed)
    await start_queue(world, player)
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)
    started_pick = await started(world, "Pick", mark)
    assert hl.is_autoplayed(started_pick.track)


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_the_queue_survives_a_node_restart(world: World) -> None:
    player = await joined(world)
    player.data["announce_in"] = 7
    player.queue.add(ALPHA, BETA)
    await start_queue(world, player)
    mark = len(world.events)
    await world.lavalink.restart()  # a new process: the session and its players are gone
    await world.wait_event(hl.NodeReadyEvent, lambda e: not e.resumed, after=mark)
    await started(world, "Alpha", mark)  # restored on the new session, where it was
    assert titles(player.queue) == ["Beta"]
    assert player.data == {"announce_in": 7}
    mark = len(world.events)
    await world.lavalink.finish_track(player.guild_id)
    await started(world, "Beta", mark)


@pytest.mark.asyncio
async def test_a_next_track_the_node_refuses_stays_first_in_the_queue(world: World) -> None:
    player = await joined(world)
    player.queue.add(ALPHA, BETA)
    await start_queue(world, player)
    world.lavalink.fail_rest(500, count=1, path_prefix="/v4/sessions")
    mark = len(world.events)
    requests = len(world.lavalink.requests)
    await world.lavalink.finish_track(player.guild_id)
    await world.lavalink.wait_for_request(
        lambda r: r.method == "PATCH" and r.status == 500, after=requests
    )
    # The bot's skip waits for that advance, which put Beta back: it plays Beta (not lost).
    await start_queue(world, player)
    assert starts_after(world, mark) == ["Beta"]
    assert titles(player.queue.history) == ["Alpha"]
    assert len(player.queue) == 0


@pytest.mark.asyncio
async def test_changing_an_auto_leave_setting_restarts_or_stops_its_timer(world: World) -> None:
    player = await joined(world)
    guild = player.guild_id
    assert world.lava.auto_leave_pending(guild) == frozenset()
    player.leave_when_idle = 3600.0  # idle since the join: armed from now
    assert world.lava.auto_leave_pending(guild) == {"idle"}
    player.leave_when_idle = None  # a "stay" command: stopped
    assert world.lava.auto_leave_pending(guild) == frozenset()
    player.leave_when_idle = hl.CLIENT_DEFAULT
    world.lava.leave_when_idle = 3600.0
    player.leave_when_idle = hl.CLIENT_DEFAULT  # re-read: the client's now applies
    assert world.lava.auto_leave_pending(guild) == {"idle"}
    world.lava.leave_when_idle = None  # the client's turned off: the timer never leaves
    assert world.lava.auto_leave_pending(guild) == frozenset()
