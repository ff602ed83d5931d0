"""The aiohttp node WebSocket over a real socket: frames, closes, and the hot-path trio."""

from __future__ import annotations

import json
import typing

import aiohttp
import pytest
import pytest_asyncio

from hikari_lavalink.errors import NodeConnectionError
from hikari_lavalink.testing import FakeLavalink
from hikari_lavalink.transport.base import WebSocketClosed
from hikari_lavalink.transport.websocket import AiohttpWebSocket, connect_websocket

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "ws-test-password"
HEADERS = {"User-Id": "1", "Client-Name": "test/1"}


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    async with FakeLavalink(password=PASSWORD, stats_interval=3600) as server:
        yield server


@pytest_asyncio.fixture
async def session() -> collections.abc.AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def connect(fake: FakeLavalink, session: aiohttp.ClientSession) -> AiohttpWebSocket:
    return await connect_websocket(
        session, fake.ws_url, password=PASSWORD, headers=HEADERS, node_name="n"
    )


@pytest.mark.asyncio
async def test_frames_then_the_close_code_and_reason(
    fake: FakeLavalink, session: aiohttp.ClientSession
) -> None:
    ws = await connect(fake, session)
    assert ws.resumed is False
    ready = await ws.receive()
    assert isinstance(ready, bytes | str)
    assert json.loads(ready)["op"] == "ready"
    session_id = json.loads(ready)["sessionId"]
    await fake.close_session(session_id, code=4000, reason="bye")
    closed = await ws.receive()
    while not isinstance(closed, WebSocketClosed):  # the first stats may come first
        closed = await ws.receive()
    assert (closed.code, closed.reason) == (4000, "bye")
    again = await ws.receive()
    assert again is closed  # a closed socket keeps saying how it closed
    await ws.close()


@pytest.mark.asyncio
async def test_the_hot_path_trio_reads_the_same_frames(
    fake: FakeLavalink, session: aiohttp.ClientSession
) -> None:
    ws = await connect(fake, session)
    text_kind, binary_kind = ws.frame_kinds
    await fake.send_raw('{"op": "custom"}')
    frames: list[typing.Any] = []
    while len(frames) < 3:  # ready, the first stats, ours
        kind, data, extra = await ws.next_message()
        assert kind is text_kind or kind is binary_kind, (kind, extra)
        frames.append(json.loads(data))
    assert [frame["op"] for frame in frames] == ["ready", "stats", "custom"]
    await fake.drop_connections()
    while True:
        kind, data, extra = await ws.next_message()
        if kind is not text_kind and kind is not binary_kind:
            closed = ws.end_of(kind, data, extra)
            if closed is not None:
                break
    assert closed.code == 1006  # no close frame: abnormal closure
    await ws.close()


@pytest.mark.asyncio
async def test_failed_maps_network_errors_and_reraises_bugs(
    fake: FakeLavalink, session: aiohttp.ClientSession
) -> None:
    ws = await connect(fake, session)
    closed = ws.failed(aiohttp.ServerDisconnectedError())
    assert closed.code == 1006
    assert "ServerDisconnectedError" in closed.reason
    with pytest.raises(ZeroDivisionError):
        ws.failed(ZeroDivisionError("a bug"))
    await ws.close()
    await ws.close()  # idempotent


@pytest.mark.asyncio
async def test_a_closed_port_is_told_apart_from_an_unreachable_server(
    fake: FakeLavalink, session: aiohttp.ClientSession
) -> None:
    url = fake.ws_url
    await fake.kill()  # nothing listens on the port any more
    with pytest.raises(NodeConnectionError) as info:
        await connect_websocket(session, url, password=PASSWORD, headers=HEADERS, node_name="n")
    assert info.value.refused
    assert not info.value.fatal
    assert info.value.status is None


@pytest.mark.asyncio
async def test_a_refused_password_is_fatal_and_not_shown(
    fake: FakeLavalink, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(NodeConnectionError) as info:
        await connect_websocket(
            session, fake.ws_url, password="wrong-secret", headers=HEADERS, node_name="n"
        )
    assert info.value.fatal
    assert info.value.status == 401
    assert "wrong-secret" not in str(info.value)
    assert "wrong-secret" not in repr(info.value)
