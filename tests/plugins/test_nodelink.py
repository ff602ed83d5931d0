"""NodeLink: its JSON read into the library's models (the vectors), its events typed, and the
client on FakeNodeLink (commands, gapless ends, destroy, and the fake's refusals)."""

from __future__ import annotations

import json
import typing

import aiohttp
import pytest
from tests.bridge.conftest import PASSWORD, open_world
from tests.bridge.test_music import ALPHA, BETA, GAMMA, joined, start_queue, starts_after
from tests.conftest import PLUGIN_VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, messages, models, nodelink, routeplanner, routes
from hikari_lavalink.protocol.plugins import nodelink as nodelink_events
from hikari_lavalink.protocol.plugins import nodelink_lyrics, sponsorblock
from hikari_lavalink.testing import FakeLavalink, FakeNodeLink, factories

if typing.TYPE_CHECKING:
    from tests.bridge.conftest import World

GUILD = 817327181659111454

TYPED: dict[str, type[messages.PluginEventMessage]] = {
    "nodelink-event-PauseEvent.json": nodelink_events.NodeLinkPauseMessage,
    "nodelink-event-SeekEvent.json": nodelink_events.NodeLinkSeekMessage,
    "nodelink-event-VolumeChangedEvent.json": nodelink_events.NodeLinkVolumeChangedMessage,
    "nodelink-event-FiltersChangedEvent.json": nodelink_events.NodeLinkFiltersChangedMessage,
    "nodelink-event-PlayerConnectedEvent.json": nodelink_events.NodeLinkPlayerConnectedMessage,
    "nodelink-event-PlayerDestroyedEvent.json": nodelink_events.NodeLinkPlayerDestroyedMessage,
}


def vector(name: str) -> bytes:
    return (PLUGIN_VECTORS / name).read_bytes()


@pytest.mark.parametrize(
    "name", sorted(p.name for p in PLUGIN_VECTORS.glob("nodelink-event-*.json"))
)
def test_every_nodelink_event_vector_decodes(name: str) -> None:
    # The lyrics and SponsorBlock ones too (as whatever those plugins' modules make of them).
    message = codec.decode_message(vector(name))
    assert getattr(message, "guild_id", None) == GUILD
    if name in TYPED:
        assert type(message) is TYPED[name]


def test_nodelink_core_events_keep_their_extras_or_do_without() -> None:
    stuck = codec.decode_message(vector("nodelink-event-TrackStuckEvent.json"))
    assert isinstance(stuck, messages.TrackStuckMessage)
    assert stuck.reason == "Max recovery attempts exceeded"
    start = codec.decode_message(vector("nodelink-event-TrackStartEvent.json"))
    assert isinstance(start, messages.TrackStartMessage)
    assert start.track.plugin_info == {}  # NodeLink sends none
    assert start.playing_quality == 251  # the itag it plays
    closed = codec.decode_message(vector("nodelink-event-WebSocketClosedEvent-destroy.json"))
    assert closed == messages.WebSocketClosedMessage(
        guild_id=GUILD, code=1000, reason="destroyed by client", by_remote=False
    )
    voice = codec.decode_message(vector("nodelink-event-PlayerConnectedEvent.json"))
    assert isinstance(voice, nodelink_events.NodeLinkPlayerConnectedMessage)
    assert voice.voice.channel_id == 817327181659111457
    assert "a1b2c3d4e5f60718" not in repr(voice)  # the voice token is not kept
    filters = codec.decode_message(vector("nodelink-event-FiltersChangedEvent.json"))
    assert isinstance(filters, nodelink_events.NodeLinkFiltersChangedMessage)
    assert filters.filters == hl.Filters(timescale=hl.Timescale(speed=1.1))


def test_the_nodelink_player_vector_reads_as_the_model() -> None:
    player = nodelink.decode_player(vector("nodelink-player.json"))
    assert player.guild_id == GUILD
    assert player.track is not None
    assert player.track.user_data == {"requester": "123456789012345678"}
    assert player.voice.channel_id == 817327181659111457
    assert (player.state.ping, player.state.position) == (23, 42000)
    assert player.filters == hl.Filters()


