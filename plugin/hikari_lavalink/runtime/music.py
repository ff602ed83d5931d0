"""The music layer: what plays next when a track ends, and the settings that decide it.

[`Music`][hikari_lavalink.runtime.music.Music] is one per client (every node of the client holds it,
as [`Node.music`][hikari_lavalink.runtime.node.Node.music]). The client's listener calls its
[`hooks`][hikari_lavalink.runtime.music.Music.hooks] for each track start and end, before it
builds the hikari event: O(1), no work per `playerUpdate` or other event and no listener per
player. A track ending `finished` or `loadFailed` (and only when it was the player's current
track) starts one task that plays the queue's next track, or asks the recommender when the queue
is dry and autoplay is on, or says the queue ended.

Ends the client causes itself never get here: a player dropped on purpose (shard death)
is detached and its events are dropped by the node's reader; a moved or destroyed player
is no longer on the node whose late `TrackEndEvent` arrives. So a recovery never skips
a track or plays one twice.

A player's own settings ([`PlayerMusic`][hikari_lavalink.runtime.music.PlayerMusic]) live in its
side object, created when first used: an idle player that never used its queue pays nothing for
them.
"""

from __future__ import annotations

import asyncio
import collections.abc
import logging
import typing

import msgspec

from hikari_lavalink._typing import Sentinel, override
from hikari_lavalink.errors import LavalinkError
from hikari_lavalink.protocol import messages, models
from hikari_lavalink.runtime import background, plugin_state
from hikari_lavalink.runtime import queue as queue_

if typing.TYPE_CHECKING:
    from hikari_lavalink.runtime.player import Player

__all__ = [
    "AUTOPLAY_HISTORY",
    "CLIENT_DEFAULT",
    "ClientDefault",
    "Music",
    "PlayerMusic",
    "Recommender",
    "queue_of",
    "recommend",
]

_LOGGER = logging.getLogger("hikari_lavalink.music")

Recommender = collections.abc.Callable[
    ["Player", models.Track], collections.abc.Awaitable[collections.abc.Sequence[models.Track]]
]
"""`await recommender(player, seed)`: tracks to play after `seed` (autoplay)."""

AUTOPLAY_HISTORY: typing.Final = 50
"""How many of the last tracks autoplay never recommends again."""
AUTOPLAY_BATCH: typing.Final = 5
"""How many recommended tracks autoplay queues at once."""


class ClientDefault(Sentinel):
    """The type of [`CLIENT_DEFAULT`][hikari_lavalink.CLIENT_DEFAULT]."""

    __slots__ = ()
    name = "CLIENT_DEFAULT"


CLIENT_DEFAULT: typing.Final = ClientDefault()
"""A player setting that follows its client's (`player.autoplay = CLIENT_DEFAULT`)."""


class PlayerMusic:
    """A player's queue, its bot's data and its own settings (created when first used)."""

    __slots__ = (
        "auto_advance",
        "autoplay",
        "data",
        "leave_when_alone",
        "leave_when_idle",
        "queue",
    )

    def __init__(self) -> None:
        self.queue: queue_.TrackQueue | None = None
        self.data: dict[str, typing.Any] | None = None
        self.autoplay: bool | ClientDefault = CLIENT_DEFAULT
        self.auto_advance: bool | ClientDefault = CLIENT_DEFAULT
        self.leave_when_idle: float | ClientDefault | None = CLIENT_DEFAULT
        self.leave_when_alone: float | ClientDefault | None = CLIENT_DEFAULT

    @override
    def __sizeof__(self) -> int:
        size = object.__sizeof__(self)
        if self.queue is not None:
            size += self.queue.__sizeof__()
        if self.data is not None:
            size += self.data.__sizeof__()
        return size


async def recommend(player: Player, seed: models.Track) -> list[models.Track]:
    """The built-in recommender: a YouTube mix for YouTube tracks; LavaSrc's
    recommendations (`sprec:`, `dzrec:`) for Spotify and Deezer tracks when the node
    has that source; nothing otherwise."""
    info = seed.info
    source = info.source_name
    if source == "youtube":
        identifier = f"https://www.youtube.com/watch?v={info.identifier}&list=RD{info.identifier}"
    elif source in ("spotify", "deezer"):
        node = player.node
        server = node.info or await node.fetch_info()  # read on every ready: no request
        if source not in server.source_managers:
            return []
        identifier = (
            f"sprec:mix:track:{info.identifier}"
            if source == "spotify"
            else f"dzrec:{info.identifier}"
        )
    else:
        return []
    return list((await player.node.load_tracks(identifier)).tracks)


def queue_of(player: Player) -> queue_.TrackQueue | None:
    """The player's queue, or `None` while it has none (without making one)."""
    music = player.music_state
    return music.queue if music is not None else None


