"""Outbound request bodies. `UNSET` omits a key ("leave as is"); `None` sends `null`."""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.protocol.filters import Filters

__all__ = ["FreeAddress", "UpdatePlayer", "UpdatePlayerTrack", "VoiceUpdate"]

UNSET: typing.Final = msgspec.UNSET


class _Request(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    pass


class UpdatePlayerTrack(_Request, kw_only=True, frozen=True):
    """`track` of an update: `encoded=None` stops playback, `identifier` loads one."""

    encoded: str | msgspec.UnsetType | None = UNSET
    identifier: str | msgspec.UnsetType = UNSET
    user_data: dict[str, typing.Any] | msgspec.UnsetType = UNSET


class VoiceUpdate(_Request, kw_only=True, frozen=True):
    """`voice` of an update. Lavalink 4.2+ requires all four, `channel_id` included.

    The values are strings as Discord sent them (`endpoint` without `wss://`).
    """

    token: str
    endpoint: str
    session_id: str
    channel_id: str | msgspec.UnsetType | None = UNSET


class UpdatePlayer(_Request, kw_only=True, frozen=True):
    """Body of `PATCH /v4/sessions/{id}/players/{guild}`; creates the player if needed.

    `encoded_track` and `identifier` are the deprecated top-level forms of `track`;
    they exist so that the test kit can reject them as the server does.
    """

    track: UpdatePlayerTrack | msgspec.UnsetType = UNSET
    encoded_track: str | msgspec.UnsetType | None = UNSET
    identifier: str | msgspec.UnsetType = UNSET
    position: int | msgspec.UnsetType = UNSET
    end_time: int | msgspec.UnsetType | None = UNSET
    volume: int | msgspec.UnsetType = UNSET
    paused: bool | msgspec.UnsetType = UNSET
    filters: Filters | msgspec.UnsetType = UNSET
    voice: VoiceUpdate | msgspec.UnsetType = UNSET


class FreeAddress(_Request, kw_only=True, frozen=True):
    """Body of `POST /v4/routeplanner/free/address`."""

    address: str
