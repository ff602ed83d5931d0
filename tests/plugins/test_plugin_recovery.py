"""What the plugins forget, the client tells them again, and the bot never notices.

LavaLyrics' subscriptions and SponsorBlock's categories live per session on the server: a
WebSocket resume wipes both, a player's destroy (a shard death's drop) wipes the categories,
and a player moved to another node, or recreated on a node's new session, lands where nobody
heard of them. End to end on FakeDiscord and FakeLavalink nodes running both plugins: after a
resume, a node restart, a failover (and a drain) and a shard death, the node has them again,
and the bot saw each lyrics and SponsorBlock event once. (Bot restarts with a store:
`test_plugin_store.py`.)
"""

from __future__ import annotations

import asyncio
import contextlib
import typing

import pytest
from tests.bridge.conftest import PASSWORD, World, start_world
from tests.plugins.plugin_world import (
    CHAPTERS,
    LINES,
    OTHER_VIDEO,
    PLUGINS,
    SPONSOR,
    SUNG,
    TIMED,
    VIDEO,
    joined,
    lines_of,
    played_past,
    plugin_world,
    stock,
)

import hikari_lavalink as hl
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, FakeNodeLink

if typing.TYPE_CHECKING:
    import collections.abc

    import hikari

CATEGORIES = (hl.SponsorBlockCategory.SPONSOR, hl.SponsorBlockCategory.INTRO)
SLOW: typing.Final = 5.0
"""A clock at which the lyrics' lines (2, 4, 6 s) come 0.4 s apart: a recovery fits between."""


def frames_of(fake: FakeLavalink, kind: str, after: int = 0) -> int:
    """How many `kind` events the fake sent (from frame `after` on)."""
    return sum(f'"type": "{kind}"'.encode() in data for _, data in fake.sent[after:])


def told(fake: FakeLavalink, player: hl.Player) -> tuple[dict[int, bool], dict[int, list[str]]]:
    """What the player's node's plugins hold for its session."""
    session = player.node.session_id or ""
    return fake.lyrics_subscriptions(session), fake.skip_categories(session)


async def asked_for_all(player: hl.Player) -> None:
    await player.lyrics.subscribe()
    await player.sponsorblock.set_categories(CATEGORIES)


def holds_all(fake: FakeLavalink, player: hl.Player) -> bool:
    subscriptions, categories = told(fake, player)
    return subscriptions == {player.guild_id: False} and categories == {
        player.guild_id: list(CATEGORIES)
    }


def paths(fake: FakeLavalink, after: int, guild: int) -> list[str]:
    """`METHOD tail` of each request about the guild's player, from request `after` on."""
    return [
        f"{r.method} {r.path.partition(f'/players/{guild}')[2] or '/'}"
        for r in fake.requests[after:]
        if f"/players/{guild}" in r.path
    ]


@pytest.mark.asyncio
async def test_a_resume_tells_the_plugins_again_and_repeats_nothing() -> None:
    async with plugin_world(time_scale=SLOW) as world:
        fake = world.lavalink
        player = await joined(world)
        await asked_for_all(player)
        await player.play(SUNG)
        await world.wait_until(lambda: len(lines_of(world)) == 1)
        mark, calls = len(world.events), len(fake.requests)
        await fake.drop_connections()
        assert told(fake, player) == (
            {player.guild_id: False},
            {player.guild_id: ["sponsor", "intro"]},
        )
        await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, after=mark)
        # Wiped by the resume (onWebSocketOpen), and sent again before the node was ready.
        assert holds_all(fake, player)
        assert paths(fake, calls, player.guild_id) == [
            "PUT /sponsorblock/categories",
            "POST /lyrics/subscribe",
        ]
        await world.wait_until(lambda: len(lines_of(world)) == 3)
        await played_past(world, player, LINES[2] + 1_000)
        # The plugin said it all again (its new line handler beside the old one): once here.
        assert frames_of(fake, "LyricsFoundEvent") == 2
        assert frames_of(fake, "LyricsLineEvent") > 3
        assert len(world.of(hl.LyricsFoundEvent)) == 1
        assert [index for index, _ in lines_of(world)] == [0, 1, 2]
        # The categories count again from the next track on.
        mark = len(world.events)
        await player.play(VIDEO)
        loaded = await world.wait_event(hl.SegmentsLoadedEvent, after=mark)
        assert [s.category for s in loaded.segments] == ["intro", "sponsor"]
        # A new play of the same track is news again.
        mark = len(world.events)
        await player.play(SUNG)
        found = await world.wait_event(hl.LyricsFoundEvent, after=mark)
        assert found.lyrics == TIMED


