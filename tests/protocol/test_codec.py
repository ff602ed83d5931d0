"""Decoding edge cases and encoding rules of the protocol codec."""

from __future__ import annotations

import json
import typing

import msgspec
import pytest
from tests.conftest import load_vector

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, routeplanner

LONG_MAX = 2**63 - 1

STREAM = hl.Track(
    encoded="QAAAdwMA" + "A" * 100,
    info=hl.TrackInfo(
        identifier="live",
        is_seekable=False,
        author="Radio",
        length=LONG_MAX,
        is_stream=True,
        position=LONG_MAX,
        title="Live stream",
        uri="https://radio.example/live",
        artwork_url=None,
        isrc=None,
        source_name="http",
    ),
    plugin_info={"plugin": {"x": 1}},
    user_data={"requester": "170939974227541168"},
)
STREAM_JSON: dict[str, typing.Any] = msgspec.to_builtins(STREAM)
STATE_JSON: dict[str, typing.Any] = {"time": 1, "position": 0, "connected": True, "ping": 1}
STATS_JSON: dict[str, typing.Any] = {
    "players": 2,
    "playingPlayers": 1,
    "uptime": 1000,
    "memory": {"free": 1, "used": 2, "allocated": 3, "reservable": 4},
    "cpu": {"cores": 2, "systemLoad": 0, "lavalinkLoad": 0.25},
}


