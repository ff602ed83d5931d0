"""The in-memory node transport (``hikari_lavalink.testing.memory``) keeps the seam's promises.

What the aiohttp transport does over a socket (tests/transport), the memory one does in
memory: handshake headers and refusals, frames in order, every way a socket ends, and REST
answers decoded by the route.
"""

from __future__ import annotations

import asyncio
import typing

import pytest

from hikari_lavalink import errors
from hikari_lavalink.protocol import models, routes
from hikari_lavalink.testing import factories
from hikari_lavalink.testing.memory import MemoryServer, Reply
from hikari_lavalink.transport.base import WebSocketClosed

if typing.TYPE_CHECKING:
    from hikari_lavalink.transport.base import NodeTransport, WebSocketConnection

PASSWORD = "memory-password"
HEADERS = {"User-Id": "1", "Client-Name": "test/1"}
SESSION = "s1"
GUILD = 817327181659111454


@pytest.mark.asyncio
async def test_the_handshake_is_recorded_and_answers_session_resumed() -> None:
    server = MemoryServer(password=PASSWORD)
    transport: NodeTransport = server.transport  # what a Node takes
    ws = await transport.connect(HEADERS)
    assert server.handshakes == [{**HEADERS, "Authorization": PASSWORD}]
    assert server.connection.headers == server.handshakes[0]
    assert ws.resumed is False
    server.session_resumed = None  # the header is absent
    assert (await transport.connect(HEADERS)).resumed is None
    server.session_resumed = True
    assert (await transport.connect(HEADERS)).resumed is True
    assert len(server.connections) == 3
    assert await server.accepted(2) is server.connections[1]
    await transport.close()
    assert server.transport.closed


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "fatal"), [(401, True), (403, True), (502, False)])
async def test_a_refused_handshake_is_a_node_connection_error(status: int, fatal: bool) -> None:
    server = MemoryServer(name="n")
    server.refuse(status, count=2)
    for _ in range(2):
        with pytest.raises(errors.NodeConnectionError) as refused:
            await server.transport.connect(HEADERS)
        assert (refused.value.node, refused.value.status, refused.value.fatal) == (
            "n",
            status,
            fatal,
        )
    await server.transport.connect(HEADERS)  # the third is accepted
    assert (len(server.handshakes), len(server.connections)) == (3, 1)


@pytest.mark.asyncio
async def test_an_unreachable_server_fails_handshakes_and_calls() -> None:
    server = MemoryServer()
    server.reachable = False
    with pytest.raises(errors.NodeConnectionError) as handshake:
        await server.transport.connect(HEADERS)
    assert (handshake.value.status, handshake.value.fatal) == (None, False)
    with pytest.raises(errors.NodeConnectionError, match="GET /v4/info"):
        await server.transport.request(routes.info())
    assert not server.connections
    assert server.requests == [routes.info()]


@pytest.mark.asyncio
async def test_frames_arrive_in_order_then_the_close_code_and_reason() -> None:
    server = MemoryServer()
    ws = await server.transport.connect(HEADERS)
    socket = server.connection
    socket.send_ready(SESSION)
    socket.send(b'{"op": "custom"}', binary=True)
    socket.ping()  # not a frame: skipped
    socket.send({"op": "stats", "players": 0})
    socket.close(4000, "bye")
    assert await ws.receive() == b'{"op":"ready","resumed":false,"sessionId":"s1"}'
    assert await ws.receive() == b'{"op": "custom"}'
    assert await ws.receive() == b'{"op":"stats","players":0}'
    closed = await ws.receive()
    assert isinstance(closed, WebSocketClosed)
    assert (closed.code, closed.reason) == (4000, "bye")
    assert await ws.receive() is closed  # a closed socket keeps saying how it closed
    assert not socket.is_open
    assert socket.closed_code is None  # the server closed it, not the node
    assert len(socket.sent) == 3
    with pytest.raises(RuntimeError, match="is over"):
        socket.send_ready(SESSION)


async def read_with_the_hot_path_trio(ws: WebSocketConnection) -> tuple[list[object], object]:
    """Read as the node's reader does: next_message, frame_kinds, end_of and failed."""
    text, binary = ws.frame_kinds
    frames: list[object] = []
    while True:
        try:
            kind, data, extra = await ws.next_message()
        except Exception as exc:
            return frames, ws.failed(exc)
        if kind is text or kind is binary:
            frames.append(data)
            continue
        closed = ws.end_of(kind, data, extra)
        if closed is not None:
            return frames, closed


@pytest.mark.asyncio
async def test_the_hot_path_trio_reads_the_same_frames_and_an_abort_is_1006() -> None:
    server = MemoryServer()
    ws = await server.transport.connect(HEADERS)
    server.connection.send("one")
    server.connection.ping()
    server.connection.send("two")
    server.connection.abort()
    frames, closed = await read_with_the_hot_path_trio(ws)
    assert frames == ["one", "two"]
    assert isinstance(closed, WebSocketClosed)
    assert (closed.code, closed.reason) == (1006, "connection reset by peer")


@pytest.mark.asyncio
async def test_drop_aborts_the_open_connection_and_refuses_the_next() -> None:
    server = MemoryServer()
    ws = await server.transport.connect(HEADERS)
    server.drop()
    closed = await ws.receive()
    assert isinstance(closed, WebSocketClosed)
    assert closed.code == 1006
    with pytest.raises(errors.NodeConnectionError):
        await server.transport.connect(HEADERS)
    server.reachable = True  # back
    await server.transport.connect(HEADERS)


