"""NodeLink's built-in lyrics, live lyrics, SponsorBlock and chapters, through the same calls
as the Lavalink plugins' (`player.lyrics`, `player.sponsorblock`, `lava.fetch_chapters`), end
to end on FakeNodeLink: what is sent, what the bot sees, and its errors typed."""

from __future__ import annotations

import json
import typing

import pytest
from tests.plugins.plugin_world import (
    CHAPTERS,
    INTRO,
    LINES,
    SPOKEN,
    SPONSOR,
    SUNG,
    TIMED,
    VIDEO,
    joined,
    lines_of,
    played_past,
    plugin_events,
    plugin_world,
    requests_to,
)

import hikari_lavalink as hl
from hikari_lavalink.protocol import routes
from hikari_lavalink.protocol.plugins import (
    lavalyrics,
    lavasrc,
    nodelink_sponsorblock,
    sponsorblock,
)
from hikari_lavalink.runtime.plugin_routes import typed_error
from hikari_lavalink.testing import FakeNodeLink

if typing.TYPE_CHECKING:
    from tests.bridge.conftest import World

CATEGORIES = (hl.SponsorBlockCategory.SPONSOR, hl.SponsorBlockCategory.INTRO)
SLOW: typing.Final = 5.0
"""The lines (2, 4, 6 s) come 0.4 s apart."""


def fake_of(world: World) -> FakeNodeLink:
    fake = world.lavalink
    assert isinstance(fake, FakeNodeLink)
    return fake


@pytest.mark.asyncio
async def test_live_lyrics_on_nodelink_take_lavalyrics_paths_and_events() -> None:
    async with plugin_world(server=FakeNodeLink, time_scale=SLOW) as world:
        fake = fake_of(world)
        player = await joined(world)
        assert player.node.is_nodelink
        assert not player.node.has_plugin(hl.PluginName.LAVALYRICS)
        assert player.node.provides(hl.PluginName.LAVALYRICS)  # built in
        await player.play(SUNG, start=2_500)  # past the first line
        mark = len(world.events)
        await player.lyrics.subscribe()
        assert fake.lyrics_subscribed(player.guild_id)
        found = await world.wait_event(hl.LyricsFoundEvent, after=mark)
        assert found.player is player
        assert found.lyrics.source_name == "deezer"  # NodeLink names the track's source
        assert found.lyrics.lines == TIMED.lines
        assert found.lyrics.text == "one\ntwo\nthree"
        await world.wait_until(lambda: len(lines_of(world, mark)) == 3)
        # The line playback was at (one on from none: not skipped), then each on time.
        assert lines_of(world, mark) == [(0, False), (1, False), (2, False)]
        # Subscribed already: nothing sent. Another skipTrackSource: NodeLink keeps a first
        # subscription as it was, so it goes out and comes back.
        calls = len(fake.requests)
        await player.lyrics.subscribe()
        assert requests_to(world, "/lyrics/subscribe", calls) == []
        await player.lyrics.subscribe(skip_track_source=True)
        assert requests_to(world, "/lyrics/subscribe", calls) == ["DELETE", "POST"]
        query = [r.query for r in fake.requests[calls:] if r.method == "POST"]
        assert query == [{"skipTrackSource": "true"}]
        await player.lyrics.unsubscribe()
        assert not fake.lyrics_subscribed(player.guild_id)
        assert not player.lyrics.subscribed


