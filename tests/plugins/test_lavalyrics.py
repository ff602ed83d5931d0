"""LavaLyrics end to end (a real GatewayBot on FakeDiscord, FakeLavalink running the plugin):
the lyrics of any track and of a player's, live lyrics as playback goes, and a node without
the plugin (or with one too old for live lyrics) refused with a clear error."""

from __future__ import annotations

import typing

import pytest
from tests.bridge.conftest import open_world
from tests.plugins.plugin_world import (
    LINES,
    SPOKEN,
    SUNG,
    TIMED,
    UNTIMED,
    VIDEO,
    joined,
    lines_of,
    played_past,
    plugin_events,
    plugin_world,
    requests_to,
)

import hikari_lavalink as hl
from hikari_lavalink.protocol.plugins import lavalyrics
from hikari_lavalink.testing.fake_lavalink.plugins.lavalyrics import FakeLavaLyrics


@pytest.mark.asyncio
async def test_the_lyrics_of_any_track_come_from_a_node_with_the_plugin() -> None:
    async with plugin_world() as world:
        lava, fake = world.lava, world.lavalink
        assert await lava.fetch_lyrics(SUNG) == TIMED
        untimed = await lava.fetch_lyrics(SPOKEN.encoded, skip_track_source=True)
        assert untimed == UNTIMED
        assert untimed is not None
        assert untimed.lines is None
        assert not untimed.timed
        assert await lava.fetch_lyrics(VIDEO) is None  # none found: a 204
        asked = fake.fake_plugin(FakeLavaLyrics).asked
        assert asked[:2] == [(SUNG.info.identifier, False), (SPOKEN.info.identifier, True)]
        load = next(r for r in fake.requests if r.path == "/v4/lyrics")
        assert load.query == {"track": SUNG.encoded, "skipTrackSource": "false"}
        # A blob the server cannot decode: its 500, typed.
        with pytest.raises(hl.RestError, match="HTTP 500: Failed to decode track") as caught:
            await lava.fetch_lyrics("bm90IGEgdHJhY2s=")
        assert caught.value.status == 500


@pytest.mark.asyncio
async def test_a_node_without_the_plugin_is_refused_before_any_request() -> None:
    async with open_world() as world:
        player = await joined(world)
        await player.play(SUNG)
        mark = len(world.lavalink.requests)
        calls = [
            world.lava.fetch_lyrics(SUNG),
            world.lava.fetch_lyrics(SUNG, node=player.node),
            player.lyrics.fetch(),
            player.lyrics.subscribe(),
            player.lyrics.unsubscribe(),
            player.sponsorblock.fetch_categories(),
            player.sponsorblock.set_categories([hl.SponsorBlockCategory.SPONSOR]),
            player.sponsorblock.clear(),
        ]
        for call in calls:
            with pytest.raises(hl.UsageError, match=r"plugin, which node 'main' does not run"):
                await call
        assert len(world.lavalink.requests) == mark  # nothing was sent
        assert player.plugin_state is None
        assert not player.lyrics.subscribed
        assert player.sponsorblock.categories is None


@pytest.mark.asyncio
async def test_the_lyrics_of_the_track_playing() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        with pytest.raises(hl.NoTrackPlayingError, match="No track playing"):
            await player.lyrics.fetch()
        await player.play(SUNG)
        assert await player.lyrics.fetch() == TIMED
        await player.play(SPOKEN)
        spoken = await player.lyrics.fetch(skip_track_source=True)
        assert spoken is not None
        assert spoken.plain == "just words"
        await player.play(VIDEO)
        assert await player.lyrics.fetch() is None


@pytest.mark.asyncio
async def test_live_lyrics_follow_playback() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        mark = len(world.events)
        await player.lyrics.subscribe()
        assert player.lyrics.subscribed
        assert not plugin_events(world, mark)  # nothing plays: nothing to say
        await player.play(SUNG)
        found = await world.wait_event(hl.LyricsFoundEvent, after=mark)
        assert found.lyrics == TIMED
        assert found.player is player
        await world.wait_until(lambda: len(lines_of(world, mark)) == 3)
        assert lines_of(world, mark) == [(0, False), (1, False), (2, False)]
        line = world.of(hl.LyricsLineEvent)[-1]
        assert (line.line.line, line.line.timestamp) == ("three", LINES[2])
        # Untimed lyrics, and none at all: not found.
        mark = len(world.events)
        await player.play(SPOKEN)
        await world.wait_event(hl.LyricsNotFoundEvent, after=mark)
        mark = len(world.events)
        await player.play(VIDEO)
        await world.wait_event(hl.LyricsNotFoundEvent, after=mark)
        assert [type(e) for e in plugin_events(world, mark)] == [hl.LyricsNotFoundEvent]


