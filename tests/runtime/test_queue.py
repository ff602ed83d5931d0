"""TrackQueue behaviour."""

from __future__ import annotations

import random

import pytest

from hikari_lavalink.runtime.queue import LoopMode, TrackQueue
from hikari_lavalink.testing import factories

A, B, C = (factories.make_track(title=t) for t in "ABC")


def titles(queue: TrackQueue) -> list[str]:
    return [t.info.title for t in queue]


def test_fifo_history_and_idle() -> None:
    queue = TrackQueue(history_size=2)
    assert queue.next() is None
    queue.add(A, B, C)
    assert len(queue) == 3
    assert queue.next() is A
    assert queue.current is A
    assert queue.next() is B
    assert queue.next() is C
    assert queue.next() is None
    assert queue.history == [B, C]
    assert "upcoming=0" in repr(queue)


def test_loop_modes() -> None:
    queue = TrackQueue()
    queue.add(A, B)
    queue.loop = LoopMode.TRACK
    assert queue.next() is A
    assert queue.next() is A
    queue.loop = LoopMode.QUEUE
    assert queue.next() is B
    assert titles(queue) == ["A"]
    assert queue.next() is A
    assert titles(queue) == ["B"]


def test_skip_add_next_remove_shuffle_clear() -> None:
    queue = TrackQueue(rng=random.Random(3))
    queue.add(A, B, C)
    queue.next()
    queue.loop = LoopMode.TRACK
    assert queue.skip() is B  # skipping ignores track looping
    assert queue.loop is LoopMode.TRACK
    queue.loop = LoopMode.OFF
    queue.add_next(A)
    assert titles(queue) == ["A", "C"]
    assert queue.skip(2) is C
    queue.add(A, B, C)
    assert queue.remove(1) is B
    with pytest.raises(IndexError):
        queue.remove(5)
    queue.add(B, B, B)
    queue.shuffle()
    assert sorted(titles(queue)) == ["A", "B", "B", "B", "C"]
    queue.clear()
    assert len(queue) == 0
    assert queue.current is C