@pytest.mark.asyncio
async def test_a_node_restart_tells_the_new_session_with_the_player() -> None:
    async with plugin_world(time_scale=SLOW) as world:
        fake = world.lavalink
        player = await joined(world)
        await asked_for_all(player)
        await player.play(SUNG, start=3_000)
        await world.wait_until(lambda: len(lines_of(world)) == 2)  # 0 (passed) and 1
        mark, calls = len(world.events), len(fake.requests)
        old_session = player.node.session_id
        await fake.restart()  # a new process: every session gone
        await world.wait_event(hl.NodeReadyEvent, lambda e: not e.resumed, after=mark)
        await world.wait_until(lambda: holds_all(fake, player))
        assert player.node.session_id != old_session
        # Categories before the track (its start loads the segments), lyrics after it.
        assert paths(fake, calls, player.guild_id) == [
            "PUT /sponsorblock/categories",
            "PATCH /",
            "POST /lyrics/subscribe",
        ]
        await world.wait_until(lambda: len(lines_of(world)) == 3)
        await played_past(world, player, LINES[2] + 1_000)
        assert len(world.of(hl.LyricsFoundEvent)) == 1
        assert [index for index, _ in lines_of(world)] == [0, 1, 2]
        assert world.lava.get_player(player.guild_id) is player


@contextlib.asynccontextmanager
async def three_nodes(
    b: type[FakeLavalink] = FakeLavalink,
) -> collections.abc.AsyncGenerator[tuple[World, dict[str, FakeLavalink]]]:
    """A world whose client has nodes `a` and `c` with both plugins and `b` with none
    (`b=FakeNodeLink`: with both built in)."""
    async with contextlib.AsyncExitStack() as stack:
        discord = await stack.enter_async_context(FakeDiscord(shard_count=2))
        fakes: dict[str, FakeLavalink] = {}
        for name in "abc":
            fake = (b if name == "b" else FakeLavalink)(
                password=PASSWORD,
                name=name,
                plugins=PLUGINS if name != "b" else {},
                time_scale=SLOW,
            )
            fakes[name] = await stack.enter_async_context(fake)
            stock(fake)

        def client(bot: hikari.GatewayBot, _: FakeLavalink) -> hl.LavalinkClient:
            lava = hl.LavalinkClient(bot, voice_timeout=3.0, node_loss_grace=0.1)
            for name, fake in fakes.items():
                lava.add_node(
                    name=name,
                    host=fake.host,
                    port=fake.port,
                    password=PASSWORD,
                    resume_timeout=1,
                    reconnect_base=0.02,
                    reconnect_cap=0.1,
                )
            return lava

        world = await start_world(discord, fakes["a"], client)
        try:
            await asyncio.gather(*(n.wait_ready(5) for n in world.lava.nodes.values()))
            yield world, fakes
        finally:
            await world.bot.close()


@pytest.mark.asyncio
async def test_a_failover_and_a_drain_move_them_to_a_node_with_the_plugins() -> None:
    async with three_nodes() as (world, fakes):
        lava = world.lava
        guild = world.discord.guilds[0]
        player = await lava.join(guild.id, guild.voice_channel_ids[0], node=lava.nodes["a"])
        await asked_for_all(player)
        await player.play(SUNG, start=3_000)
        await world.wait_until(lambda: len(lines_of(world)) == 2)
        assert lava.best_node(exclude=lava.nodes["a"]).name == "b"  # by name, all equal
        mark = len(world.events)
        await fakes["a"].kill()
        moved = await world.wait_event(hl.PlayerMovedEvent, after=mark)
        # Not b, the best node: c, which runs every plugin the player uses.
        assert (moved.from_node.name, moved.node.name) == ("a", "c")
        assert holds_all(fakes["c"], player)
        await world.wait_until(lambda: len(lines_of(world)) == 3)
        await played_past(world, player, LINES[2] + 1_000, fakes["c"])
        assert frames_of(fakes["c"], "LyricsFoundEvent") == 1
        assert len(world.of(hl.LyricsFoundEvent)) == 1
        assert [index for index, _ in lines_of(world)] == [0, 1, 2]
        # Back, a node is drained: its players go where the plugins are (a, not b).
        await fakes["a"].start()
        await lava.nodes["a"].wait_ready(5)
        mark = len(world.events)
        await lava.drain_node("c")
        moved = await world.wait_event(hl.PlayerMovedEvent, after=mark)
        assert moved.node.name == "a"
        assert holds_all(fakes["a"], player)
        assert player.lyrics.subscribed
        assert player.sponsorblock.categories == tuple(CATEGORIES)


