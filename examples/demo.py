"""``make demo``: the example music bot, unchanged, on embedded fakes. No token, no network.

A real ``hikari.GatewayBot`` with 2 shards connects to an embedded FakeDiscord; two
embedded FakeLavalink nodes play the audio. A member runs slash commands; then the demo
breaks things the way production does and prints what the bot does about it:

1. /play twice: the bot joins the member's channel (op 4 on the guild's shard), plays the
   first track and queues the second (``player.queue``); /lyrics shows the first one's
   (both nodes run LavaLyrics and the SponsorBlock plugin);
2. the guild's shard dies (TCP abort): the voice is lost, the shard resumes, the bot
   rejoins and the track resumes where it was;
3. the Lavalink node dies (SIGKILL) and stays down past its resume window: the player
   moves to the other node, same track, same position, same queue;
4. /skip; /sponsorblock; a track reaches its end and the queue plays the next one by itself,
   a YouTube video whose sponsor segment is skipped (the bot says so);
5. /autoplay: the last track ends with the queue empty and autoplay plays a track from the
   YouTube mix of the one that ended; then the queue runs dry and the bot says so;
6. the member leaves the voice channel and the bot leaves too (``leave_when_alone``);
7. the member comes back, /play, /leave, and a clean shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import typing

import hikari

import hikari_lavalink as hl
from examples.lightbulb_bot import create_bot
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

if typing.TYPE_CHECKING:
    import collections.abc

PASSWORD = "demo-password"  # noqa: S105 - the embedded fakes' password, not a secret
START = time.monotonic()
EventT = typing.TypeVar("EventT", bound=hikari.Event)

MORNING = factories.make_track(title="Lofi Morning", author="Demo Band", length=240_000)
NOON = factories.make_track(title="Lofi Noon", author="Demo Band", length=200_000)
EVENING = factories.make_track(
    title="Lofi Evening",
    author="Demo Band",
    length=180_000,
    source_name="youtube",
    identifier="lofievening",
)
NIGHT = factories.make_track(
    title="Night Drive",
    author="Synth Club",
    length=210_000,
    source_name="youtube",
    identifier="nightdrive1",
)
MORNING_LYRICS = hl.Lyrics(
    source_name="deezer", text="Slow light on the window\nthe kettle hums along"
)
SPONSOR = hl.Segment(category=hl.SponsorBlockCategory.SPONSOR, start=0, end=15_000)
"""Lofi Evening's sponsor segment: its first 15 seconds."""
PLUGINS = {"lavalyrics-plugin": "1.1.0", "sponsorblock-plugin": "3.0.0"}
"""What both fake nodes run: LavaLyrics (/lyrics) and SponsorBlock (/sponsorblock)."""
MIX = "https://www.youtube.com/watch?v=lofievening&list=RDlofievening"
"""Lofi Evening's YouTube mix: what the built-in recommender loads after it."""


def say(what: str) -> None:
    print(f"{time.monotonic() - START:7.2f}s  {what}", flush=True)


def catalogue() -> dict[str, hl.LoadResult]:
    return {
        "ytsearch:lofi morning": factories.make_search([MORNING]),
        "ytsearch:lofi noon": factories.make_search([NOON]),
        "ytsearch:lofi evening": factories.make_search([EVENING]),
        # A mix starts with its seed; Lofi Morning was heard already: autoplay skips both.
        MIX: factories.make_playlist("Mix - Lofi Evening", [EVENING, MORNING, NIGHT]),
    }


def fake_node(name: str) -> FakeLavalink:
    """A fake Lavalink node of the demo (with its catalogue and plugins)."""
    return FakeLavalink(
        password=PASSWORD,
        catalogue=catalogue(),
        name=name,
        player_update_interval=1.0,
        plugins=PLUGINS,
    )


