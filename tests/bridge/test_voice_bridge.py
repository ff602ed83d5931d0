"""End to end: join, play, voice changes, shard deaths, node death, shutdown."""

from __future__ import annotations

import asyncio

import hikari
import pytest
from tests.bridge.conftest import SONG, World

import hikari_lavalink as hl
from hikari_lavalink.testing import VoiceBehaviour


def guild_and_channel(world: World, shard: int) -> tuple[int, int]:
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == shard)
    return guild.id, guild.voice_channel_ids[0]


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_join_two_guilds_on_two_shards_concurrently(world: World) -> None:
    (g0, c0), (g1, c1) = guild_and_channel(world, 0), guild_and_channel(world, 1)
    p0, p1 = await asyncio.gather(world.lava.join(g0, c0), world.lava.join(g1, c1))
    assert (p0.guild_id, p1.guild_id) == (g0, g1)
    assert (p0.channel_id, p1.channel_id) == (c0, c1)
    ops = {int(d["guild_id"]): (shard, d) for shard, d in world.discord.voice_ops}
    assert ops[g0][0] == 0
    assert ops[g1][0] == 1
    assert ops[g0][1]["self_deaf"] is True
    assert ops[g0][1]["self_mute"] is False
    assert not world.discord.wrong_shard_ops
    session = world.lavalink.sessions[p0.node.session_id or ""]
    v0, v1 = session.players[g0].voice, session.players[g1].voice
    assert v0 is not None
    assert v1 is not None
    assert v0.channel_id == str(c0)
    assert v1.channel_id == str(c1)
    assert v0.endpoint == world.discord.voice_endpoint  # raw, no wss://
    assert v0.session_id != v1.session_id  # each shard's own gateway session
    assert world.lava.get_player(g0) is p0
    await p0.play(SONG)
    start = await world.wait_event(hl.TrackStartEvent)
    assert start.guild_id == g0
    assert start.player is p0
    assert start.track.info.title == "Song"


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_leave(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    player = await world.lava.join(g0, c0)
    await player.play(SONG)
    await world.lava.leave(g0)
    assert world.lava.get_player(g0) is None
    leave = await world.discord.wait_for_op(4, lambda f: f.data["channel_id"] is None)
    assert leave.shard_id == 0
    assert leave.data["self_deaf"] is True
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent)
    assert destroyed.reason == "left"
    assert g0 not in world.lavalink.sessions[player.node.session_id or ""].players


