"""What a store keeps, and the two shapes of store the client writes to.

A store keeps each node's Lavalink session id and each player's guild, channel, node,
track, position, volume, filters and paused state, its music
([`StoredMusic`][hikari_lavalink.store.base.StoredMusic]: queue, history, loop mode, the bot's
`player.data`, autoplay and auto-leave settings) and what it asked of the plugins
([`StoredPlugins`][hikari_lavalink.store.base.StoredPlugins]: live lyrics, SponsorBlock).
[`LavalinkClient`][hikari_lavalink.LavalinkClient] writes it every few seconds when something
changed and reads it when it starts:

- a node whose stored session is still alive is resumed, and its players are adopted
  without interrupting the audio;
- otherwise the stored players are recreated: the bot rejoins their channels (op 4) and
  the tracks restart from their stored positions.

Any object with the two methods of [`SessionStore`][hikari_lavalink.store.base.SessionStore] is a
store. A store shared by the processes of one bot (each running some of its shards) is a
[`ShardedStore`][hikari_lavalink.store.base.ShardedStore] too: the client opens it with its
[`StoreScope`][hikari_lavalink.store.base.StoreScope] first, and each process then loads and saves
only the guilds of its own shards, and its own sessions.
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol.filters import Filters
from hikari_lavalink.protocol.models import Track

__all__ = [
    "REMOTE_ACTIONS",
    "STORE_VERSION",
    "RemoteCommand",
    "RemoteReply",
    "SessionStore",
    "ShardedStore",
    "StoreScope",
    "StoredMusic",
    "StoredPlayer",
    "StoredPlugins",
    "StoredState",
]

STORE_VERSION: typing.Final = 3
"""The version of what this release writes (1: before the music layer; 2: before the
plugins' state). Every older one still loads."""


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


class StoredPlugins(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """What a player asked of the plugins, as persisted: its live-lyrics subscription
    (LavaLyrics) and its SponsorBlock categories (`None`: none set)."""

    lyrics: bool = False
    skip_track_source: bool = False
    sponsorblock: list[str] | None = None


class StoredPlayer(msgspec.Struct, kw_only=True, frozen=True):
    """One player, as persisted (`music` is `None` for a player that used none, and in
    a store written by version 1; `plugins` for a player that asked nothing of a plugin,
    and in a store written before them)."""

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
    plugins: StoredPlugins | None = None
    saved_at: float | None = None
    """When `position` was read (Unix time, seconds): a playing track has gone on since."""

    def position_at(self, now: float) -> int:
        """Where a playing track is at Unix time `now`, had its player gone on playing."""
        if self.track is None or self.paused or self.saved_at is None:
            return self.position
        position = self.position + int(max(now - self.saved_at, 0.0) * 1000)
        return min(position, self.track.info.length) if not self.track.info.is_stream else position


class StoredState(msgspec.Struct, kw_only=True, frozen=True):
    """Everything a store keeps: node name -> session id, and the players."""

    version: int = STORE_VERSION
    sessions: dict[str, str] = msgspec.field(default_factory=dict[str, str])
    players: list[StoredPlayer] = msgspec.field(default_factory=list[StoredPlayer])


class SessionStore(typing.Protocol):
    """Where [`StoredState`][hikari_lavalink.store.base.StoredState] lives between runs."""

    async def load(self) -> StoredState | None:
        """The last saved state, or `None` (never saved, or unreadable)."""
        ...

    async def save(self, state: StoredState) -> None:
        """Replace the saved state."""
        ...


class StoreScope:
    """What one process of a bot owns: the bot's shard count, and the shards it runs here.

    A guild belongs to shard `(guild_id >> 22) % shard_count`.
    """

    __slots__ = ("_owned", "shard_count", "shard_ids")

    def __init__(self, shard_count: int, shard_ids: typing.Iterable[int]) -> None:
        ids = tuple(sorted(set(shard_ids)))
        if shard_count < 1 or not ids or ids[0] < 0 or ids[-1] >= shard_count:
            msg = f"shard ids {list(ids)} do not fit a bot of {shard_count} shard(s)"
            raise ValueError(msg)
        self.shard_count: int = shard_count
        self.shard_ids: tuple[int, ...] = ids
        self._owned = frozenset(ids)

    @override
    def __repr__(self) -> str:
        return f"StoreScope(shard_count={self.shard_count}, shard_ids={list(self.shard_ids)})"

    @override
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoreScope):
            return NotImplemented
        return (self.shard_count, self.shard_ids) == (other.shard_count, other.shard_ids)

    @override
    def __hash__(self) -> int:
        return hash((self.shard_count, self.shard_ids))

    @property
    def key(self) -> str:
        """A name for this shard set: `"4:0,1"` (shards 0 and 1 of 4)."""
        return f"{self.shard_count}:{','.join(map(str, self.shard_ids))}"

    def shard_of(self, guild_id: int) -> int:
        """The shard of `guild_id`."""
        return (guild_id >> 22) % self.shard_count

    def owns(self, guild_id: int) -> bool:
        """Whether `guild_id` is on one of this process's shards."""
        return (guild_id >> 22) % self.shard_count in self._owned


@typing.runtime_checkable
class ShardedStore(SessionStore, typing.Protocol):
    """A [`SessionStore`][hikari_lavalink.store.base.SessionStore] that several processes of one bot
    share.

    The client calls [`open`][hikari_lavalink.store.base.ShardedStore.open] once, before
    [`load`][hikari_lavalink.store.base.SessionStore.load]; from then on `load` returns only the
    scope's players and sessions, and `save` is given only those (the other processes' records are
    left alone). [`close`][hikari_lavalink.store.base.ShardedStore.close] comes last.
    """

    async def open(self, scope: StoreScope) -> None:
        """Take `scope` (claim its shards, where the store can).

        Raises
        ------
        ShardsClaimedError
            Another live process runs some of these shards.
        """
        ...

    async def close(self) -> None:
        """Release what [`open`][hikari_lavalink.store.base.ShardedStore.open] claimed; the last
        call."""
        ...


REMOTE_ACTIONS: typing.Final = frozenset(
    ("skip", "pause", "resume", "stop", "volume", "seek", "enqueue", "leave")
)
"""What another process may ask of a guild's player (`value`: the volume, the position in
ms, or the query or URL to enqueue)."""


class RemoteCommand(msgspec.Struct, kw_only=True, frozen=True):
    """A command for a guild's player, sent from any process (a dashboard, another shard's
    process) to the process that runs the guild's shard."""

    guild_id: int
    action: str
    value: int | str | None = None
    requester: int | None = None
    id: str = ""
    reply_to: str = ""


class RemoteReply(msgspec.Struct, kw_only=True, frozen=True):
    """The owner's answer to a [`RemoteCommand`][hikari_lavalink.store.base.RemoteCommand] (`track`:
    the title now playing or enqueued, when there is one)."""

    id: str
    ok: bool
    error: str | None = None
    track: str | None = None
