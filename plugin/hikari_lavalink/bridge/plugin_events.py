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

# attrs resolves the annotations below: these imports are needed at run time.
from hikari_lavalink.protocol import filters as filters_  # noqa: TC001
from hikari_lavalink.protocol import messages, models  # noqa: TC001
from hikari_lavalink.protocol import nodelink as nodelink_models  # noqa: TC001
from hikari_lavalink.protocol.plugins import lavalyrics, sponsorblock  # noqa: TC001

__all__ = [
    "ChapterStartedEvent",
    "ChaptersLoadedEvent",
    "LyricsEvent",
    "LyricsFoundEvent",
    "LyricsLineEvent",
    "LyricsNotFoundEvent",
    "NodeLinkEvent",
    "NodeLinkFiltersChangedEvent",
    "NodeLinkPauseEvent",
    "NodeLinkPlayerConnectedEvent",
    "NodeLinkPlayerCreatedEvent",
    "NodeLinkPlayerDestroyedEvent",
    "NodeLinkPlayerReconnectingEvent",
    "NodeLinkSeekEvent",
    "NodeLinkStreamMetadataEvent",
    "NodeLinkVolumeChangedEvent",
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


# NodeLink ------------------------------------------------------------------------------


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkEvent(PlayerEvent):
    """Base of NodeLink's own player events (a NodeLink node only; Lavalink sends none).

    Subscribe to it for them all. They report what NodeLink did, often at this client's
    own request (its `PauseEvent` follows a
    [`pause`][hikari_lavalink.runtime.player.Player.pause]): the player's state is the REST
    answer's, these events change nothing of it.
    """


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkPlayerCreatedEvent(NodeLinkEvent):
    """NodeLink made the guild's player (at its first update)."""

    server_player: models.Player
    """The new player as NodeLink reported it (voice credentials included: do not log it)."""


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkPlayerDestroyedEvent(NodeLinkEvent):
    """NodeLink destroyed the guild's player (after this client's DELETE, or on its own).

    Not this library's [`PlayerDestroyedEvent`][hikari_lavalink.PlayerDestroyedEvent], which
    says the client's player is gone and why.
    """


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkPlayerConnectedEvent(NodeLinkEvent):
    """The player's voice connection to Discord is up."""

    voice: nodelink_models.NodeLinkVoiceChannel
    """Its channel (when NodeLink names it) and endpoint; no token."""


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkPlayerReconnectingEvent(NodeLinkEvent):
    """The player's voice connection dropped and NodeLink is reconnecting it."""

    voice: nodelink_models.NodeLinkVoiceChannel
    """Its channel (when NodeLink names it) and endpoint; no token."""


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkPauseEvent(NodeLinkEvent):
    """The player was paused (`paused`) or resumed."""

    paused: bool


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkSeekEvent(NodeLinkEvent):
    """The player sought to `position` (ms); `duration` is NodeLink's figure of the move."""

    position: int
    duration: int


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkVolumeChangedEvent(NodeLinkEvent):
    """The player's volume is now `volume` (0-1000)."""

    volume: int


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkFiltersChangedEvent(NodeLinkEvent):
    """The player's filters changed (a filter fading out is left out)."""

    filters: filters_.Filters


@attrs.define(kw_only=True, weakref_slot=False)
class NodeLinkStreamMetadataEvent(NodeLinkEvent):
    """A stream's ICY metadata changed (the song now on a radio station, say)."""

    track: models.Track | None
    stream: typing.Mapping[str, typing.Any]
    """The metadata as NodeLink sends it (`StreamTitle`...)."""
