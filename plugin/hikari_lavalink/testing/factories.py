"""Valid model instances with sensible defaults, for tests.

Tracks made here carry a *real* Lavaplayer blob in `encoded`, so
[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink] can play and decode them like Lavalink.
"""

from __future__ import annotations

import re
import typing

import msgspec

from hikari_lavalink.protocol import load_result, models
from hikari_lavalink.protocol.plugins import lavasearch, lavasrc
from hikari_lavalink.protocol.trackblob import encode_fields, encode_track_blob

__all__ = [
    "make_empty",
    "make_lavasearch_result",
    "make_lavasrc_playlist",
    "make_lavasrc_track",
    "make_load_error",
    "make_player",
    "make_playlist",
    "make_search",
    "make_stats",
    "make_track",
    "make_track_info",
]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "track"


def make_track_info(
    *,
    title: str = "Test Track",
    author: str = "Test Artist",
    length: int = 180_000,
    identifier: str | None = None,
    uri: str | None = None,
    source_name: str = "http",
    is_stream: bool = False,
    artwork_url: str | None = None,
    isrc: str | None = None,
    position: int = 0,
) -> models.TrackInfo:
    """A [`TrackInfo`][hikari_lavalink.TrackInfo]; `identifier` and `uri` default to a slug of the
    title."""
    ident = identifier or _slug(title)
    return models.TrackInfo(
        identifier=ident,
        is_seekable=not is_stream,
        author=author,
        length=length,
        is_stream=is_stream,
        position=position,
        title=title,
        uri=uri if uri is not None else f"https://example.invalid/{ident}",
        artwork_url=artwork_url,
        isrc=isrc,
        source_name=source_name,
    )


def make_track(
    *,
    title: str = "Test Track",
    author: str = "Test Artist",
    length: int = 180_000,
    identifier: str | None = None,
    uri: str | None = None,
    source_name: str = "http",
    is_stream: bool = False,
    artwork_url: str | None = None,
    isrc: str | None = None,
    position: int = 0,
    user_data: dict[str, typing.Any] | None = None,
    plugin_info: dict[str, typing.Any] | None = None,
) -> models.Track:
    """A [`Track`][hikari_lavalink.Track] whose `encoded` is a real version 3 Lavaplayer blob."""
    info = make_track_info(
        title=title,
        author=author,
        length=length,
        identifier=identifier,
        uri=uri,
        source_name=source_name,
        is_stream=is_stream,
        artwork_url=artwork_url,
        isrc=isrc,
        position=position,
    )
    return models.Track(
        encoded=encode_track_blob(info),
        info=info,
        plugin_info=plugin_info or {},
        user_data=user_data or {},
    )


def make_playlist(
    name: str,
    tracks: typing.Sequence[models.Track],
    *,
    selected_track: int = -1,
    plugin_info: dict[str, typing.Any] | None = None,
) -> load_result.PlaylistResult:
    """A `playlist` load result."""
    return load_result.PlaylistResult(
        data=models.Playlist(
            info=models.PlaylistInfo(name=name, selected_track=selected_track),
            plugin_info=plugin_info or {},
            tracks=list(tracks),
        )
    )


def make_search(tracks: typing.Sequence[models.Track]) -> load_result.SearchResult:
    """A `search` load result."""
    return load_result.SearchResult(data=list(tracks))


def make_empty() -> load_result.EmptyResult:
    """An `empty` load result: nothing matched (what a search for nonsense gives)."""
    return load_result.EmptyResult()


def make_load_error(
    message: str = "This video is unavailable",
    *,
    severity: str = models.Severity.COMMON,
    cause: str = "com.sedmelluq.discord.lavaplayer.tools.FriendlyException",
) -> load_result.ErrorResult:
    """An `error` load result, as a source that refuses a track gives (`common`: the
    track's fault, not a bug; `suspicious` or `fault` otherwise)."""
    return load_result.ErrorResult(
        data=models.ExceptionInfo(message=message, severity=severity, cause=cause)
    )


def make_stats(
    *,
    players: int = 0,
    playing_players: int = 0,
    uptime: int = 1_000,
    cores: int = 2,
    system_load: float = 0.1,
    lavalink_load: float = 0.05,
    frame_stats: models.FrameStats | None = None,
) -> models.Stats:
    """A [`Stats`][hikari_lavalink.Stats]."""
    return models.Stats(
        players=players,
        playing_players=playing_players,
        uptime=uptime,
        memory=models.Memory(free=100, used=200, allocated=300, reservable=400),
        cpu=models.Cpu(cores=cores, system_load=system_load, lavalink_load=lavalink_load),
        frame_stats=frame_stats,
    )


