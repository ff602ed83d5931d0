"""The plain-hikari example bot, end to end: prefix commands on the built-in queue."""

from __future__ import annotations

import asyncio
import itertools
import typing

import hikari
import hikari.impl.shard
import pytest

import hikari_lavalink as hl
from examples import hikari_bot
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories
from hikari_lavalink.testing.fake_discord import payloads

PASSWORD = "hikari-bot-password"
SONG = factories.make_track(title="Song", length=600_000)
NEXT = factories.make_track(title="Next", length=600_000)
CATALOGUE: dict[str, hl.LoadResult] = {
    "ytsearch:song": factories.make_search([SONG]),
    "ytsearch:next": factories.make_search([NEXT]),
}
_IDS = itertools.count(900_000_000_000_000_000)


def message_create(discord: FakeDiscord, guild: int, channel: int, content: str) -> typing.Any:
    """A ``MESSAGE_CREATE`` of the fake's member in a guild text channel."""
    author = payloads.listener(discord.member_id)
    member = payloads.member(discord.bot_id, author)
    del member["user"]  # a message's member leaves its user out: it is the author
    return {
        "id": str(next(_IDS)),
        "channel_id": str(channel),
        "guild_id": str(guild),
        "author": author,
        "member": member,
        "content": content,
        "timestamp": payloads.TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
    }


@pytest.mark.asyncio
async def test_prefix_commands_drive_the_players_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)
    errors: list[dict[str, typing.Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: errors.append(context))
    async with (
        FakeDiscord(shard_count=1) as discord,
        FakeLavalink(password=PASSWORD, catalogue=CATALOGUE) as fake,
    ):
        monkeypatch.setenv("LAVALINK_HOST", fake.host)
        monkeypatch.setenv("LAVALINK_PORT", str(fake.port))
        monkeypatch.setenv("LAVALINK_PASSWORD", PASSWORD)
        bot, lava = hikari_bot.create_bot(discord.token, rest_url=discord.rest_url)
        await bot.start(check_for_updates=False, shard_count=1)
        guild = discord.guilds[0]
        text, voice = guild.text_channel_ids[0], guild.voice_channel_ids[0]

        async def say(content: str) -> str:
            """The member says ``content``; the bot's answer."""
            mark = len(discord.messages)
            data = message_create(discord, guild.id, text, content)
            await discord.dispatch(0, "MESSAGE_CREATE", data)
            await discord.wait_until(lambda: len(discord.messages) > mark)
            return discord.messages[mark]["content"]

        try:
            await lava.wait_ready(timeout=10)
            await asyncio.gather(
                bot.wait_for(hikari.VoiceStateUpdateEvent, 10),
                discord.put_member_in_voice(guild.id, voice),
            )
            assert await say("!skip") == "Nothing is playing."
            assert await say("!play song") == "Playing Song."
            player = lava.get_player(guild.id)
            assert player is not None
            assert player.data["text_channel"] == text
            assert await say("!play next") == "Queued Next."
            assert await say("!queue") == f"1. Next (<@{discord.member_id}>)"
            assert await say("!loop track") == "Loop track."
            assert player.queue.loop is hl.LoopMode.TRACK
            assert await say("!loop sideways") == "Usage: !loop off|track|queue"
            assert await say("!loop off") == "Loop off."
            assert await say("!filter nightcore") == "Filter nightcore."
            assert await say("!autoplay") == "Autoplay on."
            assert await say("!autoplay") == "Autoplay off."
            assert await say("!remove 2") == "Usage: !remove <position in !queue>"
            started, _ = await asyncio.gather(
                bot.wait_for(hl.TrackStartEvent, 10),
                fake.finish_track(guild.id),  # the queue moves on by itself
            )
            assert started.track.info.title == "Next"
            assert hl.requester_of(started.track) == discord.member_id
            mark = len(discord.messages)
            await asyncio.gather(bot.wait_for(hl.QueueEndEvent, 10), fake.finish_track(guild.id))
            await discord.wait_until(lambda: len(discord.messages) > mark)
            assert discord.messages[mark]["content"] == "The queue is over."
            assert await say("!np") == "Nothing."
            assert await say("!leave") == "Bye."
            assert lava.get_player(guild.id) is None
        finally:
            await bot.close()
    assert not errors
