"""A track queue: every player has one
([`Player.queue`][hikari_lavalink.runtime.player.Player.queue]), and it advances by itself.

When a track ends `finished` or `loadFailed`, the client plays the queue's next track
(see [`hikari_lavalink.runtime.music`][hikari_lavalink.runtime.music]);
[`Player.skip`][hikari_lavalink.runtime.player.Player.skip] moves on at once. The queue itself is
pure: it holds tracks and decides what comes next; it never talks to Lavalink, so it can also be
used on its own.

Tracks autoplay added (marked `userData["autoplay"]`) stay behind the ones people ask
for: [`TrackQueue.add`][hikari_lavalink.runtime.queue.TrackQueue.add] puts new tracks before them.
"""

from __future__ import annotations

import collections
import collections.abc
import enum
import random
import typing

import msgspec

from hikari_lavalink._typing import override

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol.models import Track

__all__ = [
    "AUTOPLAY_KEY",
    "REQUESTER_KEY",
    "LoopMode",
    "TrackQueue",
    "is_autoplayed",
    "requester_of",
    "with_requester",
]

REQUESTER_KEY: typing.Final = "requester"
"""The `userData` key holding who asked for a track (a user id, as a string)."""
AUTOPLAY_KEY: typing.Final = "autoplay"
"""The `userData` key marking a track autoplay chose (`true`)."""


class LoopMode(enum.Enum):
    """What the queue does with the track that just ended."""

    OFF = "off"
    """Forget it (it goes to the history)."""
    TRACK = "track"
    """Play it again."""
    QUEUE = "queue"
    """Put it at the end of the queue."""


def with_requester(track: Track, requester: typing.SupportsInt) -> Track:
    """`track` with `requester` (a user id) in its `userData`.

    Lavalink echoes `userData` in every event of the track, so the requester comes back
    with each [`TrackStartEvent`][hikari_lavalink.TrackStartEvent] and
    [`TrackEndEvent`][hikari_lavalink.TrackEndEvent], and survives moves and restarts. It is a
    string in the JSON (user ids exceed JavaScript's exact integers).
    """
    data = {**track.user_data, REQUESTER_KEY: str(int(requester))}
    return msgspec.structs.replace(track, user_data=data)


def requester_of(track: Track) -> int | None:
    """Who asked for `track` (see [`with_requester`][hikari_lavalink.with_requester]), or `None`."""
    value = track.user_data.get(REQUESTER_KEY)
    if isinstance(value, str) and value.isdecimal():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_autoplayed(track: Track) -> bool:
    """Whether autoplay chose `track`."""
    return track.user_data.get(AUTOPLAY_KEY) is True


