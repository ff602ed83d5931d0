"""Per-guild voice bookkeeping: what the bridge knows of each guild's voice, and its player.

One [`GuildVoice`][hikari_lavalink.bridge.voice.GuildVoice] per guild with a player or with
something under way; the guild's player hangs off it, so that
[`GuildPlayers`][hikari_lavalink.bridge.voice.GuildPlayers] (the client's `players`) costs no second
table.
"""

from __future__ import annotations

import asyncio
import collections.abc
import sys
import typing

from hikari_lavalink._side import SideField
from hikari_lavalink._typing import override
from hikari_lavalink.protocol.voice import VoiceHandshake

if typing.TYPE_CHECKING:
    import types

    from hikari_lavalink.protocol.requests import VoiceUpdate
    from hikari_lavalink.protocol.voice import VoiceOutcome
    from hikari_lavalink.runtime.player import Player

__all__ = ["GuildPlayers", "GuildVoice"]


def _shared(value: str) -> str:
    # Interned: Discord sends the same session id (one per shard) and endpoints (one per
    # voice server) for many guilds; each gateway payload decodes its own copy.
    return sys.intern(value) if type(value) is str else value


class _GuildLock(asyncio.Lock):
    """A guild's lock, counting who holds or awaits it."""

    __slots__ = ("users",)

    def __init__(self) -> None:
        super().__init__()
        self.users = 0


class _Episode:
    """A guild's state while something happens to its voice (all default otherwise)."""

    __slots__ = (
        "leave_owed",
        "leaving",
        "left_at",
        "lock",
        "lost_channel_id",
        "restorer",
        "voice_lost",
        "waiter",
    )

    def __init__(self) -> None:
        self.lock: _GuildLock | None = None
        self.waiter: asyncio.Future[VoiceUpdate] | None = None
        self.voice_lost = False
        self.lost_channel_id: int | None = None
        self.leaving = False
        self.left_at: float | None = None
        self.leave_owed = False
        self.restorer: object | None = None

    def is_settled(self) -> bool:
        """Nothing under way: all default but, perhaps, when the last leave went out."""
        return (
            self.lock is None
            and self.waiter is None
            and not self.voice_lost
            and self.lost_channel_id is None
            and not self.leaving
            and not self.leave_owed
            and self.restorer is None
        )

    def is_default(self) -> bool:
        return self.is_settled() and self.left_at is None


_IDLE: typing.Final = _Episode()
"""Read (never written) for a guild with nothing under way."""


