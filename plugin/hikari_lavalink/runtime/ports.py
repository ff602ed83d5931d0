"""Deprecated alias of [`hikari_lavalink.transport.base`][hikari_lavalink.transport.base] (kept for
one release).

The seam the transport implements lives with the transport now, so that `transport/`
never imports `runtime/`.
"""

from __future__ import annotations

from hikari_lavalink.transport.base import NodeTransport, WebSocketClosed, WebSocketConnection

__all__ = ["NodeTransport", "WebSocketClosed", "WebSocketConnection"]
