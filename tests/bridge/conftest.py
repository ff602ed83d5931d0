"""A real hikari.GatewayBot (2 shards) against FakeDiscord, with FakeLavalink nodes."""

from __future__ import annotations

import asyncio
import dataclasses
import typing

import hikari
import hikari.impl.shard
import pytest
import pytest_asyncio

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "bridge-test-password"
SONG = factories.make_track(title="Song", length=600_000)
CATALOGUE: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([SONG])}


@dataclasses.dataclass
class World:
    """Everything an end-to-end test touches."""

    discord: FakeDiscord
    lavalink: FakeLavalink
    bot: hikari.GatewayBot
    lava: hl.LavalinkClient
    events: list[hikari.Event]
    loop_errors: list[dict[str, typing.Any]]

    async def wait_event(
        self,
        kind: type[hikari.Event],
        predicate: collections.abc.Callable[[typing.Any], bool] = lambda _: True,
        timeout: float = 10.0,
    ) -> typing.Any:
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events:
                    if isinstance(event, kind) and predicate(event):
                        return event
                await asyncio.sleep(0.01)

    def of(self, kind: type[hikari.Event]) -> list[typing.Any]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


@pytest_asyncio.fixture
async def world() -> collections.abc.AsyncIterator[World]:
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, typing.Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: loop_errors.append(context))
    async with (
        FakeDiscord(shard_count=2, heartbeat_interval=1.0) as discord,
        FakeLavalink(
            password=PASSWORD, catalogue=CATALOGUE, player_update_interval=0.5
        ) as lavalink,
    ):
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        lava = hl.LavalinkClient(bot, voice_timeout=3.0, rejoin_timeout=3.0, node_loss_grace=0.5)
        lava.add_node(
            name="main",
            host=lavalink.host,
            port=lavalink.port,
            password=PASSWORD,
            reconnect_base=0.05,
            reconnect_cap=0.3,
            resume_timeout=2,
        )
        events: list[hikari.Event] = []

        async def record(event: hl.LavalinkEvent) -> None:
            events.append(event)

        bot.subscribe(hl.LavalinkEvent, record)
        await bot.start(check_for_updates=False, shard_count=2)
        await lava.wait_ready(timeout=5)
        state = World(discord, lavalink, bot, lava, events, loop_errors)
        try:
            yield state
        finally:
            if bot.is_alive:
                await bot.close()
            loop.set_exception_handler(previous)
    assert not loop_errors, loop_errors
