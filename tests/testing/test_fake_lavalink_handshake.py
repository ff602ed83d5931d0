"""FakeLavalink.hold_handshake: a WebSocket upgrade kept unanswered until the test says."""

from __future__ import annotations

import asyncio
import json
import typing

import aiohttp
import pytest
import pytest_asyncio

from hikari_lavalink.nodes import create_node
from hikari_lavalink.runtime.node import NodeState
from hikari_lavalink.testing import FakeLavalink, HandshakeHold, factories

if typing.TYPE_CHECKING:
    import collections.abc

JSON: typing.TypeAlias = dict[str, typing.Any]
PASSWORD = "pw"
HEADERS = {"Authorization": PASSWORD, "User-Id": "1", "Client-Name": "test/1"}
SONG = factories.make_track(title="Song", length=180_000)
VOICE = {"token": "t", "endpoint": "e:443", "sessionId": "s", "channelId": "9"}


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    async with FakeLavalink(password=PASSWORD) as server:
        yield server


@pytest_asyncio.fixture
async def http() -> collections.abc.AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": PASSWORD}) as session:
        yield session


async def frame(ws: aiohttp.ClientWebSocketResponse, op: str, kind: str | None = None) -> JSON:
    async with asyncio.timeout(3):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            data = json.loads(message.data)
            if data["op"] == op and (kind is None or data.get("type") == kind):
                return data


@pytest.mark.asyncio
async def test_a_held_handshake_is_answered_only_when_released(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    hold = fake.hold_handshake()
    assert isinstance(hold, HandshakeHold)
    assert "held=False" in repr(hold)
    connecting = asyncio.ensure_future(http.ws_connect(fake.ws_url, headers=HEADERS))
    headers = await hold.reached()
    assert (headers["User-Id"], headers["Client-Name"]) == ("1", "test/1")
    assert fake.handshakes == [headers]
    assert hold.held
    assert not fake.sessions  # no session before the answer
    async with http.get(fake.url + "/v4/info") as info:
        assert info.status == 200  # the rest of the node goes on
    assert not connecting.done()
    hold.release()
    ws = await connecting
    ready = await frame(ws, "ready")
    assert ready["resumed"] is False
    assert list(fake.sessions) == [ready["sessionId"]]
    assert not hold.cut_off
    # A hold takes one handshake: the next one is answered at once.
    second = await http.ws_connect(fake.ws_url, headers=HEADERS)
    await frame(second, "ready")
    await fake.wait_for_connections(2)
    await asyncio.gather(ws.close(), second.close())


@pytest.mark.asyncio
async def test_a_hold_released_early_lets_the_next_handshake_through(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    hold = fake.hold_handshake()
    hold.release()
    ws = await http.ws_connect(fake.ws_url, headers=HEADERS)
    await frame(ws, "ready")
    assert (await hold.reached())["User-Id"] == "1"
    await ws.close()


@pytest.mark.asyncio
async def test_a_held_handshake_is_checked_when_released(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    # Held before anything is checked: a password changed meanwhile is the one it needs.
    hold = fake.hold_handshake()
    connecting = asyncio.ensure_future(http.ws_connect(fake.ws_url, headers=HEADERS))
    await hold.reached()
    fake.password = "rotated"
    hold.release()
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await connecting
    assert info.value.status == 401


@pytest.mark.asyncio
async def test_a_cut_handshake_drops_the_connection_and_makes_no_session(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    hold, retry = fake.hold_handshake(), fake.hold_handshake()
    connecting = asyncio.ensure_future(http.ws_connect(fake.ws_url, headers=HEADERS))
    await hold.reached()
    hold.cut()
    # aiohttp sends an idempotent request again, once, when its connection drops unanswered.
    await retry.reached()
    retry.cut()
    with pytest.raises(aiohttp.ClientError):
        await connecting
    assert hold.cut_off
    assert retry.cut_off
    assert len(fake.handshakes) == 2
    assert not fake.sessions


@pytest.mark.asyncio
async def test_an_event_during_a_held_resume_is_replayed_after_it(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    ws = await http.ws_connect(fake.ws_url, headers=HEADERS)
    session_id = (await frame(ws, "ready"))["sessionId"]
    base = f"{fake.url}/v4/sessions/{session_id}"
    async with http.patch(base, json={"resuming": True, "timeout": 60}) as response:
        assert response.status == 200
    body = {"voice": VOICE, "track": {"encoded": SONG.encoded}}
    async with http.patch(base + "/players/5", json=body) as response:
        assert response.status == 200
    await fake.drop_connections()
    await ws.close()
    hold = fake.hold_handshake()
    resuming = asyncio.ensure_future(
        http.ws_connect(fake.ws_url, headers={**HEADERS, "Session-Id": session_id})
    )
    assert (await hold.reached())["Session-Id"] == session_id
    await fake.finish_track(5, session_id=session_id)  # while the resume waits for its answer
    hold.release()
    ws = await resuming
    assert (await frame(ws, "ready"))["resumed"] is True
    end = await frame(ws, "event", "TrackEndEvent")
    assert (end["guildId"], end["reason"]) == ("5", "finished")
    await ws.close()


@pytest.mark.asyncio
async def test_the_librarys_node_waits_on_a_held_handshake(fake: FakeLavalink) -> None:
    hold = fake.hold_handshake()
    node = create_node(
        name="main",
        host=fake.host,
        port=fake.port,
        password=PASSWORD,
        user_id=1,
        reconnect_base=0.01,
        reconnect_cap=0.05,
    )
    await node.start()
    try:
        await hold.reached()
        assert node.state is NodeState.CONNECTING
        assert not node.is_ready
        # The node dies mid-handshake: the held one is cut, and the node connects again.
        await fake.restart()
        assert hold.cut_off
        await node.wait_ready(timeout=5)
        assert len(fake.handshakes) >= 2
        assert node.session_id in fake.sessions
        second = fake.hold_handshake()
        await fake.drop_connections()  # the node reconnects (and resumes): held again
        assert "Session-Id" in await second.reached()
        assert not node.is_ready
        second.release()
        await node.wait_ready(timeout=5)
    finally:
        await node.close()
