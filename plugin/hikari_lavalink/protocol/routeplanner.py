"""Route planner status (`GET /v4/routeplanner/status`), tagged on `class`.

Sizes and indexes are strings on the wire because they can exceed 64 bits; they stay
strings here.
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.protocol.models import Inbound

__all__ = [
    "BalancingIpRoutePlanner",
    "FailingAddress",
    "IpBlock",
    "NanoIpRoutePlanner",
    "RotatingIpRoutePlanner",
    "RotatingNanoIpRoutePlanner",
    "RoutePlannerStatus",
]


class IpBlock(Inbound, kw_only=True, frozen=True):
    """The IP block in use: `type` is `Inet4Address` or `Inet6Address`."""

    type: str
    size: str


class FailingAddress(Inbound, kw_only=True, frozen=True):
    """An address marked as failing (rate limited) at `failing_timestamp` (epoch ms)."""

    failing_address: str
    failing_timestamp: int
    failing_time: str


class _Details(Inbound, kw_only=True, frozen=True):
    ip_block: IpBlock
    failing_addresses: list[FailingAddress] = msgspec.field(default_factory=list[typing.Any])


class RotatingIpDetails(_Details, kw_only=True, frozen=True):
    """Details of a `RotatingIpRoutePlanner`."""

    rotate_index: str
    ip_index: str
    current_address: str


class NanoIpDetails(_Details, kw_only=True, frozen=True):
    """Details of a `NanoIpRoutePlanner`."""

    current_address_index: str


class RotatingNanoIpDetails(_Details, kw_only=True, frozen=True):
    """Details of a `RotatingNanoIpRoutePlanner`."""

    block_index: str
    current_address_index: str


class BalancingIpDetails(_Details, kw_only=True, frozen=True):
    """Details of a `BalancingIpRoutePlanner` (common fields only)."""


class _Status(Inbound, tag_field="class", kw_only=True, frozen=True):
    pass


class RotatingIpRoutePlanner(_Status, tag="RotatingIpRoutePlanner", kw_only=True, frozen=True):
    """Switches IP on ban."""

    details: RotatingIpDetails


class NanoIpRoutePlanner(_Status, tag="NanoIpRoutePlanner", kw_only=True, frozen=True):
    """Switches IP on every clock update."""

    details: NanoIpDetails


class RotatingNanoIpRoutePlanner(
    _Status, tag="RotatingNanoIpRoutePlanner", kw_only=True, frozen=True
):
    """Switches IP on every clock update and rotates to the next block on ban."""

    details: RotatingNanoIpDetails


class BalancingIpRoutePlanner(_Status, tag="BalancingIpRoutePlanner", kw_only=True, frozen=True):
    """Picks a random IP per request."""

    details: BalancingIpDetails


RoutePlannerStatus: typing.TypeAlias = (
    RotatingIpRoutePlanner
    | NanoIpRoutePlanner
    | RotatingNanoIpRoutePlanner
    | BalancingIpRoutePlanner
)
"""Every route planner class."""
