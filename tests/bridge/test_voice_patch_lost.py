"""A voice PATCH that never lands: its node killed or its connection cut on the way (the
voice is kept, and the node's recovery carries it), or refused with an error (the join
fails, and the bot is out with no player)."""

from __future__ import annotations

import asyncio

import pytest
from tests.bridge.conftest import CATALOGUE, PASSWORD, SONG, World

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeLavalink


def guild_and_channels(world: World) -> tuple[int, int, int]:
    guild = world.discord.guilds[0]
    return guild.id, guild.voice_channel_ids[0], guild.voice_channel_ids[1]


def voice_of(fake: FakeLavalink, node: hl.Node, guild: int) -> hl.VoiceUpdate | None:
    session = fake.sessions.get(node.session_id or "")
    player = session.players.get(guild) if session is not None else None
    return player.voice if player is not None else None


@pytest.mark.asyncio
async def test_a_node_killed_under_the_joins_voice_patch_moves_the_player_with_its_voice(
    world: World,
) -> None:
    g0, c0, _ = guild_and_channels(world)
    async with FakeLavalink(password=PASSWORD, catalogue=CATALOGUE) as spare:
        world.lava.add_node(name="spare", host=spare.host, port=spare.port, password=PASSWORD)
        await world.lava.nodes["spare"].wait_ready(timeout=5)
        hold = world.lavalink.hold("PATCH", "/v4/sessions/")
        joining = asyncio.ensure_future(world.lava.join(g0, c0, node=world.lava.nodes["main"]))
        held = await hold.reached()
        assert "voice" in held.json()
        await world.lavalink.kill()  # the PATCH dies with its node
        player = await joining  # in the channel: the voice is kept for the recovery
        assert world.lava.get_player(g0) is player
        moved = await world.wait_event(hl.PlayerMovedEvent, lambda e: e.player is player)
        assert moved.node.name == "spare"
        voice = voice_of(spare, moved.node, g0)
        assert voice is not None
        assert voice.channel_id == str(c0)
        await player.play(SONG)  # a working player: its voice is ready on the spare
        start = await world.wait_event(hl.TrackStartEvent, lambda e: e.player is player)
        assert start.node.name == "spare"
        assert not world.of(hl.PlayerDestroyedEvent)
        assert not world.loop_errors


@pytest.mark.asyncio
async def test_a_moves_voice_patch_cut_on_its_way_is_sent_when_the_session_resumes(
    world: World,
) -> None:
    g0, c0, c1 = guild_and_channels(world)
    player = await world.lava.join(g0, c0)
    await player.play(SONG)
    node = player.node
    hold = world.lavalink.hold("PATCH", f"/v4/sessions/{node.session_id}/players/{g0}")
    moving = asyncio.ensure_future(world.lava.join(g0, c1))
    held = await hold.reached()
    assert held.json()["voice"]["channelId"] == str(c1)
    hold.cut()  # the connection drops with the PATCH: the node never saw it
    assert await moving is player
    old = voice_of(world.lavalink, node, g0)
    assert old is not None
    assert old.channel_id == str(c0)  # the node still holds the old channel's voice
    session_id = node.session_id
    await world.lavalink.drop_connections()
    await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, timeout=5)
    assert node.session_id == session_id
    # The resumed session's reconcile finds the server's voice stale and sends the new one.
    session = world.lavalink.sessions[session_id or ""]

    def new_voice() -> bool:
        voice = session.players[g0].voice
        return voice is not None and voice.channel_id == str(c1)

    await world.lavalink.wait_until(new_voice)
    assert world.lava.get_player(g0) is player
    assert player.channel_id == c1
    remote = session.players[g0]
    assert remote.track is not None
    assert remote.track.encoded == SONG.encoded
    assert not world.of(hl.PlayerDestroyedEvent)


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 500])
async def test_a_join_whose_voice_the_node_refuses_ends_out_with_no_player(
    world: World, status: int
) -> None:
    g0, c0, _ = guild_and_channels(world)
    node = world.lava.nodes["main"]
    world.lavalink.fail_rest(status, path_prefix=f"/v4/sessions/{node.session_id}/players/")
    with pytest.raises(hl.RestError) as caught:
        await world.lava.join(g0, c0)
    assert caught.value.status == status
    assert world.lava.get_player(g0) is None
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent, lambda e: e.guild_id == g0)
    assert destroyed.reason == "voice_failed"
    await world.discord.wait_for_op(
        4, lambda f: int(f.data["guild_id"]) == g0 and f.data["channel_id"] is None
    )
    assert g0 not in world.lavalink.sessions[node.session_id or ""].players
    # And the guild can be joined again at once.
    player = await world.lava.join(g0, c0)
    await player.play(SONG)
    await world.wait_event(hl.TrackStartEvent, lambda e: e.player is player)


@pytest.mark.asyncio
async def test_a_joins_voice_patch_on_a_session_that_pauses_is_restored_when_it_resumes(
    world: World,
) -> None:
    g0, c0, _ = guild_and_channels(world)
    node = world.lava.nodes["main"]
    session_id = node.session_id
    hold = world.lavalink.hold("PATCH", f"/v4/sessions/{session_id}/players/{g0}")
    joining = asyncio.ensure_future(world.lava.join(g0, c0))
    held = await hold.reached()
    world.lavalink.fail_handshake(502, count=100)  # no resume before the PATCH's answer
    await world.lavalink.drop_connections()  # the session pauses: its REST answers 404
    hold.release()
    player = await joining
    await world.lavalink.wait_for_request(lambda r: r is held)
    assert held.status == 404
    world.lavalink.clear_failures()
    await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, timeout=5)
    assert node.session_id == session_id
    await player.play(SONG)  # the resumed session got the player, with its voice
    await world.wait_event(hl.TrackStartEvent, lambda e: e.player is player)
    voice = voice_of(world.lavalink, node, g0)
    assert voice is not None
    assert voice.channel_id == str(c0)
    assert not world.of(hl.PlayerDestroyedEvent)
