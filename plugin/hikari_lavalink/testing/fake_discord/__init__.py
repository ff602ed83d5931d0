"""A fake Discord (REST + gateway) on 127.0.0.1 that a real `hikari.GatewayBot` connects to.

It speaks the gateway as hikari 2.6/2.7 expects it: HELLO, IDENTIFY -> READY + one
`GUILD_CREATE` per guild of the shard, RESUME -> RESUMED (or op 9 for an unknown session),
heartbeats and their ACKs, sequence numbers, and the `zlib-stream`, `zstd-stream` (when a
zstd module is importable) and uncompressed transports. It answers op 4 with the bot's own
`VOICE_STATE_UPDATE` and a `VOICE_SERVER_UPDATE` *on the shard the op 4 came from* (in
the order a [`VoiceBehaviour`][hikari_lavalink.testing.VoiceBehaviour] sets, naming the guild's own
endpoint), and records every frame and every REST request.

Controls kill a shard in every way hikari tells apart (close codes, TCP abort, op 7, op 9,
unanswered heartbeats, a forgotten session), move or kick the bot, change the voice server,
send a null voice endpoint, and dispatch slash commands that hikari and lightbulb 3 parse.

Example
-------
```python
import hikari
from hikari_lavalink.testing import FakeDiscord

async with FakeDiscord(shard_count=2) as discord:
    bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None)
    await bot.start(check_for_updates=False, shard_count=2)
    guild_0, guild_1 = discord.guilds  # one guild per shard
    await bot.update_voice_state(
        guild_1.id, guild_1.voice_channel_ids[0], self_mute=False, self_deaf=True
    )
    frame = await discord.wait_for_op(4)  # op 4 arrived on shard 1
    await discord.kill_shard(1, "close:4000")  # hikari resumes the session
    await discord.wait_for_shards(2)
    await bot.close()
```

Notes
-----
* As Discord, each gateway session keeps its last dispatches (`backlog_size`), those made
  while its shard is down too, numbered in order: a RESUME replays every one after the
  `seq` it names, then RESUMED. A RESUME the backlog cannot serve (``kill_shard(shard,
  "lose_backlog")`, or too many missed) gets op 9 `false`, one with a `seq`` ahead of the
  session's 4007. `replay_on_resume=False` drops what a down shard misses instead.
* An op 4 that arrives on a shard the guild does not belong to is recorded in
  `FakeDiscord.wrong_shard_ops` and **not answered**, so a misrouted op 4 shows up as a
  voice join that never completes rather than as a success.
* `VOICE_STATE_UPDATE` is only sent to a shard that identified with the
  `GUILD_VOICE_STATES` intent, as Discord does.
* Every record has a wait that looks at it again whenever the fake records something:
  [`FakeDiscord.wait_for_op`][hikari_lavalink.testing.FakeDiscord.wait_for_op],
  [`wait_for_frame`][hikari_lavalink.testing.FakeDiscord.wait_for_frame],
  [`wait_for_request`][hikari_lavalink.testing.FakeDiscord.wait_for_request],
  [`wait_for_shards`][hikari_lavalink.testing.FakeDiscord.wait_for_shards] and
  [`wait_until`][hikari_lavalink.testing.FakeDiscord.wait_until].

The package is cut by concern: `.server` (the [`FakeDiscord`][hikari_lavalink.testing.FakeDiscord]
face), `.gateway` (sessions, IDENTIFY and RESUME, heartbeats, dispatch, deaths), `.voice` (how op 4
is answered), `.rest` (the REST routes and interactions), `.payloads` (the guilds and the JSON
Discord sends) and `.records` (what a test reads).
"""

from __future__ import annotations

from hikari_lavalink.testing.fake_discord.payloads import FakeGuild
from hikari_lavalink.testing.fake_discord.records import (
    RecordedClose,
    RecordedFrame,
    RecordedRestRequest,
)
from hikari_lavalink.testing.fake_discord.server import FakeDiscord
from hikari_lavalink.testing.fake_discord.voice import VoiceBehaviour

__all__ = [
    "FakeDiscord",
    "FakeGuild",
    "RecordedClose",
    "RecordedFrame",
    "RecordedRestRequest",
    "VoiceBehaviour",
]
