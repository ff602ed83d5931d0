"""The music bot page's code (``examples/music_snippets.py``) does what the page says, on a
real hikari.GatewayBot against FakeDiscord and FakeLavalink; and the page's ``--8<--``
references name sections that exist, so it cannot drift from the code it shows."""

from __future__ import annotations

import pathlib
import re
import typing

import hikari
import hikari.impl.shard
import pytest
from tests.bridge.conftest import (
    PASSWORD,
    SONG,
    World,
    caught_loop_errors,
    open_world,
    start_world,
)

import hikari_lavalink as hl
from examples import music_snippets as music
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

REPO = pathlib.Path(__file__).resolve().parents[2]
ALPHA, BETA, GAMMA, DELTA = (
    factories.make_track(title=t, length=600_000) for t in ("Alpha", "Beta", "Gamma", "Delta")
)
PLAYLIST_URL = "https://example.com/playlist"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # hikari's documented reconnect back-off window (read at runtime): off for fast tests.
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)


def music_client(bot: hikari.GatewayBot, lavalink: FakeLavalink) -> hl.LavalinkClient:
    return music.create_client(bot, lavalink.host, lavalink.port, PASSWORD)


def titles(tracks: collections.abc.Iterable[hl.Track]) -> list[str]:
    return [t.info.title for t in tracks]


class Guild(typing.NamedTuple):
    id: hikari.Snowflake
    voice: int
    text: hikari.Snowflake
    member: hikari.Snowflake


async def member_in_voice(world: World, shard: int = 0) -> Guild:
    """A guild on ``shard`` whose member (the fake's ``member_id``) sits in a voice channel,
    as the bot's cache knows it."""
    discord = world.discord
    fake = next(g for g in discord.guilds if discord.shard_of(g.id) == shard)
    guild = Guild(
        hikari.Snowflake(fake.id),
        fake.voice_channel_ids[0],
        hikari.Snowflake(fake.text_channel_ids[0]),
        hikari.Snowflake(discord.member_id),
    )
    await set_voice(world, guild, guild.voice)
    return guild


async def set_voice(world: World, guild: Guild, channel: int | None) -> None:
    """The member joins (or, with ``None``, leaves) ``channel``; the bot has seen it."""
    mark = len(world.events)
    await world.discord.put_member_in_voice(guild.id, channel, guild.member)
    await world.wait_event(
        hikari.VoiceStateUpdateEvent,
        lambda e: e.state.user_id == guild.member and e.state.channel_id == channel,
        after=mark,
    )


async def play(world: World, guild: Guild, query: str = "song") -> str:
    return await music.play(
        world.bot,
        world.lava,
        guild_id=guild.id,
        text_channel_id=guild.text,
        user_id=guild.member,
        query=query,
    )


async def started(world: World, title: str, after: int) -> hl.TrackStartEvent:
    event = await world.wait_event(
        hl.TrackStartEvent, lambda e: e.track.info.title == title, after=after
    )
    assert isinstance(event, hl.TrackStartEvent)
    return event


async def said(world: World, channel: int, text: str, after: int = 0) -> None:
    """Wait until the bot sent ``text`` to ``channel`` (in the fake's messages from ``after``)."""
    await world.discord.wait_until(
        lambda: any(
            m["channel_id"] == str(channel) and m["content"] == text
            for m in world.discord.messages[after:]
        )
    )


async def playing_song(world: World, shard: int = 0) -> tuple[Guild, hl.Player]:
    """``/play song`` in a guild of ``shard`` (announced), once Song started."""
    guild = await member_in_voice(world, shard)
    music.announce(world.bot)
    mark = len(world.events)
    assert await play(world, guild) == "Queued **Song**."
    await started(world, "Song", mark)
    player = world.lava.get_player(guild.id)
    assert player is not None
    return guild, player


def fake_player(world: World, player: hl.Player) -> typing.Any:
    session = world.lavalink.sessions[player.node.session_id or ""]
    return session.players[player.guild_id]