@pytest.mark.asyncio
async def test_a_player_kept_after_leave_is_dead(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    player = await world.lava.join(g0, c0)
    await player.play(SONG)
    await world.lava.leave(g0)
    patches = [r for r in world.lavalink.requests if r.method == "PATCH"]
    assert player.destroyed == "left"
    for command in (
        lambda: player.play(SONG),
        player.stop,
        player.pause,
        lambda: player.seek(1_000),
        lambda: player.set_volume(50),
        player.wait_for_voice,
    ):
        with pytest.raises(hl.UsageError, match=r"destroyed \(left\); join the voice channel"):
            await command()
    # Nothing reached the node: no PATCH, no player made again behind the client's back.
    assert [r for r in world.lavalink.requests if r.method == "PATCH"] == patches
    assert g0 not in world.lavalink.sessions[player.node.session_id or ""].players
    again = await world.lava.join(g0, c0)  # a new join makes a new, living player
    assert again is not player
    assert again.destroyed is None


@pytest.mark.asyncio
async def test_a_play_on_its_way_when_the_guild_is_left_is_undone(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    player = await world.lava.join(g0, c0)
    # The play's PATCH reaches the node and is held there while the guild is left: the
    # leave's DELETE overtakes it, then the PATCH (re)creates the player on the node.
    hold = world.lavalink.hold("PATCH", "/v4/sessions/")
    playing = asyncio.ensure_future(player.play(SONG))
    held = await hold.reached()
    assert "track" in held.json()
    await world.lava.leave(g0)
    hold.release()
    with pytest.raises(hl.UsageError, match="destroyed"):
        await playing
    # Whatever order the DELETE and the PATCH took, the node holds no player for the guild.
    assert g0 not in world.lavalink.sessions[player.node.session_id or ""].players
    assert world.lava.get_player(g0) is None


@pytest.mark.asyncio
async def test_a_leave_during_the_joins_voice_patch_leaves_no_player_behind(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    hold = world.lavalink.hold("PATCH", "/v4/sessions/")  # the join's voice PATCH
    joining = asyncio.ensure_future(world.lava.join(g0, c0))
    held = await hold.reached()
    assert "voice" in held.json()
    # The leave comes while the PATCH is on its way: the player is dead at once, and the
    # leave's DELETE waits for the PATCH (the guild's lock), whose player it then undoes.
    leaving = asyncio.ensure_future(world.lava.leave(g0))
    await asyncio.sleep(0)  # one turn of the loop: the leave's first step, up to the lock
    assert world.lava.get_player(g0) is None  # (the step it takes before any wait)
    assert not leaving.done()  # it waits for the PATCH on its way
    hold.release()
    await leaving
    with pytest.raises(hl.UsageError, match="destroyed"):
        await joining
    await world.lavalink.wait_for_request(lambda r: r.method == "PATCH" and r is held)
    # The PATCH that landed after the leave was undone: no player for a guild the bot left.
    session = world.lavalink.sessions[world.lava.nodes["main"].session_id or ""]
    await world.lavalink.wait_until(lambda: g0 not in session.players)
    assert world.lava.get_player(g0) is None
    await world.discord.wait_for_op(4, lambda f: f.data["channel_id"] is None)  # out, too


@pytest.mark.asyncio
async def test_a_join_during_a_leaves_delete_ends_in_the_channel(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    old = await world.lava.join(g0, c0)
    await old.play(SONG)
    hold = world.lavalink.hold("DELETE", "/v4/sessions/")  # the leave's DELETE is slow
    leaving = asyncio.ensure_future(world.lava.leave(g0))
    await hold.reached()
    ops = len(world.discord.voice_ops)
    joining = asyncio.ensure_future(world.lava.join(g0, c0))
    hold.release()
    await leaving
    new = await joining
    # The join came after the leave, so it wins: Discord saw the leave's op 4, then the
    # join's; the node has the new player, with its voice; the client holds it.
    assert [d["channel_id"] for _, d in world.discord.voice_ops[ops:]] == [None, str(c0)]
    assert new is not old
    assert world.lava.get_player(g0) is new
    session = world.lavalink.sessions[new.node.session_id or ""]
    assert session.players[g0].voice is not None
    await new.play(SONG)
    assert (await world.wait_event(hl.TrackStartEvent, lambda e: e.player is new)).guild_id == g0


@pytest.mark.asyncio
async def test_discord_answers_no_join_to_a_text_channel_or_an_unknown_guild(
    world: World,
) -> None:
    guild = world.discord.guilds[0]
    unknown = (guild.id + (1 << 30)) & ~((1 << 22) - 1) | (guild.id & ((1 << 22) - 1))
    for guild_id, channel in ((guild.id, guild.text_channel_ids[0]), (unknown, 1234)):
        frames = len(world.discord.frames)
        with pytest.raises(hl.VoiceTimeoutError):
            await world.lava.join(guild_id, channel, timeout=0.2)
        sent = await world.discord.wait_for_op(  # it was sent; Discord stayed silent
            4, lambda f, wanted=str(channel): f.data["channel_id"] == wanted, after=frames
        )
        assert int(sent.data["guild_id"]) == guild_id
        assert world.lava.get_player(guild_id) is None  # and no player is left behind


@pytest.mark.asyncio
async def test_players_view_follows_joins_and_leaves(world: World) -> None:
    (g0, c0), (g1, c1) = guild_and_channel(world, 0), guild_and_channel(world, 1)
    players = world.lava.players
    assert len(players) == 0
    p0, p1 = await asyncio.gather(world.lava.join(g0, c0), world.lava.join(g1, c1))
    assert (len(players), sorted(players), g0 in players) == (2, sorted([g0, g1]), True)
    assert dict(players) == {g0: p0, g1: p1}
    await world.lava.join(g0, c0)  # joined already: no second player
    assert len(players) == 2
    mark = len(world.events)
    await world.lava.leave(g0)
    await world.discord.wait_for_op(4, lambda f: f.data["channel_id"] is None)
    assert (len(players), list(players), g0 in players) == (1, [g1], False)
    # Discord's answer to the leave is the guild's last word: its bookkeeping goes too (the
    # client's listener, subscribed first, has handled the answer when ours has).
    await world.wait_event(
        hikari.VoiceStateUpdateEvent,
        lambda e: e.guild_id == g0 and e.state.channel_id is None,
        after=mark,
    )
    guilds = world.lava.tracked_guilds
    assert list(guilds) == [g1]
    assert players.get(g0) is None
    with pytest.raises(KeyError):
        players[g0]
    assert players[g1] is p1
    again = await world.lava.join(g0, c0)
    assert again is not p0
    assert (len(players), players[g0]) == (2, again)
    assert f"{g0}: Player(guild_id={g0}" in repr(players)


@pytest.mark.asyncio
async def test_voice_timeout_reaches_every_node_and_its_players(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    player = await world.lava.join(g0, c0)
    assert player.voice_timeout == world.lava.voice_timeout == 3.0
    world.lava.voice_timeout = 7.5
    late = world.lava.add_node(name="late", host="127.0.0.1", port=9, password="unused")
    assert (late.voice_timeout, player.node.voice_timeout) == (7.5, 7.5)
    assert player.voice_timeout == 7.5
    player.voice_timeout = 1.0  # the player's own
    world.lava.voice_timeout = 2.0
    assert player.voice_timeout == 1.0
    await world.lava.remove_node("late")


@pytest.mark.asyncio
@pytest.mark.usefixtures("both_servers")
async def test_voice_server_change_move_and_kick(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    player = await world.lava.join(g0, c0)
    session = world.lavalink.sessions[player.node.session_id or ""]
    await world.discord.change_voice_server(g0, endpoint="c-fra01-new.discord.media:443")
    await world.lavalink.wait_for_request(
        lambda r: r.method == "PATCH" and b"c-fra01-new" in r.body
    )
    voice = session.players[g0].voice
    assert voice is not None
    assert voice.endpoint == "c-fra01-new.discord.media:443"
    c_other = world.discord.guilds[0].voice_channel_ids[1]
    await world.discord.move_bot(g0, c_other)
    moved = await world.wait_event(hl.VoiceChannelMovedEvent)
    assert (moved.old_channel_id, moved.channel_id) == (c0, c_other)
    assert player.channel_id == c_other
    await world.lavalink.wait_for_request(
        lambda r: r.method == "PATCH" and f'"channelId":"{c_other}"'.encode() in r.body
    )
    await world.discord.disconnect_bot(g0)
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent)
    assert destroyed.reason == "kicked"
    assert world.lava.get_player(g0) is None


@pytest.mark.asyncio
async def test_null_endpoint_waits_for_the_real_one(world: World) -> None:
    g1, c1 = guild_and_channel(world, 1)
    world.discord.set_voice_behaviour(g1, VoiceBehaviour(null_endpoint_first=True, delay=0.05))
    player = await world.lava.join(g1, c1)
    voice = world.lavalink.sessions[player.node.session_id or ""].players[g1].voice
    assert voice is not None
    assert voice.endpoint == world.discord.voice_endpoint
    patches = [r for r in world.lavalink.requests if r.method == "PATCH" and b'"voice"' in r.body]
    assert len(patches) == 1  # never a null endpoint, never twice


@pytest.mark.asyncio
async def test_join_timeout_names_the_cause(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    world.discord.set_voice_behaviour(g0, VoiceBehaviour(answer=False))
    with pytest.raises(hl.VoiceTimeoutError, match="Connect permission"):
        await world.lava.join(g0, c0, timeout=0.05)


@pytest.mark.asyncio
async def test_a_move_that_times_out_leaves_the_player_where_it_is(world: World) -> None:
    g0, c0 = guild_and_channel(world, 0)
    other = world.discord.guild(g0).voice_channel_ids[1]
    player = await world.lava.join(g0, c0)
    world.discord.set_voice_behaviour(g0, VoiceBehaviour(answer=False))
    with pytest.raises(hl.VoiceTimeoutError):
        await world.lava.join(g0, other, timeout=0.05)
    assert world.lava.get_player(g0) is player  # an existing player is kept
    assert player.channel_id == c0  # and Discord never moved the bot