@pytest.mark.asyncio
async def test_a_seek_back_on_nodelink_sends_the_line_again_and_each_track_its_lyrics() -> None:
    async with plugin_world(server=FakeNodeLink, time_scale=SLOW) as world:
        player = await joined(world)
        await player.lyrics.subscribe()  # before any track: nothing yet
        mark = len(world.events)
        await player.play(SUNG)
        await world.wait_until(lambda: len(lines_of(world, mark)) == 2)
        await player.pause()
        await player.seek(LINES[0] + 100)  # back to the first line
        await world.wait_until(lambda: len(lines_of(world, mark)) == 3)
        assert lines_of(world, mark) == [(0, False), (1, False), (0, False)]
        await player.seek(LINES[2] + 100)  # over the second: skipped
        await world.wait_until(lambda: len(lines_of(world, mark)) == 4)
        assert lines_of(world, mark)[3] == (2, True)
        assert len(world.of(hl.LyricsFoundEvent)) == 1
        # Each track loads its own: untimed lyrics are found with no lines; none: not found.
        mark = len(world.events)
        await player.play(SPOKEN)
        found = await world.wait_event(hl.LyricsFoundEvent, after=mark)
        assert found.lyrics.lines == []
        assert found.lyrics.text == "just words"
        await player.play(VIDEO)
        await world.wait_event(hl.LyricsNotFoundEvent, after=mark)


@pytest.mark.asyncio
async def test_a_nodelink_players_lyrics_are_its_tracks_and_errors_are_typed() -> None:
    async with plugin_world(server=FakeNodeLink) as world:
        fake = fake_of(world)
        player = await joined(world)
        calls = len(fake.requests)
        with pytest.raises(hl.NoTrackPlayingError):
            await player.lyrics.fetch()  # nothing plays: nothing sent
        assert len(fake.requests) == calls
        await player.play(SUNG)
        got = await player.lyrics.fetch()
        assert got is not None
        assert got.lines == TIMED.lines
        assert [r.query for r in fake.requests[calls:] if r.path == "/v4/loadlyrics"] == [
            {"encodedTrack": SUNG.encoded}
        ]
        # A guild without a player there: NodeLink's 500 "Player not found locally."
        node, other = player.node, world.discord.guilds[1].id
        with pytest.raises(hl.RestError) as caught:
            await node.request(lavalyrics.subscribe(node.session_id or "", other))
        assert caught.value.status == 500
        assert type(typed_error(caught.value)) is hl.PlayerNotFoundError
        with pytest.raises(hl.RestError) as caught:
            await node.request(nodelink_sponsorblock.get_state(node.session_id or "", other))
        assert caught.value.status == 404
        assert type(typed_error(caught.value)) is hl.PlayerNotFoundError


@pytest.mark.asyncio
async def test_sponsorblock_on_nodelink_is_its_state_on_the_player() -> None:
    async with plugin_world(server=FakeNodeLink) as world:
        fake = fake_of(world)
        player = await joined(world)
        assert fake.sponsorblock_state(player.guild_id)["enabled"] is False  # its config's
        assert await player.sponsorblock.fetch_categories() == []  # disabled: none skipped
        calls = len(fake.requests)
        await player.sponsorblock.set_categories(CATEGORIES)
        patch = next(r for r in fake.requests[calls:] if r.path.endswith("/sponsorblock"))
        assert (patch.method, json.loads(patch.body)) == (
            "PATCH",
            {"enabled": True, "categories": ["sponsor", "intro"], "actionTypes": ["skip"]},
        )
        state = fake.sponsorblock_state(player.guild_id)
        assert (state["enabled"], state["categories"]) == (True, ["sponsor", "intro"])
        assert await player.sponsorblock.fetch_categories() == ["sponsor", "intro"]
        mark = len(world.events)
        await player.play(VIDEO)
        loaded = await world.wait_event(hl.SegmentsLoadedEvent, after=mark)
        assert [(s.category, s.start, s.end) for s in loaded.segments] == [
            ("intro", INTRO.start, INTRO.end),
            ("sponsor", SPONSOR.start, SPONSOR.end),
        ]
        assert all(isinstance(s, hl.NodeLinkSegment) and s.uuid for s in loaded.segments)
        first = await world.wait_event(hl.SegmentSkippedEvent, after=mark)
        assert first.segment.category == "intro"
        second = await world.wait_event(
            hl.SegmentSkippedEvent, lambda e: e.segment.category == "sponsor", after=mark
        )
        assert second.player is player
        assert player.position >= SPONSOR.end
        assert player.sponsorblock.segments == tuple(loaded.segments)
        assert not [e for e in world.events[mark:] if isinstance(e, hl.RawLavalinkEvent)]
        await player.sponsorblock.clear()
        assert fake.sponsorblock_state(player.guild_id)["enabled"] is False
        assert await player.sponsorblock.fetch_categories() == []
        assert player.sponsorblock.categories is None
        assert requests_to(world, "/sponsorblock", calls) == ["PATCH", "GET", "PATCH", "GET"]