# -- the client, /play, /skip -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_play_joins_queues_with_the_requester_and_starts_the_queue() -> None:
    async with open_world(music_client) as world:
        lava = world.lava
        assert (lava.auto_advance, lava.autoplay) == (True, True)
        assert (lava.leave_when_idle, lava.leave_when_alone) == (300.0, 60.0)
        guild = await member_in_voice(world)
        music.announce(world.bot)
        stranger = hikari.Snowflake(guild.member + 1)
        reply = await music.play(
            world.bot,
            lava,
            guild_id=guild.id,
            text_channel_id=guild.text,
            user_id=stranger,
            query="song",
        )
        assert reply == "Join a voice channel first."
        assert lava.get_player(guild.id) is None
        mark = len(world.events)
        assert await play(world, guild) == "Queued **Song**."
        start = await started(world, "Song", mark)  # nothing played: the queue started
        assert hl.requester_of(start.track) == guild.member  # echoed back by Lavalink
        await said(world, guild.text, f"Now playing **Song** (asked by <@{guild.member}>)")
        player = lava.get_player(guild.id)
        assert player is not None
        assert player.channel_id == guild.voice
        assert player.data["text_channel"] == guild.text
        world.lavalink.catalogue[PLAYLIST_URL] = factories.make_playlist("Mix", [ALPHA, BETA])
        world.lavalink.catalogue["ytsearch:broken"] = factories.make_load_error("Unavailable")
        assert await play(world, guild, PLAYLIST_URL) == "Queued **Alpha** and 1 more."
        assert titles(player.queue) == ["Alpha", "Beta"]  # Song plays on
        assert [hl.requester_of(t) for t in player.queue] == [guild.member] * 2
        assert player.track is not None
        assert player.track.info.title == "Song"
        assert await play(world, guild, "nothing at all") == "Nothing found."
        assert await play(world, guild, "broken") == "Loading failed: Unavailable"
        assert titles(player.queue) == ["Alpha", "Beta"]


@pytest.mark.asyncio
async def test_skip_and_stop() -> None:
    async with open_world(music_client) as world:
        _, player = await playing_song(world)
        player.queue.add(ALPHA, BETA, GAMMA)
        mark = len(world.events)
        assert await music.skip(player, 2) == "Skipped to **Beta**."  # Alpha skipped too
        await started(world, "Beta", mark)
        assert sorted(titles(player.queue.history)) == ["Alpha", "Song"]
        mark = len(world.events)
        await music.stop(player)
        await world.wait_event(hl.TrackEndEvent, lambda e: e.reason == "stopped", after=mark)
        assert player.track is None
        assert len(player.queue) == 0
        assert await music.skip(player) == "Stopped: the queue is empty."
        await world.wait_event(hl.QueueEndEvent, after=mark)


# -- the queue, the requester ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_queue_commands() -> None:
    async with open_world(music_client) as world:
        guild, player = await playing_song(world)
        player.queue.add(ALPHA, BETA, requester=guild.member)
        player.queue.add(GAMMA, DELTA)
        who = f" (asked by <@{guild.member}>)"
        assert music.show_queue(player) == "\n".join(
            [f"Now: **Song**{who}", f"1. Alpha{who}", f"2. Beta{who}", "3. Gamma", "4. Delta"]
        )
        assert music.show_queue(player, count=1).splitlines()[-1] == "... and 3 more"
        music.move(player, 3, 1)
        assert titles(player.queue) == ["Gamma", "Alpha", "Beta", "Delta"]
        assert music.remove(player, 2).info.title == "Alpha"
        assert titles(player.queue) == ["Gamma", "Beta", "Delta"]
        music.shuffle(player)
        assert sorted(titles(player.queue)) == ["Beta", "Delta", "Gamma"]
        first = player.queue[0].info.title
        music.set_loop(player, "queue")
        assert player.queue.loop is hl.LoopMode.QUEUE
        mark = len(world.events)
        await world.lavalink.finish_track(guild.id)
        await started(world, first, mark)
        assert titles(player.queue)[-1] == "Song"  # looping the queue: put back at the end
        assert music.history(player) == ["Song"]
        music.set_loop(player, "track")
        mark = len(world.events)
        await world.lavalink.finish_track(guild.id)
        await started(world, first, mark)  # again
        assert music.history(player) == ["Song"]
        music.set_loop(player, "off")
        assert player.queue.loop is hl.LoopMode.OFF
        await music.stop(player)
        assert music.show_queue(player) == "The queue is empty."