def frame(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def event(kind: str, **fields: object) -> bytes:
    return frame(op="event", type=kind, guildId="42", **fields)


NESTED = "[" * 5_000 + "]" * 5_000
"""JSON nested deeper than msgspec decodes: it raises RecursionError, not a DecodeError."""


class TestDecodeMessage:
    @pytest.mark.parametrize(
        "data",
        [
            NESTED,
            '{"op": "ready", "sessionId": ' + NESTED + "}",
            '{"op": "future", "value": ' + NESTED + "}",
            '{"op": "event", "type": "Plugin", "guildId": "1", "x": ' + NESTED + "}",
        ],
    )
    def test_json_nested_too_deep_is_a_protocol_error(self, data: str) -> None:
        with pytest.raises(hl.RemoteProtocolError):
            hl.decode_message(data)
        with pytest.raises(hl.RemoteProtocolError):
            hl.decode_message(data.encode())

    def test_a_guild_id_of_thousands_of_digits_is_no_guild(self) -> None:
        # int() refuses strings of 4,300+ digits: such an "id" must not reach it.
        message = hl.decode_message(frame(op="future", guildId="9" * 5_000))
        assert isinstance(message, hl.UnknownMessage)
        assert message.guild_id is None

    def test_ready(self) -> None:
        assert hl.decode_message(frame(op="ready", resumed=False, sessionId="abc")) == (
            hl.ReadyMessage(resumed=False, session_id="abc")
        )

    def test_player_update_with_long_max_position(self) -> None:
        state = {"time": 1, "position": LONG_MAX, "connected": True, "ping": 3}
        message = hl.decode_message(frame(op="playerUpdate", guildId="42", state=state))
        assert message == hl.PlayerUpdateMessage(
            guild_id=42, state=hl.PlayerState(time=1, position=LONG_MAX, connected=True, ping=3)
        )

    def test_player_update_ping_defaults_to_minus_one(self) -> None:
        state = {"time": 1, "position": 0, "connected": False}
        message = hl.decode_message(frame(op="playerUpdate", guildId="42", state=state))
        assert isinstance(message, hl.PlayerUpdateMessage)
        assert message.state.ping == -1

    @pytest.mark.parametrize(
        ("frame_stats", "expected"),
        [
            (msgspec.UNSET, None),
            (None, None),
            ({"sent": 1, "nulled": 2, "deficit": -3}, hl.FrameStats(sent=1, nulled=2, deficit=-3)),
        ],
        ids=["absent", "null", "present"],
    )
    def test_stats(self, frame_stats: object, expected: hl.FrameStats | None) -> None:
        payload = {"op": "stats", **STATS_JSON}
        if frame_stats is not msgspec.UNSET:
            payload["frameStats"] = frame_stats
        message = hl.decode_message(json.dumps(payload))
        assert message == hl.StatsMessage(
            players=2,
            playing_players=1,
            uptime=1000,
            memory=hl.Memory(free=1, used=2, allocated=3, reservable=4),
            cpu=hl.Cpu(cores=2, system_load=0.0, lavalink_load=0.25),
            frame_stats=expected,
        )

    def test_track_start(self) -> None:
        message = hl.decode_message(event("TrackStartEvent", track=STREAM_JSON))
        assert message == hl.TrackStartMessage(guild_id=42, track=STREAM)
        assert isinstance(message, hl.TrackStartMessage)
        assert message.track.info.length == LONG_MAX
        assert message.track.info.position == LONG_MAX

    def test_track_end(self) -> None:
        message = hl.decode_message(event("TrackEndEvent", track=STREAM_JSON, reason="stopped"))
        assert message == hl.TrackEndMessage(guild_id=42, track=STREAM, reason="stopped")

    def test_track_exception(self) -> None:
        exception = {"message": None, "severity": "fault", "cause": "x", "causeStackTrace": "st"}
        message = hl.decode_message(
            event("TrackExceptionEvent", track=STREAM_JSON, exception=exception)
        )
        assert message == hl.TrackExceptionMessage(
            guild_id=42,
            track=STREAM,
            exception=hl.ExceptionInfo(
                message=None, severity="fault", cause="x", cause_stack_trace="st"
            ),
        )

    def test_track_exception_before_4_1_has_no_stack_trace(self) -> None:
        exception = {"message": "m", "severity": "suspicious", "cause": "x"}
        message = hl.decode_message(
            event("TrackExceptionEvent", track=STREAM_JSON, exception=exception)
        )
        assert isinstance(message, hl.TrackExceptionMessage)
        assert message.exception.cause_stack_trace is None
        assert message.exception.severity == hl.Severity.SUSPICIOUS

    def test_track_stuck(self) -> None:
        message = hl.decode_message(event("TrackStuckEvent", track=STREAM_JSON, thresholdMs=10))
        assert message == hl.TrackStuckMessage(guild_id=42, track=STREAM, threshold_ms=10)

    def test_websocket_closed(self) -> None:
        message = hl.decode_message(
            event("WebSocketClosedEvent", code=4014, reason="", byRemote=False)
        )
        assert message == hl.WebSocketClosedMessage(
            guild_id=42, code=4014, reason="", by_remote=False
        )
        message = hl.decode_message(
            event("WebSocketClosedEvent", code=4017, reason="E2EE required", byRemote=True)
        )
        assert message == hl.WebSocketClosedMessage(
            guild_id=42, code=4017, reason="E2EE required", by_remote=True
        )

    @pytest.mark.parametrize(
        ("reason", "may_start_next"),
        [
            ("finished", True),
            ("loadFailed", True),
            ("stopped", False),
            ("replaced", False),
            ("cleanup", False),
            ("someFutureReason", False),
        ],
    )
    def test_may_start_next(self, reason: str, may_start_next: bool) -> None:
        message = hl.decode_message(event("TrackEndEvent", track=STREAM_JSON, reason=reason))
        assert isinstance(message, hl.TrackEndMessage)
        assert message.reason == reason
        assert message.may_start_next is may_start_next

    def test_unknown_op(self) -> None:
        assert hl.decode_message('{"op":"lyrics","x":[1]}') == hl.UnknownMessage(
            op="lyrics", payload={"op": "lyrics", "x": [1]}
        )
        assert hl.decode_message('{"op":"lyrics","guildId":"7"}') == hl.UnknownMessage(
            op="lyrics", guild_id=7, payload={"op": "lyrics", "guildId": "7"}
        )

    def test_unknown_event_type(self) -> None:
        # A plugin's event the library has no type for (SponsorBlock's and LavaLyrics' have).
        message = hl.decode_message(event("MarkersLoaded", markers=[]))
        assert message == hl.UnknownMessage(
            op="event",
            type="MarkersLoaded",
            guild_id=42,
            payload={"op": "event", "type": "MarkersLoaded", "guildId": "42", "markers": []},
        )

    def test_unknown_event_type_reusing_known_field_names(self) -> None:
        # A plugin event may use "track" or "code" with another shape: still not an error.
        data = event("MarkerStarted", track=5, code="x", reason=[1])
        message = hl.decode_message(data)
        assert isinstance(message, hl.UnknownMessage)
        assert (message.op, message.type, message.guild_id) == ("event", "MarkerStarted", 42)
        assert message.payload == json.loads(data)

    @pytest.mark.parametrize("guild_id", ["not-a-number", 42, None, ""])
    def test_unknown_message_without_snowflake_guild_id(self, guild_id: object) -> None:
        message = hl.decode_message(frame(op="event", type="X", guildId=guild_id))
        assert isinstance(message, hl.UnknownMessage)
        assert message.guild_id is None
        assert message.type == "X"

    def test_unknown_message_with_superscript_digit_guild_id(self) -> None:
        message = hl.decode_message(frame(op="x", guildId="\u00b2"))
        assert isinstance(message, hl.UnknownMessage)
        assert message.guild_id is None

    def test_unknown_message_with_non_ascii_digit_guild_id(self) -> None:
        arabic_indic = "\u0661\u0662\u0663"
        with pytest.raises(hl.RemoteProtocolError):  # a known message rejects it ...
            hl.decode_message(frame(op="playerUpdate", guildId=arabic_indic, state=STATE_JSON))
        message = hl.decode_message(frame(op="x", guildId=arabic_indic))
        assert isinstance(message, hl.UnknownMessage)
        assert message.guild_id is None  # ... so an unknown one should not read it as 123

    def test_unknown_keys_are_ignored(self) -> None:
        message = hl.decode_message(
            '{"op":"ready","resumed":true,"sessionId":"a","future":{"x":1},"more":[]}'
        )
        assert message == hl.ReadyMessage(resumed=True, session_id="a")
        info: dict[str, object] = {**STREAM_JSON["info"], "chapters": []}
        track: dict[str, object] = {**STREAM_JSON, "newField": 1, "info": info}
        end = hl.decode_message(event("TrackEndEvent", track=track, reason="finished", extra=2))
        assert end == hl.TrackEndMessage(guild_id=42, track=STREAM, reason="finished")

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param(b"", id="empty"),
            pytest.param(b"not json", id="not-json"),
            pytest.param(b"\xff\xfe", id="not-utf8"),
            pytest.param(b"[1, 2]", id="array"),
            pytest.param(b'"ready"', id="string"),
            pytest.param(b"42", id="number"),
            pytest.param(b"null", id="null"),
            pytest.param(b"{}", id="missing-op"),
            pytest.param(b'{"op": 5}', id="int-op"),
            pytest.param(b'{"op": null}', id="null-op"),
            pytest.param(b'{"op": 5, ', id="bad-op-then-truncated"),
            pytest.param(b'{"op": "ready", "resumed": true', id="truncated"),
            pytest.param(b'{"op": "ready"}', id="ready-missing-fields"),
            pytest.param(b'{"op": "ready", "resumed": "yes", "sessionId": "a"}', id="ready-bad"),
            pytest.param(b'{"op": "playerUpdate", "guildId": "1"}', id="update-no-state"),
            pytest.param(
                b'{"op": "playerUpdate", "guildId": "...", "state": '
                b'{"time": 1, "position": 1, "connected": true}}',
                id="update-placeholder-guild",
            ),
            pytest.param(b'{"op": "stats", "players": 1}', id="stats-incomplete"),
            pytest.param(b'{"op": "event", "guildId": "1"}', id="event-no-type"),
            pytest.param(b'{"op": "event", "type": 3, "guildId": "1"}', id="event-int-type"),
            pytest.param(b'{"op": "event", "type": "TrackStartEvent"}', id="event-no-guild"),
        ],
    )
    def test_bad_frames_raise_remote_protocol_error(self, data: bytes) -> None:
        with pytest.raises(hl.RemoteProtocolError) as info:
            hl.decode_message(data)
        assert info.value.data == data

    @pytest.mark.parametrize(
        ("kind", "fields"),
        [
            ("TrackStartEvent", {}),
            ("TrackStartEvent", {"track": None}),
            ("TrackEndEvent", {"track": STREAM_JSON}),
            ("TrackEndEvent", {"reason": "finished"}),
            ("TrackExceptionEvent", {"track": STREAM_JSON}),
            ("TrackStuckEvent", {"track": STREAM_JSON}),
            ("WebSocketClosedEvent", {"reason": "x", "byRemote": True}),
            ("TrackStartEvent", {"track": 5}),
            ("TrackStuckEvent", {"track": STREAM_JSON, "thresholdMs": "soon"}),
            ("WebSocketClosedEvent", {"code": "x"}),
        ],
    )
    def test_known_event_with_wrong_schema_raises(
        self, kind: str, fields: dict[str, object]
    ) -> None:
        data = event(kind, **fields)
        with pytest.raises(hl.RemoteProtocolError, match=kind) as info:
            hl.decode_message(data)
        assert info.value.data == data

    def test_error_names_the_path(self) -> None:
        with pytest.raises(hl.RemoteProtocolError, match=r"\$\.state\.position"):
            hl.decode_message(
                b'{"op":"playerUpdate","guildId":"1","state":'
                b'{"time":1,"position":"x","connected":true}}'
            )

    def test_str_and_bytes_give_the_same_message(self) -> None:
        data = event("TrackEndEvent", track=STREAM_JSON, reason="finished")
        assert hl.decode_message(data) == hl.decode_message(data.decode())
        with pytest.raises(hl.RemoteProtocolError) as info:
            hl.decode_message("[]")
        assert info.value.data == b"[]"

    def test_snowflakes_are_ints(self) -> None:
        message = hl.decode_message(
            frame(
                op="playerUpdate",
                guildId="817327181659111454",
                state={"time": 1, "position": 0, "connected": True, "ping": 1},
            )
        )
        assert isinstance(message, hl.PlayerUpdateMessage)
        assert message.guild_id == 817327181659111454
        assert type(message.guild_id) is int

    @pytest.mark.parametrize(
        "data", ["\ud800", '{"op":"ready","resumed":true,"sessionId":"\udc80"}']
    )
    def test_str_with_lone_surrogate(self, data: str) -> None:
        with pytest.raises(hl.RemoteProtocolError):
            hl.decode_message(data)


