"""The fake Discord's REST API: the routes hikari and lightbulb 3 call, and what they store.

Under `/api/v10`: `GET /gateway/bot` (the gateway URL and the shard count), `/gateway`,
`/users/@me`, `/oauth2/applications/@me`; global and guild application commands (`GET`,
`PUT` replaces, `POST` adds or replaces by name); interaction callbacks (a
`CHANNEL_MESSAGE_WITH_SOURCE` creates the original message), followups and edits of
webhook messages (`@original` included); channel messages. A wrong bot token is 401; any
other route, and every path outside `/api/v10`, is 404 (recorded in
`FakeDiscord.unknown_routes`). Every request is recorded in
`FakeDiscord.rest_requests` once it is answered. Interactions are dispatched from here
too, since their commands and tokens are what the REST routes store.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import time
import typing

from aiohttp import web

from hikari_lavalink.testing.fake_discord import payloads
from hikari_lavalink.testing.fake_discord.records import RecordedRestRequest

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.testing._server import Activity
    from hikari_lavalink.testing.fake_discord.server import FakeDiscord

__all__ = ["API_PREFIX", "Rest"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_discord")

JSON: typing.TypeAlias = dict[str, typing.Any]
API_PREFIX: typing.Final = "/api/v10"


class Rest:
    """The REST routes, the messages and interaction tokens behind them, and new ids."""

    __slots__ = ("_activity", "_app", "_ids", "_interaction_channels", "_originals")

    def __init__(self, app: FakeDiscord, activity: Activity) -> None:
        self._app = app
        self._activity = activity
        self._originals: dict[str, JSON] = {}
        self._interaction_channels: dict[str, int] = {}
        self._ids = itertools.count(1)

    def new_id(self) -> int:
        """A fresh snowflake of now."""
        now = int(time.time() * 1000) - payloads.EPOCH_MS
        return (now << 22) | (next(self._ids) & 0x3FFFFF)

    def interaction(
        self,
        guild_id: int,
        channel_id: int,
        command_name: str,
        options: collections.abc.Sequence[JSON] | None,
    ) -> JSON:
        """The `INTERACTION_CREATE` of
        [`FakeDiscord.dispatch_interaction`][hikari_lavalink.testing.FakeDiscord.dispatch_interaction]."""
        app = self._app
        known = [*app.guild_commands.get(guild_id, ()), *app.commands]
        command = next((c for c in known if c.get("name") == command_name), None)
        interaction_id = self.new_id()
        channel_name = "text"
        with contextlib.suppress(LookupError):
            guild = app.guild(guild_id)
            if channel_id in guild.text_channel_ids:
                channel_name = f"text-{guild.text_channel_ids.index(channel_id)}"
        data: JSON = {
            "id": str(interaction_id),
            "application_id": str(app.bot_id),
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
                "permissions": payloads.ALL_PERMISSIONS,
            },
            "app_permissions": payloads.ALL_PERMISSIONS,
            "attachment_size_limit": 26214400,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
            "member": payloads.member(app.bot_id, payloads.listener(app.member_id))
            | {"permissions": payloads.ALL_PERMISSIONS},
            "data": {
                "id": str(command["id"]) if command else str(self.new_id()),
                "name": command_name,
                "type": 1,
                "options": list(options or []),
            },
        }
        if command is not None and command.get("guild_id") is not None:
            data["data"]["guild_id"] = command["guild_id"]
        self._interaction_channels[data["token"]] = channel_id
        return data

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

    async def unknown(self, request: web.Request) -> web.Response:
        """Any path outside `/api/v10`: 404, recorded."""
        record = RecordedRestRequest(
            request.method, request.path, await self._read_body(request), dict(request.query)
        )
        self._app.rest_requests.append(record)
        self._app.unknown_routes.append(record)
        self._activity.touch()
        return web.json_response({"message": "404: Not Found", "code": 0}, status=404)

    async def endpoint(self, request: web.Request) -> web.Response:
        """Any path under `/api/v10`: answered, recorded (then waiters are told)."""
        path = "/" + request.match_info["path"]
        record = RecordedRestRequest(
            request.method, path, await self._read_body(request), dict(request.query)
        )
        self._app.rest_requests.append(record)
        try:
            return self._answer(request, record, path)
        finally:
            self._activity.touch()  # after the answer changed what it changes

    def _answer(self, request: web.Request, record: RecordedRestRequest, path: str) -> web.Response:
        auth = request.headers.get("Authorization")
        if auth is not None and auth != f"Bot {self._app.token}":
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        response = self._route(record, path.strip("/").split("/"))
        if response is None:
            self._app.unknown_routes.append(record)
            _LOGGER.debug("fake discord: unknown route %s %s", request.method, path)
            return web.json_response({"message": "Unknown route (fake)", "code": 0}, status=404)
        return response

    def _route(self, request: RecordedRestRequest, parts: list[str]) -> web.Response | None:
        method, body = request.method, request.body
        match parts:
            case ["gateway", "bot"] if method == "GET":
                return web.json_response(
                    {
                        "url": self._app.gateway_url,
                        "shards": self._app.shard_count,
                        "session_start_limit": {
                            "total": 1000,
                            "remaining": 1000,
                            "reset_after": 0,
                            "max_concurrency": 16,
                        },
                    }
                )
            case ["gateway"] if method == "GET":
                return web.json_response({"url": self._app.gateway_url})
            case ["users", "@me"] if method == "GET":
                return web.json_response(payloads.user(self._app.bot_id))
            case ["oauth2", "applications", "@me"] if method == "GET":
                return web.json_response(
                    payloads.application(self._app.bot_id, len(self._app.guilds))
                )
            case ["applications", _, "commands"]:
                return self._commands(method, body, self._app.commands, None)
            case ["applications", _, "guilds", guild, "commands"] if guild.isdigit():
                stored = self._app.guild_commands.setdefault(int(guild), [])
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
                "version": str(self.new_id()),
                "description": "",
                **command,
                "id": str(self.new_id()),
                "application_id": str(self._app.bot_id),
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
        self._app.interaction_responses.append((interaction_id, body))
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
            original = next((m for m in self._app.messages if m["id"] == message_id), None)
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
                original["edited_timestamp"] = payloads.TIMESTAMP
            return web.json_response(original)
        return None

    def _store_message(
        self, body: typing.Any, *, channel_id: int | None = None, webhook_token: str | None = None
    ) -> JSON:
        fields = typing.cast("JSON", body) if isinstance(body, dict) else {}
        if channel_id is None:
            channel_id = self._interaction_channels.get(webhook_token or "")
        if channel_id is None:
            channel_id = (
                self._app.guilds[0].text_channel_ids[0] if self._app.guilds else self._app.bot_id
            )
        message: JSON = {
            "id": str(self.new_id()),
            "channel_id": str(channel_id),
            "author": payloads.user(self._app.bot_id),
            "content": fields.get("content") or "",
            "timestamp": payloads.TIMESTAMP,
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
        for guild in self._app.guilds:
            if channel_id in guild.text_channel_ids or channel_id in guild.voice_channel_ids:
                message["guild_id"] = str(guild.id)
        if webhook_token is not None:
            message["webhook_id"] = str(self._app.bot_id)
            message["application_id"] = str(self._app.bot_id)
        self._app.messages.append(message)
        return message
