"""The code of the music bot page (``docs/music-bot.md``), which pulls it in by section.

Each section is a function that takes what it works on (the bot, the client, a player), so
``tests/examples/test_music_snippets.py`` runs every one against the fakes, and pyright
checks them as strictly as the library. The ``# --8<--`` lines mark the sections.
"""

from __future__ import annotations

import asyncio
import typing

import hikari_lavalink as hl
from hikari_lavalink.protocol import search

if typing.TYPE_CHECKING:
    import collections.abc
    import os

    import hikari

__all__ = [
    "FILTERS",
    "announce",
    "asked_by",
    "create_client",
    "create_manual_client",
    "create_persistent_client",
    "follow_client",
    "history",
    "leave_status",
    "move",
    "play",
    "remember",
    "remove",
    "same_artist",
    "search_preferring",
    "set_filter",
    "set_loop",
    "show_queue",
    "shuffle",
    "skip",
    "stay_in",
    "stop",
    "toggle_autoplay",
    "use_same_artist",
]


# --8<-- [start:client]
def create_client(bot: hikari.GatewayBot, host: str, port: int, password: str) -> hl.LavalinkClient:
    lava = hl.LavalinkClient(
        bot,
        auto_advance=True,  # the default: when a track ends, the queue's next one plays
        autoplay=True,  # a queue that runs dry is filled with recommendations
        leave_when_idle=300.0,  # leave after 5 minutes with nothing to play
        leave_when_alone=60.0,  # leave a minute after the last person left the channel
    )
    lava.add_node(name="main", host=host, port=port, password=password)
    return lava


# --8<-- [end:client]


# --8<-- [start:play]
async def play(
    bot: hikari.GatewayBot,
    lava: hl.LavalinkClient,
    *,
    guild_id: hikari.Snowflake,
    text_channel_id: hikari.Snowflake,
    user_id: hikari.Snowflake,
    query: str,
) -> str:
    """``/play <query>``: words are searched on YouTube, a URL loads as it is."""
    voice = bot.cache.get_voice_state(guild_id, user_id)
    if voice is None or voice.channel_id is None:
        return "Join a voice channel first."
    player = lava.get_player(guild_id) or await lava.join(guild_id, voice.channel_id)
    player.data["text_channel"] = int(text_channel_id)  # where to announce (see below)
    result = await lava.search(query)
    if isinstance(result, hl.ErrorResult):
        return f"Loading failed: {result.data.message}"
    # A playlist URL queues the whole playlist; a search queues its best match.
    tracks = result.tracks if isinstance(result, hl.PlaylistResult) else result.tracks[:1]
    if not tracks:
        return "Nothing found."
    player.queue.add(*tracks, requester=user_id)
    if player.track is None:
        await player.skip()  # nothing plays: start the queue
    more = f" and {len(tracks) - 1} more" if len(tracks) > 1 else ""
    return f"Queued **{tracks[0].info.title}**{more}."


# --8<-- [end:play]


# --8<-- [start:skip]
async def skip(player: hl.Player, count: int = 1) -> str:
    """``/skip [count]``."""
    playing = await player.skip(count)
    if playing is None:
        return "Stopped: the queue is empty."
    return f"Skipped to **{playing.info.title}**."


async def stop(player: hl.Player) -> None:
    """``/stop``: a stopped track never advances the queue, so clear it too."""
    player.queue.clear()
    await player.stop()


# --8<-- [end:skip]


# --8<-- [start:requester]
def asked_by(track: hl.Track) -> str:
    """Who asked for ``track``, as a mention (Lavalink echoes it in every event)."""
    requester = hl.requester_of(track)
    if requester is not None:
        return f" (asked by <@{requester}>)"
    return " (autoplay)" if hl.is_autoplayed(track) else ""


# --8<-- [end:requester]


# --8<-- [start:queue]
def show_queue(player: hl.Player, count: int = 10) -> str:
    """``/queue``: what plays, then what comes next."""
    lines: list[str] = []
    if player.track is not None:
        lines.append(f"Now: **{player.track.info.title}**{asked_by(player.track)}")
    for n, track in enumerate(player.queue.upcoming[:count], 1):
        lines.append(f"{n}. {track.info.title}{asked_by(track)}")
    if len(player.queue) > count:
        lines.append(f"... and {len(player.queue) - count} more")
    return "\n".join(lines) or "The queue is empty."


def set_loop(player: hl.Player, mode: str) -> None:
    """``/loop off|track|queue``."""
    player.queue.loop = hl.LoopMode(mode)


def shuffle(player: hl.Player) -> None:
    """``/shuffle``: the upcoming tracks (the current one plays on)."""
    player.queue.shuffle()


def move(player: hl.Player, position: int, to: int) -> None:
    """``/move 3 1``: positions as ``/queue`` numbers them (1 plays next)."""
    player.queue.move(position - 1, to - 1)


def remove(player: hl.Player, position: int) -> hl.Track:
    """``/remove 2``."""
    return player.queue.remove(position - 1)


def history(player: hl.Player, count: int = 5) -> list[str]:
    """``/history``: the last tracks that played, most recent last."""
    return [track.info.title for track in player.queue.history[-count:]]


# --8<-- [end:queue]