class TestLoadResults:
    @pytest.mark.parametrize(
        "data",
        [
            b'{"loadType":"empty","data":null}',
            b'{"loadType":"empty","data":{}}',
            b'{"loadType":"empty"}',
        ],
        ids=["null", "object", "absent"],
    )
    def test_empty_accepts_null_and_object(self, data: bytes) -> None:
        result = hl.decode_load_result(data)
        assert isinstance(result, hl.EmptyResult)
        assert result.tracks == []

    def test_track_search_playlist_error(self) -> None:
        track = hl.decode_load_result(frame(loadType="track", data=STREAM_JSON))
        assert track == hl.TrackResult(data=STREAM)
        search = hl.decode_load_result(frame(loadType="search", data=[STREAM_JSON] * 2))
        assert search == hl.SearchResult(data=[STREAM, STREAM])
        playlist = hl.decode_load_result(
            frame(
                loadType="playlist",
                data={"info": {"name": "P", "selectedTrack": 1}, "tracks": [STREAM_JSON]},
            )
        )
        assert playlist == hl.PlaylistResult(
            data=hl.Playlist(info=hl.PlaylistInfo(name="P", selected_track=1), tracks=[STREAM])
        )
        error = hl.decode_load_result(
            frame(
                loadType="error",
                data={"message": None, "severity": "fault", "cause": "java.lang.Oops"},
            )
        )
        assert error == hl.ErrorResult(
            data=hl.ExceptionInfo(message=None, severity="fault", cause="java.lang.Oops")
        )

    def test_str_and_bytes(self) -> None:
        raw = load_vector("rest-loadtracks-search.json")
        assert hl.decode_load_result(raw) == hl.decode_load_result(raw.decode())

    def test_round_trip_through_encode(self) -> None:
        result = hl.PlaylistResult(
            data=hl.Playlist(info=hl.PlaylistInfo(name="P"), tracks=[STREAM, STREAM])
        )
        assert hl.decode_load_result(hl.encode(result)) == result

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"{}",
            b"[]",
            b'{"loadType":"other","data":1}',
            b'{"loadType":"track","data":[]}',
            b'{"loadType":"search","data":{}}',
            b'{"loadType":"error","data":null}',
            b'{"loadType":"track","data":{"encoded":"x"}',
        ],
    )
    def test_bad_results_raise(self, data: bytes) -> None:
        with pytest.raises(hl.RemoteProtocolError, match="invalid load result") as info:
            hl.decode_load_result(data)
        assert info.value.data == data


