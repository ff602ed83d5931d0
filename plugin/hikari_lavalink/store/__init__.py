"""Persisting sessions and players, so a restarted bot picks up where it stopped.

- [`JsonFileStore`][hikari_lavalink.store.JsonFileStore]: one JSON file, for a bot run as one
  process;
- [`RedisStore`][hikari_lavalink.store.redis.RedisStore] (the `redis` extra): shared by the
  processes of a bot over several hosts, each storing the guilds of its own shards.

What is kept, and the two shapes of store, are in
[`hikari_lavalink.store.base`][hikari_lavalink.store.base].
"""

from __future__ import annotations

import typing

from hikari_lavalink.store.base import (
    STORE_VERSION,
    SessionStore,
    ShardedStore,
    StoredMusic,
    StoredPlayer,
    StoredPlugins,
    StoredState,
    StoreScope,
)
from hikari_lavalink.store.json_file import JsonFileStore

if typing.TYPE_CHECKING:
    from hikari_lavalink.store.redis import RedisStore

__all__ = [
    "STORE_VERSION",
    "JsonFileStore",
    "RedisStore",
    "SessionStore",
    "ShardedStore",
    "StoreScope",
    "StoredMusic",
    "StoredPlayer",
    "StoredPlugins",
    "StoredState",
]


def __getattr__(name: str) -> typing.Any:
    # RedisStore needs the optional redis package: imported when first asked for.
    if name == "RedisStore":
        from hikari_lavalink.store.redis import RedisStore  # noqa: PLC0415

        return RedisStore
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