def describe(event: hikari.Event) -> str | None:
    if isinstance(event, hl.TrackStartEvent):
        how = " (autoplay)" if hl.is_autoplayed(event.track) else ""
        return f"TrackStart      {event.track.info.title!r} on node {event.node.name}{how}"
    if isinstance(event, hl.TrackEndEvent):
        return f"TrackEnd        {event.track.info.title!r} ({event.reason})"
    if isinstance(event, hl.QueueEndEvent):
        last = event.track.info.title if event.track else None
        return f"QueueEnd        guild {event.guild_id}: nothing left after {last!r}"
    if isinstance(event, hl.VoiceLostEvent):
        return f"VoiceLost       guild {event.guild_id}: shard {event.shard_id} died"
    if isinstance(event, hl.VoiceRestoredEvent):
        at = event.position / 1000
        return f"VoiceRestored   guild {event.guild_id}: rejoined, track resumed at {at:.1f}s"
    if isinstance(event, hl.NodeDisconnectedEvent):
        return (
            f"NodeDisconnected {event.node.name} (code {event.code}, resume: {event.will_resume})"
        )
    if isinstance(event, hl.NodeUnavailableEvent):
        return (
            f"NodeUnavailable {event.node.name}: session lost with {len(event.guild_ids)} player(s)"
        )
    if isinstance(event, hl.PlayerMovedEvent):
        position = event.player.position / 1000 if event.player else 0.0
        route = f"{event.from_node.name} -> {event.node.name}"
        return f"PlayerMoved     guild {event.guild_id}: {route} at {position:.1f}s"
    if isinstance(event, hl.SegmentSkippedEvent):
        track = event.player.track if event.player else None
        segment = event.segment
        span = f"{segment.start / 1000:.1f}s-{segment.end / 1000:.1f}s"
        title = track.info.title if track else None
        return f"SegmentSkipped  {title!r}: its {segment.category} segment, {span}"
    if isinstance(event, hl.PlayerDestroyedEvent):
        return f"PlayerDestroyed guild {event.guild_id} ({event.reason})"
    if isinstance(event, hl.NodeReadyEvent):
        return f"NodeReady       {event.node.name} (resumed: {event.resumed})"
    if isinstance(event, hikari.ShardDisconnectedEvent):
        return f"ShardDisconnected shard {event.shard.id}"
    if isinstance(event, hikari.ShardResumedEvent):
        return f"ShardResumed    shard {event.shard.id}"
    return None


async def until(
    bot: hikari.GatewayBot,
    event_type: type[EventT],
    action: collections.abc.Awaitable[object],
    predicate: collections.abc.Callable[[EventT], bool] = lambda _: True,
) -> EventT:
    """Run ``action`` and return the first ``event_type`` event (matching ``predicate``)
    after it: the waiter is registered before ``action`` starts, so none is missed."""
    event, _ = await asyncio.gather(bot.wait_for(event_type, 15, predicate), action)
    return event


class Replies:
    """What the bot says: interaction responses and channel messages, from a mark on."""

    def __init__(self, discord: FakeDiscord) -> None:
        self._discord = discord
        self._responses, self._messages = 0, 0
        self.mark()

    def mark(self) -> None:
        """Forget what the bot said so far."""
        self._responses = len(self._discord.interaction_responses)
        self._messages = len(self._discord.messages)

    def _said(self) -> str | None:
        discord = self._discord
        answers = [
            body.get("data", {}).get("content")
            for _, body in discord.interaction_responses[self._responses :]
        ]
        answers += [message.get("content") for message in discord.messages[self._messages :]]
        return next((a for a in answers if a), None)

    async def next(self) -> None:
        """Print the first thing the bot says after the mark (and mark again)."""
        await self._discord.wait_until(self._said, timeout=10)  # checked at each request
        content = self._said() or ""
        say("  bot: " + content.replace("\n", "\n" + " " * 15))
        self.mark()


async def command(
    discord: FakeDiscord, guild: int, channel: int, name: str, **options: str | int
) -> None:
    """A member runs a slash command; print what the bot answers."""
    replies = Replies(discord)
    say(f"/{name} {' '.join(f'{k}:{v}' for k, v in options.items())}".rstrip())
    await discord.dispatch_interaction(
        guild,
        channel,
        name,
        [
            {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v}
            for k, v in options.items()
        ],
    )
    await replies.next()


