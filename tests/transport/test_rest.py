"""RestTransport over real sockets on 127.0.0.1, against a small recording server.

The server here is deliberately dumb (it is not ``hikari_lavalink.testing.FakeLavalink``):
it checks the password like Lavalink does (401 missing, 403 wrong, empty body), records
every request exactly as it arrived, and answers with the shared Lavalink vectors (inline
JSON when they are not there) or with whatever a test scripts for a route.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import pathlib
import re
import socket
import time
import traceback
import typing

import aiohttp
import multidict
import pytest
import pytest_asyncio
import typing_extensions
import yarl
from aiohttp import web

from hikari_lavalink import errors
from hikari_lavalink.protocol import load_result, models, requests, routeplanner, routes
from hikari_lavalink.transport import RestTransport
from hikari_lavalink.transport.errors import REDACTED, map_connection_errors
from hikari_lavalink.transport.rest import DEFAULT_USER_AGENT

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "s3cret-Pa55word-7f1c"  # distinctive, so any leak is found by substring search
NODE = "alpha"
SESSION = "xtaug914v9k5032f"
GUILD = 817327181659111454
TITLE = "Rick Astley - Never Gonna Give You Up"
TRICKY = 'ytsearch:AC/DC + "quotes" & ünïcode'
BASE64 = "QAAAjQ+/w8+vAAA=="
PREFIX = "/behind-proxy"

SHARED_VECTORS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "lavalink-vectors"

# -- canned answers -------------------------------------------------------------------------

_TRACK: dict[str, object] = {
    "encoded": "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAADlJpY2tBc3RsZXlWRVZP"
    "AAAAAAADPCAAC2RRdzR3OVdnWGNRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZFF3NHc5V2dY"
    "Y1EAB3lvdXR1YmUAAAAAAAAAAA==",
    "info": {
        "identifier": "dQw4w9WgXcQ",
        "isSeekable": True,
        "author": "RickAstleyVEVO",
        "length": 212000,
        "isStream": False,
        "position": 0,
        "title": TITLE,
        "uri": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "artworkUrl": None,
        "isrc": None,
        "sourceName": "youtube",
    },
    "pluginInfo": {},
    "userData": {},
}
_PLAYER: dict[str, object] = {
    "guildId": "123",
    "track": _TRACK,
    "volume": 100,
    "paused": False,
    "state": {"time": 1500467109, "position": 60000, "connected": True, "ping": 50},
    "voice": {"token": "...", "endpoint": "...", "sessionId": "...", "channelId": "42"},
    "filters": {},
}
_INLINE: dict[str, object] = {
    "rest-loadtracks-search.json": {"loadType": "search", "data": [_TRACK]},
    "rest-decodetrack.json": _TRACK,
    "rest-decodetracks.json": [_TRACK],
    "rest-player.json": _PLAYER,
    "rest-players.json": [_PLAYER],
    "rest-session.json": {"resuming": True, "timeout": 60},
    "rest-info.json": {
        "version": {"semver": "4.2.2", "major": 4, "minor": 2, "patch": 2, "preRelease": None},
        "buildTime": -1,
        "git": {"branch": "", "commit": "", "commitTime": 0},
        "jvm": "21",
        "lavaplayer": "2.2.6",
        "sourceManagers": ["youtube"],
        "filters": ["volume"],
        "plugins": [],
    },
    "rest-stats.json": {
        "players": 1,
        "playingPlayers": 1,
        "uptime": 123456789,
        "memory": {"free": 1, "used": 2, "allocated": 3, "reservable": 4},
        "cpu": {"cores": 4, "systemLoad": 0.5, "lavalinkLoad": 0.5},
    },
    "rest-routeplanner-status-BalancingIpRoutePlanner.json": {
        "class": "BalancingIpRoutePlanner",
        "details": {
            "ipBlock": {"type": "Inet6Address", "size": "1208925819614629174706176"},
            "failingAddresses": [],
        },
    },
}


def vector(name: str) -> bytes:
    """A shared Lavalink vector when present, else the inline equivalent."""
    path = SHARED_VECTORS / name
    if path.is_file():
        # The shared player vectors use "..." as a channelId placeholder.
        return path.read_bytes().replace(b'"channelId": "..."', b'"channelId": "42"')
    return json.dumps(_INLINE[name]).encode()


@dataclasses.dataclass(frozen=True)
class Reply:
    """What the server answers for one route."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    hang: bool = False  # wait until the test ends before answering


def json_reply(name: str) -> Reply:
    return Reply(body=vector(name))


