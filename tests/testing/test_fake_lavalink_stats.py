"""FakeLavalink.set_stats: the figures the node reports, over the WebSocket and REST."""

from __future__ import annotations

import asyncio
import json
import typing

import aiohttp
import pytest
import pytest_asyncio

import hikari_lavalink as hl
from hikari_lavalink._typing import override
from hikari_lavalink.nodes import create_node
from hikari_lavalink.runtime.node import Node, NodeListener
from hikari_lavalink.testing import FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

JSON: typing.TypeAlias = dict[str, typing.Any]
PASSWORD = "pw"
HEADERS = {"Authorization": PASSWORD, "User-Id": "1", "Client-Name": "test/1"}
SONG = factories.make_track(title="Song", length=180_000)
VOICE = {"token": "t", "endpoint": "e:443", "sessionId": "s", "channelId": "9"}
MEMORY = hl.Memory(free=1_000, used=3_000, allocated=4_000, reservable=8_000)
FRAMES = hl.FrameStats(sent=2_900, nulled=60, deficit=40)


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    async with FakeLavalink(password=PASSWORD) as server:
        yield server


@pytest_asyncio.fixture
async def http() -> collections.abc.AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": PASSWORD}) as session:
        yield session


async def connect(
    http: aiohttp.ClientSession, fake: FakeLavalink
) -> tuple[aiohttp.ClientWebSocketResponse, str]:
    ws = await http.ws_connect(fake.ws_url, headers=HEADERS)
    ready = json.loads((await ws.receive()).data)
    assert json.loads((await ws.receive()).data)["op"] == "stats"  # the first, on connect
    return ws, ready["sessionId"]


async def next_stats(ws: aiohttp.ClientWebSocketResponse) -> JSON:
    async with asyncio.timeout(3):
        while True:
            frame = json.loads((await ws.receive()).data)
            if frame["op"] == "stats":
                return frame


async def rest_stats(http: aiohttp.ClientSession, fake: FakeLavalink) -> JSON:
    async with http.get(fake.url + "/v4/stats") as response:
        assert response.status == 200
        return await response.json()


