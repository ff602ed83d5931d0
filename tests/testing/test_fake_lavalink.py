"""FakeLavalink behaves like Lavalink 4.2, driven by a raw aiohttp client."""

from __future__ import annotations

import asyncio
import json
import typing

import aiohttp
import pytest
import pytest_asyncio

import hikari_lavalink as hl
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
    await asyncio.sleep(0.1)
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
    await asyncio.sleep(0.05)
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
    await asyncio.sleep(0.05)
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
