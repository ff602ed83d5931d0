"""A music bot with plain hikari (no command framework): prefix commands in text channels.

Commands: ``!play <query>``, ``!skip``, ``!pause``, ``!resume``, ``!volume <n>``, ``!np``,
``!leave``. Needs the MESSAGE_CONTENT privileged intent for prefix commands.

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
    lava = hl.LavalinkClient(bot)
    if host := os.environ.get("LAVALINK_HOST"):
        lava.add_node(
            name="main",
            host=host,
            port=int(os.environ.get("LAVALINK_PORT", "2333")),
            password=os.environ.get("LAVALINK_PASSWORD", "youshallnotpass"),
        )
    queues: dict[int, hl.TrackQueue] = {}

    @bot.listen()
    async def on_message(event: hikari.GuildMessageCreateEvent) -> None:
        if not event.is_human or not event.content or not event.content.startswith(PREFIX):
            return
        name, _, argument = event.content[len(PREFIX) :].partition(" ")
        reply = await run(event.guild_id, event.author_id, name, argument.strip())
        if reply:
            await event.message.respond(reply)

    async def run(
        guild_id: hikari.Snowflake, user_id: hikari.Snowflake, name: str, argument: str
    ) -> str | None:
        player = lava.get_player(guild_id)
        queue = queues.setdefault(int(guild_id), hl.TrackQueue())
        if name == "play":
            if player is None:
                state = bot.cache.get_voice_state(guild_id, user_id)
                if state is None or state.channel_id is None:
                    return "Join a voice channel first."
                player = await lava.join(guild_id, state.channel_id)
            result = await lava.load_tracks(
                argument if argument.startswith("http") else f"ytsearch:{argument}"
            )
            if not result.tracks:
                return "Nothing found."
            queue.add(result.tracks[0])
            if player.track is None:
                track = queue.next()
                assert track is not None
                await player.play(track)
                return f"Playing {track.info.title}."
            return f"Queued {result.tracks[0].info.title}."
        if player is None:
            return (
                "Nothing is playing."
                if name in {"skip", "pause", "resume", "volume", "np", "leave"}
                else None
            )
        if name == "skip":
            following = queue.skip()
            if following is None:
                await player.stop()
                return "Queue is empty."
            await player.play(following)
            return f"Playing {following.info.title}."
        if name in {"pause", "resume"}:
            await player.pause(name == "pause")
            return f"{name.title()}d."
        if name == "volume" and argument.isdigit():
            await player.set_volume(int(argument))
            return f"Volume {argument}%."
        if name == "np":
            return (
                f"{player.track.info.title} at {player.position // 1000}s"
                if player.track
                else "Nothing."
            )
        if name == "leave":
            queues.pop(int(guild_id), None)
            await lava.leave(guild_id)
            return "Bye."
        return None

    @bot.listen()
    async def on_end(event: hl.TrackEndEvent) -> None:
        if event.may_start_next and event.player is not None:
            following = queues.setdefault(int(event.guild_id), hl.TrackQueue()).next()
            if following is not None:
                await event.player.play(following)

    return bot, lava


def main() -> None:
    """Run against real Discord and Lavalink."""
    logging.basicConfig(level=logging.INFO)
    bot, _ = create_bot(os.environ["DISCORD_TOKEN"])
    bot.run()


if __name__ == "__main__":
    main()
