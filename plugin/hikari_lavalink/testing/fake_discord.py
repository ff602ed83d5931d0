"""A fake Discord (REST + gateway) on 127.0.0.1 that a real ``hikari.GatewayBot`` connects to.

It speaks the gateway as hikari 2.6/2.7 expects it (HELLO, IDENTIFY/READY + GUILD_CREATE,
RESUME/RESUMED, heartbeats, zlib-stream or plain frames), answers op 4 with the bot's own
``VOICE_STATE_UPDATE`` and a ``VOICE_SERVER_UPDATE`` *on the shard the op 4 came from*, and
records every frame. Controls kill a shard in every way hikari distinguishes (close codes,
TCP abort, op 7, op 9, silent heartbeats), move or kick the bot, send a null voice endpoint,
and dispatch slash commands.

Example
-------
.. code-block:: python

    async with FakeDiscord(shard_count=2) as discord:
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
        await bot.start(check_for_updates=False, shard_count=2)
        guild_0, guild_1 = discord.guild_ids  # one per shard
        ...
        await bot.close()
"""

from __future__ import annotations

import asyncio
import base64
import collections
import collections.abc
import contextlib
import dataclasses
import json
import logging
import secrets
import time
import typing
import zlib

import aiohttp
from aiohttp import web

from hikari_lavalink.testing import _server

