"""A complete music bot: hikari + hikari-lightbulb 3 + hikari-lavalink.

Commands: /join, /play <query>, /pause, /resume, /skip, /queue, /volume <percent>,
/filter <preset>, /nowplaying, /leave. A per-guild :class:`hikari_lavalink.TrackQueue`
advances on ``TrackEndEvent`` when ``may_start_next`` is true.

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
queues: dict[int, hl.TrackQueue] = {}

FILTERS: dict[str, hl.Filters] = {
    "off": hl.Filters(),
    "nightcore": hl.Filters(timescale=hl.Timescale(speed=1.2, pitch=1.2)),
    "bassboost": hl.Filters(equalizer=[hl.Band(band=b, gain=0.25) for b in range(4)]),
    "8d": hl.Filters(rotation=hl.Rotation(rotation_hz=0.2)),
    "karaoke": hl.Filters(karaoke=hl.Karaoke()),
}


def queue_of(guild_id: int) -> hl.TrackQueue:
    """The guild's queue."""
    return queues.setdefault(guild_id, hl.TrackQueue())


def _fmt(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def _describe(track: hl.Track) -> str:
    return f"**{track.info.title}** by {track.info.author} ({_fmt(track.info.length)})"


async def _player(ctx: lightbulb.Context, lava: hl.LavalinkClient) -> hl.Player | None:
    player = lava.get_player(ctx.guild_id) if ctx.guild_id else None
    if player is None:
        await ctx.respond("I am not in a voice channel: use /join or /play first.")
    return player


async def _join(ctx: lightbulb.Context, lava: hl.LavalinkClient) -> hl.Player | None:
    guild_id = ctx.guild_id
    if guild_id is None:
        await ctx.respond("Voice works in servers only.")
        return None
    existing = lava.get_player(guild_id)
    if existing is not None:
        return existing
    state = lava.bot.cache.get_voice_state(guild_id, ctx.user.id)
    if state is None or state.channel_id is None:
        await ctx.respond("Join a voice channel first.")
        return None
    try:
        return await lava.join(guild_id, state.channel_id)
    except hl.LavalinkError as exc:
        await ctx.respond(f"Could not join: {exc}")
        return None


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
        identifier = (
            self.query
            if self.query.startswith(("http://", "https://"))
            else f"ytsearch:{self.query}"
        )
        result = await lava.load_tracks(identifier)
        if isinstance(result, hl.ErrorResult):
            await ctx.respond(f"Loading failed: {result.data.message}")
            return
        if not result.tracks:
            await ctx.respond(f"Nothing found for `{self.query}`.")
            return
        queue = queue_of(player.guild_id)
        tracks = result.tracks if isinstance(result, hl.PlaylistResult) else result.tracks[:1]
        queue.add(*tracks)
        if player.track is None:
            first = queue.next()
            assert first is not None
            await player.play(first)
            await ctx.respond(f"Now playing {_describe(first)}.")
        else:
            await ctx.respond(
                f"Queued {_describe(tracks[0])}"
                + (f" and {len(tracks) - 1} more." if len(tracks) > 1 else ".")
            )


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
            following = queue_of(player.guild_id).skip()
            if following is None:
                await player.stop()
                await ctx.respond("Skipped; the queue is empty.")
            else:
                await player.play(following)
                await ctx.respond(f"Skipped. Now playing {_describe(following)}.")


@loader.command
class Queue(lightbulb.SlashCommand, name="queue", description="Show the queue"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if player := await _player(ctx, lava):
            queue = queue_of(player.guild_id)
            lines = [f"{i + 1}. {_describe(t)}" for i, t in enumerate(list(queue)[:10])]
            now = _describe(player.track) if player.track else "nothing"
            await ctx.respond(f"Now: {now}\n" + ("\n".join(lines) or "The queue is empty."))


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
            await player.set_filters(FILTERS[self.preset])
            await ctx.respond(f"Filter: {self.preset}.")


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
                    f"{_describe(player.track)} at {_fmt(player.position)}"
                    + (" (paused)" if player.paused else "")
                )


@loader.command
class Leave(lightbulb.SlashCommand, name="leave", description="Stop and leave the voice channel"):
    @lightbulb.invoke
    async def invoke(
        self, ctx: lightbulb.Context, lava: hl.LavalinkClient = lightbulb.di.INJECTED
    ) -> None:
        if ctx.guild_id is not None and lava.get_player(ctx.guild_id) is not None:
            queues.pop(ctx.guild_id, None)
            await lava.leave(ctx.guild_id)
            await ctx.respond("Bye!")
        else:
            await ctx.respond("I am not in a voice channel.")


@loader.listener(hl.TrackEndEvent)
async def on_track_end(event: hl.TrackEndEvent) -> None:
    if not event.may_start_next or event.player is None:
        return
    following = queue_of(event.guild_id).next()
    if following is not None:
        await event.player.play(following)


@loader.listener(hl.PlayerDestroyedEvent)
async def on_destroyed(event: hl.PlayerDestroyedEvent) -> None:
    queues.pop(event.guild_id, None)


COMMANDS: typing.Final = (
    "join",
    "play",
    "pause",
    "resume",
    "skip",
    "queue",
    "volume",
    "filter",
    "nowplaying",
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
    """
    bot = hikari.GatewayBot(
        token, rest_url=rest_url, banner=None, intents=hikari.Intents.ALL_UNPRIVILEGED
    )
    client = lightbulb.client_from_app(bot)
    lava = hl.LavalinkClient(bot)
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
