"""FakeLavalink's LavaLyrics and SponsorBlock behave as the plugins' code does
(`../shared/lavalink-plugins.md` §3, §4), driven by a raw aiohttp client."""

from __future__ import annotations

import typing

import aiohttp
import msgspec
import pytest
import pytest_asyncio
from tests.testing.test_fake_lavalink import PASSWORD, VOICE, connect, patch

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

    from tests.testing.test_fake_lavalink import Client

PLUGINS = {"lavalyrics-plugin": "1.1.0", "sponsorblock-plugin": "3.0.0"}
SUNG = factories.make_track(title="Sung", length=60_000)
VIDEO = factories.make_track(title="V", length=60_000, source_name="youtube", identifier="vid")
LYRICS = hl.Lyrics(
    source_name="deezer",
    lines=[hl.LyricsLine(timestamp=t, line=str(t)) for t in (1_000, 2_000, 3_000)],
)
GUILD = 5


@pytest_asyncio.fixture
async def fake() -> collections.abc.AsyncIterator[FakeLavalink]:
    async with FakeLavalink(password=PASSWORD, plugins=PLUGINS, time_scale=10) as server:
        server.set_lyrics(SUNG, LYRICS)
        server.set_lyrics("spoken", hl.Lyrics(source_name="youtube", text="words"))
        server.set_segments(
            VIDEO,
            [hl.Segment(category="sponsor", start=2_000, end=4_000)],
            [hl.Chapter(name="A", start=0, end=60_000, duration=60_000)],
        )
        yield server


@pytest_asyncio.fixture
async def http() -> collections.abc.AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": PASSWORD}) as session:
        yield session


def player_url(fake: FakeLavalink, session_id: str, tail: str, guild: int | str = GUILD) -> str:
    return f"{fake.url}/v4/sessions/{session_id}/players/{guild}{tail}"


async def call(
    http: aiohttp.ClientSession, method: str, url: str, **options: typing.Any
) -> tuple[int, typing.Any]:
    async with http.request(method, url, **options) as response:
        text = await response.text()
        body = msgspec.json.decode(text) if text else None
        return response.status, body


async def playing(
    http: aiohttp.ClientSession, fake: FakeLavalink, session_id: str, track: hl.Track, **query: str
) -> None:
    body = {"voice": VOICE, "track": {"encoded": track.encoded}}
    status, _ = await patch(http, fake, session_id, body, GUILD, **query)
    assert status == 200


async def event(client: Client, kind: str) -> dict[str, typing.Any]:
    return await client.next("event", kind)


