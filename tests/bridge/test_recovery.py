"""End to end: shard deaths (every mode hikari distinguishes), node death, shutdown."""

from __future__ import annotations

import asyncio
import time
import typing

import hikari
import hikari.impl.shard
import pytest
from tests.bridge.conftest import CATALOGUE, PASSWORD, SONG, World

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeLavalink

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing import RecordedFrame


def guild_and_channel(world: World, shard: int) -> tuple[int, int]:
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == shard)
    return guild.id, guild.voice_channel_ids[0]


async def two_players(world: World) -> tuple[hl.Player, hl.Player]:
    (g0, c0), (g1, c1) = guild_and_channel(world, 0), guild_and_channel(world, 1)
    p0, p1 = await asyncio.gather(world.lava.join(g0, c0), world.lava.join(g1, c1))
    await p0.play(SONG)
    await p1.play(SONG, start=100_000)
    await p1.set_volume(70)
    await p1.set_filters(hl.Filters(timescale=hl.Timescale(speed=1.1)))
    return p0, p1


DEATHS = [
    "close:4000",
    "close:1000",
    "abort",
    "reconnect",
    "invalid_session:true",
    "invalid_session:false",
    "stop_acks",
    "forget_session+close:4009",
    "forget_session+abort",
]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("mode", "heartbeat_interval"),
    # Unanswered heartbeats are noticed one or two intervals later: short ones for stop_acks.
    [pytest.param(mode, 0.25 if mode == "stop_acks" else 1.0, id=mode) for mode in DEATHS],
)
async def test_shard_death_rejoins_and_resumes_the_track(world: World, mode: str) -> None:
    p0, p1 = await two_players(world)
    g1 = p1.guild_id
    session_id = p1.node.session_id or ""
    identifies = world.discord.identifies[1]
    await world.discord.kill_shard(1, mode)
    lost = await world.wait_event(hl.VoiceLostEvent)
    assert (lost.guild_id, lost.shard_id, lost.channel_id) == (g1, 1, p1.channel_id)
    at_loss = p1.position
    assert 100_000 <= at_loss < 104_000
    restored = await world.wait_event(hl.VoiceRestoredEvent, timeout=15)
    assert restored.guild_id == g1
    assert abs(restored.position - at_loss) < 1000
    remote = world.lavalink.sessions[session_id].players[g1]
    assert remote.track is not None
    assert remote.track.encoded == SONG.encoded
    assert abs(remote.position - at_loss) < 1000
    assert remote.volume == 70
    assert remote.filters == hl.Filters(timescale=hl.Timescale(speed=1.1))
    assert remote.voice is not None
    assert remote.voice.channel_id == str(p1.channel_id)
    # the Lavalink voice was dropped (DELETE) before being rebuilt (PATCH with voice + track)
    path = f"/v4/sessions/{session_id}/players/{g1}"
    calls = [(r.method, r.path) for r in world.lavalink.requests if r.path == path]
    assert ("DELETE", path) in calls
    assert calls[-1] == ("PATCH", path)
    if "invalid_session:false" in mode or "forget_session" in mode:
        assert world.discord.identifies[1] == identifies + 1  # a new gateway session
    # the other shard's player was never touched
    assert all(e.guild_id != p0.guild_id for e in world.of(hl.VoiceLostEvent))
    other = f"/v4/sessions/{session_id}/players/{p0.guild_id}"
    assert not any(r.method == "DELETE" and r.path == other for r in world.lavalink.requests)
    assert world.lava.get_player(p0.guild_id) is p0


@pytest.mark.asyncio
async def test_shard_death_with_leave_policy(world: World) -> None:
    world.lava.shard_death_policy = "leave"
    _, p1 = await two_players(world)
    await world.discord.kill_shard(1, "abort")
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent, timeout=15)
    assert (destroyed.guild_id, destroyed.reason) == (p1.guild_id, "voice_lost")
    leave = await world.discord.wait_for_op(
        4, lambda f: f.data["channel_id"] is None and int(f.data["guild_id"]) == p1.guild_id
    )
    assert leave.shard_id == 1
    assert world.lava.get_player(p1.guild_id) is None


