"""Persisting sessions and players, so a restarted bot picks up where it stopped.

A store keeps each node's Lavalink session id and each player's guild, channel, node,
track, position, volume, filters and paused state, and its music (:class:`StoredMusic`:
queue, history, loop mode, the bot's ``player.data``, autoplay and auto-leave settings).
:class:`~hikari_lavalink.LavalinkClient` writes it every few seconds when something changed
and reads it when it starts:

- a node whose stored session is still alive is resumed, and its players are adopted
  without interrupting the audio;
- otherwise the stored players are recreated: the bot rejoins their channels (op 4) and
  the tracks restart from their stored positions.

:class:`JsonFileStore` needs no server. Any object with the two methods of
:class:`SessionStore` can replace it (a database, Redis...).
"""

from __future__ import annotations

import asyncio
import logging
import os
import pathlib
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol.filters import Filters
from hikari_lavalink.protocol.models import Track

__all__ = ["JsonFileStore", "SessionStore", "StoredMusic", "StoredPlayer", "StoredState"]

_LOGGER = logging.getLogger("hikari_lavalink.store")


class StoredMusic(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """A player's music, as persisted (a setting left unset follows the client's)."""

    queue: list[Track] = msgspec.field(default_factory=list[Track])
    history: list[Track] = msgspec.field(default_factory=list[Track])
    loop: str = "off"
    data: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])
    autoplay: bool | msgspec.UnsetType = msgspec.UNSET
    auto_advance: bool | msgspec.UnsetType = msgspec.UNSET
    leave_when_idle: float | msgspec.UnsetType | None = msgspec.UNSET
    leave_when_alone: float | msgspec.UnsetType | None = msgspec.UNSET


class StoredPlayer(msgspec.Struct, kw_only=True, frozen=True):
    """One player, as persisted (``music`` is ``None`` for a player that used none, and in
    a store written by version 1)."""

    guild_id: int
    channel_id: int | None
    node: str
    track: Track | None = None
    position: int = 0
    volume: int = 100
    paused: bool = False
    filters: Filters = msgspec.field(default_factory=Filters)
    end_time: int | None = None
    music: StoredMusic | None = None


class StoredState(msgspec.Struct, kw_only=True, frozen=True):
    """Everything a store keeps: node name -> session id, and the players."""

    version: int = 2
    sessions: dict[str, str] = msgspec.field(default_factory=dict[str, str])
    players: list[StoredPlayer] = msgspec.field(default_factory=list[StoredPlayer])


class SessionStore(typing.Protocol):
    """Where :class:`StoredState` lives between runs."""

    async def load(self) -> StoredState | None:
        """The last saved state, or ``None`` (never saved, or unreadable)."""
        ...

    async def save(self, state: StoredState) -> None:
        """Replace the saved state."""
        ...


_encoder: typing.Final = msgspec.json.Encoder()
_decoder: typing.Final = msgspec.json.Decoder(StoredState)


class JsonFileStore:
    """A :class:`SessionStore` in one JSON file, replaced atomically on every save."""

    __slots__ = ("path",)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = pathlib.Path(path)

    @override
    def __repr__(self) -> str:
        return f"JsonFileStore({str(self.path)!r})"

    async def load(self) -> StoredState | None:
        """Read the file; a missing or corrupt file gives ``None`` (a corrupt one is logged)."""
        try:
            data = await asyncio.to_thread(self.path.read_bytes)
        except FileNotFoundError:
            return None
        except OSError as exc:
            _LOGGER.warning("cannot read the session store %s: %s", self.path, exc)
            return None
        try:
            return _decoder.decode(data)
        except (msgspec.DecodeError, UnicodeError) as exc:
            _LOGGER.warning("ignoring a corrupt session store %s: %s", self.path, exc)
        except RecursionError:  # JSON nested deeper than msgspec decodes
            _LOGGER.warning("ignoring a corrupt session store %s: nested too deep", self.path)
        return None

    async def save(self, state: StoredState) -> None:
        """Write the file atomically (a temporary file, then a rename)."""
        data = _encoder.encode(state)
        await asyncio.to_thread(self._write, data)

    def _write(self, data: bytes) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, self.path)
