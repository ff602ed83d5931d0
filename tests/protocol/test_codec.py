"""Decoding edge cases, encoding rules and errors of the protocol core."""

from __future__ import annotations

import json

import msgspec
import pytest

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec
from hikari_lavalink.testing import factories

TRACK = factories.make_track(title="Song", length=2**63 - 1, is_stream=True)
TRACK_JSON = msgspec.to_builtins(TRACK)


def event(kind: str, **fields: object) -> bytes:
    return json.dumps({"op": "event", "type": kind, "guildId": "42", **fields}).encode()


class TestDecodeMessage:
    def test_every_op_and_event_type(self) -> None:
        assert hl.decode_message('{"op":"ready","resumed":false,"sessionId":"abc"}') == (
            hl.ReadyMessage(resumed=False, session_id="abc")
        )
        update = hl.decode_message(
            b'{"op":"playerUpdate","guildId":"42","state":'
            b'{"time":1,"position":9223372036854775807,"connected":true,"ping":3}}'
        )
        assert isinstance(update, hl.PlayerUpdateMessage)
        assert update.state.position == 2**63 - 1
        start = hl.decode_message(event("TrackStartEvent", track=TRACK_JSON))
        assert isinstance(start, hl.TrackStartMessage)
        assert start.track == TRACK
        assert start.track.info.length == 2**63 - 1
        end = hl.decode_message(event("TrackEndEvent", track=TRACK_JSON, reason="cleanup"))
        assert isinstance(end, hl.TrackEndMessage)
        assert not end.may_start_next
        exc = hl.decode_message(
            event(
                "TrackExceptionEvent",
                track=TRACK_JSON,
                exception={"message": None, "severity": "fault", "cause": "x"},
            )
        )
        assert isinstance(exc, hl.TrackExceptionMessage)
        assert exc.exception == hl.ExceptionInfo(message=None, severity="fault", cause="x")
        assert exc.exception.cause_stack_trace is None  # pre-4.1 servers
        stuck = hl.decode_message(event("TrackStuckEvent", track=TRACK_JSON, thresholdMs=10))
        assert isinstance(stuck, hl.TrackStuckMessage)
        closed = hl.decode_message(
            event("WebSocketClosedEvent", code=4014, reason="", byRemote=False)
        )
        assert closed == hl.WebSocketClosedMessage(
            guild_id=42, code=4014, reason="", by_remote=False
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
        message = hl.decode_message(event("TrackEndEvent", track=TRACK_JSON, reason=reason))
        assert isinstance(message, hl.TrackEndMessage)
        assert message.reason == reason
        assert message.may_start_next is may_start_next

    def test_unknown_op_and_event_type(self) -> None:
        assert hl.decode_message('{"op":"lyrics","x":[1]}') == hl.UnknownMessage(
            op="lyrics", payload={"op": "lyrics", "x": [1]}
        )
        plugin = hl.decode_message(event("SegmentsLoaded", segments=[]))
        assert plugin == hl.UnknownMessage(
            op="event",
            type="SegmentsLoaded",
            guild_id=42,
            payload={"op": "event", "type": "SegmentsLoaded", "guildId": "42", "segments": []},
        )
        odd = hl.decode_message('{"op":"event","type":"X","guildId":"not-a-number"}')
        assert isinstance(odd, hl.UnknownMessage)
        assert odd.guild_id is None

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"not json",
            b"[1, 2]",
            b'"ready"',
            b"{}",
            b'{"op": 5}',
            b'{"op": "ready"}',
            b'{"op": "ready", "resumed": "yes", "sessionId": "a"}',
            b'{"op": "playerUpdate", "guildId": "1"}',
            b'{"op": "event", "guildId": "1"}',
            b'{"op": "event", "type": 3, "guildId": "1"}',
            b'{"op": "event", "type": "TrackStartEvent", "guildId": "1"}',
            b'{"op": "stats", "players": 1}',
            b"\xff\xfe",
        ],
    )
    def test_bad_frames_raise_remote_protocol_error(self, data: bytes) -> None:
        with pytest.raises(hl.RemoteProtocolError) as info:
            hl.decode_message(data)
        assert info.value.data == data

    def test_unknown_keys_are_ignored(self) -> None:
        message = hl.decode_message(
            '{"op":"ready","resumed":true,"sessionId":"a","future":{"x":1},"more":[]}'
        )
        assert message == hl.ReadyMessage(resumed=True, session_id="a")

    def test_stats_frame_stats_absent_null_present(self) -> None:
        base = {
            "op": "stats",
            "players": 0,
            "playingPlayers": 0,
            "uptime": 1,
            "memory": {"free": 1, "used": 1, "allocated": 1, "reservable": 1},
            "cpu": {"cores": 2, "systemLoad": 0, "lavalinkLoad": 0},
        }
        absent = hl.decode_message(json.dumps(base))
        null = hl.decode_message(json.dumps({**base, "frameStats": None}))
        present = hl.decode_message(
            json.dumps({**base, "frameStats": {"sent": 1, "nulled": 2, "deficit": 3}})
        )
        assert isinstance(absent, hl.StatsMessage)
        assert isinstance(null, hl.StatsMessage)
        assert isinstance(present, hl.StatsMessage)
        assert absent.frame_stats is None
        assert null.frame_stats is None
        assert present.frame_stats == hl.FrameStats(sent=1, nulled=2, deficit=3)
        assert absent.cpu.system_load == 0.0


