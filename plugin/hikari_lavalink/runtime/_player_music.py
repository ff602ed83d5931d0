"""A player's music parts: its queue, its bot's data, its music settings and `skip`.

They live in the player's side object ([`PlayerMusic`][hikari_lavalink.runtime.music.PlayerMusic]
inside its extras), created the first time one is used: an idle player that never queued
a track pays no byte for them. A setting a player does not set follows its client's
([`Node.music`][hikari_lavalink.runtime.node.Node.music], shared by every node of the client).
"""

from __future__ import annotations

import typing

from hikari_lavalink._side import SideField
from hikari_lavalink.runtime import music as music_
from hikari_lavalink.runtime import queue as queue_
from hikari_lavalink.runtime._player_slots import DEFAULTS, Extras, VoiceParts

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol import models
    from hikari_lavalink.runtime.node import Node

__all__ = ["MusicParts"]


class MusicParts(VoiceParts):
    """The music attributes of [`Player`][hikari_lavalink.Player] (a base of it; no slots of its
    own)."""

    __slots__ = ()

    _node: Node
    _extras: Extras | None

    music_state: SideField[music_.PlayerMusic | None] = SideField(
        "_extras", Extras, DEFAULTS, field="music"
    )
    """The player's music state, or `None` while it never used one (internal)."""

    def _music(self) -> music_.PlayerMusic:
        music = self.music_state
        if music is None:
            music = self.music_state = music_.PlayerMusic()
        return music

    def take_start(self, track: models.Track) -> bool:
        """Whether the player lives (not destroyed); when it does, a queue it has takes
        `track` as current (a track the bot played itself moves the current one on).

        Internal: the queue engine's first step at a track start, for every `TrackStartEvent`:
        one call, the side object read once (a playing player without a queue has none).
        """
        extras = self._extras
        if extras is None:
            return True
        if extras.destroyed is not None:
            return False
        music = extras.music
        if music is not None and music.queue is not None:
            music.queue.started(track)
        return True

    @property
    def queue(self) -> queue_.TrackQueue:
        """The player's [`TrackQueue`][hikari_lavalink.TrackQueue] (created when first read).

        When a track ends `finished` or `loadFailed`, the next one plays by itself
        (unless [`auto_advance`][hikari_lavalink.runtime.player.Player.auto_advance] is off); it
        moves with the player through failover, shard deaths and restarts.
        """
        music = self._music()
        if music.queue is None:
            music.queue = queue_.TrackQueue()
        return music.queue

    @property
    def data(self) -> dict[str, typing.Any]:
        """Your own values for this player (the text channel to announce in...), kept
        with it through moves, and in the store as JSON: what msgspec encodes comes back
        as JSON gives it (a tuple or set as a list, a datetime as a string, int keys as
        strings); a value it cannot encode is not stored (logged at debug)."""
        music = self._music()
        if music.data is None:
            music.data = {}
        return music.data

    @property
    def autoplay(self) -> bool:
        """Whether an empty queue is filled from recommendations when a track ends.

        Follows the client's `autoplay` until set; assign
        [`CLIENT_DEFAULT`][hikari_lavalink.CLIENT_DEFAULT] to follow it again.
        """
        return _own(self.music_state, "autoplay", self._node.music.autoplay)

    @autoplay.setter
    def autoplay(self, value: bool | music_.ClientDefault) -> None:
        self._music().autoplay = value

    @property
    def auto_advance(self) -> bool:
        """Whether the queue's next track plays when a track ends (the client's until set)."""
        return _own(self.music_state, "auto_advance", self._node.music.auto_advance)

    @auto_advance.setter
    def auto_advance(self, value: bool | music_.ClientDefault) -> None:
        self._music().auto_advance = value

    @property
    def leave_when_idle(self) -> float | None:
        """Seconds with nothing playing and an empty queue before the bot leaves
        (`None`: never; the client's until set)."""
        return _own(self.music_state, "leave_when_idle", self._node.music.leave_when_idle)

    @leave_when_idle.setter
    def leave_when_idle(self, value: float | music_.ClientDefault | None) -> None:
        self._music().leave_when_idle = value
        self._node.music.setting_changed(typing.cast("typing.Any", self))

    @property
    def leave_when_alone(self) -> float | None:
        """Seconds after the last member who is not a bot left the channel before the
        bot leaves too (`None`: never; the client's until set)."""
        return _own(self.music_state, "leave_when_alone", self._node.music.leave_when_alone)

    @leave_when_alone.setter
    def leave_when_alone(self, value: float | music_.ClientDefault | None) -> None:
        self._music().leave_when_alone = value
        self._node.music.setting_changed(typing.cast("typing.Any", self))

    async def skip(self, count: int = 1) -> models.Track | None:
        """Play the queue's next track now (skipping `count - 1` more); with an empty
        queue, autoplay's pick or a stop. Returns the track now playing, or `None`."""
        return await self._node.music.skip(typing.cast("typing.Any", self), count)


T = typing.TypeVar("T")


def _own(music: music_.PlayerMusic | None, name: str, default: T) -> T:
    if music is None:
        return default
    value = getattr(music, name)
    return default if isinstance(value, music_.ClientDefault) else value
