"""LavaSrc, LavaSearch and youtube-source models: every vector of theirs decodes, the views
read LavaSrc's pluginInfo (None for other tracks, None and a warning for a malformed one),
the requests encode as the plugins read them, and no secret shows in a repr."""

from __future__ import annotations

import json
import logging

import msgspec
import pytest
from tests.conftest import PLUGIN_VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, routes
from hikari_lavalink.protocol.plugins import lavasearch, lavasrc, youtube
from hikari_lavalink.protocol.trackblob import (
    decode_track_blob,
    decode_track_source_bytes,
    read_fields,
)
from hikari_lavalink.testing import factories

SOURCE_VECTORS = sorted(
    p.name
    for prefix in ("lavasrc-", "lavasearch-", "youtube-")
    for p in PLUGIN_VECTORS.glob(f"{prefix}*.json")
)


def vector(name: str) -> bytes:
    return (PLUGIN_VECTORS / name).read_bytes()


def test_every_source_plugin_vector_is_covered() -> None:
    assert set(SOURCE_VECTORS) == {
        "lavasrc-config-patch-request.json",
        "lavasrc-loadtracks-album-spotify.json",
        "lavasrc-loadtracks-artist-spotify.json",
        "lavasrc-track-deezer.json",
        "lavasrc-track-spotify.json",
        "lavasearch-loadsearch-readme.json",
        "lavasearch-loadsearch-texts-only.json",
        "lavasearch-loadsearch.json",
        "youtube-config-request.json",
        "youtube-config-response.json",
        "youtube-oauth-response.json",
        "youtube-update-player-request-oauth-userData.json",
    }


@pytest.mark.parametrize("name", ["lavasrc-track-spotify.json", "lavasrc-track-deezer.json"])
def test_lavasrc_tracks_decode_with_their_view(name: str) -> None:
    track = codec.decode_track(vector(name))
    view = hl.LavaSrcTrackInfo.of(track)
    assert view is not None
    assert view.album_name == "For Those That Wish To Exist"
    assert view.album_url is not None
    assert "/album/" in view.album_url
    assert view.is_preview is False
    spotify = track.info.source_name == "spotify"
    assert view.is_local is (False if spotify else None)
    assert (view.preview_url is None) is spotify
    # the hand-made blob (with LavaSrc's extension bytes) reads back as the JSON says
    assert decode_track_blob(track.encoded) == track.info


@pytest.mark.parametrize("name", ["lavasrc-track-spotify.json", "lavasrc-track-deezer.json"])
def test_the_extension_fields_of_a_lavasrc_blob_read_back_as_its_plugin_info(name: str) -> None:
    track = codec.decode_track(vector(name))
    info, source_bytes = decode_track_source_bytes(track.encoded)
    assert info == track.info
    fields = read_fields(source_bytes, (str, str, str, str, str, bool))
    keys = ("albumName", "albumUrl", "artistUrl", "artistArtworkUrl", "previewUrl", "isPreview")
    assert fields is not None
    assert dict(zip(keys, fields, strict=True)) == {k: track.plugin_info[k] for k in keys}
    # the same bytes, read as other fields, do not fit
    assert read_fields(source_bytes, (str, str, str, str, str)) is None
    assert read_fields(source_bytes, (str, str, str, str, str, bool, bool)) is None


@pytest.mark.parametrize("name", ["lavasrc-track-spotify.json", "lavasrc-track-deezer.json"])
def test_the_lavasrc_factory_writes_the_blob_lavasrc_writes(name: str) -> None:
    track = codec.decode_track(vector(name))
    view = hl.LavaSrcTrackInfo.of(track)
    assert view is not None
    made = factories.make_lavasrc_track(
        title=track.info.title,
        author=track.info.author,
        source_name=track.info.source_name,
        identifier=track.info.identifier,
        isrc=track.info.isrc,
        length=track.info.length,
        uri=track.info.uri,
        artwork_url=track.info.artwork_url,
        album_name=view.album_name,
        album_url=view.album_url,
        artist_url=view.artist_url,
        artist_artwork_url=view.artist_artwork_url,
        preview_url=view.preview_url,
        is_preview=view.is_preview,
    )
    assert made.encoded == track.encoded
    assert made.info == track.info
    assert made.plugin_info == track.plugin_info


