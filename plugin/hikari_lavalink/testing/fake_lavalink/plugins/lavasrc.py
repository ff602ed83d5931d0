"""The fake LavaSrc: `PATCH /v4/lavasrc/config`, as `LavaSrcPlugin.updateConfig` behaves.

The body is read as kotlinx reads it: unknown keys (the README's `applemusic`) are ignored
silently; a section applies only to a source the node has enabled (its `sourceManagers`;
yt-dlp's is `youtube`); Spotify's `clientId`/`clientSecret` and Qobuz's `appId`/`appSecret`
only as pairs; a `ytdlp` section without `searchLimit` is a 500 (the unchecked unboxing the
reference predicts). The answer is 200 with no body. What was applied is in
[`fake_lavasrc(node).config`][hikari_lavalink.testing.fake_lavalink.plugins.lavasrc.FakeLavaSrc].
"""

from __future__ import annotations

import typing

from aiohttp import web

from hikari_lavalink.testing.fake_lavalink import validation
from hikari_lavalink.testing.fake_lavalink.plugins._common import NodeStates, json_object

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.plugins import PluginParts

__all__ = ["FakeLavaSrc", "add_routes", "fake_lavasrc"]

_SECTIONS: typing.Final[dict[str, tuple[str, frozenset[str]]]] = {
    # key -> (the source it needs, its fields)
    "spotify": (
        "spotify",
        frozenset(
            {
                "clientId",
                "clientSecret",
                "spDc",
                "preferPartnerApi",
                "preferV1SearchApi",
                "customTokenEndpoint",
            }
        ),
    ),
    "appleMusic": ("applemusic", frozenset({"mediaAPIToken"})),
    "deezer": ("deezer", frozenset({"arl", "formats"})),
    "yandexMusic": ("yandexmusic", frozenset({"accessToken"})),
    "vkMusic": ("vkmusic", frozenset({"userToken"})),
    "qobuz": ("qobuz", frozenset({"userOauthToken", "appId", "appSecret"})),
    "ytdlp": (
        "youtube",
        frozenset(
            {
                "path",
                "searchLimit",
                "mixPlaylistLoadLimit",
                "playlistLoadLimit",
                "customLoadArgs",
                "customPlaybackArgs",
            }
        ),
    ),
}
_PAIRS: typing.Final = {"spotify": ("clientId", "clientSecret"), "qobuz": ("appId", "appSecret")}
_NPE: typing.Final = (
    'Cannot invoke "java.lang.Integer.intValue()" because the return value of '
    '"com.github.topi314.lavasrc.protocol.YtdlpConfig.getSearchLimit()" is null'
)


class FakeLavaSrc:
    """The fake node's LavaSrc state."""

    __slots__ = ("config",)

    def __init__(self) -> None:
        self.config: dict[str, dict[str, typing.Any]] = {}
        """What the config updates applied, by section (`spotify`, `appleMusic`...), with
        the wire's keys."""


_STATES: typing.Final = NodeStates(FakeLavaSrc)


def fake_lavasrc(node: FakeLavalink) -> FakeLavaSrc:
    """The fake LavaSrc of `node` (made on first use)."""
    return _STATES.of(node)


def add_routes(app: web.Application, parts: PluginParts) -> None:
    """Route `PATCH /v4/lavasrc/config`."""
    node = parts.node

    async def update_config(request: web.Request) -> web.Response:
        body = await json_object(request)
        state = fake_lavasrc(node)
        for key, value in body.items():
            section = _SECTIONS.get(key)
            if section is None or not isinstance(value, dict):
                continue  # ignoreUnknownKeys: `applemusic` is dropped here
            source, fields = section
            if source not in node.source_managers:
                continue  # only for an enabled source
            given = {
                k: v for k, v in typing.cast("dict[str, typing.Any]", value).items() if k in fields
            }
            if key == "ytdlp" and given.get("searchLimit") is None:
                raise validation.HTTPError(500, _NPE)
            pair = _PAIRS.get(key)
            if pair is not None and not all(given.get(p) is not None for p in pair):
                for name in pair:
                    given.pop(name, None)
            state.config.setdefault(key, {}).update(given)
        return web.Response(status=200)

    app.router.add_patch("/v4/lavasrc/config", update_config)
