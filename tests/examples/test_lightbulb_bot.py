"""The slash-command example bot's /lyrics and /sponsorblock, end to end: a real GatewayBot
and lightbulb client on FakeDiscord's interactions, on a FakeLavalink with (and without)
LavaLyrics and the SponsorBlock plugin."""

from __future__ import annotations

import asyncio
import contextlib
import typing

import pytest
from tests.examples.bot_world import BotOnFakes, fakes, started

import hikari_lavalink as hl
from examples import lightbulb_bot
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "lightbulb-bot-password"
SONG = factories.make_track(title="Song", author="Band", length=600_000)
LONG = factories.make_track(title="Long", author="Band", length=600_000)
QUIET = factories.make_track(title="Quiet", author="Band", length=600_000)
SUNG = factories.make_track(title="Sung", author="Band", length=600_000)
VIDEO = factories.make_track(
    title="Video", author="Band", length=600_000, source_name="youtube", identifier="video1"
)
CATALOGUE: dict[str, hl.LoadResult] = {
    f"ytsearch:{track.info.title.lower()}": factories.make_search([track])
    for track in (SONG, LONG, QUIET, SUNG, VIDEO)
}
PLUGINS = {"lavalyrics-plugin": "1.1.0", "sponsorblock-plugin": "3.0.0"}
NOT_IN_VOICE = "I am not in a voice channel: use /join or /play first."
NO_LAVALYRICS = "No lyrics here: the Lavalink node has no LavaLyrics plugin."
NO_SPONSORBLOCK = "No SponsorBlock here: the Lavalink node has no SponsorBlock plugin."
SPONSORBLOCK_ON = "SponsorBlock on: I skip the sponsor and selfpromo segments of YouTube videos."


def _option(name: str, value: str | int | bool) -> dict[str, typing.Any]:
    kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
    return {"name": name, "type": kind, "value": value}


class Running(BotOnFakes):
    """The example bot on the fakes, and its slash commands."""

    async def slash(self, name: str, **options: str | int | bool) -> str:
        """The member runs ``/name``; the bot's answer (its interaction's message)."""
        discord = self.discord
        mark = len(discord.messages)

        def answer() -> str | None:
            # An interaction's answer is a webhook message (a channel message is not).
            return next((m["content"] for m in discord.messages[mark:] if "webhook_id" in m), None)

        opts = [_option(k, v) for k, v in options.items()]
        await discord.dispatch_interaction(self.guild, self.text, name, opts)
        await discord.wait_until(lambda: answer() is not None, timeout=10)
        return answer() or ""

    def announced(self, mark: int) -> list[str]:
        """What the bot posted in channels (not as answers) after ``mark`` messages."""
        messages = self.discord.messages[mark:]
        return [m["content"] for m in messages if "webhook_id" not in m]

    def player(self) -> hl.Player:
        player = self.lava.get_player(self.guild)
        assert player is not None
        return player

    def session(self) -> str:
        session_id = self.player().node.session_id
        assert session_id is not None
        return session_id


@contextlib.asynccontextmanager
async def running(
    monkeypatch: pytest.MonkeyPatch, **fake_options: typing.Any
) -> collections.abc.AsyncGenerator[Running, None]:
    """The example bot on the fakes (``fake_options``: more ``FakeLavalink`` arguments), its
    slash commands synced."""
    fake_options = {"password": PASSWORD, "catalogue": CATALOGUE, **fake_options}
    async with fakes(monkeypatch, **fake_options) as (discord, fake):
        node = {"name": "main", "host": fake.host, "port": fake.port, "password": PASSWORD}
        bot, _client, lava = lightbulb_bot.create_bot(
            discord.token, rest_url=discord.rest_url, nodes=[node], environ={}
        )
        async with started(discord, bot, lava) as guild:
            # bot.start awaited the StartedEvent listeners: lightbulb synced the commands.
            assert sorted(c["name"] for c in discord.commands) == sorted(lightbulb_bot.COMMANDS)
            yield Running(discord, fake, bot, lava, guild.id, guild.text_channel_ids[0])