@pytest.mark.asyncio
async def test_subscribing_mid_track_sends_its_lyrics_and_the_lines_passed() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        await player.play(SUNG, start=5_000)  # past lines 0 and 1
        mark = len(world.events)
        await player.lyrics.subscribe(skip_track_source=True)
        await world.wait_event(hl.LyricsFoundEvent, after=mark)
        await world.wait_until(lambda: len(lines_of(world, mark)) == 3)
        assert lines_of(world, mark) == [(0, True), (1, True), (2, False)]
        session = player.node.session_id or ""
        assert world.lavalink.lyrics_subscriptions(session) == {player.guild_id: True}
        # The same subscription again: nothing sent (the server would repeat itself).
        calls = len(world.lavalink.requests)
        await player.lyrics.subscribe(skip_track_source=True)
        assert len(world.lavalink.requests) == calls
        # A seek past a line sends it as skipped; a seek back sends nothing again.
        mark = len(world.events)
        await player.play(SUNG)
        await world.wait_event(hl.LyricsFoundEvent, after=mark)
        await player.seek(4_500)
        await world.wait_until(lambda: len(lines_of(world, mark)) == 3)
        assert lines_of(world, mark) == [(0, True), (1, True), (2, False)]
        await player.seek(0)
        await played_past(world, player, LINES[2] + 1_000)
        assert len(lines_of(world, mark)) == 3


@pytest.mark.asyncio
async def test_unsubscribing_and_leaving_end_live_lyrics() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        session = player.node.session_id or ""
        await player.lyrics.subscribe()
        await player.lyrics.unsubscribe()
        assert not player.lyrics.subscribed
        assert player.plugin_state is None  # nothing asked: the side object is gone
        assert world.lavalink.lyrics_subscriptions(session) == {}
        await player.lyrics.unsubscribe()  # not subscribed: nothing sent
        assert requests_to(world, "/lyrics/subscribe") == ["POST", "DELETE"]
        mark = len(world.events)
        await player.play(SUNG)
        await played_past(world, player, LINES[2] + 1_000)
        assert not plugin_events(world, mark)
        # LavaLyrics keeps a subscription past its player: a leave ends it first.
        await player.lyrics.subscribe()
        await world.lava.leave(player.guild_id)
        assert world.lavalink.lyrics_subscriptions(session) == {}
        assert requests_to(world, "/lyrics/subscribe")[-1] == "DELETE"
        again = await joined(world)
        mark = len(world.events)
        await again.play(SUNG)
        await played_past(world, again, LINES[2] + 1_000)
        assert not plugin_events(world, mark)


@pytest.mark.asyncio
async def test_a_subscription_the_player_did_not_make_is_not_news() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        session = player.node.session_id or ""
        # Made behind the client's back (or left by the guild's last player): dropped.
        await player.node.request(lavalyrics.subscribe(session, player.guild_id))
        mark = len(world.events)
        await player.play(SUNG)
        await world.lavalink.wait_for_frame(
            lambda f: f.get("type") == "LyricsLineEvent" and f.get("lineIndex") == 2
        )
        assert not plugin_events(world, mark)


@pytest.mark.asyncio
async def test_a_lavalyrics_without_live_lyrics_says_so() -> None:
    async with plugin_world(plugins={"lavalyrics-plugin": "1.0.0"}) as world:
        player = await joined(world)
        await player.play(SUNG)
        with pytest.raises(hl.FeatureNotSupportedError, match="does not support live lyrics"):
            await player.lyrics.subscribe()
        assert not player.lyrics.subscribed
        assert player.plugin_state is None
        with pytest.raises(hl.RestError, match="No static resource") as caught:
            await player.node.request(
                lavalyrics.subscribe(player.node.session_id or "", player.guild_id)
            )
        assert caught.value.status == 404
        assert await player.lyrics.fetch() == TIMED  # its GET routes are there


@pytest.mark.asyncio
async def test_a_failing_lyrics_route_is_a_typed_error_and_changes_nothing() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        await player.play(SUNG)
        world.lavalink.fail_rest(500, path_prefix=f"/v4/sessions/{player.node.session_id}/players")
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await player.lyrics.subscribe()
        assert not player.lyrics.subscribed
        world.lavalink.fail_rest(500, path_prefix="/v4/lyrics")
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await world.lava.fetch_lyrics(SUNG)
        # A body that is no Lyrics: a protocol error, not a crash.
        broken = typing.cast("hl.Lyrics", {"provider": 3, "lines": "none"})
        world.lavalink.fake_plugin(FakeLavaLyrics).lyrics[SUNG.encoded] = broken
        with pytest.raises(hl.RemoteProtocolError, match="invalid lyrics"):
            await world.lava.fetch_lyrics(SUNG)
        with pytest.raises(hl.RemoteProtocolError, match="invalid lyrics"):
            await player.lyrics.fetch()
