"""Every file in tests/vectors (a copy of ../shared/lavalink-vectors) is decoded and checked.

Snowflakes are ``int``. Eight vectors carry the docs placeholder ``"..."`` where a snowflake
belongs (``guildId`` of the WebSocket events and ``voice.channelId`` of the players); a
real server never sends that, and the decoders reject it with ``RemoteProtocolError``
naming the path. For those files the test checks that error *and* decodes the same bytes
with the placeholder replaced by a real snowflake, checking every field.
"""

from __future__ import annotations

import json
import pathlib
import typing

import pytest
from tests.conftest import VECTORS, load_vector

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, routeplanner

RICK = (
    "QAAAjQIAJVJpY2sgQXN0bGV5IC0gTmV2ZXIgR29ubmEgR2l2ZSBZb3UgVXAADlJpY2tBc3RsZXlWRVZPAAAAAAADPCAAC2"
    "RRdzR3OVdnWGNRAAEAK2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9ZFF3NHc5V2dYY1EAB3lvdXR1YmUAAAAA"
    "AAAAAA=="
)
ARCHITECTS = (  # from Lavalink's docs/api/Insomnia.json
    "QAAAgQIAGEFyY2hpdGVjdHMgLSAiZGVlcCBmYWtlIgAPRXBpdGFwaCBSZWNvcmRzAAAAAAADQ/AAC1RuQ1VKVlBRSDNJAAEA"
    "K2h0dHBzOi8vd3d3LnlvdXR1YmUuY29tL3dhdGNoP3Y9VG5DVUpWUFFIM0kAB3lvdXR1YmUAAAAAAAAAAA=="
)
SNOWFLAKE = 817327181659111454
SHARED_VECTORS = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "lavalink-vectors"


def fix(name: str, key: str) -> bytes:
    """The vector with the '...' placeholder of ``key`` replaced by a real snowflake."""
    data = load_vector(name).decode()
    placeholder = f'"{key}": "..."'
    assert data.count(placeholder) == 1
    return data.replace(placeholder, f'"{key}": "{SNOWFLAKE}"').encode()


def check_rick(track: hl.Track, *, artwork: bool = True) -> None:
    assert track.encoded == RICK
    info = track.info
    assert info.identifier == "dQw4w9WgXcQ"
    assert info.is_seekable
    assert info.author == "RickAstleyVEVO"
    assert info.length == 212000
    assert not info.is_stream
    assert info.position == 0
    assert info.title == "Rick Astley - Never Gonna Give You Up"
    assert info.uri == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert info.source_name == "youtube"
    assert info.isrc is None
    if artwork:
        assert info.artwork_url == "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg"
    else:
        assert info.artwork_url is None
    assert track.plugin_info == {}
    assert track.user_data == {}


def check_full_filters(filters: hl.Filters, *, plugin: bool) -> None:
    assert filters.volume == 1.0
    assert filters.equalizer == [hl.Band(band=0, gain=0.2)]
    assert filters.karaoke == hl.Karaoke()
    assert filters.timescale == hl.Timescale()
    assert filters.tremolo == hl.Tremolo()
    assert filters.vibrato == hl.Vibrato()
    assert filters.rotation == hl.Rotation(rotation_hz=0.0)
    assert filters.distortion == hl.Distortion()
    assert filters.channel_mix == hl.ChannelMix()
    assert filters.low_pass == hl.LowPass(smoothing=20.0)
    if plugin:
        assert filters.plugin_filters == {"myPlugin": {"myPluginKey": "myPluginValue"}}


def check_stats(stats: hl.Stats) -> None:
    assert (stats.players, stats.playing_players, stats.uptime) == (1, 1, 123456789)
    assert stats.memory == hl.Memory(
        free=123456789, used=123456789, allocated=123456789, reservable=123456789
    )
    assert stats.cpu == hl.Cpu(cores=4, system_load=0.5, lavalink_load=0.5)


def check_player(player: hl.PlayerModel) -> None:
    assert player.guild_id == 123
    assert player.track is not None
    check_rick(player.track, artwork=False)
    assert (player.volume, player.paused) == (100, False)
    assert player.state == hl.PlayerState(time=1, position=1, connected=True, ping=10)
    assert player.voice == hl.VoiceState(
        token="...", endpoint="...", session_id="...", channel_id=SNOWFLAKE
    )
    check_full_filters(player.filters, plugin=False)