@pytest.mark.asyncio
async def test_the_fake_nodelink_answers_the_plugins_paths_as_nodelink_does() -> None:
    async with plugin_world(server=FakeNodeLink) as world:
        player = await joined(world)
        node, session = player.node, player.node.session_id or ""
        # The plugin's .../sponsorblock/categories reaches NodeLink's handler: its GET gets
        # the state (no list of categories), its PUT a 405.
        with pytest.raises(hl.RemoteProtocolError):
            await node.request(sponsorblock.get_categories(session, player.guild_id))
        with pytest.raises(hl.RestError) as caught:
            await node.request(sponsorblock.set_categories(session, player.guild_id, ["sponsor"]))
        assert caught.value.status == 405
        path = routes.player_path(session, player.guild_id) + "/sponsorblock"
        for method, body, message in (
            ("PATCH", b"[1]", "Invalid body"),
            ("POST", b'{"segments": 1}', "Invalid segments array"),
        ):
            with pytest.raises(hl.RestError) as caught:
                await node.request(routes.Route(method, path, bytes, body=body))
            assert caught.value.status == 400
            assert caught.value.body is not None
            assert caught.value.body.message == message
        with pytest.raises(hl.RestError) as caught:
            await node.request(
                routes.Route(
                    "POST",
                    routes.player_path(session, player.guild_id) + "/lyrics/subscribe",
                    bytes,
                    query=(("skipTrackSource", "yes"),),
                )
            )
        assert caught.value.status == 400
        # DELETE drops the segments only (204): the categories stay.
        await player.sponsorblock.set_categories(CATEGORIES)
        await node.request(routes.Route("DELETE", path, bytes))
        assert await player.sponsorblock.fetch_categories() == ["sponsor", "intro"]


@pytest.mark.asyncio
async def test_a_track_s_chapters_come_from_nodelink() -> None:
    async with plugin_world(server=FakeNodeLink) as world:
        assert await world.lava.fetch_chapters(VIDEO) == list(CHAPTERS)
        assert await world.lava.fetch_chapters(SUNG.encoded) == []  # not a video
        requests = [r for r in world.lavalink.requests if r.path == "/v4/loadchapters"]
        assert [r.query["encodedTrack"] for r in requests] == [VIDEO.encoded, SUNG.encoded]
    async with plugin_world() as world:  # Lavalink: no such route, and nothing sent
        with pytest.raises(hl.UsageError, match="chapters come from NodeLink"):
            await world.lava.fetch_chapters(VIDEO)
        with pytest.raises(hl.UsageError, match="node 'main' is not NodeLink"):
            await world.lava.fetch_chapters(VIDEO, node=world.lava.best_node())
        assert not [r for r in world.lavalink.requests if r.path == "/v4/loadchapters"]


@pytest.mark.asyncio
async def test_what_nodelink_lacks_is_refused_before_any_request() -> None:
    # LavaSearch, LavaSrc's config and youtube-source's routes are plugins NodeLink does not
    # run (its /v4/youtube/* are its own, unread): a UsageError naming the plugin and node.
    async with plugin_world(server=FakeNodeLink) as world:
        lava, node = world.lava, world.lava.best_node()
        assert node.is_nodelink
        mark = len(world.lavalink.requests)
        spotify = lavasrc.SpotifyConfig(client_id="id", client_secret="s3cret")
        calls: list[tuple[str, typing.Callable[[], typing.Awaitable[object]]]] = [
            ("lavasearch-plugin", lambda: lava.load_search("animals", node=node)),
            (
                "lavasrc-plugin",
                lambda: lava.update_lavasrc_config(hl.LavaSrcConfig(spotify=spotify), node=node),
            ),
            ("youtube-plugin", lambda: lava.youtube_config(node=node)),
            ("youtube-plugin", lambda: lava.youtube_access_token("1//refresh", node=node)),
        ]
        for plugin, call in calls:
            with pytest.raises(hl.UsageError, match=f"{plugin}.*'main'|'main'.*{plugin}"):
                await call()
        with pytest.raises(hl.UsageError, match="lavasrc-plugin"):
            await lava.search("animals", source="spotify")
        assert world.lavalink.requests[mark:] == []


