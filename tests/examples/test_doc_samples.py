"""The docs' runnable samples, run as the pages write them, on the test kit.

`.ci/check_samples.py` type-checks every sample of the docs and the README; these run the
ones that are whole programs: the quickstart's bot (a real ``hikari.GatewayBot`` on
FakeDiscord, its node on FakeLavalink: only the token, the URLs and the port are the fakes')
and the testing page's complete test.
"""

from __future__ import annotations

import asyncio
import pathlib
import re
import typing

import hikari
import hikari.impl.shard
import pytest
from tests.examples.test_hikari_bot import message_create

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

REPO = pathlib.Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
SONG = factories.make_track(title="Song", length=600_000)
QUICKSTART_PASSWORD = "youshallnotpass"


def sample(page: str, containing: str) -> str:
    """The one Python block of `page` that contains `containing`."""
    blocks = [
        b for b in FENCE.findall((REPO / page).read_text(encoding="utf-8")) if containing in b
    ]
    assert len(blocks) == 1, f"{page}: {len(blocks)} blocks contain {containing!r}"
    return blocks[0]


def once(code: str, old: str, new: str) -> str:
    assert code.count(old) == 1, f"the sample no longer has {old!r} once"
    return code.replace(old, new)


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


def on_the_fake(monkeypatch: pytest.MonkeyPatch, discord: FakeDiscord) -> None:
    """`hikari.GatewayBot("TOKEN", ...)` makes a bot of the fake Discord (its token and URL)."""
    real = hikari.GatewayBot

    def bot(token: str, **kwargs: typing.Any) -> hikari.GatewayBot:
        assert token == "TOKEN"
        return real(discord.token, rest_url=discord.rest_url, banner=None, **kwargs)

    monkeypatch.setattr(hikari, "GatewayBot", bot)


def quickstart(fake: FakeLavalink) -> dict[str, typing.Any]:
    """The quickstart's bot, made (not run): its module namespace."""
    code = once(sample("docs/quickstart.md", "bot.run()"), "port=2333", f"port={fake.port}")
    assert "intents=intents" in code
    code = once(code, "\nbot.run()\n", "\n")
    namespace: dict[str, typing.Any] = {"__name__": "quickstart"}
    exec(compile(code, "docs/quickstart.md", "exec"), namespace)
    return namespace


@pytest.mark.asyncio
async def test_the_quickstart_bot_answers_play(monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[dict[str, typing.Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: errors.append(context))
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([SONG])}
    async with (
        FakeDiscord(shard_count=1) as discord,
        FakeLavalink(password=QUICKSTART_PASSWORD, catalogue=catalogue) as fake,
    ):
        on_the_fake(monkeypatch, discord)
        namespace = quickstart(fake)
        bot: hikari.GatewayBot = namespace["bot"]
        lava: hl.LavalinkClient = namespace["lava"]
        await bot.start(check_for_updates=False, shard_count=1)
        guild = discord.guilds[0]
        text, voice = guild.text_channel_ids[0], guild.voice_channel_ids[0]

        async def say(content: str) -> str:
            """The member says `content` in a text channel; the bot's answer."""
            mark = len(discord.messages)
            await discord.dispatch(
                0, "MESSAGE_CREATE", message_create(discord, guild.id, text, content)
            )
            await discord.wait_until(lambda: len(discord.messages) > mark)
            return discord.messages[mark]["content"]

        try:
            await lava.wait_ready(timeout=10)
            assert await say("!play song") == "Join a voice channel first."
            seen = asyncio.ensure_future(
                bot.wait_for(
                    hikari.VoiceStateUpdateEvent,
                    timeout=10,
                    predicate=lambda e: e.state.user_id == discord.member_id,
                )
            )
            await discord.put_member_in_voice(guild.id, voice, discord.member_id)
            await seen
            assert await say("!play nothing at all") == "Nothing found for 'nothing at all'."
            assert lava.get_player(guild.id) is None  # nothing found: no channel joined
            started = asyncio.ensure_future(bot.wait_for(hl.TrackStartEvent, timeout=10))
            assert await say("!play song") == "Queued Song."
            event = await started
            assert (event.guild_id, event.track.info.title) == (guild.id, "Song")
            player = lava.get_player(guild.id)
            assert player is not None
            assert player.channel_id == voice
            assert hl.requester_of(event.track) == discord.member_id
        finally:
            await bot.close()
    assert errors == []


@pytest.mark.asyncio
async def test_without_message_content_the_quickstart_would_read_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Why the quickstart asks for MESSAGE_CONTENT: without it a guild message reaches the bot
    # empty (Discord's rule, and the fake's), so "!play" is never seen.
    async with (
        FakeDiscord(shard_count=1) as discord,
        FakeLavalink(password=QUICKSTART_PASSWORD) as fake,
    ):
        on_the_fake(monkeypatch, discord)
        code = once(
            sample("docs/quickstart.md", "bot.run()"),
            "intents = hikari.Intents.ALL_UNPRIVILEGED | hikari.Intents.MESSAGE_CONTENT",
            "intents = hikari.Intents.ALL_UNPRIVILEGED",
        )
        code = once(once(code, "port=2333", f"port={fake.port}"), "\nbot.run()\n", "\n")
        namespace: dict[str, typing.Any] = {"__name__": "quickstart"}
        exec(compile(code, "docs/quickstart.md", "exec"), namespace)
        bot: hikari.GatewayBot = namespace["bot"]
        await bot.start(check_for_updates=False, shard_count=1)
        try:
            guild = discord.guilds[0]
            message = message_create(discord, guild.id, guild.text_channel_ids[0], "!play song")
            got = asyncio.ensure_future(bot.wait_for(hikari.GuildMessageCreateEvent, timeout=10))
            await discord.dispatch(0, "MESSAGE_CREATE", message)
            assert not (await got).content
        finally:
            await bot.close()


@pytest.mark.asyncio
async def test_the_testing_pages_complete_test_passes() -> None:
    code = sample("docs/testing.md", "async def test_bot_rejoins_after_a_shard_death")
    namespace: dict[str, typing.Any] = {"__name__": "testing_page"}
    exec(compile(code, "docs/testing.md", "exec"), namespace)
    await namespace["test_bot_rejoins_after_a_shard_death"]()
