"""NodeLink's own WebSocket events (`../shared/lavalink-plugins.md` §7.3), registered with the codec
on import.

NodeLink sends, besides Lavalink's events, what happened to a player on its side: created,
destroyed, its voice connected or reconnecting, paused, sought, its volume or filters
changed, and the ICY metadata of a stream. Each decodes to a message of its own here; the
client turns them into the [`NodeLinkEvent`][hikari_lavalink.NodeLinkEvent] family. Its mixer
(`MixStartedEvent`, `MixEndedEvent`), Eternal Box and `ConnectionStatusEvent` messages stay
[`UnknownMessage`][hikari_lavalink.UnknownMessage] (a
[`RawLavalinkEvent`][hikari_lavalink.RawLavalinkEvent]): the client has no API for them, and
their payloads are not read from NodeLink's code. NodeLink's lyrics and SponsorBlock events
belong to those plugins' modules.

A voice event carries the channel and endpoint only: the voice token and session id NodeLink
repeats are not kept (nothing here may show them).

Also here: NodeLink's `GET /v4/connection`, its measure of its own network
([`connection`][hikari_lavalink.protocol.plugins.nodelink.connection], for
`node.request(...)`).
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.errors import RemoteProtocolError
from hikari_lavalink.protocol import codec, models, nodelink, routes
from hikari_lavalink.protocol import filters as filters_
from hikari_lavalink.protocol.messages import PluginEventMessage
from hikari_lavalink.protocol.nodelink import NodeLinkVoiceChannel

__all__ = [
    "MESSAGES",
    "NodeLinkConnection",
    "NodeLinkConnectionMetrics",
    "NodeLinkConnectionSpeed",
    "NodeLinkFiltersChangedMessage",
    "NodeLinkPauseMessage",
    "NodeLinkPlayerConnectedMessage",
    "NodeLinkPlayerCreatedMessage",
    "NodeLinkPlayerDestroyedMessage",
    "NodeLinkPlayerReconnectingMessage",
    "NodeLinkSeekMessage",
    "NodeLinkStreamMetadataMessage",
    "NodeLinkVolumeChangedMessage",
    "connection",
]


class NodeLinkPlayerCreatedMessage(
    PluginEventMessage, tag="PlayerCreatedEvent", kw_only=True, frozen=True
):
    """NodeLink made the guild's player (at its first update)."""

    player: nodelink.NodeLinkPlayer

    @property
    def server_player(self) -> models.Player:
        """The new player, as the library's [`Player`][hikari_lavalink.PlayerModel] model."""
        return self.player.to_player()


class NodeLinkPlayerDestroyedMessage(
    PluginEventMessage, tag="PlayerDestroyedEvent", kw_only=True, frozen=True
):
    """NodeLink destroyed the guild's player."""


class NodeLinkPlayerConnectedMessage(
    PluginEventMessage, tag="PlayerConnectedEvent", kw_only=True, frozen=True
):
    """The player's voice connection to Discord is up."""

    voice: NodeLinkVoiceChannel = msgspec.field(default_factory=NodeLinkVoiceChannel)


class NodeLinkPlayerReconnectingMessage(
    PluginEventMessage, tag="PlayerReconnectingEvent", kw_only=True, frozen=True
):
    """The player's voice connection dropped; NodeLink is reconnecting it."""

    voice: NodeLinkVoiceChannel = msgspec.field(default_factory=NodeLinkVoiceChannel)


class NodeLinkPauseMessage(PluginEventMessage, tag="PauseEvent", kw_only=True, frozen=True):
    """The player was paused or resumed."""

    paused: bool


class NodeLinkSeekMessage(PluginEventMessage, tag="SeekEvent", kw_only=True, frozen=True):
    """The player sought to `position` (ms); `duration` is NodeLink's figure of the move (ms)."""

    position: int
    duration: int = 0


class NodeLinkVolumeChangedMessage(
    PluginEventMessage, tag="VolumeChangedEvent", kw_only=True, frozen=True
):
    """The player's volume changed (0-1000)."""

    volume: int


class NodeLinkFiltersChangedMessage(
    PluginEventMessage, tag="FiltersChangedEvent", kw_only=True, frozen=True
):
    """The player's filters changed; `raw_filters` is NodeLink's `{"filters": {...}}`."""

    raw_filters: dict[str, typing.Any] = msgspec.field(
        default_factory=dict[str, typing.Any], name="filters"
    )

    def __post_init__(self) -> None:
        # A filter Lavalink knows that does not fit its model makes the message malformed
        # (msgspec turns the ValueError into its error: a RemoteProtocolError, logged),
        # not a listener's crash.
        try:
            nodelink.player_filters(self.raw_filters)
        except RemoteProtocolError as exc:
            raise ValueError(str(exc)) from None

    @property
    def filters(self) -> filters_.Filters:
        """The filters now, read as
        [`player_filters`][hikari_lavalink.protocol.nodelink.player_filters] reads them (a
        filter fading out left out)."""
        return nodelink.player_filters(self.raw_filters)


class NodeLinkStreamMetadataMessage(
    PluginEventMessage, tag="StreamMetadataEvent", kw_only=True, frozen=True
):
    """A stream's ICY metadata changed (the song now on a radio, say)."""

    track: models.Track | None = None
    stream: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])


MESSAGES: typing.Final[tuple[type[PluginEventMessage], ...]] = (
    NodeLinkPlayerCreatedMessage,
    NodeLinkPlayerDestroyedMessage,
    NodeLinkPlayerConnectedMessage,
    NodeLinkPlayerReconnectingMessage,
    NodeLinkPauseMessage,
    NodeLinkSeekMessage,
    NodeLinkVolumeChangedMessage,
    NodeLinkFiltersChangedMessage,
    NodeLinkStreamMetadataMessage,
)
"""NodeLink's own event messages, each registered with the codec."""

for _message in MESSAGES:
    codec.register_plugin_event(_message)


class NodeLinkConnectionSpeed(models.Inbound, kw_only=True, frozen=True):
    """A download speed, in bits, kilobits and megabits per second."""

    bps: float = 0.0
    kbps: float = 0.0
    mbps: float = 0.0


class NodeLinkConnectionMetrics(models.Inbound, kw_only=True, frozen=True):
    """What NodeLink's speed test measured: `downloaded_bytes` in `duration_seconds`."""

    speed: NodeLinkConnectionSpeed = msgspec.field(default_factory=NodeLinkConnectionSpeed)
    downloaded_bytes: int = 0
    duration_seconds: float = 0.0
    timestamp: int = 0
    """When (ms since the epoch)."""


class NodeLinkConnection(models.Inbound, kw_only=True, frozen=True):
    """NodeLink's `GET /v4/connection`: its network's state (`status`: `good`, ...)."""

    status: str = ""
    metrics: NodeLinkConnectionMetrics | None = None


_decode_connection: typing.Final = codec.make_decoder(NodeLinkConnection, "NodeLink connection")


def connection() -> routes.Route[NodeLinkConnection]:
    """`GET /v4/connection` (NodeLink only): its last measure of its network."""
    return routes.Route("GET", "/v4/connection", _decode_connection)
