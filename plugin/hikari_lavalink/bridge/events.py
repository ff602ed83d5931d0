"""hikari events for everything Lavalink tells the bot, and for voice lifecycle changes.

Listen to them like any hikari event:

```python
@bot.listen(hikari_lavalink.TrackEndEvent)
async def on_end(event: hikari_lavalink.TrackEndEvent) -> None:
    if event.may_start_next:
        ...
```

Listening to a base class ([`LavalinkEvent`][hikari_lavalink.LavalinkEvent],
[`PlayerEvent`][hikari_lavalink.PlayerEvent], [`TrackEvent`][hikari_lavalink.TrackEvent],
[`NodeEvent`][hikari_lavalink.NodeEvent]) receives every subclass. An event object is only built
when something listens to its type (or waits for it with `bot.wait_for`).
"""

from __future__ import annotations

import typing

import attrs
import hikari

from hikari_lavalink._typing import override
from hikari_lavalink.protocol import models

if typing.TYPE_CHECKING:
    from hikari_lavalink.errors import LavalinkError
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = [
    "LavalinkEvent",
    "NodeDisconnectedEvent",
    "NodeEvent",
    "NodeReadyEvent",
    "NodeStoppedEvent",
    "NodeUnavailableEvent",
    "PlayerDestroyedEvent",
    "PlayerEvent",
    "PlayerMovedEvent",
    "PlayerUpdateEvent",
    "QueueEndEvent",
    "RawLavalinkEvent",
    "TrackEndEvent",
    "TrackEvent",
    "TrackExceptionEvent",
    "TrackStartEvent",
    "TrackStuckEvent",
    "VoiceChannelMovedEvent",
    "VoiceLostEvent",
    "VoiceRestoredEvent",
    "VoiceSocketClosedEvent",
]


@attrs.define(kw_only=True, weakref_slot=False)
class LavalinkEvent(hikari.Event):
    """Base of every hikari-lavalink event."""

    _app: hikari.RESTAware = attrs.field(repr=False, alias="app")

    @property
    @override
    def app(self) -> hikari.RESTAware:
        """The bot."""
        return self._app


@attrs.define(kw_only=True, weakref_slot=False)
class NodeEvent(LavalinkEvent):
    """Something happened to a node."""

    node: Node
    """The node."""


@attrs.define(kw_only=True, weakref_slot=False)
class NodeReadyEvent(NodeEvent):
    """The node has a session (`resumed` when the previous one survived a disconnect)."""

    session_id: str
    resumed: bool


@attrs.define(kw_only=True, weakref_slot=False)
class NodeDisconnectedEvent(NodeEvent):
    """The node's WebSocket closed; it reconnects (and resumes, if it can) by itself."""

    code: int
    """The close code (1006 when the connection died without a close frame)."""
    reason: str
    will_resume: bool
    """Whether the session can still be resumed (its players keep playing meanwhile)."""
    graceful: bool
    """Whether the server said it is shutting down (close code 1001)."""


@attrs.define(kw_only=True, weakref_slot=False)
class NodeUnavailableEvent(NodeEvent):
    """The node's session is lost with its players (not resumed within the timeout).

    `guild_ids` lists the guilds whose players were on it; what happened to them is
    told by [`PlayerMovedEvent`][hikari_lavalink.PlayerMovedEvent] or
    [`PlayerDestroyedEvent`][hikari_lavalink.PlayerDestroyedEvent].
    """

    session_id: str
    guild_ids: typing.Sequence[hikari.Snowflake]


@attrs.define(kw_only=True, weakref_slot=False)
class NodeStoppedEvent(NodeEvent):
    """The node stopped for good (`error` is `None` when it was closed on purpose)."""

    error: LavalinkError | None


@attrs.define(kw_only=True, weakref_slot=False)
class RawLavalinkEvent(NodeEvent):
    """A message this library does not know (plugin ops and event types), as decoded JSON."""

    op: str
    type: str | None
    guild_id: hikari.Snowflake | None
    payload: typing.Mapping[str, typing.Any]


@attrs.define(kw_only=True, weakref_slot=False)
class PlayerEvent(LavalinkEvent):
    """Something happened to a guild's player."""

    guild_id: hikari.Snowflake
    player: Player | None
    """The player, `None` when this process has no player for the guild (a track event
    from a node after the bot left without this client, say)."""
    node: Node


