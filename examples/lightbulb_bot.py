"""A complete music bot: hikari + hikari-lightbulb 3 + hikari-lavalink.

Commands: /join, /play <query>, /pause, /resume, /skip, /queue, /loop <mode>, /shuffle,
/remove <position>, /volume <percent>, /filter <preset>, /autoplay, /nowplaying,
/lyrics [live], /sponsorblock, /leave. /lyrics needs the LavaLyrics plugin on the Lavalink
node (``live:True`` posts each line in the channel as it plays, ``live:False`` stops), and
/sponsorblock the SponsorBlock plugin (a toggle: it skips the sponsor and self-promotion
segments of YouTube videos, and says so in the channel).

The queue is the library's: every player has one (``player.queue``) and plays on by itself
when a track ends. The bot adds tracks with who asked for them, starts the queue with
``player.skip()`` when nothing plays, and announces in the text channel it keeps in
``player.data`` when the queue ran dry or it left an empty channel.

Run it for real::

    DISCORD_TOKEN=... LAVALINK_HOST=127.0.0.1 LAVALINK_PORT=2333 LAVALINK_PASSWORD=... \\
        python -m examples.lightbulb_bot

``make demo`` runs this same bot, unchanged, against the embedded fakes (examples/demo.py).
"""

from __future__ import annotations

import logging
import os
import typing

import hikari
import lightbulb

import hikari_lavalink as hl
from hikari_lavalink.ext.lightbulb import make_loader, nodes_from_env

__all__ = ["COMMANDS", "create_bot", "main"]

_LOGGER = logging.getLogger("examples.lightbulb_bot")
loader = lightbulb.Loader()

FILTERS = hl.presets.NAMED  # each preset by name, at its defaults
SKIPPED = (hl.SponsorBlockCategory.SPONSOR, hl.SponsorBlockCategory.SELFPROMO)
"""What /sponsorblock skips in YouTube videos."""
DISCORD_LIMIT: typing.Final = 2000
"""The most characters a Discord message holds."""
TEXT_CHANNEL: typing.Final = "text_channel"
"""The ``player.data`` key of the channel to announce in (where the last command ran).

Stored as a plain ``int``: a store keeps the JSON values of ``player.data`` only, and a
``hikari.Snowflake`` is not one to msgspec."""


