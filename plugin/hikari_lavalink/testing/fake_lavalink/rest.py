"""The fake node's REST plumbing, and its routes that are not about players.

Every request passes one middleware, as every request to Lavalink passes Spring's filters: the
latency set by
[`FakeLavalink.set_latency`][hikari_lavalink.testing.FakeLavalink.set_latency] first,
then (REST only) the request is recorded, a missing `Authorization` is answered 401 and a wrong one
403 (both with no body), an injected
[`FakeLavalink.fail_rest`][hikari_lavalink.testing.FakeLavalink.fail_rest] failure is
answered, and a refusal becomes Spring's error body (`timestamp`, `status`, `error`, `message`,
`path`, and `trace` with `?trace=true`); an unknown path is 404, a known path with another method
405. Every answer, WebSocket handshakes included, carries the node's `api_headers`
(`Lavalink-Api-Version: 4`).
"""

from __future__ import annotations

import asyncio
import json
import time
import typing

import msgspec
from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.errors import RemoteProtocolError
from hikari_lavalink.protocol import codec, load_result, models
from hikari_lavalink.protocol.plugins import PluginName
from hikari_lavalink.testing.fake_lavalink import validation

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.testing._server import Activity
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.playback import Playback
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

    _Handler: typing.TypeAlias = collections.abc.Callable[
        [web.Request], collections.abc.Awaitable[web.StreamResponse]
    ]

__all__ = ["RequestHold", "RecordedRequest", "Rest"]

_FILTERS: typing.Final = (
    "volume",
    "equalizer",
    "karaoke",
    "timescale",
    "tremolo",
    "vibrato",
    "distortion",
    "rotation",
    "channelMix",
    "lowPass",
)