@attrs.define(kw_only=True, weakref_slot=False)
class TrackEvent(PlayerEvent):
    """Something happened to a track."""

    track: models.Track


@attrs.define(kw_only=True, weakref_slot=False)
class TrackStartEvent(TrackEvent):
    """A track started playing."""

    playing_quality: int | None = None
    """NodeLink's word on the format it plays (a YouTube itag, such as 251 for Opus); `None`
    from Lavalink, which gives none."""


@attrs.define(kw_only=True, weakref_slot=False)
class TrackEndEvent(TrackEvent):
    """A track ended. Advance a queue only when
    [`may_start_next`][hikari_lavalink.bridge.events.TrackEndEvent.may_start_next] is true."""

    reason: str
    """One of [`TrackEndReason`][hikari_lavalink.TrackEndReason] (plain `str`: servers may add
    more)."""

    @property
    def may_start_next(self) -> bool:
        """`True` after `finished` and `loadFailed`; `False` otherwise."""
        return self.reason in models.MAY_START_NEXT


@attrs.define(kw_only=True, weakref_slot=False)
class TrackExceptionEvent(TrackEvent):
    """A track failed while loading or playing."""

    exception: models.ExceptionInfo


@attrs.define(kw_only=True, weakref_slot=False)
class TrackStuckEvent(TrackEvent):
    """A track produced no audio for `threshold_ms`; Lavalink does not skip it for you."""

    threshold_ms: int
    reason: str | None = None
    """Why, in NodeLink's words (`None` from Lavalink, which gives none)."""


@attrs.define(kw_only=True, weakref_slot=False)
class VoiceSocketClosedEvent(PlayerEvent):
    """Lavalink's voice WebSocket to Discord closed (4006, 4014, 4015, 4017...)."""

    code: int
    reason: str
    by_remote: bool


@attrs.define(kw_only=True, weakref_slot=False)
class PlayerUpdateEvent(PlayerEvent):
    """A position and voice connection report (every few seconds while playing)."""

    state: models.PlayerState


@attrs.define(kw_only=True, weakref_slot=False)
class VoiceLostEvent(PlayerEvent):
    """The player's Discord voice connection died with its shard's gateway connection.

    The client rejoins (policy `"rejoin"`) or leaves (`"leave"`) when the shard is back.
    """

    shard_id: int
    channel_id: hikari.Snowflake | None


@attrs.define(kw_only=True, weakref_slot=False)
class VoiceRestoredEvent(PlayerEvent):
    """The player rejoined its channel after a shard death; its track resumed."""

    shard_id: int
    channel_id: hikari.Snowflake
    position: int
    """The position the track resumed at, in ms."""


@attrs.define(kw_only=True, weakref_slot=False)
class VoiceChannelMovedEvent(PlayerEvent):
    """The bot was moved to another voice channel (by a moderator, or by `join`)."""

    old_channel_id: hikari.Snowflake | None
    channel_id: hikari.Snowflake


@attrs.define(kw_only=True, weakref_slot=False)
class PlayerDestroyedEvent(PlayerEvent):
    """The player is gone; `reason` says why.

    It comes as the player is destroyed, before its DELETE and the op 4 leave go out: when
    a track was playing, the `TrackEndEvent` (reason `stopped`) that the DELETE causes
    always comes after it, and carries the (destroyed) player.

    Reasons: `"left"` (`leave` was called), `"kicked"` (a moderator disconnected the
    bot), `"idle"` (nothing played for `leave_when_idle` seconds), `"alone"` (no
    member who is not a bot stayed in the channel for `leave_when_alone` seconds),
    `"node_lost"` (its node died and no other node could take it: op 4 leave was sent),
    `"voice_lost"` (its shard died and the policy is `"leave"`, or the rejoin failed),
    `"voice_timeout"` (`join` got no voice credentials in time), `"voice_failed"`
    (Lavalink refused the voice of a `join`: an error answer), `"shutdown"` (the bot
    is stopping).
    """

    reason: str


@attrs.define(kw_only=True, weakref_slot=False)
class QueueEndEvent(PlayerEvent):
    """The player's queue ran dry and nothing plays (autoplay, if on, found nothing)."""

    track: models.Track | None
    """The track that played last (`None` after a skip with nothing playing)."""


@attrs.define(kw_only=True, weakref_slot=False)
class PlayerMovedEvent(PlayerEvent):
    """The player moved to another node (failover or drain)."""

    from_node: Node