@pytest.mark.asyncio
async def test_lyrics_of_the_track_playing(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(monkeypatch, plugins=PLUGINS) as run:
        fake, slash = run.fake, run.slash
        fake.set_lyrics(SONG, hl.Lyrics(source_name="deezer", text="la la la"))
        fake.set_lyrics(LONG, hl.Lyrics(source_name="deezer", text="la " * 1000))
        fake.set_lyrics(QUIET, None)
        assert await slash("lyrics") == NOT_IN_VOICE
        assert (await slash("join")).startswith("Joined <#")
        assert await slash("lyrics") == "Nothing is playing."
        assert (await slash("play", query="song")).startswith("Now playing **Song**")
        assert await slash("lyrics") == "la la la"
        assert (await slash("play", query="long")).startswith("Queued **Long**")
        assert (await slash("skip")).startswith("Skipped. Now playing **Long**")
        cut = await slash("lyrics")  # 3000 characters: cut to Discord's 2000
        assert len(cut) == 2000
        assert cut == ("la " * 1000)[:1999] + "\u2026"
        assert (await slash("play", query="quiet")).startswith("Queued **Quiet**")
        assert (await slash("skip")).startswith("Skipped. Now playing **Quiet**")
        assert await slash("lyrics") == "No lyrics found."
        # The node answers with an error: said, and the bot carries on.
        path = f"/v4/sessions/{run.session()}/players/{run.guild}/track/lyrics"
        fake.fail_rest(500, count=3, path_prefix=path)
        assert await slash("lyrics") == "Could not get the lyrics right now; try again in a moment."
        fake.clear_failures()
        assert await slash("lyrics") == "No lyrics found."
        # The node is down (a UsageError, as when it lacks the plugin, but it does not).
        await asyncio.gather(run.bot.wait_for(hl.NodeDisconnectedEvent, 10), fake.kill())
        assert await slash("lyrics") == "Could not get the lyrics right now; try again in a moment."


@pytest.mark.asyncio
async def test_live_lyrics_post_each_line_as_it_plays(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        hl.LyricsLine(timestamp=200, line="first line"),
        hl.LyricsLine(timestamp=400, line=""),  # an instrumental gap: not posted
        hl.LyricsLine(timestamp=600, line="last line"),
    ]
    async with running(monkeypatch, plugins=PLUGINS) as run:
        discord, fake, bot, slash = run.discord, run.fake, run.bot, run.slash
        fake.set_lyrics(SUNG, hl.Lyrics(source_name="spotify", lines=lines))
        assert (await slash("join")).startswith("Joined <#")
        answer = await slash("lyrics", live=True)
        assert answer == "Live lyrics on: I post each line here as it plays."
        assert run.player().lyrics.subscribed
        assert fake.lyrics_subscriptions(run.session()) == {run.guild: False}
        mark = len(discord.messages)
        last, _ = await asyncio.gather(
            bot.wait_for(hl.LyricsLineEvent, 10, lambda e: e.line_index == len(lines) - 1),
            slash("play", query="sung"),
        )
        assert not last.skipped
        await discord.wait_until(lambda: "last line" in run.announced(mark))
        assert run.announced(mark) == ["first line", "last line"]
        assert await slash("lyrics", live=False) == "Live lyrics off."
        assert not run.player().lyrics.subscribed
        assert fake.lyrics_subscriptions(run.session()) == {}


@pytest.mark.asyncio
async def test_sponsorblock_toggles(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(monkeypatch, plugins=PLUGINS) as run:
        discord, fake, bot, slash = run.discord, run.fake, run.bot, run.slash
        fake.set_segments(VIDEO, [hl.Segment(category="sponsor", start=0, end=5_000)])
        assert await slash("sponsorblock") == NOT_IN_VOICE
        assert (await slash("join")).startswith("Joined <#")
        player = run.player()
        assert await slash("sponsorblock") == SPONSORBLOCK_ON
        assert player.sponsorblock.categories == ("sponsor", "selfpromo")
        assert fake.skip_categories(run.session()) == {run.guild: ["sponsor", "selfpromo"]}
        mark = len(discord.messages)
        skipped, _ = await asyncio.gather(
            bot.wait_for(hl.SegmentSkippedEvent, 10),
            slash("play", query="video"),
        )
        assert skipped.segment.category == "sponsor"
        await discord.wait_until(lambda: run.announced(mark))
        assert run.announced(mark) == ["Skipped a sponsor segment."]
        assert await slash("sponsorblock") == "SponsorBlock off."
        assert player.sponsorblock.categories is None
        assert fake.skip_categories(run.session()) == {}


@pytest.mark.asyncio
async def test_a_node_without_the_plugins_is_said_so(monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(monkeypatch) as run:
        fake, slash = run.fake, run.slash
        assert (await slash("play", query="song")).startswith("Now playing **Song**")
        mark = len(fake.requests)
        assert await slash("lyrics") == NO_LAVALYRICS
        assert await slash("lyrics", live=True) == NO_LAVALYRICS
        assert await slash("sponsorblock") == NO_SPONSORBLOCK
        assert await slash("sponsorblock") == NO_SPONSORBLOCK  # still off: nothing was kept
        player = run.player()
        assert player.sponsorblock.categories is None
        assert not player.lyrics.subscribed
        assert not fake.requests[mark:]  # refused before any request
        assert await slash("pause") == "Paused."  # and the bot carries on


@pytest.mark.asyncio
async def test_a_lavalyrics_without_live_lyrics_is_said_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with running(monkeypatch, plugins={"lavalyrics-plugin": "1.0.0"}) as run:
        run.fake.set_lyrics(SONG, hl.Lyrics(source_name="deezer", text="la la la"))
        assert (await run.slash("play", query="song")).startswith("Now playing **Song**")
        assert await run.slash("lyrics", live=True) == (
            "No live lyrics here: the node's LavaLyrics plugin is too old for them."
        )
        assert not run.player().lyrics.subscribed
        assert await run.slash("lyrics") == "la la la"  # lyrics, still