class RecordedRequest:
    """One REST request as the fake received it."""

    __slots__ = ("body", "headers", "method", "path", "query", "status")

    def __init__(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> None:
        self.method: str = method
        self.path: str = path
        self.query: dict[str, str] = query
        self.headers: dict[str, str] = headers
        self.body: bytes = body
        self.status: int = 0
        """The status the fake answered with."""

    @override
    def __repr__(self) -> str:
        return f"RecordedRequest({self.method} {self.path} -> {self.status})"

    def json(self) -> typing.Any:
        """The body as JSON."""
        return json.loads(self.body)


class RequestHold:
    """The next REST request that matches waits here, recorded but unanswered, until
    [`release`][hikari_lavalink.testing.RequestHold.release] (see
    [`FakeLavalink.hold`][hikari_lavalink.testing.FakeLavalink.hold]): a request on
    its way, made to last."""

    __slots__ = ("_arrived", "_released", "cut_off", "method", "path_prefix")

    def __init__(self, method: str, path_prefix: str) -> None:
        self.method: str = method
        self.path_prefix: str = path_prefix
        self._arrived: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        self._released = asyncio.Event()
        self.cut_off: bool = False
        """Whether [`cut`][hikari_lavalink.testing.RequestHold.cut] ended it (its
        connection cut, the request never handled)."""

    @override
    def __repr__(self) -> str:
        return f"RequestHold({self.method} {self.path_prefix}*, held={self._arrived.done()})"

    def takes(self, record: RecordedRequest) -> bool:
        """Whether this hold is still free and matches `record` (then it holds it)."""
        free = not self._arrived.done()
        if free and record.method == self.method and record.path.startswith(self.path_prefix):
            self._arrived.set_result(record)
            return True
        return False

    async def reached(self, timeout: float = 5.0) -> RecordedRequest:
        """Wait until a request is held here; the request (its `status` still 0)."""
        async with asyncio.timeout(timeout):
            return await asyncio.shield(self._arrived)

    def release(self) -> None:
        """Let the held request (or the next one, if none came yet) be answered."""
        self._released.set()

    def cut(self) -> None:
        """Cut the held request's connection instead of answering it (a network failure on
        its way): the server never handles it, and the client sees its connection drop."""
        self.cut_off = True
        self._released.set()

    async def wait_released(self) -> None:
        """Wait for [`release`][hikari_lavalink.testing.RequestHold.release]."""
        await self._released.wait()


class Rest:
    """The middleware, and the info, stats, track and session routes."""

    __slots__ = (
        "_activity",
        "_known",
        "_node",
        "_playback",
        "_sessions",
        "failures",
        "holds",
        "latency",
    )

    def __init__(
        self,
        node: FakeLavalink,
        sessions: collections.abc.Mapping[str, FakeSession],
        known: collections.abc.Mapping[str, models.Track],
        playback: Playback,
        activity: Activity,
    ) -> None:
        self._node = node
        self._sessions = sessions
        self._known = known
        self._playback = playback
        self._activity = activity
        self.latency: float = 0.0
        """Seconds every answer and handshake waits (`set_latency`)."""
        self.holds: list[RequestHold] = []
        """Requests to hold, in the order they were asked for (`hold`)."""
        self.failures: list[tuple[int, str | None]] = []
        """`(status, path_prefix)` of the next failures to inject (`fail_rest`)."""

    def add_routes(self, app: web.Application) -> None:
        """Route `app`'s info, stats, track, session and route planner endpoints here."""
        app.router.add_get("/version", self._version)
        app.router.add_get("/v4/info", self._info)
        app.router.add_get("/v4/stats", self._stats)
        app.router.add_get("/v4/loadtracks", self._load_tracks)
        app.router.add_get("/v4/decodetrack", self._decode_track)
        app.router.add_post("/v4/decodetracks", self._decode_tracks)
        app.router.add_patch("/v4/sessions/{session}", self._update_session)
        app.router.add_get("/v4/routeplanner/status", self._planner_status)
        app.router.add_post("/v4/routeplanner/free/address", self._planner_free)
        app.router.add_post("/v4/routeplanner/free/all", self._planner_free)

    # -- the middleware ------------------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Latency, recording, authentication, injected failures and error bodies."""
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.path == "/v4/websocket":
            response = await handler(request)
            if not response.prepared:  # a refused handshake (the 101 carries it already)
                response.headers.update(self._node.api_headers)
            self._activity.touch()
            return response
        body = await request.read()
        record = RecordedRequest(
            request.method, request.path, dict(request.query), dict(request.headers), body
        )
        self._node.requests.append(record)
        hold = next((h for h in self.holds if h.takes(record)), None)
        if hold is not None:
            self.holds.remove(hold)
            self._activity.touch()
            await hold.wait_released()
            if hold.cut_off:
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)  # never sent: the connection is gone
        try:
            response = await self._answer(request, handler)
        except validation.HTTPError as exc:
            response = self._error(request, exc.status, exc.message)
        except web.HTTPException as exc:  # no route or method: Spring answers with its JSON
            response = self._error(request, exc.status, self.unrouted(request, exc.status))
        response.headers.update(self._node.api_headers)
        record.status = response.status
        self._activity.touch()
        return response

    def refuse(self, request: web.Request) -> web.Response | None:
        """The answer to a request the server refuses before any handler (`None`: none):
        Lavalink's 401 without `Authorization`, 403 with a wrong one, both with no body."""
        auth = request.headers.get("Authorization")
        if auth is None:
            return web.Response(status=401)
        if auth != self._node.password:
            return web.Response(status=403)
        return None

    @staticmethod
    def unrouted(request: web.Request, status: int) -> str:
        """The error message of a path no route serves (404), or of a method it has not (405)."""
        if status == 405:
            return f"Request method '{request.method}' is not supported"
        return f"No static resource {request.path.lstrip('/')}."

    async def _answer(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        refused = self.refuse(request)
        if refused is not None:
            return refused
        for index, (status, prefix) in enumerate(self.failures):
            if prefix is None or request.path.startswith(prefix):
                del self.failures[index]
                raise validation.HTTPError(status, "Injected failure")
        return await handler(request)

    def _error(self, request: web.Request, status: int, message: str) -> web.Response:
        body: dict[str, typing.Any] = {
            "timestamp": int(time.time() * 1000),
            "status": status,
            "error": validation.reason(status),
            "message": message,
            "path": request.path,
        }
        if request.query.get("trace") == "true":
            body["trace"] = f"fake.LavalinkException: {message}\n\tat fake.Handler.handle"
        return web.json_response(body, status=status)

    # -- routes --------------------------------------------------------------------------

    async def _version(self, _: web.Request) -> web.Response:
        return web.Response(text=self._node.version)

    async def _info(self, _: web.Request) -> web.Response:
        version = self._node.version
        major, minor, patch = (int(p) for p in [*version.split("-")[0].split("."), "0", "0"][:3])
        info = models.Info(
            version=models.Version(
                semver=version, major=major, minor=minor, patch=patch, pre_release=None
            ),
            build_time=-1,
            git=models.Git(branch="", commit="", commit_time=0),
            jvm="17.0.15",
            lavaplayer="2.2.6",
            source_managers=list(self._node.source_managers),
            filters=[*_FILTERS, *self._node.plugin_filters],
            plugins=[models.Plugin(name=n, version=v) for n, v in self._node.plugins.items()],
        )
        return _json(info)

    async def _stats(self, _: web.Request) -> web.Response:
        payload = self._playback.stats_json()
        payload.pop("frameStats", None)  # absent over REST (null on the WebSocket)
        return web.json_response(payload)

    async def _load_tracks(self, request: web.Request) -> web.Response:
        identifier = request.query.get("identifier")
        if identifier is None:
            raise validation.HTTPError(
                400,
                "Required request parameter 'identifier' for method parameter type String "
                "is not present",
            )
        return _json(self._node.catalogue.get(identifier, load_result.EmptyResult()))

    async def _decode_track(self, request: web.Request) -> web.Response:
        encoded = request.query.get("encodedTrack") or request.query.get("track")
        if not encoded:
            raise validation.HTTPError(400, "No track to decode provided")
        return _json(validation.resolve(encoded, self._known, lavasrc=self._lavasrc()))

    async def _decode_tracks(self, request: web.Request) -> web.Response:
        items = validation.tracks_to_decode(await request.read())
        lavasrc = self._lavasrc()
        return _json([validation.resolve(i, self._known, lavasrc=lavasrc) for i in items])

    def _lavasrc(self) -> bool:
        return PluginName.LAVASRC in self._node.plugins

    async def _update_session(self, request: web.Request) -> web.Response:
        session = validation.session_of(request, self._sessions)
        try:
            update = codec.decode_session_update(await request.read())
        except RemoteProtocolError:
            raise validation.HTTPError(400, validation.MAY_NOT_PARSE) from None
        if not isinstance(update.resuming, msgspec.UnsetType):
            session.resuming = update.resuming
        if not isinstance(update.timeout, msgspec.UnsetType):
            session.timeout = update.timeout
        return _json(models.Session(resuming=session.resuming, timeout=session.timeout))

    async def _planner_status(self, _: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _planner_free(self, request: web.Request) -> web.Response:
        raise validation.HTTPError(500, "Can't access disabled route planner")


def _json(value: typing.Any) -> web.Response:
    return web.Response(body=codec.encode(value), content_type="application/json")
