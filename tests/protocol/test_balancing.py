"""Node selection: penalties, regions from endpoints, hysteresis."""

from __future__ import annotations

import dataclasses

import pytest

import hikari_lavalink as hl
from hikari_lavalink.protocol.balancing import choose, penalty, region_of_endpoint
from hikari_lavalink.testing import factories


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