@pytest.mark.asyncio
async def test_a_failover_to_nodelink_tells_its_player_with_the_track_s_segments() -> None:
    async with three_nodes(b=FakeNodeLink) as (world, fakes):
        lava, b = world.lava, fakes["b"]
        assert isinstance(b, FakeNodeLink)
        guild = world.discord.guilds[0]
        player = await lava.join(guild.id, guild.voice_channel_ids[0], node=lava.nodes["a"])
        await asked_for_all(player)
        await player.play(VIDEO, start=15_000)  # past the intro, before the sponsor
        loaded = await world.wait_event(hl.SegmentsLoadedEvent)
        await world.wait_event(hl.LyricsNotFoundEvent)
        mark, calls = len(world.events), len(b.requests)
        await fakes["a"].kill()
        moved = await world.wait_event(hl.PlayerMovedEvent, after=mark)
        # b, the best node by name: NodeLink has both built in.
        assert (moved.from_node.name, moved.node.name) == ("a", "b")
        # Told once its player is there; the track playing's segments with the categories
        # (NodeLink loads them only when a track starts).
        assert paths(b, calls, player.guild_id) == [
            "PATCH /",
            "PATCH /sponsorblock",
            "POST /sponsorblock",
            "POST /lyrics/subscribe",
        ]
        state = b.sponsorblock_state(player.guild_id)
        assert (state["enabled"], state["categories"]) == (True, list(CATEGORIES))
        assert [(s["start"], s["end"]) for s in state["segments"]] == [
            (s.start, s.end) for s in loaded.segments
        ]
        assert b.lyrics_subscribed(player.guild_id)
        skipped = await world.wait_event(hl.SegmentSkippedEvent, after=mark, timeout=15)
        assert (skipped.segment.start, skipped.segment.end) == (SPONSOR.start, SPONSOR.end)
        assert (skipped.player, skipped.node.name) == (player, "b")
        assert isinstance(skipped.segment, hl.NodeLinkSegment)  # NodeLink's own skip
        # NodeLink's lyrics (none for the video) said again: not news.
        assert frames_of(b, "LyricsNotFoundEvent") == 1
        assert len(world.of(hl.LyricsNotFoundEvent)) == 1
        assert len(world.of(hl.SegmentsLoadedEvent)) == 1


@pytest.mark.asyncio
async def test_a_shard_death_tells_them_again_with_the_rebuilt_player() -> None:
    async with plugin_world(time_scale=SLOW) as world:
        fake = world.lavalink
        shard1 = next(
            i for i, g in enumerate(world.discord.guilds) if world.discord.shard_of(g.id) == 1
        )
        player = await joined(world, shard1)
        await asked_for_all(player)
        await player.play(OTHER_VIDEO)  # its one segment: 20 to 30 s
        await world.wait_event(hl.SegmentsLoadedEvent)
        mark, calls = len(world.events), len(fake.requests)
        await world.discord.kill_shard(1, "abort")
        await world.wait_event(hl.VoiceRestoredEvent, after=mark, timeout=15)
        await world.wait_until(lambda: holds_all(fake, player))
        steps = paths(fake, calls, player.guild_id)
        # The drop (which takes the categories), then categories, player, lyrics.
        assert steps == [
            "DELETE /",
            "PUT /sponsorblock/categories",
            "PATCH /",
            "POST /lyrics/subscribe",
        ]
        # Loaded again at the rebuilt track's start: not news.
        assert frames_of(fake, "SegmentsLoaded") == 2
        assert len(world.of(hl.SegmentsLoadedEvent)) == 1
        skipped = await world.wait_event(hl.SegmentSkippedEvent, timeout=15)
        assert skipped.segment == SPONSOR


@pytest.mark.asyncio
async def test_a_track_rebuilt_past_a_segment_never_jumps_back() -> None:
    async with plugin_world() as world:
        fake = world.lavalink
        shard1 = next(
            i for i, g in enumerate(world.discord.guilds) if world.discord.shard_of(g.id) == 1
        )
        player = await joined(world, shard1)
        await player.sponsorblock.set_categories(CATEGORIES)
        await player.play(VIDEO)
        await world.wait_event(hl.SegmentSkippedEvent, lambda e: e.segment == SPONSOR)
        mark, calls = len(world.events), len(fake.requests)
        await world.discord.kill_shard(1, "abort")
        await world.wait_event(hl.VoiceRestoredEvent, after=mark, timeout=15)
        await world.wait_until(lambda: told(fake, player)[1] == {player.guild_id: list(CATEGORIES)})
        # The intro (0 to 3 s) is behind the track: the categories come after it, so the
        # plugin does not seek back to the intro's end.
        assert paths(fake, calls, player.guild_id) == [
            "DELETE /",
            "PATCH /",
            "PUT /sponsorblock/categories",
        ]
        remote = fake.sessions[player.node.session_id or ""].players[player.guild_id]
        assert remote.position > SPONSOR.end
        await played_past(world, player, CHAPTERS[2].start + 1_000)  # the last chapter's
        assert not [e for e in world.events[mark:] if isinstance(e, hl.SponsorBlockEvent)]