@pytest.mark.parametrize(
    ("name", "kind", "total"),
    [
        ("lavasrc-loadtracks-album-spotify.json", "album", 15),
        ("lavasrc-loadtracks-artist-spotify.json", "artist", None),
    ],
)
def test_lavasrc_playlists_decode_with_their_view(name: str, kind: str, total: int | None) -> None:
    result = codec.decode_load_result(vector(name))
    assert isinstance(result, hl.PlaylistResult)
    view = hl.LavaSrcPlaylistInfo.of(result)
    assert view is not None
    assert (view.type, view.total_tracks, view.author) == (kind, total, "Architects")
    assert hl.LavaSrcPlaylistInfo.of(result.data) == view
    assert hl.LavaSrcTrackInfo.of(result.tracks[0]) is not None


def test_the_config_vector_round_trips_through_the_typed_request() -> None:
    raw = json.loads(vector("lavasrc-config-patch-request.json"))
    config = msgspec.convert(raw, hl.LavaSrcConfig)
    route = lavasrc.update_config(config)
    assert (route.method, route.path) == ("PATCH", "/v4/lavasrc/config")
    assert route.body is not None
    assert json.loads(route.body) == raw  # appleMusic, mediaAPIToken, preferV1SearchApi...
    shown = repr(config) + repr(route)
    for secret in ("your client secret", "your sp dc cookie", "your apple music api token"):
        assert secret not in shown
    for secret in ("your deezer arl", "your access token", "your user token", "your app Secret"):
        assert secret not in shown
    assert "client_id='your client id'" in shown


@pytest.mark.parametrize(
    ("name", "tracks", "texts"),
    [
        ("lavasearch-loadsearch.json", 1, 0),
        ("lavasearch-loadsearch-texts-only.json", 0, 3),
        ("lavasearch-loadsearch-readme.json", 1, 1),
    ],
)
def test_loadsearch_vectors_decode(name: str, tracks: int, texts: int) -> None:
    result = lavasearch.load_search("spsearch:x").parse(vector(name))
    assert result is not None
    assert (len(result.tracks), len(result.texts)) == (tracks, texts)
    for playlist in (*result.albums, *result.artists, *result.playlists):
        assert playlist.tracks == []
    if name == "lavasearch-loadsearch.json":
        assert hl.LavaSrcPlaylistInfo.of(result.albums[0]) is not None
        assert hl.LavaSrcTrackInfo.of(result.tracks[0]) is not None
        assert decode_track_blob(result.tracks[0].encoded).title == "Animals"
    # the README's blob is not a decodable track: only its JSON is read (see the reference)


def test_youtube_vectors_decode() -> None:
    config = youtube.get_config().parse(vector("youtube-config-response.json"))
    assert config == hl.YoutubeConfig(refresh_token=None)
    token = youtube.oauth_token("1//refresh").parse(vector("youtube-oauth-response.json"))
    assert (token.access_token, token.expires_in) == ("AccessToken", 69420)
    assert "'AccessToken'" not in repr(token)  # the class name aside
    raw = json.loads(vector("youtube-config-request.json"))
    update = msgspec.convert(raw, hl.YoutubeConfigUpdate)
    assert json.loads(codec.encode(update)) == raw
    assert "your po_token" not in repr(update)
    assert "your new refresh token" not in repr(update)
    request = codec.decode_update_player(
        vector("youtube-update-player-request-oauth-userData.json")
    )
    assert isinstance(request.track, hl.UpdatePlayerTrack)
    assert "ya29" not in repr(request)


def test_a_track_repr_hides_the_oauth_token_but_keeps_it() -> None:
    track = hl.with_oauth_token(factories.make_track(source_name="youtube"), "ya29.secret")
    assert track.user_data["oauth-token"] == "ya29.secret"
    assert youtube.oauth_token_of(track) == "ya29.secret"
    assert "ya29.secret" not in repr(track)
    assert "ya29.secret" not in repr(dict(track.__rich_repr__()))
    assert "[REDACTED]" in repr(track)
    player = factories.make_player(1, track=track)
    assert "ya29.secret" not in repr(player)
    with pytest.raises(hl.UsageError):
        hl.with_oauth_token(track, "")


def test_other_tracks_have_no_lavasrc_view() -> None:
    assert hl.LavaSrcTrackInfo.of(factories.make_track(plugin_info={"probeInfo": "mp3"})) is None
    assert hl.LavaSrcPlaylistInfo.of(factories.make_playlist("mix", [])) is None