def test_a_fresh_nodelink_player_with_fading_filters_reads_as_the_model() -> None:
    raw = json.loads(vector("nodelink-player.json"))
    raw["voice"] = {"sessionId": None, "token": None, "endpoint": None, "channelId": None}
    raw["state"] = {"time": 1, "position": 0, "connected": False, "ping": 0}
    del raw["track"]["userData"]
    raw["filters"] = {
        "filters": {
            "timescale": {"speed": 1.2, "transition": {"durationMs": 300, "curve": "linear"}},
            "karaoke": {"level": 1.0, "_disabled": True},
            "echo": {"delay": 0.5},  # NodeLink's own: not a Lavalink filter
        }
    }
    (player,) = nodelink.decode_players(json.dumps([raw]).encode())
    assert player.voice == models.VoiceState(token="", endpoint="", session_id="", channel_id=None)
    assert player.state.ping == -1  # unknown, as Lavalink says it
    assert player.track is not None
    assert player.track.user_data == {}
    assert player.filters == hl.Filters(timescale=hl.Timescale(speed=1.2))
    with pytest.raises(hl.RemoteProtocolError, match="NodeLink"):
        nodelink.decode_player(b'{"guildId": "1", "state": 3}')


def test_nodelink_stats_and_route_planner_read_as_the_models() -> None:
    frame = (
        b'{"op":"stats","players":1,"playingPlayers":1,"uptime":5,'
        b'"memory":{"free":1,"used":2,"allocated":3,"reservable":4},'
        b'"cpu":{"cores":4,"systemLoad":0.5,"nodelinkLoad":0.25},"frameStats":null}'
    )
    stats = codec.decode_message(frame)
    assert isinstance(stats, messages.StatsMessage)
    assert (stats.cpu.lavalink_load, stats.cpu.nodelink_load) == (0.0, 0.25)
    planner = nodelink.decode_route_planner_status(
        b'{"class":"BalancingIpRoutePlanner","details":{"ipBlock":{"type":"Inet6Address",'
        b'"size":2},"failingAddresses":[],"strategy":"RotateOnBan","currentAddress":null,'
        b'"blockIndex":null,"ipIndex":null}}'
    )
    assert isinstance(planner, routeplanner.BalancingIpRoutePlanner)
    assert planner.details.ip_block.size == "2"


def test_nodelinks_unknown_session_is_a_session_not_found_error() -> None:
    body = json.dumps(
        {"status": 404, "error": "Not Found", "message": "The provided sessionId doesn't exist."}
    ).encode()
    route = routes.get_players("gone", nodelink=True)
    with pytest.raises(hl.SessionNotFoundError):
        routes.parse_response(route, 404, body)


async def _on_nodelink(world: World) -> hl.Player:
    node = world.lava.nodes["main"]
    assert node.is_nodelink
    assert node.info is not None
    assert node.info.jvm == ""
    return await joined(world)


@pytest.mark.asyncio
async def test_every_command_works_on_nodelink_and_its_events_are_typed() -> None:
    async with open_world(server=FakeNodeLink) as world:
        mark = len(world.events)
        player = await _on_nodelink(world)
        created = await world.wait_event(hl.NodeLinkPlayerCreatedEvent, after=mark)
        assert created.player is player
        connected = await world.wait_event(hl.NodeLinkPlayerConnectedEvent, after=mark)
        assert connected.voice.channel_id == player.channel_id
        assert player.voice is not None
        assert player.voice.token not in repr(connected)
        await player.play(ALPHA)
        await player.pause()
        assert player.paused
        paused = await world.wait_event(hl.NodeLinkPauseEvent, after=mark)
        assert paused.paused
        await player.seek(30_000)
        seek = await world.wait_event(hl.NodeLinkSeekEvent, after=mark)
        assert seek.position == 30_000
        assert player.position == 30_000
        await player.set_volume(250)
        volume = await world.wait_event(hl.NodeLinkVolumeChangedEvent, after=mark)
        assert volume.volume == player.volume == 250
        chosen = hl.Filters(timescale=hl.Timescale(speed=1.25), karaoke=hl.Karaoke())
        await player.set_filters(chosen)
        assert player.filters == chosen  # read back from NodeLink's nested filters
        changed = await world.wait_event(hl.NodeLinkFiltersChangedEvent, after=mark)
        assert changed.filters == chosen
        remote = await player.node.fetch_player(player.guild_id)
        assert (remote.volume, remote.paused, remote.filters) == (250, True, chosen)
        assert remote.voice.channel_id == player.channel_id
        assert await player.node.fetch_route_planner_status() is not None
        assert (await player.node.fetch_stats()).cpu.nodelink_load is not None
        assert await player.node.fetch_version() == "3.8.0"
        patches = [r for r in world.lavalink.requests if r.method == "PATCH"]
        assert patches
        assert all("encodedTrack" not in r.json() for r in patches if r.body)
        assert all(r.status == 200 for r in patches)


