"""Routes as data, URL encoding and response parsing (sync, no sockets)."""

from __future__ import annotations

import dataclasses
import json
import urllib.parse

import hypothesis
import pytest
from hypothesis import strategies as st
from tests.conftest import load_vector

from hikari_lavalink import errors
from hikari_lavalink.protocol import load_result, models, requests, routeplanner, routes

SESSION = "xtaug914v9k5032f"
GUILD = 817327181659111454
PLAYER = f"/v4/sessions/{SESSION}/players/{GUILD}"
TRICKY = 'ytsearch:AC/DC + "quotes" & ünïcode'
BASE64 = "QAAAjQ+/w8+vAAA=="  # every base64 character that is special in a URL


def fixed_vector(name: str) -> bytes:
    """A player vector whose ``channelId`` placeholder (``"..."``) is a real snowflake."""
    return load_vector(name).replace(b'"channelId": "..."', b'"channelId": "42"')


def query_of(route: routes.Route[object]) -> list[tuple[str, str]]:
    """The query as the server decodes it."""
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(route.url).query, strict_parsing=True)


VOICE = requests.VoiceUpdate(
    token="voice-token-secret", endpoint="x.discord.media", session_id="abc", channel_id="42"
)

RouteCase = tuple[routes.Route[object], str, str, tuple[tuple[str, str], ...], bytes | None]
EVERY_ROUTE: list[RouteCase] = [
    (routes.load_tracks("x"), "GET", "/v4/loadtracks", (("identifier", "x"),), None),
    (routes.decode_track("abc"), "GET", "/v4/decodetrack", (("encodedTrack", "abc"),), None),
    (routes.decode_tracks(["a", "b"]), "POST", "/v4/decodetracks", (), b'["a","b"]'),
    (routes.decode_tracks(()), "POST", "/v4/decodetracks", (), b"[]"),
    (routes.get_players(SESSION), "GET", f"/v4/sessions/{SESSION}/players", (), None),
    (routes.get_player(SESSION, GUILD), "GET", PLAYER, (), None),
    (
        routes.update_player(SESSION, GUILD, requests.UpdatePlayer(volume=50)),
        "PATCH",
        PLAYER,
        (("noReplace", "false"),),
        b'{"volume":50}',
    ),
    (
        routes.update_player(
            SESSION,
            GUILD,
            requests.UpdatePlayer(track=requests.UpdatePlayerTrack(encoded=None), paused=False),
            no_replace=True,
        ),
        "PATCH",
        PLAYER,
        (("noReplace", "true"),),
        b'{"track":{"encoded":null},"paused":false}',
    ),
    (routes.destroy_player(SESSION, GUILD), "DELETE", PLAYER, (), None),
    (
        routes.update_session(SESSION, models.SessionUpdate(resuming=True, timeout=60)),
        "PATCH",
        f"/v4/sessions/{SESSION}",
        (),
        b'{"resuming":true,"timeout":60}',
    ),
    (routes.info(), "GET", "/v4/info", (), None),
    (routes.stats(), "GET", "/v4/stats", (), None),
    (routes.version(), "GET", "/version", (), None),
    (routes.route_planner_status(), "GET", "/v4/routeplanner/status", (), None),
    (
        routes.free_address("1.0.0.1"),
        "POST",
        "/v4/routeplanner/free/address",
        (),
        b'{"address":"1.0.0.1"}',
    ),
    (routes.free_all(), "POST", "/v4/routeplanner/free/all", (), None),
]


@pytest.mark.parametrize(
    ("route", "method", "path", "query", "body"),
    EVERY_ROUTE,
    ids=[f"{case[1]} {case[2]}" for case in EVERY_ROUTE],
)
def test_every_route(
    route: routes.Route[object],
    method: str,
    path: str,
    query: tuple[tuple[str, str], ...],
    body: bytes | None,
) -> None:
    assert (route.method, route.path, route.query, route.body) == (method, path, query, body)
    assert route.url.startswith(path)
    assert ("?" in route.url) == bool(query)
    assert not route.traced
    assert repr(route).startswith(f"Route({method} {path}")