# --8<-- [start:announce]
LEFT: typing.Final = {
    "idle": "Nothing left to play: bye!",
    "alone": "Everyone left: so do I.",
}


def announce(bot: hikari.GatewayBot) -> None:
    """Say in the ``/play`` channel what starts, when the queue ends and why the bot left."""

    async def say(player: hl.Player | None, text: str) -> None:
        channel = player.data.get("text_channel") if player is not None else None
        if channel is not None:
            await bot.rest.create_message(channel, text)

    @bot.listen()
    async def on_start(event: hl.TrackStartEvent) -> None:
        await say(event.player, f"Now playing **{event.track.info.title}**{asked_by(event.track)}")

    @bot.listen()
    async def on_queue_end(event: hl.QueueEndEvent) -> None:
        await say(event.player, "The queue is empty: /play something!")

    @bot.listen()
    async def on_destroyed(event: hl.PlayerDestroyedEvent) -> None:
        if event.reason in LEFT:  # the player still holds its data here
            await say(event.player, LEFT[event.reason])


# --8<-- [end:announce]


# --8<-- [start:autoplay]
async def same_artist(player: hl.Player, seed: hl.Track) -> list[hl.Track]:
    """More by the seed's artist; the built-in recommendations when the search finds none."""
    result = await player.node.load_tracks(f"ytsearch:{seed.info.author}")
    tracks = [track for track in result.tracks if track.info.author == seed.info.author]
    return tracks or await hl.recommend(player, seed)


def use_same_artist(lava: hl.LavalinkClient) -> None:
    lava.recommender = same_artist  # or LavalinkClient(bot, recommender=same_artist)
    lava.autoplay = True


def toggle_autoplay(player: hl.Player) -> bool:
    """``/autoplay``: on or off for this guild only."""
    player.autoplay = not player.autoplay
    return player.autoplay


# --8<-- [end:autoplay]


# --8<-- [start:auto_leave]
def stay_in(player: hl.Player) -> None:
    """``/24-7 on``: this guild's player never leaves by itself."""
    player.leave_when_idle = None
    player.leave_when_alone = None


def follow_client(player: hl.Player) -> None:
    """``/24-7 off``: back to the client's settings."""
    player.leave_when_idle = hl.CLIENT_DEFAULT
    player.leave_when_alone = hl.CLIENT_DEFAULT


def leave_status(lava: hl.LavalinkClient, guild_id: hikari.Snowflakeish) -> str:
    pending = lava.auto_leave_pending(guild_id)  # the timers running: "idle", "alone"
    if "alone" in pending:
        return "Everyone left: I leave soon, unless someone comes back."
    if "idle" in pending:
        return "Nothing to play: I leave soon, unless you /play something."
    return "Staying."


# --8<-- [end:auto_leave]


# --8<-- [start:filters]
FILTERS: typing.Final[collections.abc.Mapping[str, hl.Filters]] = {
    "nightcore": hl.presets.nightcore(),
    "bass": hl.presets.bass_boost("high"),
    "party": hl.presets.combine(hl.presets.bass_boost("high"), hl.presets.nightcore()),
    "off": hl.presets.reset(),
}


async def set_filter(player: hl.Player, name: str) -> None:
    """``/filter <name>``: each set replaces the whole set the player had."""
    await player.set_filters(FILTERS[name])


# --8<-- [end:filters]


# --8<-- [start:search]
async def search_preferring(
    lava: hl.LavalinkClient, query: str, source: hl.SearchSource = "spotify"
) -> hl.LoadResult:
    """Search ``source`` when the node serves it (LavaSrc's need the plugin), else YouTube."""
    node = lava.best_node()
    if search.SOURCE_NAMES[source] not in (await node.fetch_info()).source_managers:
        source = "youtube"
    return await node.load_tracks(search.identifier(query, source))


# --8<-- [end:search]


# --8<-- [start:persistence]
def create_persistent_client(
    bot: hikari.GatewayBot, path: str | os.PathLike[str], host: str, port: int, password: str
) -> hl.LavalinkClient:
    lava = hl.LavalinkClient(bot, store=hl.JsonFileStore(path), leave_when_idle=300.0)
    lava.add_node(name="main", host=host, port=port, password=password)
    return lava


def remember(player: hl.Player, dj: hikari.Snowflake) -> None:
    player.data["dj"] = int(dj)  # JSON: stored, and back after a restart
    player.data["votes"] = {int(dj)}  # a set: stored as a JSON list, back as a list
    player.data["vote_lock"] = asyncio.Lock()  # not JSON: kept in memory only, never stored


# --8<-- [end:persistence]


# --8<-- [start:manual]
def create_manual_client(
    bot: hikari.GatewayBot, host: str, port: int, password: str
) -> hl.LavalinkClient:
    lava = hl.LavalinkClient(bot, auto_advance=False)  # or player.auto_advance = False
    lava.add_node(name="main", host=host, port=port, password=password)

    @bot.listen()
    async def on_end(event: hl.TrackEndEvent) -> None:
        # "finished" and "loadFailed" only: a stop, a replaced track or a recovery
        # (failover, drain, shard death) never starts the next one.
        if event.may_start_next and event.player is not None:
            following = event.player.queue.next(failed=event.reason == "loadFailed")
            if following is not None:
                await event.player.play(following)

    return lava


# --8<-- [end:manual]
