"""Outbound request bodies. `UNSET` omits a key ("leave as is"); `None` sends `null`."""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol.filters import Filters
from hikari_lavalink.protocol.models import SECRET_USER_DATA_KEYS, shown_user_data

__all__ = ["FreeAddress", "UpdatePlayer", "UpdatePlayerTrack", "VoiceUpdate"]

UNSET: typing.Final = msgspec.UNSET


class _Request(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    pass


class UpdatePlayerTrack(_Request, kw_only=True, frozen=True):
    """`track` of an update: `encoded=None` stops playback, `identifier` loads one."""

    encoded: str | msgspec.UnsetType | None = UNSET
    identifier: str | msgspec.UnsetType = UNSET
    user_data: dict[str, typing.Any] | msgspec.UnsetType = UNSET

    @override
    def __repr__(self) -> str:
        # youtube-source's oauth-token rides in user_data: never shown.
        data = self.user_data
        if isinstance(data, msgspec.UnsetType) or SECRET_USER_DATA_KEYS.isdisjoint(data):
            return super().__repr__()
        shown = msgspec.structs.replace(self, user_data=shown_user_data(data))
        return super(UpdatePlayerTrack, shown).__repr__()


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