class TestLoadResults:
    @pytest.mark.parametrize(
        "data",
        [
            b'{"loadType":"empty","data":null}',
            b'{"loadType":"empty","data":{}}',
            b'{"loadType":"empty"}',
        ],
    )
    def test_empty_accepts_null_and_object(self, data: bytes) -> None:
        result = hl.decode_load_result(data)
        assert isinstance(result, hl.EmptyResult)
        assert result.tracks == []

    @pytest.mark.parametrize(
        "data", [b"", b"{}", b'{"loadType":"other","data":1}', b'{"loadType":"track","data":[]}']
    )
    def test_bad_results_raise(self, data: bytes) -> None:
        with pytest.raises(hl.RemoteProtocolError):
            hl.decode_load_result(data)

    def test_playlist_tracks(self) -> None:
        result = factories.make_playlist("P", [TRACK, TRACK], selected_track=1)
        decoded = hl.decode_load_result(hl.encode(result))
        assert decoded == result
        assert decoded.tracks == [TRACK, TRACK]


class TestVersionAndInfo:
    @pytest.mark.parametrize("pre", ['""', "null"])
    def test_pre_release_empty_or_null(self, pre: str) -> None:
        version = msgspec.json.decode(
            f'{{"semver":"4.2.2","major":4,"minor":2,"patch":2,"preRelease":{pre},"build":"x"}}',
            type=hl.Version,
        )
        assert not version.pre_release
        assert version.build == "x"


class TestErrorBody:
    @pytest.mark.parametrize("data", [b"", b"<html>502</html>", b"[]"])
    def test_missing_or_foreign_bodies_are_none(self, data: bytes) -> None:
        assert codec.decode_error_body(data) is None

    def test_lenient(self) -> None:
        assert codec.decode_error_body(b'{"message":"x","extra":1}') == hl.ErrorBody(message="x")


