"""NodeLink's SponsorBlock and chapters, spelled as the client's SponsorBlock calls
([`SponsorBlockRoutes`][hikari_lavalink.runtime.plugin_routes.SponsorBlockRoutes]).

NodeLink has SponsorBlock built in, kept on each player (not per session, as the Lavalink
plugin keeps it): `GET .../players/{g}/sponsorblock` answers the player's state
([`NodeLinkSponsorBlockState`][hikari_lavalink.protocol.plugins.nodelink_sponsorblock.NodeLinkSponsorBlockState]),
`PATCH` with `{enabled?, categories?, actionTypes?}` changes it and answers the state, and
`DELETE` drops the segments loaded (204). Each needs the player (404 otherwise). The Lavalink
plugin's `.../sponsorblock/categories` reaches the same handler there (its `GET` gets the
state, its `PUT` a 405), so the client chooses by server kind.

The client's calls read: the categories are the state's while it is `enabled` (`[]`
otherwise); setting categories `PATCH`es `{"enabled": true, "categories": [...],
"actionTypes": ["skip"]}` (skip them, as the Lavalink plugin does); clearing them `PATCH`es
`{"enabled": false}`. NodeLink has no chapter events: a track's chapters come from
`GET /v4/loadchapters?encodedTrack=`
([`load_chapters`][hikari_lavalink.protocol.plugins.nodelink_sponsorblock.load_chapters]),
read into the plugin's [`Chapter`][hikari_lavalink.Chapter].

>>> set_categories("s1", 1234, ["sponsor"]).body
b'{"enabled":true,"categories":["sponsor"],"actionTypes":["skip"]}'
>>> clear_categories("s1", 1234).method, clear_categories("s1", 1234).body
('PATCH', b'{"enabled":false}')
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.protocol import codec, routes
from hikari_lavalink.protocol.models import Inbound
from hikari_lavalink.protocol.plugins.base import body_decoder
from hikari_lavalink.protocol.plugins.sponsorblock import Chapter, NodeLinkSegment, Segment

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = [
    "NodeLinkSponsorBlockState",
    "carry_segments",
    "clear_categories",
    "get_categories",
    "get_state",
    "load_chapters",
    "set_categories",
]


class NodeLinkSponsorBlockState(Inbound, kw_only=True, frozen=True):
    """A NodeLink player's SponsorBlock state (`GET`/`PATCH .../players/{g}/sponsorblock`)."""

    enabled: bool = False
    """Whether segments are fetched and acted on (NodeLink's config gives the default)."""
    categories: list[str] = msgspec.field(default_factory=list[str])
    action_types: list[str] = msgspec.field(default_factory=list[str])
    segments: list[NodeLinkSegment] = msgspec.field(default_factory=list[NodeLinkSegment])
    """The segments of the track playing, as loaded."""
    last_skipped_uuid: str | None = None
    skip_margin_ms: int = 150


class _NodeLinkChapter(Inbound, kw_only=True, frozen=True):
    title: str = ""
    start_time: int = 0
    end_time: int = 0
    duration: int | None = None


_parse_state: typing.Final = body_decoder(NodeLinkSponsorBlockState, "NodeLink SponsorBlock state")
_parse_chapters: typing.Final = body_decoder(list[_NodeLinkChapter], "NodeLink chapters")


def _path(session_id: str, guild_id: int) -> str:
    return routes.player_path(session_id, guild_id) + "/sponsorblock"


def _categories(body: bytes) -> list[str]:
    state = _parse_state(body)
    return list(state.categories) if state.enabled else []


def _ignored(body: bytes) -> None:
    _parse_state(body)  # the answer is the state: checked, not kept


def _chapters(body: bytes) -> list[Chapter]:
    return [
        Chapter(
            name=c.title,
            start=c.start_time,
            end=c.end_time,
            duration=c.duration if c.duration is not None else c.end_time - c.start_time,
        )
        for c in _parse_chapters(body)
    ]


def get_state(session_id: str, guild_id: int) -> routes.Route[NodeLinkSponsorBlockState]:
    """`GET .../players/{guild_id}/sponsorblock`: the player's whole state (404 without
    a player)."""
    return routes.Route("GET", _path(session_id, guild_id), _parse_state)


def get_categories(session_id: str, guild_id: int) -> routes.Route[list[str]]:
    """The categories skipped for the player: the state's, `[]` while it is disabled."""
    return routes.Route("GET", _path(session_id, guild_id), _categories)


def set_categories(
    session_id: str, guild_id: int, categories: collections.abc.Iterable[str]
) -> routes.Route[None]:
    """`PATCH .../sponsorblock`: enabled, skipping these categories (200 with the state)."""
    body = codec.encode(
        {
            "enabled": True,
            "categories": [str(category) for category in categories],
            "actionTypes": ["skip"],
        }
    )
    return routes.Route("PATCH", _path(session_id, guild_id), _ignored, body=body)


def clear_categories(session_id: str, guild_id: int) -> routes.Route[None]:
    """`PATCH .../sponsorblock` `{"enabled": false}`: skip nothing (200 with the state)."""
    body = codec.encode({"enabled": False})
    return routes.Route("PATCH", _path(session_id, guild_id), _ignored, body=body)


def carry_segments(
    session_id: str, guild_id: int, segments: collections.abc.Iterable[Segment]
) -> routes.Route[None]:
    """`POST .../sponsorblock` `{"segments": [...]}`: the track playing's segments, for a
    player recreated mid-track (NodeLink loads them only when a track starts; 200 with the
    state). A segment of the Lavalink plugin's is sent as one to skip."""
    body = codec.encode({"segments": [_wire(segment) for segment in segments]})
    return routes.Route("POST", _path(session_id, guild_id), _ignored, body=body)


def _wire(segment: Segment) -> dict[str, object]:
    if isinstance(segment, NodeLinkSegment):
        return msgspec.to_builtins(segment)
    return {
        # One id per segment: NodeLink skips each once (`lastSkippedUuid`).
        "uuid": f"{segment.category}:{segment.start}-{segment.end}",
        "start": segment.start,
        "end": segment.end,
        "category": segment.category,
        "actionType": "skip",
    }


def load_chapters(encoded: str) -> routes.Route[list[Chapter]]:
    """`GET /v4/loadchapters?encodedTrack=...`: a track's chapters (`[]` for a track that
    is not YouTube's, or has none), times in ms."""
    return routes.Route("GET", "/v4/loadchapters", _chapters, query=(("encodedTrack", encoded),))