@pytest.mark.asyncio
async def test_node_death_without_spare_node_leaves_voice(world: World) -> None:
    p0, p1 = await two_players(world)
    await world.lavalink.kill()
    disconnected = await world.wait_event(hl.NodeDisconnectedEvent)
    assert disconnected.will_resume
    unavailable = await world.wait_event(hl.NodeUnavailableEvent, timeout=10)
    assert set(unavailable.guild_ids) == {p0.guild_id, p1.guild_id}

    def reasons() -> dict[int, str]:
        return {e.guild_id: e.reason for e in world.of(hl.PlayerDestroyedEvent)}

    await world.wait_until(lambda: len(reasons()) >= 2, timeout=5)
    assert reasons() == {p0.guild_id: "node_lost", p1.guild_id: "node_lost"}
    for guild, shard in ((p0.guild_id, 0), (p1.guild_id, 1)):
        leave = await world.discord.wait_for_op(
            4, lambda f, g=guild: f.data["channel_id"] is None and int(f.data["guild_id"]) == g
        )
        assert leave.shard_id == shard
    assert not world.lava.players


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_node_restart_within_resume_window_keeps_players(world: World) -> None:
    _, p1 = await two_players(world)
    session_id = p1.node.session_id
    await world.lavalink.drop_connections()
    await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, timeout=5)
    assert p1.node.session_id == session_id
    assert world.lava.get_player(p1.guild_id) is p1
    assert not world.of(hl.PlayerDestroyedEvent)


@pytest.mark.asyncio
async def test_bot_shutdown_leaves_while_shards_are_up(world: World) -> None:
    p0, p1 = await two_players(world)
    session_id = p0.node.session_id or ""
    await world.bot.close()
    left = {
        int(d["guild_id"]): shard for shard, d in world.discord.voice_ops if d["channel_id"] is None
    }
    assert left == {p0.guild_id: 0, p1.guild_id: 1}
    assert not world.of(hl.VoiceLostEvent)
    assert {e.reason for e in world.of(hl.PlayerDestroyedEvent)} == {"shutdown"}
    assert session_id not in world.lavalink.sessions  # resuming off, session closed


@pytest.mark.asyncio
async def test_node_back_within_the_grace_period_keeps_its_players(world: World) -> None:
    world.lava.node_loss_grace = 10.0
    p0, p1 = await two_players(world)
    node = p1.node
    position = p1.position
    await world.lavalink.kill()
    await world.wait_event(hl.NodeUnavailableEvent, timeout=10)  # resume window passed
    # Held, not left: no PlayerDestroyedEvent up to the move, and the move is of p1 itself.
    assert world.lava.get_player(p1.guild_id) is p1
    await world.lavalink.start()  # the node comes back (a new process: no sessions)
    moved = await world.wait_event(hl.PlayerMovedEvent, lambda e: e.player is p1, timeout=10)
    assert moved.node is node
    assert moved.from_node is node
    remote = world.lavalink.sessions[node.session_id or ""].players[p1.guild_id]
    assert remote.track is not None
    assert abs(remote.position - position) < 1500
    assert not world.of(hl.PlayerDestroyedEvent)
    assert world.lava.get_player(p0.guild_id) is p0