@pytest.mark.asyncio
async def test_play_unpauses_on_nodelink_though_a_new_track_keeps_its_pause_there() -> None:
    async with open_world(server=FakeNodeLink) as world:
        player = await _on_nodelink(world)
        await player.play(ALPHA, paused=True)
        # A raw update without `paused`: NodeLink keeps the pause (Lavalink would unpause).
        track = hl.UpdatePlayerTrack(encoded=BETA.encoded)
        await player.update(hl.UpdatePlayer(track=track))
        assert player.paused
        await player.play(GAMMA)  # play() says paused=false: the same on both servers
        assert not player.paused
        assert player.track is not None
        assert player.track.encoded == GAMMA.encoded


@pytest.mark.asyncio
async def test_a_gapless_or_crossfading_end_does_not_advance_the_queue() -> None:
    async with open_world(server=FakeNodeLink) as world:
        fake = typing.cast("FakeNodeLink", world.lavalink)
        player = await _on_nodelink(world)
        player.queue.add(ALPHA, BETA)
        await start_queue(world, player)
        for reason, preloaded in (("gapless", GAMMA), ("crossfading", ALPHA)):
            mark = len(world.events)
            await fake.play_next(player.guild_id, preloaded, reason=reason)
            end = await world.wait_event(hl.TrackEndEvent, after=mark)
            assert end.reason == reason
            assert not end.may_start_next
            await world.wait_event(
                hl.TrackStartEvent, lambda e, t=preloaded: e.track.encoded == t.encoded, after=mark
            )
            assert player.track is not None
            assert player.track.encoded == preloaded.encoded
        mark = len(world.events)
        await fake.finish_track(player.guild_id)  # the preloaded track ends: now it advances
        await world.wait_event(hl.TrackStartEvent, after=mark)
        assert starts_after(world, mark) == ["Beta"]
        ends = [e.reason for e in world.of(hl.TrackEndEvent)]
        assert ends == ["gapless", "crossfading", "finished"]  # nothing was replaced
        assert not world.of(hl.QueueEndEvent)


@pytest.mark.asyncio
async def test_a_leave_on_nodelink_raises_no_voice_socket_closed_event() -> None:
    async with open_world(server=FakeNodeLink) as world:
        player = await _on_nodelink(world)
        await player.play(ALPHA)
        mark = len(world.events)
        await world.lava.leave(player.guild_id)
        gone = await world.wait_event(hl.NodeLinkPlayerDestroyedEvent, after=mark)
        assert gone.player is None
        end = await world.wait_event(hl.TrackEndEvent, after=mark)
        assert (end.reason, end.player) == ("cleanup", player)  # the destroyed player's end
        frame = await world.lavalink.wait_for_frame(
            lambda f: f.get("type") == "WebSocketClosedEvent", op="event"
        )
        assert frame["reason"] == "destroyed by client"
        assert not world.of(hl.VoiceSocketClosedEvent)
        assert world.lava.get_player(player.guild_id) is None


