"""The fake Discord's gateway: connections, shard sessions, heartbeats, dispatch, deaths.

It speaks the gateway as hikari 2.6/2.7 expects it. A connection gets HELLO with the
heartbeat interval; IDENTIFY (right token, a shard inside the count, once) starts a new
session: READY, then one `GUILD_CREATE` per guild of the shard. Dispatches are numbered per
session, and the session keeps the last `backlog_size` of them, those made while its shard
is down too. RESUME of a known session replays every kept dispatch after the `seq` it names,
then sends RESUMED; a `seq` ahead of the session's gets 4007 (the session ends), one from
before the oldest kept dispatch (or of an unknown or forgotten session) op 9 `false`. While
a session replays, its new dispatches wait their turn. Heartbeats are ACKed. The
`zlib-stream`, `zstd-stream` (when a zstd module is importable) and uncompressed
transports are served, `encoding=json` only. Faults close as Discord closes: 4002 for a
payload that does not decode, 4003 for anything but a heartbeat before the handshake, 4004
for a wrong token, 4005 for a second IDENTIFY, 4010 for a shard outside the count. A new
connection for a shard takes over from (and aborts) the old one. Dispatches meant for a shard
with no session are dropped, and `VOICE_STATE_UPDATE` goes only to a shard that identified
with the `GUILD_VOICE_STATES` intent; without `MESSAGE_CONTENT`, a guild message that does not
mention the bot comes with no content (nor embeds, attachments, components). An op 4 is
handed to `.voice`.
"""

from __future__ import annotations

import asyncio
import collections
import collections.abc
import contextlib
import functools
import importlib
import json
import logging
import secrets
import time
import typing
import zlib

from aiohttp import web

from hikari_lavalink.testing import _server
from hikari_lavalink.testing.fake_discord import payloads
from hikari_lavalink.testing.fake_discord.records import RecordedClose, RecordedFrame

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_discord.server import FakeDiscord

    OnVoiceState: typing.TypeAlias = collections.abc.Callable[
        [int, dict[str, typing.Any]], collections.abc.Awaitable[bool]
    ]
    """Answers an op 4 from a shard; `False` if it does not decode."""

