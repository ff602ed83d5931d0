"""NodeLink's REST shapes, read into the library's own models (`../shared/lavalink-plugins.md` §7).

NodeLink (`PerformanC/NodeLink`) answers Lavalink's routes with JSON of its own making: a
player's `voice` fields are `null` until set, its `track` has no `pluginInfo` (and no
`userData` when none was given), its `filters` sit one level deeper (`{"filters": {...}}`),
an entry fading out carries `_disabled: true` and a `transition`, and `state.ping` is 0 when
unknown. Its route planner counts its IP blocks as a number. The decoders here read those
shapes into [`Player`][hikari_lavalink.PlayerModel] and
[`RoutePlannerStatus`][hikari_lavalink.protocol.routeplanner.RoutePlannerStatus], so the rest of
the library sees one model. They run on REST answers of a NodeLink node only (the routes choose
them, see [`routes.get_player`][hikari_lavalink.protocol.routes.get_player]): Lavalink's answers,
and every WebSocket message, are decoded as before.
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.errors import RemoteProtocolError
from hikari_lavalink.protocol import filters as filters_
from hikari_lavalink.protocol import models
from hikari_lavalink.protocol import routeplanner as routeplanner_

__all__ = [
    "HEADER",
    "NodeLinkPlayer",
    "NodeLinkVoice",
    "NodeLinkVoiceChannel",
    "decode_player",
    "decode_players",
    "decode_route_planner_status",
    "player_filters",
]

HEADER: typing.Final = "IamNodelink"
"""The response header every NodeLink answer carries (`true`)."""

_INTERNAL_KEYS: typing.Final = frozenset({"_disabled", "transition"})
_FILTER_FIELDS: typing.Final = frozenset(
    field.encode_name for field in msgspec.structs.fields(filters_.Filters)
)
"""The filters Lavalink knows, by their JSON names."""


class NodeLinkVoiceChannel(models.Inbound, kw_only=True, frozen=True):
    """Where a NodeLink player's voice connects: the channel (when known) and the endpoint."""

    channel_id: int | None = None
    endpoint: str | None = None


class NodeLinkVoice(NodeLinkVoiceChannel, kw_only=True, frozen=True):
    """A NodeLink player's voice, with its credentials: every field `None` until set."""

    token: str | None = None
    session_id: str | None = None


class NodeLinkPlayer(models.Inbound, kw_only=True, frozen=True):
    """A player as NodeLink's REST API returns it (`Player.toJSON()`)."""

    guild_id: int
    track: models.Track | None = None
    volume: int = 100
    paused: bool = False
    state: models.PlayerState
    voice: NodeLinkVoice = msgspec.field(default_factory=NodeLinkVoice)
    filters: dict[str, typing.Any] = msgspec.field(default_factory=dict[str, typing.Any])

    def to_player(self) -> models.Player:
        """The library's model of this player: `""` for unset voice fields, `-1` for an
        unknown ping (0 while not connected), the filters as
        [`player_filters`][hikari_lavalink.protocol.nodelink.player_filters] reads them."""
        voice, state = self.voice, self.state
        if state.ping == 0 and not state.connected:
            state = models.PlayerState(
                time=state.time, position=state.position, connected=False, ping=-1
            )
        return models.Player(
            guild_id=self.guild_id,
            track=self.track,
            volume=self.volume,
            paused=self.paused,
            state=state,
            voice=models.VoiceState(
                token=voice.token or "",
                endpoint=voice.endpoint or "",
                session_id=voice.session_id or "",
                channel_id=voice.channel_id,
            ),
            filters=player_filters(self.filters),
        )


