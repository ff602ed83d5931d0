"""The code of the plugins page (``docs/plugins.md``), which pulls it in by section.

Each section is a function that takes what it works on (the bot, the client, a player), so
``tests/examples/test_plugin_snippets.py`` runs every one against the fakes (their node runs
the plugins), and pyright checks them as strictly as the library. The ``# --8<--`` lines
mark the sections.
"""

from __future__ import annotations

import typing

import hikari_lavalink as hl

if typing.TYPE_CHECKING:
    import hikari

__all__ = [
    "SKIPPED",
    "announce_skips",
    "chapters_of",
    "follow_lyrics",
    "karaoke",
    "lyrics_of",
    "lyrics_of_search",
    "toggle_sponsorblock",
]


# --8<-- [start:lyrics]
async def lyrics_of(player: hl.Player) -> str:
    """``/lyrics``: the lyrics of the track playing."""
    if player.track is None:
        return "Nothing is playing."
    try:
        lyrics = await player.lyrics.fetch()
    except hl.UsageError:  # the player's node does not run LavaLyrics
        return "Lyrics need the LavaLyrics plugin on the Lavalink node."
    except hl.NoTrackPlayingError:  # it ended meanwhile
        return "Nothing is playing."
    if lyrics is None:
        return f"No lyrics found for **{player.track.info.title}**."
    source = f"\n-# {lyrics.provider or lyrics.source_name}"
    return lyrics.plain[: 2000 - len(source)] + source  # one Discord message


async def lyrics_of_search(lava: hl.LavalinkClient, query: str) -> str:
    """``/lyrics <song>``: any song's, from a node that runs LavaLyrics."""
    result = await lava.search(query)
    if not result.tracks:
        return "Nothing found."
    lyrics = await lava.fetch_lyrics(result.tracks[0])
    return lyrics.plain[:2000] if lyrics is not None else "No lyrics found."


# --8<-- [end:lyrics]


# --8<-- [start:live]
async def karaoke(player: hl.Player, text_channel_id: hikari.Snowflakeish) -> str:
    """``/karaoke``: each line of the lyrics in the channel as it is sung (again to stop)."""
    if player.lyrics.subscribed:
        await player.lyrics.unsubscribe()
        return "Karaoke off."
    player.data["lyrics_channel"] = int(text_channel_id)
    try:
        await player.lyrics.subscribe()
    except hl.FeatureNotSupportedError:  # a LavaLyrics from before live lyrics
        return "The Lavalink node's LavaLyrics is too old for live lyrics."
    return "Karaoke on."


def follow_lyrics(bot: hikari.GatewayBot) -> None:
    """Post the lines of every player that asked for karaoke."""

    async def say(player: hl.Player | None, text: str) -> None:
        channel = player.data.get("lyrics_channel") if player is not None else None
        if channel is not None:
            await bot.rest.create_message(channel, text)

    @bot.listen()
    async def on_found(event: hl.LyricsFoundEvent) -> None:
        await say(event.player, f"Lyrics from {event.lyrics.provider or event.lyrics.source_name}")

    @bot.listen()
    async def on_line(event: hl.LyricsLineEvent) -> None:
        if not event.skipped and event.line.line:  # not a seek's, not an instrumental gap
            await say(event.player, f"♪ {event.line.line}")

    @bot.listen()
    async def on_not_found(event: hl.LyricsNotFoundEvent) -> None:
        await say(event.player, "No timed lyrics for this one.")


# --8<-- [end:live]


# --8<-- [start:sponsorblock]
SKIPPED: typing.Final = (
    hl.SponsorBlockCategory.SPONSOR,
    hl.SponsorBlockCategory.SELFPROMO,
    hl.SponsorBlockCategory.INTERACTION,
)


async def toggle_sponsorblock(player: hl.Player) -> str:
    """``/sponsorblock``: skip sponsors and self-promotion in YouTube videos, or stop."""
    try:
        if player.sponsorblock.categories:
            await player.sponsorblock.clear()
            return "SponsorBlock off."
        await player.sponsorblock.set_categories(SKIPPED)
    except hl.UsageError:  # the player's node does not run the SponsorBlock plugin
        return "SponsorBlock needs its plugin on the Lavalink node."
    return "SponsorBlock on, from the next track."


def announce_skips(bot: hikari.GatewayBot) -> None:
    """Say in the ``/play`` channel what was skipped, and each chapter."""

    async def say(player: hl.Player | None, text: str) -> None:
        channel = player.data.get("text_channel") if player is not None else None
        if channel is not None:
            await bot.rest.create_message(channel, text)

    @bot.listen()
    async def on_skip(event: hl.SegmentSkippedEvent) -> None:
        segment = event.segment
        seconds = (segment.end - segment.start) // 1000
        await say(event.player, f"Skipped {seconds} s of {segment.category}.")

    @bot.listen()
    async def on_chapter(event: hl.ChapterStartedEvent) -> None:
        await say(event.player, f"Chapter: **{event.chapter.name}**")


# --8<-- [end:sponsorblock]


# --8<-- [start:chapters]
async def chapters_of(lava: hl.LavalinkClient, player: hl.Player) -> str:
    """``/chapters``: the chapters of the video playing, from a NodeLink node."""
    if player.track is None:
        return "Nothing is playing."
    try:
        chapters = await lava.fetch_chapters(player.track)
    except hl.UsageError:  # no NodeLink node (on Lavalink: ChaptersLoadedEvent, above)
        return "Chapters need a NodeLink node."
    if not chapters:
        return "No chapters."
    return "\n".join(f"{c.start // 60_000}:{c.start // 1000 % 60:02} {c.name}" for c in chapters)


# --8<-- [end:chapters]
