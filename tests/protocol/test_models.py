"""Behaviour of the wire models and of the error classes."""

from __future__ import annotations

import msgspec
import pytest

import hikari_lavalink as hl
from hikari_lavalink.protocol import models

INFO = hl.TrackInfo(
    identifier="id",
    is_seekable=True,
    author="A",
    length=1000,
    is_stream=False,
    position=0,
    title="T",
    source_name="http",
)
TRACK = hl.Track(encoded="QAAA", info=INFO)
STATE = hl.PlayerState(time=1, position=2, connected=True, ping=3)


class TestFrozen:
    @pytest.mark.parametrize(
        ("model", "attribute"),
        [
            (INFO, "title"),
            (TRACK, "encoded"),
            (STATE, "position"),
            (hl.ReadyMessage(resumed=False, session_id="s"), "session_id"),
            (hl.PlayerUpdateMessage(guild_id=1, state=STATE), "guild_id"),
            (hl.TrackEndMessage(guild_id=1, track=TRACK, reason="finished"), "reason"),
            (hl.UnknownMessage(op="x", payload={}), "op"),
            (hl.TrackResult(data=TRACK), "data"),
            (hl.ExceptionInfo(), "severity"),
            (hl.Filters(), "volume"),
            (hl.Band(band=1), "gain"),
            (hl.UpdatePlayer(), "paused"),
            (hl.ErrorBody(), "message"),
        ],
    )
    def test_assignment_raises(self, model: msgspec.Struct, attribute: str) -> None:
        before = getattr(model, attribute)
        with pytest.raises(AttributeError):
            setattr(model, attribute, before)
        assert getattr(model, attribute) is before

    def test_frozen_models_hash_and_compare_by_value(self) -> None:
        same = hl.TrackInfo(**msgspec.structs.asdict(INFO))
        assert same == INFO
        assert hash(same) == hash(INFO)
        assert msgspec.structs.replace(INFO, title="U") != INFO


class TestDefaults:
    def test_track_dicts_are_not_shared(self) -> None:
        other = hl.Track(encoded="x", info=INFO)
        assert TRACK.plugin_info == {}
        assert TRACK.user_data == {}
        assert TRACK.plugin_info is not other.plugin_info
        assert TRACK.user_data is not other.user_data

    def test_optional_track_info_fields(self) -> None:
        assert (INFO.uri, INFO.artwork_url, INFO.isrc) == (None, None, None)

    def test_player_defaults(self) -> None:
        voice = hl.VoiceState(token="", endpoint="", session_id="")
        player = hl.PlayerModel(guild_id=1, state=STATE, voice=voice)
        assert (player.track, player.volume, player.paused) == (None, 100, False)
        assert player.filters == hl.Filters()
        assert voice.channel_id is None

    def test_exception_info_defaults_to_fault(self) -> None:
        assert hl.ExceptionInfo() == hl.ExceptionInfo(
            message=None, severity=hl.Severity.FAULT, cause="", cause_stack_trace=None
        )

    def test_playlist_info_selected_track_defaults_to_none_selected(self) -> None:
        assert hl.PlaylistInfo(name="P").selected_track == -1

    def test_filters_default_to_unset(self) -> None:
        filters = hl.Filters()
        assert all(getattr(filters, name) is msgspec.UNSET for name in hl.Filters.__struct_fields__)
        assert hl.Band(band=0).gain == 0.0

    def test_update_player_defaults_to_unset(self) -> None:
        update = hl.UpdatePlayer()
        assert all(
            getattr(update, name) is msgspec.UNSET for name in hl.UpdatePlayer.__struct_fields__
        )


class TestEnums:
    @pytest.mark.parametrize(
        ("member", "wire"),
        [
            (hl.TrackEndReason.FINISHED, "finished"),
            (hl.TrackEndReason.LOAD_FAILED, "loadFailed"),
            (hl.TrackEndReason.STOPPED, "stopped"),
            (hl.TrackEndReason.REPLACED, "replaced"),
            (hl.TrackEndReason.CLEANUP, "cleanup"),
            (hl.Severity.COMMON, "common"),
            (hl.Severity.SUSPICIOUS, "suspicious"),
            (hl.Severity.FAULT, "fault"),
        ],
    )
    def test_members_equal_their_wire_strings(self, member: str, wire: str) -> None:
        assert member == wire
        assert wire == member
        assert str(member) == wire
        assert hash(member) == hash(wire)
        assert type(member)(wire) is member

    def test_unknown_values_stay_plain_strings(self) -> None:
        end = hl.TrackEndMessage(guild_id=1, track=TRACK, reason="somethingNew")
        assert end.reason not in set(hl.TrackEndReason)
        assert not end.may_start_next
        with pytest.raises(ValueError, match="somethingNew"):
            hl.TrackEndReason("somethingNew")

    @pytest.mark.parametrize("reason", list(hl.TrackEndReason))
    def test_may_start_next_on_the_enum_and_on_plain_strings(
        self, reason: hl.TrackEndReason
    ) -> None:
        expected = reason in {"finished", "loadFailed"}
        enum_end = hl.TrackEndMessage(guild_id=1, track=TRACK, reason=reason)
        str_end = hl.TrackEndMessage(guild_id=1, track=TRACK, reason=str(reason.value))
        assert enum_end.may_start_next is expected
        assert str_end.may_start_next is expected
        assert (reason in models.MAY_START_NEXT) is expected

    def test_may_start_next_decoded_equals_constructed(self) -> None:
        decoded = msgspec.json.decode(
            msgspec.json.encode(hl.TrackEndMessage(guild_id=1, track=TRACK, reason="finished")),
            type=hl.TrackEndMessage,
        )
        assert decoded.may_start_next
        assert decoded.reason == hl.TrackEndReason.FINISHED