def player_filters(raw: typing.Mapping[str, typing.Any]) -> filters_.Filters:
    """A NodeLink filter object as a [`Filters`][hikari_lavalink.Filters].

    Takes the nested shape (`{"filters": {...}}`) or a flat one; leaves out an entry that is
    fading out (`_disabled`), the internal `transition` keys, and the filters Lavalink does
    not have (NodeLink's `echo`, `chorus`...: a restore on another node cannot keep them).

    Raises
    ------
    RemoteProtocolError
        A filter Lavalink knows does not fit its model.
    """
    inner = raw.get("filters")
    entries: typing.Mapping[str, typing.Any] = (
        typing.cast("dict[str, typing.Any]", inner) if isinstance(inner, dict) else raw
    )
    kept: dict[str, typing.Any] = {}
    for name, value in entries.items():
        if name not in _FILTER_FIELDS:
            continue
        if isinstance(value, dict):
            entry = typing.cast("dict[str, typing.Any]", value)
            if entry.get("_disabled") is True:
                continue
            kept[name] = {k: v for k, v in entry.items() if k not in _INTERNAL_KEYS}
        else:
            kept[name] = value
    try:
        return msgspec.convert(kept, filters_.Filters, strict=False)
    except msgspec.ValidationError as exc:
        raise RemoteProtocolError(f"invalid NodeLink filters: {exc}", repr(kept)) from None


class _IpBlock(models.Inbound, kw_only=True, frozen=True):
    type: str
    size: int | str


class _Details(models.Inbound, kw_only=True, frozen=True):
    ip_block: _IpBlock
    failing_addresses: list[routeplanner_.FailingAddress] = msgspec.field(
        default_factory=list[typing.Any]
    )


class _PlannerStatus(models.Inbound, kw_only=True, frozen=True):
    class_: str = msgspec.field(name="class")
    details: _Details


_player_decoder: typing.Final = msgspec.json.Decoder(NodeLinkPlayer, strict=False)
_players_decoder: typing.Final = msgspec.json.Decoder(list[NodeLinkPlayer], strict=False)
_planner_decoder: typing.Final = msgspec.json.Decoder(_PlannerStatus, strict=False)


def _checked(decode: typing.Callable[[bytes], typing.Any], data: bytes, what: str) -> typing.Any:
    try:
        return decode(data)
    except (msgspec.DecodeError, UnicodeError) as exc:
        raise RemoteProtocolError(f"invalid NodeLink {what}: {exc}", data) from None
    except RecursionError:
        raise RemoteProtocolError(f"invalid NodeLink {what}: nested too deep", data) from None


def decode_player(data: bytes) -> models.Player:
    """Decode a NodeLink player answer into a [`Player`][hikari_lavalink.PlayerModel].

    Raises
    ------
    RemoteProtocolError
        The body does not fit NodeLink's player JSON.
    """
    player: NodeLinkPlayer = _checked(_player_decoder.decode, data, "player")
    return player.to_player()


def decode_players(data: bytes) -> list[models.Player]:
    """Decode a NodeLink player list (see
    [`decode_player`][hikari_lavalink.protocol.nodelink.decode_player])."""
    players: list[NodeLinkPlayer] = _checked(_players_decoder.decode, data, "player list")
    return [player.to_player() for player in players]


def decode_route_planner_status(data: bytes) -> routeplanner_.RoutePlannerStatus | None:
    """Decode NodeLink's route planner status (a `BalancingIpRoutePlanner` whose IP block
    size is a number); `None` for an empty answer.

    Raises
    ------
    RemoteProtocolError
        The body does not fit, or names a planner class NodeLink does not have.
    """
    if not data.strip():
        return None
    status: _PlannerStatus = _checked(_planner_decoder.decode, data, "route planner status")
    if status.class_ != "BalancingIpRoutePlanner":
        raise RemoteProtocolError(f"unknown NodeLink route planner {status.class_!r}", data)
    details = status.details
    return routeplanner_.BalancingIpRoutePlanner(
        details=routeplanner_.BalancingIpDetails(
            ip_block=routeplanner_.IpBlock(
                type=details.ip_block.type, size=str(details.ip_block.size)
            ),
            failing_addresses=details.failing_addresses,
        )
    )
