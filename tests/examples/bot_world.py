"""The fakes an example bot runs on in its tests: one shard's FakeDiscord and a FakeLavalink,
the bot started on them, its member in a voice channel."""

from __future__ import annotations

import asyncio
import contextlib
import typing

import hikari
import hikari.impl.shard

from hikari_lavalink.testing import FakeDiscord, FakeLavalink

if typing.TYPE_CHECKING:
    import collections.abc

    import pytest

    import hikari_lavalink as hl
    from hikari_lavalink.testing import FakeGuild

__all__ = ["BotOnFakes", "fakes", "started"]


class BotOnFakes(typing.NamedTuple):
    """An example bot, running on the fakes, the fakes' member in a voice channel (a test
    adds its way of talking to the bot in a subclass)."""

    discord: FakeDiscord
    fake: FakeLavalink
    bot: hikari.GatewayBot
    lava: hl.LavalinkClient
    guild: int
    text: int
    """The text channel the member runs commands in."""


@contextlib.asynccontextmanager
async def fakes(
    monkeypatch: pytest.MonkeyPatch, **fake_options: typing.Any
) -> collections.abc.AsyncGenerator[tuple[FakeDiscord, FakeLavalink], None]:
    """A FakeDiscord of one shard and a FakeLavalink (``fake_options``: its arguments); no
    error reported by the event loop meanwhile."""
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)
    errors: list[dict[str, typing.Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: errors.append(context))
    async with FakeDiscord(shard_count=1) as discord, FakeLavalink(**fake_options) as fake:
        yield discord, fake
    assert not errors


@contextlib.asynccontextmanager
async def started(
    discord: FakeDiscord, bot: hikari.GatewayBot, lava: hl.LavalinkClient
) -> collections.abc.AsyncGenerator[FakeGuild, None]:
    """The bot started (its node ready) and the fake's member in a voice channel of the
    guild given; the bot closed at the end."""
    await bot.start(check_for_updates=False, shard_count=1)
    guild = discord.guilds[0]
    try:
        await lava.wait_ready(timeout=10)
        await asyncio.gather(
            bot.wait_for(hikari.VoiceStateUpdateEvent, 10),
            discord.put_member_in_voice(guild.id, guild.voice_channel_ids[0]),
        )
        yield guild
    finally:
        await bot.close()