def slow_reconnects(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's own back-off between reconnects (1 to 2 s for the first): a shard stays down
    # a while. Its shortest; FakeDiscord cannot hold a shard's reconnect back.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 30.0)


async def wait_shard(
    world: World, shard: int, *, up: bool, after: int, timeout: float = 5.0
) -> None:
    """Wait for the shard's connect (``up``) or disconnect event, recorded after ``after``."""
    kind = hikari.ShardConnectedEvent if up else hikari.ShardDisconnectedEvent
    await world.wait_event(kind, lambda e: e.shard.id == shard, timeout, after=after)


async def wait_op4(
    world: World, guild: int, channel: int | None, *, after: int, timeout: float = 10.0
) -> RecordedFrame:
    """The first op 4 for ``guild`` to ``channel`` (None: a leave) after frame ``after``."""
    wanted = None if channel is None else str(channel)
    return await world.discord.wait_for_op(
        4,
        lambda f: int(f.data["guild_id"]) == guild and f.data["channel_id"] == wanted,
        timeout=timeout,
        after=after,
    )


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_shard_that_dies_again_while_rejoining_is_rejoined_when_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.lava.rejoin_timeout = 0.5
    _, p1 = await two_players(world)
    g1, c1 = p1.guild_id, p1.channel_id
    session_id = p1.node.session_id or ""
    world.discord.set_voice_behaviour(g1, answer=False)  # the first rejoin gets no answer
    ops, frames = len(world.discord.voice_ops), len(world.discord.frames)
    await world.discord.kill_shard(1, "abort")
    await world.wait_event(hl.VoiceLostEvent)
    await wait_op4(world, g1, c1, after=frames)  # the shard is back and the rejoin went out
    rejoined = time.monotonic()
    slow_reconnects(monkeypatch)
    mark = len(world.events)
    await world.discord.kill_shard(1, "abort")  # and down again, for a back-off of 1 to 2 s
    await wait_shard(world, 1, up=False, after=mark)
    # The rejoin's wait is over while the shard is down (it is back 1 s after at the soonest).
    await asyncio.sleep(max(0.0, rejoined + world.lava.rejoin_timeout + 0.2 - time.monotonic()))
    assert world.discord.is_connected(1) is False
    assert world.lava.get_player(g1) is p1  # kept: not a failed rejoin to give up on
    assert not world.of(hl.PlayerDestroyedEvent)
    world.discord.set_voice_behaviour(g1, answer=True)
    restored = await world.wait_event(hl.VoiceRestoredEvent, timeout=15)
    assert restored.guild_id == g1
    remote = world.lavalink.sessions[session_id].players[g1]
    assert remote.track is not None
    assert remote.track.encoded == SONG.encoded
    assert remote.voice is not None
    assert remote.voice.channel_id == str(c1)
    leaves = [d for _, d in world.discord.voice_ops[ops:] if d["channel_id"] is None]
    assert not leaves  # never left on the way
    assert not world.of(hl.PlayerDestroyedEvent)


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_shard_back_while_a_rejoin_waits_restores_once(world: World) -> None:
    # The shard dies, comes back (rejoin 1 goes out), dies and is back again within the
    # rejoin's wait: the second connect's restore takes over, and the first stops, so the
    # guild sees one restore's op 4s (join; then leave and join; then the leave of giving
    # up), not two restores' interleaved.
    world.lava.rejoin_timeout = 1.0
    _, p1 = await two_players(world)
    g1, c1 = p1.guild_id, p1.channel_id
    world.discord.set_voice_behaviour(g1, answer=False)  # no rejoin is ever answered
    frames = len(world.discord.frames)
    await world.discord.kill_shard(1, "abort")
    await world.wait_event(hl.VoiceLostEvent)
    await wait_op4(world, g1, c1, after=frames)
    first_rejoin = time.monotonic()
    ops = len(world.discord.voice_ops)
    mark = len(world.events)
    await world.discord.kill_shard(1, "abort")
    await wait_shard(world, 1, up=False, after=mark)
    await wait_shard(world, 1, up=True, after=mark)
    assert time.monotonic() - first_rejoin < world.lava.rejoin_timeout  # back in time
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent, timeout=15)
    assert (destroyed.guild_id, destroyed.reason) == (g1, "voice_lost")
    # Both waits the first restore could have begun are over (its two attempts).
    over = first_rejoin + 2 * world.lava.rejoin_timeout + 0.5
    await asyncio.sleep(max(0.0, over - time.monotonic()))
    sent = [d["channel_id"] for _, d in world.discord.voice_ops[ops:] if int(d["guild_id"]) == g1]
    assert sent == [str(c1), None, str(c1), None]
    assert world.lava.get_player(g1) is None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_leave_while_the_shard_is_down_goes_out_when_it_is_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, p1 = await two_players(world)
    g1 = p1.guild_id
    slow_reconnects(monkeypatch)
    mark = len(world.events)
    await world.discord.kill_shard(1, "abort")
    await world.wait_event(hl.VoiceLostEvent)
    await wait_shard(world, 1, up=False, after=mark)
    frames = len(world.discord.frames)
    mark = len(world.events)
    await world.lava.leave(g1)  # op 4 cannot go out now
    assert world.lava.get_player(g1) is None
    leave = await wait_op4(world, g1, None, after=frames, timeout=15)
    assert leave.shard_id == 1
    # No rejoin for the player that was left, before or after the owed leave: a rejoin
    # starts with the leave (both at the shard's connect), before Discord's echo of it.
    await world.wait_event(
        hikari.VoiceStateUpdateEvent,
        lambda e: e.guild_id == g1 and e.state.channel_id is None,
        after=mark,
    )
    last = [d for _, d in world.discord.voice_ops if int(d["guild_id"]) == g1][-1]
    assert last["channel_id"] is None
    destroyed = [e for e in world.of(hl.PlayerDestroyedEvent) if e.guild_id == g1]
    assert [e.reason for e in destroyed] == ["left"]


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_join_while_the_shard_is_down_raises_and_leaves_no_player(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    guild, channel = guild_and_channel(world, 1)
    slow_reconnects(monkeypatch)
    mark = len(world.events)
    await world.discord.kill_shard(1, "abort")
    await wait_shard(world, 1, up=False, after=mark)
    with pytest.raises(hl.ShardNotConnectedError, match="not connected"):
        await world.lava.join(guild, channel)
    assert world.lava.get_player(guild) is None
    assert all(node.get_player(guild) is None for node in world.lava.nodes.values())
    await wait_shard(world, 1, up=True, after=mark, timeout=15)
    player = await world.lava.join(guild, channel)  # once it is back, a join works
    assert player.channel_id == channel


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_shard_death_during_a_move_rejoins_the_channel_asked_for(world: World) -> None:
    _, p1 = await two_players(world)
    g1, c1 = p1.guild_id, p1.channel_id
    c2 = next(c for c in world.discord.guild(g1).voice_channel_ids if c != c1)
    session_id = p1.node.session_id or ""
    world.discord.set_voice_behaviour(g1, answer=False)  # the move stays in flight
    frames = len(world.discord.frames)
    move = asyncio.get_running_loop().create_task(world.lava.join(g1, c2, timeout=10))
    await wait_op4(world, g1, c2, after=frames)
    await world.discord.kill_shard(1, "abort")
    await world.wait_event(hl.VoiceLostEvent)
    world.discord.set_voice_behaviour(g1, answer=True)
    restored = await world.wait_event(hl.VoiceRestoredEvent, timeout=15)
    assert restored.guild_id == g1
    assert await move is p1
    assert p1.channel_id == c2
    remote = world.lavalink.sessions[session_id].players[g1]
    assert remote.voice is not None
    assert remote.voice.channel_id == str(c2)
    ops = [d["channel_id"] for _, d in world.discord.voice_ops if int(d["guild_id"]) == g1]
    assert ops[-1] == str(c2)


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_leave_unanswered_when_the_shard_dies_goes_out_again(world: World) -> None:
    _, p1 = await two_players(world)
    g1 = p1.guild_id
    world.discord.set_voice_behaviour(g1, answer=False)  # Discord will not answer the leave
    await world.lava.leave(g1)
    frames = len(world.discord.frames)
    await world.discord.kill_shard(1, "abort")  # the leave may have died with the socket
    again = await wait_op4(world, g1, None, after=frames, timeout=15)
    assert again.shard_id == 1
    assert world.lava.get_player(g1) is None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_a_failover_during_a_shard_death_sends_no_stale_voice(world: World) -> None:
    async with FakeLavalink(password=PASSWORD, catalogue=CATALOGUE) as spare:
        world.lava.add_node(name="spare", host=spare.host, port=spare.port, password=PASSWORD)
        await world.lava.nodes["spare"].wait_ready(timeout=5)
        main = world.lava.nodes["main"]
        (g0, c0), (g1, c1) = guild_and_channel(world, 0), guild_and_channel(world, 1)
        p0 = await world.lava.join(g0, c0, node=main)
        p1 = await world.lava.join(g1, c1, node=main)
        await p1.play(SONG)
        assert (p0.node.name, p1.node.name) == ("main", "main")
        world.lava.rejoin_timeout = 30.0  # the rejoin waits: its voice stays lost meanwhile
        world.discord.set_voice_behaviour(g1, answer=False)
        await world.discord.kill_shard(1, "abort")
        await world.wait_event(hl.VoiceLostEvent, lambda e: e.guild_id == g1)
        await world.lavalink.kill()  # and its node dies: the players move to the spare
        moved = await world.wait_event(hl.PlayerMovedEvent, lambda e: e.player is p1)
        assert moved.node.name == "spare"
        # The voice from before the shard's death is dead: nothing was sent for that guild.
        # (The other guild's shard lives: its player moved with its voice.)
        patches = [r for r in spare.requests if r.method == "PATCH"]
        assert not [r for r in patches if r.path.endswith(f"/players/{g1}")]
        await world.wait_event(hl.PlayerMovedEvent, lambda e: e.player is p0)
        assert [r.status for r in spare.requests if r.path.endswith(f"/players/{g0}")] == [200]
        assert p1.track is not None  # its state is kept for the restore
        world.discord.set_voice_behaviour(g1, answer=True)
        assert await world.lava.join(g1, c1) is p1  # (not waiting out the rejoin's 30 s)
        restored = await world.wait_event(hl.VoiceRestoredEvent, lambda e: e.guild_id == g1)
        assert restored.node.name == "spare"
        remote = spare.sessions[world.lava.nodes["spare"].session_id or ""].players[g1]
        assert remote.voice is not None
        assert remote.track is not None
        assert remote.track.encoded == SONG.encoded