def test_asked_by() -> None:
    assert music.asked_by(hl.with_requester(SONG, 42)) == " (asked by <@42>)"
    assert music.asked_by(SONG) == ""
    picked = factories.make_track(user_data={"autoplay": True})
    assert music.asked_by(picked) == " (autoplay)"


# -- announcing, autoplay ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_announce_the_queue_end_and_an_idle_leave() -> None:
    async with open_world(music_client) as world:
        guild, player = await playing_song(world)
        player.leave_when_idle = 0.05  # this guild only (the client's is 300 s)
        assert world.lava.leave_when_idle == 300.0
        mark, messages = len(world.events), len(world.discord.messages)
        await world.lavalink.finish_track(guild.id)  # autoplay finds nothing for Song
        await world.wait_event(hl.QueueEndEvent, after=mark)
        await said(world, guild.text, "The queue is empty: /play something!", messages)
        destroyed = await world.wait_event(hl.PlayerDestroyedEvent, after=mark)
        assert destroyed.reason == "idle"
        await said(world, guild.text, "Nothing left to play: bye!", messages)
        assert world.lava.get_player(guild.id) is None


@pytest.mark.asyncio
async def test_autoplay_with_a_custom_recommender() -> None:
    by_x = [
        factories.make_track(title=f"X {n}", author="X", source_name="youtube", identifier=f"x{n}")
        for n in ("One", "Two")
    ]
    other = factories.make_track(title="Not X", author="Y", identifier="y1")
    seed = factories.make_track(
        title="Seed", author="Nobody", source_name="youtube", identifier="seedvideo01"
    )
    pick = factories.make_track(title="Mix Pick", source_name="youtube", identifier="mixpick001")
    async with open_world(music_client) as world:
        fake = world.lavalink
        fake.catalogue["ytsearch:X"] = factories.make_search([*by_x, other])
        fake.catalogue["https://www.youtube.com/watch?v=seedvideo01&list=RDseedvideo01"] = (
            factories.make_playlist("Mix", [seed, pick])
        )
        music.use_same_artist(world.lava)
        assert world.lava.recommender is music.same_artist
        guild = await member_in_voice(world)
        music.announce(world.bot)
        fake.catalogue["ytsearch:x one"] = factories.make_search([by_x[0]])
        mark = len(world.events)
        await play(world, guild, "x one")
        await started(world, "X One", mark)
        player = world.lava.get_player(guild.id)
        assert player is not None
        mark, messages = len(world.events), len(world.discord.messages)
        await fake.finish_track(guild.id)  # the queue is dry: more by X (never X One again)
        chosen = await started(world, "X Two", mark)
        assert hl.is_autoplayed(chosen.track)
        assert hl.requester_of(chosen.track) is None
        await said(world, guild.text, "Now playing **X Two** (autoplay)", messages)
        player.queue.add(seed)
        mark = len(world.events)
        await fake.finish_track(guild.id)
        await started(world, "Seed", mark)
        mark = len(world.events)
        await fake.finish_track(guild.id)  # nothing by "Nobody": the built-in YouTube mix
        await started(world, "Mix Pick", mark)
        assert music.toggle_autoplay(player) is False
        assert world.lava.autoplay  # the client's setting is untouched
        assert music.toggle_autoplay(player) is True
        mark = len(world.events)
        player.autoplay = False
        await fake.finish_track(guild.id)
        end = await world.wait_event(hl.QueueEndEvent, after=mark)
        assert end.track.info.title == "Mix Pick"