class TestEncoding:
    def test_unset_omits_and_none_sends_null(self) -> None:
        assert hl.encode(hl.UpdatePlayer()) == b"{}"
        stop = hl.UpdatePlayer(track=hl.UpdatePlayerTrack(encoded=None))
        assert json.loads(hl.encode(stop)) == {"track": {"encoded": None}}
        assert json.loads(hl.encode(hl.UpdatePlayer(end_time=None))) == {"endTime": None}

    def test_full_update(self) -> None:
        update = hl.UpdatePlayer(
            track=hl.UpdatePlayerTrack(encoded="abc", user_data={"requester": "1"}),
            position=5,
            end_time=100,
            volume=80,
            paused=True,
            filters=hl.Filters(timescale=hl.Timescale(speed=1.5), karaoke=None),
            voice=hl.VoiceUpdate(token="t", endpoint="e:443", session_id="s", channel_id="9"),
        )
        assert json.loads(hl.encode(update)) == {
            "track": {"encoded": "abc", "userData": {"requester": "1"}},
            "position": 5,
            "endTime": 100,
            "volume": 80,
            "paused": True,
            "filters": {"karaoke": None, "timescale": {"speed": 1.5, "pitch": 1.0, "rate": 1.0}},
            "voice": {"token": "t", "endpoint": "e:443", "sessionId": "s", "channelId": "9"},
        }

    def test_equalizer_bands_always_send_gain(self) -> None:
        filters = hl.Filters(equalizer=[hl.Band(band=3)])
        assert json.loads(hl.encode(filters)) == {"equalizer": [{"band": 3, "gain": 0.0}]}

    def test_session_update(self) -> None:
        assert json.loads(hl.encode(hl.SessionUpdate(resuming=False))) == {"resuming": False}

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
        from tests.conftest import load_vector

        raw = load_vector(name)
        assert json.loads(hl.encode(codec.decode_update_player(raw))) == json.loads(raw)

    def test_session_update_vector_round_trips(self) -> None:
        from tests.conftest import load_vector

        raw = load_vector("rest-session-update-request.json")
        assert json.loads(hl.encode(codec.decode_session_update(raw))) == json.loads(raw)


class TestModels:
    def test_inbound_models_are_frozen(self) -> None:
        with pytest.raises(AttributeError):
            TRACK.encoded = "x"  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]

    def test_enums_compare_as_strings(self) -> None:
        assert hl.TrackEndReason.LOAD_FAILED == "loadFailed"
        assert hl.Severity.SUSPICIOUS == "suspicious"

    def test_load_result_tracks(self) -> None:
        assert hl.TrackResult(data=TRACK).tracks == [TRACK]
        assert hl.SearchResult(data=[TRACK]).tracks == [TRACK]
        assert hl.ErrorResult(data=hl.ExceptionInfo()).tracks == []


class TestErrors:
    def test_remote_protocol_error_truncates(self) -> None:
        error = hl.RemoteProtocolError("bad", b"x" * 1000)
        assert len(str(error)) < 300
        assert error.data == b"x" * 1000
        assert error.reason == "bad"
        assert hl.RemoteProtocolError("bad", "text").data == b"text"

    @pytest.mark.parametrize(
        ("status", "hint"), [(401, "missing password"), (403, "rejected"), (500, "no error body")]
    )
    def test_rest_error_without_body(self, status: int, hint: str) -> None:
        error = hl.RestError(status, None, "/v4/info", "GET")
        assert (error.status, error.body, error.path, error.method) == (
            status,
            None,
            "/v4/info",
            "GET",
        )
        assert hint in str(error)
        assert str(status) in str(error)

    def test_rest_error_with_body(self) -> None:
        body = hl.ErrorBody(status=404, message="Session not found")
        error = hl.SessionNotFoundError(404, body, "/v4/sessions/x", "PATCH")
        assert isinstance(error, hl.RestError)
        assert "Session not found" in str(error)

    def test_node_errors(self) -> None:
        closed = hl.NodeClosedError("main", 4000, "bye", can_resume=True)
        assert (closed.node, closed.code, closed.reason, closed.can_resume) == (
            "main",
            4000,
            "bye",
            True,
        )
        assert "resumable" in str(closed)
        assert "not resumable" in str(hl.NodeClosedError("main", 1000, "", can_resume=False))
        failed = hl.NodeConnectionError("main", "nope", status=502, fatal=False)
        assert (failed.status, failed.fatal) == (502, False)
        assert str(failed) == "node 'main': nope"
