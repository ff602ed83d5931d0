"""Routes as data, URL encoding and response parsing (no sockets)."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from tests.conftest import load_vector

import hikari_lavalink as hl
from hikari_lavalink.protocol import routes

SESSION = "xtaug914v9k5032f"
GUILD = 817327181659111454


def query_of(route: routes.Route[object]) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(route.url).query))


def test_every_route() -> None:
    update = hl.UpdatePlayer(volume=50)
    cases: list[tuple[routes.Route[object], str, str, bytes | None]] = [
        (routes.load_tracks("x"), "GET", "/v4/loadtracks", None),
        (routes.decode_track("abc"), "GET", "/v4/decodetrack", None),
        (routes.decode_tracks(["a", "b"]), "POST", "/v4/decodetracks", b'["a","b"]'),
        (routes.get_players(SESSION), "GET", f"/v4/sessions/{SESSION}/players", None),
        (routes.get_player(SESSION, GUILD), "GET", f"/v4/sessions/{SESSION}/players/{GUILD}", None),
        (
            routes.update_player(SESSION, GUILD, update),
            "PATCH",
            f"/v4/sessions/{SESSION}/players/{GUILD}",
            b'{"volume":50}',
        ),
        (
            routes.destroy_player(SESSION, GUILD),
            "DELETE",
            f"/v4/sessions/{SESSION}/players/{GUILD}",
            None,
        ),
        (
            routes.update_session(SESSION, hl.SessionUpdate(resuming=True, timeout=60)),
            "PATCH",
            f"/v4/sessions/{SESSION}",
            b'{"resuming":true,"timeout":60}',
        ),
        (routes.info(), "GET", "/v4/info", None),
        (routes.stats(), "GET", "/v4/stats", None),
        (routes.version(), "GET", "/version", None),
        (routes.route_planner_status(), "GET", "/v4/routeplanner/status", None),
        (
            routes.free_address("1.0.0.1"),
            "POST",
            "/v4/routeplanner/free/address",
            b'{"address":"1.0.0.1"}',
        ),
        (routes.free_all(), "POST", "/v4/routeplanner/free/all", None),
    ]
    for route, method, path, body in cases:
        assert (route.method, route.path, route.body) == (method, path, body)
        assert method in repr(route)


def test_no_replace_query() -> None:
    update = hl.UpdatePlayer()
    assert query_of(routes.update_player(SESSION, GUILD, update)) == {"noReplace": "false"}
    assert query_of(routes.update_player(SESSION, GUILD, update, no_replace=True)) == {
        "noReplace": "true"
    }


@pytest.mark.parametrize(
    "identifier",
    ['ytsearch:AC/DC + "quotes" & ünïcode ?#=', "https://youtu.be/x?list=1&t=2", "a b"],
)
def test_identifiers_are_url_encoded(identifier: str) -> None:
    route = routes.load_tracks(identifier)
    assert " " not in route.url
    assert query_of(route) == {"identifier": identifier}


def test_base64_is_url_encoded() -> None:
    encoded = "QAAAjQ+/=="
    route = routes.decode_track(encoded)
    assert "+" not in route.url.split("?", 1)[1]
    assert query_of(route) == {"encodedTrack": encoded}


def test_trace() -> None:
    route = routes.info().with_trace()
    assert route.url == "/v4/info?trace=true"
    assert query_of(routes.load_tracks("x").with_trace()) == {"identifier": "x", "trace": "true"}


def test_bad_ids_are_usage_errors() -> None:
    with pytest.raises(hl.UsageError, match="session"):
        routes.get_players("")
    with pytest.raises(hl.UsageError, match="guild"):
        routes.get_player(SESSION, 0)


def test_parse_success() -> None:
    player = routes.parse_response(
        routes.get_player(SESSION, GUILD), 200, load_vector("rest-player-idle.json")
    )
    assert player.guild_id == GUILD
    assert routes.parse_response(routes.destroy_player(SESSION, GUILD), 204, b"") is None
    assert routes.parse_response(routes.version(), 200, b"4.2.2\n") == "4.2.2"
    assert routes.parse_response(routes.route_planner_status(), 204, b"") is None
    status = routes.parse_response(
        routes.route_planner_status(),
        200,
        load_vector("rest-routeplanner-status-BalancingIpRoutePlanner.json"),
    )
    assert status is not None


def test_parse_errors() -> None:
    route = routes.get_player(SESSION, GUILD)
    with pytest.raises(hl.SessionNotFoundError) as missing:
        routes.parse_response(route, 404, load_vector("rest-error.json"))
    assert missing.value.body is not None
    assert missing.value.path == route.path
    not_found = json.dumps({"status": 404, "message": "Player not found"}).encode()
    with pytest.raises(hl.RestError) as player_missing:
        routes.parse_response(route, 404, not_found)
    assert not isinstance(player_missing.value, hl.SessionNotFoundError)
    for status in (401, 403):
        with pytest.raises(hl.RestError) as auth:
            routes.parse_response(route, status, b"")
        assert auth.value.body is None
        assert auth.value.status == status
    with pytest.raises(hl.RestError) as html:
        routes.parse_response(route, 500, b"<html>oops</html>")
    assert html.value.body is None
    with pytest.raises(hl.RestError) as bad:
        routes.parse_response(route, 400, load_vector("rest-error-400-voice.json"))
    assert bad.value.body is not None
    assert "channelId" in str(bad.value)
    with pytest.raises(hl.RemoteProtocolError):
        routes.parse_response(route, 200, b'{"not": "a player"}')
