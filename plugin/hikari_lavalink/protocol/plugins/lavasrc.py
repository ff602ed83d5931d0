"""LavaSrc (`lavasrc-plugin`): its `pluginInfo` on tracks and playlists, as typed views, and
`PATCH /v4/lavasrc/config` as a typed request.

LavaSrc's tracks and playlists come through the normal `/v4/loadtracks`; LavaSrc writes
every key of its `pluginInfo`, `null` when it has no value. The views are read from the
already-decoded `plugin_info` dict, on demand:

>>> from hikari_lavalink.testing import factories
>>> track = factories.make_lavasrc_track(album_name="Hypnotic")
>>> LavaSrcTrackInfo.of(track).album_name
'Hypnotic'
>>> LavaSrcTrackInfo.of(factories.make_track()) is None
True

A `pluginInfo` that has LavaSrc's keys with values of the wrong type (a server bug, or a
plugin that writes the same keys) reads as `None`, logged as a warning: a view is for
display and never raises.
"""

from __future__ import annotations

import logging
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol import codec
from hikari_lavalink.protocol.load_result import PlaylistResult
from hikari_lavalink.protocol.models import Inbound, Playlist, Track
from hikari_lavalink.protocol.routes import Route

__all__ = [
    "AppleMusicConfig",
    "DeezerConfig",
    "DeezerFormat",
    "LavaSrcConfig",
    "LavaSrcPlaylistInfo",
    "LavaSrcPlaylistType",
    "LavaSrcTrackInfo",
    "QobuzConfig",
    "SpotifyConfig",
    "VkMusicConfig",
    "YandexMusicConfig",
    "YtdlpConfig",
    "update_config",
]

_LOGGER = logging.getLogger("hikari_lavalink.plugins")
_TRACK_KEYS: typing.Final = frozenset(
    {"albumName", "albumUrl", "artistUrl", "artistArtworkUrl", "previewUrl", "isPreview"}
)
_PLAYLIST_KEYS: typing.Final = frozenset({"type", "url", "artworkUrl", "author", "totalTracks"})

LavaSrcPlaylistType = typing.Literal["album", "playlist", "artist", "recommendations"]
"""What a LavaSrc playlist is: an album, a playlist, an artist's top tracks or
recommendations (`ExtendedAudioPlaylist.Type`)."""


class LavaSrcTrackInfo(Inbound, kw_only=True, frozen=True):
    """LavaSrc's `pluginInfo` of a track (Spotify, Apple Music, Deezer, Yandex, VK, Tidal,
    Qobuz, JioSaavn, yt-dlp); get it with
    [`LavaSrcTrackInfo.of`][hikari_lavalink.protocol.plugins.lavasrc.LavaSrcTrackInfo.of].

    `album_url` is the album's *page* (the code writes `albumUrl`; LavaSrc's README calls
    it `albumArtUrl`). Which fields a source fills varies: Tidal none, VK no artist
    artwork, Qobuz and Yandex no preview. `is_local` is only sent for Spotify tracks
    (`True` for a playlist's local file, whose `uri` and `isrc` are `None`).
    """

    album_name: str | None = None
    album_url: str | None = None
    artist_url: str | None = None
    artist_artwork_url: str | None = None
    preview_url: str | None = None
    is_preview: bool = False
    is_local: bool | None = None

    @classmethod
    def of(cls, track: Track) -> LavaSrcTrackInfo | None:
        """The track's LavaSrc info; `None` when it has none (a YouTube or HTTP track), or
        when its values do not fit (logged as a warning)."""
        return _view(cls, track.plugin_info, _TRACK_KEYS, track.info.identifier)


class LavaSrcPlaylistInfo(Inbound, kw_only=True, frozen=True):
    """LavaSrc's `pluginInfo` of a playlist, album, artist or recommendations list; get it
    with
    [`LavaSrcPlaylistInfo.of`][hikari_lavalink.protocol.plugins.lavasrc.LavaSrcPlaylistInfo.of].

    `total_tracks` is the size on the service, which may exceed the tracks loaded (page
    limits); `None` for artists and recommendations.
    """

    type: LavaSrcPlaylistType = "playlist"
    url: str | None = None
    artwork_url: str | None = None
    author: str | None = None
    total_tracks: int | None = None

    @classmethod
    def of(cls, playlist: Playlist | PlaylistResult) -> LavaSrcPlaylistInfo | None:
        """The playlist's (or `playlist` load result's) LavaSrc info; `None` when it has
        none, or when its values do not fit (an unknown `type`...; logged as a warning)."""
        data = playlist.data if isinstance(playlist, PlaylistResult) else playlist
        return _view(cls, data.plugin_info, _PLAYLIST_KEYS, data.info.name)


_View = typing.TypeVar("_View", LavaSrcTrackInfo, LavaSrcPlaylistInfo)


def _view(
    cls: type[_View], plugin_info: dict[str, typing.Any], keys: frozenset[str], what: str
) -> _View | None:
    if keys.isdisjoint(plugin_info):
        return None
    try:
        return msgspec.convert(plugin_info, cls)
    except msgspec.ValidationError as exc:
        _LOGGER.warning("ignoring the LavaSrc pluginInfo of %r, which does not fit: %s", what, exc)
        return None


# -- PATCH /v4/lavasrc/config -------------------------------------------------------------

_UNSET: typing.Final = msgspec.UNSET


class _Hidden:
    __slots__ = ()

    @override
    def __repr__(self) -> str:
        return "[REDACTED]"


_HIDDEN: typing.Final = _Hidden()

