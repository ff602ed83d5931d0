"""A bot run as several processes, sharing one Redis, and a dashboard that reads and commands
it from outside (``docs/many-processes.md`` shows these sections). The ``# --8<--`` lines
mark them.

Run a process of a 4-shard bot (each process its own shards)::

    DISCORD_TOKEN=... LAVALINK_HOST=... LAVALINK_PORT=2333 LAVALINK_PASSWORD=... \\
        REDIS_URL=redis://127.0.0.1:6379/0 python -m examples.cluster bot --shards 0,1 --of 4

and, from anywhere that reaches Redis (no bot, no token)::

    REDIS_URL=redis://127.0.0.1:6379/0 python -m examples.cluster dashboard
    REDIS_URL=... python -m examples.cluster skip 1234567890
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import time

import hikari

import hikari_lavalink as hl
from hikari_lavalink.store import RedisStore

__all__ = ["dashboard", "main", "make_client"]

CLUSTER = "music-bot"


# --8<-- [start:client]
def make_client(
    bot: hikari.GatewayBot, redis_url: str, *, instance: str, cluster: str = CLUSTER
) -> hl.LavalinkClient:
    """The Lavalink client of one process of the bot, on the cluster's shared store.

    ``instance`` names this process: started again under the same name (after a crash, a
    deploy), it takes its shards over at once; another process asking for them while it
    lives gets ``ShardsClaimedError``.
    """
    store = RedisStore(redis_url, cluster=cluster, instance=instance)
    return hl.LavalinkClient(bot, store=store)


# --8<-- [end:client]


# --8<-- [start:dashboard]
async def dashboard(store: RedisStore) -> list[str]:
    """One line per guild with a player, from Redis alone: what plays, where, what's next."""
    owners = await store.read_owners()
    lines = [f"shards: {', '.join(f'{s}={o}' for s, o in sorted(owners.items())) or 'none'}"]
    now = time.time()
    for player in await store.read_players():
        if player.track is None:
            playing = "nothing"
        else:
            state = "paused" if player.paused else "playing"
            seconds = player.position_at(now) // 1000
            playing = f"{state} {player.track.info.title!r} at {seconds // 60}:{seconds % 60:02}"
        upcoming = len(player.music.queue) if player.music is not None else 0
        lines.append(f"guild {player.guild_id}: {playing}, {upcoming} queued")
    return lines


# --8<-- [end:dashboard]


async def _bot(shards: list[int], count: int) -> None:
    bot = hikari.GatewayBot(os.environ["DISCORD_TOKEN"], intents=hikari.Intents.ALL_UNPRIVILEGED)
    instance = f"{socket.gethostname()}-shards-{'-'.join(map(str, shards))}"
    lava = make_client(bot, os.environ["REDIS_URL"], instance=instance)
    lava.add_node(
        name="main",
        host=os.environ.get("LAVALINK_HOST", "127.0.0.1"),
        port=int(os.environ.get("LAVALINK_PORT", "2333")),
        password=os.environ["LAVALINK_PASSWORD"],
    )
    await bot.start(shard_ids=shards, shard_count=count)
    await bot.join()


async def _outside(command: str, guild: int | None) -> None:
    store = RedisStore(os.environ["REDIS_URL"], cluster=CLUSTER)
    try:
        if command == "dashboard":
            print("\n".join(await dashboard(store)))
        elif guild is not None:
            # --8<-- [start:command]
            reply = await store.send_command(guild, command)
            print("done" if reply.ok else f"refused: {reply.error}")
            # --8<-- [end:command]
    finally:
        await store.close()


def main() -> None:
    """``bot --shards 0,1 --of 4``, ``dashboard``, or ``skip|pause|resume|leave GUILD``."""
    parser = argparse.ArgumentParser(prog="python -m examples.cluster")
    parser.add_argument("command", choices=["bot", "dashboard", "skip", "pause", "resume", "leave"])
    parser.add_argument("guild", nargs="?", type=int)
    parser.add_argument("--shards", default="0")
    parser.add_argument("--of", type=int, default=1)
    args = parser.parse_args()
    if args.command == "bot":
        asyncio.run(_bot([int(s) for s in args.shards.split(",")], args.of))
    else:
        asyncio.run(_outside(args.command, args.guild))


if __name__ == "__main__":
    main()
