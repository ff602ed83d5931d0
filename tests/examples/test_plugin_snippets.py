"""The plugins page's code (``examples/plugin_snippets.py``) does what the page says, on a
real hikari.GatewayBot against FakeDiscord and FakeLavalink running LavaLyrics and the
SponsorBlock plugin (and a node without them); and every section of it is on the page."""

from __future__ import annotations

import typing

import hikari
import hikari.impl.shard
import pytest
from tests.bridge.conftest import World, open_world
from tests.examples.test_music_snippets import REPO, sections, snippet_references
from tests.plugins.plugin_world import (
    SPOKEN,
    SPONSOR,
    SUNG,
    TIMED,
    VIDEO,
    joined,
    plugin_world,
)

from examples import plugin_snippets as snippets
from hikari_lavalink.testing import FakeNodeLink, factories

if typing.TYPE_CHECKING:
    import collections.abc

    import hikari_lavalink as hl

FILE = "examples/plugin_snippets.py"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


async def text_channel(world: World, player: hl.Player) -> int:
    guild = next(g for g in world.discord.guilds if g.id == player.guild_id)
    return guild.text_channel_ids[0]


async def said(world: World, channel: int, check: collections.abc.Callable[[str], bool]) -> None:
    await world.discord.wait_until(
        lambda: any(
            m["channel_id"] == str(channel) and check(m["content"]) for m in world.discord.messages
        )
    )


@pytest.mark.asyncio
async def test_lyrics_of_the_track_playing_and_of_any_song() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        assert await snippets.lyrics_of(player) == "Nothing is playing."
        await player.play(SUNG)
        assert await snippets.lyrics_of(player) == "one\ntwo\nthree\n-# LyricFind"
        await player.play(VIDEO)
        assert await snippets.lyrics_of(player) == "No lyrics found for **Video**."
        world.lavalink.catalogue["ytsearch:sung"] = factories.make_search([SUNG])
        world.lavalink.catalogue["ytsearch:spoken"] = factories.make_search([SPOKEN])
        assert await snippets.lyrics_of_search(world.lava, "sung") == TIMED.plain
        assert await snippets.lyrics_of_search(world.lava, "spoken") == "just words"
        assert await snippets.lyrics_of_search(world.lava, "nothing") == "Nothing found."


@pytest.mark.asyncio
async def test_lyrics_without_the_plugin_say_so() -> None:
    async with open_world() as world:
        player = await joined(world)
        await player.play(SUNG)
        assert await snippets.lyrics_of(player) == (
            "Lyrics need the LavaLyrics plugin on the Lavalink node."
        )
        assert await snippets.toggle_sponsorblock(player) == (
            "SponsorBlock needs its plugin on the Lavalink node."
        )


@pytest.mark.asyncio
async def test_karaoke_posts_each_line_as_it_is_sung() -> None:
    async with plugin_world() as world:
        snippets.follow_lyrics(world.bot)
        player = await joined(world)
        channel = await text_channel(world, player)
        assert await snippets.karaoke(player, channel) == "Karaoke on."
        await player.play(SUNG)
        await said(world, channel, lambda text: text == "Lyrics from LyricFind")
        for line in ("one", "two", "three"):
            await said(world, channel, lambda text, line=line: text == f"♪ {line}")
        await player.play(SPOKEN)
        await said(world, channel, lambda text: text == "No timed lyrics for this one.")
        assert await snippets.karaoke(player, channel) == "Karaoke off."
        assert not player.lyrics.subscribed


@pytest.mark.asyncio
async def test_karaoke_on_a_lavalyrics_without_live_lyrics() -> None:
    async with plugin_world(plugins={"lavalyrics-plugin": "1.0.0"}) as world:
        player = await joined(world)
        assert await snippets.karaoke(player, 1) == (
            "The Lavalink node's LavaLyrics is too old for live lyrics."
        )


@pytest.mark.asyncio
async def test_sponsorblock_toggles_and_announces_its_skips() -> None:
    async with plugin_world() as world:
        snippets.announce_skips(world.bot)
        player = await joined(world)
        channel = await text_channel(world, player)
        player.data["text_channel"] = channel
        assert await snippets.toggle_sponsorblock(player) == (
            "SponsorBlock on, from the next track."
        )
        assert player.sponsorblock.categories == ("sponsor", "selfpromo", "interaction")
        await player.play(VIDEO)
        await said(world, channel, lambda text: text == "Chapter: **Start**")
        seconds = (SPONSOR.end - SPONSOR.start) // 1000
        await said(world, channel, lambda text: text == f"Skipped {seconds} s of sponsor.")
        assert await snippets.toggle_sponsorblock(player) == "SponsorBlock off."
        assert await player.sponsorblock.fetch_categories() == []


@pytest.mark.asyncio
async def test_the_same_snippets_work_on_nodelink() -> None:
    # NodeLink has lyrics, live lyrics and SponsorBlock built in (no chapter events: its
    # chapters come from /v4/loadchapters).
    async with plugin_world(server=FakeNodeLink) as world:
        snippets.follow_lyrics(world.bot)
        snippets.announce_skips(world.bot)
        player = await joined(world)
        channel = await text_channel(world, player)
        player.data["text_channel"] = channel
        assert await snippets.chapters_of(world.lava, player) == "Nothing is playing."
        await player.play(SUNG)
        assert await snippets.lyrics_of(player) == "one\ntwo\nthree\n-# deezer"
        assert await snippets.karaoke(player, channel) == "Karaoke on."
        for line in ("one", "two", "three"):
            await said(world, channel, lambda text, line=line: text == f"♪ {line}")
        assert await snippets.karaoke(player, channel) == "Karaoke off."
        assert await snippets.chapters_of(world.lava, player) == "No chapters."
        assert await snippets.toggle_sponsorblock(player) == (
            "SponsorBlock on, from the next track."
        )
        await player.play(VIDEO)
        seconds = (SPONSOR.end - SPONSOR.start) // 1000
        await said(world, channel, lambda text: text == f"Skipped {seconds} s of sponsor.")
        assert await snippets.chapters_of(world.lava, player) == (
            "0:00 Start\n0:10 Middle\n0:50 End"
        )
        assert await snippets.toggle_sponsorblock(player) == "SponsorBlock off."
    async with plugin_world() as world:
        player = await joined(world)
        await player.play(VIDEO)
        assert await snippets.chapters_of(world.lava, player) == "Chapters need a NodeLink node."


def test_every_section_of_the_snippets_is_on_the_plugins_page() -> None:
    shown = {
        t.partition(":")[2]
        for page, t in snippet_references()
        if t.startswith(f"{FILE}:") and page.name == "plugins.md"
    }
    assert sections((REPO / FILE).read_text(encoding="utf-8")) == shown