def _recent(player: Player, seed: models.Track) -> set[str]:
    recent = {seed.info.identifier}
    queue = queue_of(player)
    if queue is not None:
        recent.update(t.info.identifier for t in queue.history[-AUTOPLAY_HISTORY:])
        recent.update(t.info.identifier for t in queue)
    return recent


def _next_after(player: Player, ended: models.Track, *, failed: bool) -> models.Track | None:
    # The queue's track after ``ended`` (which goes to the history), if it has a queue.
    queue = queue_of(player)
    if queue is None:
        return None
    queue.current = ended
    return queue.next(failed=failed)


class Music:
    """The client's music settings, and the engine that advances its players' queues.

    Parameters
    ----------
    is_current
        `is_current(player)`: the player still belongs to its guild (not left, not
        replaced); a player that is not is never advanced.
    queue_end
        `queue_end(player, last)`: the queue ran dry and nothing plays.
    idle, playing
        Nothing plays on the player now (stopped or dry), or something does again.
    reconsider
        A player's auto-leave setting changed: its timers start again from now.
    spawn
        Runs a coroutine in the background (the client's tasks).
    """

    __slots__ = (
        "_idle",
        "_is_current",
        "_locks",
        "_playing",
        "_queue_end",
        "_reconsider",
        "_spawn",
        "auto_advance",
        "autoplay",
        "leave_when_alone",
        "leave_when_idle",
        "recommender",
    )

    def __init__(
        self,
        *,
        auto_advance: bool = True,
        autoplay: bool = False,
        recommender: Recommender | None = None,
        leave_when_idle: float | None = None,
        leave_when_alone: float | None = None,
        is_current: collections.abc.Callable[[Player], bool] = lambda _: True,
        queue_end: collections.abc.Callable[[Player, models.Track | None], None] = (
            lambda _, __: None
        ),
        idle: collections.abc.Callable[[Player], None] = lambda _: None,
        playing: collections.abc.Callable[[Player], None] = lambda _: None,
        reconsider: collections.abc.Callable[[Player], None] = lambda _: None,
        spawn: collections.abc.Callable[
            [collections.abc.Coroutine[typing.Any, typing.Any, None]], None
        ]
        | None = None,
    ) -> None:
        self.auto_advance: bool = auto_advance
        self.autoplay: bool = autoplay
        self.recommender: Recommender = recommender or recommend
        self.leave_when_idle: float | None = leave_when_idle
        self.leave_when_alone: float | None = leave_when_alone
        self._is_current = is_current
        self._queue_end = queue_end
        self._idle = idle
        self._playing = playing
        self._reconsider = reconsider
        self._spawn = spawn or background.BackgroundTasks().spawn
        # One lock per guild while an advance or a skip runs for it (then dropped).
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @override
    def __repr__(self) -> str:
        return (
            f"Music(auto_advance={self.auto_advance}, autoplay={self.autoplay}, "
            f"leave_when_idle={self.leave_when_idle}, leave_when_alone={self.leave_when_alone})"
        )

    # -- from the node's reader (before the hikari event is built) -----------------------

    def hooks(self) -> dict[type, collections.abc.Callable[[Player, typing.Any], None]]:
        """The event types the engine takes, each with its hook (`hook(player, message)`):
        the client's listener calls only these, so the other events cost it nothing."""
        return {messages.TrackStartMessage: self.on_start, messages.TrackEndMessage: self.on_end}

    def on_event(self, player: Player, message: messages.EventMessage) -> None:
        """Take a track event of a player (called once per event, in order)."""
        hook = self.hooks().get(message.__class__)
        if hook is not None:
            hook(player, message)

    def on_start(self, player: Player, message: messages.TrackStartMessage) -> None:
        """A track started (its queue's current moves on, the idle timer is disarmed)."""
        if player.take_start(message.track):  # False: a destroyed player's
            self._playing(player)

    def on_end(self, player: Player, message: messages.TrackEndMessage) -> None:
        """A track ended: only the end of the player's current track, of a live player,
        plays what comes next (or settles a dry queue, or says nothing plays)."""
        plugin_state.on_track_end(player, message)  # a track told again after a recovery
        if player.track is not None or player.destroyed is not None:
            return  # not the current track's end (it plays on), or a destroyed player's
        if message.reason in models.MAY_START_NEXT:
            failed = message.reason == models.TrackEndReason.LOAD_FAILED
            if self._must_wait(player):
                self._spawn(self._advance(player, message.track, failed=failed))
            else:
                self._dry(player, message.track, failed=failed)
        elif message.reason not in models.ANOTHER_PLAYS:
            self._idle(player)  # stopped (or cleaned up): nothing plays now

    def _must_wait(self, player: Player) -> bool:
        # Whether this end needs the task (a track to play, autoplay to ask, a skip under
        # way); a dry queue without autoplay, the common end of a bot's last track, is
        # settled here, without a task.
        if player.guild_id in self._locks or player.autoplay:
            return True
        queue = queue_of(player)
        return queue is not None and (bool(queue) or queue.loop is not queue_.LoopMode.OFF)

    def _dry(self, player: Player, ended: models.Track, *, failed: bool) -> None:
        if not self._is_current(player):
            return
        if not player.auto_advance:
            self._idle(player)
            return
        _next_after(player, ended, failed=failed)  # into the history; nothing comes next
        self._ran_dry(player, ended)

    def _ran_dry(self, player: Player, last: models.Track) -> None:
        self._queue_end(player, last)
        self._idle(player)

    def setting_changed(self, player: Player) -> None:
        """A player changed one of its auto-leave settings (called by its setters)."""
        self._reconsider(player)

    # -- advancing -------------------------------------------------------------------------

    async def _advance(self, player: Player, ended: models.Track, *, failed: bool) -> None:
        async with self._lock(player.guild_id):
            if player.destroyed is not None or not self._is_current(player):
                return
            if player.track is not None:
                return  # something plays already (the bot played or skipped meanwhile)
            if not player.auto_advance:
                self._idle(player)
                return
            following = _next_after(player, ended, failed=failed)
            if following is None and not (failed and queue_.is_autoplayed(ended)):
                following = await self._autoplay(player, ended)
            await self._play(player, following, last=ended)

    async def skip(self, player: Player, count: int = 1) -> models.Track | None:
        """Play the queue's next track now (autoplay's, when dry), or stop: the track
        returned, or `None`. Waits for an advance under way; when that already moved
        past the track playing at the call, nothing more is skipped."""
        target = player.track
        # Nothing plays, but an advance is under way: it plays what this skip would.
        advancing = target is None and player.guild_id in self._locks
        async with self._lock(player.guild_id):
            current = player.track
            if (advancing and current is not None) or (
                target is not None and (current is None or current.encoded != target.encoded)
            ):
                return current  # what the caller saw playing is gone already
            queue = player.queue
            queue.current = current
            following = queue.skip(count)
            if following is None and current is not None:
                following = await self._autoplay(player, current)
            if following is None:
                if current is not None:
                    await player.stop()
                self._queue_end(player, current)
                return None
            await player.play(following)
            return following

    async def _autoplay(self, player: Player, seed: models.Track) -> models.Track | None:
        if not player.autoplay:
            return None
        try:
            tracks = await self.recommender(player, seed)
        except Exception as exc:  # noqa: BLE001 - a recommender is anyone's code
            _LOGGER.warning(
                "guild %s: autoplay failed: %s: %s", player.guild_id, type(exc).__name__, exc
            )
            return None
        recent = _recent(player, seed)
        fresh: list[models.Track] = []
        for track in tracks:
            if track.info.identifier in recent:
                continue
            recent.add(track.info.identifier)
            data = {**track.user_data, queue_.AUTOPLAY_KEY: True}
            fresh.append(msgspec.structs.replace(track, user_data=data))
            if len(fresh) == AUTOPLAY_BATCH:
                break
        if not fresh or player.destroyed is not None or not self._is_current(player):
            return None
        queue = player.queue
        queue.add(*fresh)
        return queue.next()

    async def _play(
        self, player: Player, following: models.Track | None, *, last: models.Track
    ) -> None:
        if following is None:
            self._ran_dry(player, last)
            return
        try:
            await player.play(following)
        except LavalinkError as exc:
            if player.destroyed is not None:
                return  # left meanwhile: nothing to play for
            _LOGGER.warning("guild %s: playing the next track failed: %s", player.guild_id, exc)
            queue = player.queue
            queue.add_next(following)  # not lost: the next advance or skip plays it
            queue.current = None
            self._idle(player)

    def _lock(self, guild: int) -> _GuildLock:
        return _GuildLock(self._locks, guild)


class _GuildLock:
    """One guild's lock, in a table that keeps it only while someone holds or awaits it."""

    __slots__ = ("_guild", "_table")

    def __init__(self, table: dict[int, tuple[asyncio.Lock, int]], guild: int) -> None:
        self._table = table
        self._guild = guild

    async def __aenter__(self) -> None:
        lock, users = self._table.get(self._guild) or (asyncio.Lock(), 0)
        self._table[self._guild] = (lock, users + 1)
        try:
            await lock.acquire()
        except BaseException:
            self._release(lock, locked=False)
            raise

    async def __aexit__(self, *_: object) -> None:
        self._release(self._table[self._guild][0], locked=True)

    def _release(self, lock: asyncio.Lock, *, locked: bool) -> None:
        if locked:
            lock.release()
        _, users = self._table[self._guild]
        if users == 1:
            del self._table[self._guild]
        else:
            self._table[self._guild] = (lock, users - 1)