def test_request_bodies_match_the_vectors() -> None:
    session_update = json.loads(load_vector("rest-session-update-request.json"))
    route = routes.update_session(SESSION, models.SessionUpdate(**session_update))
    assert route.body is not None
    assert json.loads(route.body) == session_update
    address = json.loads(load_vector("rest-routeplanner-free-address-request.json"))
    free = routes.free_address(address["address"])
    assert free.body is not None
    assert json.loads(free.body) == address
    encoded = json.loads(load_vector("rest-decodetracks-request.json"))
    decode = routes.decode_tracks(encoded)
    assert decode.body is not None
    assert json.loads(decode.body) == encoded


def test_routes_are_immutable_values() -> None:
    route = routes.info()
    assert route == routes.info()
    assert hash(route) == hash(routes.info())
    assert route != routes.stats()
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.method = "POST"  # type: ignore[misc]  # pyright: ignore[reportAttributeAccessIssue]


def test_repr_never_shows_the_body() -> None:
    route = routes.update_player(SESSION, GUILD, requests.UpdatePlayer(voice=VOICE))
    assert route.body is not None
    assert b"voice-token-secret" in route.body
    assert "voice-token-secret" not in repr(route)
    assert f"body={len(route.body)} bytes" in repr(route)


def test_tricky_identifier_is_fully_percent_encoded() -> None:
    route = routes.load_tracks(TRICKY)
    assert route.url == (
        "/v4/loadtracks?identifier="
        "ytsearch%3AAC%2FDC%20%2B%20%22quotes%22%20%26%20%C3%BCn%C3%AFcode"
    )
    assert query_of(route) == [("identifier", TRICKY)]


@pytest.mark.parametrize(
    "identifier",
    [
        "https://youtu.be/x?list=1&t=2#frag",
        "a b",
        "plus+plus",
        "100% = 1/1",
        "scsearch:日本語",
        "ytsearch:",
    ],
)
def test_identifiers_round_trip(identifier: str) -> None:
    route = routes.load_tracks(identifier)
    assert query_of(route) == [("identifier", identifier)]
    query = route.url.split("?", 1)[1]
    assert query.count("=") == 1
    assert not set(query) & set(" +/:&#?\"'")


def test_base64_is_percent_encoded() -> None:
    route = routes.decode_track(BASE64)
    assert route.url == "/v4/decodetrack?encodedTrack=QAAAjQ%2B%2Fw8%2BvAAA%3D%3D"
    assert query_of(route) == [("encodedTrack", BASE64)]


def reference_url(route: routes.Route[object]) -> str:
    """The URL as the standard library encodes it (what ``Route.url`` must match exactly)."""
    if not route.query:
        return route.path
    query = urllib.parse.urlencode(route.query, quote_via=urllib.parse.quote, safe="")
    return f"{route.path}?{query}"


@pytest.mark.parametrize(
    ("identifier", "encoded"),
    [
        ("ytsearch:a b&c", "ytsearch%3Aa%20b%26c"),
        ("a=b", "a%3Db"),
        ("track#2", "track%232"),
        ("c++", "c%2B%2B"),
        ("100%", "100%25"),
        ("%20", "%2520"),
        ("ytsearch:caf\u00e9 \u65e5\u672c", "ytsearch%3Acaf%C3%A9%20%E6%97%A5%E6%9C%AC"),
        ("\U0001f3b5 & \u00a0", "%F0%9F%8E%B5%20%26%20%C2%A0"),
        ("Aa0-._~", "Aa0-._~"),
        ("\x00\x7f\x80\xff", "%00%7F%C2%80%C3%BF"),
        (
            "?/;:@$,!*'()[]\"<>\\^`{|}",
            "%3F%2F%3B%3A%40%24%2C%21%2A%27%28%29%5B%5D%22%3C%3E%5C%5E%60%7B%7C%7D",
        ),
        ("", ""),
    ],
)
def test_query_encoding_is_exact(identifier: str, encoded: str) -> None:
    route = routes.load_tracks(identifier)
    assert route.url == f"/v4/loadtracks?identifier={encoded}"
    assert route.url == reference_url(route)
    server_reads = urllib.parse.parse_qsl(route.url.split("?", 1)[1], keep_blank_values=True)
    assert server_reads == [("identifier", identifier)]
    traced = route.with_trace()
    assert traced.url == f"/v4/loadtracks?identifier={encoded}&trace=true" == reference_url(traced)


