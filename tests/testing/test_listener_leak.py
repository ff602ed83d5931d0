"""A stopped Listener leaves no server-side socket open (no ResourceWarning at a later GC).

A connection accepted as the server closes never gets a transport (CPython gh-109564: the
transport's ``server._attach()`` asserts the server is open, and asyncio drops the error), so
its socket is only closed by the GC, with an "unclosed transport" ResourceWarning that
``-W error`` turns into a failure of whichever test collects it. aiohttp's cleanup also closes
gracefully: a close waiting on data the peer does not read leaves the socket open.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import warnings

import pytest
from aiohttp import web

from hikari_lavalink.testing import _server

HOST = "127.0.0.1"
BIG = b"x" * (64 * 1024 * 1024)
"""More than the kernel buffers of a loopback socket: the rest waits in the transport."""


def make_app(started: asyncio.Event, transports: list[asyncio.BaseTransport]) -> web.Application:
    """``GET /big``: start an answer too big for the socket's buffers and stay stuck in it."""

    async def big(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        transports.append(request.transport)
        response = web.StreamResponse()
        await response.prepare(request)
        started.set()
        await response.write(BIG)  # never drained: the client does not read
        return response

    app = web.Application()
    app.router.add_get("/big", big)
    return app


async def sees_end(client: socket.socket) -> bool:
    """Whether the client side sees the server's end closed (EOF or reset), not data to come."""
    loop = asyncio.get_running_loop()
    try:
        # A bound for a failing run only: a closed end answers at once.
        async with asyncio.timeout(5):
            while await loop.sock_recv(client, 65536):
                pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def collect_resource_warnings() -> list[str]:
    """Collect garbage; the ResourceWarnings it raises, as text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.asyncio
@pytest.mark.parametrize("yields", range(5))
async def test_a_connection_accepted_as_the_listener_stops_is_closed(yields: int) -> None:
    # A blocking connect completes in the kernel at once; the loop accepts it at its next
    # select, and builds its transport in a task an iteration later. Yielding 0..4 times
    # before the stop lands the stop at each point around them: 2 is between the two.
    listener = _server.Listener(0)
    await listener.start(HOST, web.Application)
    client = socket.create_connection((HOST, listener.port))
    client.setblocking(False)
    try:
        for _ in range(yields):
            await asyncio.sleep(0)
        await listener.stop()
        assert await sees_end(client), "the server kept its end of the connection open"
    finally:
        client.close()
    assert collect_resource_warnings() == []


@pytest.mark.asyncio
async def test_a_connection_stuck_writing_is_closed_by_the_stop() -> None:
    # aiohttp cancels the stuck handler after shutdown_timeout, then closes the transport
    # gracefully: the close waits for megabytes the client never reads.
    started = asyncio.Event()
    transports: list[asyncio.BaseTransport] = []

    def app() -> web.Application:
        return make_app(started, transports)

    listener = _server.Listener(0)
    await listener.start(HOST, app)
    client = socket.create_connection((HOST, listener.port))
    client.setblocking(False)
    try:
        client.sendall(f"GET /big HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        await started.wait()
        await listener.stop()
        [transport] = transports
        server_socket = transport.get_extra_info("socket")
        assert server_socket is None or server_socket.fileno() == -1, "its socket is open"
    finally:
        client.close()
    transports.clear()
    assert collect_resource_warnings() == []


@pytest.mark.asyncio
async def test_the_listener_serves_again_after_a_stop() -> None:
    async def hello(_: web.Request) -> web.Response:
        return web.Response(text="hi")

    def app() -> web.Application:
        application = web.Application()
        application.router.add_get("/", hello)
        return application

    listener = _server.Listener(0)
    assert await listener.start(HOST, app)
    assert not await listener.start(HOST, app)
    port = listener.port
    for _ in range(2):
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = await reader.read()
        writer.close()
        await writer.wait_closed()
        assert answer.startswith(b"HTTP/1.1 200")
        assert answer.endswith(b"hi")
        await listener.stop()
        await listener.stop()  # idempotent
        assert not listener.running
        assert listener.port == port
        assert await listener.start(HOST, app)
    await listener.stop()