def info_json(**version: object) -> bytes:
    return json.dumps(
        {
            "version": {"semver": "4.2.2", "major": 4, "minor": 2, "patch": 2, **version},
            "buildTime": 1,
            "git": {"branch": "", "commit": "", "commitTime": 0},
            "jvm": "21",
            "lavaplayer": "2.2.6",
            "sourceManagers": [],
            "filters": [],
            "plugins": [],
        }
    ).encode()


class TestOtherDecoders:
    @pytest.mark.parametrize(
        ("decode", "data"),
        [
            (codec.decode_load_result, '{"data": ' + NESTED + "}"),
            (codec.decode_track, '{"extra": ' + NESTED + "}"),
            (codec.decode_players, '[{"extra": ' + NESTED + "}]"),
            (codec.decode_info, '{"extra": ' + NESTED + "}"),
            (codec.decode_stats, '{"extra": ' + NESTED + "}"),
            (codec.decode_route_planner_status, '{"details": ' + NESTED + "}"),
        ],
    )
    def test_json_nested_too_deep_is_a_protocol_error(
        self, decode: typing.Callable[[str], object], data: str
    ) -> None:
        with pytest.raises(hl.RemoteProtocolError, match="nested too deep"):
            decode(data)

    def test_an_error_body_nested_too_deep_is_no_body(self) -> None:
        assert codec.decode_error_body('{"message": ' + NESTED + "}") is None

    @pytest.mark.parametrize(("pre", "expected"), [("", ""), (None, None)])
    def test_pre_release_empty_or_null(self, pre: str | None, expected: str | None) -> None:
        info = codec.decode_info(info_json(preRelease=pre))
        assert info.version.pre_release == expected
        assert not info.version.pre_release
        assert info.version.build is None

    def test_version_with_build(self) -> None:
        info = codec.decode_info(info_json(preRelease=None, build="test"))
        assert info.version == hl.Version(
            semver="4.2.2", major=4, minor=2, patch=2, pre_release=None, build="test"
        )

    def test_rest_stats_without_and_with_null_frame_stats(self) -> None:
        without = codec.decode_stats(json.dumps(STATS_JSON))
        with_null = codec.decode_stats(json.dumps({**STATS_JSON, "frameStats": None}))
        assert without.frame_stats is None
        assert without == with_null

    @pytest.mark.parametrize(
        ("decode", "name"),
        [
            (codec.decode_track, "rest-decodetrack.json"),
            (codec.decode_tracks, "rest-decodetracks.json"),
            (codec.decode_player, "rest-player-idle.json"),
            (codec.decode_info, "rest-info.json"),
            (codec.decode_stats, "rest-stats.json"),
            (codec.decode_session, "rest-session.json"),
            (codec.decode_session_update, "rest-session-update-request.json"),
            (codec.decode_update_player, "rest-update-player-request.json"),
            (
                codec.decode_route_planner_status,
                "rest-routeplanner-status-BalancingIpRoutePlanner.json",
            ),
            (codec.decode_error_body, "rest-error.json"),
        ],
    )
    def test_str_and_bytes(self, decode: typing.Callable[[bytes | str], object], name: str) -> None:
        raw = load_vector(name)
        assert decode(raw) is not None
        assert decode(raw) == decode(raw.decode())

    @pytest.mark.parametrize(
        ("decode", "what"),
        [
            (codec.decode_track, "track"),
            (codec.decode_tracks, "track list"),
            (codec.decode_player, "player"),
            (codec.decode_players, "player list"),
            (codec.decode_info, "info"),
            (codec.decode_stats, "stats"),
            (codec.decode_session, "session"),
            (codec.decode_session_update, "session update"),
            (codec.decode_update_player, "player update"),
            (codec.decode_route_planner_status, "route planner status"),
        ],
    )
    @pytest.mark.parametrize(
        "data", [b"", b"nope", b'{"x":', b"1", b'{"resuming": [], "volume": [], "class": 1}']
    )
    def test_bad_bodies_raise(
        self, decode: typing.Callable[[bytes | str], object], what: str, data: bytes
    ) -> None:
        with pytest.raises(hl.RemoteProtocolError, match=f"invalid {what}") as info:
            decode(data)
        assert info.value.data == data

    def test_route_planner_other_classes(self) -> None:
        block = {"type": "Inet4Address", "size": "256"}
        rotating = codec.decode_route_planner_status(
            frame(
                **{"class": "RotatingIpRoutePlanner"},
                details={
                    "ipBlock": block,
                    "failingAddresses": [],
                    "rotateIndex": "1",
                    "ipIndex": "2",
                    "currentAddress": "/1.2.3.4",
                },
            )
        )
        assert isinstance(rotating, routeplanner.RotatingIpRoutePlanner)
        assert rotating.details.current_address == "/1.2.3.4"
        assert rotating.details.ip_block.size == "256"
        nano = codec.decode_route_planner_status(
            frame(
                **{"class": "NanoIpRoutePlanner"},
                details={"ipBlock": block, "currentAddressIndex": "99999999999999999999999"},
            )
        )
        assert isinstance(nano, routeplanner.NanoIpRoutePlanner)
        assert nano.details.failing_addresses == []
        with pytest.raises(hl.RemoteProtocolError):
            codec.decode_route_planner_status(frame(**{"class": None}, details=None))


