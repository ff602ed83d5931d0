"""Node selection: penalties, regions from endpoints, hysteresis."""

from __future__ import annotations

import dataclasses
import typing

import hypothesis
import pytest
from hypothesis import strategies as st

import hikari_lavalink as hl
from hikari_lavalink.protocol.balancing import (
    cached_penalty,
    choose,
    penalty,
    region_of_endpoint,
)
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    import collections.abc


@dataclasses.dataclass(eq=False)
class FakeNode:
    name: str
    stats: hl.Stats | None = None
    is_ready: bool = True
    regions: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("c-ams09-3f2a.discord.media:443", "europe"),
        ("c-fra01-abcd.discord.media", "europe"),
        ("us-east1234.discord.media:443", "us-east"),
        ("us-west567.discord.media", "us-west"),
        ("rotterdam123.discord.media", "europe"),
        ("c-sin03-1.discord.media", "asia"),
        ("brazil9.discord.media", "south-america"),
        ("C-IAD06-XYZ.discord.media:443", "us-east"),
        ("weird.example.org", None),
        ("", None),
        (None, None),
        ("12345.discord.media", None),
    ],
)
def test_region_of_endpoint(endpoint: str | None, region: str | None) -> None:
    assert region_of_endpoint(endpoint) == region


def test_penalty_grows_with_load() -> None:
    idle = factories.make_stats()
    busy = factories.make_stats(playing_players=50, system_load=0.9)
    assert penalty(None) == 0.0
    assert penalty(idle) < penalty(busy)
    frames_bad = factories.make_stats(frame_stats=hl.FrameStats(sent=2000, nulled=500, deficit=500))
    assert penalty(frames_bad) > penalty(idle) + 100
    negative = factories.make_stats(frame_stats=hl.FrameStats(sent=3100, nulled=0, deficit=-100))
    assert penalty(negative) == pytest.approx(penalty(idle))
    pressured = hl.Stats(
        players=0,
        playing_players=0,
        uptime=1,
        memory=hl.Memory(free=1, used=95, allocated=100, reservable=100),
        cpu=hl.Cpu(cores=2, system_load=0.1, lavalink_load=0.1),
    )
    assert penalty(pressured) > penalty(idle) + 100


def test_choose_prefers_ready_region_and_low_penalty() -> None:
    busy_eu = FakeNode(
        "eu1", factories.make_stats(playing_players=40), regions=frozenset({"europe"})
    )
    idle_eu = FakeNode("eu2", factories.make_stats(), regions=frozenset({"europe"}))
    idle_us = FakeNode("us", factories.make_stats(), regions=frozenset({"us-east"}))
    down = FakeNode("down", factories.make_stats(), is_ready=False)
    nodes = [busy_eu, idle_eu, idle_us, down]
    assert choose(nodes) in (idle_eu, idle_us)
    assert choose(nodes, region="europe") is idle_eu
    assert choose(nodes, region="us-east") is idle_us
    assert choose(nodes, region="japan") in (idle_eu, idle_us)  # nobody there: best anywhere
    assert choose([down]) is None
    assert choose([]) is None


def test_hysteresis_keeps_a_healthy_current_node() -> None:
    a = FakeNode("a", factories.make_stats(playing_players=12))
    b = FakeNode("b", factories.make_stats(playing_players=10))
    assert choose([a, b]) is b
    assert choose([a, b], current=a) is a  # close enough: stay
    a.stats = factories.make_stats(playing_players=200)
    assert choose([a, b], current=a) is b  # far worse: move
    a.is_ready = False
    assert choose([a, b], current=a) is b


def reference_choose(
    nodes: list[FakeNode],
    *,
    region: str | None = None,
    current: FakeNode | None = None,
    hysteresis: float = 1.25,
    load: collections.abc.Callable[[FakeNode], float] | None = None,
) -> FakeNode | None:
    """``choose`` as it was before its costs were computed once: the behaviour to keep."""
    cost: collections.abc.Callable[[FakeNode], float] = load or (lambda node: penalty(node.stats))
    ready = [node for node in nodes if node.is_ready]
    if not ready:
        return None
    local = [node for node in ready if region is not None and region in node.regions]
    pool = local or ready
    best = min(pool, key=lambda node: (cost(node), node.name))
    keep = (
        current is not None and current in pool and cost(current) <= cost(best) * hysteresis + 10.0
    )
    return current if keep and current is not None else best


STATS = st.builds(
    factories.make_stats,
    playing_players=st.integers(0, 300),
    system_load=st.floats(-0.5, 1.5),
    frame_stats=st.none()
    | st.builds(
        hl.FrameStats,
        sent=st.integers(0, 3000),
        nulled=st.integers(0, 3000),
        deficit=st.integers(-3000, 3000),
    ),
)
NODES = st.lists(
    st.builds(
        FakeNode,
        name=st.sampled_from(["a", "b", "c", "d"]),  # repeated names: ties on both keys
        stats=st.none() | STATS,
        is_ready=st.booleans(),
        regions=st.frozensets(st.sampled_from(["europe", "us-east", "asia"]), max_size=2),
    ),
    max_size=6,
)


@hypothesis.settings(max_examples=500)
@hypothesis.given(
    nodes=NODES,
    region=st.none() | st.sampled_from(["europe", "us-east", "japan"]),
    current_index=st.none() | st.integers(0, 5),
    players=st.lists(st.integers(0, 50), min_size=6, max_size=6),
    custom_load=st.booleans(),
)
def test_choose_makes_the_same_choice_as_before(
    nodes: list[FakeNode],
    region: str | None,
    current_index: int | None,
    players: list[int],
    custom_load: bool,
) -> None:
    current = (
        nodes[current_index] if current_index is not None and current_index < len(nodes) else None
    )
    extra = {id(node): count for node, count in zip(nodes, players, strict=False)}

    def load(node: FakeNode) -> float:  # like the client's: stats plus players created since
        return penalty(node.stats) + extra[id(node)]

    chosen = choose(nodes, region=region, current=current, load=load if custom_load else None)
    expected = reference_choose(
        nodes, region=region, current=current, load=load if custom_load else None
    )
    assert chosen is expected


def test_ties_go_to_the_first_node_of_the_lowest_name() -> None:
    first, second, other = FakeNode("a"), FakeNode("a"), FakeNode("b")
    assert choose([other, first, second]) is first
    assert choose([other, second, first]) is second


@hypothesis.given(STATS)
def test_cached_penalty_is_the_penalty(stats: hl.Stats) -> None:
    assert cached_penalty(stats) == penalty(stats)
    assert cached_penalty(stats) == penalty(stats)  # from the memo


def test_cached_penalty_follows_each_new_stats_message() -> None:
    assert cached_penalty(None) == 0.0
    idle = factories.make_stats()
    assert cached_penalty(idle) == penalty(idle)
    busy = factories.make_stats(playing_players=50, system_load=0.9)
    assert cached_penalty(busy) == penalty(busy) > penalty(idle)
    # equal stats in a new object are weighed again, with the same result
    again = factories.make_stats(playing_players=50, system_load=0.9)
    assert cached_penalty(again) == penalty(busy)
    # many messages later (the memo starts afresh now and then) the values still hold
    many = [factories.make_stats(playing_players=n) for n in range(1000)]
    assert [cached_penalty(s) for s in many] == [penalty(s) for s in many]
    assert cached_penalty(idle) == penalty(idle)
    assert cached_penalty(busy) == penalty(busy)