# -- one check per file --------------------------------------------------------------------


def v_encoded_tracks_decoded() -> None:
    items: list[dict[str, typing.Any]] = json.loads(load_vector("encoded-tracks-decoded.json"))
    assert isinstance(items, list)
    assert [item["encoded"] for item in items] == [RICK, ARCHITECTS]
    assert json.loads(load_vector("rest-decodetrack.json"))["encoded"] == items[0]["encoded"]


def v_decodetrack() -> None:
    check_rick(codec.decode_track(load_vector("rest-decodetrack.json")))


def v_decodetracks_request() -> None:
    assert json.loads(load_vector("rest-decodetracks-request.json")) == [RICK]


def v_decodetracks() -> None:
    tracks = codec.decode_tracks(load_vector("rest-decodetracks.json"))
    assert len(tracks) == 1
    check_rick(tracks[0])


def v_error_400_voice() -> None:
    body = codec.decode_error_body(load_vector("rest-error-400-voice.json"))
    assert body is not None
    assert (body.status, body.error, body.trace) == (400, "Bad Request", None)
    assert (
        body.message == "token, endpoint, sessionId and channelId must be provided in voice state"
    )
    assert body.path == "/v4/sessions/xtaug914v9k5032f/players/817327181659111454"
    assert body.timestamp == 1667857581613


def v_error() -> None:
    body = codec.decode_error_body(load_vector("rest-error.json"))
    assert body is not None
    assert body == hl.ErrorBody(
        timestamp=1667857581613,
        status=404,
        error="Not Found",
        trace="...",
        message="Session not found",
        path="/v4/sessions/xtaug914v9k5032f/players/817327181659111454",
    )


def v_filters() -> None:
    filters = codec.decode_update_player(b'{"filters": %s}' % load_vector("rest-filters.json"))
    assert isinstance(filters.filters, hl.Filters)
    check_full_filters(filters.filters, plugin=True)


def v_info() -> None:
    info = codec.decode_info(load_vector("rest-info.json"))
    assert info.version == hl.Version(
        semver="3.7.0-rc.1", major=3, minor=7, patch=0, pre_release="rc.1"
    )
    assert info.build_time == 1664223916812
    assert (info.git.branch, info.git.commit, info.git.commit_time) == (
        "master",
        "85c5ab5",
        1664223916812,
    )
    assert (info.jvm, info.lavaplayer) == ("18.0.2.1", "1.3.98.4-original")
    assert info.source_managers == ["youtube", "soundcloud"]
    assert info.filters == ["equalizer", "karaoke", "timescale", "channelMix"]
    assert [(p.name, p.version) for p in info.plugins] == [
        ("some-plugin", "1.0.0"),
        ("foo-plugin", "1.2.3"),
    ]


def v_loadtracks_empty() -> None:
    result = hl.decode_load_result(load_vector("rest-loadtracks-empty.json"))
    assert isinstance(result, hl.EmptyResult)
    assert result.data is None
    assert result.tracks == []


def v_loadtracks_error() -> None:
    result = hl.decode_load_result(load_vector("rest-loadtracks-error.json"))
    assert isinstance(result, hl.ErrorResult)
    assert result.data.severity == hl.Severity.COMMON
    assert result.data.message == "The uploader has not made this video available in your country."
    assert result.data.cause.startswith("com.sedmelluq.discord.lavaplayer.tools.FriendlyException")
    assert result.data.cause_stack_trace is not None
    assert result.data.cause_stack_trace.endswith("blabla")
    assert result.tracks == []


def v_loadtracks_playlist() -> None:
    result = hl.decode_load_result(load_vector("rest-loadtracks-playlist.json"))
    assert isinstance(result, hl.PlaylistResult)
    assert result.data.info == hl.PlaylistInfo(name="Example YouTube Playlist", selected_track=3)
    assert result.data.plugin_info == {}
    assert result.tracks == []


