"""The asyncio runtime: nodes, players, queues. Knows neither aiohttp nor hikari."""

from __future__ import annotations