@pytest.mark.asyncio
async def test_the_figures_set_are_reported_over_rest_and_the_websocket(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    ws, session_id = await connect(http, fake)
    fake.set_stats(
        players=12,
        playing_players=9,
        uptime=86_400_000,
        cores=16,
        system_load=0.95,
        lavalink_load=0.5,
        memory=MEMORY,
        frame_stats=FRAMES,
    )
    expected = {
        "players": 12,
        "playingPlayers": 9,
        "uptime": 86_400_000,
        "memory": {"free": 1_000, "used": 3_000, "allocated": 4_000, "reservable": 8_000},
        "cpu": {"cores": 16, "systemLoad": 0.95, "lavalinkLoad": 0.5},
    }
    assert await rest_stats(http, fake) == expected  # no frameStats key over REST
    await fake.send_stats(session_id)
    # This session plays nothing: frameStats stays null, as Lavalink sends it.
    assert await next_stats(ws) == {"op": "stats", **expected, "frameStats": None}
    url = f"{fake.url}/v4/sessions/{session_id}/players/5"
    async with http.patch(url, json={"voice": VOICE, "track": {"encoded": SONG.encoded}}) as r:
        assert r.status == 200
    await fake.send_stats()
    frame = await next_stats(ws)
    assert frame["frameStats"] == {"sent": 2_900, "nulled": 60, "deficit": 40}
    assert frame["players"] == 12  # the figure set, not the one player
    async with http.patch(url, json={"paused": True}) as r:
        assert r.status == 200
    await fake.send_stats()
    assert (await next_stats(ws))["frameStats"] is None  # paused: not a playing player
    await ws.close()


@pytest.mark.asyncio
async def test_figures_not_set_stay_the_nodes_own_until_reset(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    ws, session_id = await connect(http, fake)
    own = await rest_stats(http, fake)
    fake.set_stats(system_load=0.7)
    fake.set_stats(lavalink_load=0.2)  # a second call keeps the first one's figures
    url = f"{fake.url}/v4/sessions/{session_id}/players/5"
    async with http.patch(url, json={"voice": VOICE, "track": {"encoded": SONG.encoded}}) as r:
        assert r.status == 200
    stats = await rest_stats(http, fake)
    assert stats["cpu"] == {"cores": own["cpu"]["cores"], "systemLoad": 0.7, "lavalinkLoad": 0.2}
    assert (stats["players"], stats["playingPlayers"]) == (1, 1)  # counted live
    assert stats["memory"] == own["memory"]
    fake.set_stats(frame_stats=FRAMES, playing_players=0)
    await fake.send_stats(session_id)
    frame = await next_stats(ws)
    assert (frame["players"], frame["playingPlayers"]) == (1, 0)
    assert frame["frameStats"] == {"sent": 2_900, "nulled": 60, "deficit": 40}
    fake.set_stats(frame_stats=None)  # None: back to null
    await fake.send_stats(session_id)
    assert (await next_stats(ws))["frameStats"] is None
    fake.reset_stats()
    stats = await rest_stats(http, fake)
    assert (stats["cpu"], stats["playingPlayers"]) == (own["cpu"], 1)
    await ws.close()


@pytest.mark.asyncio
async def test_the_periodic_stats_carry_the_figures_set(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    fake.stats_interval = 0.05
    ws, _ = await connect(http, fake)
    fake.set_stats(cores=64)
    async with asyncio.timeout(3):
        while (await next_stats(ws))["cpu"]["cores"] != 64:
            pass
    await ws.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "figures",
    [
        {"system_load": 1.5},
        {"lavalink_load": -0.1},
        {"system_load": float("nan")},
        {"players": -1},
        {"cores": 0},
        {"uptime": -5},
        {"players": 2, "playing_players": 3},
        {"memory": hl.Memory(free=1, used=1, allocated=5, reservable=8)},
        {"memory": hl.Memory(free=-1, used=6, allocated=5, reservable=8)},
        {"frame_stats": hl.FrameStats(sent=-1, nulled=0, deficit=3_001)},
    ],
)
async def test_a_figure_lavalink_cannot_report_is_refused(
    fake: FakeLavalink, http: aiohttp.ClientSession, figures: dict[str, typing.Any]
) -> None:
    fake.set_stats(uptime=1_000)  # a figure that holds still, to compare
    before = await rest_stats(http, fake)
    with_a_good_one: dict[str, typing.Any] = {"cores": 3, **figures}
    with pytest.raises(ValueError, match=r"must|never|cannot"):
        fake.set_stats(**with_a_good_one)
    assert await rest_stats(http, fake) == before  # nothing changed, not even a good figure


@pytest.mark.asyncio
async def test_playing_players_above_players_is_refused_across_calls(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    fake.set_stats(players=2)
    with pytest.raises(ValueError, match="cannot exceed"):
        fake.set_stats(playing_players=3)
    fake.set_stats(players=5, playing_players=3)
    stats = await rest_stats(http, fake)
    assert (stats["players"], stats["playingPlayers"]) == (5, 3)


class StatsListener(NodeListener):
    """Keeps every stats message the node reports."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[hl.Stats] = asyncio.Queue()

    @override
    def stats(self, node: Node, stats: hl.Stats) -> None:
        self.received.put_nowait(stats)


@pytest.mark.asyncio
async def test_the_librarys_node_sees_the_figures(fake: FakeLavalink) -> None:
    listener = StatsListener()
    node = create_node(
        name="main",
        host=fake.host,
        port=fake.port,
        password=PASSWORD,
        user_id=1,
        listener=listener,
    )
    await node.start()
    try:
        await node.wait_ready(timeout=5)
        await listener.received.get()  # the first stats, on connect
        fake.set_stats(players=40, playing_players=30, system_load=0.9, cores=8)
        await fake.send_stats()
        async with asyncio.timeout(5):
            stats = await listener.received.get()
        assert (stats.players, stats.playing_players) == (40, 30)
        assert (stats.cpu.cores, stats.cpu.system_load) == (8, 0.9)
        assert stats.frame_stats is None
        assert node.stats == stats
        fetched = await node.fetch_stats()
        assert (fetched.players, fetched.cpu.system_load) == (40, 0.9)
    finally:
        await node.close()