def make_player(
    guild_id: int,
    *,
    track: models.Track | None = None,
    position: int | None = None,
    volume: int = 100,
    paused: bool = False,
    connected: bool = True,
    ping: int | None = None,
    time: int = 0,
    voice: models.VoiceState | None = None,
    channel_id: int | None = None,
) -> models.Player:
    """A [`Player`][hikari_lavalink.Player] as `GET .../players/{guildId}` returns it.

    `position` defaults to the track's `info.position` (0 with no track), `ping` to 12
    when connected and -1 otherwise, and `voice` to placeholder credentials when
    connected (`""` and a null channel otherwise, as Lavalink reports no connection).
    """
    if voice is None:
        voice = (
            models.VoiceState(
                token="token",  # noqa: S106 - a placeholder, not a secret
                endpoint="voice.invalid:443",
                session_id="session",
                channel_id=channel_id,
            )
            if connected
            else models.VoiceState(token="", endpoint="", session_id="", channel_id=None)
        )
    if position is None:
        position = track.info.position if track is not None else 0
    return models.Player(
        guild_id=guild_id,
        track=track,
        volume=volume,
        paused=paused,
        state=models.PlayerState(
            time=time,
            position=position,
            connected=connected,
            ping=ping if ping is not None else (12 if connected else -1),
        ),
        voice=voice,
    )


def make_lavasrc_track(
    *,
    title: str = "Test Track",
    author: str = "Test Artist",
    source_name: str = "spotify",
    identifier: str | None = None,
    isrc: str | None = None,
    album_name: str | None = None,
    album_url: str | None = None,
    artist_url: str | None = None,
    artist_artwork_url: str | None = None,
    preview_url: str | None = None,
    is_preview: bool = False,
    is_local: bool | None = None,
    length: int = 180_000,
    uri: str | None = None,
    artwork_url: str | None = None,
) -> models.Track:
    """A track of a LavaSrc source, with LavaSrc's `pluginInfo` as the plugin writes it:
    every key present (`null` when unset), `isLocal` on Spotify tracks only (`False`
    unless given).

    Its `encoded` is the blob LavaSrc writes: version 3, with the five texts and `isPreview`
    after the source name (`ExtendedAudioSourceManager.encodeTrack`). A
    [`FakeLavalink`][hikari_lavalink.testing.FakeLavalink] with LavaSrc decodes it with its
    `pluginInfo`, as Lavalink would, whether or not the track came from its own catalogue.
    """
    info: dict[str, typing.Any] = {
        "albumName": album_name,
        "albumUrl": album_url,
        "artistUrl": artist_url,
        "artistArtworkUrl": artist_artwork_url,
        "previewUrl": preview_url,
        "isPreview": is_preview,
    }
    if source_name == "spotify" or is_local is not None:
        info["isLocal"] = bool(is_local)
    track = make_track(
        title=title,
        author=author,
        source_name=source_name,
        identifier=identifier,
        isrc=isrc,
        length=length,
        uri=uri or f"https://open.{source_name}.invalid/track/{identifier or _slug(title)}",
        artwork_url=artwork_url,
        plugin_info=info,
    )
    fields = encode_fields(
        album_name, album_url, artist_url, artist_artwork_url, preview_url, is_preview
    )
    return msgspec.structs.replace(
        track, encoded=encode_track_blob(track.info, source_bytes=fields)
    )


def make_lavasrc_playlist(
    name: str,
    tracks: typing.Sequence[models.Track] = (),
    *,
    type: lavasrc.LavaSrcPlaylistType = "album",
    url: str | None = None,
    artwork_url: str | None = None,
    author: str | None = None,
    total_tracks: int | None = None,
) -> load_result.PlaylistResult:
    """A `playlist` load result with LavaSrc's playlist `pluginInfo` (all five keys)."""
    info = {
        "type": type,
        "url": url,
        "artworkUrl": artwork_url,
        "author": author,
        "totalTracks": total_tracks,
    }
    return make_playlist(name, tracks, plugin_info=info)


def make_lavasearch_result(
    *,
    tracks: typing.Sequence[models.Track] = (),
    albums: typing.Sequence[load_result.PlaylistResult] = (),
    artists: typing.Sequence[load_result.PlaylistResult] = (),
    playlists: typing.Sequence[load_result.PlaylistResult] = (),
    texts: typing.Sequence[str] = (),
) -> lavasearch.LavaSearchResult:
    """A `/v4/loadsearch` result; albums, artists and playlists lose their tracks, as
    LavaSearch sends them."""

    def bare(items: typing.Sequence[load_result.PlaylistResult]) -> list[models.Playlist]:
        return [msgspec.structs.replace(item.data, tracks=[]) for item in items]

    return lavasearch.LavaSearchResult(
        tracks=list(tracks),
        albums=bare(albums),
        artists=bare(artists),
        playlists=bare(playlists),
        texts=[lavasearch.SearchText(text=text) for text in texts],
    )