def error_reply(status: int, message: str, path: str, *, trace: bool) -> Reply:
    body: dict[str, object] = {
        "timestamp": 1667857581613,
        "status": status,
        "error": "Not Found" if status == 404 else "Internal Server Error",
        "message": message,
        "path": path,
    }
    if trace:
        body["trace"] = "java.lang.Exception: boom\n\tat lavalink.server..."
    return Reply(status=status, body=json.dumps(body).encode())


NO_CONTENT = Reply(status=204, content_type=None)
_PLAYER_PATH = re.compile(r"/v4/sessions/([^/]+)/players/(\d+)")
_PLAYERS_PATH = re.compile(r"/v4/sessions/([^/]+)/players")
_SESSION_PATH = re.compile(r"/v4/sessions/([^/]+)")


def default_reply(method: str, path: str, traced: bool) -> Reply:
    """Lavalink-shaped answers for every core route."""
    session = _SESSION_PATH.match(path)
    if session is not None and session.group(1) != SESSION:
        return error_reply(404, "Session not found", path, trace=traced)
    if _PLAYER_PATH.fullmatch(path):
        if method == "DELETE":
            return NO_CONTENT
        return json_reply("rest-player.json")
    if _PLAYERS_PATH.fullmatch(path):
        return json_reply("rest-players.json")
    if _SESSION_PATH.fullmatch(path):
        return json_reply("rest-session.json")
    table = {
        ("GET", "/v4/loadtracks"): json_reply("rest-loadtracks-search.json"),
        ("GET", "/v4/decodetrack"): json_reply("rest-decodetrack.json"),
        ("POST", "/v4/decodetracks"): json_reply("rest-decodetracks.json"),
        ("GET", "/v4/info"): json_reply("rest-info.json"),
        ("GET", "/v4/stats"): json_reply("rest-stats.json"),
        ("GET", "/version"): Reply(body=b"4.2.2", content_type="text/plain"),
        ("GET", "/v4/routeplanner/status"): json_reply(
            "rest-routeplanner-status-BalancingIpRoutePlanner.json"
        ),
        ("POST", "/v4/routeplanner/free/address"): NO_CONTENT,
        ("POST", "/v4/routeplanner/free/all"): NO_CONTENT,
    }
    return table.get((method, path), error_reply(404, "Not Found", path, trace=traced))


@dataclasses.dataclass(frozen=True)
class Recorded:
    """One request exactly as the server received it."""

    method: str
    path: str
    raw_query: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes


class _Server(web.Server):
    """aiohttp's low-level server, telling when a connection is gone."""

    def __init__(self, node: RecordingNode) -> None:
        super().__init__(node.handle, access_log=None)
        self._node = node

    @typing_extensions.override
    def connection_lost(
        self, handler: web.RequestHandler, exc: BaseException | None = None
    ) -> None:
        super().connection_lost(handler, exc)
        self._node.connection_lost()


