"""A fake Discord (REST + gateway) on 127.0.0.1 that a real ``hikari.GatewayBot`` connects to.

It speaks the gateway as hikari 2.6/2.7 expects it: HELLO, IDENTIFY -> READY + one
``GUILD_CREATE`` per guild of the shard, RESUME -> RESUMED (or op 9 for an unknown session),
heartbeats and their ACKs, sequence numbers, and the ``zlib-stream``, ``zstd-stream`` (when a
zstd module is importable) and uncompressed transports. It answers op 4 with the bot's own
``VOICE_STATE_UPDATE`` and a ``VOICE_SERVER_UPDATE`` *on the shard the op 4 came from*, and
records every frame and every REST request.

Controls kill a shard in every way hikari tells apart (close codes, TCP abort, op 7, op 9,
unanswered heartbeats, a forgotten session), move or kick the bot, change the voice server,
send a null voice endpoint, and dispatch slash commands that hikari and lightbulb 3 parse.

Example
-------
.. code-block:: python

    import hikari
    from hikari_lavalink.testing import FakeDiscord

    async with FakeDiscord(shard_count=2) as discord:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        await bot.start(check_for_updates=False, shard_count=2)
        guild_0, guild_1 = discord.guilds  # one guild per shard
        await bot.update_voice_state(
            guild_1.id, guild_1.voice_channel_ids[0], self_mute=False, self_deaf=True
        )
        frame = await discord.wait_for_op(4)  # op 4 arrived on shard 1
        await discord.kill_shard(1, "close:4000")  # hikari resumes the session
        await discord.wait_for_shards(2)
        await bot.close()

Notes
-----
* Dispatches meant for a shard that is not connected are dropped, and RESUME replays
  nothing: the fake keeps no backlog.
* An op 4 that arrives on a shard the guild does not belong to is recorded in
  :attr:`FakeDiscord.wrong_shard_ops` and **not answered**, so a misrouted op 4 shows up as a
  voice join that never completes rather than as a success.
* ``VOICE_STATE_UPDATE`` is only sent to a shard that identified with the
  ``GUILD_VOICE_STATES`` intent, as Discord does.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import collections.abc
import contextlib
import dataclasses
import importlib
import itertools
import json
import logging
import secrets
import time
import typing
import zlib

import aiohttp
from aiohttp import web

from hikari_lavalink.testing import _server

__all__ = [
    "FakeDiscord",
    "FakeGuild",
    "RecordedClose",
    "RecordedFrame",
    "RecordedRestRequest",
    "VoiceBehaviour",
]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_discord")

JSON: typing.TypeAlias = dict[str, typing.Any]
_EPOCH_MS: typing.Final = 1420070400000
_GUILD_VOICE_STATES: typing.Final = 1 << 7
_API_PREFIX: typing.Final = "/api/v10"
_TIMESTAMP: typing.Final = "2024-01-01T00:00:00+00:00"
_ALL_PERMISSIONS: typing.Final = "2251799813685247"
_KILL_MODES: typing.Final = (
    "close:<code>",
    "abort",
    "reconnect",
    "invalid_session:true",
    "invalid_session:false",
    "stop_acks",
    "forget_session",
)


@dataclasses.dataclass(frozen=True)
class FakeGuild:
    """A guild the fake serves.

    Parameters
    ----------
    id
        The guild id; it lands on shard ``(id >> 22) % shard_count``.
    name
        The guild name.
    voice_channel_ids
        Its voice channels.
    text_channel_ids
        Its text channels.
    """

    id: int
    name: str
    voice_channel_ids: tuple[int, ...]
    text_channel_ids: tuple[int, ...]


@dataclasses.dataclass
class VoiceBehaviour:
    """How the fake answers op 4 (voice state update) in one guild.

    Parameters
    ----------
    answer
        ``False``: never answer op 4 (a voice join that times out).
    null_endpoint_first
        Send ``VOICE_SERVER_UPDATE`` with ``endpoint: null`` first and the real one ``delay``
        seconds later.
    delay
        Seconds between the ``VOICE_STATE_UPDATE`` and the (real) ``VOICE_SERVER_UPDATE``.
    ignore_joins
        Ignore this many op 4 joins (``channel_id`` set) before answering again.
    """

    answer: bool = True
    null_endpoint_first: bool = False
    delay: float = 0.0
    ignore_joins: int = 0


@dataclasses.dataclass(frozen=True)
class RecordedFrame:
    """One gateway payload, as received from the bot (``"in"``) or sent to it (``"out"``).

    Parameters
    ----------
    shard_id
        The shard of the connection: the one its IDENTIFY or RESUME names (even if refused),
        ``-1`` before that (the HELLO and early heartbeats).
    direction
        ``"in"`` (bot to fake) or ``"out"`` (fake to bot).
    op
        The gateway opcode.
    t
        The dispatch name for op 0, else ``None``.
    data
        The ``d`` field.
    at
        ``time.monotonic()`` when it was recorded.
    seq
        The sequence number ``s`` of a dispatch the fake sent, else ``None``.
    """

    shard_id: int
    direction: typing.Literal["in", "out"]
    op: int
    t: str | None
    data: typing.Any
    at: float
    seq: int | None = None


@dataclasses.dataclass(frozen=True)
class RecordedClose:
    """A gateway connection that ended.

    Parameters
    ----------
    shard_id
        The shard of the connection (``-1`` if it never identified or resumed).
    initiator
        ``"bot"`` (the bot sent a close frame), ``"fake"`` (a :meth:`FakeDiscord.kill_shard`
        close or abort) or ``"transport"`` (the socket died without a close frame).
    code
        The close code, ``None`` without a close frame.
    at
        ``time.monotonic()`` when it was recorded.
    """

    shard_id: int
    initiator: typing.Literal["bot", "fake", "transport"]
    code: int | None
    at: float


class RecordedRestRequest(typing.NamedTuple):
    """One REST request the bot made.

    Parameters
    ----------
    method
        The HTTP method.
    path
        The path after ``/api/v10`` (for example ``"/gateway/bot"``).
    body
        The JSON body (``payload_json`` of a multipart body), ``None`` without one.
    query
        The query parameters.
    """

    method: str
    path: str
    body: typing.Any
    query: dict[str, str]


class _Connection:
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
        self.ws = ws
        self.request = request
        self.compress = compress
        self.compressor = compressor
        self.shard_id = -1
        self.hint = -1
        self.acks = True
        self.closed_by_fake = False
        self.sent_close_code: int | None = None

    @property
    def recorded_shard(self) -> int:
        """The shard, or before a handshake the one its IDENTIFY or RESUME named."""
        return self.shard_id if self.shard_id >= 0 else self.hint


class _Shard:
    __slots__ = ("conn", "forget", "intents", "seq", "session_id")

    def __init__(self) -> None:
        self.conn: _Connection | None = None
        self.session_id: str | None = None
        self.seq = 0
        self.forget = False
        self.intents = 0


def _snowflake_on_shard(index: int, shard: int, shard_count: int) -> int:
    base = (1_600_000_000_000 - _EPOCH_MS) // shard_count * shard_count
    return ((base + shard + index * shard_count) << 22) | (index & 0xFFF)


def _zstd_module() -> typing.Any:
    for name in ("compression.zstd", "backports.zstd"):
        with contextlib.suppress(ImportError):
            return importlib.import_module(name)
    return None


class FakeDiscord:
    """A fake Discord (REST + gateway) for a real ``hikari.GatewayBot``.

    Use it as an async context manager, or call :meth:`start` and :meth:`stop`.

    Parameters
    ----------
    host
        The address to listen on.
    port
        The port, ``0`` for any free one (see :attr:`port` once started).
    bot_id
        The bot's user and application id; :attr:`token` encodes it.
    shard_count
        What ``GET /gateway/bot`` recommends, and what guilds are mapped with.
    guilds
        The guilds. By default one per shard (``(id >> 22) % shard_count`` is the shard),
        each with two voice channels and one text channel.
    heartbeat_interval
        Seconds, sent in HELLO (tests lower it to detect unanswered heartbeats sooner).
    voice_endpoint
        The ``endpoint`` of every ``VOICE_SERVER_UPDATE`` (``host:port``, no scheme).

    Attributes
    ----------
    frames
        Every gateway payload in both directions, in order.
    closes
        Every gateway connection that ended, with who closed it and the code.
    voice_ops
        ``(shard_id, data)`` of every op 4 received.
    wrong_shard_ops
        ``(shard_id, data)`` of every op 4 received on a shard its guild is not on.
    rest_requests
        Every REST request, in order.
    unknown_routes
        The REST requests answered with 404.
    messages
        Every message created through REST (channel messages, interaction responses and
        followups).
    interaction_responses
        ``(interaction_id, body)`` of every interaction callback.
    commands
        The global application commands (as stored by ``PUT``/``POST``).
    guild_commands
        Guild id -> that guild's application commands.
    connections, identifies, resumes
        Per shard: handshakes completed (IDENTIFY or RESUME), IDENTIFYs, successful RESUMEs.
    voice_channels
        Guild id -> the channel the bot is in, as the fake sees it.
    """

    __slots__ = (
        "_activity",
        "_behaviour",
        "_ids",
        "_interaction_channels",
        "_open",
        "_originals",
        "_port",
        "_runner",
        "_session_shards",
        "_sessions",
        "_shards",
        "_tasks",
        "_voice_flags",
        "bot_id",
        "closes",
        "commands",
        "connections",
        "frames",
        "guild_commands",
        "guilds",
        "heartbeat_interval",
        "host",
        "identifies",
        "interaction_responses",
        "messages",
        "rest_requests",
        "resumes",
        "shard_count",
        "unknown_routes",
        "voice_channels",
        "voice_endpoint",
        "voice_ops",
        "wrong_shard_ops",
    )

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 100000000000000001,
        shard_count: int = 2,
        guilds: collections.abc.Sequence[FakeGuild] | None = None,
        heartbeat_interval: float = 41.25,
        voice_endpoint: str = "fake-voice.local:443",
    ) -> None:
        if shard_count < 1:
            msg = "shard_count must be at least 1"
            raise ValueError(msg)
        self.host = host
        self.bot_id = bot_id
        self.shard_count = shard_count
        self.heartbeat_interval = heartbeat_interval
        self.voice_endpoint = voice_endpoint
        self.guilds: list[FakeGuild] = (
            list(guilds) if guilds is not None else self._default_guilds()
        )
        self.frames: list[RecordedFrame] = []
        self.closes: list[RecordedClose] = []
        self.voice_ops: list[tuple[int, JSON]] = []
        self.wrong_shard_ops: list[tuple[int, JSON]] = []
        self.rest_requests: list[RecordedRestRequest] = []
        self.unknown_routes: list[RecordedRestRequest] = []
        self.messages: list[JSON] = []
        self.interaction_responses: list[tuple[str, typing.Any]] = []
        self.commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        self.identifies: collections.Counter[int] = collections.Counter()
        self.resumes: collections.Counter[int] = collections.Counter()
        self.connections: collections.Counter[int] = collections.Counter()
        self.voice_channels: dict[int, int | None] = {}
        self._port = port
        self._runner: web.AppRunner | None = None
        self._shards: dict[int, _Shard] = {}
        self._sessions: dict[str, int] = {}
        self._session_shards: dict[str, int] = {}  # every session ever, for recording only
        self._open: set[_Connection] = set()
        self._behaviour: dict[int, VoiceBehaviour] = {}
        self._voice_flags: dict[int, tuple[bool, bool]] = {}
        self._originals: dict[str, JSON] = {}
        self._interaction_channels: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._activity = _server.Activity()
        self._tasks: set[asyncio.Task[typing.Any]] = set()

    def __repr__(self) -> str:
        connected = sorted(s for s, shard in self._shards.items() if shard.conn is not None)
        return f"FakeDiscord(port={self._port}, shards={self.shard_count}, connected={connected})"

    def _default_guilds(self) -> list[FakeGuild]:
        guilds: list[FakeGuild] = []
        for shard in range(self.shard_count):
            gid = _snowflake_on_shard(1, shard, self.shard_count)
            guilds.append(
                FakeGuild(
                    id=gid,
                    name=f"Guild on shard {shard}",
                    voice_channel_ids=(gid + 1, gid + 2),
                    text_channel_ids=(gid + 3,),
                )
            )
        return guilds

    # -- properties ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (the real one once started)."""
        return self._port

    @property
    def rest_url(self) -> str:
        """The REST base URL: pass it as ``hikari.GatewayBot(token, rest_url=...)``."""
        return f"http://{self.host}:{self._port}{_API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL that ``/gateway/bot`` and READY's ``resume_gateway_url`` name."""
        return f"ws://{self.host}:{self._port}/gateway"

    @property
    def token(self) -> str:
        """A bot token hikari accepts: ``base64(str(bot_id))`` (unpadded) + ``".fake.token"``."""
        return base64.b64encode(str(self.bot_id).encode()).decode().rstrip("=") + ".fake.token"

    @property
    def guild_ids(self) -> list[int]:
        """The guild ids, in order."""
        return [g.id for g in self.guilds]

    @property
    def member_id(self) -> int:
        """The user id of the member who runs slash commands (:meth:`dispatch_interaction`)."""
        return self.bot_id + 7

    def shard_of(self, guild_id: int) -> int:
        """Return the shard that serves ``guild_id``: ``(guild_id >> 22) % shard_count``."""
        return (guild_id >> 22) % self.shard_count

    def guild(self, guild_id: int) -> FakeGuild:
        """Return the guild with this id.

        Raises
        ------
        LookupError
            If the fake does not serve it.
        """
        for guild in self.guilds:
            if guild.id == guild_id:
                return guild
        msg = f"unknown guild {guild_id}"
        raise LookupError(msg)

    def is_connected(self, shard_id: int) -> bool:
        """Whether the shard has a gateway connection that completed its handshake."""
        shard = self._shards.get(shard_id)
        return shard is not None and shard.conn is not None

    def session_id(self, shard_id: int) -> str | None:
        """The shard's current gateway session id (``None`` before its first IDENTIFY)."""
        shard = self._shards.get(shard_id)
        return shard.session_id if shard is not None else None

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start listening (REST under ``/api/v10``, the gateway under ``/gateway``)."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", _API_PREFIX + "/{path:.*}", self._rest)
        app.router.add_route("*", "/{path:.*}", self._unknown)
        self._runner, self._port = await _server.serve(app, self.host, self._port)
        _LOGGER.debug("fake discord listening on %s:%s", self.host, self._port)

    async def stop(self) -> None:
        """Stop listening (idempotent); every open gateway connection is aborted."""
        for conn in list(self._open):
            conn.closed_by_fake = True
            _abort(conn)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # -- waiting -------------------------------------------------------------------------

    def _touch(self) -> None:
        self._activity.touch()

    async def _wait(self) -> None:
        await self._activity.wait()

    async def wait_for_op(
        self,
        op: int,
        predicate: collections.abc.Callable[[RecordedFrame], bool] | None = None,
        timeout: float = 5.0,
        *,
        after: int = 0,
    ) -> RecordedFrame:
        """Wait for a payload the bot sent with this opcode.

        Parameters
        ----------
        op
            The opcode (for example ``4`` for a voice state update).
        predicate
            Only a frame for which it returns ``True``.
        timeout
            Seconds.
        after
            Only look at :attr:`frames` from this index on (``len(fake.frames)`` taken
            before an action waits for a frame that action causes).

        Returns
        -------
        RecordedFrame
            The first matching frame.

        Raises
        ------
        TimeoutError
            If none came in time.
        """
        async with asyncio.timeout(timeout):
            while True:
                for frame in self.frames[after:]:
                    if (
                        frame.direction == "in"
                        and frame.op == op
                        and (predicate is None or predicate(frame))
                    ):
                        return frame
                await self._wait()

    async def wait_for_shards(self, count: int | None = None, timeout: float = 10.0) -> None:
        """Wait until ``count`` shards (default: all) are connected with a completed handshake.

        Raises
        ------
        TimeoutError
            If they are not in time.
        """
        wanted = self.shard_count if count is None else count
        async with asyncio.timeout(timeout):
            while sum(shard.conn is not None for shard in self._shards.values()) < wanted:
                await self._wait()

    # -- sending -------------------------------------------------------------------------

    async def _send(self, conn: _Connection, payload: JSON) -> None:
        self.frames.append(
            RecordedFrame(
                conn.recorded_shard,
                "out",
                payload["op"],
                payload.get("t"),
                payload.get("d"),
                time.monotonic(),
                payload.get("s"),
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
        self._touch()

    async def _dispatch(self, shard_id: int, event: str, data: typing.Any) -> None:
        shard = self._shards.get(shard_id)
        if shard is None or shard.conn is None:
            _LOGGER.debug("fake discord: shard %s is down; %s dropped", shard_id, event)
            return
        if event == "VOICE_STATE_UPDATE" and not shard.intents & _GUILD_VOICE_STATES:
            return  # as Discord: no voice states without the GUILD_VOICE_STATES intent
        shard.seq += 1
        await self._send(shard.conn, {"op": 0, "t": event, "s": shard.seq, "d": data})

    def _later(
        self, delay: float, action: collections.abc.Callable[[], collections.abc.Awaitable[object]]
    ) -> None:
        # A factory, not a coroutine: a task cancelled by stop() leaves no unawaited coroutine.
        async def run() -> None:
            await asyncio.sleep(delay)
            await action()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _close(self, conn: _Connection, code: int, reason: str) -> None:
        conn.closed_by_fake = True
        conn.sent_close_code = code
        self._later(0, lambda: conn.ws.close(code=code, message=reason.encode()))

    def _new_id(self) -> int:
        now = int(time.time() * 1000) - _EPOCH_MS
        return (now << 22) | (next(self._ids) & 0x3FFFFF)

    # -- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
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
        conn = _Connection(ws, request, compress, compressor)
        self._open.add(conn)
        await self._send(
            conn, {"op": 10, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}}
        )
        bot_close_code: int | None = None
        try:
            while True:
                message = await ws.receive()
                if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    await self._on_message(conn, message.data)
                elif message.type == aiohttp.WSMsgType.CLOSE:
                    bot_close_code = int(message.data)
                    break
                elif message.type in (
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                ):
                    break
        finally:
            self._open.discard(conn)
            now = time.monotonic()
            if conn.closed_by_fake:
                close = RecordedClose(conn.recorded_shard, "fake", conn.sent_close_code, now)
            elif bot_close_code is not None:
                close = RecordedClose(conn.recorded_shard, "bot", bot_close_code, now)
            else:
                close = RecordedClose(conn.recorded_shard, "transport", None, now)
            self.closes.append(close)
            shard = self._shards.get(conn.shard_id)
            if shard is not None and shard.conn is conn:
                shard.conn = None
            self._touch()
        return ws

    async def _on_message(self, conn: _Connection, raw: str | bytes) -> None:
        try:
            payload = json.loads(raw)
            op = int(payload["op"])
        except (ValueError, TypeError, KeyError):
            self._close(conn, 4002, "Error while decoding payload.")
            return
        data: typing.Any = payload.get("d")
        if op in (2, 4, 6) and not isinstance(data, dict):
            self._close(conn, 4002, "Error while decoding payload.")
            return
        if conn.shard_id < 0 and op in (2, 6):
            conn.hint = self._shard_hint(op, data)
        self.frames.append(
            RecordedFrame(conn.recorded_shard, "in", op, None, data, time.monotonic())
        )
        self._touch()
        if op == 1:
            if conn.acks:
                await self._send(conn, {"op": 11})
        elif op == 2:
            await self._identify(conn, typing.cast("JSON", data))
        elif op == 6:
            await self._resume(conn, typing.cast("JSON", data))
        elif conn.shard_id < 0:
            self._close(conn, 4003, "Not authenticated.")
        elif op == 4:
            await self._voice_state(conn, typing.cast("JSON", data))

    def _shard_hint(self, op: int, data: typing.Any) -> int:
        with contextlib.suppress(LookupError, TypeError, ValueError):
            if op == 2:
                return int(data["shard"][0])
            return self._session_shards[data["session_id"]]
        return -1

    async def _identify(self, conn: _Connection, data: JSON) -> None:
        if data.get("token") != self.token:
            self._close(conn, 4004, "Authentication failed.")
            return
        if conn.shard_id >= 0:
            self._close(conn, 4005, "Already authenticated.")
            return
        try:
            shard_id, count = (int(x) for x in data.get("shard", (0, 1)))
        except (TypeError, ValueError):
            shard_id, count = -1, 0
        if not 0 <= shard_id < count:
            self._close(conn, 4010, "Invalid shard.")
            return
        shard = self._shards.setdefault(shard_id, _Shard())
        conn.shard_id = shard_id
        if shard.session_id is not None:
            self._sessions.pop(shard.session_id, None)
        shard.session_id = secrets.token_hex(16)
        self._sessions[shard.session_id] = shard_id
        self._session_shards[shard.session_id] = shard_id
        shard.seq = 0
        shard.forget = False
        shard.intents = int(data.get("intents", 0))
        self._take_over(shard, conn)
        self.identifies[shard_id] += 1
        self.connections[shard_id] += 1
        guilds = [g for g in self.guilds if self.shard_of(g.id) == shard_id]
        ready = {
            "v": 10,
            "user": self._user(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": shard.session_id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, count],
            "application": {"id": str(self.bot_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
        }
        await self._dispatch(shard_id, "READY", ready)
        for guild in guilds:
            await self._dispatch(shard_id, "GUILD_CREATE", self._guild_payload(guild))

    async def _resume(self, conn: _Connection, data: JSON) -> None:
        if data.get("token") != self.token:
            self._close(conn, 4004, "Authentication failed.")
            return
        shard_id = self._sessions.get(str(data.get("session_id")))
        shard = self._shards.get(shard_id) if shard_id is not None else None
        if shard_id is None or shard is None or shard.forget:
            if shard is not None and shard.session_id is not None:
                self._sessions.pop(shard.session_id, None)
                shard.session_id = None
                shard.forget = False
            await self._send(conn, {"op": 9, "d": False})
            return
        conn.shard_id = shard_id
        self._take_over(shard, conn)
        self.resumes[shard_id] += 1
        self.connections[shard_id] += 1
        await self._dispatch(shard_id, "RESUMED", {})

    def _take_over(self, shard: _Shard, conn: _Connection) -> None:
        old, shard.conn = shard.conn, conn
        if old is not None and old is not conn:
            old.closed_by_fake = True
            _abort(old)

    async def _voice_state(self, conn: _Connection, data: JSON) -> None:
        self.voice_ops.append((conn.shard_id, data))
        try:
            guild_id = int(data["guild_id"])
            raw_channel = data.get("channel_id")
            channel = int(raw_channel) if raw_channel is not None else None
        except (KeyError, TypeError, ValueError):
            self._close(conn, 4002, "Error while decoding payload.")
            return
        if self.shard_of(guild_id) != conn.shard_id:
            self.wrong_shard_ops.append((conn.shard_id, data))
            _LOGGER.debug(
                "fake discord: op 4 for guild %s on shard %s (belongs to shard %s)",
                guild_id,
                conn.shard_id,
                self.shard_of(guild_id),
            )
            return
        behaviour = self._behaviour.get(guild_id, VoiceBehaviour())
        if not behaviour.answer:
            return
        if channel is not None and behaviour.ignore_joins > 0:
            behaviour.ignore_joins -= 1
            return
        self._voice_flags[guild_id] = (
            bool(data.get("self_mute", False)),
            bool(data.get("self_deaf", False)),
        )
        self.voice_channels[guild_id] = channel
        await self._dispatch(
            conn.shard_id, "VOICE_STATE_UPDATE", self._voice_state_payload(guild_id, channel)
        )
        if channel is None:
            return
        if behaviour.null_endpoint_first:
            await self.send_null_endpoint(guild_id)
            self._later(behaviour.delay, lambda: self.change_voice_server(guild_id))
        elif behaviour.delay:
            self._later(behaviour.delay, lambda: self.change_voice_server(guild_id))
        else:
            await self.change_voice_server(guild_id)

    # -- payloads ------------------------------------------------------------------------

    def _voice_state_payload(self, guild_id: int, channel: int | None) -> JSON:
        self_mute, self_deaf = self._voice_flags.get(guild_id, (False, False))
        return {
            "guild_id": str(guild_id),
            "channel_id": str(channel) if channel is not None else None,
            "user_id": str(self.bot_id),
            "member": self._member(),
            "session_id": self.session_id(self.shard_of(guild_id)) or "",
            "deaf": False,
            "mute": False,
            "self_deaf": self_deaf,
            "self_mute": self_mute,
            "self_stream": False,
            "self_video": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
        }

    def _user(self) -> JSON:
        return {
            "id": str(self.bot_id),
            "username": "fake-bot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "mfa_enabled": False,
            "flags": 0,
            "public_flags": 0,
            "verified": True,
            "locale": "en-US",
            "premium_type": 0,
            "email": None,
        }

    def _member(self, user: JSON | None = None) -> JSON:
        return {
            "user": user or self._user(),
            "nick": None,
            "avatar": None,
            "roles": [],
            "joined_at": _TIMESTAMP,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }

    def _listener(self, user_id: int) -> JSON:
        return {
            "id": str(user_id),
            "username": f"listener-{user_id}",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }

    def _guild_payload(self, guild: FakeGuild) -> JSON:
        channels: list[JSON] = [
            {
                "id": str(c),
                "type": 2,
                "guild_id": str(guild.id),
                "name": f"voice-{i}",
                "position": i,
                "permission_overwrites": [],
                "bitrate": 64000,
                "user_limit": 0,
                "parent_id": None,
                "nsfw": False,
                "rtc_region": None,
                "video_quality_mode": 1,
                "last_message_id": None,
                "rate_limit_per_user": 0,
            }
            for i, c in enumerate(guild.voice_channel_ids)
        ]
        channels += [
            {
                "id": str(c),
                "type": 0,
                "guild_id": str(guild.id),
                "name": f"text-{i}",
                "position": i,
                "permission_overwrites": [],
                "topic": None,
                "nsfw": False,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "parent_id": None,
                "default_auto_archive_duration": 1440,
            }
            for i, c in enumerate(guild.text_channel_ids)
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.bot_id + 1),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [
                {
                    "id": str(guild.id),
                    "name": "@everyone",
                    "color": 0,
                    "hoist": False,
                    "icon": None,
                    "unicode_emoji": None,
                    "position": 0,
                    "permissions": "104324673",
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": _TIMESTAMP,
            "large": False,
            "unavailable": False,
            "member_count": 1,
            "voice_states": [],
            "members": [self._member()],
            "channels": channels,
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "widget_enabled": False,
            "widget_channel_id": None,
            "safety_alerts_channel_id": None,
        }

    # -- controls ------------------------------------------------------------------------

    def set_voice_behaviour(
        self,
        guild_id: int,
        behaviour: VoiceBehaviour | None = None,
        *,
        answer: bool = True,
        null_endpoint_first: bool = False,
        delay: float = 0.0,
        ignore_joins: int = 0,
    ) -> None:
        """Choose how op 4 is answered in ``guild_id`` from now on.

        Parameters
        ----------
        guild_id
            The guild.
        behaviour
            A whole :class:`VoiceBehaviour`; when given, the keyword arguments are ignored.
        answer, null_endpoint_first, delay, ignore_joins
            The fields of :class:`VoiceBehaviour`.
        """
        self._behaviour[guild_id] = behaviour or VoiceBehaviour(
            answer=answer,
            null_endpoint_first=null_endpoint_first,
            delay=delay,
            ignore_joins=ignore_joins,
        )

    async def kill_shard(self, shard_id: int, mode: str) -> None:
        """Kill (or doom) a shard's gateway connection.

        Parameters
        ----------
        shard_id
            The shard.
        mode
            One of, or several joined with ``+`` (for example
            ``"forget_session+close:4009"``):

            * ``"close:<code>"``: a close frame with this code (``"close:4000"``,
              ``"close:1000"``, ``"close:4009"``; ``"close:4004"`` is fatal for hikari);
            * ``"abort"``: the TCP connection is aborted, no close frame;
            * ``"reconnect"``: op 7 RECONNECT;
            * ``"invalid_session:true"`` / ``"invalid_session:false"``: op 9 (``false`` also
              drops the session);
            * ``"stop_acks"``: heartbeats go unanswered until the next connection;
            * ``"forget_session"``: drop the session so the next RESUME gets op 9 ``false``.

        Raises
        ------
        ValueError
            For an unknown mode (nothing is done).
        LookupError
            If the shard is not connected and the mode needs a connection.
        """
        parts = mode.split("+")
        for part in parts:
            if not (
                part in _KILL_MODES
                or (part.startswith("close:") and part.removeprefix("close:").isdigit())
            ):
                msg = f"unknown kill mode {part!r}; expected one of {', '.join(_KILL_MODES)}"
                raise ValueError(msg)
        shard = self._shards.get(shard_id)
        if "forget_session" in parts and shard is not None:
            shard.forget = True
        for part in parts:
            if part == "forget_session":
                continue
            conn = shard.conn if shard is not None else None
            if conn is None:
                msg = f"shard {shard_id} is not connected"
                raise LookupError(msg)
            if part.startswith("close:"):
                self._close(conn, int(part.removeprefix("close:")), "fake close")
            elif part == "abort":
                conn.closed_by_fake = True
                _abort(conn)
            elif part == "reconnect":
                await self._send(conn, {"op": 7, "d": None})
            elif part.startswith("invalid_session:"):
                resumable = part == "invalid_session:true"
                if not resumable and shard is not None and shard.session_id is not None:
                    self._sessions.pop(shard.session_id, None)
                    shard.session_id = None
                await self._send(conn, {"op": 9, "d": resumable})
            else:  # stop_acks
                conn.acks = False

    async def move_bot(self, guild_id: int, channel_id: int, *, new_server: bool = False) -> None:
        """Move the bot to another voice channel, as a moderator drag does.

        Sends ``VOICE_STATE_UPDATE`` with the new channel (same session), then a new
        ``VOICE_SERVER_UPDATE`` only if ``new_server``.
        """
        self.voice_channels[guild_id] = channel_id
        await self._dispatch(
            self.shard_of(guild_id),
            "VOICE_STATE_UPDATE",
            self._voice_state_payload(guild_id, channel_id),
        )
        if new_server:
            await self.change_voice_server(guild_id)

    async def disconnect_bot(self, guild_id: int) -> None:
        """Disconnect the bot from voice, as a moderator kick does (``channel_id: null``)."""
        self.voice_channels[guild_id] = None
        await self._dispatch(
            self.shard_of(guild_id), "VOICE_STATE_UPDATE", self._voice_state_payload(guild_id, None)
        )

    async def change_voice_server(self, guild_id: int, endpoint: str | None = None) -> None:
        """Send ``VOICE_SERVER_UPDATE`` with a fresh token and ``endpoint``.

        Parameters
        ----------
        guild_id
            The guild (the event goes to its shard).
        endpoint
            ``host:port``; by default :attr:`voice_endpoint`.
        """
        await self._dispatch(
            self.shard_of(guild_id),
            "VOICE_SERVER_UPDATE",
            {
                "token": secrets.token_hex(8),
                "guild_id": str(guild_id),
                "endpoint": endpoint or self.voice_endpoint,
            },
        )

    async def send_null_endpoint(self, guild_id: int) -> None:
        """Send ``VOICE_SERVER_UPDATE`` with ``endpoint: null`` (voice server deallocated)."""
        await self._dispatch(
            self.shard_of(guild_id),
            "VOICE_SERVER_UPDATE",
            {"token": secrets.token_hex(8), "guild_id": str(guild_id), "endpoint": None},
        )

    async def put_member_in_voice(
        self, guild_id: int, channel_id: int | None, user_id: int | None = None
    ) -> None:
        """A member (by default :attr:`member_id`) joins (or, with ``None``, leaves) a channel."""
        member = self.member_id if user_id is None else user_id
        payload = self._voice_state_payload(guild_id, channel_id)
        payload["user_id"] = str(member)
        payload["session_id"] = secrets.token_hex(16)
        payload["self_deaf"] = payload["self_mute"] = False
        payload["member"] = self._member(self._listener(member))
        await self._dispatch(self.shard_of(guild_id), "VOICE_STATE_UPDATE", payload)

    async def dispatch(self, shard_id: int, event_name: str, data: typing.Any) -> None:
        """Send any dispatch (op 0) with this name and ``d`` on a shard (dropped if it is down)."""
        await self._dispatch(shard_id, event_name, data)

    async def dispatch_interaction(
        self,
        guild_id: int,
        channel_id: int,
        command_name: str,
        options: collections.abc.Sequence[JSON] | None = None,
    ) -> int:
        """Dispatch a slash command, run by :attr:`member_id` in a guild text channel.

        The ``INTERACTION_CREATE`` (type 2, APPLICATION_COMMAND) goes to the guild's shard. The
        command id is the one stored by ``PUT``/``POST`` (guild commands first) if any.

        Parameters
        ----------
        guild_id, channel_id
            Where the command runs.
        command_name
            The slash command's name.
        options
            Its options as Discord sends them, e.g.
            ``[{"name": "query", "type": 3, "value": "song"}]``.

        Returns
        -------
        int
            The interaction id (the key of :attr:`interaction_responses`).
        """
        known = [*self.guild_commands.get(guild_id, ()), *self.commands]
        command = next((c for c in known if c.get("name") == command_name), None)
        interaction_id = self._new_id()
        channel_name = "text"
        with contextlib.suppress(LookupError):
            guild = self.guild(guild_id)
            if channel_id in guild.text_channel_ids:
                channel_name = f"text-{guild.text_channel_ids.index(channel_id)}"
        data: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.bot_id),
            "type": 2,
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "guild_id": str(guild_id),
            "channel_id": str(channel_id),
            "channel": {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(guild_id),
                "name": channel_name,
                "permissions": _ALL_PERMISSIONS,
            },
            "app_permissions": _ALL_PERMISSIONS,
            "attachment_size_limit": 26214400,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "member": self._member(self._listener(self.member_id))
            | {"permissions": _ALL_PERMISSIONS},
            "data": {
                "id": str(command["id"]) if command else str(self._new_id()),
                "name": command_name,
                "type": 1,
                "options": list(options or []),
            },
        }
        if command is not None and command.get("guild_id") is not None:
            data["data"]["guild_id"] = command["guild_id"]
        self._interaction_channels[data["token"]] = channel_id
        await self._dispatch(self.shard_of(guild_id), "INTERACTION_CREATE", data)
        return interaction_id

    # -- REST ----------------------------------------------------------------------------

    async def _read_body(self, request: web.Request) -> typing.Any:
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            field = form.get("payload_json")
            return json.loads(field) if isinstance(field, str) else None
        raw = await request.read()
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    async def _unknown(self, request: web.Request) -> web.Response:
        record = RecordedRestRequest(
            request.method, request.path, await self._read_body(request), dict(request.query)
        )
        self.rest_requests.append(record)
        self.unknown_routes.append(record)
        self._touch()
        return web.json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        record = RecordedRestRequest(
            request.method, path, await self._read_body(request), dict(request.query)
        )
        self.rest_requests.append(record)
        self._touch()
        auth = request.headers.get("Authorization")
        if auth is not None and auth != f"Bot {self.token}":
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        response = self._route(record, path.strip("/").split("/"))
        if response is None:
            self.unknown_routes.append(record)
            _LOGGER.debug("fake discord: unknown route %s %s", request.method, path)
            return web.json_response({"message": "Unknown route (fake)", "code": 0}, status=404)
        return response

    def _route(self, request: RecordedRestRequest, parts: list[str]) -> web.Response | None:
        method, body = request.method, request.body
        match parts:
            case ["gateway", "bot"] if method == "GET":
                return web.json_response(
                    {
                        "url": self.gateway_url,
                        "shards": self.shard_count,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 1000,
                            "reset_after": 0,
                            "max_concurrency": 16,
                        },
                    }
                )
            case ["gateway"] if method == "GET":
                return web.json_response({"url": self.gateway_url})
            case ["users", "@me"] if method == "GET":
                return web.json_response(self._user())
            case ["oauth2", "applications", "@me"] if method == "GET":
                return web.json_response(self._application())
            case ["applications", _, "commands"]:
                return self._commands(method, body, self.commands, None)
            case ["applications", _, "guilds", guild, "commands"] if guild.isdigit():
                stored = self.guild_commands.setdefault(int(guild), [])
                return self._commands(method, body, stored, int(guild))
            case ["interactions", interaction_id, token, "callback"] if method == "POST":
                return self._callback(interaction_id, token, body)
            case ["channels", channel, "messages"] if method == "POST" and channel.isdigit():
                return web.json_response(self._store_message(body, channel_id=int(channel)))
            case ["webhooks", _, token] if method == "POST":
                return web.json_response(self._store_message(body, webhook_token=token))
            case ["webhooks", _, token, "messages", message_id]:
                return self._webhook_message(method, token, message_id, body)
            case _:
                return None

    def _commands(
        self, method: str, body: typing.Any, stored: list[JSON], guild_id: int | None
    ) -> web.Response | None:
        def with_id(command: JSON) -> JSON:
            return {
                "default_member_permissions": None,
                "type": 1,
                "version": str(self._new_id()),
                "description": "",
                **command,
                "id": str(self._new_id()),
                "application_id": str(self.bot_id),
                "guild_id": str(guild_id) if guild_id is not None else None,
            }

        if method == "GET":
            return web.json_response(stored)
        if method == "PUT" and isinstance(body, list):
            commands = typing.cast("list[JSON]", body)
            stored[:] = [with_id(c) for c in commands]
            return web.json_response(stored)
        if method == "POST" and isinstance(body, dict):
            command = with_id(typing.cast("JSON", body))
            stored[:] = [c for c in stored if c.get("name") != command.get("name")]
            stored.append(command)
            return web.json_response(command, status=201)
        return None

    def _callback(self, interaction_id: str, token: str, body: typing.Any) -> web.Response:
        self.interaction_responses.append((interaction_id, body))
        interaction: JSON = {"id": interaction_id, "type": 2}
        fields = typing.cast("JSON", body) if isinstance(body, dict) else {}
        if fields.get("type") == 4:  # CHANNEL_MESSAGE_WITH_SOURCE creates the original message
            message = self._store_message(fields.get("data"), webhook_token=token)
            self._originals[token] = message
            interaction["response_message_id"] = message["id"]
        return web.json_response({"interaction": interaction})

    def _webhook_message(
        self, method: str, token: str, message_id: str, body: typing.Any
    ) -> web.Response | None:
        original = self._originals.get(token) if message_id == "@original" else None
        if message_id != "@original":
            original = next((m for m in self.messages if m["id"] == message_id), None)
        if method == "GET":
            return web.json_response(original) if original is not None else None
        if method == "DELETE":
            return web.Response(status=204)
        if method == "PATCH":
            edit = typing.cast("JSON", body) if isinstance(body, dict) else {}
            if original is None:
                original = self._store_message(edit, webhook_token=token)
                if message_id == "@original":
                    self._originals[token] = original
            else:
                original.update({k: v for k, v in edit.items() if k in ("content", "embeds")})
                original["edited_timestamp"] = _TIMESTAMP
            return web.json_response(original)
        return None

    def _application(self) -> JSON:
        return {
            "id": str(self.bot_id),
            "name": "fake-app",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self._user() | {"id": str(self.bot_id + 1), "bot": False},
            "team": None,
            "summary": "",
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
        }

    def _store_message(
        self, body: typing.Any, *, channel_id: int | None = None, webhook_token: str | None = None
    ) -> JSON:
        fields = typing.cast("JSON", body) if isinstance(body, dict) else {}
        if channel_id is None:
            channel_id = self._interaction_channels.get(webhook_token or "")
        if channel_id is None:
            channel_id = self.guilds[0].text_channel_ids[0] if self.guilds else self.bot_id
        message: JSON = {
            "id": str(self._new_id()),
            "channel_id": str(channel_id),
            "author": self._user(),
            "content": fields.get("content") or "",
            "timestamp": _TIMESTAMP,
            "edited_timestamp": None,
            "tts": bool(fields.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": fields.get("embeds") or [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": int(fields.get("flags") or 0),
        }
        for guild in self.guilds:
            if channel_id in guild.text_channel_ids or channel_id in guild.voice_channel_ids:
                message["guild_id"] = str(guild.id)
        if webhook_token is not None:
            message["webhook_id"] = str(self.bot_id)
            message["application_id"] = str(self.bot_id)
        self.messages.append(message)
        return message


def _abort(conn: _Connection) -> None:
    transport = conn.request.transport
    if transport is not None:
        transport.abort()
