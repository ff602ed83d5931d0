"""The IO edge: the only aiohttp code (REST and the node WebSocket)."""

from __future__ import annotations

from hikari_lavalink.transport.node import AiohttpNodeTransport
from hikari_lavalink.transport.rest import RestTransport

__all__ = ["AiohttpNodeTransport", "RestTransport"]
