"""A music bot with plain hikari (no command framework): prefix commands in text channels.

Commands: ``!play <query>``, ``!skip``, ``!pause``, ``!resume``, ``!queue``,
``!loop off|track|queue``, ``!shuffle``, ``!remove <n>``, ``!volume <n>``,
``!filter <preset>``, ``!autoplay``, ``!np``, ``!lyrics``, ``!sponsorblock``, ``!leave``.
Needs the MESSAGE_CONTENT privileged intent for prefix commands. ``!lyrics`` needs the
LavaLyrics plugin on the Lavalink node, ``!sponsorblock`` the SponsorBlock plugin.

Every player has its own queue (``player.queue``), which plays on by itself when a track
ends: the bot adds tracks and starts the queue with ``player.skip()`` when nothing plays.

Run it::

    DISCORD_TOKEN=... LAVALINK_HOST=127.0.0.1 LAVALINK_PORT=2333 LAVALINK_PASSWORD=... \\
        python -m examples.hikari_bot
"""

from __future__ import annotations

import logging
import os

import hikari

import hikari_lavalink as hl

__all__ = ["create_bot", "main"]

PREFIX = "!"
FILTERS = hl.presets.NAMED  # each preset by name, at its defaults
SKIPPED = (hl.SponsorBlockCategory.SPONSOR, hl.SponsorBlockCategory.SELFPROMO)
"""What ``!sponsorblock`` skips in YouTube videos."""
USAGE = {
    "skip": "!skip",
    "pause": "!pause",
    "resume": "!resume",
    "queue": "!queue",
    "loop": "!loop off|track|queue",
    "shuffle": "!shuffle",
    "remove": "!remove <position in !queue>",
    "volume": "!volume <0-1000>",
    "filter": f"!filter {'|'.join(FILTERS)}",
    "autoplay": "!autoplay",
    "np": "!np",
    "lyrics": "!lyrics",
    "sponsorblock": "!sponsorblock",
    "leave": "!leave",
}
"""The commands that need a player (besides ``!play``, which makes one)."""


def _who(track: hl.Track) -> str:
    if hl.is_autoplayed(track):
        return "autoplay"
    requester = hl.requester_of(track)
    return f"<@{requester}>" if requester is not None else "someone"


async def play(lava: hl.LavalinkClient, event: hikari.GuildMessageCreateEvent, query: str) -> str:
    """``!play``: join the author's channel if needed, queue the track, start the queue."""
    if not query:
        return f"Usage: {PREFIX}play <query>"
    player = lava.get_player(event.guild_id)
    if player is None:
        state = lava.bot.cache.get_voice_state(event.guild_id, event.author_id)
        if state is None or state.channel_id is None:
            return "Join a voice channel first."
        player = await lava.join(event.guild_id, state.channel_id)
    player.data["text_channel"] = int(event.channel_id)  # an int: a store keeps JSON only
    result = await lava.search(query)  # a URL passes through, words are searched
    if not result.tracks:
        return "Nothing found."
    track = result.tracks[0]
    player.queue.add(track, requester=event.author_id)
    if player.track is None and await player.skip():  # nothing played: start the queue
        return f"Playing {track.info.title}."
    return f"Queued {track.info.title}."


async def run(player: hl.Player, name: str, argument: str) -> str:
    """Any other command, on the guild's player."""
    queue = player.queue
    match name, argument:
        case "skip", _:
            following = await player.skip()
            return f"Playing {following.info.title}." if following else "Queue is empty."
        case "pause" | "resume", _:
            await player.pause(name == "pause")
            return f"{name.title()}d."
        case "queue", _:
            lines = [f"{i}. {t.info.title} ({_who(t)})" for i, t in enumerate(queue.upcoming, 1)]
            return "\n".join(lines[:10]) or "Queue is empty."
        case "loop", ("off" | "track" | "queue"):
            queue.loop = hl.LoopMode(argument)
            return f"Loop {argument}."
        case "shuffle", _:
            queue.shuffle()
            return "Shuffled."
        case "remove", _ if argument.isdigit() and 1 <= int(argument) <= len(queue):
            return f"Removed {queue.remove(int(argument) - 1).info.title}."
        case "volume", _ if argument.isdigit():
            await player.set_volume(int(argument))
            return f"Volume {argument}%."
        case "filter", _ if argument in FILTERS:
            await player.set_filters(FILTERS[argument]())
            return f"Filter {argument}."
        case "autoplay", _:
            player.autoplay = not player.autoplay
            return f"Autoplay {'on' if player.autoplay else 'off'}."
        case "np", _:
            track = player.track
            return f"{track.info.title} at {player.position // 1000}s" if track else "Nothing."
        case "lyrics", _:
            return await lyrics(player)
        case "sponsorblock", _:
            return await sponsorblock(player)
        case _:
            return f"Usage: {USAGE[name]}"


