"""FakeLavalink behaves like Lavalink 4.2, driven by a raw aiohttp client."""

from __future__ import annotations

import asyncio
import json
import time
import typing

import aiohttp
import pytest
import pytest_asyncio
from tests.conftest import load_vector

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec
from hikari_lavalink.protocol.trackblob import decode_track_blob
from hikari_lavalink.testing import FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "pw"
HEADERS = {"Authorization": PASSWORD, "User-Id": "1", "Client-Name": "test/1"}
SONG = factories.make_track(title="Song", length=180_000)
SHORT = factories.make_track(title="Short", length=300)
VOICE = {"token": "t", "endpoint": "e:443", "sessionId": "s", "channelId": "9"}


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    catalogue: dict[str, hl.LoadResult] = {
        "song": hl.TrackResult(data=SONG),
        "ytsearch:song": factories.make_search([SONG, SHORT]),
        "playlist": factories.make_playlist("P", [SONG]),
        "broken": hl.ErrorResult(data=hl.ExceptionInfo(message="blocked", severity="common")),
    }
    async with FakeLavalink(
        password=PASSWORD, catalogue=catalogue, player_update_interval=0.1, stats_interval=0.2
    ) as server:
        yield server


@pytest_asyncio.fixture
async def http() -> collections.abc.AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": PASSWORD}) as session:
        yield session


def answered_headers() -> tuple[aiohttp.TraceConfig, list[collections.abc.Mapping[str, str]]]:
    """A trace for a client session, and the headers of every answer it gets (handshakes too)."""
    seen: list[collections.abc.Mapping[str, str]] = []

    async def on_end(
        _: aiohttp.ClientSession, __: object, params: aiohttp.TraceRequestEndParams
    ) -> None:
        seen.append(params.response.headers)

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace, seen