@pytest.mark.asyncio
async def test_lyrics_routes_answer_as_lavalyrics(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    status, body = await call(http, "GET", f"{fake.url}/v4/lyrics", params={"track": SUNG.encoded})
    assert status == 200
    assert body["sourceName"] == "deezer"
    assert body["provider"] is None  # a nullable with no default: written as null
    assert body["lines"][0] == {"timestamp": 1000, "duration": None, "line": "1000", "plugin": {}}
    status, _ = await call(http, "GET", f"{fake.url}/v4/lyrics", params={"track": VIDEO.encoded})
    assert status == 204
    status, body = await call(http, "GET", f"{fake.url}/v4/lyrics", params={"track": "!!"})
    assert (status, body["message"]) == (
        500,
        "Failed to decode track due to a mismatching version or missing source manager",
    )
    status, body = await call(http, "GET", f"{fake.url}/v4/lyrics")
    assert status == 400
    status, _ = await call(
        http, "GET", f"{fake.url}/v4/lyrics", params={"track": SUNG.encoded, "skipTrackSource": "x"}
    )
    assert status == 400
    _, session_id, _ = await connect(http, fake)
    status, body = await call(http, "GET", player_url(fake, session_id, "/track/lyrics"))
    assert (status, body["message"]) == (404, "Player not found")
    await patch(http, fake, session_id, {"voice": VOICE}, GUILD)
    status, body = await call(http, "GET", player_url(fake, session_id, "/track/lyrics"))
    assert (status, body["message"]) == (404, "No track playing")
    await playing(http, fake, session_id, SUNG)
    status, body = await call(http, "GET", player_url(fake, session_id, "/track/lyrics"))
    assert (status, len(body["lines"])) == (200, 3)
    status, body = await call(http, "GET", player_url(fake, "nosuchsession", "/track/lyrics"))
    assert (status, body["message"]) == (404, "Session not found")


@pytest.mark.asyncio
async def test_live_lyrics_as_lavalyrics_sends_them(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, _ = await connect(http, fake)
    subscribe = player_url(fake, session_id, "/lyrics/subscribe")
    # A session the plugin never saw open: 204, nothing kept.
    assert (await call(http, "POST", player_url(fake, "nosuchsession", "/lyrics/subscribe")))[
        0
    ] == 204
    # No player: recorded first, then 404.
    status, body = await call(http, "POST", subscribe)
    assert (status, body["message"]) == (404, "Player not found")
    assert fake.lyrics_subscriptions(session_id) == {GUILD: False}
    await playing(http, fake, session_id, SUNG)
    found = await event(client, "LyricsFoundEvent")
    assert found["lyrics"]["lines"][2]["line"] == "3000"
    lines = [await event(client, "LyricsLineEvent") for _ in range(3)]
    assert [(f["lineIndex"], f["skipped"]) for f in lines] == [(0, False), (1, False), (2, False)]
    # Subscribing while a track plays: its lyrics before the 204, the passed lines skipped.
    await playing(http, fake, session_id, SUNG, noReplace="false")
    await event(client, "LyricsFoundEvent")
    await event(client, "LyricsLineEvent")  # line 0 of the new play
    mark = len(fake.sent)
    status, _ = await call(http, "POST", subscribe, params={"skipTrackSource": "true"})
    assert status == 204
    assert any(b'"LyricsFoundEvent"' in data for _, data in fake.sent[mark:])
    assert fake.lyrics_subscriptions(session_id) == {GUILD: True}
    # Untimed lyrics: not found.
    fake.catalogue["spoken"] = hl.TrackResult(data=SUNG)
    spoken = msgspec.structs.replace(
        SUNG, info=msgspec.structs.replace(SUNG.info, identifier="spoken")
    )
    fake.set_lyrics(spoken.encoded, hl.Lyrics(source_name="youtube", text="words"))
    await playing(http, fake, session_id, spoken)
    await event(client, "LyricsNotFoundEvent")
    assert (await call(http, "DELETE", subscribe))[0] == 204
    assert fake.lyrics_subscriptions(session_id) == {}


@pytest.mark.asyncio
async def test_a_seek_past_lines_sends_them_skipped_and_a_seek_back_sends_none(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, _ = await connect(http, fake)
    await call(http, "POST", player_url(fake, session_id, "/lyrics/subscribe"))
    await playing(http, fake, session_id, SUNG)
    await event(client, "LyricsFoundEvent")
    await patch(http, fake, session_id, {"position": 2_500}, GUILD)
    lines = [await event(client, "LyricsLineEvent") for _ in range(2)]
    assert [(f["lineIndex"], f["skipped"]) for f in lines] == [(0, True), (1, True)]
    third = await event(client, "LyricsLineEvent")
    assert (third["lineIndex"], third["skipped"]) == (2, False)
    await patch(http, fake, session_id, {"position": 0}, GUILD)
    remote = fake.sessions[session_id].players[GUILD]
    await fake.wait_until(lambda: remote.position >= 4_000)  # past every line again: none sent
    assert sum(b'"LyricsLineEvent"' in data for _, data in fake.sent) == 3


@pytest.mark.asyncio
async def test_a_resume_wipes_both_and_a_destroy_only_the_categories(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    _, session_id, ws = await connect(http, fake)
    categories = player_url(fake, session_id, "/sponsorblock/categories")
    status, body = await call(http, "GET", categories)
    assert (status, body["message"]) == (404, "Guild not found")
    status, body = await call(http, "GET", player_url(fake, "nosuch", "/sponsorblock/categories"))
    assert (status, body["message"]) == (404, "Session not found")
    assert (await call(http, "PUT", categories, json=["sponsor", "intro", "sponsor"])) == (
        200,
        None,
    )
    assert await call(http, "GET", categories) == (200, ["sponsor", "intro"])
    status, _ = await call(http, "PUT", categories, data=b'{"not": "a list"}')
    assert status == 400
    status, _ = await call(
        http, "PUT", player_url(fake, session_id, "/sponsorblock/categories", "x"), json=[]
    )
    assert status == 400  # a guild that is no long
    await patch(http, fake, session_id, {"voice": VOICE}, GUILD)
    await call(http, "POST", player_url(fake, session_id, "/lyrics/subscribe"))
    # The player's destroy: its categories go, its subscription (the plugin's bug) stays.
    assert (await call(http, "DELETE", player_url(fake, session_id, "")))[0] == 204
    assert fake.skip_categories(session_id) == {}
    assert fake.lyrics_subscriptions(session_id) == {GUILD: False}
    await call(http, "PUT", categories, json=["filler"])
    # Resuming: both gone (onWebSocketOpen makes a fresh map, resumed or not).
    status, _ = await call(
        http, "PATCH", f"{fake.url}/v4/sessions/{session_id}", json={"resuming": True}
    )
    assert status == 200
    await ws.close()
    await fake.wait_until(lambda: fake.sessions[session_id].paused)
    assert fake.skip_categories(session_id) == {GUILD: ["filler"]}  # kept while paused
    await connect(http, fake, **{"Session-Id": session_id})
    assert fake.sessions[session_id].ws is not None
    assert fake.skip_categories(session_id) == {}
    assert fake.lyrics_subscriptions(session_id) == {}
    assert (await call(http, "DELETE", categories)) == (200, None)  # always


@pytest.mark.asyncio
async def test_a_youtube_track_skips_its_segments_of_the_guilds_categories(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    client, session_id, _ = await connect(http, fake)
    await playing(http, fake, session_id, VIDEO)  # no categories: nothing
    await call(
        http, "PUT", player_url(fake, session_id, "/sponsorblock/categories"), json=["intro"]
    )
    await playing(http, fake, session_id, VIDEO)  # none of its segments is an intro
    chapters = await event(client, "ChaptersLoaded")  # chapters come with any categories
    assert chapters["chapters"][0]["duration"] == 60_000
    await event(client, "ChapterStarted")
    assert not any(b'"SegmentsLoaded"' in data for _, data in fake.sent)
    await call(
        http, "PUT", player_url(fake, session_id, "/sponsorblock/categories"), json=["sponsor"]
    )
    await playing(http, fake, session_id, VIDEO)
    loaded = await event(client, "SegmentsLoaded")
    assert loaded["segments"] == [{"category": "sponsor", "start": 2000, "end": 4000}]
    skipped = await event(client, "SegmentSkipped")
    assert skipped["segment"]["end"] == 4000
    remote = fake.sessions[session_id].players[GUILD]
    assert remote.position >= 4000


@pytest.mark.asyncio
async def test_sponsorblocks_markers_take_the_place_of_lavalyrics_lines(
    fake: FakeLavalink, http: aiohttp.ClientSession
) -> None:
    # Both plugins on one YouTube track: SponsorBlock's setMarker removes every other
    # marker of the track, LavaLyrics' lines among them (as Lavaplayer's TrackMarkerTracker).
    client, session_id, _ = await connect(http, fake)
    fake.set_lyrics(VIDEO, LYRICS)
    await patch(http, fake, session_id, {"voice": VOICE}, GUILD)
    await call(http, "POST", player_url(fake, session_id, "/lyrics/subscribe"))
    await call(
        http, "PUT", player_url(fake, session_id, "/sponsorblock/categories"), json=["sponsor"]
    )
    await playing(http, fake, session_id, VIDEO)
    await event(client, "LyricsFoundEvent")
    await event(client, "SegmentSkipped")
    remote = fake.sessions[session_id].players[GUILD]
    assert fake.plugin_hooks.markers.pending(remote) == []
    await fake.wait_until(lambda: remote.position >= 3_500)  # past every line: none sent
    assert not any(b'"LyricsLineEvent"' in data for _, data in fake.sent)
