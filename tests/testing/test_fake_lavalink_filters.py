"""FakeLavalink keeps and echoes filters as Lavalink 4.2 does, driven by a raw aiohttp client.

What the server does (lavalink-protocol.md §3.3, ``protocol/v4/filters.kt`` and
``FilterChain.kt``): a nullable filter sent as ``null`` is turned off and absent from the
answer; ``volume``, ``equalizer``, ``pluginFilters`` and every field inside a filter may not be
``null`` (400); a missing field takes the model's default and is always echoed (a band's
``gain`` defaults to 1.0; a band with no ``band`` is a 400); a band outside 0-14 is a 500.
"""

from __future__ import annotations

import json
import typing

import aiohttp
import pytest
import pytest_asyncio
from tests.conftest import load_vector

from hikari_lavalink.testing import FakeLavalink

if typing.TYPE_CHECKING:
    import collections.abc

JSON: typing.TypeAlias = dict[str, typing.Any]
PASSWORD = "pw"
HEADERS = {"Authorization": PASSWORD, "User-Id": "1", "Client-Name": "test/1"}
DEFAULTS: JSON = json.loads(load_vector("rest-filters.json"))
"""The docs' filters example: every filter object in it holds the model's defaults."""
NULLABLE = [
    "karaoke",
    "timescale",
    "tremolo",
    "vibrato",
    "rotation",
    "distortion",
    "channelMix",
    "lowPass",
]
FIELDS = [(key, field) for key in NULLABLE for field in DEFAULTS[key]]


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    async with FakeLavalink(password=PASSWORD) as server:
        yield server


class Node:
    """A connected session and its REST calls on guild 5."""

    def __init__(
        self, http: aiohttp.ClientSession, fake: FakeLavalink, ws: aiohttp.ClientWebSocketResponse
    ) -> None:
        self.http, self.fake, self.ws = http, fake, ws
        self.session_id = ""

    @property
    def url(self) -> str:
        return f"{self.fake.url}/v4/sessions/{self.session_id}/players/5"

    async def patch(self, body: JSON | bytes) -> tuple[int, JSON]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        async with self.http.patch(self.url, data=data, headers=headers) as response:
            return response.status, await response.json()

    async def filters(self) -> JSON:
        async with self.http.get(self.url) as response:
            assert response.status == 200
            return (await response.json())["filters"]


@pytest_asyncio.fixture
async def node(fake: FakeLavalink) -> collections.abc.AsyncIterator[Node]:
    async with aiohttp.ClientSession(headers={"Authorization": PASSWORD}) as http:
        ws = await http.ws_connect(fake.ws_url, headers=HEADERS)
        ready = json.loads((await ws.receive()).data)
        client = Node(http, fake, ws)
        client.session_id = ready["sessionId"]
        yield client
        await ws.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("key", NULLABLE)
async def test_a_null_filter_is_turned_off_and_absent_from_the_answer(node: Node, key: str) -> None:
    status, player = await node.patch({"filters": {key: {}, "volume": 0.5}})
    assert status == 200
    assert player["filters"] == {key: DEFAULTS[key], "volume": 0.5}
    mark = len(node.fake.sent)
    status, player = await node.patch({"filters": {key: None, "volume": 0.5}})
    assert status == 200
    assert player["filters"] == {"volume": 0.5}  # gone, not `"karaoke": null`
    assert await node.filters() == {"volume": 0.5}
    assert node.fake.sessions[node.session_id].players[5].filters.volume == 0.5
    await node.fake.wait_for_frame(op="playerUpdate", after=mark)  # the chain was replaced
    _, player = await node.patch({"filters": {key: None}})
    assert player["filters"] == {}  # no filters at all: `{}`


@pytest.mark.asyncio
@pytest.mark.parametrize(("key", "field"), FIELDS)
async def test_a_missing_field_takes_its_default_and_every_field_is_echoed(
    node: Node, key: str, field: str
) -> None:
    status, player = await node.patch({"filters": {key: {field: 0.75}}})
    assert status == 200
    assert player["filters"] == {key: {**DEFAULTS[key], field: 0.75}}