class TestErrorBody:
    @pytest.mark.parametrize("data", [b"", "", b"<html>502</html>", b"[]", b'{"status":"x"}'])
    def test_missing_or_foreign_bodies_are_none(self, data: bytes | str) -> None:
        assert codec.decode_error_body(data) is None

    def test_lenient(self) -> None:
        assert codec.decode_error_body(b'{"message":"x","extra":1}') == hl.ErrorBody(message="x")
        assert codec.decode_error_body(b"{}") == hl.ErrorBody()


class TestEncoding:
    def test_unset_omits_and_none_sends_null(self) -> None:
        assert hl.encode(hl.UpdatePlayer()) == b"{}"
        stop = hl.UpdatePlayer(track=hl.UpdatePlayerTrack(encoded=None))
        assert json.loads(hl.encode(stop)) == {"track": {"encoded": None}}
        assert json.loads(hl.encode(hl.UpdatePlayer(end_time=None))) == {"endTime": None}
        assert json.loads(hl.encode(hl.UpdatePlayer(encoded_track=None))) == {"encodedTrack": None}

    def test_full_update(self) -> None:
        update = hl.UpdatePlayer(
            track=hl.UpdatePlayerTrack(encoded="abc", user_data={"requester": "1"}),
            position=LONG_MAX,
            end_time=100,
            volume=80,
            paused=True,
            filters=hl.Filters(timescale=hl.Timescale(speed=1.5), karaoke=None),
            voice=hl.VoiceUpdate(token="t", endpoint="e:443", session_id="s", channel_id="9"),
        )
        assert json.loads(hl.encode(update)) == {
            "track": {"encoded": "abc", "userData": {"requester": "1"}},
            "position": LONG_MAX,
            "endTime": 100,
            "volume": 80,
            "paused": True,
            "filters": {"karaoke": None, "timescale": {"speed": 1.5, "pitch": 1.0, "rate": 1.0}},
            "voice": {"token": "t", "endpoint": "e:443", "sessionId": "s", "channelId": "9"},
        }

    def test_identifier_track(self) -> None:
        update = hl.UpdatePlayer(track=hl.UpdatePlayerTrack(identifier="dQw4w9WgXcQ"))
        assert json.loads(hl.encode(update)) == {"track": {"identifier": "dQw4w9WgXcQ"}}

    def test_voice_always_carries_channel_id_when_given(self) -> None:
        voice = hl.VoiceUpdate(
            token="t", endpoint="us-east1.discord.media:443", session_id="s", channel_id="1"
        )
        assert json.loads(hl.encode(hl.UpdatePlayer(voice=voice)))["voice"] == {
            "token": "t",
            "endpoint": "us-east1.discord.media:443",
            "sessionId": "s",
            "channelId": "1",
        }
        bare = hl.VoiceUpdate(token="t", endpoint="e", session_id="s")
        assert "channelId" not in json.loads(hl.encode(bare))

    def test_filters_are_partial_with_sub_object_defaults(self) -> None:
        filters = hl.Filters(
            volume=0.8,
            equalizer=[hl.Band(band=3)],
            tremolo=hl.Tremolo(depth=0.9),
            low_pass=None,
            plugin_filters={"echo": {"delay": 1}},
        )
        assert json.loads(hl.encode(filters)) == {
            "volume": 0.8,
            "equalizer": [{"band": 3, "gain": 0.0}],  # gain is always sent
            "tremolo": {"frequency": 2.0, "depth": 0.9},
            "lowPass": None,
            "pluginFilters": {"echo": {"delay": 1}},
        }
        assert hl.encode(hl.Filters()) == b"{}"
        every = hl.Filters(
            karaoke=hl.Karaoke(),
            vibrato=hl.Vibrato(),
            rotation=hl.Rotation(rotation_hz=0.2),
            distortion=hl.Distortion(),
            channel_mix=hl.ChannelMix(left_to_right=0.5),
        )
        assert json.loads(hl.encode(every)) == {
            "karaoke": {"level": 1.0, "monoLevel": 1.0, "filterBand": 220.0, "filterWidth": 100.0},
            "vibrato": {"frequency": 2.0, "depth": 0.5},
            "rotation": {"rotationHz": 0.2},
            "distortion": {
                "sinOffset": 0.0,
                "sinScale": 1.0,
                "cosOffset": 0.0,
                "cosScale": 1.0,
                "tanOffset": 0.0,
                "tanScale": 1.0,
                "offset": 0.0,
                "scale": 1.0,
            },
            "channelMix": {
                "leftToLeft": 1.0,
                "leftToRight": 0.5,
                "rightToLeft": 0.0,
                "rightToRight": 1.0,
            },
        }

    def test_no_replace_is_a_query_parameter_not_a_body_field(self) -> None:
        assert "no_replace" not in hl.UpdatePlayer.__struct_fields__
        body = hl.encode(
            hl.UpdatePlayer(track=hl.UpdatePlayerTrack(encoded="abc"), paused=False, volume=1)
        )
        assert b"noReplace" not in body
        assert b"replace" not in body.lower()

    def test_session_update(self) -> None:
        assert json.loads(hl.encode(hl.SessionUpdate(resuming=False))) == {"resuming": False}
        assert json.loads(hl.encode(hl.SessionUpdate(timeout=120))) == {"timeout": 120}
        assert hl.encode(hl.SessionUpdate()) == b"{}"

    @pytest.mark.parametrize(
        "name",
        [
            "rest-update-player-request.json",
            "rest-update-player-request-encoded.json",
            "rest-update-player-request-stop.json",
            "rest-update-player-request-filters.json",
        ],
    )
    def test_request_vectors_round_trip(self, name: str) -> None:
        raw = load_vector(name)
        assert json.loads(hl.encode(codec.decode_update_player(raw))) == json.loads(raw)

    def test_session_update_vector_round_trips(self) -> None:
        raw = load_vector("rest-session-update-request.json")
        assert json.loads(hl.encode(codec.decode_session_update(raw))) == json.loads(raw)

    def test_inbound_models_re_encode_to_camel_case(self) -> None:
        raw = load_vector("rest-decodetrack.json")
        assert json.loads(hl.encode(codec.decode_track(raw))) == json.loads(raw)