def v_loadtracks_search_emptylist() -> None:
    result = hl.decode_load_result(load_vector("rest-loadtracks-search-emptylist.json"))
    assert isinstance(result, hl.SearchResult)
    assert result.tracks == []


def v_loadtracks_search() -> None:
    result = hl.decode_load_result(load_vector("rest-loadtracks-search.json"))
    assert isinstance(result, hl.SearchResult)
    assert len(result.tracks) == 1
    check_rick(result.tracks[0])


def v_loadtracks_track() -> None:
    result = hl.decode_load_result(load_vector("rest-loadtracks-track.json"))
    assert isinstance(result, hl.TrackResult)
    check_rick(result.data)
    assert result.tracks == [result.data]


def v_player_idle() -> None:
    player = codec.decode_player(load_vector("rest-player-idle.json"))
    assert player.guild_id == 817327181659111454
    assert player.track is None
    assert (player.volume, player.paused) == (100, False)
    assert player.state == hl.PlayerState(time=1500467109, position=0, connected=False, ping=-1)
    assert player.voice == hl.VoiceState(token="", endpoint="", session_id="", channel_id=None)
    assert player.filters == hl.Filters()


def v_player() -> None:
    with pytest.raises(hl.RemoteProtocolError, match=r"\$\.voice\.channelId"):
        codec.decode_player(load_vector("rest-player.json"))
    check_player(codec.decode_player(fix("rest-player.json", "channelId")))


def v_players() -> None:
    with pytest.raises(hl.RemoteProtocolError, match=r"\$\[0\]\.voice\.channelId"):
        codec.decode_players(load_vector("rest-players.json"))
    players = codec.decode_players(fix("rest-players.json", "channelId"))
    assert len(players) == 1
    check_player(players[0])


def v_routeplanner_free_address_request() -> None:
    assert json.loads(load_vector("rest-routeplanner-free-address-request.json")) == {
        "address": "1.0.0.1"
    }


def _check_planner_common(
    details: routeplanner.BalancingIpDetails | routeplanner.RotatingNanoIpDetails,
) -> None:
    assert details.ip_block == routeplanner.IpBlock(
        type="Inet6Address", size="1208925819614629174706176"
    )
    assert details.failing_addresses == [
        routeplanner.FailingAddress(
            failing_address="/1.0.0.0",
            failing_timestamp=1573520707545,
            failing_time="Mon Nov 11 20:05:07 EST 2019",
        )
    ]


def v_routeplanner_balancing() -> None:
    status = codec.decode_route_planner_status(
        load_vector("rest-routeplanner-status-BalancingIpRoutePlanner.json")
    )
    assert isinstance(status, routeplanner.BalancingIpRoutePlanner)
    _check_planner_common(status.details)


def v_routeplanner_rotating_nano() -> None:
    status = codec.decode_route_planner_status(
        load_vector("rest-routeplanner-status-RotatingNanoIpRoutePlanner.json")
    )
    assert isinstance(status, routeplanner.RotatingNanoIpRoutePlanner)
    _check_planner_common(status.details)
    assert (status.details.block_index, status.details.current_address_index) == (
        "0",
        "36792023813",
    )


def v_session_update_request() -> None:
    update = codec.decode_session_update(load_vector("rest-session-update-request.json"))
    assert update == hl.SessionUpdate(resuming=True, timeout=60)


def v_session() -> None:
    assert codec.decode_session(load_vector("rest-session.json")) == hl.Session(
        resuming=True, timeout=60
    )


def v_stats() -> None:
    raw = load_vector("rest-stats.json")
    assert "frameStats" not in json.loads(raw)  # absent over REST
    stats = codec.decode_stats(raw)
    check_stats(stats)
    assert stats.frame_stats is None


def v_update_player_request_encoded() -> None:
    update = codec.decode_update_player(load_vector("rest-update-player-request-encoded.json"))
    assert update == hl.UpdatePlayer(
        track=hl.UpdatePlayerTrack(encoded=RICK, user_data={"requester": "170939974227541168"}),
        position=0,
        volume=100,
        paused=False,
    )


def v_update_player_request_filters() -> None:
    update = codec.decode_update_player(load_vector("rest-update-player-request-filters.json"))
    assert isinstance(update.filters, hl.Filters)
    check_full_filters(update.filters, plugin=True)