@pytest.mark.asyncio
async def test_a_band_without_gain_gets_the_models_default_of_one(node: Node) -> None:
    status, player = await node.patch(
        {"filters": {"equalizer": [{"band": 3}, {"band": 4, "gain": 0.0}]}}
    )
    assert status == 200
    assert player["filters"]["equalizer"] == [{"band": 3, "gain": 1.0}, {"band": 4, "gain": 0.0}]
    remote = node.fake.sessions[node.session_id].players[5].filters.equalizer
    assert isinstance(remote, list)
    assert [band.gain for band in remote] == [1.0, 0.0]
    _, player = await node.patch({"filters": {"equalizer": []}})
    assert player["filters"] == {"equalizer": []}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"volume": None}, "volume"),
        ({"equalizer": None}, "equalizer"),
        ({"pluginFilters": None}, "pluginFilters"),
        ({"equalizer": [{"gain": 0.5}]}, "Field 'band' is required for type with serial name"),
        ({"equalizer": [{"band": 1, "gain": None}]}, "gain"),
        ({"equalizer": [{"band": 1.0, "gain": 0.5}]}, "band"),
        *[({key: {field: None}}, field) for key, field in FIELDS],
        ({"karaoke": []}, "karaoke"),
        ({"karaoke": {"level": 3.5e38}}, "Unexpected special floating-point value Infinity"),
        ({"volume": -1e39}, "Unexpected special floating-point value -Infinity"),
    ],
)
async def test_what_the_parser_refuses_is_a_400_and_changes_nothing(
    node: Node, filters: JSON, message: str
) -> None:
    await node.patch({"filters": {"timescale": {"speed": 1.5}}})
    status, error = await node.patch({"volume": 50, "filters": filters})
    assert status == 400
    assert message in error["message"]
    assert error["message"].startswith("Request body could not be parsed")
    async with node.http.get(node.url) as response:
        player = await response.json()
    assert player["volume"] == 100  # the body never parsed: nothing applied
    assert player["filters"] == {"timescale": {"speed": 1.5, "pitch": 1.0, "rate": 1.0}}


@pytest.mark.asyncio
@pytest.mark.parametrize("band", [15, -1])
async def test_a_band_outside_the_fifteen_is_a_500_after_the_fields_before_filters(
    node: Node, band: int
) -> None:
    await node.patch({"filters": {"lowPass": {"smoothing": 5}}})
    mark = len(node.fake.sent)
    status, error = await node.patch(
        {"volume": 70, "filters": {"equalizer": [{"band": band, "gain": 0.1}]}}
    )
    assert status == 500
    assert error["message"] == f"Index {band} out of bounds for length 15"
    async with node.http.get(node.url) as response:
        player = await response.json()
    assert player["volume"] == 70  # applied before the filter chain broke
    assert player["filters"] == {"lowPass": {"smoothing": 5.0}}  # the old chain stays
    await node.fake.send_stats(node.session_id)
    frame = await node.fake.wait_for_frame(after=mark)
    assert frame["op"] == "stats"  # no playerUpdate: the server threw before sending it


@pytest.mark.asyncio
async def test_float_fields_hold_32_bit_floats_and_double_fields_do_not(node: Node) -> None:
    precise = 0.123456789
    status, player = await node.patch(
        {
            "filters": {
                "volume": precise,
                "equalizer": [{"band": 0, "gain": precise}],
                "karaoke": {"level": precise},
                "timescale": {"speed": precise},
                "rotation": {"rotationHz": precise},
            }
        }
    )
    assert status == 200
    echo = player["filters"]
    assert echo["volume"] == echo["equalizer"][0]["gain"] == echo["karaoke"]["level"] == 0.12345679
    assert echo["timescale"]["speed"] == echo["rotation"]["rotationHz"] == precise
    _, player = await node.patch({"filters": {"timescale": {"speed": 1e300}}})
    assert player["filters"]["timescale"]["speed"] == 1e300  # a Double holds it


@pytest.mark.asyncio
async def test_the_docs_example_comes_back_as_the_docs_show_it(fake: FakeLavalink) -> None:
    # Every filter at its defaults, an EQ band, and a plugin filter: kept only by a node with
    # that filter extension (Lavalink drops unknown plugin filters silently).
    body = load_vector("rest-update-player-request-filters.json")
    fake.plugin_filters = ["myPlugin"]
    async with aiohttp.ClientSession(headers={"Authorization": PASSWORD}) as http:
        ws = await http.ws_connect(fake.ws_url, headers=HEADERS)
        client = Node(http, fake, ws)
        client.session_id = json.loads((await ws.receive()).data)["sessionId"]
        status, player = await client.patch(body)
        assert status == 200
        assert player["filters"] == DEFAULTS
        async with http.get(fake.url + "/v4/info") as response:
            assert (await response.json())["filters"][-1] == "myPlugin"
        fake.plugin_filters = []
        _, player = await client.patch(body)
        assert player["filters"] == {k: v for k, v in DEFAULTS.items() if k != "pluginFilters"}
        _, player = await client.patch({"filters": {"pluginFilters": {"unknown": {"x": 1}}}})
        assert player["filters"] == {}  # an empty map is left out
        await ws.close()