class GuildVoice(VoiceHandshake):
    """What the bridge knows about one guild's voice connection.

    It is the guild's [`VoiceHandshake`][hikari_lavalink.protocol.voice.VoiceHandshake] (one object
    per guild, not two), keeping one copy of the strings that guilds share. What matters
    only while something happens (a lock held, a join awaited, a shard death, a leave)
    lives in a second object that exists only then.

    Attributes
    ----------
    player
        The guild's player, if it has one (see
        [`GuildPlayers`][hikari_lavalink.bridge.voice.GuildPlayers]).
    handshake
        The two halves of the voice credentials as they arrive (this object).
    lock
        `async with voice.lock:` serialises the Lavalink calls of this guild (voice
        PATCH, drop, restore), so they reach the node in the order the gateway events
        arrived. The underlying `asyncio.Lock` exists only while held or awaited.
    voice_lost
        The guild's shard died: its Lavalink voice was dropped and must be rebuilt.
    lost_channel_id
        The channel to rejoin after a shard death.
    restorer
        The token of the restore under way after a shard death: a restore started at a
        later connect of the shard replaces it, and the older one stops where it is.
    leaving
        An op 4 leave of ours is under way: a `channel_id: null` state is expected.
    left_at
        When our last op 4 leave went out (monotonic), to recognise Discord's answer.
    leave_owed
        An op 4 leave could not go out (the shard was down), or had no answer when the
        shard's connection died: it is sent when the shard is back, unless the guild is
        joined again first.
    """

    __slots__ = ("_episode", "player")

    def __init__(self, guild_id: int) -> None:
        super().__init__(guild_id)
        self.player: Player | None = None
        self._episode: _Episode | None = None

    @override
    def __repr__(self) -> str:
        return (
            f"GuildVoice(guild_id={self.guild_id}, has_player={self.player is not None}, "
            f"voice_lost={self.voice_lost}, {super().__repr__()})"
        )

    @property
    def handshake(self) -> VoiceHandshake:
        """The guild's voice handshake: this object."""
        return self

    @override
    def on_state(self, *, session_id: str, channel_id: int | None) -> VoiceOutcome:
        return super().on_state(session_id=_shared(session_id), channel_id=channel_id)

    @override
    def on_server(self, *, token: str, endpoint: str | None) -> VoiceOutcome:
        shared = _shared(endpoint) if endpoint is not None else None
        return super().on_server(token=token, endpoint=shared)

    def is_forgettable(self) -> bool:
        """Nothing to remember: no player, and nothing under way (no lock held or awaited,
        no join awaited, no shard death or leave being handled or owed)."""
        episode = self._episode
        return self.player is None and (episode is None or episode.is_settled())

    # -- what exists only while something happens (in _episode, see hikari_lavalink._side)
    voice_lost: SideField[bool] = SideField("_episode", _Episode, _IDLE)
    lost_channel_id: SideField[int | None] = SideField("_episode", _Episode, _IDLE)
    restorer: SideField[object | None] = SideField("_episode", _Episode, _IDLE)
    leaving: SideField[bool] = SideField("_episode", _Episode, _IDLE)
    left_at: SideField[float | None] = SideField("_episode", _Episode, _IDLE)
    leave_owed: SideField[bool] = SideField("_episode", _Episode, _IDLE)
    _lock = SideField["_GuildLock | None"]("_episode", _Episode, _IDLE, field="lock")
    _waiter = SideField["asyncio.Future[VoiceUpdate] | None"](
        "_episode", _Episode, _IDLE, field="waiter"
    )

    # -- the lock --------------------------------------------------------------------------

    @property
    def lock(self) -> GuildVoice:
        """`async with voice.lock:` holds this guild's lock (see the class docstring)."""
        return self

    async def __aenter__(self) -> None:
        lock = self._lock
        if lock is None:
            lock = self._lock = _GuildLock()
        lock.users += 1
        try:
            await lock.acquire()
        except BaseException:
            self._lock_done(lock)
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        lock = self._lock
        if lock is not None:
            lock.release()
            self._lock_done(lock)

    def _lock_done(self, lock: _GuildLock) -> None:
        # Held or awaited by nobody: drop it (an idle lock costs as much as the rest).
        lock.users -= 1
        if not lock.users:
            self._lock = None

    # -- the join waiter -------------------------------------------------------------------

    def new_waiter(self) -> asyncio.Future[VoiceUpdate]:
        """A future resolved when the next voice credentials reached Lavalink."""
        waiter = self._waiter
        if waiter is None or waiter.done():  # a settled waiter is dropped at once
            waiter = self._waiter = asyncio.get_running_loop().create_future()
        return waiter

    def resolve(self, voice: VoiceUpdate) -> None:
        """The credentials reached Lavalink (or were stored for its next session)."""
        waiter = self._take_waiter()
        if waiter is not None:
            waiter.set_result(voice)

    def fail(self, error: BaseException) -> None:
        """Sending the credentials failed."""
        waiter = self._take_waiter()
        if waiter is not None:
            waiter.set_exception(error)
            # Mark it retrieved: nobody may be waiting any more.
            waiter.exception()

    def _take_waiter(self) -> asyncio.Future[VoiceUpdate] | None:
        # Its awaiters hold it: once settled, this guild need not (nor its result).
        waiter = self._waiter
        if waiter is None:
            return None
        self._waiter = None
        return None if waiter.done() else waiter


class GuildPlayers(collections.abc.Mapping[int, "Player"]):
    """The players of a guild table, by guild id: a read-only view kept in step by its owner.

    Each player is held by its guild's [`GuildVoice`][hikari_lavalink.bridge.voice.GuildVoice]
    (`voice.player`), so a guild costs one dict entry, not two; the count is kept, so `len` is O(1).
    """

    __slots__ = ("_count", "_guilds")

    def __init__(self, guilds: dict[int, GuildVoice]) -> None:
        self._guilds = guilds
        self._count = 0

    @override
    def __repr__(self) -> str:
        return f"GuildPlayers({dict(self)!r})"

    @override
    def __getitem__(self, guild_id: int) -> Player:
        player = self._guilds[guild_id].player
        if player is None:
            raise KeyError(guild_id)
        return player

    @override
    def get(self, guild_id: int, default: None = None) -> Player | None:  # pyright: ignore[reportIncompatibleMethodOverride]
        voice = self._guilds.get(guild_id)
        return voice.player if voice is not None else default

    @override
    def __contains__(self, guild_id: object) -> bool:
        voice = self._guilds.get(guild_id)  # pyright: ignore[reportCallIssue, reportArgumentType]
        return voice is not None and voice.player is not None

    @override
    def __len__(self) -> int:
        return self._count

    @override
    def __iter__(self) -> collections.abc.Iterator[int]:
        return (guild for guild, voice in self._guilds.items() if voice.player is not None)

    def put(self, voice: GuildVoice, player: Player) -> None:
        """Make `player` the guild's player (owner only)."""
        if voice.player is None:
            self._count += 1
        voice.player = player

    def pop(self, guild_id: int) -> Player | None:
        """Forget the guild's player, returning it (owner only)."""
        voice = self._guilds.get(guild_id)
        if voice is None or voice.player is None:
            return None
        player, voice.player = voice.player, None
        self._count -= 1
        return player
