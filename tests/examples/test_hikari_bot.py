"""The plain-hikari example bot, end to end: prefix commands on the built-in queue, and its
lyrics and SponsorBlock commands on a node with (and without) the plugins."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import typing

import pytest
from tests.examples.bot_world import BotOnFakes, fakes, started

import hikari_lavalink as hl
from examples import hikari_bot
from hikari_lavalink.testing import factories
from hikari_lavalink.testing.fake_discord import payloads

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.testing import FakeDiscord

PASSWORD = "hikari-bot-password"
SONG = factories.make_track(title="Song", length=600_000)
NEXT = factories.make_track(title="Next", length=600_000)
VIDEO = factories.make_track(title="Video", length=600_000, source_name="youtube")
CATALOGUE: dict[str, hl.LoadResult] = {
    "ytsearch:song": factories.make_search([SONG]),
    "ytsearch:next": factories.make_search([NEXT]),
    "ytsearch:video": factories.make_search([VIDEO]),
}
PLUGINS = {"lavalyrics-plugin": "1.1.0", "sponsorblock-plugin": "3.0.0"}
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


class Running(BotOnFakes):
    """The example bot on the fakes, and its prefix commands."""

    async def say(self, content: str) -> str:
        """The member says ``content``; the bot's answer."""
        discord = self.discord
        mark = len(discord.messages)
        data = message_create(discord, self.guild, self.text, content)
        await discord.dispatch(0, "MESSAGE_CREATE", data)
        await discord.wait_until(lambda: len(discord.messages) > mark)
        return discord.messages[mark]["content"]


@contextlib.asynccontextmanager
async def running(
    monkeypatch: pytest.MonkeyPatch, **fake_options: typing.Any
) -> collections.abc.AsyncGenerator[Running, None]:
    """The example bot on the fakes (``fake_options``: more ``FakeLavalink`` arguments)."""
    fake_options = {"password": PASSWORD, "catalogue": CATALOGUE, **fake_options}
    async with fakes(monkeypatch, **fake_options) as (discord, fake):
        monkeypatch.setenv("LAVALINK_HOST", fake.host)
        monkeypatch.setenv("LAVALINK_PORT", str(fake.port))
        monkeypatch.setenv("LAVALINK_PASSWORD", PASSWORD)
        bot, lava = hikari_bot.create_bot(discord.token, rest_url=discord.rest_url)
        async with started(discord, bot, lava) as guild:
            yield Running(discord, fake, bot, lava, guild.id, guild.text_channel_ids[0])


@pytest.mark.asyncio
async def test_prefix_commands_drive_the_players_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(monkeypatch) as run:
        discord, fake, bot, lava, say = run.discord, run.fake, run.bot, run.lava, run.say
        guild, text = run.guild, run.text
        assert await say("!skip") == "Nothing is playing."
        assert await say("!play song") == "Playing Song."
        player = lava.get_player(guild)
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
            fake.finish_track(guild),  # the queue moves on by itself
        )
        assert started.track.info.title == "Next"
        assert hl.requester_of(started.track) == discord.member_id
        mark = len(discord.messages)
        await asyncio.gather(bot.wait_for(hl.QueueEndEvent, 10), fake.finish_track(guild))
        await discord.wait_until(lambda: len(discord.messages) > mark)
        assert discord.messages[mark]["content"] == "The queue is over."
        assert await say("!np") == "Nothing."
        # The node runs no plugins: said, and nothing sent.
        assert await say("!lyrics") == (
            "No lyrics here: the Lavalink node has no LavaLyrics plugin."
        )
        assert await say("!sponsorblock") == (
            "No SponsorBlock here: the Lavalink node has no SponsorBlock plugin."
        )
        assert await say("!leave") == "Bye."
        assert lava.get_player(guild) is None


@pytest.mark.asyncio
async def test_lyrics_and_sponsorblock_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(monkeypatch, plugins=PLUGINS) as run:
        discord, fake, bot, lava, say, guild = (
            run.discord,
            run.fake,
            run.bot,
            run.lava,
            run.say,
            run.guild,
        )
        fake.set_lyrics(SONG, hl.Lyrics(source_name="deezer", text="la la la"))
        fake.set_segments(VIDEO, [hl.Segment(category="sponsor", start=0, end=5_000)])
        assert await say("!lyrics") == "Nothing is playing."
        assert await say("!play song") == "Playing Song."
        assert await say("!lyrics") == "la la la"
        assert await say("!play next") == "Queued Next."
        assert await say("!skip") == "Playing Next."
        assert await say("!lyrics") == "No lyrics found."
        assert await say("!sponsorblock") == "SponsorBlock on."
        player = lava.get_player(guild)
        assert player is not None
        assert player.sponsorblock.categories == ("sponsor", "selfpromo")
        mark = len(discord.messages)
        assert await say("!play video") == "Queued Video."
        await asyncio.gather(bot.wait_for(hl.TrackStartEvent, 10), fake.finish_track(guild))
        await discord.wait_until(
            lambda: any(
                m["content"] == "Skipped a sponsor segment." for m in discord.messages[mark:]
            )
        )
        assert await say("!sponsorblock") == "SponsorBlock off."
        assert player.sponsorblock.categories is None