# -- auto-leave -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_auto_leave_per_player_and_pending() -> None:
    async with open_world(music_client) as world:
        guild, player = await playing_song(world, shard=1)
        assert music.leave_status(world.lava, guild.id) == "Staying."
        music.stay_in(player)
        assert (player.leave_when_idle, player.leave_when_alone) == (None, None)
        await set_voice(world, guild, None)  # the member left: the bot is alone
        assert world.lava.auto_leave_pending(guild.id) == frozenset()
        music.follow_client(player)
        assert (player.leave_when_idle, player.leave_when_alone) == (300.0, 60.0)
        await world.discord.put_member_in_voice(guild.id, guild.voice, 999, bot=True)
        await world.wait_until(lambda: "alone" in world.lava.auto_leave_pending(guild.id))
        assert music.leave_status(world.lava, guild.id).startswith("Everyone left")
        await set_voice(world, guild, guild.voice)  # back: the timer stops
        assert world.lava.auto_leave_pending(guild.id) == frozenset()
        await music.stop(player)
        await world.wait_until(lambda: "idle" in world.lava.auto_leave_pending(guild.id))
        assert music.leave_status(world.lava, guild.id).startswith("Nothing to play")
        player.leave_when_alone = 0.05
        mark, messages = len(world.events), len(world.discord.messages)
        await set_voice(world, guild, None)
        destroyed = await world.wait_event(hl.PlayerDestroyedEvent, after=mark)
        assert destroyed.reason == "alone"
        await said(world, guild.text, "Everyone left: so do I.", messages)
        assert world.lava.auto_leave_pending(guild.id) == frozenset()


@pytest.mark.asyncio
async def test_stay_in_stops_a_timer_already_running() -> None:
    async with open_world(music_client) as world:
        guild = await member_in_voice(world)
        player = await world.lava.join(guild.id, guild.voice)
        assert world.lava.auto_leave_pending(guild.id) == {"idle"}  # joined, nothing plays
        music.stay_in(player)
        assert world.lava.auto_leave_pending(guild.id) == frozenset()


# -- filters, search --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_filter_presets_reach_the_node() -> None:
    async with open_world(music_client) as world:
        _, player = await playing_song(world)
        remote = fake_player(world, player)
        await music.set_filter(player, "nightcore")
        assert remote.filters == hl.presets.nightcore()
        assert remote.filters.timescale.speed == 1.2
        await music.set_filter(player, "bass")
        assert remote.filters == hl.presets.bass_boost("high")  # the whole set: no timescale
        assert [b.gain for b in remote.filters.equalizer] == [0.35, 0.28, 0.21, 0.14, 0.07]
        await music.set_filter(player, "party")  # both at once
        assert remote.filters.timescale == hl.presets.nightcore().timescale
        assert remote.filters.equalizer == hl.presets.bass_boost("high").equalizer
        await music.set_filter(player, "off")
        assert remote.filters == hl.Filters()
        assert player.filters == hl.Filters()


@pytest.mark.asyncio
async def test_search_preferring_a_source_the_node_serves() -> None:
    async with open_world(music_client) as world:
        world.lavalink.catalogue["scsearch:song"] = factories.make_search([ALPHA])
        # The fake serves youtube, soundcloud and http: no Spotify, so YouTube.
        assert titles((await music.search_preferring(world.lava, "song")).tracks) == ["Song"]
        found = await music.search_preferring(world.lava, "song", "soundcloud")
        assert titles(found.tracks) == ["Alpha"]
        world.lavalink.catalogue[PLAYLIST_URL] = factories.make_playlist("Mix", [BETA])
        found = await music.search_preferring(world.lava, f" {PLAYLIST_URL} ", "soundcloud")
        assert titles(found.tracks) == ["Beta"]  # a URL loads as it is


