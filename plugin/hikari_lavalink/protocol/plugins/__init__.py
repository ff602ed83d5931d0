"""Typed Lavalink plugins and NodeLink: their models, routes (as data, like
[`routes`][hikari_lavalink.protocol.routes]) and event messages, one module per plugin.

Importing this package registers every plugin event type with the codec
([`register_plugin_event`][hikari_lavalink.protocol.codec.register_plugin_event]); the
library's package does so on import.
"""

from __future__ import annotations

from hikari_lavalink.protocol.plugins import (
    lavalyrics,
    lavasearch,
    lavasrc,
    nodelink,
    nodelink_lyrics,
    nodelink_sponsorblock,
    sponsorblock,
    youtube,
)
from hikari_lavalink.protocol.plugins.base import PluginName

__all__ = [
    "PluginName",
    "lavalyrics",
    "lavasearch",
    "lavasrc",
    "nodelink",
    "nodelink_lyrics",
    "nodelink_sponsorblock",
    "sponsorblock",
    "youtube",
]