@pytest.mark.asyncio
async def test_the_fake_refuses_what_nodelink_refuses() -> None:
    async with FakeNodeLink(password=PASSWORD) as fake, aiohttp.ClientSession() as http:
        url = fake.url

        async def call(
            method: str, path: str, *, auth: str = PASSWORD, body: object = None
        ) -> tuple[int, str, typing.Mapping[str, str]]:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Authorization": auth, "Content-Type": "application/json"}
            async with http.request(method, url + path, headers=headers, data=data) as answer:
                return answer.status, await answer.text(), answer.headers

        status, text, headers = await call("GET", "/v4/info", auth="wrong")
        assert (status, text) == (401, "Unauthorized")
        assert headers["Content-Type"].startswith("text/plain")
        status, text, headers = await call("GET", "/v4/info", auth=f"Bearer {PASSWORD}")
        assert status == 200
        assert json.loads(text)["isNodelink"] is True
        assert headers["IamNodelink"] == "true"
        assert headers["Nodelink-Api-Version"] == "4"
        assert "Lavalink-Api-Version" not in headers
        status, text, _ = await call("GET", "/v4/nothing")
        assert (status, json.loads(text)["message"]) == (404, "The requested route was not found.")
        status, text, _ = await call("PATCH", "/v4/sessions/nope/players/817327181659111454")
        assert (status, json.loads(text)["message"]) == (
            404,
            "The provided sessionId doesn't exist.",
        )
        status, text, _ = await call("GET", "/v4/sessions/nope/players/42")
        assert (status, json.loads(text)["message"]) == (400, "Invalid path parameters")


@pytest.mark.asyncio
async def test_the_fake_checks_a_player_patch_as_nodelink_does() -> None:
    async with open_world(server=FakeNodeLink) as world:
        player = await _on_nodelink(world)
        node = player.node
        session_id = node.session_id or ""
        for update, status, message in (
            (hl.UpdatePlayer(encoded_track=ALPHA.encoded), 500, "`encodedTrack` field"),
            (hl.UpdatePlayer(volume=1001), 400, "Invalid payload"),
            (hl.UpdatePlayer(end_time=-5), 400, "Invalid payload"),
        ):
            route = routes.update_player(session_id, player.guild_id, update, nodelink=True)
            with pytest.raises(hl.RestError) as caught:
                await node.request(route)
            assert caught.value.status == status
            assert caught.value.body is not None
            assert message in caught.value.body.message
        # A voice without channelId is fine on NodeLink (Lavalink 4.2 refuses it).
        assert player.voice is not None
        voice = hl.VoiceUpdate(
            token=player.voice.token,
            endpoint=player.voice.endpoint,
            session_id=player.voice.session_id,
        )
        route = routes.update_player(
            session_id, player.guild_id, hl.UpdatePlayer(voice=voice), nodelink=True
        )
        assert (await node.request(route)).voice.token == voice.token


@pytest.mark.parametrize(
    ("name", "timed"),
    [("nodelink-loadlyrics-synced.json", True), ("nodelink-loadlyrics-plain.json", False)],
)
def test_nodelinks_loadlyrics_reads_as_lavalyrics_lyrics(name: str, *, timed: bool) -> None:
    route = nodelink_lyrics.track_lyrics("QAAA")
    lyrics = routes.parse_response(route, 200, vector(name))
    assert lyrics is not None
    assert lyrics.text is not None
    assert lyrics.text.count("\n") == 2
    if timed:
        assert lyrics.source_name == "youtube"
        assert lyrics.lines is not None
        assert [line.timestamp for line in lyrics.lines] == [18640, 22640, 27640]
        assert lyrics.lines[0].duration == 3240
    else:
        assert lyrics.source_name == "genius"
        assert lyrics.lines is None
    empty = vector("nodelink-loadlyrics-empty.json")
    assert routes.parse_response(route, 200, empty) is None
    with pytest.raises(hl.RemoteProtocolError, match="NodeLink lyrics"):
        routes.parse_response(route, 200, b'{"loadType": 3}')