def _fmt(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def _describe(track: hl.Track) -> str:
    return f"**{track.info.title}** by {track.info.author} ({_fmt(track.info.length)})"


def _who(track: hl.Track) -> str:
    """Who asked for ``track``: a mention, or autoplay."""
    if hl.is_autoplayed(track):
        return "autoplay"
    requester = hl.requester_of(track)
    return f"<@{requester}>" if requester is not None else "someone"


def _clip(text: str) -> str:
    """``text``, cut to fit in a Discord message."""
    return text if len(text) <= DISCORD_LIMIT else text[: DISCORD_LIMIT - 1] + "\u2026"


async def _player(ctx: lightbulb.Context, lava: hl.LavalinkClient) -> hl.Player | None:
    player = lava.get_player(ctx.guild_id) if ctx.guild_id else None
    if player is None:
        await ctx.respond("I am not in a voice channel: use /join or /play first.")
    else:
        player.data[TEXT_CHANNEL] = int(ctx.channel_id)
    return player


async def _join(ctx: lightbulb.Context, lava: hl.LavalinkClient) -> hl.Player | None:
    guild_id = ctx.guild_id
    if guild_id is None:
        await ctx.respond("Voice works in servers only.")
        return None
    player = lava.get_player(guild_id)
    if player is None:
        state = lava.bot.cache.get_voice_state(guild_id, ctx.user.id)
        if state is None or state.channel_id is None:
            await ctx.respond("Join a voice channel first.")
            return None
        try:
            player = await lava.join(guild_id, state.channel_id)
        except hl.LavalinkError as exc:
            await ctx.respond(f"Could not join: {exc}")
            return None
    player.data[TEXT_CHANNEL] = int(ctx.channel_id)
    return player


@loader.command
class Join(lightbulb.SlashCommand, name="join", description="Join your voice channel"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        player = await _join(ctx, lava)
        if player is not None:
            await ctx.respond(f"Joined <#{player.channel_id}>.")


@loader.command
class Play(lightbulb.SlashCommand, name="play", description="Play a song or add it to the queue"):
    query = lightbulb.string("query", "A URL or what to search for")

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        await ctx.defer()
        player = await _join(ctx, lava)
        if player is None:
            return
        try:
            result = await lava.search(self.query)  # a URL passes through, words are searched
        except hl.UsageError:
            await ctx.respond("Tell me what to play.")
            return
        if isinstance(result, hl.ErrorResult):
            await ctx.respond(f"Loading failed: {result.data.message}")
            return
        if not result.tracks:
            await ctx.respond(f"Nothing found for `{self.query}`.")
            return
        tracks = result.tracks if isinstance(result, hl.PlaylistResult) else result.tracks[:1]
        player.queue.add(*tracks, requester=ctx.user.id)
        more = f" and {len(tracks) - 1} more" if len(tracks) > 1 else ""
        if player.track is None:
            first = await player.skip()  # nothing plays: start the queue
            if first is not None:
                await ctx.respond(f"Now playing {_describe(first)}{more}.")
                return
        await ctx.respond(f"Queued {_describe(tracks[0])}{more}.")


@loader.command
class Pause(lightbulb.SlashCommand, name="pause", description="Pause playback"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            await player.pause()
            await ctx.respond("Paused.")


@loader.command
class Resume(lightbulb.SlashCommand, name="resume", description="Resume playback"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            await player.resume()
            await ctx.respond("Resumed.")


@loader.command
class Skip(lightbulb.SlashCommand, name="skip", description="Skip to the next track"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            following = await player.skip()
            if following is None:
                await ctx.respond("Skipped; the queue is empty.")
            else:
                await ctx.respond(f"Skipped. Now playing {_describe(following)}.")


@loader.command
class Queue(lightbulb.SlashCommand, name="queue", description="Show the queue"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            queue = player.queue
            now = (
                f"{_describe(player.track)}, for {_who(player.track)}"
                if player.track
                else "nothing"
            )
            lines = [
                f"{i}. {_describe(track)}, for {_who(track)}"
                for i, track in enumerate(queue.upcoming[:10], start=1)
            ]
            if len(queue) > len(lines):
                lines.append(f"... and {len(queue) - len(lines)} more")
            settings = f"Loop: {queue.loop.value}. Autoplay: {'on' if player.autoplay else 'off'}."
            await ctx.respond(
                f"Now: {now}\n" + ("\n".join(lines) or "The queue is empty.") + f"\n{settings}"
            )


@loader.command
class Loop(lightbulb.SlashCommand, name="loop", description="Repeat the track or the queue"):
    mode = lightbulb.string(
        "mode", "What to repeat", choices=[lightbulb.Choice(m.value, m.value) for m in hl.LoopMode]
    )

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            player.queue.loop = hl.LoopMode(self.mode)
            await ctx.respond(f"Loop: {self.mode}.")


@loader.command
class Shuffle(lightbulb.SlashCommand, name="shuffle", description="Shuffle the queue"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            player.queue.shuffle()
            await ctx.respond(f"Shuffled {len(player.queue)} tracks.")


@loader.command
class Remove(lightbulb.SlashCommand, name="remove", description="Remove a track from the queue"):
    position = lightbulb.integer("position", "Its number in /queue", min_value=1)

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            if self.position > len(player.queue):
                await ctx.respond(f"The queue has {len(player.queue)} tracks.")
                return
            removed = player.queue.remove(self.position - 1)
            await ctx.respond(f"Removed {_describe(removed)}.")


@loader.command
class Volume(lightbulb.SlashCommand, name="volume", description="Set the volume"):
    percent = lightbulb.integer("percent", "0 to 200", min_value=0, max_value=200)

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            await player.set_volume(self.percent)
            await ctx.respond(f"Volume set to {self.percent}%.")


@loader.command
class Filter(lightbulb.SlashCommand, name="filter", description="Apply an audio filter"):
    preset = lightbulb.string(
        "preset", "Which filter", choices=[lightbulb.Choice(n, n) for n in FILTERS]
    )

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            await player.set_filters(FILTERS[self.preset]())  # the whole set: replaces the last
            await ctx.respond(f"Filter: {self.preset}.")


@loader.command
class Autoplay(lightbulb.SlashCommand, name="autoplay", description="Toggle autoplay"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            player.autoplay = not player.autoplay
            if player.autoplay:
                await ctx.respond("Autoplay on: when the queue runs dry, I pick similar tracks.")
            else:
                await ctx.respond("Autoplay off.")


@loader.command
class NowPlaying(lightbulb.SlashCommand, name="nowplaying", description="What is playing"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            if player.track is None:
                await ctx.respond("Nothing is playing.")
            else:
                await ctx.respond(
                    f"{_describe(player.track)} at {_fmt(player.position)}, "
                    f"for {_who(player.track)}" + (" (paused)" if player.paused else "")
                )


def _lacks(player: hl.Player, plugin: str, exc: hl.LavalinkError) -> bool:
    """Whether ``exc`` means the player's node lacks ``plugin`` (a ``UsageError`` has other
    causes too: the node is not connected, the player was destroyed)."""
    return isinstance(exc, hl.UsageError) and not player.node.provides(plugin)


async def _lyrics(player: hl.Player, live: bool | None) -> str:
    """/lyrics: the lyrics of the track playing (``live`` unset), or live lyrics on or off."""
    try:
        if live is None:
            found = await player.lyrics.fetch()
        elif live:
            await player.lyrics.subscribe()  # kept by the client: resumes, moves, restarts
            return "Live lyrics on: I post each line here as it plays."
        else:
            await player.lyrics.unsubscribe()
            return "Live lyrics off."
    except hl.NoTrackPlayingError:
        return "Nothing is playing."
    except hl.FeatureNotSupportedError:  # a LavaLyrics older than live lyrics (1.0.0)
        return "No live lyrics here: the node's LavaLyrics plugin is too old for them."
    except hl.LavalinkError as exc:
        if _lacks(player, hl.PluginName.LAVALYRICS, exc):
            return "No lyrics here: the Lavalink node has no LavaLyrics plugin."
        _LOGGER.warning("guild %s: /lyrics failed: %s", player.guild_id, exc)
        return "Could not get the lyrics right now; try again in a moment."
    text = found.plain if found is not None else ""
    return _clip(text) if text else "No lyrics found."


@loader.command
class Lyrics(lightbulb.SlashCommand, name="lyrics", description="The lyrics of the song playing"):
    live = lightbulb.boolean(
        "live", "True: post each line here as it plays; False: stop", default=None
    )

    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            await ctx.respond(await _lyrics(player, self.live))


async def _sponsorblock(player: hl.Player) -> str:
    """/sponsorblock: skip sponsors in YouTube videos, or stop."""
    try:
        if player.sponsorblock.categories:
            await player.sponsorblock.clear()
            return "SponsorBlock off."
        await player.sponsorblock.set_categories(SKIPPED)  # kept through resumes and moves
    except hl.LavalinkError as exc:
        if _lacks(player, hl.PluginName.SPONSORBLOCK, exc):
            return "No SponsorBlock here: the Lavalink node has no SponsorBlock plugin."
        _LOGGER.warning("guild %s: /sponsorblock failed: %s", player.guild_id, exc)
        return "Could not change SponsorBlock right now; try again in a moment."
    return f"SponsorBlock on: I skip the {' and '.join(SKIPPED)} segments of YouTube videos."


@loader.command
class SponsorBlock(
    lightbulb.SlashCommand, name="sponsorblock", description="Toggle skipping YouTube sponsors"
):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            await ctx.respond(await _sponsorblock(player))


@loader.command
class Leave(lightbulb.SlashCommand, name="leave", description="Stop and leave the voice channel"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if ctx.guild_id is not None and lava.get_player(ctx.guild_id) is not None:
            await lava.leave(ctx.guild_id)  # the queue goes with the player
            await ctx.respond("Bye!")
        else:
            await ctx.respond("I am not in a voice channel.")


async def _announce(event: hl.PlayerEvent, content: str) -> None:
    """Say ``content`` in the text channel of the player's last command."""
    channel = event.player.data.get(TEXT_CHANNEL) if event.player is not None else None
    if channel is not None:
        await event.app.rest.create_message(channel, content)


@loader.listener(hl.QueueEndEvent)
async def on_queue_end(event: hl.QueueEndEvent) -> None:
    await _announce(event, "The queue is over: /play more, or turn /autoplay on.")


@loader.listener(hl.PlayerDestroyedEvent)
async def on_destroyed(event: hl.PlayerDestroyedEvent) -> None:
    if event.reason == "alone":
        await _announce(event, "Everyone left the voice channel, so did I.")
    elif event.reason == "idle":
        await _announce(event, "Nothing played for a while: I left the voice channel.")


@loader.listener(hl.SegmentSkippedEvent)
async def on_segment_skipped(event: hl.SegmentSkippedEvent) -> None:
    await _announce(event, f"Skipped a {event.segment.category} segment.")


@loader.listener(hl.LyricsLineEvent)
async def on_lyrics_line(event: hl.LyricsLineEvent) -> None:
    # After /lyrics live:True. A line passed by a seek (or already past when the player
    # subscribed) was not sung, and an instrumental gap has no text: nothing to post.
    if not event.skipped and event.line.line:
        await _announce(event, _clip(event.line.line))


COMMANDS: typing.Final = (
    "join",
    "play",
    "pause",
    "resume",
    "skip",
    "queue",
    "loop",
    "shuffle",
    "remove",
    "volume",
    "filter",
    "autoplay",
    "nowplaying",
    "lyrics",
    "sponsorblock",
    "leave",
)


def create_bot(
    token: str,
    *,
    rest_url: str | None = None,
    nodes: typing.Sequence[dict[str, typing.Any]] = (),
    environ: typing.Mapping[str, str] | None = None,
) -> tuple[hikari.GatewayBot, lightbulb.GatewayEnabledClient, hl.LavalinkClient]:
    """Build the bot, its lightbulb client and its Lavalink client.

    ``nodes`` are ``add_node`` keyword arguments; ``LAVALINK_*`` variables add one more.
    The bot leaves a channel 5 minutes after its queue ran dry, or 1 minute after the last
    member left it (``lava.leave_when_idle``, ``lava.leave_when_alone``).
    """
    bot = hikari.GatewayBot(
        token, rest_url=rest_url, banner=None, intents=hikari.Intents.ALL_UNPRIVILEGED
    )
    client = lightbulb.client_from_app(bot)
    lava = hl.LavalinkClient(bot, leave_when_idle=300, leave_when_alone=60)
    for node in nodes:
        lava.add_node(**node)
    nodes_from_env(lava, environ)

    @bot.listen(hikari.StartingEvent)
    async def _load(_: hikari.StartingEvent) -> None:
        await make_loader(lava).add_to_client(client)
        await loader.add_to_client(client)

    bot.subscribe(hikari.StartedEvent, client.start)
    return bot, client, lava


def main() -> None:
    """Run against real Discord and Lavalink (``DISCORD_TOKEN``, ``LAVALINK_*``)."""
    logging.basicConfig(level=logging.INFO)
    bot, _, _ = create_bot(os.environ["DISCORD_TOKEN"])
    bot.run()


if __name__ == "__main__":
    main()