DeezerFormat = typing.Literal["FLAC", "MP3_320", "MP3_256", "MP3_128", "MP3_64", "AAC_64"]
"""An audio format Deezer may play, best first."""


class _Config(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    """A section of the config: only the fields set are sent; the secrets never show in
    its repr."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset()

    @override
    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__rich_repr__())
        return f"{type(self).__name__}({shown})"

    @override
    def __rich_repr__(self) -> list[tuple[str, typing.Any]]:
        return [
            (name, _HIDDEN if name in self._SECRETS else value)
            for name in self.__struct_fields__
            if (value := getattr(self, name)) is not _UNSET
        ]


class SpotifyConfig(_Config, kw_only=True, frozen=True):
    """Spotify's credentials; `client_id` and `client_secret` only apply together."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset({"client_secret", "sp_dc"})

    client_id: str | msgspec.UnsetType = _UNSET
    client_secret: str | msgspec.UnsetType = _UNSET
    sp_dc: str | msgspec.UnsetType = _UNSET
    prefer_partner_api: bool | msgspec.UnsetType = _UNSET
    prefer_v1_search_api: bool | msgspec.UnsetType = msgspec.field(
        default=_UNSET, name="preferV1SearchApi"
    )
    custom_token_endpoint: str | msgspec.UnsetType = _UNSET

    def __post_init__(self) -> None:
        _pair(self, "client_id", "client_secret", "Spotify")


class AppleMusicConfig(_Config, kw_only=True, frozen=True):
    """Apple Music's media API token (sent as `appleMusic.mediaAPIToken`)."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset({"media_api_token"})

    media_api_token: str | msgspec.UnsetType = msgspec.field(default=_UNSET, name="mediaAPIToken")


class DeezerConfig(_Config, kw_only=True, frozen=True):
    """Deezer's `arl` cookie and the formats to play."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset({"arl"})

    arl: str | msgspec.UnsetType = _UNSET
    formats: list[DeezerFormat] | msgspec.UnsetType = _UNSET


class YandexMusicConfig(_Config, kw_only=True, frozen=True):
    """Yandex Music's access token."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset({"access_token"})

    access_token: str | msgspec.UnsetType = _UNSET


class VkMusicConfig(_Config, kw_only=True, frozen=True):
    """VK Music's user token."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset({"user_token"})

    user_token: str | msgspec.UnsetType = _UNSET


class QobuzConfig(_Config, kw_only=True, frozen=True):
    """Qobuz's user OAuth token; `app_id` and `app_secret` only apply together."""

    _SECRETS: typing.ClassVar[frozenset[str]] = frozenset({"user_oauth_token", "app_secret"})

    user_oauth_token: str | msgspec.UnsetType = _UNSET
    app_id: str | msgspec.UnsetType = _UNSET
    app_secret: str | msgspec.UnsetType = _UNSET

    def __post_init__(self) -> None:
        _pair(self, "app_id", "app_secret", "Qobuz")


class YtdlpConfig(_Config, kw_only=True, frozen=True):
    """The yt-dlp source's settings.

    `search_limit` is required: LavaSrc unboxes it unchecked, so a `ytdlp` section
    without it fails on the server (HTTP 500).
    """

    search_limit: int
    path: str | msgspec.UnsetType = _UNSET
    mix_playlist_load_limit: int | msgspec.UnsetType = _UNSET
    playlist_load_limit: int | msgspec.UnsetType = _UNSET
    custom_load_args: list[str] | msgspec.UnsetType = _UNSET
    custom_playback_args: list[str] | msgspec.UnsetType = _UNSET


class LavaSrcConfig(_Config, kw_only=True, frozen=True):
    """Body of `PATCH /v4/lavasrc/config`: new credentials, in the server's memory only.

    Only the sections and fields set are sent, and the server applies each only to a
    source it has enabled. Apple Music's key is `appleMusic` (LavaSrc's README writes
    `applemusic`, which the server silently ignores). The secrets never show in a repr.

    Raises
    ------
    UsageError
        Nothing is set, or one of a pair that only applies together (Spotify's client id
        and secret, Qobuz's app id and secret) is set without the other.
    """

    spotify: SpotifyConfig | msgspec.UnsetType = _UNSET
    apple_music: AppleMusicConfig | msgspec.UnsetType = _UNSET
    deezer: DeezerConfig | msgspec.UnsetType = _UNSET
    yandex_music: YandexMusicConfig | msgspec.UnsetType = _UNSET
    vk_music: VkMusicConfig | msgspec.UnsetType = _UNSET
    qobuz: QobuzConfig | msgspec.UnsetType = _UNSET
    ytdlp: YtdlpConfig | msgspec.UnsetType = _UNSET

    def __post_init__(self) -> None:
        if all(getattr(self, name) is _UNSET for name in self.__struct_fields__):
            msg = "a LavaSrc config update sets nothing; pass at least one source's section"
            raise UsageError(msg)


def _pair(config: _Config, first: str, second: str, source: str) -> None:
    if (getattr(config, first) is _UNSET) != (getattr(config, second) is _UNSET):
        msg = (
            f"{source}'s {first} and {second} only apply together (LavaSrc ignores one "
            "alone); pass both"
        )
        raise UsageError(msg)


def update_config(config: LavaSrcConfig) -> Route[None]:
    """`PATCH /v4/lavasrc/config`: apply `config` (200, no body)."""
    return Route("PATCH", "/v4/lavasrc/config", _no_body, body=codec.encode(config))


def _no_body(_: bytes) -> None:
    return None