@pytest.mark.asyncio
async def test_lyrics_on_nodelink_come_from_its_loadlyrics() -> None:
    # NodeLink has lyrics built in (no LavaLyrics in its /v4/info): a track's lyrics come
    # from /v4/loadlyrics, and so do those of a player's track (it has no route for them).
    timed = hl.Lyrics(
        source_name="youtube",
        lines=[hl.LyricsLine(timestamp=1_000, duration=500, line="la")],
    )
    untimed = hl.Lyrics(source_name="genius", text="one\ntwo")
    async with open_world(server=FakeNodeLink) as world:
        player = await _on_nodelink(world)
        world.lavalink.set_lyrics(ALPHA, timed)
        world.lavalink.set_lyrics(BETA, untimed)
        got = await world.lava.fetch_lyrics(ALPHA)
        assert got is not None
        assert got.lines == timed.lines
        assert got.source_name == "youtube"
        got = await world.lava.fetch_lyrics(BETA.encoded, node=player.node)
        assert got is not None
        assert got.lines is None
        assert got.text == "one\ntwo"
        assert await world.lava.fetch_lyrics(GAMMA) is None
        assert [r.path for r in world.lavalink.requests].count("/v4/loadlyrics") == 3
        await player.play(ALPHA)
        got = await player.lyrics.fetch()  # the player's track's, from /v4/loadlyrics too
        assert got is not None
        assert got.lines == timed.lines
        assert [r.path for r in world.lavalink.requests].count("/v4/loadlyrics") == 4


def test_nodelinks_sponsorblock_events_decode_as_the_plugins() -> None:
    loaded = codec.decode_message(vector("nodelink-event-SponsorBlockSegmentsLoadedEvent.json"))
    assert isinstance(loaded, sponsorblock.NodeLinkSegmentsLoadedMessage)
    assert isinstance(loaded, sponsorblock.SegmentsLoadedMessage)
    assert loaded.segments
    assert all(s.start < s.end for s in loaded.segments)
    skipped = codec.decode_message(vector("nodelink-event-SponsorBlockSegmentSkippedEvent.json"))
    assert isinstance(skipped, sponsorblock.NodeLinkSegmentSkippedMessage)
    assert skipped.segment.category == "sponsor"
    assert skipped.track is not None


@pytest.mark.asyncio
async def test_nodelinks_sponsorblock_events_are_the_typed_events() -> None:
    # NodeLink skips segments when its config enables SponsorBlock: its events are ours.
    async with open_world(server=FakeNodeLink) as world:
        player = await _on_nodelink(world)
        await player.play(ALPHA)
        mark = len(world.events)
        for name in (
            "nodelink-event-SponsorBlockSegmentsLoadedEvent.json",
            "nodelink-event-SponsorBlockSegmentSkippedEvent.json",
        ):
            frame = json.loads(vector(name))
            frame["guildId"] = str(player.guild_id)
            await world.lavalink.send_raw(json.dumps(frame))
        skipped = await world.wait_event(hl.SegmentSkippedEvent, after=mark)
        loaded = await world.wait_event(hl.SegmentsLoadedEvent, after=mark)
        assert skipped.player is loaded.player is player
        assert skipped.segment.end == 95_430
        assert player.position >= 95_430  # moved to the segment's end
        assert not [e for e in world.events[mark:] if isinstance(e, hl.RawLavalinkEvent)]


@pytest.mark.asyncio
@pytest.mark.parametrize("server", [FakeLavalink, FakeNodeLink])
async def test_a_track_start_says_the_quality_nodelink_plays_a_video_in(
    server: type[FakeLavalink],
) -> None:
    video = factories.make_track(title="Video", source_name="youtube", length=600_000)
    async with open_world(server=server) as world:
        player = await joined(world)
        for track, quality in ((video, 251), (ALPHA, None)):
            mark = len(world.events)
            await player.play(track)
            started = await world.wait_event(hl.TrackStartEvent, after=mark)
            assert started.track.encoded == track.encoded
            expected = quality if server is FakeNodeLink else None
            assert started.playing_quality == expected
        # NodeLink's event tracks are its own object: no pluginInfo.
        frames = [json.loads(f) for _, f in world.lavalink.sent]
        starts = [f["track"] for f in frames if f.get("type") == "TrackStartEvent"]
        assert len(starts) == 2
        assert all(("pluginInfo" in t) is (server is not FakeNodeLink) for t in starts)
