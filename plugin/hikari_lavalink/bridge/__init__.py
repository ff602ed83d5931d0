"""hikari glue: events, voice routing, shard lifecycle."""

from __future__ import annotations
