"""``make demo``: the example music bot, unchanged, on embedded fakes. No token, no network.

A real ``hikari.GatewayBot`` with 2 shards connects to an embedded FakeDiscord; two
embedded FakeLavalink nodes play the audio. A member runs slash commands; then the demo
breaks things the way production does and prints what the bot does about it:

1. /play: the bot joins the member's channel (op 4 on the guild's shard) and plays;
2. the guild's shard dies (TCP abort): the voice is lost, the shard resumes, the bot
   rejoins and the track resumes where it was;
3. the Lavalink node dies (SIGKILL) and stays down past its resume window: the player
   moves to the other node, same track, same position;
4. /skip, /nowplaying, /leave, and a clean shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time

import hikari

import hikari_lavalink as hl
from examples.lightbulb_bot import create_bot
from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories

PASSWORD = "demo-password"  # noqa: S105 - the embedded fakes' password, not a secret
START = time.monotonic()


def say(what: str) -> None:
    print(f"{time.monotonic() - START:7.2f}s  {what}", flush=True)


def catalogue() -> dict[str, hl.LoadResult]:
    tracks = [
        factories.make_track(title="Lofi Morning", author="Demo Band", length=240_000),
        factories.make_track(title="Lofi Noon", author="Demo Band", length=200_000),
    ]
    return {
        "ytsearch:lofi morning": factories.make_search(tracks[:1]),
        "ytsearch:lofi noon": factories.make_search(tracks[1:]),
    }


def describe(event: hikari.Event) -> str | None:
    if isinstance(event, hl.TrackStartEvent):
        return f"TrackStart      {event.track.info.title!r} on node {event.node.name}"
    if isinstance(event, hl.TrackEndEvent):
        return f"TrackEnd        {event.track.info.title!r} ({event.reason})"
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
    if isinstance(event, hl.PlayerDestroyedEvent):
        return f"PlayerDestroyed guild {event.guild_id} ({event.reason})"
    if isinstance(event, hl.NodeReadyEvent):
        return f"NodeReady       {event.node.name} (resumed: {event.resumed})"
    if isinstance(event, hikari.ShardDisconnectedEvent):
        return f"ShardDisconnected shard {event.shard.id}"
    if isinstance(event, hikari.ShardResumedEvent):
        return f"ShardResumed    shard {event.shard.id}"
    return None


async def command(
    discord: FakeDiscord, guild: int, channel: int, name: str, **options: str
) -> None:
    """A member runs a slash command; print what the bot answers."""
    responses, messages = len(discord.interaction_responses), len(discord.messages)
    say(f"/{name} {' '.join(f'{k}:{v}' for k, v in options.items())}".rstrip())
    await discord.dispatch_interaction(
        guild, channel, name, [{"name": k, "type": 3, "value": v} for k, v in options.items()]
    )
    async with asyncio.timeout(10):
        while True:
            answers = [
                body.get("data", {}).get("content")
                for _, body in discord.interaction_responses[responses:]
            ]
            answers += [message.get("content") for message in discord.messages[messages:]]
            content = next((a for a in answers if a), None)
            if content:
                say(f"  bot: {content}")
                return
            await asyncio.sleep(0.02)


async def main() -> int:
    logging.basicConfig(
        level=logging.ERROR, stream=sys.stdout, format="          log  %(name)s: %(message)s"
    )
    hikari.impl.shard._BACKOFF_WINDOW = 0.0  # type: ignore[attr-defined]  # pyright: ignore[reportPrivateUsage] - faster demo
    async with (
        FakeDiscord(shard_count=2) as discord,
        FakeLavalink(password=PASSWORD, catalogue=catalogue(), name="alpha") as alpha,
        FakeLavalink(password=PASSWORD, catalogue=catalogue(), name="beta") as beta,
    ):
        say(f"FakeDiscord on {discord.rest_url}; FakeLavalink nodes on {alpha.url} and {beta.url}")
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

        @bot.listen(hikari.Event)
        async def timeline(event: hikari.Event) -> None:
            line = describe(event)
            if line:
                say(line)

        await bot.start(check_for_updates=False, shard_count=2)
        await lava.wait_ready(timeout=10)
        guild = discord.guilds[1]  # a guild on shard 1
        text, voice = guild.text_channel_ids[0], guild.voice_channel_ids[0]
        say(f"bot online with 2 shards; a member joins channel {voice} (guild {guild.id}, shard 1)")
        await discord.put_member_in_voice(guild.id, voice)
        await asyncio.sleep(0.2)

        await command(discord, guild.id, text, "play", query="lofi morning")
        player = lava.get_player(guild.id)
        assert player is not None
        await command(discord, guild.id, text, "play", query="lofi noon")
        await asyncio.sleep(1.0)
        await command(discord, guild.id, text, "nowplaying")

        say("--- shard 1's gateway connection dies (TCP abort, no close frame)")
        await discord.kill_shard(1, "abort")
        restored = await bot.wait_for(hl.VoiceRestoredEvent, timeout=15)
        assert restored.guild_id == guild.id

        say(f"--- Lavalink node {player.node.name} is killed (SIGKILL) and stays down")
        dead = alpha if player.node.name == "alpha" else beta
        await dead.kill()
        moved = await bot.wait_for(hl.PlayerMovedEvent, timeout=15)
        assert moved.player is player
        await asyncio.sleep(0.5)
        await command(discord, guild.id, text, "nowplaying")
        await command(discord, guild.id, text, "skip")
        await command(discord, guild.id, text, "leave")
        say("--- shutting down")
        await bot.close()
        say("done: every voice change had a defined reaction; no silent bot")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