@pytest.mark.asyncio
async def test_an_injected_network_failure_is_1006_and_a_bug_is_raised_again() -> None:
    server = MemoryServer()
    ws = await server.transport.connect(HEADERS)
    server.connection.fail(ConnectionResetError("reset"))
    frames, closed = await read_with_the_hot_path_trio(ws)
    assert frames == []
    assert isinstance(closed, WebSocketClosed)
    assert (closed.code, closed.reason) == (1006, "ConnectionResetError: reset")
    other = await server.transport.connect(HEADERS)
    server.connection.fail(ZeroDivisionError("a bug"))
    with pytest.raises(ZeroDivisionError):
        await read_with_the_hot_path_trio(other)
    assert server.connection.is_open  # a bug does not close the socket


@pytest.mark.asyncio
async def test_the_node_closing_wakes_its_reader_and_the_server_sees_the_code() -> None:
    server = MemoryServer()
    ws = await server.transport.connect(HEADERS)
    reader = asyncio.ensure_future(ws.receive())
    waiting = asyncio.ensure_future(server.connection.wait_closed())
    await server.connection.wait_read()  # the reader waits for a frame
    assert not reader.done()
    await ws.close(4001)
    await ws.close()  # idempotent: the first code stays
    closed = await reader
    assert isinstance(closed, WebSocketClosed)
    assert closed.code == 4001
    assert await waiting == 4001
    assert server.connection.closed_code == 4001


@pytest.mark.asyncio
async def test_wait_read_returns_once_every_frame_is_handled() -> None:
    server = MemoryServer()
    ws = await server.transport.connect(HEADERS)
    handled: list[object] = []

    async def consume() -> None:
        while True:
            frame = await ws.receive()
            if isinstance(frame, WebSocketClosed):
                return
            handled.append(frame)

    consumer = asyncio.ensure_future(consume())
    server.connection.send("a")
    server.connection.send("b")
    server.connection.send("c")
    await server.connection.wait_read()
    assert handled == ["a", "b", "c"]
    server.connection.close()
    await server.connection.wait_read()  # over: returns at once
    await consumer
    assert not server.connection.is_open


@pytest.mark.asyncio
async def test_rest_answers_typed_raw_failing_and_computed() -> None:
    server = MemoryServer()
    transport = server.transport
    player = factories.make_player(GUILD, volume=40)
    server.answer("GET", "/v4/sessions/*/players/*", player)
    server.answer(
        "PATCH", "/v4/sessions/*", Reply(body={"resuming": True, "timeout": 30})
    )  # raw JSON, decoded by the route
    server.answer("GET", "/version", Reply(body="4.2.2\n"))
    server.answer("GET", "/v4/info", errors.NodeConnectionError("memory", "timed out", fatal=False))

    def players(route: routes.Route[typing.Any]) -> list[models.Player]:
        assert route.method == "GET"
        return [player]

    server.answer("GET", "/v4/sessions/*/players", players)

    async def later(route: routes.Route[typing.Any]) -> Reply:
        await asyncio.sleep(0)
        return Reply.error(404, "Session not found", route.path)

    server.answer("DELETE", "/v4/sessions/*/players/*", later)
    assert await transport.request(routes.get_player(SESSION, GUILD)) is player
    update = models.SessionUpdate(resuming=True, timeout=30)
    assert await transport.request(routes.update_session(SESSION, update)) == models.Session(
        resuming=True, timeout=30
    )
    assert await transport.request(routes.version()) == "4.2.2"
    with pytest.raises(errors.NodeConnectionError, match="timed out"):
        await transport.request(routes.info())
    assert await transport.request(routes.get_players(SESSION)) == [player]
    with pytest.raises(errors.SessionNotFoundError) as gone:
        await transport.request(routes.destroy_player(SESSION, GUILD))
    assert gone.value.path == f"/v4/sessions/{SESSION}/players/{GUILD}"
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", f"/v4/sessions/{SESSION}/players/{GUILD}"),
        ("PATCH", f"/v4/sessions/{SESSION}"),
        ("GET", "/version"),
        ("GET", "/v4/info"),
        ("GET", f"/v4/sessions/{SESSION}/players"),
        ("DELETE", f"/v4/sessions/{SESSION}/players/{GUILD}"),
    ]


@pytest.mark.asyncio
async def test_the_latest_answer_wins_for_its_times_and_nothing_answered_is_404() -> None:
    server = MemoryServer()
    server.answer("GET", "/v4/stats", factories.make_stats(players=1))
    server.answer("GET", "/v4/stats", factories.make_stats(players=2), times=1)
    assert (await server.transport.request(routes.stats())).players == 2
    assert (await server.transport.request(routes.stats())).players == 1
    with pytest.raises(errors.RestError) as missing:  # a * is one segment, not more
        await server.transport.request(routes.get_players(SESSION))
    assert (missing.value.status, missing.value.path) == (404, f"/v4/sessions/{SESSION}/players")
    assert missing.value.body is not None
    assert missing.value.body.message == "Not Found"


@pytest.mark.asyncio
async def test_a_traced_call_is_recorded_traced_and_can_be_awaited() -> None:
    server = MemoryServer()
    server.answer("GET", "/v4/info", Reply.error(500, "boom", "/v4/info"))
    waiting = asyncio.ensure_future(server.wait_for_request(lambda r: r.traced))
    with pytest.raises(errors.RestError) as failed:
        await server.transport.request(routes.info(), trace=True)
    assert failed.value.status == 500
    traced = await waiting
    assert traced.url == "/v4/info?trace=true"
    assert repr(server) == "MemoryServer(name='memory', connections=0, requests=1)"
