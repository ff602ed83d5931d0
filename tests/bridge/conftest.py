"""A real hikari.GatewayBot (2 shards) against FakeDiscord, with FakeLavalink nodes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import typing

import hikari
import hikari.impl.shard
import pytest
import pytest_asyncio

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, FakeNodeLink, factories

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "bridge-test-password"
SONG = factories.make_track(title="Song", length=600_000)
CATALOGUE: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([SONG])}


@dataclasses.dataclass
class World:
    """Everything an end-to-end test touches.

    ``events`` holds every Lavalink event, shard connect and disconnect and voice state
    update, in order; the waits check their condition again at each one, and never poll.
    """

    discord: FakeDiscord
    lavalink: FakeLavalink
    bot: hikari.GatewayBot
    lava: hl.LavalinkClient
    events: list[hikari.Event]
    loop_errors: list[dict[str, typing.Any]]
    changed: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)

    def record(self, event: hikari.Event) -> None:
        self.events.append(event)
        self.changed.set()

    async def wait_until(
        self, condition: collections.abc.Callable[[], bool], timeout: float = 10.0
    ) -> None:
        """Wait until ``condition()`` holds, checking it again at every recorded event."""
        async with asyncio.timeout(timeout):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    async def wait_event(
        self,
        kind: type[hikari.Event],
        predicate: collections.abc.Callable[[typing.Any], bool] = lambda _: True,
        timeout: float = 10.0,
        *,
        after: int = 0,
    ) -> typing.Any:
        """The first recorded ``kind`` event (from ``events[after]`` on) that matches."""

        def first() -> typing.Any:
            matches = (e for e in self.events[after:] if isinstance(e, kind) and predicate(e))
            return next(matches, None)

        await self.wait_until(lambda: first() is not None, timeout)
        return first()

    def of(self, kind: type[hikari.Event]) -> list[typing.Any]:
        return [e for e in self.events if isinstance(e, kind)]


SERVERS: dict[str, type[FakeLavalink]] = {"lavalink": FakeLavalink, "nodelink": FakeNodeLink}
"""The servers a test marked ``@pytest.mark.usefixtures("both_servers")`` runs on."""
_SERVER: dict[str, type[FakeLavalink]] = {"class": FakeLavalink}


@pytest.fixture(params=list(SERVERS))
def both_servers(request: pytest.FixtureRequest) -> collections.abc.Iterator[type[FakeLavalink]]:
    """Run the test once on Lavalink and once on NodeLink: the worlds it opens (``world``,
    ``open_world``) run that server's fake."""
    _SERVER["class"] = server = SERVERS[request.param]
    try:
        yield server
    finally:
        _SERVER["class"] = FakeLavalink


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


@pytest.fixture
def heartbeat_interval() -> float:
    """FakeDiscord's heartbeat interval (seconds): a test of unanswered heartbeats lowers it."""
    return 1.0


ClientFactory: typing.TypeAlias = (
    "collections.abc.Callable[[hikari.GatewayBot, FakeLavalink], hl.LavalinkClient]"
)
"""``make_client(bot, lavalink) -> client``: the Lavalink client a world's bot runs, its nodes
added (on ``lavalink``)."""


def default_client(bot: hikari.GatewayBot, lavalink: FakeLavalink) -> hl.LavalinkClient:
    """The client of the ``world`` fixture, with the shortest timeouts the tests allow: a
    resume window of 1 s (Lavalink counts whole seconds), a rejoin or a node loss given up
    after 1 s and 0.1 s, reconnects within 0.1 s."""
    lava = hl.LavalinkClient(bot, voice_timeout=3.0, rejoin_timeout=1.0, node_loss_grace=0.1)
    lava.add_node(
        name="main",
        host=lavalink.host,
        port=lavalink.port,
        password=PASSWORD,
        reconnect_base=0.02,
        reconnect_cap=0.1,
        resume_timeout=1,
    )
    return lava


async def start_world(
    discord: FakeDiscord,
    lavalink: FakeLavalink,
    make_client: ClientFactory = default_client,
    loop_errors: list[dict[str, typing.Any]] | None = None,
) -> World:
    """Start a bot on ``discord`` with the client ``make_client`` builds, recording its
    events, once a node is ready (close it with ``world.bot.close()``)."""
    bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
    lava = make_client(bot, lavalink)
    state = World(discord, lavalink, bot, lava, [], [] if loop_errors is None else loop_errors)

    async def record(event: hikari.Event) -> None:
        state.record(event)

    for kind in (
        hl.LavalinkEvent,
        hikari.ShardConnectedEvent,
        hikari.ShardDisconnectedEvent,
        hikari.VoiceStateUpdateEvent,
    ):
        bot.subscribe(kind, record)
    await bot.start(check_for_updates=False, shard_count=discord.shard_count)
    await lava.wait_ready(timeout=5)
    return state


@contextlib.contextmanager
def caught_loop_errors() -> collections.abc.Generator[list[dict[str, typing.Any]], None, None]:
    """What the running event loop reports meanwhile (a task's error nobody awaited...), as
    a list; fails on exit if it reported anything."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, typing.Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: errors.append(context))
    try:
        yield errors
    finally:
        loop.set_exception_handler(previous)
    assert not errors, errors


@contextlib.asynccontextmanager
async def open_world(
    make_client: ClientFactory = default_client,
    *,
    heartbeat_interval: float = 1.0,
    lavalink_options: collections.abc.Mapping[str, typing.Any] | None = None,
    server: type[FakeLavalink] | None = None,
) -> collections.abc.AsyncGenerator[World, None]:
    """A started world on new fakes (2 shards); closed on exit, which fails if the event
    loop reported an error meanwhile. ``lavalink_options``: more ``FakeLavalink``
    arguments (``plugins=...``). The node is a ``FakeLavalink``, or the server
    ``both_servers`` is at, or ``server`` (``FakeNodeLink``)."""
    options: dict[str, typing.Any] = {
        "password": PASSWORD,
        "catalogue": CATALOGUE,
        "player_update_interval": 0.5,
        **(lavalink_options or {}),
    }
    with caught_loop_errors() as loop_errors:
        async with (
            FakeDiscord(shard_count=2, heartbeat_interval=heartbeat_interval) as discord,
            (server or _SERVER["class"])(**options) as lavalink,
        ):
            state = await start_world(discord, lavalink, make_client, loop_errors)
            try:
                yield state
            finally:
                if state.bot.is_alive:
                    await state.bot.close()


@pytest_asyncio.fixture
async def world(
    heartbeat_interval: float, request: pytest.FixtureRequest
) -> collections.abc.AsyncIterator[World]:
    if "both_servers" in request.fixturenames:
        request.getfixturevalue("both_servers")  # before the world: it picks the server
    async with open_world(heartbeat_interval=heartbeat_interval) as state:
        yield state
