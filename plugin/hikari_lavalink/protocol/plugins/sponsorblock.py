"""The SponsorBlock plugin (`topi314/Sponsorblock-Plugin`, plugin `sponsorblock-plugin`).

Its models, its WebSocket events (registered with the codec on import) and its routes as
data. A guild's categories are kept per session, apart from its player:
`GET` / `PUT` / `DELETE /v4/sessions/{s}/players/{g}/sponsorblock/categories`. The plugin
forgets them when the player is destroyed and on a WebSocket resume (the client sends them
again for you).

When a YouTube track starts on a player whose guild has categories, the plugin loads the
video's segments of those categories (`SegmentsLoaded`) and its chapters (`ChaptersLoaded`),
skips each segment as playback reaches it (a seek to its end, then `SegmentSkipped`), and
says when each chapter starts (`ChapterStarted`). Times are in ms.

A category is any string SponsorBlock knows: the plugin passes them through unchecked.
[`SponsorBlockCategory`][hikari_lavalink.protocol.plugins.sponsorblock.SponsorBlockCategory]
names the eight its README lists; a
[`Segment`][hikari_lavalink.protocol.plugins.sponsorblock.Segment] of another category still
decodes (its `category` is a `str`).

Examples
--------
>>> route = set_categories("s1", 1234, [SponsorBlockCategory.SPONSOR, "selfpromo"])
>>> route.method, route.path, route.body
('PUT', '/v4/sessions/s1/players/1234/sponsorblock/categories', b'["sponsor","selfpromo"]')
"""

from __future__ import annotations

import enum
import typing

from hikari_lavalink.protocol import codec, routes
from hikari_lavalink.protocol.messages import PluginEventMessage
from hikari_lavalink.protocol.models import Inbound, Track
from hikari_lavalink.protocol.plugins.base import body_decoder, no_body

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = [
    "Chapter",
    "ChapterStartedMessage",
    "ChaptersLoadedMessage",
    "NodeLinkSegment",
    "NodeLinkSegmentSkippedMessage",
    "NodeLinkSegmentsLoadedMessage",
    "Segment",
    "SegmentSkippedMessage",
    "SegmentsLoadedMessage",
    "SponsorBlockCategory",
    "carry_segments",
    "clear_categories",
    "get_categories",
    "set_categories",
]


class SponsorBlockCategory(enum.StrEnum):
    """The segment categories the plugin's README lists (any other SponsorBlock category
    string works too: the plugin passes them through)."""

    SPONSOR = "sponsor"
    SELFPROMO = "selfpromo"
    INTERACTION = "interaction"
    INTRO = "intro"
    OUTRO = "outro"
    PREVIEW = "preview"
    MUSIC_OFFTOPIC = "music_offtopic"
    FILLER = "filler"


class Segment(Inbound, kw_only=True, frozen=True):
    """A part of a video that SponsorBlock's users marked (`start`/`end` in ms)."""

    category: str
    """Its category (a [`SponsorBlockCategory`][hikari_lavalink.SponsorBlockCategory] value,
    or another SponsorBlock category)."""
    start: int
    end: int


class Chapter(Inbound, kw_only=True, frozen=True):
    """A chapter of a YouTube video (`start`, `end` and `duration` in ms).

    `duration` is `end - start`, a number (the plugin's README shows a string; a
    numeric string is read as a number too).
    """

    name: str
    start: int
    end: int
    duration: int


class SegmentsLoadedMessage(PluginEventMessage, tag="SegmentsLoaded", kw_only=True, frozen=True):
    """The track that started has segments of the guild's categories: they will be skipped."""

    segments: list[Segment]


class SegmentSkippedMessage(PluginEventMessage, tag="SegmentSkipped", kw_only=True, frozen=True):
    """Playback reached a segment (or a seek passed it): the track was moved to its end."""

    segment: Segment


class ChaptersLoadedMessage(PluginEventMessage, tag="ChaptersLoaded", kw_only=True, frozen=True):
    """The track that started has chapters (sent only when the guild has categories)."""

    chapters: list[Chapter]


class ChapterStartedMessage(PluginEventMessage, tag="ChapterStarted", kw_only=True, frozen=True):
    """Playback reached a chapter (or a seek passed its start)."""

    chapter: Chapter


class NodeLinkSegment(Segment, kw_only=True, frozen=True):
    """A segment as NodeLink keeps it (its built-in SponsorBlock): SponsorBlock's own
    fields besides the category and the times (ms)."""

    uuid: str = ""
    action_type: str = "skip"
    """What NodeLink does at it (`skip`; SponsorBlock also knows `mute`, `poi`...)."""
    votes: int = 0
    locked: bool = False
    video_duration: float = 0.0
    description: str = ""


class NodeLinkSegmentsLoadedMessage(
    SegmentsLoadedMessage, tag="SponsorBlockSegmentsLoadedEvent", kw_only=True, frozen=True
):
    """NodeLink's `SponsorBlockSegmentsLoadedEvent`, its segments as NodeLink keeps them."""

    # A subtype of the base's field, and the message is frozen: safe to narrow.
    segments: list[NodeLinkSegment]  # pyright: ignore[reportIncompatibleVariableOverride]


class NodeLinkSegmentSkippedMessage(
    SegmentSkippedMessage, tag="SponsorBlockSegmentSkippedEvent", kw_only=True, frozen=True
):
    """NodeLink's `SponsorBlockSegmentSkippedEvent`, which names the track too."""

    segment: NodeLinkSegment  # pyright: ignore[reportIncompatibleVariableOverride]
    track: Track | None = None


for _message in (
    SegmentsLoadedMessage,
    SegmentSkippedMessage,
    ChaptersLoadedMessage,
    ChapterStartedMessage,
    NodeLinkSegmentsLoadedMessage,
    NodeLinkSegmentSkippedMessage,
):
    codec.register_plugin_event(_message)

_parse_categories: typing.Final = body_decoder(list[str], "SponsorBlock categories")


def _path(session_id: str, guild_id: int) -> str:
    return routes.player_path(session_id, guild_id) + "/sponsorblock/categories"


def get_categories(session_id: str, guild_id: int) -> routes.Route[list[str]]:
    """`GET .../players/{guild_id}/sponsorblock/categories`: the guild's categories on this
    session (404 `Guild not found` when none were set, 404 `Session not found`)."""
    return routes.Route("GET", _path(session_id, guild_id), _parse_categories)


def set_categories(
    session_id: str, guild_id: int, categories: collections.abc.Iterable[str]
) -> routes.Route[None]:
    """`PUT .../players/{guild_id}/sponsorblock/categories`: skip these categories from the
    next track on (200, no body; 404 `Session not found`). No player is needed."""
    body = codec.encode([str(category) for category in categories])
    return routes.Route("PUT", _path(session_id, guild_id), no_body, body=body)


def carry_segments(
    session_id: str, guild_id: int, segments: collections.abc.Iterable[Segment]
) -> None:
    """Nothing to send: the plugin loads a track's segments when it starts (a track
    recreated with the categories loads them again)."""
    del session_id, guild_id, segments


def clear_categories(session_id: str, guild_id: int) -> routes.Route[None]:
    """`DELETE .../players/{guild_id}/sponsorblock/categories`: skip nothing (200, always)."""
    return routes.Route("DELETE", _path(session_id, guild_id), no_body)
