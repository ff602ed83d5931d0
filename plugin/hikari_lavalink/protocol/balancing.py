"""Node selection, pure: penalties from a node's stats, the guild's region from its voice endpoint.

The penalty follows Lavalink's classic client formula (playing players, an exponential CPU
term, frame deficit and nulled frames when frame stats exist) plus a memory-pressure term.
Lower is better. [`choose`][hikari_lavalink.protocol.balancing.choose] prefers connected nodes in
the guild's region, then the best anywhere, and does not move a player off a healthy node just
because penalties shifted.
"""

from __future__ import annotations

import re
import typing

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.models import Stats

__all__ = [
    "REGION_PREFIXES",
    "Candidate",
    "cached_penalty",
    "choose",
    "penalty",
    "region_of_endpoint",
]

MAX_PENALTY: typing.Final = float("inf")

REGION_PREFIXES: typing.Final[dict[str, str]] = {
    # Europe
    "ams": "europe", "fra": "europe", "lhr": "europe", "mad": "europe", "mil": "europe",
    "par": "europe", "waw": "europe", "sto": "europe", "hel": "europe", "rot": "europe",
    "europe": "europe", "rotterdam": "europe", "amsterdam": "europe", "frankfurt": "europe",
    "london": "europe", "madrid": "europe", "milan": "europe", "stockholm": "europe",
    # North America
    "iad": "us-east", "atl": "us-east", "ewr": "us-east", "us-east": "us-east",
    "newark": "us-east", "atlanta": "us-east",
    "ord": "us-central", "dfw": "us-central", "us-central": "us-central",
    "chicago": "us-central", "dallas": "us-central",
    "lax": "us-west", "sea": "us-west", "sjc": "us-west", "us-west": "us-west",
    "seattle": "us-west", "santa-clara": "us-west",
    "us-south": "us-south",
    # elsewhere
    "gru": "south-america", "brazil": "south-america", "santiago": "south-america",
    "buenos-aires": "south-america",
    "sin": "asia", "hkg": "asia", "singapore": "asia", "hongkong": "asia",
    "nrt": "japan", "japan": "japan", "tokyo": "japan",
    "icn": "south-korea", "south-korea": "south-korea",
    "syd": "australia", "sydney": "australia",
    "bom": "india", "india": "india",
    "jnb": "south-africa", "southafrica": "south-africa",
    "tlv": "israel", "israel": "israel",
    "dxb": "middle-east", "dubai": "middle-east",
}  # fmt: skip
"""Endpoint prefix -> region name. Node regions should use these names."""

_PREFIX = re.compile(r"^(?:c-)?([a-z]+(?:-[a-z]+)*?)(?:-?\d|$|\.)")


def region_of_endpoint(endpoint: str | None) -> str | None:
    """The region of a Discord voice endpoint, or `None` when it is not recognised.

    Examples
    --------
    >>> region_of_endpoint("c-ams09-3f2a.discord.media:443")
    'europe'
    >>> region_of_endpoint("us-east1234.discord.media")
    'us-east'
    """
    if not endpoint:
        return None
    host = endpoint.lower().split(":", 1)[0]
    match = _PREFIX.match(host)
    if match is None:
        return None
    name = match.group(1)
    while name:
        region = REGION_PREFIXES.get(name)
        if region is not None:
            return region
        name = name.rpartition("-")[0]
    return None


def penalty(stats: Stats | None) -> float:
    """How loaded a node is (lower is better); 0 for a node with no stats yet."""
    if stats is None:
        return 0.0
    value = float(stats.playing_players)
    value += 1.05 ** (100.0 * min(max(stats.cpu.system_load, 0.0), 1.0)) * 10.0 - 10.0
    frames = stats.frame_stats
    if frames is not None:
        if frames.deficit > 0:
            value += 1.03 ** (500.0 * (frames.deficit / 3000.0)) * 600.0 - 600.0
        value += (1.03 ** (500.0 * (frames.nulled / 3000.0)) * 300.0 - 300.0) * 2.0
    memory = stats.memory
    if memory.reservable > 0:
        pressure = memory.used / memory.reservable
        if pressure > 0.8:
            value += (pressure - 0.8) * 2000.0
    return value


_PENALTIES: dict[int, tuple[Stats, float]] = {}
_PENALTIES_MAX: typing.Final = 256


def cached_penalty(stats: Stats | None) -> float:
    """[`penalty`][hikari_lavalink.protocol.balancing.penalty], computed once per stats message.

    Stats are immutable and a node gets a new object with every `stats` message (once a
    minute), so the value is kept by the object's identity: the same float as
    [`penalty`][hikari_lavalink.protocol.balancing.penalty], without its arithmetic on every node
    choice. The memo keeps the stats it has seen alive (at most a few hundred small objects, then it
    starts afresh), so an identity is never reused while it is remembered.
    """
    if stats is None:
        return 0.0
    entry = _PENALTIES.get(id(stats))
    if entry is not None and entry[0] is stats:
        return entry[1]
    value = penalty(stats)
    if len(_PENALTIES) >= _PENALTIES_MAX:
        _PENALTIES.clear()
    _PENALTIES[id(stats)] = (stats, value)
    return value


class Candidate(typing.Protocol):
    """What selection needs to know of a node."""

    @property
    def name(self) -> str: ...

    @property
    def is_ready(self) -> bool: ...

    @property
    def stats(self) -> Stats | None: ...

    @property
    def regions(self) -> collections.abc.Collection[str]: ...


CandidateT = typing.TypeVar("CandidateT", bound=Candidate)


def _stats_penalty(node: Candidate) -> float:
    return cached_penalty(node.stats)


def choose(
    nodes: collections.abc.Iterable[CandidateT],
    *,
    region: str | None = None,
    current: CandidateT | None = None,
    hysteresis: float = 1.25,
    load: collections.abc.Callable[[CandidateT], float] | None = None,
) -> CandidateT | None:
    """The node a player should use, or `None` when no node is ready.

    Parameters
    ----------
    nodes
        Every node; those not ready are never chosen.
    region
        The guild's region (see
        [`region_of_endpoint`][hikari_lavalink.protocol.balancing.region_of_endpoint]); nodes in it
        are preferred.
    current
        The node the player is on: it is kept while it is ready, in the preferred set, and
        not worse than `hysteresis` times the best penalty (plus a little slack).
    load
        The penalty of a node (default: [`penalty`][hikari_lavalink.protocol.balancing.penalty] of
        its stats).
    """
    cost: collections.abc.Callable[[CandidateT], float] = load or _stats_penalty
    pool = [node for node in nodes if node.is_ready]
    if len(pool) <= 1:
        return pool[0] if pool else None  # a lone node: nothing to weigh
    if region is not None:
        pool = [node for node in pool if region in node.regions] or pool
    # Each node's cost once: the first lowest (cost, name) wins, as with min(pool, key=...).
    keys = [(cost(node), node.name) for node in pool]
    best = min(range(len(pool)), key=keys.__getitem__)
    keep = (
        current is not None
        and current in pool
        and cost(current) <= keys[best][0] * hysteresis + 10.0
    )
    return current if keep and current is not None else pool[best]