@hypothesis.given(st.text(), st.text())
def test_query_encoding_matches_the_standard_library(first: str, second: str) -> None:
    route = routes.Route("GET", "/v4/x", bytes, query=((first, second), ("k", first)))
    assert route.url == reference_url(route)


def test_lone_surrogates_cannot_be_encoded() -> None:
    with pytest.raises(UnicodeEncodeError):
        _ = routes.load_tracks("bad \ud800").url


def test_session_id_cannot_escape_its_path_segment() -> None:
    route = routes.get_players("../info?x")
    assert route.path == "/v4/sessions/..%2Finfo%3Fx/players"


def test_with_trace() -> None:
    assert routes.with_trace(routes.info()).url == "/v4/info?trace=true"
    traced = routes.load_tracks("x").with_trace()
    assert traced.traced
    assert query_of(traced) == [("identifier", "x"), ("trace", "true")]
    assert traced.with_trace() is traced  # never twice
    assert routes.with_trace(traced) is traced
    patch = routes.update_player(SESSION, GUILD, requests.UpdatePlayer(), no_replace=True)
    traced_patch = routes.with_trace(patch)
    assert traced_patch.query == (("noReplace", "true"), ("trace", "true"))
    assert (traced_patch.method, traced_patch.path, traced_patch.body) == (
        patch.method,
        patch.path,
        patch.body,
    )


@pytest.mark.parametrize("session_id", ["", "   "])
def test_missing_session_id_is_a_usage_error(session_id: str) -> None:
    with pytest.raises(errors.UsageError, match="session"):
        routes.get_players(session_id)
    with pytest.raises(errors.UsageError, match="session"):
        routes.update_session(session_id, models.SessionUpdate(resuming=True))
    with pytest.raises(errors.UsageError, match="session"):
        routes.destroy_player(session_id, GUILD)


@pytest.mark.parametrize("guild_id", [0, -5, 2**63, "817327181659111454", 1.5])
def test_bad_guild_id_is_a_usage_error(guild_id: object) -> None:
    with pytest.raises(errors.UsageError, match="guild"):
        routes.get_player(SESSION, guild_id)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_int_subclass_guild_ids_are_accepted() -> None:
    class Snowflake(int):
        pass

    assert routes.get_player(SESSION, Snowflake(GUILD)).path == PLAYER
    assert routes.get_player(SESSION, 2**63 - 1).path.endswith("/9223372036854775807")


# -- parse_response --------------------------------------------------------------------


def test_parse_200_models() -> None:
    player = routes.parse_response(
        routes.get_player(SESSION, GUILD), 200, fixed_vector("rest-player.json")
    )
    assert player.guild_id == 123
    assert player.voice.channel_id == 42
    players = routes.parse_response(
        routes.get_players(SESSION), 200, fixed_vector("rest-players.json")
    )
    assert all(isinstance(p, models.Player) for p in players)
    updated = routes.parse_response(
        routes.update_player(SESSION, GUILD, requests.UpdatePlayer()),
        200,
        load_vector("rest-player-idle.json"),
    )
    assert updated.track is None
    track = routes.parse_response(
        routes.decode_track("x"), 200, load_vector("rest-decodetrack.json")
    )
    assert track.info.title == "Rick Astley - Never Gonna Give You Up"
    tracks = routes.parse_response(
        routes.decode_tracks(["x"]), 200, load_vector("rest-decodetracks.json")
    )
    assert tracks
    session = routes.parse_response(
        routes.update_session(SESSION, models.SessionUpdate()),
        200,
        load_vector("rest-session.json"),
    )
    assert session == models.Session(resuming=True, timeout=60)
    info = routes.parse_response(routes.info(), 200, load_vector("rest-info.json"))
    assert info.version.semver == "3.7.0-rc.1"  # the docs example, verbatim
    stats = routes.parse_response(routes.stats(), 200, load_vector("rest-stats.json"))
    assert stats.frame_stats is None
    assert routes.parse_response(routes.version(), 200, b"4.2.2\n") == "4.2.2"


@pytest.mark.parametrize(
    ("vector", "kind"),
    [
        ("rest-loadtracks-track.json", load_result.TrackResult),
        ("rest-loadtracks-playlist.json", load_result.PlaylistResult),
        ("rest-loadtracks-search.json", load_result.SearchResult),
        ("rest-loadtracks-search-emptylist.json", load_result.SearchResult),
        ("rest-loadtracks-empty.json", load_result.EmptyResult),
        ("rest-loadtracks-error.json", load_result.ErrorResult),
    ],
)
def test_parse_load_results(vector: str, kind: type[object]) -> None:
    result = routes.parse_response(routes.load_tracks("x"), 200, load_vector(vector))
    assert isinstance(result, kind)


