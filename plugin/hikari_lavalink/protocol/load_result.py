"""`GET /v4/loadtracks` results, tagged on `loadType`.

A failed load is a *successful* HTTP call with `loadType: "error"`: check the type, not
only for exceptions.
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink.protocol.models import ExceptionInfo, Inbound, JSONObject, Playlist, Track

__all__ = [
    "EmptyResult",
    "ErrorResult",
    "LoadResult",
    "PlaylistResult",
    "SearchResult",
    "TrackResult",
]


class _LoadResult(Inbound, tag_field="loadType", kw_only=True, frozen=True):
    pass


class TrackResult(_LoadResult, tag="track", kw_only=True, frozen=True):
    """One track (a URL or an identifier)."""

    data: Track

    @property
    def tracks(self) -> list[Track]:
        """The track, as a one-element list."""
        return [self.data]


class PlaylistResult(_LoadResult, tag="playlist", kw_only=True, frozen=True):
    """A playlist (`data.info.name`, `data.tracks`)."""

    data: Playlist

    @property
    def tracks(self) -> list[Track]:
        """The playlist's tracks."""
        return self.data.tracks


class SearchResult(_LoadResult, tag="search", kw_only=True, frozen=True):
    """Search results, best first (possibly none)."""

    data: list[Track] = msgspec.field(default_factory=list[typing.Any])

    @property
    def tracks(self) -> list[Track]:
        """The results."""
        return self.data


class EmptyResult(_LoadResult, tag="empty", kw_only=True, frozen=True):
    """Nothing matched. `data` is `null` (servers and older docs also give `{}`)."""

    data: JSONObject | None = None

    @property
    def tracks(self) -> list[Track]:
        """No tracks."""
        return []


class ErrorResult(_LoadResult, tag="error", kw_only=True, frozen=True):
    """Loading failed; `data` says why (`severity` `common` is nobody's bug)."""

    data: ExceptionInfo

    @property
    def tracks(self) -> list[Track]:
        """No tracks."""
        return []


LoadResult: typing.TypeAlias = (
    TrackResult | PlaylistResult | SearchResult | EmptyResult | ErrorResult
)
"""Every kind of load result; each has `.tracks`."""