@pytest.mark.parametrize(
    "plugin_info",
    [
        {"albumName": 5, "isPreview": False},
        {"isPreview": "yes"},
        {"albumUrl": ["x"], "isPreview": False, "isLocal": "no"},
    ],
)
def test_a_malformed_track_plugin_info_reads_as_none_with_a_warning(
    plugin_info: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    track = factories.make_track(title="Odd", plugin_info=plugin_info)
    with caplog.at_level(logging.WARNING, "hikari_lavalink.plugins"):
        assert hl.LavaSrcTrackInfo.of(track) is None
    assert "'odd'" in caplog.text
    assert "does not fit" in caplog.text


def test_a_playlist_of_an_unknown_type_reads_as_none_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = factories.make_playlist("Mix", [], plugin_info={"type": "mix", "totalTracks": "9"})
    with caplog.at_level(logging.WARNING, "hikari_lavalink.plugins"):
        assert hl.LavaSrcPlaylistInfo.of(result) is None
    assert "'Mix'" in caplog.text


def test_config_pairs_and_empty_updates_are_refused() -> None:
    with pytest.raises(hl.UsageError, match="client_id and client_secret"):
        lavasrc.SpotifyConfig(client_id="id")
    with pytest.raises(hl.UsageError, match="app_id and app_secret"):
        lavasrc.QobuzConfig(app_secret="s")
    with pytest.raises(hl.UsageError, match="sets nothing"):
        hl.LavaSrcConfig()
    with pytest.raises(TypeError):
        lavasrc.YtdlpConfig()  # type: ignore[call-arg] # searchLimit is required
    with pytest.raises(hl.UsageError, match="go together"):
        hl.YoutubeConfigUpdate(po_token="", visitor_data="v")


def test_loadsearch_routes_and_bad_input() -> None:
    route = lavasearch.load_search("spsearch:a b", types=["track", "track", "text"])
    assert route.url == "/v4/loadsearch?query=spsearch%3Aa%20b&types=track%2Ctext"
    assert lavasearch.load_search("spsearch:x").query == (("query", "spsearch:x"),)
    assert route.parse(b"") is None  # 204
    with pytest.raises(hl.UsageError, match="unknown LavaSearch types"):
        lavasearch.load_search("spsearch:x", types=["song"])  # type: ignore[list-item]
    with pytest.raises(hl.UsageError, match="blank"):
        lavasearch.load_search("  ")
    with pytest.raises(hl.RemoteProtocolError, match="loadsearch result"):
        route.parse(b'{"tracks": {"not": "a list"}}')
    with pytest.raises(hl.RemoteProtocolError):
        route.parse(b"<html>")


def test_the_oauth_route_redacts_its_refresh_token() -> None:
    route = youtube.oauth_token("1//secret-refresh")
    assert route.path == "/youtube/oauth/1%2F%2Fsecret-refresh"
    assert "secret-refresh" not in repr(route)
    assert route.shown_path == "/youtube/oauth/[REDACTED]"
    body = json.dumps(
        {
            "status": 500,
            "message": "Failed for 1//secret-refresh",
            "path": "/youtube/oauth/1%2F%2Fsecret-refresh",
        }
    ).encode()
    with pytest.raises(hl.RestError) as caught:
        routes.parse_response(route, 500, body)
    error = caught.value
    assert "secret-refresh" not in f"{error} {error.path} {error.body!r}"


def test_lavasrc_prefixes() -> None:
    from hikari_lavalink.protocol import search

    deezer = factories.make_lavasrc_track(source_name="deezer", identifier="1090538082")
    assert search.recommendations(deezer) == "dzrec:1090538082"
    spotify = factories.make_lavasrc_track(identifier="0eG08c")
    assert search.recommendations(spotify) == "sprec:mix:track:0eG08c"
    assert search.recommendations("artist=27", "deezer") == "dzrec:artist=27"
    assert search.recommendations("42", "tidal") == "tdrec:42"
    assert search.preview("https://www.deezer.com/track/1", "deezer") == (
        "dzprev:https://www.deezer.com/track/1"
    )
    assert search.isrc("USEP42058010", "qobuz") == "qbisrc:USEP42058010"
    assert search.required_source("ymrec:1") == "yandexmusic"
    assert search.required_source("https://open.spotify.com/track/x") is None
    assert search.required_source("ytsearch:x") is None
    with pytest.raises(hl.UsageError, match="seeds no LavaSrc recommendations"):
        search.recommendations(factories.make_track(source_name="youtube"))
    with pytest.raises(hl.UsageError, match="needs its source"):
        search.recommendations("42")
    with pytest.raises(hl.UsageError, match="has no previews"):
        search.preview("x", "tidal")  # type: ignore[arg-type]