async def main() -> int:  # noqa: PLR0915 - the story, step by step
    logging.basicConfig(
        level=logging.ERROR, stream=sys.stdout, format="          log  %(name)s: %(message)s"
    )
    hikari.impl.shard._BACKOFF_WINDOW = 0.0  # type: ignore[attr-defined]  # pyright: ignore[reportPrivateUsage] - faster demo
    async with (
        FakeDiscord(shard_count=2) as discord,
        fake_node("alpha") as alpha,
        fake_node("beta") as beta,
    ):
        say(f"FakeDiscord on {discord.rest_url}; FakeLavalink nodes on {alpha.url} and {beta.url}")
        fakes = {fake.name: fake for fake in (alpha, beta)}
        for fake in fakes.values():  # a track may play on either node
            fake.set_lyrics(MORNING, MORNING_LYRICS)
            fake.set_segments(EVENING, [SPONSOR])
        nodes = [
            {
                "name": n.name,
                "host": n.host,
                "port": n.port,
                "password": PASSWORD,
                "resume_timeout": 2,
                "reconnect_base": 0.1,
                "reconnect_cap": 0.5,
            }
            for n in (alpha, beta)
        ]
        bot, _client, lava = create_bot(
            discord.token, rest_url=discord.rest_url, nodes=nodes, environ={}
        )
        lava.leave_when_alone = 0.5  # the bot's own setting is a minute: a shorter demo

        @bot.listen(hikari.Event)
        async def timeline(event: hikari.Event) -> None:
            line = describe(event)
            if line:
                say(line)

        await bot.start(check_for_updates=False, shard_count=2)
        await lava.wait_ready(timeout=10)
        guild = discord.guilds[1]  # a guild on shard 1
        text, voice = guild.text_channel_ids[0], guild.voice_channel_ids[0]

        async def slash(name: str, **options: str | int) -> None:
            await command(discord, guild.id, text, name, **options)

        async def member_moves(channel: int | None) -> hikari.VoiceStateUpdateEvent:
            return await until(
                bot,
                hikari.VoiceStateUpdateEvent,
                discord.put_member_in_voice(guild.id, channel),
                lambda e: e.state.user_id == discord.member_id,
            )

        say(f"bot online with 2 shards; a member joins channel {voice} (guild {guild.id}, shard 1)")
        await member_moves(voice)

        await slash("play", query="lofi morning")
        player = lava.get_player(guild.id)
        assert player is not None
        await until(
            bot,
            hl.PlayerUpdateEvent,
            slash("play", query="lofi noon"),
            lambda e: e.state.position >= 1000,  # and a second of music
        )
        await slash("queue")
        await slash("nowplaying")
        await slash("lyrics")

        say("--- shard 1's gateway connection dies (TCP abort, no close frame)")
        await until(bot, hl.VoiceRestoredEvent, discord.kill_shard(1, "abort"))

        say(f"--- Lavalink node {player.node.name} is killed (SIGKILL) and stays down")
        dead = fakes[player.node.name]
        moved, _ = await asyncio.gather(
            until(bot, hl.PlayerMovedEvent, dead.kill()),
            bot.wait_for(hl.TrackStartEvent, 15, lambda e: e.node.name != dead.name),
        )
        assert moved.player is player
        await slash("nowplaying")
        await slash("skip")

        await slash("play", query="lofi evening")
        await slash("sponsorblock")
        live = fakes[player.node.name]
        say("--- 'Lofi Noon' reaches its end: the queue plays the next one, a YouTube video")
        replies = Replies(discord)
        await until(
            bot,
            hl.SegmentSkippedEvent,
            live.finish_track(guild.id),  # Lofi Evening starts, in its sponsor segment
        )
        await replies.next()

        await slash("autoplay")
        say("--- 'Lofi Evening' ends with the queue empty: autoplay loads its YouTube mix")
        await until(
            bot,
            hl.TrackStartEvent,
            live.finish_track(guild.id),
            lambda e: hl.is_autoplayed(e.track),
        )
        await slash("queue")
        await slash("autoplay")
        say("--- 'Night Drive' ends with the queue empty and autoplay off")
        replies = Replies(discord)
        await until(bot, hl.QueueEndEvent, live.finish_track(guild.id))
        await replies.next()

        say(f"--- the member leaves the voice channel (leave_when_alone: {lava.leave_when_alone}s)")
        await until(bot, hl.PlayerDestroyedEvent, member_moves(None), lambda e: e.reason == "alone")
        await replies.next()

        say("--- the member comes back")
        await member_moves(voice)
        await slash("play", query="lofi morning")
        await slash("leave")
        say("--- shutting down")
        await bot.close()
        say("done: every voice change had a defined reaction; no silent bot")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