@pytest.mark.asyncio
async def test_a_resume_on_nodelink_keeps_both_and_sends_nothing_again() -> None:
    async with plugin_world(server=FakeNodeLink, time_scale=SLOW) as world:
        fake = fake_of(world)
        player = await joined(world)
        await player.lyrics.subscribe()
        await player.sponsorblock.set_categories(CATEGORIES)
        await player.play(SUNG)
        await world.wait_until(lambda: len(lines_of(world)) == 1)
        mark, calls = len(world.events), len(fake.requests)
        await fake.drop_connections()
        await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, after=mark)
        assert requests_to(world, "/lyrics/subscribe", calls) == []
        assert requests_to(world, "/sponsorblock", calls) == []
        assert fake.lyrics_subscribed(player.guild_id)
        assert fake.sponsorblock_state(player.guild_id)["categories"] == ["sponsor", "intro"]
        await world.wait_until(lambda: len(lines_of(world)) == 3)
        await played_past(world, player, LINES[2] + 500)
        assert [index for index, _ in lines_of(world)] == [0, 1, 2]
        assert len(plugin_events(world, mark)) == 2  # the lines after the resume


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'{"enabled": "yes"}',
        b'{"enabled": true, "categories": "sponsor"}',
        b'{"enabled": true, "segments": [{"start": 1}]}',
    ],
)
def test_a_malformed_nodelink_sponsorblock_state_is_a_protocol_error(body: bytes) -> None:
    for route in (
        nodelink_sponsorblock.get_state("s", 1),
        nodelink_sponsorblock.get_categories("s", 1),
        nodelink_sponsorblock.set_categories("s", 1, ["sponsor"]),
        nodelink_sponsorblock.clear_categories("s", 1),
    ):
        with pytest.raises(hl.RemoteProtocolError, match="invalid NodeLink SponsorBlock state"):
            routes.parse_response(route, 200, body)


def test_a_malformed_nodelink_chapters_body_is_a_protocol_error() -> None:
    route = nodelink_sponsorblock.load_chapters("QAAA")
    for body in (b"{}", b'[{"title": 3}]', b'[{"startTime": "zero"}]'):
        with pytest.raises(hl.RemoteProtocolError, match="invalid NodeLink chapters"):
            routes.parse_response(route, 200, body)
    assert routes.parse_response(route, 200, b"[]") == []


@pytest.mark.asyncio
async def test_a_failing_nodelink_sponsorblock_call_is_typed_and_changes_nothing() -> None:
    async with plugin_world(server=FakeNodeLink) as world:
        fake = fake_of(world)
        player = await joined(world)
        prefix = routes.player_path(player.node.session_id or "", player.guild_id)
        fake.fail_rest(500, path_prefix=prefix + "/sponsorblock")
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await player.sponsorblock.set_categories(CATEGORIES)
        assert player.sponsorblock.categories is None
        assert fake.sponsorblock_state(player.guild_id)["enabled"] is False
        await player.sponsorblock.set_categories(CATEGORIES)
        fake.fail_rest(500, path_prefix=prefix + "/sponsorblock")
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await player.sponsorblock.clear()
        assert player.sponsorblock.categories == CATEGORIES  # the node still skips them
        assert fake.sponsorblock_state(player.guild_id)["categories"] == ["sponsor", "intro"]
        fake.fail_rest(500, path_prefix="/v4/loadchapters")
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await world.lava.fetch_chapters(VIDEO)
        # The player plays on.
        mark = len(world.events)
        await player.play(VIDEO)
        await world.wait_event(hl.SegmentsLoadedEvent, after=mark)
