"""The fake youtube-source: `GET` / `POST /youtube`, `GET /youtube/oauth/{refreshToken}` and
`GET /youtube/stream/{videoId}` (from `fake_youtube(node).media`), as `YoutubeRestHandler`
behaves.

Every route answers 400 "The YouTube source manager is not registered." when the node's
`sourceManagers` lacks `youtube`. `POST` (204) leaves the refresh token alone when the
body has none or the placeholder `"x"`; `null` drops it and starts a new OAuth flow; a new
one with `skipInitialization: false` that Google does not know is a 500. The poToken and
visitorData are set together whenever either is `null` (or absent) or both are non-empty.
The oauth route answers Google's JSON as `text/plain` (the plugin returns it as a string),
or 500 for a refresh token Google does not know. Tests set what Google knows in
[`fake_youtube(node).access_tokens`][hikari_lavalink.testing.fake_lavalink.plugins.youtube.FakeYoutube].
"""

from __future__ import annotations

import json
import typing

from aiohttp import web

from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.plugins._common import NodeStates, json_object

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.plugins import PluginParts

__all__ = ["FakeYoutube", "add_routes", "fake_youtube"]

_NOT_REGISTERED: typing.Final = "The YouTube source manager is not registered."
_UNCHANGED: typing.Final = "x"


class FakeYoutube:
    """The fake node's youtube-source state."""

    __slots__ = (
        "access_tokens",
        "media",
        "oauth_flows",
        "po_token",
        "refresh_token",
        "visitor_data",
    )

    def __init__(self) -> None:
        self.refresh_token: str | None = None
        """The refresh token in use (`GET /youtube` answers it)."""
        self.po_token: str | None = None
        self.visitor_data: str | None = None
        self.oauth_flows: int = 0
        """How many new OAuth flows a `null` refresh token started."""
        self.access_tokens: dict[str, dict[str, typing.Any]] = {}
        """Refresh token -> Google's token answer (`access_token`, `expires_in`...): the
        refresh tokens Google accepts."""
        self.media: dict[str, dict[int, tuple[str, bytes]]] = {}
        """Video id -> itag -> (MIME type, bytes): what `/youtube/stream` serves (the
        first itag when none is asked for); a video id absent: it cannot be loaded."""


_STATES: typing.Final[NodeStates[FakeYoutube]] = NodeStates(FakeYoutube)


def fake_youtube(node: FakeLavalink) -> FakeYoutube:
    """The fake youtube-source of `node` (made on first use)."""
    return _STATES.of(node)


def add_routes(app: web.Application, parts: PluginParts) -> None:
    """Route `/youtube` and `/youtube/oauth/{refreshToken}`."""
    node = parts.node

    def source() -> FakeYoutube:
        if "youtube" not in node.source_managers:
            raise validation.HTTPError(400, _NOT_REGISTERED)
        return fake_youtube(node)

    async def get_config(_: web.Request) -> web.Response:
        return web.json_response({"refreshToken": source().refresh_token})

    async def update_config(request: web.Request) -> web.Response:
        state = source()
        body = await json_object(request)
        config = body
        token = config.get("refreshToken", _UNCHANGED)
        if token != _UNCHANGED:
            if token is None:
                state.oauth_flows += 1
            elif not config.get("skipInitialization", True) and token not in state.access_tokens:
                raise validation.HTTPError(500, "Failed to refresh the access token")
            state.refresh_token = token
        po, visitor = config.get("poToken"), config.get("visitorData")
        if po is None or visitor is None or (po != "" and visitor != ""):
            state.po_token, state.visitor_data = po, visitor
        return web.Response(status=204)

    async def oauth(request: web.Request) -> web.Response:
        answer = source().access_tokens.get(request.match_info["token"])
        if answer is None:
            raise validation.HTTPError(500, "Failed to refresh the access token")
        return web.Response(text=json.dumps(answer), content_type="text/plain")

    async def media(request: web.Request) -> web.Response:
        formats = source().media.get(request.match_info["video"])
        if formats is None:
            raise validation.HTTPError(400, "Could not find formats for the requested videoId.")
        raw = request.query.get("itag")
        if raw is None:
            itag = next(iter(formats))
        elif not validation.is_long(raw):
            raise validation.HTTPError(400, f'Failed to convert value: For input string: "{raw}"')
        else:
            itag = int(raw)
        if itag not in formats:
            raise validation.HTTPError(400, "No formats found with the requested itag.")
        mime, body = formats[itag]
        return web.Response(body=body, content_type=mime)

    app.router.add_get("/youtube", get_config)
    app.router.add_get("/youtube/stream/{video}", media)
    app.router.add_post("/youtube", update_config)
    app.router.add_get("/youtube/oauth/{token}", oauth)