async def lyrics(player: hl.Player) -> str:
    """``!lyrics``: the lyrics of the track playing (LavaLyrics, on the player's node)."""
    try:
        found = await player.lyrics.fetch()
    except hl.NoTrackPlayingError:
        return "Nothing."
    except hl.LavalinkError as exc:
        if not player.node.provides(hl.PluginName.LAVALYRICS):
            return "No lyrics here: the Lavalink node has no LavaLyrics plugin."
        return f"No lyrics right now: {exc}"
    text = found.plain if found is not None else ""
    return text[:2000] if text else "No lyrics found."  # Discord refuses an empty message


async def sponsorblock(player: hl.Player) -> str:
    """``!sponsorblock``: skip sponsors in YouTube videos, or stop (the plugin, on its node)."""
    try:
        if player.sponsorblock.categories:
            await player.sponsorblock.clear()
            return "SponsorBlock off."
        await player.sponsorblock.set_categories(SKIPPED)
    except hl.LavalinkError as exc:
        if not player.node.provides(hl.PluginName.SPONSORBLOCK):
            return "No SponsorBlock here: the Lavalink node has no SponsorBlock plugin."
        return f"SponsorBlock unchanged: {exc}"
    return "SponsorBlock on."


def create_bot(
    token: str, *, rest_url: str | None = None
) -> tuple[hikari.GatewayBot, hl.LavalinkClient]:
    """Build the bot and its Lavalink client (nodes from ``LAVALINK_*``)."""
    bot = hikari.GatewayBot(
        token,
        rest_url=rest_url,
        banner=None,
        intents=hikari.Intents.ALL_UNPRIVILEGED | hikari.Intents.MESSAGE_CONTENT,
    )
    lava = hl.LavalinkClient(bot, leave_when_idle=300, leave_when_alone=60)
    if host := os.environ.get("LAVALINK_HOST"):
        lava.add_node(
            name="main",
            host=host,
            port=int(os.environ.get("LAVALINK_PORT", "2333")),
            password=os.environ.get("LAVALINK_PASSWORD", "youshallnotpass"),
        )

    @bot.listen()
    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        if not event.is_human or not event.content or not event.content.startswith(PREFIX):
            return
        name, _, argument = event.content[len(PREFIX) :].partition(" ")
        player = lava.get_player(event.guild_id)
        if name == "play":
            reply = await play(lava, event, argument.strip())
        elif name not in USAGE:
            return
        elif player is None:
            reply = "Nothing is playing."
        elif name == "leave":
            await lava.leave(event.guild_id)
            reply = "Bye."
        else:
            player.data["text_channel"] = int(event.channel_id)
            reply = await run(player, name, argument.strip())
        await event.message.respond(reply)

    @bot.listen()
    async def on_queue_end(event: hl.QueueEndEvent) -> None:
        channel = event.player.data.get("text_channel") if event.player else None
        if channel is not None:
            await bot.rest.create_message(channel, "The queue is over.")

    @bot.listen()
    async def on_segment_skipped(event: hl.SegmentSkippedEvent) -> None:
        channel = event.player.data.get("text_channel") if event.player else None
        if channel is not None:
            await bot.rest.create_message(channel, f"Skipped a {event.segment.category} segment.")

    return bot, lava


def main() -> None:
    """Run against real Discord and Lavalink."""
    logging.basicConfig(level=logging.INFO)
    bot, _ = create_bot(os.environ["DISCORD_TOKEN"])
    bot.run()


if __name__ == "__main__":
    main()
