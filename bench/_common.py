"""What every benchmark returns, and the helpers they share.

A benchmark module has ``run() -> list[Result]``. A result carries our figure and, where
there is one, the floor measured in the same run (so the ratio holds on a noisy machine),
and the target it is held to: a ratio to the floor, an absolute limit, or both.
"""

from __future__ import annotations

import dataclasses
import math
import os
import statistics
import typing

__all__ = ["QUICK", "Result", "median", "percentile", "scaled"]

QUICK: typing.Final = os.environ.get("BENCH_QUICK") == "1"
"""Smoke-run mode (``python -m bench --quick``): tiny sizes, figures meaningless."""


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """One measured figure."""

    name: str
    value: float
    """Our figure, in ``unit``."""
    unit: str
    floor: float | None = None
    """The floor (same unit), measured in the same run."""
    max_ratio: float | None = None
    """Target: :attr:`ratio` at most this."""
    paired_ratio: float | None = None
    """When ours and the floor were measured in pairs (in ``bench.stream``, the two reads of
    one chunk of the stream, back to back): the median of the pairs' ratios. It is then
    :attr:`ratio`, as the figure a machine's changing load moves least: both halves of a
    pair share the same moment of it, while the best of each (``value`` and ``floor``) may
    come from different moments."""
    limit: float | None = None
    """Target: ``value`` at most this."""
    group: str = ""
    """For plots and JSON: the series this point belongs to (e.g. ``"stream"``)."""
    x: float | None = None
    """For plots: the x coordinate (e.g. the number of players)."""
    extra: dict[str, float] = dataclasses.field(default_factory=dict[str, float])
    """More figures worth printing (p50, RSS, counts...)."""

    @property
    def ratio(self) -> float | None:
        """:attr:`paired_ratio`, or else ``value / floor``, when there is a floor."""
        if self.floor is None or self.floor <= 0:
            return None
        if self.paired_ratio is not None:
            return self.paired_ratio
        return self.value / self.floor

    @property
    def ok(self) -> bool | None:
        """Whether every target is met (``None`` when there is no target)."""
        checks: list[bool] = []
        ratio = self.ratio
        if self.max_ratio is not None and ratio is not None:
            checks.append(ratio <= self.max_ratio)
        if self.limit is not None:
            checks.append(self.value <= self.limit)
        return all(checks) if checks else None

    def target(self) -> str:
        """The target, as text."""
        parts: list[str] = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio}x")
        if self.limit is not None:
            parts.append(f"<= {self.limit:g} {self.unit}")
        return ", ".join(parts) or "-"


def scaled(full: int, quick: int) -> int:
    """``full``, or ``quick`` in smoke-run mode."""
    return quick if QUICK else full


def percentile(values: typing.Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, nearest rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: typing.Sequence[float]) -> float:
    """The median of ``values`` (NaN when there are none)."""
    return statistics.median(values) if values else math.nan