class TrackQueue:
    """Upcoming tracks, the current one, and a bounded history.

    Parameters
    ----------
    history_size
        How many finished tracks [`history`][hikari_lavalink.runtime.queue.TrackQueue.history]
        keeps.
    rng
        The random source for [`shuffle`][hikari_lavalink.runtime.queue.TrackQueue.shuffle].
    """

    __slots__ = ("_history", "_rng", "_upcoming", "current", "loop")

    def __init__(self, *, history_size: int = 50, rng: random.Random | None = None) -> None:
        self._upcoming: collections.deque[Track] = collections.deque()
        self._history: collections.deque[Track] = collections.deque(maxlen=history_size)
        self._rng = rng
        self.current: Track | None = None
        """The track handed out last (`None` when idle)."""
        self.loop: LoopMode = LoopMode.OFF

    def __len__(self) -> int:
        return len(self._upcoming)

    def __bool__(self) -> bool:
        return bool(self._upcoming)

    def __iter__(self) -> collections.abc.Iterator[Track]:
        return iter(self._upcoming)

    def __getitem__(self, index: int) -> Track:
        return self._upcoming[index]

    @override
    def __repr__(self) -> str:
        title = self.current.info.title if self.current else None
        return (
            f"TrackQueue(current={title!r}, upcoming={len(self._upcoming)}, loop={self.loop.value})"
        )

    @override
    def __sizeof__(self) -> int:
        # The queue and its two deques (the tracks are the caller's, shared).
        return object.__sizeof__(self) + self._upcoming.__sizeof__() + self._history.__sizeof__()

    @property
    def history(self) -> list[Track]:
        """Finished tracks, oldest first."""
        return list(self._history)

    @property
    def history_size(self) -> int:
        """How many finished tracks [`history`][hikari_lavalink.runtime.queue.TrackQueue.history]
        keeps."""
        return self._history.maxlen or 0

    @property
    def upcoming(self) -> list[Track]:
        """The upcoming tracks, next first (a copy)."""
        return list(self._upcoming)

    def add(self, *tracks: Track, requester: typing.SupportsInt | None = None) -> None:
        """Append tracks (before any autoplay added), recording who asked for them."""
        if requester is not None:
            tracks = tuple(with_requester(t, requester) for t in tracks)
        upcoming = self._upcoming
        chosen = 0  # autoplay's tracks at the end: people's tracks go before them
        while chosen < len(upcoming) and is_autoplayed(upcoming[-1 - chosen]):
            chosen += 1
        if not chosen or all(is_autoplayed(t) for t in tracks):
            upcoming.extend(tracks)
            return
        at = len(upcoming) - chosen
        for offset, track in enumerate(tracks):
            upcoming.insert(at + offset, track)

    def add_next(self, track: Track, *, requester: typing.SupportsInt | None = None) -> None:
        """Put a track at the front."""
        self._upcoming.appendleft(track if requester is None else with_requester(track, requester))

    def next(self, *, failed: bool = False) -> Track | None:
        """Finish [`current`][hikari_lavalink.runtime.queue.TrackQueue.current] and return the track
        to play now (`None`: nothing).

        `failed`: the current track failed to load; it is not played again
        ([`LoopMode.TRACK`][hikari_lavalink.runtime.queue.LoopMode.TRACK]) nor put back
        ([`LoopMode.QUEUE`][hikari_lavalink.runtime.queue.LoopMode.QUEUE]), so a broken track cannot
        loop forever.
        """
        finished = self.current
        if finished is not None:
            if self.loop is LoopMode.TRACK and not failed:
                return finished
            self._history.append(finished)
            if self.loop is LoopMode.QUEUE and not failed:
                self._upcoming.append(finished)
        self.current = self._upcoming.popleft() if self._upcoming else None
        return self.current

    def skip(self, count: int = 1) -> Track | None:
        """Finish [`current`][hikari_lavalink.runtime.queue.TrackQueue.current], drop `count - 1`
        upcoming tracks and move on (ignores
        [`LoopMode.TRACK`][hikari_lavalink.runtime.queue.LoopMode.TRACK]; in
        [`LoopMode.QUEUE`][hikari_lavalink.runtime.queue.LoopMode.QUEUE] the skipped go round
        too)."""
        looping = self.loop is LoopMode.QUEUE
        upcoming = self._upcoming
        for index in range(max(1, count)):
            finished = self.current if index == 0 else upcoming.popleft() if upcoming else None
            if finished is not None:
                self._history.append(finished)
                if looping:
                    upcoming.append(finished)
        self.current = upcoming.popleft() if upcoming else None
        return self.current

    def started(self, track: Track) -> None:
        """A track the queue did not hand out started (`player.play(track)`): the current
        one goes to the history, and `track` is current."""
        current = self.current
        if current is not None and current.encoded != track.encoded:
            self._history.append(current)
        self.current = track

    def remove(self, index: int) -> Track:
        """Remove and return the upcoming track at `index` (0 is the next one)."""
        track = self._upcoming[index]
        del self._upcoming[index]
        return track

    def move(self, index: int, to: int) -> None:
        """Move the upcoming track at `index` to position `to`."""
        track = self.remove(index)
        self._upcoming.insert(to, track)

    def shuffle(self) -> None:
        """Shuffle the upcoming tracks."""
        items = list(self._upcoming)
        (self._rng or random).shuffle(items)
        self._upcoming = collections.deque(items)

    def clear(self) -> None:
        """Forget the upcoming tracks (the current one stays)."""
        self._upcoming.clear()

    def clear_history(self) -> None:
        """Forget the history."""
        self._history.clear()

    def restore(
        self,
        upcoming: collections.abc.Iterable[Track],
        history: collections.abc.Iterable[Track] = (),
        *,
        current: Track | None = None,
        loop: LoopMode = LoopMode.OFF,
    ) -> None:
        """Replace the whole state (a stored queue coming back)."""
        self._upcoming = collections.deque(upcoming)
        self._history.clear()
        self._history.extend(history)
        self.current = current
        self.loop = loop
