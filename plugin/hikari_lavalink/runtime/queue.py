"""A track queue, composable with any player (not welded into :class:`Player`).

Typical use: keep one :class:`TrackQueue` per guild, push what users ask for, and on a
``TrackEndEvent`` whose ``may_start_next`` is true, play ``queue.next()``.
"""

from __future__ import annotations

import collections
import collections.abc
import enum
import random
import typing

from hikari_lavalink._typing import override

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol.models import Track

__all__ = ["LoopMode", "TrackQueue"]


class LoopMode(enum.Enum):
    """What :meth:`TrackQueue.next` does with the track that just ended."""

    OFF = "off"
    """Forget it."""
    TRACK = "track"
    """Play it again."""
    QUEUE = "queue"
    """Put it at the end of the queue."""


class TrackQueue:
    """Upcoming tracks, the current one, and a bounded history.

    Parameters
    ----------
    history_size
        How many finished tracks :attr:`history` keeps.
    rng
        The random source for :meth:`shuffle`.
    """

    __slots__ = ("_history", "_rng", "_upcoming", "current", "loop")

    def __init__(self, *, history_size: int = 50, rng: random.Random | None = None) -> None:
        self._upcoming: collections.deque[Track] = collections.deque()
        self._history: collections.deque[Track] = collections.deque(maxlen=history_size)
        self._rng = rng or random.Random()
        self.current: Track | None = None
        """The track handed out last by :meth:`next` (``None`` when idle)."""
        self.loop = LoopMode.OFF

    def __len__(self) -> int:
        return len(self._upcoming)

    def __iter__(self) -> collections.abc.Iterator[Track]:
        return iter(self._upcoming)

    @override
    def __repr__(self) -> str:
        title = self.current.info.title if self.current else None
        return (
            f"TrackQueue(current={title!r}, upcoming={len(self._upcoming)}, loop={self.loop.value})"
        )

    @property
    def history(self) -> list[Track]:
        """Finished tracks, oldest first."""
        return list(self._history)

    def add(self, *tracks: Track) -> None:
        """Append tracks."""
        self._upcoming.extend(tracks)

    def add_next(self, track: Track) -> None:
        """Put a track at the front."""
        self._upcoming.appendleft(track)

    def next(self) -> Track | None:
        """Finish the current track and return the one to play now (``None``: nothing)."""
        finished = self.current
        if finished is not None:
            if self.loop is LoopMode.TRACK:
                return finished
            self._history.append(finished)
            if self.loop is LoopMode.QUEUE:
                self._upcoming.append(finished)
        self.current = self._upcoming.popleft() if self._upcoming else None
        return self.current

    def skip(self, count: int = 1) -> Track | None:
        """Drop ``count - 1`` upcoming tracks and move on (ignores :attr:`loop` for the current)."""
        for _ in range(max(0, count - 1)):
            if self._upcoming:
                self._history.append(self._upcoming.popleft())
        loop, self.loop = self.loop, LoopMode.OFF if self.loop is LoopMode.TRACK else self.loop
        try:
            return self.next()
        finally:
            self.loop = loop

    def remove(self, index: int) -> Track:
        """Remove and return the upcoming track at ``index`` (0 is the next one)."""
        track = self._upcoming[index]
        del self._upcoming[index]
        return track

    def shuffle(self) -> None:
        """Shuffle the upcoming tracks."""
        items = list(self._upcoming)
        self._rng.shuffle(items)
        self._upcoming = collections.deque(items)

    def clear(self) -> None:
        """Forget the upcoming tracks (the current one stays)."""
        self._upcoming.clear()