__all__ = ["FakeDiscord", "FakeGuild", "RecordedFrame", "VoiceBehaviour"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_discord")
JSON: typing.TypeAlias = dict[str, typing.Any]
_EPOCH_MS: typing.Final = 1420070400000
_GUILD_VOICE_STATES: typing.Final = 1 << 7


@dataclasses.dataclass(frozen=True)
class FakeGuild:
    """A guild the fake serves: its id and channels."""

    id: int
    name: str
    voice_channel_ids: tuple[int, ...]
    text_channel_ids: tuple[int, ...]


@dataclasses.dataclass
class VoiceBehaviour:
    """How the fake answers op 4 in a guild."""

    answer: bool = True
    """``False``: never answer (a voice join that times out)."""
    null_endpoint_first: bool = False
    """First send ``VOICE_SERVER_UPDATE`` with ``endpoint: null``, the real one after ``delay``."""
    delay: float = 0.0
    ignore_joins: int = 0
    """Ignore this many op 4 joins before answering again (a voice server that never comes)."""


@dataclasses.dataclass(frozen=True)
class RecordedFrame:
    """One gateway payload, as sent (``out``) or received (``in``) by the fake."""

    shard_id: int
    direction: str
    op: int
    t: str | None
    data: typing.Any
    at: float


class _Connection:
    __slots__ = ("acks", "compress", "compressor", "shard_id", "ws")

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.compress = compress
        self.compressor = zlib.compressobj() if compress == "zlib-stream" else None
        self.shard_id = -1
        self.acks = True


class _Session:
    __slots__ = ("id", "seq", "shard_id")

    def __init__(self, shard_id: int) -> None:
        self.id = secrets.token_hex(16)
        self.shard_id = shard_id
        self.seq = 0


def snowflake(index: int, shard: int, shard_count: int) -> int:
    """A snowflake whose ``(id >> 22) % shard_count`` is ``shard``."""
    base = (1_600_000_000_000 - _EPOCH_MS) // shard_count * shard_count
    return ((base + shard + index * shard_count) << 22) | (index & 0xFFF)


class FakeDiscord:
    """A fake Discord for a real ``hikari.GatewayBot``.

    Parameters
    ----------
    host, port
        Where to listen (port 0: any free port).
    bot_id
        The bot's user id (the token encodes it).
    shard_count
        What ``/gateway/bot`` recommends.
    guilds
        The guilds; by default one per shard, each with two voice channels and a text channel.
    heartbeat_interval
        Seconds, sent in HELLO.
    voice_endpoint
        The ``endpoint`` of ``VOICE_SERVER_UPDATE``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 100000000000000001,
        shard_count: int = 2,
        guilds: collections.abc.Sequence[FakeGuild] | None = None,
        heartbeat_interval: float = 41.25,
        voice_endpoint: str = "c-ams09-fake.discord.media:443",
    ) -> None:
        self.host = host
        self.bot_id = bot_id
        self.shard_count = shard_count
        self.heartbeat_interval = heartbeat_interval
        self.voice_endpoint = voice_endpoint
        self.guilds: list[FakeGuild] = (
            list(guilds) if guilds is not None else self._default_guilds()
        )
        self.frames: list[RecordedFrame] = []
        self.voice_ops: list[tuple[int, JSON]] = []
        self.wrong_shard_ops: list[tuple[int, JSON]] = []
        self.rest_requests: list[tuple[str, str, typing.Any]] = []
        self.messages: list[JSON] = []
        self.interaction_responses: list[tuple[str, typing.Any]] = []
        self.commands: list[JSON] = []
        self.identifies: collections.Counter[int] = collections.Counter()
        self.resumes: collections.Counter[int] = collections.Counter()
        self.connections: collections.Counter[int] = collections.Counter()
        self.voice_channels: dict[int, int | None] = {}
        """guild id -> the channel the bot is in, as the fake sees it."""
        self._port = port
        self._runner: web.AppRunner | None = None
        self._conns: dict[int, _Connection] = {}
        self._sessions: dict[str, _Session] = {}
        self._forget: set[int] = set()
        self._behaviour: dict[int, VoiceBehaviour] = {}
        self._intents: dict[int, int] = {}
        self._activity = _server.Activity()
        self._tasks: set[asyncio.Task[typing.Any]] = set()

    def __repr__(self) -> str:
        connected = sorted(self._conns)
        return f"FakeDiscord(port={self._port}, shards={self.shard_count}, connected={connected})"

    def _default_guilds(self) -> list[FakeGuild]:
        guilds: list[FakeGuild] = []
        for shard in range(self.shard_count):
            gid = snowflake(1, shard, self.shard_count)
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
        """The port it listens on."""
        return self._port

    @property
    def rest_url(self) -> str:
        """Pass as ``GatewayBot(..., rest_url=...)``."""
        return f"http://{self.host}:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The gateway URL ``/gateway/bot`` hands out."""
        return f"ws://{self.host}:{self._port}/gateway"

    @property
    def token(self) -> str:
        """A token hikari accepts; it encodes :attr:`bot_id`."""
        return base64.b64encode(str(self.bot_id).encode()).decode().rstrip("=") + ".fake.token"

    @property
    def guild_ids(self) -> list[int]:
        """The guild ids, in order."""
        return [g.id for g in self.guilds]

    def shard_of(self, guild_id: int) -> int:
        """The shard that serves ``guild_id``."""
        return (guild_id >> 22) % self.shard_count

    def is_connected(self, shard_id: int) -> bool:
        """Whether the shard has a live gateway connection."""
        return shard_id in self._conns

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner, self._port = await _server.serve(app, self.host, self._port)

    async def stop(self) -> None:
        """Stop (idempotent): every gateway connection is aborted."""
        for conn in list(self._conns.values()):
            _server.abort(conn.ws)
        self._conns.clear()
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
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> RecordedFrame:
        """Wait for a frame the bot sent with this op (from index ``after`` of :attr:`frames`)."""
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
        """Wait until ``count`` shards (default: all) are connected with a session."""
        wanted = self.shard_count if count is None else count
        async with asyncio.timeout(timeout):
            while len(self._conns) < wanted:
                await self._wait()

    # -- sending -------------------------------------------------------------------------

    async def _send(self, conn: _Connection, payload: JSON) -> None:
        self.frames.append(
            RecordedFrame(
                conn.shard_id,
                "out",
                payload["op"],
                payload.get("t"),
                payload.get("d"),
                time.monotonic(),
            )
        )
        raw = json.dumps(payload).encode()
        try:
            if conn.compressor is not None:
                await conn.ws.send_bytes(
                    conn.compressor.compress(raw) + conn.compressor.flush(zlib.Z_SYNC_FLUSH)
                )
            else:
                await conn.ws.send_str(raw.decode())
        except (ConnectionError, RuntimeError) as exc:
            _LOGGER.debug("fake discord: send to shard %s failed: %s", conn.shard_id, exc)
        self._touch()

    async def _dispatch(self, shard_id: int, event: str, data: typing.Any) -> None:
        conn = self._conns.get(shard_id)
        if conn is None:
            _LOGGER.debug("fake discord: shard %s is down; %s not sent", shard_id, event)
            return
        if (
            event == "VOICE_STATE_UPDATE"
            and not self._intents.get(shard_id, 0) & _GUILD_VOICE_STATES
        ):
            return  # as Discord: no voice states without the GUILD_VOICE_STATES intent
        session = self._session_of(shard_id)
        session.seq += 1
        await self._send(conn, {"op": 0, "t": event, "s": session.seq, "d": data})

    def _session_of(self, shard_id: int) -> _Session:
        for session in self._sessions.values():
            if session.shard_id == shard_id:
                return session
        session = _Session(shard_id)
        self._sessions[session.id] = session
        return session

    # -- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        compress = request.query.get("compress")
        if compress not in (None, "zlib-stream"):
            return web.Response(
                status=400, text=f"compression {compress!r} not supported by the fake"
            )
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        conn = _Connection(ws, compress)
        await self._send(
            conn, {"op": 10, "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)}}
        )
        try:
            while True:
                message = await ws.receive()
                if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    raw = message.data
                    payload = json.loads(raw if isinstance(raw, str) else raw.decode())
                    await self._on_payload(conn, payload)
                elif message.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSING,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                ):
                    break
        finally:
            if self._conns.get(conn.shard_id) is conn:
                del self._conns[conn.shard_id]
            self._touch()
        return ws

    async def _on_payload(self, conn: _Connection, payload: JSON) -> None:
        op = payload.get("op")
        data: typing.Any = payload.get("d")
        self.frames.append(
            RecordedFrame(conn.shard_id, "in", int(op or 0), None, data, time.monotonic())
        )
        self._touch()
        if op == 1:
            if conn.acks:
                await self._send(conn, {"op": 11})
        elif op == 2:
            await self._identify(conn, data)
        elif op == 6:
            await self._resume(conn, data)
        elif op == 4:
            await self._voice_state(conn, data)

    async def _identify(self, conn: _Connection, data: JSON) -> None:
        shard_id, _count = data["shard"]
        conn.shard_id = shard_id
        self._intents[shard_id] = int(data.get("intents", 0))
        self.identifies[shard_id] += 1
        self.connections[shard_id] += 1
        for sid in [s.id for s in self._sessions.values() if s.shard_id == shard_id]:
            del self._sessions[sid]
        self._forget.discard(shard_id)
        session = _Session(shard_id)
        self._sessions[session.id] = session
        old = self._conns.get(shard_id)
        if old is not None and old is not conn:
            _server.abort(old.ws)
        self._conns[shard_id] = conn
        guilds = [g for g in self.guilds if self.shard_of(g.id) == shard_id]
        ready = {
            "v": 10,
            "user": self._user(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, self.shard_count],
            "application": {"id": str(self.bot_id), "flags": 0},
        }
        await self._dispatch(shard_id, "READY", ready)
        for guild in guilds:
            await self._dispatch(shard_id, "GUILD_CREATE", self._guild_payload(guild))

    async def _resume(self, conn: _Connection, data: JSON) -> None:
        session = self._sessions.get(data.get("session_id", ""))
        if session is None or session.shard_id in self._forget:
            if session is not None:
                self._forget.discard(session.shard_id)
                del self._sessions[session.id]
            await self._send(conn, {"op": 9, "d": False})
            return
        conn.shard_id = session.shard_id
        self.resumes[session.shard_id] += 1
        self.connections[session.shard_id] += 1
        old = self._conns.get(session.shard_id)
        if old is not None and old is not conn:
            _server.abort(old.ws)
        self._conns[session.shard_id] = conn
        await self._dispatch(session.shard_id, "RESUMED", {})

    async def _voice_state(self, conn: _Connection, data: JSON) -> None:
        guild_id = int(data["guild_id"])
        self.voice_ops.append((conn.shard_id, data))
        if self.shard_of(guild_id) != conn.shard_id:
            self.wrong_shard_ops.append((conn.shard_id, data))
            return
        raw_channel = data.get("channel_id")
        channel = int(raw_channel) if raw_channel is not None else None
        behaviour = self._behaviour.get(guild_id, VoiceBehaviour())
        if not behaviour.answer:
            return
        if channel is not None and behaviour.ignore_joins > 0:
            behaviour.ignore_joins -= 1
            return
        self.voice_channels[guild_id] = channel
        await self._dispatch(
            conn.shard_id, "VOICE_STATE_UPDATE", self._voice_state_payload(guild_id, channel, data)
        )
        if channel is None:
            return
        if behaviour.null_endpoint_first:
            await self._dispatch(
                conn.shard_id,
                "VOICE_SERVER_UPDATE",
                {"token": secrets.token_hex(8), "guild_id": str(guild_id), "endpoint": None},
            )
            self._later(behaviour.delay, self.change_voice_server(guild_id))
            return
        if behaviour.delay:
            self._later(behaviour.delay, self.change_voice_server(guild_id))
            return
        await self.change_voice_server(guild_id)

    def _later(
        self, delay: float, coro: collections.abc.Coroutine[typing.Any, typing.Any, typing.Any]
    ) -> None:
        async def run() -> None:
            await asyncio.sleep(delay)
            await coro

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _voice_state_payload(
        self, guild_id: int, channel: int | None, op4: JSON | None = None
    ) -> JSON:
        shard_id = self.shard_of(guild_id)
        session = self._session_of(shard_id)
        op4 = op4 or {}
        return {
            "guild_id": str(guild_id),
            "channel_id": str(channel) if channel is not None else None,
            "user_id": str(self.bot_id),
            "session_id": session.id,
            "deaf": False,
            "mute": False,
            "self_deaf": bool(op4.get("self_deaf", False)),
            "self_mute": bool(op4.get("self_mute", False)),
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

    def _member(self) -> JSON:
        return {
            "user": self._user(),
            "nick": None,
            "avatar": None,
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
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
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
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
            "widget_enabled": False,
            "widget_channel_id": None,
            "safety_alerts_channel_id": None,
        }

    # -- controls ------------------------------------------------------------------------

    def set_voice_behaviour(self, guild_id: int, behaviour: VoiceBehaviour) -> None:
        """How op 4 is answered in ``guild_id`` from now on."""
        self._behaviour[guild_id] = behaviour

    async def kill_shard(self, shard_id: int, mode: str) -> None:
        """Kill a shard's gateway connection.

        Modes: ``"close:<code>"`` (a close frame), ``"abort"`` (TCP abort, no close frame),
        ``"reconnect"`` (op 7), ``"invalid_session:true"`` / ``"invalid_session:false"``
        (op 9), ``"stop_acks"`` (heartbeats go unanswered until the next connection),
        ``"forget_session"`` (the next RESUME gets op 9 false; combine: ``"forget_session+abort"``).
        """
        for part in mode.split("+"):
            conn = self._conns.get(shard_id)
            if part == "forget_session":
                self._forget.add(shard_id)
            elif conn is None:
                msg = f"shard {shard_id} is not connected"
                raise LookupError(msg)
            elif part.startswith("close:"):
                code = int(part.split(":", 1)[1])
                self._later(0, conn.ws.close(code=code, message=b"fake close"))
            elif part == "abort":
                _server.abort(conn.ws)
            elif part == "reconnect":
                await self._send(conn, {"op": 7, "d": None})
            elif part.startswith("invalid_session:"):
                resumable = part.endswith("true")
                if not resumable:
                    for sid in [s.id for s in self._sessions.values() if s.shard_id == shard_id]:
                        del self._sessions[sid]
                await self._send(conn, {"op": 9, "d": resumable})
            elif part == "stop_acks":
                conn.acks = False
            else:
                msg = f"unknown kill mode {part!r}"
                raise ValueError(msg)

    async def move_bot(self, guild_id: int, channel_id: int, *, new_server: bool = False) -> None:
        """Move the bot to another voice channel (a moderator drag)."""
        self.voice_channels[guild_id] = channel_id
        await self._dispatch(
            self.shard_of(guild_id),
            "VOICE_STATE_UPDATE",
            self._voice_state_payload(guild_id, channel_id),
        )
        if new_server:
            await self.change_voice_server(guild_id)

    async def put_member_in_voice(
        self, guild_id: int, channel_id: int | None, user_id: int | None = None
    ) -> None:
        """A member (by default the one who runs slash commands) joins or leaves a channel."""
        member = self.member_id if user_id is None else user_id
        payload = self._voice_state_payload(guild_id, channel_id)
        payload["user_id"] = str(member)
        payload["session_id"] = secrets.token_hex(16)
        payload["member"] = self._member() | {
            "user": {
                "id": str(member),
                "username": "listener",
                "discriminator": "0",
                "global_name": None,
                "avatar": None,
                "bot": False,
            }
        }
        await self._dispatch(self.shard_of(guild_id), "VOICE_STATE_UPDATE", payload)

    @property
    def member_id(self) -> int:
        """The user id of the member who runs slash commands."""
        return self.bot_id + 7

    async def disconnect_bot(self, guild_id: int) -> None:
        """Disconnect the bot from voice (a moderator kick)."""
        self.voice_channels[guild_id] = None
        await self._dispatch(
            self.shard_of(guild_id), "VOICE_STATE_UPDATE", self._voice_state_payload(guild_id, None)
        )

    async def change_voice_server(self, guild_id: int, endpoint: str | None = None) -> None:
        """Send a ``VOICE_SERVER_UPDATE`` with a fresh token (and this endpoint)."""
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
        """A ``VOICE_SERVER_UPDATE`` with ``endpoint: null`` (no voice server allocated)."""
        await self._dispatch(
            self.shard_of(guild_id),
            "VOICE_SERVER_UPDATE",
            {"token": secrets.token_hex(8), "guild_id": str(guild_id), "endpoint": None},
        )

    async def dispatch(self, shard_id: int, event: str, data: typing.Any) -> None:
        """Send any dispatch on a shard."""
        await self._dispatch(shard_id, event, data)

    async def dispatch_interaction(
        self,
        guild_id: int,
        channel_id: int,
        command_name: str,
        options: list[JSON] | None = None,
    ) -> int:
        """Dispatch a slash command invocation by a member; returns the interaction id."""
        command = next((c for c in self.commands if c.get("name") == command_name), None)
        interaction_id = snowflake(len(self.rest_requests) + 7, 0, 1)
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
                "name": "text",
                "permissions": "2147483647",
            },
            "app_permissions": "2147483647",
            "attachment_size_limit": 26214400,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "member": {
                "user": {
                    "id": str(self.bot_id + 7),
                    "username": "listener",
                    "discriminator": "0",
                    "global_name": None,
                    "avatar": None,
                },
                "nick": None,
                "avatar": None,
                "roles": [],
                "joined_at": "2024-01-01T00:00:00+00:00",
                "premium_since": None,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "permissions": "2147483647",
                "communication_disabled_until": None,
            },
            "data": {
                "id": str(command["id"]) if command else str(snowflake(3, 0, 1)),
                "name": command_name,
                "type": 1,
                "options": options or [],
            },
        }
        await self._dispatch(self.shard_of(guild_id), "INTERACTION_CREATE", data)
        return interaction_id

    # -- REST ----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: typing.Any = None
        if request.can_read_body:
            raw = await request.read()
            with contextlib.suppress(ValueError):
                body = json.loads(raw) if raw else None
        self.rest_requests.append((request.method, path, body))
        self._touch()
        method = request.method
        if path == "/gateway/bot":
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
        if path == "/users/@me":
            return web.json_response(self._user())
        if path == "/oauth2/applications/@me":
            return web.json_response(self._application())
        if path.startswith("/applications/") and path.endswith("/commands"):
            if method == "PUT":
                self.commands = [
                    {
                        **c,
                        "id": str(snowflake(i + 1, 0, 1)),
                        "application_id": str(self.bot_id),
                        "version": "1",
                        "default_member_permissions": None,
                        "type": c.get("type", 1),
                    }
                    for i, c in enumerate(body or [])
                ]
            return web.json_response(self.commands)
        if path.startswith("/interactions/") and path.endswith("/callback"):
            interaction_id = path.split("/")[2]
            self.interaction_responses.append((interaction_id, body))
            return web.json_response({"interaction": {"id": interaction_id, "type": 2}})
        if path.startswith("/webhooks/") or (
            path.startswith("/channels/") and path.endswith("/messages")
        ):
            message = self._message(body or {}, path)
            self.messages.append(message)
            return web.json_response(message)
        return web.json_response({"message": "Unknown route (fake)", "code": 0}, status=404)

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

    def _message(self, body: JSON, path: str) -> JSON:
        return {
            "id": str(snowflake(len(self.messages) + 11, 0, 1)),
            "channel_id": path.split("/")[2]
            if path.startswith("/channels/")
            else str(self.guilds[0].text_channel_ids[0]),
            "author": self._user(),
            "content": body.get("content", ""),
            "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds", []),
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