def test_parse_bodiless_successes() -> None:
    assert routes.parse_response(routes.destroy_player(SESSION, GUILD), 204, b"") is None
    assert routes.parse_response(routes.free_all(), 204, b"") is None
    assert routes.parse_response(routes.free_address("1.0.0.1"), 204, b"") is None
    assert routes.parse_response(routes.route_planner_status(), 204, b"") is None
    for name in (
        "rest-routeplanner-status-BalancingIpRoutePlanner.json",
        "rest-routeplanner-status-RotatingNanoIpRoutePlanner.json",
    ):
        status = routes.parse_response(routes.route_planner_status(), 200, load_vector(name))
        assert isinstance(status, routeplanner.RoutePlannerStatus)


def test_400_with_body() -> None:
    route = routes.update_player(SESSION, GUILD, requests.UpdatePlayer(voice=VOICE))
    with pytest.raises(errors.RestError) as caught:
        routes.parse_response(route, 400, load_vector("rest-error-400-voice.json"))
    error = caught.value
    assert type(error) is errors.RestError
    assert (error.status, error.path, error.method) == (400, PLAYER, "PATCH")
    assert error.body is not None
    assert error.body.message.startswith("token, endpoint, sessionId and channelId")
    assert "channelId" in str(error)
    assert "voice-token-secret" not in str(error)


def test_404_session_not_found() -> None:
    route = routes.get_player(SESSION, GUILD)
    with pytest.raises(errors.SessionNotFoundError) as caught:
        routes.parse_response(route, 404, load_vector("rest-error.json"))
    assert caught.value.status == 404
    assert caught.value.body is not None
    assert caught.value.body.trace == "..."
    assert (caught.value.path, caught.value.method) == (PLAYER, "GET")


def test_other_404s_are_plain_rest_errors() -> None:
    route = routes.get_player(SESSION, GUILD)
    player_missing = json.dumps({"status": 404, "message": "Player not found"}).encode()
    for body in (player_missing, b"", b"Not Found"):
        with pytest.raises(errors.RestError) as caught:
            routes.parse_response(route, 404, body)
        assert type(caught.value) is errors.RestError
        assert caught.value.status == 404


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("body", [b"", b'{"status": 401, "message": "whatever"}'])
def test_401_403_have_no_body(status: int, body: bytes) -> None:
    with pytest.raises(errors.RestError) as caught:
        routes.parse_response(routes.info(), status, body)
    assert caught.value.status == status
    assert caught.value.body is None
    assert "password" in str(caught.value)
    assert "GET /v4/info" in str(caught.value)


def test_500_with_html_has_no_body() -> None:
    route = routes.free_all()
    with pytest.raises(errors.RestError) as caught:
        routes.parse_response(route, 500, b"<html><body>Bad Gateway</body></html>")
    assert (caught.value.status, caught.value.body, caught.value.path) == (
        500,
        None,
        "/v4/routeplanner/free/all",
    )
    assert caught.value.method == "POST"


def test_3xx_is_an_error_not_a_success() -> None:
    with pytest.raises(errors.RestError) as caught:
        routes.parse_response(routes.info(), 307, b"")
    assert caught.value.status == 307


@pytest.mark.parametrize(
    ("route", "body"),
    [
        (routes.get_player(SESSION, GUILD), b'{"not": "a player"}'),
        (routes.get_player(SESSION, GUILD), b"<html>"),
        (routes.get_player(SESSION, GUILD), b""),  # a 2xx without the promised body
        (routes.load_tracks("x"), b'{"loadType": "track", "data": 5}'),
        (routes.info(), b"[]"),
        (routes.version(), b"\xff\xfe"),
        (routes.route_planner_status(), b'{"class": 5}'),
    ],
)
def test_malformed_success_is_remote_protocol_error(
    route: routes.Route[object], body: bytes
) -> None:
    with pytest.raises(errors.RemoteProtocolError) as caught:
        routes.parse_response(route, 200, body)
    assert caught.value.data == body