class Client:
    """A raw WebSocket client that collects frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: list[dict[str, typing.Any]] = []

    async def next(
        self, op: str | None = None, kind: str | None = None, timeout: float = 3.0
    ) -> dict[str, typing.Any]:
        async with asyncio.timeout(timeout):
            while True:
                message = await self.ws.receive()
                assert message.type is aiohttp.WSMsgType.TEXT, message
                frame = json.loads(message.data)
                self.frames.append(frame)
                if (op is None or frame["op"] == op) and (
                    kind is None or frame.get("type") == kind
                ):
                    return frame


async def until_closed(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """Skip text frames; return the first message that is not one."""
    async with asyncio.timeout(3):
        while True:
            message = await ws.receive()
            if message.type is not aiohttp.WSMsgType.TEXT:
                return message


async def connect(
    http: aiohttp.ClientSession, fake: FakeLavalink, **headers: str
) -> tuple[Client, str, aiohttp.ClientWebSocketResponse]:
    ws = await http.ws_connect(fake.ws_url, headers={**HEADERS, **headers})
    client = Client(ws)
    ready = await client.next("ready")
    return client, ready["sessionId"], ws


async def patch(
    http: aiohttp.ClientSession,
    fake: FakeLavalink,
    session_id: str,
    body: dict[str, typing.Any],
    guild: int = 5,
    **query: str,
) -> tuple[int, typing.Any]:
    url = f"{fake.url}/v4/sessions/{session_id}/players/{guild}"
    async with http.patch(url, json=body, params=query) as response:
        return response.status, await response.json(content_type=None)


@pytest.mark.asyncio
async def test_websocket_auth_and_user_id(fake: FakeLavalink) -> None:
    async with aiohttp.ClientSession() as session:
        for headers, status in (
            ({"User-Id": "1"}, 401),
            ({"Authorization": "wrong", "User-Id": "1"}, 401),
            ({"Authorization": PASSWORD}, 400),
            ({"Authorization": PASSWORD, "User-Id": "0"}, 400),
            ({"Authorization": PASSWORD, "User-Id": "abc"}, 400),
        ):
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await session.ws_connect(fake.ws_url, headers=headers)
            assert info.value.status == status
        async with session.get(fake.url + "/v4/info", headers={"Authorization": "x"}) as wrong:
            assert wrong.status == 403
            assert wrong.headers["Lavalink-Api-Version"] == "4"


@pytest.mark.asyncio
async def test_new_session_ready_then_stats(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    fake.time_scale = 10  # the periodic stats (every 0.2 s on the node's clock) in 20 ms
    client, session_id, ws = await connect(http, fake)
    assert len(session_id) == 16
    assert session_id.isalnum()
    assert client.frames[0] == {"op": "ready", "resumed": False, "sessionId": session_id}
    stats = await client.next()
    assert stats["op"] == "stats"
    assert stats["frameStats"] is None
    assert (await client.next("stats"))["op"] == "stats"  # periodic
    assert fake.handshakes[0]["Client-Name"] == "test/1"
    assert fake.sessions[session_id].client_name == "test/1"
    await ws.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"track": {"encoded": "x"}, "encodedTrack": "x"},
            "Cannot specify both track and encodedTrack/identifier",
        ),
        (
            {"track": {"encoded": "x", "identifier": "y"}},
            "Cannot specify both encodedTrack and identifier",
        ),
        (
            {"voice": {**VOICE, "channelId": None}},
            "token, endpoint, sessionId and channelId must be provided in voice state",
        ),
        (
            {"voice": {**VOICE, "token": ""}},
            "token, endpoint, sessionId and channelId must be provided in voice state",
        ),
        ({"voice": {"token": "t", "endpoint": "e", "sessionId": "s"}}, "channelId"),
        ({"endTime": 0}, "End time must be greater than 0"),
        ({"track": {"identifier": "nothing"}}, "No matches found for identifier"),
        ({"track": {"identifier": "playlist"}}, "Cannot play a playlist or search result"),
        ({"track": {"identifier": "broken"}}, "blocked"),
        ({"volume": "loud"}, "could not be parsed"),
        # As strict as kotlinx.serialization: no number for a bool, no string for a number.
        ({"paused": 1}, "could not be parsed"),
        ({"volume": "50"}, "could not be parsed"),
        ({"position": "1000"}, "could not be parsed"),
        # Blank is as good as missing (isBlank, not isEmpty).
        (
            {"voice": {**VOICE, "channelId": "   "}},
            "token, endpoint, sessionId and channelId must be provided in voice state",
        ),
        (
            {"voice": {**VOICE, "sessionId": " "}},
            "token, endpoint, sessionId and channelId must be provided in voice state",
        ),
    ],
)
async def test_patch_validation(
    fake: FakeLavalink, http: aiohttp.ClientSession, body: dict[str, typing.Any], message: str
) -> None:
    _, session_id, ws = await connect(http, fake)
    status, error = await patch(http, fake, session_id, body)
    assert status == 400
    assert message in error["message"]
    assert error["path"] == f"/v4/sessions/{session_id}/players/5"
    await ws.close()


@pytest.mark.asyncio
async def test_play_replace_stop_and_finish(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    fake.time_scale = 10  # "Short" (300 ms) finishes in 30 ms
    client, session_id, ws = await connect(http, fake)
    status, player = await patch(
        http, fake, session_id, {"voice": VOICE, "track": {"encoded": SONG.encoded}, "paused": True}
    )
    assert status == 200
    assert player["guildId"] == "5"
    assert player["paused"] is True
    assert player["voice"]["channelId"] == "9"
    start = await client.next("event", "TrackStartEvent")
    assert start["guildId"] == "5"
    assert start["track"]["info"]["title"] == "Song"
    # a new track unpauses unless told otherwise, and ends the old one first
    status, player = await patch(
        http, fake, session_id, {"track": {"identifier": "song", "userData": {"r": 1}}}
    )
    assert player["paused"] is False
    end = await client.next("event", "TrackEndEvent")
    assert end["reason"] == "replaced"
    start = await client.next("event", "TrackStartEvent")
    assert start["track"]["userData"] == {"r": 1}
    # noReplace leaves a playing track alone
    status, player = await patch(
        http, fake, session_id, {"track": {"encoded": SHORT.encoded}}, noReplace="true"
    )
    assert player["track"]["info"]["title"] == "Song"
    update = await client.next("playerUpdate")
    assert update["state"]["connected"] is True
    await patch(http, fake, session_id, {"track": {"encoded": None}})
    stopped = await client.next("event", "TrackEndEvent")
    assert stopped["reason"] == "stopped"
    await patch(http, fake, session_id, {"track": {"encoded": SHORT.encoded}})
    finished = await client.next("event", "TrackEndEvent")
    assert finished["reason"] == "finished"
    assert finished["track"]["info"]["title"] == "Short"
    await ws.close()


@pytest.mark.asyncio
async def test_seek_pause_volume_filters_delete(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    await patch(http, fake, session_id, {"track": {"encoded": SONG.encoded}})
    _, player = await patch(
        http,
        fake,
        session_id,
        {"position": 60_000, "volume": 2000, "filters": {"timescale": {"speed": 2}}},
    )
    assert 60_000 <= player["state"]["position"] < 61_000
    assert player["volume"] == 1000
    assert player["filters"]["timescale"] == {"speed": 2.0, "pitch": 1.0, "rate": 1.0}
    _, player = await patch(http, fake, session_id, {"paused": True})
    frozen = player["state"]["position"]
    mark, fake.time_scale = len(fake.sent), 10
    await fake.wait_for_frame(op="stats", after=mark)  # 0.2 s on the node's clock pass
    async with http.get(f"{fake.url}/v4/sessions/{session_id}/players/5") as response:
        assert (await response.json())["state"]["position"] == frozen
    async with http.delete(f"{fake.url}/v4/sessions/{session_id}/players/5") as response:
        assert response.status == 204
    end = await client.next("event", "TrackEndEvent")
    assert end["reason"] == "stopped"
    async with http.delete(f"{fake.url}/v4/sessions/{session_id}/players/5") as response:
        assert response.status == 204  # a missing player still gets 204
    async with http.get(f"{fake.url}/v4/sessions/{session_id}/players/x") as response:
        assert response.status == 400
    await ws.close()


@pytest.mark.asyncio
async def test_resume_replays_queue_in_order(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    async with http.patch(
        f"{fake.url}/v4/sessions/{session_id}", json={"resuming": True, "timeout": 5}
    ) as response:
        assert await response.json() == {"resuming": True, "timeout": 5}
    await patch(http, fake, session_id, {"voice": VOICE, "track": {"encoded": SONG.encoded}})
    await client.next("event", "TrackStartEvent")
    await fake.drop_connections()
    closed = await until_closed(ws)
    assert closed.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    assert fake.sessions[session_id].paused
    status, error = await patch(http, fake, session_id, {"volume": 5})
    assert (status, error["message"]) == (404, "Session not found")
    await fake.stick_track(5, threshold_ms=7)
    await fake.fail_track(5, message="oops")
    resumed, same, ws2 = await connect(http, fake, **{"Session-Id": session_id})
    assert same == session_id
    assert resumed.frames[0]["resumed"] is True
    kinds = [(await resumed.next())["type"] for _ in range(3)]
    assert kinds == ["TrackStuckEvent", "TrackExceptionEvent", "TrackEndEvent"]
    update = await resumed.next()
    assert update["op"] == "playerUpdate"
    assert fake.handshakes[-1]["Session-Id"] == session_id
    await ws2.close()


@pytest.mark.asyncio
async def test_resume_timeout_destroys_players(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, session_id, ws = await connect(http, fake)
    async with http.patch(
        f"{fake.url}/v4/sessions/{session_id}", json={"resuming": True, "timeout": 0}
    ):
        pass
    await patch(http, fake, session_id, {"track": {"encoded": SONG.encoded}})
    await ws.close()
    await fake.wait_until(lambda: session_id not in fake.sessions)
    assert session_id not in fake.sessions
    client, new_id, ws2 = await connect(http, fake, **{"Session-Id": session_id})
    assert new_id != session_id
    assert client.frames[0]["resumed"] is False
    await ws2.close()


@pytest.mark.asyncio
async def test_non_resumable_session_dies_with_its_socket(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, session_id, ws = await connect(http, fake)
    await ws.close()
    await fake.wait_until(lambda: session_id not in fake.sessions)
    assert session_id not in fake.sessions


@pytest.mark.asyncio
async def test_close_session_send_raw_and_controls(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    await fake.send_raw("not json")
    async with asyncio.timeout(3):
        while (await ws.receive()).data != "not json":
            pass
    await patch(http, fake, session_id, {"voice": VOICE, "track": {"encoded": SONG.encoded}})
    await fake.close_voice(5, code=4014)
    closed_event = await client.next("event", "WebSocketClosedEvent")
    assert (closed_event["code"], closed_event["byRemote"]) == (4014, True)
    await fake.send_stats(session_id)
    await client.next("stats")
    await fake.close_session(session_id, code=4000, reason="plugin says bye")
    message = await until_closed(ws)
    assert message.type is aiohttp.WSMsgType.CLOSE
    assert message.data == 4000
    assert message.extra == "plugin says bye"


@pytest.mark.asyncio
@pytest.mark.parametrize("burst", [False, True])
async def test_push_keeps_order_for_every_frame_size(
    fake: FakeLavalink, http: aiohttp.ClientSession, burst: bool
) -> None:
    client, session_id, ws = await connect(http, fake)
    await client.next("stats")
    # Payload sizes on each side of the 7-bit and 16-bit WebSocket length encodings.
    frames = [json.dumps({"op": "bench", "n": n, "pad": "x" * size}) for n, size in
              enumerate([0, 100, 125, 126, 1_000, 65_535, 65_536, 200_000, 3])]  # fmt: skip
    assert fake.push(frames, session_id, burst=burst) == len(frames)
    await fake.send_raw("after")
    received: list[str] = []
    async with asyncio.timeout(5):
        while len(received) < len(frames) + 1:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            received.append(message.data)
    assert received == [*frames, "after"]
    assert [text.decode() for _, text in fake.sent[-len(frames) - 1 : -1]] == frames


@pytest.mark.asyncio
async def test_kill_restart_and_failures(fake: FakeLavalink, http: aiohttp.ClientSession) -> None:
    _, session_id, ws = await connect(http, fake)
    port = fake.port
    await fake.kill()
    assert not fake.is_running
    message = await until_closed(ws)
    assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    assert not fake.sessions
    with pytest.raises(aiohttp.ClientConnectionError):
        await http.get(fake.url + "/version")
    await fake.restart()
    assert fake.port == port
    fake.fail_handshake(status=502, count=2)
    for _ in range(2):
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await http.ws_connect(fake.ws_url, headers=HEADERS)
        assert info.value.status == 502
    _, new_id, ws2 = await connect(http, fake, **{"Session-Id": session_id})
    assert new_id != session_id
    fake.fail_rest(503, count=1, path_prefix="/v4/info")
    async with http.get(fake.url + "/version") as response:
        assert await response.text() == "4.2.2"
    async with http.get(fake.url + "/v4/info") as response:
        assert response.status == 503
    fake.set_latency(0.05)
    async with http.get(fake.url + "/v4/stats") as response:
        assert response.status == 200
    await fake.wait_for_request(lambda r: r.path == "/v4/stats")
    await ws2.close()
    await fake.shutdown()
    assert not fake.is_running


@pytest.mark.asyncio
async def test_graceful_shutdown_closes_with_1001(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, _, ws = await connect(http, fake)
    await fake.wait_for_connections(1)
    await fake.shutdown()
    message = await until_closed(ws)
    assert message.type is aiohttp.WSMsgType.CLOSE
    assert message.data == 1001


@pytest.mark.asyncio
async def test_load_and_decode(fake: FakeLavalink, http: aiohttp.ClientSession) -> None:
    async with http.get(
        fake.url + "/v4/loadtracks", params={"identifier": "ytsearch:song"}
    ) as response:
        result = hl.decode_load_result(await response.read())
    assert [t.info.title for t in result.tracks] == ["Song", "Short"]
    async with http.get(fake.url + "/v4/loadtracks", params={"identifier": "nope"}) as response:
        assert await response.json() == {"loadType": "empty", "data": None}
    async with http.get(fake.url + "/v4/loadtracks") as response:
        assert response.status == 400
    other = factories.make_track(title="Elsewhere", isrc="X1")
    async with http.get(fake.url + "/v4/decodetrack", params={"track": other.encoded}) as response:
        track = json.loads(await response.read())
    assert track["info"]["title"] == "Elsewhere"
    assert track["info"]["isrc"] == "X1"
    async with http.get(fake.url + "/v4/decodetrack") as response:
        assert (await response.json())["message"] == "No track to decode provided"
    async with http.post(fake.url + "/v4/decodetracks", json=[]) as response:
        assert (await response.json())["message"] == "No tracks to decode provided"
    async with http.post(
        fake.url + "/v4/decodetracks", json=[SONG.encoded, other.encoded]
    ) as response:
        assert [t["info"]["title"] for t in await response.json()] == ["Song", "Elsewhere"]
    async with http.get(fake.url + "/v4/routeplanner/status") as response:
        assert response.status == 204


@pytest.mark.asyncio
async def test_rest_auth_headers_and_error_shape(fake: FakeLavalink) -> None:
    trace, answered = answered_headers()
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        for headers, status in (({}, 401), ({"Authorization": "wrong"}, 403)):
            for path in ("/v4/info", "/version", "/v4/nowhere"):
                async with session.get(fake.url + path, headers=headers) as response:
                    assert response.status == status
                    assert await response.read() == b""
                    assert response.headers["Lavalink-Api-Version"] == "4"
        auth = {"Authorization": PASSWORD}
        async with session.get(fake.url + "/v4/nowhere", headers=auth) as response:
            assert response.status == 404
            assert response.headers["Lavalink-Api-Version"] == "4"
            body = await response.json()
            assert set(body) == {"timestamp", "status", "error", "message", "path"}
            assert (body["status"], body["error"], body["path"]) == (
                404,
                "Not Found",
                "/v4/nowhere",
            )
        async with session.delete(fake.url + "/v4/info", headers=auth) as response:
            assert response.status == 405
            assert (await response.json())["error"] == "Method Not Allowed"
        url = fake.url + "/v4/sessions/nope/players"
        async with session.get(url, headers=auth, params={"trace": "true"}) as response:
            body = await response.json()
            assert (response.status, body["message"]) == (404, "Session not found")
            assert isinstance(body["trace"], str)
        async with session.get(fake.url + "/version", headers=auth) as response:
            assert response.content_type == "text/plain"
            assert await response.text() == "4.2.2"
        async with session.get(fake.url + "/v4/stats", headers=auth) as response:
            stats = await response.json()
            assert "frameStats" not in stats
            assert stats["players"] == 0
        async with session.get(fake.url + "/v4/info", headers=auth) as response:
            info = codec.decode_info(await response.read())
            assert (info.version.major, info.version.minor, info.version.patch) == (4, 2, 2)
            assert "http" in info.source_managers
        for path in ("/v4/routeplanner/free/all", "/v4/routeplanner/free/address"):
            async with session.post(fake.url + path, headers=auth, json={"address": "::1"}) as resp:
                assert resp.status == 500
                assert (await resp.json())["message"] == "Can't access disabled route planner"
        # handshake responses carry the header too, refused or not
        for headers in ({"User-Id": "1"}, HEADERS):
            async with session.get(fake.ws_url, headers=headers) as response:
                assert response.headers["Lavalink-Api-Version"] == "4"
                assert response.status in (400, 401)
        ws = await session.ws_connect(fake.ws_url, headers=HEADERS)
        assert answered[-1]["Lavalink-Api-Version"] == "4"
        assert answered[-1]["Session-Resumed"] == "false"
        await ws.close()


@pytest.mark.asyncio
async def test_bad_blob_and_bad_body(fake: FakeLavalink, http: aiohttp.ClientSession) -> None:
    _, session_id, ws = await connect(http, fake)
    status, error = await patch(http, fake, session_id, {"track": {"encoded": "garbage"}})
    assert status == 500
    assert "Failed to decode track" in error["message"]
    url = f"{fake.url}/v4/sessions/{session_id}/players/5"
    async with http.patch(
        url, data=b"{not json", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 400
    async with http.patch(f"{fake.url}/v4/sessions/{session_id}", json={"timeout": "x"}) as r:
        assert r.status == 400
    async with http.get(fake.url + "/v4/decodetrack", params={"encodedTrack": "zz"}) as r:
        assert r.status == 500
    await ws.close()


@pytest.mark.asyncio
async def test_event_order_and_player_updates(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    _, player = await patch(http, fake, session_id, {"voice": VOICE})
    assert player["state"]["connected"] is True
    assert 0 <= player["state"]["ping"] < 100
    assert player["track"] is None
    voice_update = await client.next("playerUpdate")  # the voice gateway became ready
    assert voice_update["state"]["connected"] is True
    before = int(time.time() * 1000)
    await patch(http, fake, session_id, {"track": {"encoded": SONG.encoded, "userData": {"a": 1}}})
    await patch(http, fake, session_id, {"track": {"encoded": SHORT.encoded}})
    # the fake logs a frame as it sends it: these are all in fake.sent before the answer
    frames = [json.loads(raw) for sid, raw in fake.sent if sid == session_id]
    kinds = [f.get("type", f["op"]) for f in frames]
    first_start = kinds.index("TrackStartEvent")
    assert kinds[first_start : first_start + 5] == [
        "TrackStartEvent",
        "playerUpdate",
        "TrackEndEvent",
        "TrackStartEvent",
        "playerUpdate",
    ]
    replaced = frames[first_start + 2]
    assert replaced["reason"] == "replaced"
    assert replaced["track"]["userData"] == {"a": 1}
    assert replaced["track"]["info"]["position"] >= 0
    update = frames[first_start + 1]
    assert before - 1000 <= update["state"]["time"] <= int(time.time() * 1000) + 1000
    await fake.finish_track(5)
    # Read on to the finish: the socket still holds the frames above (the replaced end, the
    # second start, its updates), and reading the updates below from there would mix the
    # old track's into the new one's.
    end = await client.next("event", "TrackEndEvent")
    if end["reason"] == "replaced":
        end = await client.next("event", "TrackEndEvent")
    assert (end["reason"], end["track"]["info"]["title"]) == ("finished", "Short")
    # periodic updates while playing (interval 0.1 s, 10 ms at ten times the speed) and none
    # once idle
    fake.time_scale = 10
    await patch(http, fake, session_id, {"track": {"encoded": SONG.encoded}})
    await client.next("event", "TrackStartEvent")
    updates = [await client.next("playerUpdate") for _ in range(3)]
    positions = [u["state"]["position"] for u in updates]
    assert positions == sorted(positions)
    assert positions[-1] > 0
    fake.time_scale = 1  # back to one update every 0.1 s: none between the next frames
    await fake.stick_track(5, threshold_ms=123)
    await fake.fail_track(5, message="boom", severity="fault")
    sent = [json.loads(raw) for sid, raw in fake.sent if sid == session_id]
    tail = [frame for frame in sent if frame["op"] != "stats"][-5:]
    kinds = [f.get("type", f["op"]) for f in tail]
    stuck = kinds.index("TrackStuckEvent")
    assert kinds[stuck:] == [
        "TrackStuckEvent",
        "playerUpdate",
        "TrackExceptionEvent",
        "TrackEndEvent",
    ]
    assert tail[stuck]["thresholdMs"] == 123
    assert tail[stuck + 2]["exception"]["severity"] == "fault"
    assert tail[stuck + 2]["exception"]["message"] == "boom"
    assert tail[stuck + 3]["reason"] == "finished"
    assert fake.sessions[session_id].players[5].track is None
    await ws.close()


@pytest.mark.asyncio
async def test_end_time_pause_and_seek_drive_the_finish(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    fake.time_scale = 10  # every wait below on playback is ten times shorter
    client, session_id, ws = await connect(http, fake)
    long = factories.make_track(title="Long", length=60_000)
    for guild in (5, 6):  # a player plays only with a voice connection
        await patch(http, fake, session_id, {"voice": VOICE}, guild=guild)
    # endTime ends the track with `finished`
    await patch(http, fake, session_id, {"track": {"encoded": long.encoded}, "endTime": 200})
    end = await client.next("event", "TrackEndEvent", timeout=2)
    assert end["reason"] == "finished"
    assert end["track"]["info"]["position"] >= 150
    # a paused track does not finish; unpausing resumes the countdown
    await patch(http, fake, session_id, {"track": {"encoded": SHORT.encoded}, "paused": True})
    await patch(http, fake, session_id, {"track": {"encoded": SHORT.encoded}}, guild=6)
    other = await client.next("event", "TrackEndEvent")  # the same track, unpaused, is over
    assert other["guildId"] == "6"
    player = fake.sessions[session_id].players[5]
    assert player.track is not None
    assert player.position == 0
    await patch(http, fake, session_id, {"paused": False})
    end = await client.next("event", "TrackEndEvent", timeout=2)
    assert (end["reason"], end["track"]["info"]["title"]) == ("finished", "Short")
    # a seek near the end brings the finish forward
    await patch(http, fake, session_id, {"track": {"encoded": long.encoded}})
    started = time.monotonic()
    await patch(http, fake, session_id, {"position": 59_800})
    end = await client.next("event", "TrackEndEvent", timeout=2)
    assert end["reason"] == "finished"
    assert time.monotonic() - started < 1.0
    # a new track with a start position; position is ignored while idle
    _, player_json = await patch(http, fake, session_id, {"position": 5_000})
    assert player_json["track"] is None
    _, player_json = await patch(
        http, fake, session_id, {"track": {"encoded": long.encoded}, "position": 30_000}
    )
    assert player_json["track"]["info"]["position"] >= 30_000
    await ws.close()


@pytest.mark.asyncio
async def test_time_scale_runs_playback_updates_stats_and_uptime_faster(
    http: aiohttp.ClientSession,
) -> None:
    minute = factories.make_track(title="Minute", length=60_000)
    async with FakeLavalink(password=PASSWORD, time_scale=100) as fake:
        assert fake.time_scale == 100
        client, session_id, ws = await connect(http, fake)
        first_stats = await client.next("stats")
        started = time.monotonic()
        await patch(http, fake, session_id, {"voice": VOICE, "track": {"encoded": minute.encoded}})
        await client.next("event", "TrackStartEvent")
        await client.next("playerUpdate")  # the one a new track sends at once
        # playerUpdate every 5 s on the node's clock: 50 ms of wall time, 5 s of track apart
        a, b = [(await client.next("playerUpdate"))["state"] for _ in range(2)]
        assert b["position"] - a["position"] >= 4_990
        assert 90 <= (b["position"] - a["position"]) / max(1, b["time"] - a["time"]) <= 110
        # a minute of track ends after 0.6 s of wall time
        end = await client.next("event", "TrackEndEvent", timeout=5)
        assert (end["reason"], end["track"]["info"]["position"]) == ("finished", 60_000)
        assert 0.59 <= time.monotonic() - started < 6
        # stats every 60 s on the node's clock (0.6 s), and the uptime counts node time
        stats = await fake.wait_for_frame(
            lambda f: f["uptime"] > first_stats["uptime"], op="stats", session_id=session_id
        )
        assert 60_000 <= stats["uptime"] - first_stats["uptime"] < 600_000
        await ws.close()


@pytest.mark.asyncio
async def test_time_scale_set_while_playing_carries_positions_on(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    await patch(http, fake, session_id, {"voice": VOICE, "track": {"encoded": SONG.encoded}})
    await patch(http, fake, session_id, {"track": {"encoded": SONG.encoded}, "paused": True}, 6)
    await client.next("event", "TrackStartEvent")
    mark = len(fake.sent)
    await fake.wait_for_frame(lambda f: f["guildId"] == "5", op="playerUpdate", after=mark)
    playing, paused = (fake.sessions[session_id].players[g] for g in (5, 6))
    before = playing.position, paused.position
    assert before[0] >= 100  # 0.1 s of real time played
    fake.time_scale = 1000
    assert before[0] <= playing.position < before[0] + 10_000  # from where it was, not 0
    assert paused.position == before[1]
    # the end timer is set again: three minutes of track take 0.18 s from here
    end = await client.next("event", "TrackEndEvent", timeout=3)
    assert (end["guildId"], end["reason"]) == ("5", "finished")
    assert paused.track is not None
    for wrong in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="time_scale"):
            fake.time_scale = wrong
        with pytest.raises(ValueError, match="time_scale"):
            FakeLavalink(time_scale=wrong)
    assert fake.time_scale == 1000
    await ws.close()


@pytest.mark.asyncio
async def test_paused_session_queues_events_and_stats_but_drops_updates(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    async with http.patch(
        f"{fake.url}/v4/sessions/{session_id}", json={"resuming": True, "timeout": 10}
    ) as response:
        assert response.status == 200
    await patch(http, fake, session_id, {"voice": VOICE, "track": {"encoded": SONG.encoded}})
    await patch(http, fake, session_id, {"voice": VOICE}, guild=6)
    await client.next("event", "TrackStartEvent")
    await ws.close()
    await fake.wait_until(lambda: fake.sessions[session_id].paused)
    session = fake.sessions[session_id]
    assert session.paused
    assert session.resuming
    assert session.timeout == 10
    position = session.players[5].position
    # two stats (and four update ticks) pass while paused: only the stats are queued
    await fake.wait_until(lambda: len(session.queue) >= 2)
    assert session.players[5].position > position  # still playing
    await fake.close_voice(6)
    async with http.get(f"{fake.url}/v4/sessions/{session_id}/players") as response:
        assert response.status == 404
    trace, answered = answered_headers()
    async with aiohttp.ClientSession(trace_configs=[trace]) as traced:
        response = await traced.ws_connect(
            fake.ws_url, headers={**HEADERS, "Session-Id": session_id}
        )
        assert answered[-1]["Session-Resumed"] == "true"
        resumed = Client(response)
        ready = await resumed.next()
        assert ready == {"op": "ready", "resumed": True, "sessionId": session_id}
        replay = [await resumed.next() for _ in range(4)]
        ops = [f.get("type", f["op"]) for f in replay]
        # the queue (stats that fired, then the voice close) comes first, in order, then one
        # playerUpdate per player; no playerUpdate was queued
        assert ops.count("stats") >= 2
        assert "WebSocketClosedEvent" in ops
        after_close = ops.index("WebSocketClosedEvent")
        assert all(op == "stats" for op in ops[:after_close])
        rest = ops[after_close + 1 :]
        while len([op for op in rest if op == "playerUpdate"]) < 2:
            rest.append((await resumed.next("playerUpdate"))["op"])
        updates = [f for f in resumed.frames if f["op"] == "playerUpdate"]
        assert {u["guildId"] for u in updates[:2]} == {"5", "6"}
        assert fake.sessions[session_id].resuming  # the setting survives the resume
        async with http.get(f"{fake.url}/v4/sessions/{session_id}/players") as players:
            assert len(await players.json()) == 2
        await response.close()


@pytest.mark.asyncio
async def test_drop_connections_cuts_without_close_frame(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, kept, ws = await connect(http, fake)
    async with http.patch(f"{fake.url}/v4/sessions/{kept}", json={"resuming": True}):
        pass
    _, lost, ws2 = await connect(http, fake)
    await fake.wait_for_connections(2)
    await patch(http, fake, lost, {"track": {"encoded": SONG.encoded}})
    await fake.drop_connections()
    for socket in (ws, ws2):
        message = await until_closed(socket)
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        assert socket.close_code in (None, 1006)
    assert fake.is_running
    assert fake.sessions[kept].paused
    assert lost not in fake.sessions
    # the server still answers after the cut
    _, again, ws3 = await connect(http, fake, **{"Session-Id": kept})
    assert again == kept
    await ws3.close()


@pytest.mark.asyncio
async def test_requests_are_recorded_and_can_be_awaited(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, session_id, ws = await connect(http, fake)
    waiter = asyncio.create_task(
        fake.wait_for_request(lambda r: r.method == "PATCH" and r.path.endswith("/players/7"))
    )
    await patch(http, fake, session_id, {"volume": 50}, guild=7, noReplace="false")
    recorded = await waiter
    assert recorded.json() == {"volume": 50}
    assert recorded.query == {"noReplace": "false"}
    assert recorded.headers["Authorization"] == PASSWORD
    assert recorded.status == 200
    assert fake.sessions[session_id].players[7].volume == 50
    with pytest.raises(TimeoutError):
        await fake.wait_for_request(lambda r: r.path == "/never", timeout=0.1)
    fake.fail_rest(502, count=2)
    for _ in range(2):
        async with http.get(fake.url + "/v4/stats") as response:
            assert response.status == 502
            assert (await response.json())["status"] == 502
    async with http.get(fake.url + "/v4/stats") as response:
        assert response.status == 200
    fake.set_latency(0.2)
    started = time.monotonic()
    async with http.get(fake.url + "/version"):
        pass
    assert time.monotonic() - started >= 0.2
    fake.set_latency(0)
    await ws.close()


def test_factories_build_protocol_models() -> None:
    track = factories.make_track(title="Hello World!", position=10, user_data={"k": 1})
    assert track.info.identifier == "hello-world"
    assert track.user_data == {"k": 1}
    assert decode_track_blob(track.encoded) == track.info
    playlist = factories.make_playlist("P", [track], selected_track=0)
    assert playlist.tracks == [track]
    assert factories.make_search([track]).tracks == [track]
    player = factories.make_player(5, track=track)
    assert (player.guild_id, player.state.position, player.state.connected) == (5, 10, True)
    idle = factories.make_player(6, connected=False)
    assert (idle.state.ping, idle.voice.channel_id) == (-1, None)
    assert factories.make_stats(players=2).players == 2


@pytest.mark.asyncio
async def test_empty_and_error_factories_load_as_lavalink_answers_them(
    http: aiohttp.ClientSession,
) -> None:
    catalogue = {"nothing": factories.make_empty(), "gone": factories.make_load_error()}
    async with FakeLavalink(password=PASSWORD, catalogue=catalogue) as fake:
        for identifier, vector in (("nothing", "empty"), ("gone", "error")):
            url = f"{fake.url}/v4/loadtracks"
            async with http.get(url, params={"identifier": identifier}) as response:
                answered = await response.json()
            real = json.loads(load_vector(f"rest-loadtracks-{vector}.json"))
            assert answered["loadType"] == real["loadType"]
            if real["data"] is None:
                assert answered["data"] is None
            else:  # the same fields as the server's, and a "common" failure
                assert set(answered["data"]) == set(real["data"])
                assert answered["data"]["severity"] == "common"
    assert isinstance(hl.decode_load_result(json.dumps(answered)), hl.ErrorResult)
    assert factories.make_empty().tracks == factories.make_load_error().tracks == []


@pytest.mark.asyncio
async def test_ids_must_parse_as_java_longs(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, ws = await connect(http, fake)
    await ws.send_str('{"op": "play"}')  # v4 ignores what clients send
    base = f"{fake.url}/v4/sessions/{session_id}/players/"
    for guild in ("%C2%B2", "-1", "9223372036854775808", "1.5"):
        async with http.get(base + guild) as response:
            assert response.status == 400, guild
            assert (await response.json())["status"] == 400
    async with http.get(base + "9223372036854775807") as response:
        assert (await response.json())["message"] == "Player not found"
    await fake.send_stats(session_id)
    assert (await client.next("stats"))["op"] == "stats"
    await ws.close()


@pytest.mark.asyncio
async def test_a_held_request_is_recorded_and_answered_only_when_released(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, session_id, ws = await connect(http, fake)
    hold = fake.hold("PATCH", f"/v4/sessions/{session_id}/players")
    assert "held=False" in repr(hold)
    path = f"/v4/sessions/{session_id}/players/5"
    url = fake.url + path
    answer = asyncio.ensure_future(http.patch(url, json={"volume": 50}))
    held = await hold.reached()
    assert (held.method, held.path, held.status) == (
        "PATCH",
        f"/v4/sessions/{session_id}/players/5",
        0,
    )
    async with http.get(f"{fake.url}/v4/sessions/{session_id}/players") as players:
        assert await players.json() == []  # not applied while held; other requests go on
    hold.release()
    async with await answer as response:
        assert response.status == 200
        assert (await response.json())["volume"] == 50
    assert held.status == 200
    mark = len(fake.requests)
    async with http.patch(url, json={"volume": 60}) as again:  # a hold takes one request
        assert again.status == 200
    later = await fake.wait_for_request(lambda r: r.method == "PATCH", after=mark)
    assert later is not held  # only what came after the mark
    assert later.json() == {"volume": 60}
    await ws.close()


@pytest.mark.asyncio
async def test_a_player_without_voice_does_not_play(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    # Lavalink pulls frames only for a player with a voice connection: with none (never
    # sent, or closed), the track starts but does not advance, and never ends.
    fake.time_scale = 1000  # SHORT (2 s) would end in 2 ms, were it played
    client, session_id, ws = await connect(http, fake)
    await patch(http, fake, session_id, {"track": {"encoded": SHORT.encoded}})
    await client.next("event", "TrackStartEvent")
    update = await client.next("playerUpdate")
    assert update["state"]["connected"] is False
    player = fake.sessions[session_id].players[5]
    assert player.position == 0
    await client.next("playerUpdate")  # time passes (node time, 1000x): still at 0
    assert player.position == 0
    assert not [f for f in client.frames if f.get("type") == "TrackEndEvent"]
    await patch(http, fake, session_id, {"voice": VOICE})  # connected: it plays, and ends
    end = await client.next("event", "TrackEndEvent", timeout=2)
    assert end["reason"] == "finished"
    # And a voice closed mid-track stops it where it is.
    await patch(http, fake, session_id, {"track": {"encoded": SONG.encoded}})
    await fake.close_voice(5)
    stopped_at = player.position
    await client.next("playerUpdate")
    assert player.position == stopped_at
    await ws.close()
