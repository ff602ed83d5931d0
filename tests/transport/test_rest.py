"""RestTransport over real sockets: FakeLavalink, plus a bare server for timeouts."""

from __future__ import annotations

import asyncio
import logging
import socket
import typing

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

import hikari_lavalink as hl
from hikari_lavalink.protocol import routes
from hikari_lavalink.testing import FakeLavalink, factories
from hikari_lavalink.transport import RestTransport

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "rest-pa55word-xyz"
TRACK = factories.make_track(title="Song")


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([TRACK])}
    async with FakeLavalink(password=PASSWORD, catalogue=catalogue) as server:
        yield server


@pytest_asyncio.fixture
async def rest(fake: FakeLavalink) -> collections.abc.AsyncIterator[RestTransport]:
    transport = RestTransport(base_url=fake.url, password=PASSWORD, node_name="main", timeout=2.0)
    yield transport
    await transport.close()


@pytest.mark.asyncio
async def test_typed_calls_and_headers(fake: FakeLavalink, rest: RestTransport) -> None:
    result = await rest.load_tracks("ytsearch:song")
    assert result.tracks == [TRACK]
    assert await rest.decode_track(TRACK.encoded) == TRACK
    assert await rest.decode_tracks([TRACK.encoded]) == [TRACK]
    info = await rest.info()
    assert info.version.semver == "4.2.2"
    stats = await rest.stats()
    assert stats.frame_stats is None
    assert await rest.version() == "4.2.2"
    assert await rest.route_planner_status() is None
    request = fake.requests[0]
    assert request.headers["Authorization"] == PASSWORD
    assert request.headers["User-Agent"] == "hikari-lavalink"
    assert request.query == {"identifier": "ytsearch:song"}


@pytest.mark.asyncio
async def test_errors_are_typed(fake: FakeLavalink, rest: RestTransport) -> None:
    with pytest.raises(hl.SessionNotFoundError) as missing:
        await rest.get_players("nosuchsession0000")
    assert missing.value.status == 404
    assert missing.value.path == "/v4/sessions/nosuchsession0000/players"
    with pytest.raises(hl.RestError) as planner:
        await rest.free_all()
    assert planner.value.status == 500
    assert planner.value.body is not None
    assert planner.value.body.message == "Can't access disabled route planner"
    with pytest.raises(hl.RestError) as bad:
        await rest.decode_track("not-a-track")
    assert bad.value.status == 500
    fake.fail_rest(status=503, count=1)
    with pytest.raises(hl.RestError) as unavailable:
        await rest.info()
    assert unavailable.value.status == 503


@pytest.mark.asyncio
async def test_trace_flag(fake: FakeLavalink, rest: RestTransport) -> None:
    with pytest.raises(hl.SessionNotFoundError) as missing:
        await rest.request(routes.get_players("nosuchsession0000"), trace=True)
    assert fake.requests[-1].query == {"trace": "true"}
    assert missing.value.body is not None
    assert missing.value.body.trace


@pytest.mark.asyncio
@pytest.mark.parametrize(("password", "status"), [("", 403), ("wrong-one", 403)])
async def test_rejected_password_has_no_body_and_is_not_leaked(
    fake: FakeLavalink, caplog: pytest.LogCaptureFixture, password: str, status: int
) -> None:
    caplog.set_level(logging.DEBUG)
    transport = RestTransport(base_url=fake.url, password=password, node_name="main")
    try:
        with pytest.raises(hl.RestError) as info:
            await transport.info()
    finally:
        await transport.close()
    assert info.value.status == status
    assert info.value.body is None
    if password:
        assert password not in str(info.value)
        assert password not in repr(transport)
        assert all(password not in r.getMessage() for r in caplog.records)


@pytest.mark.asyncio
async def test_password_never_in_debug_logs(
    rest: RestTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await rest.info()
    assert any("GET /v4/info -> 200" in r.getMessage() for r in caplog.records)
    assert all(PASSWORD not in r.getMessage() for r in caplog.records)
    assert PASSWORD not in repr(rest)


@pytest.mark.asyncio
async def test_missing_authorization_header_is_401(fake: FakeLavalink) -> None:
    async with aiohttp.ClientSession() as session, session.get(fake.url + "/v4/info") as response:
        assert response.status == 401
        assert await response.read() == b""


@pytest.mark.asyncio
async def test_timeout_and_refused_map_to_node_connection_error() -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/v4/info", slow)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = typing.cast("typing.Any", site)._server.sockets[0].getsockname()[1]
    transport = RestTransport(base_url=f"http://127.0.0.1:{port}", password="pw", timeout=0.2)
    try:
        with pytest.raises(hl.NodeConnectionError, match="timed out") as slow_error:
            await transport.info()
        assert not slow_error.value.fatal
    finally:
        await transport.close()
        await runner.cleanup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    refused = RestTransport(base_url=f"http://127.0.0.1:{free}", password="pw")
    try:
        with pytest.raises(hl.NodeConnectionError, match="failed") as error:
            await refused.info()
        assert error.value.status is None
    finally:
        await refused.close()


@pytest.mark.asyncio
async def test_shared_session_is_not_closed(fake: FakeLavalink) -> None:
    async with aiohttp.ClientSession() as session:
        transport = RestTransport(base_url=fake.url, password=PASSWORD, session=session)
        await transport.info()
        await transport.close()
        assert not session.closed
        await transport.info()
    owned = RestTransport(base_url=fake.url, password=PASSWORD)
    await owned.info()
    await owned.close()
    await owned.close()  # idempotent
    await owned.info()  # reopens lazily
    await owned.close()


@pytest.mark.asyncio
async def test_players_and_session_endpoints(fake: FakeLavalink, rest: RestTransport) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            fake.ws_url, headers={"Authorization": PASSWORD, "User-Id": "1", "Client-Name": "t/1"}
        ) as ws,
    ):
        ready = await ws.receive_json()
        session_id = ready["sessionId"]
        assert await rest.update_session(session_id, hl.SessionUpdate(timeout=30)) == hl.Session(
            resuming=False, timeout=30
        )
        player = await rest.update_player(
            session_id, 5, hl.UpdatePlayer(track=hl.UpdatePlayerTrack(encoded=TRACK.encoded))
        )
        assert player.track is not None
        assert player.track.info.title == "Song"
        same = await rest.update_player(
            session_id,
            5,
            hl.UpdatePlayer(track=hl.UpdatePlayerTrack(identifier="ytsearch:song")),
            no_replace=True,
        )
        assert same.track is not None
        assert same.track.encoded == player.track.encoded
        assert [p.guild_id for p in await rest.get_players(session_id)] == [5]
        assert (await rest.get_player(session_id, 5)).guild_id == 5
        await rest.destroy_player(session_id, 5)
        assert await rest.get_players(session_id) == []
        with pytest.raises(hl.RestError) as gone:
            await rest.get_player(session_id, 5)
        assert gone.value.status == 404
        with pytest.raises(hl.RestError, match="route planner"):
            await rest.free_address("1.0.0.1")
