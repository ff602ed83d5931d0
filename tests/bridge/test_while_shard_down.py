"""What happens to the bot's voice while its shard is down, replayed by Discord on RESUME: a
kick is a kick (no rejoin), a move is followed (the restore rejoins the new channel)."""

from __future__ import annotations

import typing

import hikari
import pytest
from tests.bridge.conftest import SONG, World

import hikari_lavalink as hl

if typing.TYPE_CHECKING:
    import collections.abc


def while_down(
    world: World, shard: int, action: collections.abc.Callable[[], collections.abc.Awaitable[None]]
) -> None:
    """Run ``action`` once, while ``shard`` is down (hikari awaits the listener first)."""
    done = False

    async def disconnected(event: hikari.ShardDisconnectedEvent) -> None:
        nonlocal done
        if event.shard.id == shard and not done:
            done = True
            await action()

    world.bot.subscribe(hikari.ShardDisconnectedEvent, disconnected)


@pytest.mark.asyncio
async def test_a_kick_while_the_shard_is_down_is_not_undone_by_the_rejoin(world: World) -> None:
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == 1)
    player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
    await player.play(SONG)
    ops = len(world.discord.voice_ops)
    while_down(world, 1, lambda: world.discord.disconnect_bot(guild.id))
    await world.discord.kill_shard(1, "abort")  # resumable: Discord replays the kick
    destroyed = await world.wait_event(hl.PlayerDestroyedEvent, lambda e: e.guild_id == guild.id)
    assert destroyed.reason == "kicked"
    assert world.lava.get_player(guild.id) is None
    # No op 4 back into the channel the bot was kicked from.
    joins = [d for _, d in world.discord.voice_ops[ops:] if d["channel_id"] is not None]
    assert not joins
    assert not world.of(hl.VoiceRestoredEvent)


@pytest.mark.asyncio
async def test_a_move_while_the_shard_is_down_is_where_the_restore_rejoins(world: World) -> None:
    guild = next(g for g in world.discord.guilds if world.discord.shard_of(g.id) == 1)
    old, new = guild.voice_channel_ids[0], guild.voice_channel_ids[1]
    player = await world.lava.join(guild.id, old)
    await player.play(SONG)
    ops = len(world.discord.voice_ops)
    while_down(world, 1, lambda: world.discord.move_bot(guild.id, new))
    await world.discord.kill_shard(1, "abort")
    restored = await world.wait_event(hl.VoiceRestoredEvent, lambda e: e.guild_id == guild.id)
    assert restored.channel_id == new
    assert player.channel_id == new
    assert [d["channel_id"] for _, d in world.discord.voice_ops[ops:]] in ([], [str(new)])
    session = world.lavalink.sessions[player.node.session_id or ""]
    voice = session.players[guild.id].voice
    assert voice is not None
    assert voice.channel_id == str(new)
    remote = session.players[guild.id].track
    assert remote is not None
    assert remote.encoded == SONG.encoded