class RecordingNode:
    """A tiny Lavalink-like HTTP server on 127.0.0.1 that records what it receives."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: dict[tuple[str, str], Reply] = {}
        self.connections: list[asyncio.BaseTransport] = []
        self.lost = 0
        """How many connections the server has seen closed."""
        self.release = asyncio.Event()
        self.url = ""
        self._lost_changed = asyncio.Event()
        self._runner: web.ServerRunner | None = None

    async def start(self) -> None:
        self._runner = web.ServerRunner(_Server(self), shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    def connection_lost(self) -> None:
        self.lost += 1
        self._lost_changed.set()

    async def wait_lost(self, count: int, timeout: float = 2.0) -> None:
        """Wait until ``count`` connections have closed."""
        async with asyncio.timeout(timeout):
            while self.lost < count:
                self._lost_changed.clear()
                await self._lost_changed.wait()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        path = request.path.removeprefix(PREFIX)
        query = list(request.query.items())
        self.requests.append(
            Recorded(
                method=request.method,
                path=path,
                raw_query=request.rel_url.raw_query_string,
                query=query,
                headers={k.lower(): v for k, v in request.headers.items()},
                body=await request.read(),
            )
        )
        if request.transport is not None and request.transport not in self.connections:
            self.connections.append(request.transport)
        password = request.headers.get("Authorization")
        if not password:
            return web.Response(status=401)
        if password != PASSWORD:
            return web.Response(status=403)
        traced = ("trace", "true") in query
        reply = self.replies.get((request.method, path)) or default_reply(
            request.method, path, traced
        )
        if reply.hang:
            await self.release.wait()
        return web.Response(
            status=reply.status,
            body=reply.body or None,
            content_type=reply.content_type,
            headers=dict(reply.headers),
        )


@pytest_asyncio.fixture
async def node() -> collections.abc.AsyncIterator[RecordingNode]:
    server = RecordingNode()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture
async def rest(node: RecordingNode) -> collections.abc.AsyncIterator[RestTransport]:
    transport = RestTransport(base_url=node.url, password=PASSWORD, node_name=NODE, timeout=5.0)
    try:
        yield transport
    finally:
        await transport.close()


def assert_no_password(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text


def full_text(error: BaseException) -> str:
    """Everything a user could see of an error: message, repr, formatted traceback."""
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


# -- every endpoint ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_every_convenience_method(node: RecordingNode, rest: RestTransport) -> None:
    update = requests.UpdatePlayer(volume=80, paused=True)
    search = await rest.load_tracks("ytsearch:rick")
    assert isinstance(search, load_result.SearchResult)
    assert search.tracks[0].info.title == TITLE
    track = await rest.decode_track(search.tracks[0].encoded)
    assert track.info.title == TITLE
    assert [t.info.title for t in await rest.decode_tracks([track.encoded])] == [TITLE]
    assert [p.guild_id for p in await rest.get_players(SESSION)] == [123]
    assert (await rest.get_player(SESSION, GUILD)).voice.channel_id == 42
    assert (await rest.update_player(SESSION, GUILD, update, no_replace=True)).guild_id == 123
    assert await rest.destroy_player(SESSION, GUILD) is None
    session = await rest.update_session(SESSION, models.SessionUpdate(resuming=True, timeout=60))
    assert session == models.Session(resuming=True, timeout=60)
    assert isinstance(await rest.info(), models.Info)
    stats = await rest.stats()
    assert stats.frame_stats is None
    assert await rest.version() == "4.2.2"
    planner = await rest.route_planner_status()
    assert isinstance(planner, routeplanner.RoutePlannerStatus)
    assert await rest.free_address("1.0.0.1") is None
    assert await rest.free_all() is None

    player_path = f"/v4/sessions/{SESSION}/players/{GUILD}"
    expected: list[tuple[str, str, list[tuple[str, str]], bytes]] = [
        ("GET", "/v4/loadtracks", [("identifier", "ytsearch:rick")], b""),
        ("GET", "/v4/decodetrack", [("encodedTrack", track.encoded)], b""),
        ("POST", "/v4/decodetracks", [], json.dumps([track.encoded]).replace(" ", "").encode()),
        ("GET", f"/v4/sessions/{SESSION}/players", [], b""),
        ("GET", player_path, [], b""),
        ("PATCH", player_path, [("noReplace", "true")], b'{"volume":80,"paused":true}'),
        ("DELETE", player_path, [], b""),
        ("PATCH", f"/v4/sessions/{SESSION}", [], b'{"resuming":true,"timeout":60}'),
        ("GET", "/v4/info", [], b""),
        ("GET", "/v4/stats", [], b""),
        ("GET", "/version", [], b""),
        ("GET", "/v4/routeplanner/status", [], b""),
        ("POST", "/v4/routeplanner/free/address", [], b'{"address":"1.0.0.1"}'),
        ("POST", "/v4/routeplanner/free/all", [], b""),
    ]
    assert [(r.method, r.path, r.query, r.body) for r in node.requests] == expected


@pytest.mark.asyncio
async def test_headers(node: RecordingNode, rest: RestTransport) -> None:
    await rest.info()
    await rest.update_session(SESSION, models.SessionUpdate(resuming=False))
    get, patch = node.requests
    assert get.headers["authorization"] == PASSWORD  # verbatim: no "Bearer"
    assert get.headers["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("hikari-lavalink/")
    assert "content-type" not in get.headers
    assert patch.headers["authorization"] == PASSWORD
    assert patch.headers["content-type"] == "application/json"

    custom = RestTransport(base_url=node.url, password=PASSWORD, user_agent="my-bot/1.0")
    try:
        await custom.info()
    finally:
        await custom.close()
    assert node.requests[-1].headers["user-agent"] == "my-bot/1.0"


@pytest.mark.asyncio
async def test_query_values_arrive_exactly(node: RecordingNode, rest: RestTransport) -> None:
    await rest.load_tracks(TRICKY)
    await rest.decode_track(BASE64)
    search, decode = node.requests
    assert search.query == [("identifier", TRICKY)]
    assert search.raw_query == (
        "identifier=ytsearch%3AAC%2FDC%20%2B%20%22quotes%22%20%26%20%C3%BCn%C3%AFcode"
    )
    assert decode.query == [("encodedTrack", BASE64)]
    assert decode.raw_query == "encodedTrack=QAAAjQ%2B%2Fw8%2BvAAA%3D%3D"


@pytest.mark.asyncio
async def test_base_url_path_prefix_and_trailing_slash(node: RecordingNode) -> None:
    transport = RestTransport(base_url=f"{node.url}{PREFIX}/", password=PASSWORD)
    try:
        assert transport.base_url == f"{node.url}{PREFIX}"
        assert await transport.version() == "4.2.2"
    finally:
        await transport.close()
    assert node.requests[-1].path == "/version"


@pytest.mark.asyncio
async def test_trace_flag(node: RecordingNode, rest: RestTransport) -> None:
    await rest.request(routes.info(), trace=True)
    await rest.request(routes.info())
    await rest.request(routes.load_tracks("x").with_trace(), trace=True)
    traced, plain, both = node.requests
    assert traced.query == [("trace", "true")]
    assert plain.query == []
    assert both.query == [("identifier", "x"), ("trace", "true")]

    with pytest.raises(errors.SessionNotFoundError) as caught:
        await rest.request(routes.get_players("gonesession00000"), trace=True)
    assert caught.value.body is not None
    assert caught.value.body.trace is not None
    assert caught.value.body.trace.startswith("java.lang.Exception")


# -- error mapping -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_session_not_found(rest: RestTransport) -> None:
    with pytest.raises(errors.SessionNotFoundError) as caught:
        await rest.update_player("gonesession00000", GUILD, requests.UpdatePlayer(volume=1))
    error = caught.value
    assert error.status == 404
    assert error.path == f"/v4/sessions/gonesession00000/players/{GUILD}"
    assert error.method == "PATCH"
    assert error.body is not None
    assert error.body.trace is None  # not asked for


@pytest.mark.asyncio
async def test_5xx_is_rest_error_with_status_and_path(
    node: RecordingNode, rest: RestTransport
) -> None:
    node.replies["GET", "/v4/info"] = Reply(
        status=502, body=b"<html><h1>Bad Gateway</h1></html>", content_type="text/html"
    )
    with pytest.raises(errors.RestError) as html:
        await rest.info()
    assert type(html.value) is errors.RestError
    assert (html.value.status, html.value.path, html.value.method) == (502, "/v4/info", "GET")
    assert html.value.body is None

    node.replies["POST", "/v4/routeplanner/free/all"] = error_reply(
        500, "Can't access disabled route planner", "/v4/routeplanner/free/all", trace=False
    )
    with pytest.raises(errors.RestError) as planner:
        await rest.free_all()
    assert planner.value.status == 500
    assert planner.value.path == "/v4/routeplanner/free/all"
    assert planner.value.body is not None
    assert planner.value.body.message == "Can't access disabled route planner"
    assert "Can't access disabled route planner" in str(planner.value)


@pytest.mark.asyncio
@pytest.mark.parametrize(("password", "status"), [("", 401), ("not-the-password", 403)])
async def test_401_403_have_no_body_and_a_clear_message(
    node: RecordingNode, password: str, status: int
) -> None:
    transport = RestTransport(base_url=node.url, password=password, node_name=NODE)
    try:
        with pytest.raises(errors.RestError) as caught:
            await transport.stats()
    finally:
        await transport.close()
    assert caught.value.status == status
    assert caught.value.body is None
    assert "password" in str(caught.value)
    assert "GET /v4/stats" in str(caught.value)
    if password:
        assert password not in full_text(caught.value)
        assert password not in repr(transport)


@pytest.mark.asyncio
async def test_malformed_success_is_remote_protocol_error(
    node: RecordingNode, rest: RestTransport
) -> None:
    node.replies["GET", "/v4/stats"] = Reply(body=b'{"players": "many"}')
    with pytest.raises(errors.RemoteProtocolError) as caught:
        await rest.stats()
    assert caught.value.data == b'{"players": "many"}'


@pytest.mark.asyncio
async def test_redirects_are_not_followed(node: RecordingNode, rest: RestTransport) -> None:
    node.replies["GET", "/v4/info"] = Reply(
        status=307, headers=(("Location", f"{node.url}/v4/stats"),), content_type=None
    )
    with pytest.raises(errors.RestError) as caught:
        await rest.info()
    assert caught.value.status == 307
    assert [r.path for r in node.requests] == ["/v4/info"]  # the password went nowhere else


@pytest.mark.asyncio
async def test_timeout_is_node_connection_error(node: RecordingNode) -> None:
    node.replies["GET", "/v4/info"] = Reply(hang=True)
    transport = RestTransport(base_url=node.url, password=PASSWORD, node_name=NODE, timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(errors.NodeConnectionError) as caught:
            await transport.info()
    finally:
        await transport.close()
    assert time.monotonic() - started < 2.0
    error = caught.value
    assert str(error) == f"node {NODE!r}: GET /v4/info timed out after 0.2 s"
    assert (error.node, error.status, error.fatal) == (NODE, None, False)
    assert error.__cause__ is None
    assert error.__suppress_context__


@pytest.mark.asyncio
async def test_connection_refused_is_node_connection_error() -> None:
    # A socket that is bound but not listening: connecting to it is refused, and no other
    # process can take the port while the test runs.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        transport = RestTransport(
            base_url=f"http://127.0.0.1:{port}", password=PASSWORD, node_name=NODE
        )
        try:
            with pytest.raises(errors.NodeConnectionError) as caught:
                await transport.load_tracks("ytsearch:x")
        finally:
            await transport.close()
    error = caught.value
    assert isinstance(error, errors.NodeError)
    assert (error.node, error.status, error.fatal) == (NODE, None, False)
    assert str(error).startswith(f"node {NODE!r}: GET /v4/loadtracks failed: ")
    assert error.__cause__ is None
    assert error.__suppress_context__


@pytest.mark.asyncio
async def test_connection_dropped_is_node_connection_error() -> None:
    async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = RestTransport(base_url=f"http://127.0.0.1:{port}", password=PASSWORD)
    try:
        with pytest.raises(errors.NodeConnectionError, match="GET /v4/info failed") as caught:
            await transport.info()
    finally:
        await transport.close()
        server.close()
        await server.wait_closed()
    assert caught.value.status is None


# -- secrets -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_password_never_leaks(node: RecordingNode, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[BaseException] = []
    transport = RestTransport(base_url=node.url, password=PASSWORD, node_name=NODE, timeout=0.3)
    node.replies["GET", "/v4/stats"] = Reply(hang=True)
    node.replies["POST", "/v4/routeplanner/free/all"] = Reply(status=500, body=b"oops")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        refused = RestTransport(
            base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", password=PASSWORD
        )
        calls: list[collections.abc.Callable[[], collections.abc.Awaitable[object]]] = [
            transport.info,
            lambda: transport.get_players("gonesession00000"),
            transport.stats,  # times out
            transport.free_all,
            lambda: transport.request(routes.version(), trace=True),
            refused.info,
        ]
        try:
            for call in calls:
                try:
                    await call()
                except errors.LavalinkError as exc:
                    seen.append(exc)
        finally:
            await transport.close()
            await refused.close()
    assert [type(e) for e in seen] == [
        errors.SessionNotFoundError,
        errors.NodeConnectionError,
        errors.RestError,
        errors.NodeConnectionError,
    ]
    assert_no_password(
        repr(transport), str(transport), repr(refused), caplog.text, *map(full_text, seen)
    )
    assert_no_password(*(r.getMessage() for r in caplog.records))
    ours = [r.getMessage() for r in caplog.records if r.name == "hikari_lavalink.transport.rest"]
    assert any(
        re.fullmatch(rf"node '?{NODE}'?: GET /v4/info -> 200 in [\d.]+ ms", m) for m in ours
    ), ours
    assert any("GET /v4/stats -> " in m and "timed out" in m for m in ours), ours
    assert repr(transport) == f"RestTransport(node_name={NODE!r}, base_url={node.url!r})"


HANDSHAKE = aiohttp.RequestInfo(
    yarl.URL("http://127.0.0.1:2333/v4/websocket"),
    "GET",
    multidict.CIMultiDictProxy(multidict.CIMultiDict[str]()),
)


def test_mapper_redacts_and_classifies() -> None:
    with pytest.raises(errors.NodeConnectionError) as leaky:
        with map_connection_errors(NODE, "GET /v4/info", secret=PASSWORD):
            raise aiohttp.ClientConnectionError(f"peer echoed {PASSWORD}")
    assert PASSWORD not in full_text(leaky.value)
    assert REDACTED in str(leaky.value)
    assert "ClientConnectionError" in str(leaky.value)

    with pytest.raises(errors.NodeConnectionError) as handshake:
        with map_connection_errors(NODE, "WebSocket handshake", secret=PASSWORD):
            raise aiohttp.WSServerHandshakeError(HANDSHAKE, (), status=403)
    assert (handshake.value.status, handshake.value.fatal) == (403, True)
    assert "password was rejected" in str(handshake.value)

    with pytest.raises(errors.NodeConnectionError) as server_error:
        with map_connection_errors(NODE, "WebSocket handshake"):
            raise aiohttp.WSServerHandshakeError(HANDSHAKE, (), status=502)
    assert (server_error.value.status, server_error.value.fatal) == (502, False)

    with pytest.raises(errors.NodeConnectionError, match="timed out after 3 s"):
        with map_connection_errors(NODE, "read", timeout=3.0):
            raise aiohttp.ServerTimeoutError("read timeout")
    with pytest.raises(errors.NodeConnectionError, match=r"read timed out$"):
        with map_connection_errors(NODE, "read"):
            raise TimeoutError
    with pytest.raises(errors.NodeConnectionError, match="ConnectionResetError"):
        with map_connection_errors(NODE, "read"):
            raise ConnectionResetError("reset by peer")

    # Anything else passes through untouched, cancellation above all.
    for foreign in (ValueError("not ours to map"), asyncio.CancelledError()):
        with pytest.raises(type(foreign)) as passed:
            with map_connection_errors(NODE, "read"):
                raise foreign
        assert passed.value is foreign
    with map_connection_errors(NODE, "read"):
        pass


# -- sessions ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_shared_session_is_used_and_left_open(node: RecordingNode) -> None:
    async with aiohttp.ClientSession() as shared:
        transport = RestTransport(base_url=node.url, password=PASSWORD, session=shared)
        assert not transport.owns_session
        await transport.info()
        await transport.close()
        await transport.close()
        assert not shared.closed
        await transport.info()  # still usable: the session is not ours to close
        assert len(node.connections) == 1  # keep-alive on the shared session's connector
        assert not node.connections[0].is_closing()
    with pytest.raises(errors.UsageError, match="shared aiohttp session"):
        await transport.info()
    assert len(node.requests) == 2


@pytest.mark.asyncio
async def test_shared_session_that_raises_for_status(node: RecordingNode) -> None:
    async with aiohttp.ClientSession(raise_for_status=True) as shared:
        transport = RestTransport(base_url=node.url, password=PASSWORD, session=shared)
        with pytest.raises(errors.SessionNotFoundError):
            await transport.get_players("gonesession00000")


@pytest.mark.asyncio
async def test_owned_session_is_closed(node: RecordingNode) -> None:
    transport = RestTransport(base_url=node.url, password=PASSWORD)
    assert transport.owns_session
    await transport.close()  # nothing opened yet: fine
    await transport.info()
    assert len(node.connections) == 1
    await transport.close()
    await node.wait_lost(1)
    assert node.connections[0].is_closing()
    await transport.close()  # idempotent
    await transport.info()  # a later call opens a new session
    assert len(node.connections) == 2
    await transport.close()
    await node.wait_lost(2)
    assert node.connections[1].is_closing()


@pytest.mark.asyncio
async def test_concurrent_calls_share_one_transport(rest: RestTransport) -> None:
    results = await asyncio.gather(*(rest.version() for _ in range(20)))
    assert results == ["4.2.2"] * 20


# -- construction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url", ["localhost:2333", "ws://127.0.0.1:2333", "http://", "http://h:1/?q=1", ""]
)
def test_bad_base_url_is_a_usage_error(base_url: str) -> None:
    with pytest.raises(errors.UsageError, match="base_url"):
        RestTransport(base_url=base_url, password=PASSWORD)


def test_credentials_in_base_url_are_refused_without_echo() -> None:
    with pytest.raises(errors.UsageError) as caught:
        RestTransport(base_url=f"http://user:{PASSWORD}@127.0.0.1:2333", password=PASSWORD)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan")])
def test_bad_timeout_is_a_usage_error(timeout: float) -> None:
    with pytest.raises(errors.UsageError, match="timeout"):
        RestTransport(base_url="http://127.0.0.1:2333", password=PASSWORD, timeout=timeout)


@pytest.mark.asyncio
async def test_invalid_ids_fail_before_any_request(
    node: RecordingNode, rest: RestTransport
) -> None:
    with pytest.raises(errors.UsageError):
        await rest.get_players("")
    with pytest.raises(errors.UsageError):
        await rest.destroy_player(SESSION, 0)
    assert node.requests == []