def v_update_player_request_stop() -> None:
    update = codec.decode_update_player(load_vector("rest-update-player-request-stop.json"))
    assert update == hl.UpdatePlayer(track=hl.UpdatePlayerTrack(encoded=None))


def v_update_player_request() -> None:
    update = codec.decode_update_player(load_vector("rest-update-player-request.json"))
    assert update == hl.UpdatePlayer(
        track=hl.UpdatePlayerTrack(identifier="..."),
        end_time=0,
        volume=100,
        position=32400,
        paused=False,
        voice=hl.VoiceUpdate(token="...", endpoint="...", session_id="...", channel_id="..."),
    )


def _check_event(name: str, kind: type[hl.EventMessage]) -> hl.EventMessage:
    with pytest.raises(hl.RemoteProtocolError, match=r"\$\.guildId"):
        hl.decode_message(load_vector(name))
    message = hl.decode_message(fix(name, "guildId"))
    assert isinstance(message, kind)
    assert message.guild_id == SNOWFLAKE
    assert type(message.guild_id) is int
    return message


def v_event_track_end() -> None:
    message = _check_event("ws-event-TrackEndEvent.json", hl.TrackEndMessage)
    assert isinstance(message, hl.TrackEndMessage)
    check_rick(message.track)
    assert message.reason == hl.TrackEndReason.FINISHED
    assert message.may_start_next


def v_event_track_exception() -> None:
    message = _check_event("ws-event-TrackExceptionEvent.json", hl.TrackExceptionMessage)
    assert isinstance(message, hl.TrackExceptionMessage)
    check_rick(message.track)
    assert message.exception == hl.ExceptionInfo(
        message="...", severity="common", cause="...", cause_stack_trace="..."
    )


def v_event_track_start() -> None:
    message = _check_event("ws-event-TrackStartEvent.json", hl.TrackStartMessage)
    assert isinstance(message, hl.TrackStartMessage)
    check_rick(message.track)
    assert message.playing_quality is None  # NodeLink's word; Lavalink gives none


def v_event_track_stuck() -> None:
    message = _check_event("ws-event-TrackStuckEvent.json", hl.TrackStuckMessage)
    assert isinstance(message, hl.TrackStuckMessage)
    check_rick(message.track)
    assert message.threshold_ms == 123456789


def v_event_websocket_closed() -> None:
    message = _check_event("ws-event-WebSocketClosedEvent.json", hl.WebSocketClosedMessage)
    assert message == hl.WebSocketClosedMessage(
        guild_id=SNOWFLAKE, code=4006, reason="Your session is no longer valid.", by_remote=True
    )


def _headers(name: str, *, resume: bool) -> None:
    headers = json.loads(load_vector(name))
    expected = {"Authorization", "User-Id", "Client-Name"}
    if resume:
        expected.add("Session-Id")
    assert set(headers) == expected
    assert headers["Authorization"] == "youshallnotpass"
    assert int(headers["User-Id"]) == 170939974227541168
    assert headers["Client-Name"] == "lavalink-client/2.0.0"
    if resume:
        assert headers["Session-Id"] == "xtaug914v9k5032f"


def v_handshake_request() -> None:
    _headers("ws-handshake-request-headers.json", resume=False)


def v_handshake_request_resume() -> None:
    _headers("ws-handshake-request-headers-resume.json", resume=True)


def v_handshake_response() -> None:
    assert json.loads(load_vector("ws-handshake-response-headers.json")) == {
        "Session-Resumed": "false",
        "Lavalink-Api-Version": "4",
    }


def v_player_update() -> None:
    with pytest.raises(hl.RemoteProtocolError, match=r"\$\.guildId"):
        hl.decode_message(load_vector("ws-playerUpdate.json"))
    message = hl.decode_message(fix("ws-playerUpdate.json", "guildId"))
    assert message == hl.PlayerUpdateMessage(
        guild_id=SNOWFLAKE,
        state=hl.PlayerState(time=1500467109, position=60000, connected=True, ping=50),
    )


def v_ready_resumed() -> None:
    assert hl.decode_message(load_vector("ws-ready-resumed.json")) == hl.ReadyMessage(
        resumed=True, session_id="xtaug914v9k5032f"
    )