__all__ = ["KILL_MODES", "Connection", "Gateway", "Shard"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_discord")

JSON: typing.TypeAlias = dict[str, typing.Any]
_GUILD_VOICE_STATES: typing.Final = 1 << 7
_MESSAGE_CONTENT: typing.Final = 1 << 15
KILL_MODES: typing.Final = (
    "close:<code>",
    "abort",
    "reconnect",
    "invalid_session:true",
    "invalid_session:false",
    "stop_acks",
    "forget_session",
    "lose_backlog",
)
_SESSION_MODES: typing.Final = frozenset(("forget_session", "lose_backlog"))


class Connection:
    """One gateway WebSocket, and what the fake knows of it."""

    __slots__ = (
        "acks",
        "closed_by_fake",
        "compress",
        "compressor",
        "hint",
        "request",
        "sent_close_code",
        "shard_id",
        "ws",
    )

    def __init__(
        self, ws: web.WebSocketResponse, request: web.Request, compress: str, compressor: typing.Any
    ) -> None:
        self.ws: web.WebSocketResponse = ws
        self.request: web.Request = request
        self.compress: str = compress
        self.compressor: typing.Any = compressor
        self.shard_id: int = -1
        self.hint: int = -1
        self.acks: bool = True
        self.closed_by_fake: bool = False
        self.sent_close_code: int | None = None

    @property
    def recorded_shard(self) -> int:
        """The shard, or before a handshake the one its IDENTIFY or RESUME named."""
        return self.shard_id if self.shard_id >= 0 else self.hint


class Shard:
    """One shard's session, its backlog of dispatches, and its current connection."""

    __slots__ = ("backlog", "conn", "floor", "forget", "intents", "lock", "seq", "session_id")

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self.session_id: str | None = None
        self.seq: int = 0
        self.forget: bool = False
        self.intents: int = 0
        self.backlog: collections.deque[JSON] = collections.deque()
        """The session's last dispatches, oldest first (RESUMED is never kept)."""
        self.floor: int = 0
        """The last seq no longer kept: a RESUME from before it cannot be replayed."""
        self.lock: asyncio.Lock = asyncio.Lock()
        """Held to number and send a dispatch, and for a RESUME's whole replay."""

    def end_session(self) -> None:
        """The session is gone, and with it its backlog."""
        self.session_id = None
        self.forget = False
        self.backlog.clear()
        self.floor = 0


def _zstd_module() -> typing.Any:
    for name in ("compression.zstd", "backports.zstd"):
        with contextlib.suppress(ImportError):
            return importlib.import_module(name)
    return None


class Gateway:
    """The `/gateway` endpoint and every shard's session and connection."""

    __slots__ = (
        "_activity",
        "_app",
        "_on_voice",
        "_open",
        "_session_shards",
        "_sessions",
        "_tasks",
        "shards",
    )

    def __init__(
        self, app: FakeDiscord, activity: _server.Activity, on_voice_state: OnVoiceState
    ) -> None:
        self._app = app
        self._activity = activity
        self._on_voice = on_voice_state
        self.shards: dict[int, Shard] = {}
        self._sessions: dict[str, int] = {}
        self._session_shards: dict[str, int] = {}  # every session ever, for recording only
        self._open: set[Connection] = set()
        self._tasks: set[asyncio.Task[typing.Any]] = set()

    # -- state ---------------------------------------------------------------------------

    def connection(self, shard_id: int) -> Connection | None:
        """The shard's connection, if it completed a handshake and is open."""
        shard = self.shards.get(shard_id)
        return shard.conn if shard is not None else None

    def connected(self) -> int:
        """How many shards are connected."""
        return sum(shard.conn is not None for shard in self.shards.values())

    # -- lifecycle -----------------------------------------------------------------------

    def later(
        self, delay: float, action: collections.abc.Callable[[], collections.abc.Awaitable[object]]
    ) -> None:
        """Run `action()` in `delay` seconds, unless the fake stops first."""

        # A factory, not a coroutine: a task cancelled by stop() leaves no unawaited coroutine.
        async def run() -> None:
            await asyncio.sleep(delay)
            await action()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Abort every connection and cancel what was to happen later."""
        for conn in list(self._open):
            conn.closed_by_fake = True
            _server.abort(conn.request)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- sending -------------------------------------------------------------------------

    async def send(self, conn: Connection, payload: JSON, *, replayed: bool = False) -> None:
        """Record and send one payload on a connection (compressed as it asked)."""
        self._app.frames.append(
            RecordedFrame(
                conn.recorded_shard,
                "out",
                payload["op"],
                payload.get("t"),
                payload.get("d"),
                time.monotonic(),
                payload.get("s"),
                replayed,
            )
        )
        raw = json.dumps(payload).encode()
        try:
            if conn.compress == "zlib-stream":
                await conn.ws.send_bytes(
                    conn.compressor.compress(raw) + conn.compressor.flush(zlib.Z_SYNC_FLUSH)
                )
            elif conn.compress == "zstd-stream":
                block = conn.compressor.compress(raw, mode=conn.compressor.FLUSH_BLOCK)
                await conn.ws.send_bytes(block)
            else:
                await conn.ws.send_str(raw.decode())
        except (ConnectionError, RuntimeError) as exc:
            _LOGGER.debug("fake discord: send to shard %s failed: %s", conn.shard_id, exc)
        self._activity.touch()

    async def dispatch(self, shard_id: int, event: str, data: typing.Any) -> None:
        """Number a dispatch of the shard's session, keep it, and send it if the shard is up.

        Dropped if the shard has no session, or if it is down and the fake does not replay.
        """
        shard = self.shards.get(shard_id)
        if shard is None or shard.session_id is None:
            _LOGGER.debug("fake discord: shard %s has no session; %s dropped", shard_id, event)
            return
        if event == "VOICE_STATE_UPDATE" and not shard.intents & _GUILD_VOICE_STATES:
            return  # as Discord: no voice states without the GUILD_VOICE_STATES intent
        if event in {"MESSAGE_CREATE", "MESSAGE_UPDATE"} and not shard.intents & _MESSAGE_CONTENT:
            # As Discord: without MESSAGE_CONTENT a guild message reaches the bot empty,
            # unless it mentions the bot.
            mentioned = any(
                str(m.get("id")) == str(self._app.bot_id) for m in data.get("mentions", [])
            )
            if data.get("guild_id") is not None and not mentioned:
                data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        async with shard.lock:
            await self._emit(shard, event, data)

    async def _emit(self, shard: Shard, event: str, data: typing.Any, *, keep: bool = True) -> None:
        replay = self._app.replay_on_resume
        if shard.conn is None and not replay:
            _LOGGER.debug("fake discord: shard is down and nothing is replayed; %s dropped", event)
            return
        shard.seq += 1
        payload = {"op": 0, "t": event, "s": shard.seq, "d": data}
        if keep and replay:
            shard.backlog.append(payload)
            while len(shard.backlog) > max(self._app.backlog_size, 0):
                shard.floor = shard.backlog.popleft()["s"]
        if shard.conn is not None:
            await self.send(shard.conn, payload)

    def close(self, conn: Connection, code: int, reason: str) -> None:
        """Close the connection with `code` (soon, from a task of its own)."""
        conn.closed_by_fake = True
        conn.sent_close_code = code
        self.later(0, lambda: conn.ws.close(code=code, message=reason.encode()))

    # -- the endpoint --------------------------------------------------------------------

    async def endpoint(self, request: web.Request) -> web.StreamResponse:
        """`GET /gateway`: refuse what Discord refuses, or run the connection until it ends."""
        compress = request.query.get("compress", "none")
        compressor: typing.Any = None
        if compress == "zlib-stream":
            compressor = zlib.compressobj()
        elif compress == "zstd-stream":
            zstd = _zstd_module()
            if zstd is None:
                return web.Response(status=400, text="zstd-stream needs a zstd module")
            compressor = zstd.ZstdCompressor()
        elif compress != "none":
            return web.Response(status=400, text=f"unsupported compression {compress!r}")
        if request.query.get("encoding", "json") != "json":
            return web.Response(status=400, text="only encoding=json is supported")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = Connection(ws, request, compress, compressor)
        self._open.add(conn)
        interval = int(self._app.heartbeat_interval * 1000)
        await self.send(conn, {"op": 10, "d": {"heartbeat_interval": interval}})
        bot_close_code: int | None = None
        try:
            bot_close_code = await _server.read(ws, functools.partial(self._on_message, conn))
        finally:
            self._open.discard(conn)
            now = time.monotonic()
            if conn.closed_by_fake:
                close = RecordedClose(conn.recorded_shard, "fake", conn.sent_close_code, now)
            elif bot_close_code is not None:
                close = RecordedClose(conn.recorded_shard, "bot", bot_close_code, now)
            else:
                close = RecordedClose(conn.recorded_shard, "transport", None, now)
            self._app.closes.append(close)
            shard = self.shards.get(conn.shard_id)
            if shard is not None and shard.conn is conn:
                shard.conn = None
            self._activity.touch()
        return ws

    async def _on_message(self, conn: Connection, raw: str | bytes) -> None:
        try:
            payload = json.loads(raw)
            op = int(payload["op"])
        except (ValueError, TypeError, KeyError):
            self.close(conn, 4002, "Error while decoding payload.")
            return
        data: typing.Any = payload.get("d")
        if op in (2, 4, 6) and not isinstance(data, dict):
            self.close(conn, 4002, "Error while decoding payload.")
            return
        if conn.shard_id < 0 and op in (2, 6):
            conn.hint = self._shard_hint(op, data)
        self._app.frames.append(
            RecordedFrame(conn.recorded_shard, "in", op, None, data, time.monotonic())
        )
        self._activity.touch()
        if op == 1:
            if conn.acks:
                await self.send(conn, {"op": 11})
        elif op == 2:
            await self._identify(conn, typing.cast("JSON", data))
        elif op == 6:
            await self._resume(conn, typing.cast("JSON", data))
        elif conn.shard_id < 0:
            self.close(conn, 4003, "Not authenticated.")
        elif op == 4 and not await self._on_voice(conn.shard_id, typing.cast("JSON", data)):
            self.close(conn, 4002, "Error while decoding payload.")

    def _shard_hint(self, op: int, data: typing.Any) -> int:
        with contextlib.suppress(LookupError, TypeError, ValueError):
            if op == 2:
                return int(data["shard"][0])
            return self._session_shards[data["session_id"]]
        return -1

    async def _identify(self, conn: Connection, data: JSON) -> None:
        app = self._app
        if data.get("token") != app.token:
            self.close(conn, 4004, "Authentication failed.")
            return
        if conn.shard_id >= 0:
            self.close(conn, 4005, "Already authenticated.")
            return
        try:
            shard_id, count = (int(x) for x in data.get("shard", (0, 1)))
        except (TypeError, ValueError):
            shard_id, count = -1, 0
        if not 0 <= shard_id < count:
            self.close(conn, 4010, "Invalid shard.")
            return
        shard = self.shards.setdefault(shard_id, Shard())
        conn.shard_id = shard_id
        self._end_session(shard)
        shard.session_id = session_id = secrets.token_hex(16)
        self._sessions[session_id] = shard_id
        self._session_shards[session_id] = shard_id
        shard.seq = 0
        shard.intents = int(data.get("intents", 0))
        self._take_over(shard, conn)
        app.identifies[shard_id] += 1
        app.connections[shard_id] += 1
        guilds = [g for g in app.guilds if app.shard_of(g.id) == shard_id]
        ready = payloads.ready(app.bot_id, (shard_id, count), session_id, app.gateway_url, guilds)
        await self.dispatch(shard_id, "READY", ready)
        for guild in guilds:
            await self.dispatch(shard_id, "GUILD_CREATE", payloads.guild_create(guild, app.bot_id))

    async def _resume(self, conn: Connection, data: JSON) -> None:
        if data.get("token") != self._app.token:
            self.close(conn, 4004, "Authentication failed.")
            return
        shard_id = self._sessions.get(str(data.get("session_id")))
        shard = self.shards.get(shard_id) if shard_id is not None else None
        if shard_id is None or shard is None or shard.forget:
            if shard is not None:
                self._end_session(shard)
            await self.send(conn, {"op": 9, "d": False})
            return
        async with shard.lock:  # the replay goes out whole, before what is dispatched meanwhile
            seq = data.get("seq")
            if type(seq) is not int or not 0 <= seq <= shard.seq:
                self._end_session(shard)  # Discord: "reconnect and start a new session"
                self.close(conn, 4007, "Invalid seq.")
                return
            if seq < shard.floor:  # the dispatches it missed are no longer kept
                self._end_session(shard)
                await self.send(conn, {"op": 9, "d": False})
                return
            conn.shard_id = shard_id
            self._take_over(shard, conn)
            self._app.resumes[shard_id] += 1
            self._app.connections[shard_id] += 1
            for payload in [p for p in shard.backlog if p["s"] > seq]:
                await self.send(conn, payload, replayed=True)
            await self._emit(shard, "RESUMED", {}, keep=False)

    def _end_session(self, shard: Shard) -> None:
        if shard.session_id is not None:
            self._sessions.pop(shard.session_id, None)
        shard.end_session()

    def _take_over(self, shard: Shard, conn: Connection) -> None:
        old, shard.conn = shard.conn, conn
        if old is not None and old is not conn:
            old.closed_by_fake = True
            _server.abort(old.request)

    # -- deaths --------------------------------------------------------------------------

    async def kill(self, shard_id: int, mode: str) -> None:
        """Carry out
        [`FakeDiscord.kill_shard`][hikari_lavalink.testing.FakeDiscord.kill_shard] (its
        docstring says what each mode does)."""
        parts = mode.split("+")
        for part in parts:
            if not (
                part in KILL_MODES
                or (part.startswith("close:") and part.removeprefix("close:").isdigit())
            ):
                msg = f"unknown kill mode {part!r}; expected one of {', '.join(KILL_MODES)}"
                raise ValueError(msg)
        shard = self.shards.get(shard_id)
        if shard is not None and "forget_session" in parts:
            shard.forget = True
        if shard is not None and "lose_backlog" in parts:
            shard.backlog.clear()
            shard.floor = shard.seq
        for part in parts:
            if part in _SESSION_MODES:
                continue
            conn = shard.conn if shard is not None else None
            if conn is None:
                msg = f"shard {shard_id} is not connected"
                raise LookupError(msg)
            if part.startswith("close:"):
                self.close(conn, int(part.removeprefix("close:")), "fake close")
            elif part == "abort":
                conn.closed_by_fake = True
                _server.abort(conn.request)
            elif part == "reconnect":
                await self.send(conn, {"op": 7, "d": None})
            elif part.startswith("invalid_session:"):
                resumable = part == "invalid_session:true"
                if not resumable and shard is not None:
                    self._end_session(shard)
                await self.send(conn, {"op": 9, "d": resumable})
            else:  # stop_acks
                conn.acks = False
