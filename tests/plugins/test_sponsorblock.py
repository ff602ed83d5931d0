"""The SponsorBlock plugin end to end (a real GatewayBot on FakeDiscord, FakeLavalink running
the plugin): a player's categories, and YouTube tracks skipping their segments of those, with
their chapters announced; bad input typed or tolerated."""

from __future__ import annotations

import json
import logging

import pytest
from tests.plugins.plugin_world import (
    CHAPTERS,
    INTRO,
    SELFPROMO,
    SPONSOR,
    SUNG,
    VIDEO,
    joined,
    played_past,
    plugin_events,
    plugin_world,
    requests_to,
)

import hikari_lavalink as hl

CATEGORIES = (hl.SponsorBlockCategory.SPONSOR, hl.SponsorBlockCategory.INTRO)


def frame(kind: str, guild: int, **fields: object) -> str:
    """A SponsorBlock event as the plugin writes it (`type` first)."""
    return json.dumps({"type": kind, "op": "event", "guildId": str(guild), **fields})


@pytest.mark.asyncio
async def test_categories_are_set_read_and_cleared() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        session = player.node.session_id or ""
        assert await player.sponsorblock.fetch_categories() == []  # 404 Guild not found
        await player.sponsorblock.set_categories([*CATEGORIES, "sponsor", "exclusive_access"])
        assert player.sponsorblock.categories == ("sponsor", "intro", "exclusive_access")
        assert await player.sponsorblock.fetch_categories() == [
            "sponsor",
            "intro",
            "exclusive_access",
        ]
        assert world.lavalink.skip_categories(session) == {
            player.guild_id: ["sponsor", "intro", "exclusive_access"]
        }
        await player.sponsorblock.clear()
        assert player.sponsorblock.categories is None
        assert player.plugin_state is None
        assert await player.sponsorblock.fetch_categories() == []
        await player.sponsorblock.set_categories(CATEGORIES)
        await player.sponsorblock.set_categories([])  # none: cleared
        assert world.lavalink.skip_categories(session) == {}
        assert requests_to(world, "/sponsorblock/categories") == [
            "GET",
            "PUT",
            "GET",
            "DELETE",
            "GET",
            "PUT",
            "DELETE",
        ]


@pytest.mark.asyncio
async def test_a_youtube_track_skips_its_segments_and_announces_its_chapters() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        await player.sponsorblock.set_categories(CATEGORIES)
        mark = len(world.events)
        await player.play(VIDEO)
        loaded = await world.wait_event(hl.SegmentsLoadedEvent, after=mark)
        assert list(loaded.segments) == [INTRO, SPONSOR]  # of the guild's categories only
        chapters = await world.wait_event(hl.ChaptersLoadedEvent, after=mark)
        assert tuple(chapters.chapters) == CHAPTERS
        skipped = await world.wait_event(hl.SegmentSkippedEvent, after=mark)
        assert skipped.segment == INTRO  # at 0: at once
        sponsor = await world.wait_event(
            hl.SegmentSkippedEvent, lambda e: e.segment == SPONSOR, after=mark
        )
        # The plugin's seek sends no playerUpdate: the client moved the position itself.
        assert player.position >= SPONSOR.end
        assert sponsor.player is player
        await world.wait_until(lambda: len(world.of(hl.ChapterStartedEvent)) == 3)
        order = [
            (type(e).__name__, getattr(e, "segment", None) or getattr(e, "chapter", None))
            for e in plugin_events(world, mark)
        ]
        assert [name for name, _ in order] == [
            "SegmentsLoadedEvent",
            "ChaptersLoadedEvent",
            "SegmentSkippedEvent",  # intro at 0 (a segment sorts before a chapter): to 3 s
            "ChapterStartedEvent",  # Start, at 0: passed
            "ChapterStartedEvent",  # Middle, at 10 s
            "SegmentSkippedEvent",  # sponsor, at 20 s: to 30 s
            "ChapterStartedEvent",  # End, 50 s
        ]
        assert player.sponsorblock.segments == (INTRO, SPONSOR)
        remote = world.lavalink.sessions[player.node.session_id or ""].players[player.guild_id]
        assert remote.position >= SPONSOR.end


@pytest.mark.asyncio
async def test_only_youtube_tracks_of_guilds_with_categories_are_skipped() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        mark = len(world.events)
        await player.play(VIDEO)  # no categories
        await played_past(world, player, SPONSOR.end)
        await player.sponsorblock.set_categories([hl.SponsorBlockCategory.SELFPROMO])
        assert not plugin_events(world, mark)  # from the next track on
        await player.play(SUNG)  # not YouTube
        await played_past(world, player, 1_000)
        assert not plugin_events(world, mark)
        await player.play(VIDEO, start=41_000)  # inside the self-promotion: skipped to its end
        skipped = await world.wait_event(hl.SegmentSkippedEvent, after=mark)
        assert skipped.segment == SELFPROMO
        assert player.position >= SELFPROMO.end


@pytest.mark.asyncio
async def test_a_failing_sponsorblock_route_is_a_typed_error_and_changes_nothing() -> None:
    async with plugin_world() as world:
        player = await joined(world)
        prefix = f"/v4/sessions/{player.node.session_id}/players/{player.guild_id}/sponsorblock"
        world.lavalink.fail_rest(500, path_prefix=prefix)
        with pytest.raises(hl.RestError, match="HTTP 500") as caught:
            await player.sponsorblock.set_categories(CATEGORIES)
        assert caught.value.status == 500
        assert player.sponsorblock.categories is None  # not kept: the node never had them
        world.lavalink.fail_rest(500, path_prefix=prefix)
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await player.sponsorblock.fetch_categories()
        # A refused clear keeps them: the node still skips them.
        await player.sponsorblock.set_categories(CATEGORIES)
        world.lavalink.fail_rest(500, path_prefix=prefix)
        with pytest.raises(hl.RestError, match="HTTP 500"):
            await player.sponsorblock.clear()
        assert player.sponsorblock.categories == tuple(CATEGORIES)
        assert world.lavalink.skip_categories(player.node.session_id or "") == {
            player.guild_id: list(CATEGORIES)
        }


@pytest.mark.asyncio
async def test_odd_sponsorblock_events_are_taken_or_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with plugin_world() as world:
        player = await joined(world)
        guild = player.guild_id
        mark = len(world.events)
        # A category no enum names: taken as it is (the plugin passes them through).
        segment = {"category": "exclusive_access", "start": 0, "end": 5}
        await world.lavalink.send_raw(frame("SegmentSkipped", guild, segment=segment))
        skipped = await world.wait_event(hl.SegmentSkippedEvent, after=mark)
        assert skipped.segment.category == "exclusive_access"
        # One that does not fit: logged and skipped; the node reads on.
        with caplog.at_level(logging.WARNING, "hikari_lavalink.node"):
            await world.lavalink.send_raw(frame("SegmentsLoaded", guild, segments=[{"start": 1}]))
            chapter = {"name": "A", "start": 0, "end": 9, "duration": "9"}
            await world.lavalink.send_raw(frame("ChapterStarted", guild, chapter=chapter))
            started = await world.wait_event(hl.ChapterStartedEvent, after=mark)
        assert started.chapter.duration == 9  # the README's string duration: a number
        assert "ignoring a malformed message: invalid SegmentsLoaded" in caplog.text
        assert not world.of(hl.SegmentsLoadedEvent)
