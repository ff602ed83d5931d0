"""hikari events for the plugins' WebSocket events (LavaLyrics, SponsorBlock, NodeLink's own).

Each is a [`PlayerEvent`][hikari_lavalink.PlayerEvent]: it names its guild, its player (when
this process has one) and its node, and is only built when something listens to it. A
plugin event type the codec knows (see
[`register_plugin_event`][hikari_lavalink.protocol.codec.register_plugin_event]) but no typed
hikari event maps to arrives as a [`PluginEvent`][hikari_lavalink.PluginEvent] carrying its
message; an unknown one stays a [`RawLavalinkEvent`][hikari_lavalink.RawLavalinkEvent].

Listen to [`LyricsEvent`][hikari_lavalink.LyricsEvent] or
[`SponsorBlockEvent`][hikari_lavalink.SponsorBlockEvent] for all of one plugin's events. What
a recovery makes a plugin repeat (a resume, a failover, a shard death: the client tells the
plugins again) is not sent twice: see
[`hikari_lavalink.runtime.plugin_state`][hikari_lavalink.runtime.plugin_state].
"""

from __future__ import annotations

import typing

import attrs

from hikari_lavalink.bridge.events import PlayerEvent
from hikari_lavalink.protocol import messages  # noqa: TC001 - attrs resolves the annotation
from hikari_lavalink.protocol.plugins import lavalyrics, sponsorblock  # noqa: TC001 - attrs

__all__ = [
    "ChapterStartedEvent",
    "ChaptersLoadedEvent",
    "LyricsEvent",
    "LyricsFoundEvent",
    "LyricsLineEvent",
    "LyricsNotFoundEvent",
    "PluginEvent",
    "SegmentSkippedEvent",
    "SegmentsLoadedEvent",
    "SponsorBlockEvent",
]


@attrs.define(kw_only=True, weakref_slot=False)
class PluginEvent(PlayerEvent):
    """A plugin's event of a registered type that has no typed hikari event of its own."""

    message: messages.PluginEventMessage
    """The decoded message (its class is the one registered for its `type`)."""


@attrs.define(kw_only=True, weakref_slot=False)
class LyricsEvent(PlayerEvent):
    """Base of the live-lyrics events (after
    [`player.lyrics.subscribe()`][hikari_lavalink.runtime.plugin_views.PlayerLyrics.subscribe])."""


@attrs.define(kw_only=True, weakref_slot=False)
class LyricsFoundEvent(LyricsEvent):
    """The player's track (just started, or playing when it subscribed) has timed lyrics; a
    [`LyricsLineEvent`][hikari_lavalink.LyricsLineEvent] follows for each line as it plays."""

    lyrics: lavalyrics.Lyrics


@attrs.define(kw_only=True, weakref_slot=False)
class LyricsNotFoundEvent(LyricsEvent):
    """The player's track has no lyrics, or only untimed ones (`player.lyrics.fetch()` still
    returns those)."""


@attrs.define(kw_only=True, weakref_slot=False)
class LyricsLineEvent(LyricsEvent):
    """Playback reached a line of the lyrics (in order, once per play of the track)."""

    line_index: int
    """Its index in the lyrics' `lines`."""
    line: lavalyrics.LyricsLine
    skipped: bool
    """`True` when a seek passed it (or it came late): it was not played."""


@attrs.define(kw_only=True, weakref_slot=False)
class SponsorBlockEvent(PlayerEvent):
    """Base of the SponsorBlock plugin's events (after
    [`player.sponsorblock.set_categories()`][hikari_lavalink.runtime.plugin_views.PlayerSponsorBlock.set_categories],
    on YouTube tracks)."""


@attrs.define(kw_only=True, weakref_slot=False)
class SegmentsLoadedEvent(SponsorBlockEvent):
    """The track that started has segments of the guild's categories: each is skipped."""

    segments: typing.Sequence[sponsorblock.Segment]


@attrs.define(kw_only=True, weakref_slot=False)
class SegmentSkippedEvent(SponsorBlockEvent):
    """A segment was skipped: the track jumped to its end (the player's position says so)."""

    segment: sponsorblock.Segment


@attrs.define(kw_only=True, weakref_slot=False)
class ChaptersLoadedEvent(SponsorBlockEvent):
    """The track that started has chapters (loaded only while the guild has categories)."""

    chapters: typing.Sequence[sponsorblock.Chapter]


@attrs.define(kw_only=True, weakref_slot=False)
class ChapterStartedEvent(SponsorBlockEvent):
    """Playback reached a chapter (or a seek passed its start)."""

    chapter: sponsorblock.Chapter
