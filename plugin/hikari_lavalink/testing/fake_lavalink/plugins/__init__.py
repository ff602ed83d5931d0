"""The fake node's plugins: each one's routes, events and `pluginInfo`, as the plugin's code
behaves (`../shared/lavalink-plugins.md`), switched on by naming it in
`FakeLavalink(plugins={"lavalyrics-plugin": "1.1.0"})`.

A plugin module here exposes `add_routes(app, parts)`; `add_routes` below calls those of the
plugins the node runs when its app is built (so a plugin named after a restart counts from
that restart, as on a real server, whose `/v4/info` is built once at start-up). A plugin with
behaviour of its own is a `FakePlugin` (`.lavalyrics`, `.sponsorblock`): it also hears the
node's moments (`.hooks`), and its tables are filled through the node's controls
(`.controls`).
"""

from __future__ import annotations

import dataclasses
import typing

from hikari_lavalink.testing.fake_lavalink.plugins import lavasearch, lavasrc, youtube
from hikari_lavalink.testing.fake_lavalink.plugins.controls import PLUGINS

if typing.TYPE_CHECKING:
    import collections.abc

    from aiohttp import web

    from hikari_lavalink.protocol import models
    from hikari_lavalink.testing._server import Activity
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.playback import Playback
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession
    from hikari_lavalink.testing.fake_lavalink.wire import Wire

    _Adder: typing.TypeAlias = collections.abc.Callable[[web.Application, "PluginParts"], None]

__all__ = ["PluginParts", "add_routes"]


@dataclasses.dataclass(frozen=True, slots=True)
class PluginParts:
    """What a fake plugin may use of the node: its face, the session table, the known
    tracks (by blob), the playback clock, the wire and the activity flag."""

    node: FakeLavalink
    sessions: dict[str, FakeSession]
    known: dict[str, models.Track]
    playback: Playback
    wire: Wire
    activity: Activity


def _behaving(app: web.Application, parts: PluginParts) -> None:
    # The plugins with behaviour (FakePlugin): heard at the node's moments, with routes.
    node = parts.node
    hooks = node.plugin_hooks
    hooks.active.clear()
    for kind in PLUGINS:
        if kind.name in node.plugins:
            plugin = node.fake_plugin(kind)
            plugin.add_routes(app)
            hooks.active.append(plugin)
    # The order their listeners were added in: the node's plugins, in order.
    order = list(node.plugins)
    hooks.active.sort(key=lambda plugin: order.index(plugin.name))


_ROUTES: typing.Final[dict[str, _Adder]] = {
    "lavasrc-plugin": lavasrc.add_routes,
    "lavasearch-plugin": lavasearch.add_routes,
    "youtube-plugin": youtube.add_routes,
}
"""Plugin name -> its module's `add_routes` (one row per plugin module, imported above)."""


def add_routes(app: web.Application, parts: PluginParts) -> None:
    """Add the routes of each plugin the node runs."""
    _behaving(app, parts)
    for name in parts.node.plugins:
        adder = _ROUTES.get(name)
        if adder is not None:
            adder(app, parts)
