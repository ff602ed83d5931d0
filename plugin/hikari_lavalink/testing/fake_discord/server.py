"""[`FakeDiscord`][hikari_lavalink.testing.FakeDiscord]: the fake Discord's settings, records,
lifecycle, waits and controls.

It owns what a test reads (the public records: frames, closes, op 4s, REST requests,
messages, commands, counters) and builds the parts that write them: `.gateway` (shards,
sessions, heartbeats, dispatch, deaths), `.voice` (how op 4 is answered) and
`.rest` (the REST routes and interactions), with `.payloads` for the JSON. The parts
read the fake's public settings when they need them: a new `discord.voice_endpoint` counts
from the next `VOICE_SERVER_UPDATE`, a new `heartbeat_interval` from the next HELLO, a
new `replay_on_resume` or `backlog_size` from the next dispatch.
"""

from __future__ import annotations

import base64
import collections
import collections.abc
import logging
import typing

from aiohttp import web

from hikari_lavalink._typing import override
from hikari_lavalink.testing import _server
from hikari_lavalink.testing.fake_discord import payloads
from hikari_lavalink.testing.fake_discord.gateway import Gateway
from hikari_lavalink.testing.fake_discord.rest import API_PREFIX, Rest
from hikari_lavalink.testing.fake_discord.voice import Voice, VoiceBehaviour

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_discord.payloads import FakeGuild
    from hikari_lavalink.testing.fake_discord.records import (
        RecordedClose,
        RecordedFrame,
        RecordedRestRequest,
    )