# -- persistence, manual control --------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_restarted_bot_gets_its_queue_and_data_back(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "lavalink.json"

    def persistent(bot: hikari.GatewayBot, lavalink: FakeLavalink) -> hl.LavalinkClient:
        return music.create_persistent_client(bot, path, lavalink.host, lavalink.port, PASSWORD)

    with caught_loop_errors() as errors:
        async with (
            FakeDiscord(shard_count=2) as discord,
            FakeLavalink(
                password=PASSWORD, catalogue={"ytsearch:song": factories.make_search([SONG])}
            ) as node,
        ):
            first = await start_world(discord, node, persistent, errors)
            guild = await member_in_voice(first)
            mark = len(first.events)
            await play(first, guild)
            await started(first, "Song", mark)
            player = first.lava.get_player(guild.id)
            assert player is not None
            player.queue.add(ALPHA, BETA, requester=guild.member)
            music.set_loop(player, "queue")
            music.remember(player, guild.member)
            player.autoplay = True
            await first.bot.close()  # with a store: saved, and the session kept alive

            assert b'"Alpha"' in path.read_bytes()
            state = await hl.JsonFileStore(path).load()
            assert state is not None
            (stored,) = state.players
            assert stored.music is not None
            assert titles(stored.music.queue) == ["Alpha", "Beta"]
            assert titles(stored.music.history) == []
            assert stored.music.loop == "queue"
            assert stored.music.data == {
                "text_channel": guild.text,
                "dj": guild.member,
                "votes": [guild.member],  # a set, stored as a JSON list
            }  # the lock is not JSON: skipped
            assert stored.music.autoplay is True

            starts = len(first.of(hl.TrackStartEvent))
            second = await start_world(discord, node, persistent, errors)
            try:
                player = second.lava.get_player(guild.id)  # resumed and adopted
                assert player is not None
                assert player.track is not None
                assert player.track.info.title == "Song"  # still playing: never restarted
                assert titles(player.queue) == ["Alpha", "Beta"]
                assert player.queue.loop is hl.LoopMode.QUEUE
                assert player.data == stored.music.data
                assert player.autoplay is True
                assert second.lava.autoplay is False  # the client's own default
                mark = len(second.events)
                await node.finish_track(guild.id)
                start = await started(second, "Alpha", mark)
                assert hl.requester_of(start.track) == guild.member
                assert titles(player.queue) == ["Beta", "Song"]  # the loop goes on
                assert starts == 1
            finally:
                await second.bot.close()


@pytest.mark.asyncio
async def test_manual_control_advances_once() -> None:
    def manual(bot: hikari.GatewayBot, lavalink: FakeLavalink) -> hl.LavalinkClient:
        return music.create_manual_client(bot, lavalink.host, lavalink.port, PASSWORD)

    async with open_world(manual) as world:
        guild = await member_in_voice(world)
        player = await world.lava.join(guild.id, guild.voice)
        assert player.auto_advance is False
        player.queue.add(ALPHA, BETA, GAMMA)
        mark = len(world.events)
        assert await player.skip() is not None  # skip still starts the queue
        await started(world, "Alpha", mark)
        mark = len(world.events)
        await world.lavalink.finish_track(guild.id)
        await started(world, "Beta", mark)  # the bot's own TrackEndEvent listener
        assert titles(player.queue) == ["Gamma"]
        assert titles(player.queue.history) == ["Alpha"]
        mark = len(world.events)
        await world.lavalink.fail_track(guild.id, load=True)
        await started(world, "Gamma", mark)
        assert titles(player.queue.history) == ["Alpha", "Beta"]


# -- the page cannot drift from the code ------------------------------------------------------

SNIPPET = re.compile(r'^\s*(?:;*)--8<--\s+"([^"]+)"', re.MULTILINE)


def snippet_references() -> list[tuple[pathlib.Path, str]]:
    """Every ``--8<-- "file[:section]"`` in the docs, with the page that has it."""
    return [
        (page, target)
        for page in sorted((REPO / "docs").rglob("*.md"))
        for target in SNIPPET.findall(page.read_text(encoding="utf-8"))
    ]


def sections(text: str) -> set[str]:
    starts = set(re.findall(r"--8<-- \[start:([\w-]+)\]", text))
    ends = set(re.findall(r"--8<-- \[end:([\w-]+)\]", text))
    assert starts == ends, (starts, ends)
    return starts


def test_every_snippet_reference_names_an_existing_section() -> None:
    references = snippet_references()
    assert any(page.name == "music-bot.md" for page, _ in references)
    for page, target in references:
        name, _, section = target.partition(":")
        source = REPO / name  # mkdocs.yml: base_path "."
        assert source.is_file(), f"{page.name}: {target!r}: no file {name}"
        if section and not re.fullmatch(r"[\d:-]+", section):  # not a line range
            assert section in sections(source.read_text(encoding="utf-8")), (
                f"{page.name}: {target!r}: no section {section!r} in {name}"
            )


def test_every_section_of_the_snippets_is_on_the_page() -> None:
    file = "examples/music_snippets.py"
    shown = {t.partition(":")[2] for _, t in snippet_references() if t.startswith(f"{file}:")}
    assert sections((REPO / file).read_text(encoding="utf-8")) == shown
