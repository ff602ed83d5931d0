"""The source plugins' sections of ``docs/plugins.md`` (``examples/plugin_snippets_sources.py``)
do what the page says, on a real hikari.GatewayBot against FakeDiscord and FakeLavalink
with the plugins."""

from __future__ import annotations

import pytest
from tests.bridge.conftest import open_world

import hikari_lavalink as hl
from examples import plugin_snippets_sources as snippets
from hikari_lavalink.testing import factories
from hikari_lavalink.testing.fake_lavalink.plugins.lavasearch import fake_lavasearch
from hikari_lavalink.testing.fake_lavalink.plugins.youtube import fake_youtube

ANIMALS = factories.make_lavasrc_track(
    title="Animals",
    identifier="0eG08c",
    album_name="For Those That Wish To Exist",
    album_url="https://open.spotify.com/album/7qem",
)
NEXT = factories.make_lavasrc_track(title="Impermanence", identifier="1a")
OPTIONS = {
    "plugins": {
        "lavasrc-plugin": "4.8.3",
        "lavasearch-plugin": "1.0.0",
        "youtube-plugin": "1.18.2",
    },
    "source_managers": ["youtube", "http", "spotify", "jiosaavn"],
    "catalogue": {
        "spsearch:animals": factories.make_search([ANIMALS]),
        "sprec:mix:track:0eG08c": factories.make_lavasrc_playlist(
            "Mix", [NEXT], type="recommendations"
        ),
    },
}


@pytest.mark.asyncio
async def test_lavasrc_section() -> None:
    async with open_world(lavalink_options=OPTIONS) as world:
        said = await snippets.album_of(world.lava, "animals")
        assert said == (
            "Animals is on For Those That Wish To Exist (https://open.spotify.com/album/7qem)"
        )
        assert await snippets.album_of(world.lava, "nothing at all") == "Nothing found."
        assert [t.info.title for t in await snippets.more_like(world.lava, ANIMALS)] == [
            "Impermanence"
        ]


@pytest.mark.asyncio
async def test_lavasearch_section() -> None:
    async with open_world(lavalink_options=OPTIONS) as world:
        album = factories.make_lavasrc_playlist("For Those That Wish To Exist", [ANIMALS])
        artist = factories.make_lavasrc_playlist("Architects's Top Tracks", type="artist")
        fake_lavasearch(world.lavalink).results["spsearch:archi"] = (
            factories.make_lavasearch_result(tracks=[ANIMALS], albums=[album], artists=[artist])
        )
        assert await snippets.suggest(world.lava, "archi") == [
            "For Those That Wish To Exist",
            "Architects's Top Tracks",
        ]
        assert await snippets.suggest(world.lava, "jssearch:archi") == []


@pytest.mark.asyncio
async def test_youtube_section() -> None:
    async with open_world(lavalink_options=OPTIONS) as world:
        fake_youtube(world.lavalink).access_tokens["1//refresh"] = {
            "access_token": "ya29.token",
            "expires_in": 3599,
        }
        guild = world.discord.guilds[0]
        player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
        song = factories.make_track(title="Song", source_name="youtube")
        mark = len(world.events)
        await snippets.play_with_oauth(world.lava, player, song, "1//refresh")
        start = await world.wait_event(hl.TrackStartEvent, after=mark)
        assert start.track.user_data["oauth-token"] == "ya29.token"
