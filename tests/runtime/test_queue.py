"""TrackQueue behaviour."""

from __future__ import annotations

import random

import pytest

from hikari_lavalink.runtime.queue import (
    LoopMode,
    TrackQueue,
    is_autoplayed,
    requester_of,
    with_requester,
)
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


def test_requester_rides_in_the_user_data() -> None:
    queue = TrackQueue()
    queue.add(A, B, requester=1234567890123456789)
    queue.add_next(C, requester=7)
    assert [requester_of(t) for t in queue] == [7, 1234567890123456789, 1234567890123456789]
    assert queue[1].user_data == {"requester": "1234567890123456789"}  # a string in JSON
    assert A.user_data == {}  # the caller's track is not changed
    assert requester_of(A) is None
    assert requester_of(with_requester(A, 3)) == 3
    odd = factories.make_track(title="odd", user_data={"requester": True})
    assert requester_of(odd) is None
    assert requester_of(factories.make_track(title="n", user_data={"requester": 9})) == 9


def test_people_go_before_autoplay_and_move_history_restore() -> None:
    queue = TrackQueue(history_size=3)
    auto = [factories.make_track(title=f"auto{n}", user_data={"autoplay": True}) for n in range(2)]
    queue.add(*auto)
    queue.add(A, B)
    assert titles(queue) == ["A", "B", "auto0", "auto1"]
    assert [is_autoplayed(t) for t in queue] == [False, False, True, True]
    queue.add(factories.make_track(title="auto2", user_data={"autoplay": True}))
    assert titles(queue)[-1] == "auto2"  # autoplay's own picks go to the end
    queue.move(0, 2)
    assert titles(queue)[:3] == ["B", "auto0", "A"]
    assert queue.history_size == 3
    queue.restore([C], [A, B], current=B, loop=LoopMode.QUEUE)
    assert (titles(queue), queue.history, queue.current, queue.loop) == (
        ["C"],
        [A, B],
        B,
        LoopMode.QUEUE,
    )
    assert queue.upcoming == [C]
    assert bool(queue)
    queue.clear_history()
    assert queue.history == []


def test_a_failed_track_never_loops() -> None:
    queue = TrackQueue()
    queue.add(A, B)
    assert queue.next() is A
    queue.loop = LoopMode.TRACK
    assert queue.next(failed=True) is B  # not A again
    queue.loop = LoopMode.QUEUE
    assert queue.next(failed=True) is None  # B is not put back
    assert queue.history == [A, B]


def test_skip_in_queue_loop_keeps_the_skipped_tracks() -> None:
    queue = TrackQueue()
    queue.add(A, B, C)
    queue.loop = LoopMode.QUEUE
    assert queue.next() is A
    assert queue.skip(2) is C  # B skipped
    assert titles(queue) == ["A", "B"]  # round again in the order they came


def test_skip_puts_the_history_in_playing_order() -> None:
    queue = TrackQueue()
    queue.add(A, B, C)
    assert queue.next() is A
    assert queue.skip(2) is C
    assert queue.history == [A, B]  # A played first, then B was skipped


def test_a_track_the_bot_plays_itself_moves_the_current_on() -> None:
    queue = TrackQueue()
    queue.add(A, B)
    assert queue.next() is A
    queue.started(A)  # its own pick: nothing changes
    assert (queue.current, queue.history) == (A, [])
    queue.started(C)  # player.play(C) over A
    assert (queue.current, queue.history) == (C, [A])
    assert queue.next() is B
    assert queue.history == [A, C]
