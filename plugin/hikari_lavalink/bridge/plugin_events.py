"""hikari events for the plugins' WebSocket events (LavaLyrics, SponsorBlock, NodeLink's own).

Each is a [`PlayerEvent`][hikari_lavalink.PlayerEvent]: it names its guild, its player (when
this process has one) and its node, and is only built when something listens to it. A
plugin event type the codec knows (see
[`register_plugin_event`][hikari_lavalink.protocol.codec.register_plugin_event]) but no typed
hikari event maps to arrives as a [`PluginEvent`][hikari_lavalink.PluginEvent] carrying its
message; an unknown one stays a [`RawLavalinkEvent`][hikari_lavalink.RawLavalinkEvent].
"""

from __future__ import annotations

import attrs

from hikari_lavalink.bridge.events import PlayerEvent
from hikari_lavalink.protocol import messages  # noqa: TC001 - attrs resolves the annotation

__all__ = ["PluginEvent"]


@attrs.define(kw_only=True, weakref_slot=False)
class PluginEvent(PlayerEvent):
    """A plugin's event of a registered type that has no typed hikari event of its own."""

    message: messages.PluginEventMessage
    """The decoded message (its class is the one registered for its `type`)."""
