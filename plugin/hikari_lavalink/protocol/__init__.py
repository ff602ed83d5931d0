"""The sans-IO protocol core: wire models, codec, routes, state machines (stdlib + msgspec)."""

from __future__ import annotations
