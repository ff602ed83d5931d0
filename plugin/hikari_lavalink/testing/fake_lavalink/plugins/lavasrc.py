"""The fake LavaSrc: `PATCH /v4/lavasrc/config`, as `LavaSrcPlugin.updateConfig` behaves.

The body is read as kotlinx reads it: unknown keys (the README's `applemusic`) are ignored
silently; a known key of the wrong type (a section that is no object, a string that is a
number, a Deezer format that is none of its six) fails the whole body, a 400, before
anything is applied; a section applies only to a source the node has enabled (its `sourceManagers`;
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

_S, _B, _I, _L = "string", "boolean", "int", "string list"
_FORMATS: typing.Final = frozenset({"FLAC", "MP3_320", "MP3_256", "MP3_128", "MP3_64", "AAC_64"})
_SECTIONS: typing.Final[dict[str, tuple[str, dict[str, str]]]] = {
    # key -> (the source it needs, its fields and their kotlinx types)
    "spotify": (
        "spotify",
        {
            "clientId": _S,
            "clientSecret": _S,
            "spDc": _S,
            "preferPartnerApi": _B,
            "preferV1SearchApi": _B,
            "customTokenEndpoint": _S,
        },
    ),
    "appleMusic": ("applemusic", {"mediaAPIToken": _S}),
    "deezer": ("deezer", {"arl": _S, "formats": "formats"}),
    "yandexMusic": ("yandexmusic", {"accessToken": _S}),
    "vkMusic": ("vkmusic", {"userToken": _S}),
    "qobuz": ("qobuz", {"userOauthToken": _S, "appId": _S, "appSecret": _S}),
    "ytdlp": (
        "youtube",
        {
            "path": _S,
            "searchLimit": _I,
            "mixPlaylistLoadLimit": _I,
            "playlistLoadLimit": _I,
            "customLoadArgs": _L,
            "customPlaybackArgs": _L,
        },
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
        _check_types(body)  # kotlinx decodes all of it before the handler runs
        state = fake_lavasrc(node)
        for key, value in body.items():
            section = _SECTIONS.get(key)
            if section is None or value is None:
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


def _fits(kind: str, value: object) -> bool:
    if value is None:
        return True  # every field is nullable
    if kind == _B:
        return isinstance(value, bool)
    if kind == _I:
        return isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31
    if kind == _S:
        return isinstance(value, str)
    items = typing.cast("list[object]", value) if isinstance(value, list) else None
    if items is None:
        return False
    if kind == _L:
        return all(isinstance(item, str) for item in items)
    return all(isinstance(item, str) and item in _FORMATS for item in items)


def _check_types(body: dict[str, typing.Any]) -> None:
    for key, value in body.items():
        section = _SECTIONS.get(key)
        if section is None or value is None:
            continue
        if not isinstance(value, dict):
            raise validation.HTTPError(400, validation.MAY_NOT_PARSE)
        fields = section[1]
        for name, field in typing.cast("dict[str, object]", value).items():
            kind = fields.get(name)
            if kind is not None and not _fits(kind, field):
                raise validation.HTTPError(400, validation.MAY_NOT_PARSE)
