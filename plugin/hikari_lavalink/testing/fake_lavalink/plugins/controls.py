"""The fake node's plugin controls (a base of
[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink]): the tables its plugins answer from.

A table belongs to the fake, not to a session: it outlives restarts, as a catalogue does.
"""

from __future__ import annotations

import typing

from hikari_lavalink.testing.fake_lavalink.plugins.hooks import FakePlugin, PluginHooks
from hikari_lavalink.testing.fake_lavalink.plugins.lavalyrics import FakeLavaLyrics
from hikari_lavalink.testing.fake_lavalink.plugins.sponsorblock import FakeSponsorBlock

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import models
    from hikari_lavalink.protocol.plugins.lavalyrics import Lyrics
    from hikari_lavalink.protocol.plugins.sponsorblock import Chapter, Segment
    from hikari_lavalink.testing.fake_lavalink.plugins import PluginParts

__all__ = ["PLUGINS", "PluginControls"]

PLUGINS: typing.Final[tuple[type[FakePlugin], ...]] = (FakeLavaLyrics, FakeSponsorBlock)
"""The fake plugins with behaviour of their own (routes, events), by their `name`."""

P = typing.TypeVar("P", bound=FakePlugin)


class PluginControls:
    """Fill the fake plugins' tables, and read what they keep."""

    _plugin_parts: PluginParts

    @property
    def plugin_hooks(self) -> PluginHooks:
        """What the node's parts tell its plugins (internal)."""
        hooks: PluginHooks | None = self.__dict__.get("_plugin_hooks")
        if hooks is None:
            hooks = self.__dict__["_plugin_hooks"] = PluginHooks(self._plugin_parts.playback)
        return hooks

    def fake_plugin(self, kind: type[P]) -> P:
        """The node's fake plugin of this class (made when first asked for; it answers
        only while the node runs it: `FakeLavalink(plugins={name: version})`)."""
        made: dict[str, FakePlugin] = self.__dict__.setdefault("_fake_plugins", {})
        plugin = made.get(kind.name)
        if plugin is None:
            plugin = made[kind.name] = kind(self._plugin_parts, self.plugin_hooks.markers)
        return typing.cast("P", plugin)

    def set_lyrics(self, track: models.Track | str, lyrics: Lyrics | None) -> None:
        """LavaLyrics' lyrics of `track` (a track, its encoded string or its identifier):
        `None` for none (a 204). Untimed lyrics (`lines=None`) give `LyricsNotFoundEvent`
        to a subscribed player."""
        key = track if isinstance(track, str) else track.encoded
        self.fake_plugin(FakeLavaLyrics).lyrics[key] = lyrics

    def set_segments(
        self,
        video: models.Track | str,
        segments: collections.abc.Iterable[Segment] = (),
        chapters: collections.abc.Iterable[Chapter] = (),
    ) -> None:
        """The SponsorBlock segments (of every category) and chapters of a YouTube video
        (a track, or its identifier)."""
        key = video if isinstance(video, str) else video.info.identifier
        plugin = self.fake_plugin(FakeSponsorBlock)
        plugin.segments[key] = list(segments)
        plugin.chapters[key] = list(chapters)

    def lyrics_subscriptions(self, session_id: str) -> dict[int, bool]:
        """LavaLyrics' subscriptions of a session: guild id -> `skipTrackSource` (a copy)."""
        return dict(self.fake_plugin(FakeLavaLyrics).subscribed.get(session_id, {}))

    def skip_categories(self, session_id: str) -> dict[int, list[str]]:
        """The SponsorBlock plugin's categories of a session: guild id -> categories."""
        by_guild = self.fake_plugin(FakeSponsorBlock).categories.get(session_id, {})
        return {guild: list(categories) for guild, categories in by_guild.items()}
