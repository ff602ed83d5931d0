"""[`JsonFileStore`][hikari_lavalink.store.json_file.JsonFileStore]: the whole state in one JSON
file, for a bot run as one process."""

from __future__ import annotations

import asyncio
import logging
import os
import pathlib
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.store.base import StoredState

if typing.TYPE_CHECKING:
    from hikari_lavalink.store.base import StoreScope

__all__ = ["JsonFileStore"]

_LOGGER = logging.getLogger("hikari_lavalink.store")
_encoder: typing.Final = msgspec.json.Encoder()
_decoder: typing.Final = msgspec.json.Decoder(StoredState)


class JsonFileStore:
    """A store in one JSON file, replaced atomically on every save.

    A save writes a temporary file beside it, flushes it to the disk, then renames it over
    the old one: a crash in the middle of a save leaves the previous state readable. It
    serves one process; a bot over several processes wants a store they share
    ([`RedisStore`][hikari_lavalink.store.redis.RedisStore]).
    """

    __slots__ = ("_scope", "path")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path: pathlib.Path = pathlib.Path(path)
        self._scope: StoreScope | None = None

    @override
    def __repr__(self) -> str:
        return f"JsonFileStore({str(self.path)!r})"

    async def open(self, scope: StoreScope) -> None:
        """Load only the guilds of `scope`'s shards from now on."""
        self._scope = scope

    async def close(self) -> None:
        """Nothing to release."""

    async def load(self) -> StoredState | None:
        """Read the file; a missing or corrupt file gives `None` (a corrupt one is logged)."""
        try:
            data = await asyncio.to_thread(self.path.read_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            _LOGGER.warning("cannot read the session store %s: %s", self.path, exc)
            return None
        try:
            state = _decoder.decode(data)
        except (msgspec.DecodeError, UnicodeError) as exc:
            _LOGGER.warning("ignoring a corrupt session store %s: %s", self.path, exc)
            return None
        except RecursionError:  # JSON nested deeper than msgspec decodes
            _LOGGER.warning("ignoring a corrupt session store %s: nested too deep", self.path)
            return None
        scope = self._scope
        if scope is None:
            return state
        return msgspec.structs.replace(
            state, players=[p for p in state.players if scope.owns(p.guild_id)]
        )

    async def save(self, state: StoredState) -> None:
        """Write the file atomically (a temporary file, flushed, then a rename)."""
        data = _encoder.encode(state)
        await asyncio.to_thread(self._write, data)

    def _write(self, data: bytes) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
