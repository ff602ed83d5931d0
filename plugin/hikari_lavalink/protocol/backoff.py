"""Jittered exponential back-off; the random source is injected, so it is testable."""

from __future__ import annotations

import random
import typing

__all__ = ["Backoff"]


class Backoff:
    """Delays of `base * 2**attempt` capped at `cap`, with "equal jitter".

    Each delay is drawn uniformly from `[d / 2, d]` where `d` is the capped exponential
    value, so reconnecting clients spread out while the delay never collapses to zero.

    Parameters
    ----------
    base
        The first delay's upper bound, in seconds.
    cap
        The largest delay, in seconds.
    rng
        A `random.Random` (or anything with `uniform`); a private one by default.
    """

    __slots__ = ("_attempt", "_rng", "base", "cap")

    def __init__(
        self, *, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None
    ) -> None:
        if base <= 0 or cap < base:
            msg = f"need 0 < base <= cap, got base={base} cap={cap}"
            raise ValueError(msg)
        self.base: float = base
        self.cap: float = cap
        self._rng: typing.Final = rng or random.Random()
        self._attempt = 0

    @property
    def attempt(self) -> int:
        """How many delays were handed out since the last reset."""
        return self._attempt

    def next_delay(self) -> float:
        """Return the next delay and count the attempt."""
        ceiling = min(self.cap, self.base * 2.0 ** min(self._attempt, 62))
        self._attempt += 1
        return self._rng.uniform(ceiling / 2.0, ceiling)

    def reset(self) -> None:
        """Start again from the first delay (after a connection that worked)."""
        self._attempt = 0