def v_ready() -> None:
    assert hl.decode_message(load_vector("ws-ready.json")) == hl.ReadyMessage(
        resumed=False, session_id="..."
    )


def v_stats_null_frame_stats() -> None:
    raw = load_vector("ws-stats-null-frameStats.json")
    assert json.loads(raw)["frameStats"] is None  # present and null on the WS
    message = hl.decode_message(raw)
    assert isinstance(message, hl.StatsMessage)
    check_stats(message)
    assert message.frame_stats is None


def v_stats_ws() -> None:
    message = hl.decode_message(load_vector("ws-stats.json"))
    assert isinstance(message, hl.StatsMessage)
    check_stats(message)
    assert message.frame_stats == hl.FrameStats(sent=6000, nulled=10, deficit=-3010)


def v_readme() -> None:
    text = load_vector("README.md").decode()
    assert "d7d5a542f6d4c045caee5b5ec0a7747918c7cdaf" in text


CHECKS: dict[str, typing.Callable[[], None]] = {
    "README.md": v_readme,
    "encoded-tracks-decoded.json": v_encoded_tracks_decoded,
    "rest-decodetrack.json": v_decodetrack,
    "rest-decodetracks-request.json": v_decodetracks_request,
    "rest-decodetracks.json": v_decodetracks,
    "rest-error-400-voice.json": v_error_400_voice,
    "rest-error.json": v_error,
    "rest-filters.json": v_filters,
    "rest-info.json": v_info,
    "rest-loadtracks-empty.json": v_loadtracks_empty,
    "rest-loadtracks-error.json": v_loadtracks_error,
    "rest-loadtracks-playlist.json": v_loadtracks_playlist,
    "rest-loadtracks-search-emptylist.json": v_loadtracks_search_emptylist,
    "rest-loadtracks-search.json": v_loadtracks_search,
    "rest-loadtracks-track.json": v_loadtracks_track,
    "rest-player-idle.json": v_player_idle,
    "rest-player.json": v_player,
    "rest-players.json": v_players,
    "rest-routeplanner-free-address-request.json": v_routeplanner_free_address_request,
    "rest-routeplanner-status-BalancingIpRoutePlanner.json": v_routeplanner_balancing,
    "rest-routeplanner-status-RotatingNanoIpRoutePlanner.json": v_routeplanner_rotating_nano,
    "rest-session-update-request.json": v_session_update_request,
    "rest-session.json": v_session,
    "rest-stats.json": v_stats,
    "rest-update-player-request-encoded.json": v_update_player_request_encoded,
    "rest-update-player-request-filters.json": v_update_player_request_filters,
    "rest-update-player-request-stop.json": v_update_player_request_stop,
    "rest-update-player-request.json": v_update_player_request,
    "ws-event-TrackEndEvent.json": v_event_track_end,
    "ws-event-TrackExceptionEvent.json": v_event_track_exception,
    "ws-event-TrackStartEvent.json": v_event_track_start,
    "ws-event-TrackStuckEvent.json": v_event_track_stuck,
    "ws-event-WebSocketClosedEvent.json": v_event_websocket_closed,
    "ws-handshake-request-headers-resume.json": v_handshake_request_resume,
    "ws-handshake-request-headers.json": v_handshake_request,
    "ws-handshake-response-headers.json": v_handshake_response,
    "ws-playerUpdate.json": v_player_update,
    "ws-ready-resumed.json": v_ready_resumed,
    "ws-ready.json": v_ready,
    "ws-stats-null-frameStats.json": v_stats_null_frame_stats,
    "ws-stats.json": v_stats_ws,
}


def test_every_vector_has_a_check() -> None:
    files = sorted(path.name for path in VECTORS.iterdir())
    assert files == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_vector(name: str) -> None:
    CHECKS[name]()


@pytest.mark.skipif(not SHARED_VECTORS.is_dir(), reason="../shared/lavalink-vectors not present")
def test_copies_match_shared() -> None:
    shared = {path.name: path.read_bytes() for path in SHARED_VECTORS.iterdir()}
    ours = {path.name: path.read_bytes() for path in VECTORS.iterdir()}
    assert ours == shared