__all__ = ["FakeDiscord"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_discord")

JSON: typing.TypeAlias = dict[str, typing.Any]


class FakeDiscord:
    """A fake Discord (REST + gateway) for a real `hikari.GatewayBot`.

    Use it as an async context manager, or call
    [`start`][hikari_lavalink.testing.FakeDiscord.start] and
    [`stop`][hikari_lavalink.testing.FakeDiscord.stop].

    Parameters
    ----------
    host
        The address to listen on.
    port
        The port, `0` for any free one (see
        [`port`][hikari_lavalink.testing.FakeDiscord.port] once started).
    bot_id
        The bot's user and application id;
        [`token`][hikari_lavalink.testing.FakeDiscord.token] encodes it.
    shard_count
        What `GET /gateway/bot` recommends, and what guilds are mapped with.
    guilds
        The guilds. By default one per shard (`(id >> 22) % shard_count` is the shard),
        each with two voice channels and one text channel.
    heartbeat_interval
        Seconds, sent in HELLO (tests lower it to detect unanswered heartbeats sooner).
    voice_endpoint
        The `endpoint` (`host:port`, no scheme) of every guild's `VOICE_SERVER_UPDATE` but those
        whose [`VoiceBehaviour`][hikari_lavalink.testing.VoiceBehaviour] names one. `None`: each
        guild its own, region-style, derived from its id
        ([`voice_endpoint_of`][hikari_lavalink.testing.FakeDiscord.voice_endpoint_of]).
    backlog_size
        How many of its last dispatches a gateway session keeps for a RESUME to replay
        (those made while its shard is down included). A RESUME from before the oldest kept
        gets op 9 `false`, as one of a session Discord can no longer resume.
    replay_on_resume
        `False`: the old, lenient fake: dispatches for a shard that is down are dropped
        (and not numbered), and a RESUME gets RESUMED with nothing replayed.

    Attributes
    ----------
    frames
        Every gateway payload in both directions, in order.
    closes
        Every gateway connection that ended, with who closed it and the code.
    voice_ops
        `(shard_id, data)` of every op 4 received.
    wrong_shard_ops
        `(shard_id, data)` of every op 4 received on a shard its guild is not on.
    rest_requests
        Every REST request, in order.
    unknown_routes
        The REST requests answered with 404.
    messages
        Every message created through REST (channel messages, interaction responses and
        followups).
    interaction_responses
        `(interaction_id, body)` of every interaction callback.
    commands
        The global application commands (as stored by `PUT`/`POST`).
    guild_commands
        Guild id -> that guild's application commands.
    connections, identifies, resumes
        Per shard: handshakes completed (IDENTIFY or RESUME), IDENTIFYs, successful RESUMEs.
    voice_channels
        Guild id -> the channel the bot is in, as the fake sees it.
    """

    __slots__ = (
        "_activity",
        "_gateway",
        "_listener",
        "_rest",
        "_voice",
        "backlog_size",
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
        "replay_on_resume",
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
        voice_endpoint: str | None = "fake-voice.local:443",
        backlog_size: int = 1000,
        replay_on_resume: bool = True,
    ) -> None:
        if shard_count < 1:
            msg = "shard_count must be at least 1"
            raise ValueError(msg)
        self.host: str = host
        self.bot_id: int = bot_id
        self.shard_count: int = shard_count
        self.heartbeat_interval: float = heartbeat_interval
        self.voice_endpoint: str | None = voice_endpoint
        self.backlog_size: int = backlog_size
        self.replay_on_resume: bool = replay_on_resume
        self.guilds: list[FakeGuild] = (
            list(guilds) if guilds is not None else payloads.default_guilds(shard_count)
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
        self._listener = _server.Listener(port)
        self._activity = _server.Activity()
        self._gateway = Gateway(self, self._activity, self._voice_state)
        self._voice = Voice(self, self._gateway)
        self._rest = Rest(self, self._activity)

    @override
    def __repr__(self) -> str:
        connected = sorted(s for s, shard in self._gateway.shards.items() if shard.conn is not None)
        return f"FakeDiscord(port={self.port}, shards={self.shard_count}, connected={connected})"

    # -- properties ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (the real one once started)."""
        return self._listener.port

    @property
    def rest_url(self) -> str:
        """The REST base URL: pass it as `hikari.GatewayBot(token, rest_url=...)`."""
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The gateway URL that `/gateway/bot` and READY's `resume_gateway_url` name."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def token(self) -> str:
        """A bot token hikari accepts: `base64(str(bot_id))` (unpadded) + `".fake.token"`."""
        return base64.b64encode(str(self.bot_id).encode()).decode().rstrip("=") + ".fake.token"

    @property
    def guild_ids(self) -> list[int]:
        """The guild ids, in order."""
        return [g.id for g in self.guilds]

    @property
    def member_id(self) -> int:
        """The user id of the member who runs slash commands
        ([`dispatch_interaction`][hikari_lavalink.testing.FakeDiscord.dispatch_interaction])."""
        return self.bot_id + 7

    def shard_of(self, guild_id: int) -> int:
        """Return the shard that serves `guild_id`: `(guild_id >> 22) % shard_count`."""
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
        return self._gateway.connection(shard_id) is not None

    def session_id(self, shard_id: int) -> str | None:
        """The shard's current gateway session id (`None` before its first IDENTIFY)."""
        shard = self._gateway.shards.get(shard_id)
        return shard.session_id if shard is not None else None

    def backlog(self, shard_id: int) -> list[tuple[int, str]]:
        """`(seq, name)` of each dispatch the shard's session keeps for a RESUME, oldest first."""
        shard = self._gateway.shards.get(shard_id)
        return [(p["s"], p["t"]) for p in shard.backlog] if shard is not None else []

    def voice_endpoint_of(self, guild_id: int) -> str:
        """The endpoint of the guild's next `VOICE_SERVER_UPDATE`: its behaviour's, else
        `voice_endpoint`, else derived from its id (`"c-fra07-0a1b.discord.media:443"`).
        """
        return self._voice.endpoint_of(guild_id)

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start listening (REST under `/api/v10`, the gateway under `/gateway`)."""
        if await self._listener.start(self.host, self._app):
            _LOGGER.debug("fake discord listening on %s:%s", self.host, self.port)

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway.endpoint)
        app.router.add_route("*", API_PREFIX + "/{path:.*}", self._rest.endpoint)
        app.router.add_route("*", "/{path:.*}", self._rest.unknown)
        return app

    async def stop(self) -> None:
        """Stop listening (idempotent); every open gateway connection is aborted."""
        await self._gateway.stop()
        await self._listener.stop()

    # -- waiting -------------------------------------------------------------------------

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
            The opcode (for example `4` for a voice state update).
        predicate
            Only a frame for which it returns `True`.
        timeout
            Seconds.
        after
            Only look at `frames` from this index on (`len(fake.frames)` taken
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
        return await self.wait_for_frame(
            lambda f: f.op == op and (predicate is None or predicate(f)),
            direction="in",
            after=after,
            timeout=timeout,
        )

    async def wait_for_shards(self, count: int | None = None, timeout: float = 10.0) -> None:
        """Wait until `count` shards (default: all) are connected with a completed handshake.

        Raises
        ------
        TimeoutError
            If they are not in time.
        """
        wanted = self.shard_count if count is None else count
        await self._activity.until(lambda: self._gateway.connected() >= wanted, timeout)

    async def wait_for_frame(
        self,
        predicate: collections.abc.Callable[[RecordedFrame], bool] | None = None,
        *,
        direction: typing.Literal["in", "out"] | None = None,
        after: int = 0,
        timeout: float = 5.0,
    ) -> RecordedFrame:
        """Wait for a payload in `direction` (`"in"`, `"out"`; `None`: either) that matches.

        `predicate`, `after` and `timeout` are those of
        [`wait_for_op`][hikari_lavalink.testing.FakeDiscord.wait_for_op], and so are
        the frame returned and the `TimeoutError` raised if none comes in time.
        """
        return await self._activity.first(
            self.frames,
            lambda f: (
                (direction is None or f.direction == direction)
                and (predicate is None or predicate(f))
            ),
            timeout,
            after=after,
        )

    async def wait_for_request(
        self,
        predicate: collections.abc.Callable[[RecordedRestRequest], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> RecordedRestRequest:
        """Wait for a REST request (in `rest_requests` from `after` on) that matches.

        The fake has answered it by then, so what it stores (messages, commands, interaction
        responses) is in place. Raises `TimeoutError` if none comes within `timeout`.
        """
        return await self._activity.first(
            self.rest_requests, predicate or (lambda _: True), timeout, after=after
        )

    async def wait_until(
        self, condition: collections.abc.Callable[[], object], timeout: float = 5.0
    ) -> None:
        """Wait until `condition()` is true, checked again whenever the fake records something.

        That is a frame in or out, a connection that ends, or an answered REST request (and,
        as a fallback, every 50 ms). Raises `TimeoutError` if it is not true in time.
        """
        await self._activity.until(condition, timeout)

    async def _voice_state(self, shard_id: int, data: JSON) -> bool:
        return await self._voice.answer(shard_id, data)

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
        server_first: bool = False,
        endpoint: str | None = None,
    ) -> None:
        """Choose how op 4 is answered in `guild_id` from now on.

        Parameters
        ----------
        guild_id
            The guild.
        behaviour
            A whole [`VoiceBehaviour`][hikari_lavalink.testing.VoiceBehaviour]; when given, the
            keyword arguments are ignored.
        answer, null_endpoint_first, delay, ignore_joins, server_first, endpoint
            The fields of [`VoiceBehaviour`][hikari_lavalink.testing.VoiceBehaviour].
        """
        fields = (answer, null_endpoint_first, delay, ignore_joins, server_first, endpoint)
        self._voice.behaviours[guild_id] = behaviour or VoiceBehaviour(*fields)

    async def kill_shard(self, shard_id: int, mode: str) -> None:
        """Kill (or doom) a shard's gateway connection.

        Parameters
        ----------
        shard_id
            The shard.
        mode
            One of, or several joined with `+` (for example
            `"forget_session+close:4009"`):

            * `"close:<code>"`: a close frame with this code (`"close:4000"`,
              `"close:1000"`, `"close:4009"`; `"close:4004"` is fatal for hikari);
            * `"abort"`: the TCP connection is aborted, no close frame;
            * `"reconnect"`: op 7 RECONNECT;
            * `"invalid_session:true"` / `"invalid_session:false"`: op 9 (`false` also
              drops the session);
            * `"stop_acks"`: heartbeats go unanswered until the next connection;
            * `"forget_session"`: drop the session so the next RESUME gets op 9 `false`;
            * `"lose_backlog"`: the session's backlog is lost, so a RESUME that would need
              a dispatch made before now gets op 9 `false`.

            `forget_session` and `lose_backlog` alone need no connection.

        Raises
        ------
        ValueError
            For an unknown mode (nothing is done).
        LookupError
            If the shard is not connected and the mode needs a connection.
        """
        await self._gateway.kill(shard_id, mode)

    async def move_bot(self, guild_id: int, channel_id: int, *, new_server: bool = False) -> None:
        """Move the bot to another voice channel, as a moderator drag does.

        Sends `VOICE_STATE_UPDATE` with the new channel (same session), then a new
        `VOICE_SERVER_UPDATE` only if `new_server`.
        """
        await self._voice.move(guild_id, channel_id)
        if new_server:
            await self._voice.change_server(guild_id)

    async def disconnect_bot(self, guild_id: int) -> None:
        """Disconnect the bot from voice, as a moderator kick does (`channel_id: null`)."""
        await self._voice.move(guild_id, None)

    async def change_voice_server(self, guild_id: int, endpoint: str | None = None) -> None:
        """Send `VOICE_SERVER_UPDATE` with a fresh token and `endpoint`.

        Parameters
        ----------
        guild_id
            The guild (the event goes to its shard).
        endpoint
            `host:port`; by default the guild's
            ([`voice_endpoint_of`][hikari_lavalink.testing.FakeDiscord.voice_endpoint_of]).
        """
        await self._voice.change_server(guild_id, endpoint)

    async def send_null_endpoint(self, guild_id: int) -> None:
        """Send `VOICE_SERVER_UPDATE` with `endpoint: null` (voice server deallocated)."""
        await self._voice.null_endpoint(guild_id)

    async def put_member_in_voice(
        self,
        guild_id: int,
        channel_id: int | None,
        user_id: int | None = None,
        *,
        bot: bool = False,
    ) -> None:
        """A member (by default
        [`member_id`][hikari_lavalink.testing.FakeDiscord.member_id]; with `bot`,
        another bot) joins (or, with `None`, leaves) a voice channel."""
        await self._voice.put_member(
            guild_id, channel_id, self.member_id if user_id is None else user_id, bot=bot
        )

    async def dispatch(self, shard_id: int, event_name: str, data: typing.Any) -> None:
        """Send any dispatch (op 0) with this name and `d` on a shard.

        If the shard is down, its session keeps it for a RESUME (see `replay_on_resume`).
        """
        await self._gateway.dispatch(shard_id, event_name, data)

    async def dispatch_interaction(
        self,
        guild_id: int,
        channel_id: int,
        command_name: str,
        options: collections.abc.Sequence[JSON] | None = None,
    ) -> int:
        """Dispatch a slash command, run by
        [`member_id`][hikari_lavalink.testing.FakeDiscord.member_id] in a guild text
        channel.

        The `INTERACTION_CREATE` (type 2, APPLICATION_COMMAND) goes to the guild's shard. The
        command id is the one stored by `PUT`/`POST` (guild commands first) if any.

        Parameters
        ----------
        guild_id, channel_id
            Where the command runs.
        command_name
            The slash command's name.
        options
            Its options as Discord sends them, e.g.
            `[{"name": "query", "type": 3, "value": "song"}]`.

        Returns
        -------
        int
            The interaction id (the key of `interaction_responses`).
        """
        data = self._rest.interaction(guild_id, channel_id, command_name, options)
        await self._gateway.dispatch(self.shard_of(guild_id), "INTERACTION_CREATE", data)
        return int(data["id"])