class TestLoadResultTracks:
    def test_track(self) -> None:
        result = hl.TrackResult(data=TRACK)
        assert result.tracks == [TRACK]

    def test_playlist(self) -> None:
        result = hl.PlaylistResult(
            data=hl.Playlist(info=hl.PlaylistInfo(name="P"), tracks=[TRACK, TRACK])
        )
        assert result.tracks == [TRACK, TRACK]
        assert result.tracks is result.data.tracks

    def test_search(self) -> None:
        assert hl.SearchResult(data=[TRACK]).tracks == [TRACK]
        assert hl.SearchResult().tracks == []

    def test_empty(self) -> None:
        assert hl.EmptyResult().tracks == []
        assert hl.EmptyResult(data={}).tracks == []

    def test_error(self) -> None:
        result = hl.ErrorResult(data=hl.ExceptionInfo(message="m", severity="common", cause="c"))
        assert result.tracks == []
        assert result.data.severity == hl.Severity.COMMON


class TestRemoteProtocolError:
    def test_is_a_lavalink_error(self) -> None:
        assert issubclass(hl.RemoteProtocolError, hl.LavalinkError)

    def test_long_payload_is_truncated_in_the_message_but_kept_whole(self) -> None:
        raw = b"x" * 1000
        error = hl.RemoteProtocolError("bad frame", raw)
        assert error.data == raw
        assert error.reason == "bad frame"
        assert str(error) == f"bad frame (payload: {raw[:200]!r}...)"

    def test_short_payload_is_shown_whole(self) -> None:
        error = hl.RemoteProtocolError("bad", b"x" * 200)
        assert str(error) == f"bad (payload: {b'x' * 200!r})"

    def test_str_payload_is_kept_as_utf8_bytes(self) -> None:
        error = hl.RemoteProtocolError("bad", "é")
        assert error.data == "é".encode()
        assert isinstance(error.data, bytes)

    def test_default_payload_is_empty(self) -> None:
        assert hl.RemoteProtocolError("bad").data == b""


class TestRestError:
    @pytest.mark.parametrize(
        ("status", "hint"),
        [
            (401, "no Authorization header was accepted (missing password)"),
            (403, "the password was rejected"),
            (502, "no error body"),
        ],
    )
    def test_without_body(self, status: int, hint: str) -> None:
        error = hl.RestError(status, None, "/v4/info")
        assert (error.status, error.body, error.path, error.method) == (
            status,
            None,
            "/v4/info",
            "GET",
        )
        assert str(error) == f"GET /v4/info failed with HTTP {status}: {hint}"

    def test_with_body(self) -> None:
        body = hl.ErrorBody(status=404, error="Not Found", message="Session not found")
        error = hl.SessionNotFoundError(404, body, "/v4/sessions/x/players/1", "PATCH")
        assert isinstance(error, hl.RestError)
        assert isinstance(error, hl.LavalinkError)
        assert error.body is body
        assert (
            str(error) == "PATCH /v4/sessions/x/players/1 failed with HTTP 404: Session not found"
        )

    def test_body_without_message_falls_back_to_the_hint(self) -> None:
        error = hl.RestError(403, hl.ErrorBody(status=403), "/v4/stats", "GET")
        assert str(error).endswith("HTTP 403: the password was rejected")


class TestNodeErrors:
    def test_node_closed(self) -> None:
        closed = hl.NodeClosedError("main", 1001, "Going Away", can_resume=True)
        assert isinstance(closed, hl.NodeError)
        assert (closed.node, closed.code, closed.reason, closed.can_resume) == (
            "main",
            1001,
            "Going Away",
            True,
        )
        assert (
            str(closed) == "node 'main': WebSocket closed with code 1001 'Going Away' (resumable)"
        )
        final = hl.NodeClosedError("b", 1000, "", can_resume=False)
        assert final.can_resume is False
        assert str(final) == "node 'b': WebSocket closed with code 1000 '' (not resumable)"

    def test_node_connection(self) -> None:
        refused = hl.NodeConnectionError("main", "password rejected", status=401, fatal=True)
        assert (refused.node, refused.status, refused.fatal) == ("main", 401, True)
        assert str(refused) == "node 'main': password rejected"
        network = hl.NodeConnectionError("main", "connection refused", fatal=False)
        assert network.status is None

    def test_tree(self) -> None:
        for cls in (
            hl.UsageError,
            hl.RemoteProtocolError,
            hl.RestError,
            hl.NodeError,
            hl.NoNodeAvailableError,
            hl.VoiceTimeoutError,
        ):
            assert issubclass(cls, hl.LavalinkError)
        assert issubclass(hl.SessionNotFoundError, hl.RestError)
        assert issubclass(hl.NodeConnectionError, hl.NodeError)
        assert issubclass(hl.NodeClosedError, hl.NodeError)
