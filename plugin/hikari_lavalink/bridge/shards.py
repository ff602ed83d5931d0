"""Shard recovery: a shard's gateway death drops its guilds' Lavalink voice; its return
rejoins them (op 4, then the player at its position) or leaves, by policy.

Discord ends a voice connection when the gateway connection that made it dies, even when
the gateway session is resumed. So at `ShardDisconnectedEvent` the players of that shard
are frozen where they were and their server-side players dropped (their state kept), and at
`ShardConnectedEvent` (after READY or RESUMED) each guild is restored once: op 4 to its
channel, and [`VoiceCoordinator`][hikari_lavalink.bridge.voice.VoiceCoordinator] sends the whole
player when the new voice credentials come. No voice server within `rejoin_timeout`: leave, join
once more, then give up and leave. Leaves that could not go out are sent then too.
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing

import hikari

from hikari_lavalink._typing import override
from hikari_lavalink.bridge import events as ev
from hikari_lavalink.bridge.voice import LEAVE_ECHO_WINDOW
from hikari_lavalink.errors import LavalinkError, ShardNotConnectedError

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.bridge.dispatch import NodeEvents
    from hikari_lavalink.bridge.guilds import GuildVoice
    from hikari_lavalink.bridge.voice import VoiceCoordinator
    from hikari_lavalink.runtime.background import BackgroundTasks
    from hikari_lavalink.runtime.player import Player

__all__ = ["ShardDeathPolicy", "ShardRecovery"]

_LOGGER = logging.getLogger("hikari_lavalink.client")
ShardDeathPolicy: typing.TypeAlias = typing.Literal["rejoin", "leave"]


class ShardRecovery:
    """What a shard's death and return mean for the guilds it serves.

    Parameters
    ----------
    voice
        The guild table, op 4, join and leave.
    events
        How events are emitted.
    tasks
        Where the REST calls and rejoins run (hikari awaits the shard listeners before it
        reconnects).
    closing
        Whether the client is shutting down (its own shard disconnects are no deaths).
    policy, rejoin_timeout
        As [`LavalinkClient`][hikari_lavalink.LavalinkClient]'s `shard_death_policy` and
        `rejoin_timeout`.
    """

    __slots__ = ("_closing", "_events", "_tasks", "_voice", "policy", "rejoin_timeout")

    def __init__(
        self,
        voice: VoiceCoordinator,
        events: NodeEvents,
        tasks: BackgroundTasks,
        *,
        closing: collections.abc.Callable[[], bool],
        policy: ShardDeathPolicy,
        rejoin_timeout: float,
    ) -> None:
        self._voice = voice
        self._events = events
        self._tasks = tasks
        self._closing = closing
        self.policy: ShardDeathPolicy = policy
        self.rejoin_timeout: float = rejoin_timeout

    @override
    def __repr__(self) -> str:
        return f"ShardRecovery(policy={self.policy!r}, rejoin_timeout={self.rejoin_timeout})"

    def listeners(self) -> list[tuple[type[hikari.Event], typing.Any]]:
        """The bot events this component listens to, with its callbacks."""
        return [
            (hikari.ShardDisconnectedEvent, self.on_shard_disconnected),
            (hikari.ShardConnectedEvent, self.on_shard_connected),
        ]

    @property
    def recovering(self) -> frozenset[int]:
        """Guilds whose voice connection is being rebuilt (their shard died)."""
        players = self._voice.players
        return frozenset(g for g, v in self._voice.guilds.items() if v.voice_lost and g in players)

    # -- the shard died ------------------------------------------------------------------

    async def on_shard_disconnected(self, event: hikari.ShardDisconnectedEvent) -> None:
        """Drop the Lavalink voice of the shard's players, remembering where they were."""
        if self._closing():
            return
        shard_id = event.shard.id
        shard_of = self._voice.shard_of
        lost: list[tuple[GuildVoice, Player]] = []
        now = time.monotonic()
        for guild, voice in self._voice.guilds.items():
            player = voice.player
            if player is None:
                left = voice.left_at
                if (
                    left is not None
                    and now - left < LEAVE_ECHO_WINDOW
                    and shard_of(guild) == shard_id
                ):
                    # Our leave went out, and Discord's answer had not come when the
                    # connection died: the leave may have died with it. Again when the
                    # shard is back (a second leave is harmless).
                    voice.leave_owed = True
                continue
            if shard_of(guild) != shard_id:
                continue
            if voice.voice_lost:
                # Dead again before the restore was done: what came on the dead connection
                # is stale, and the shard's next connect starts a new restore.
                voice.handshake.reset()
                continue
            voice.voice_lost = True
            # The player's channel: the last one confirmed, or the one a join in flight
            # asked for (Discord's answer to it may never come on this connection).
            voice.lost_channel_id = player.channel_id or voice.handshake.channel_id
            voice.handshake.reset()
            player.freeze()
            player.detached = True
            lost.append((voice, player))
        if not lost:
            return
        _LOGGER.warning(
            "shard %s disconnected: dropping the Lavalink voice of %d player(s)",
            shard_id,
            len(lost),
        )
        for voice, player in lost:
            channel = voice.lost_channel_id
            self._events.emit_player(
                ev.VoiceLostEvent,
                player,
                shard_id=shard_id,
                channel_id=hikari.Snowflake(channel) if channel is not None else None,
            )
        # hikari awaits this listener before reconnecting: do the REST calls in a task.
        self._tasks.spawn(self._drop_voice(lost))

    async def _drop_voice(self, lost: list[tuple[GuildVoice, Player]]) -> None:
        async def drop(voice: GuildVoice, player: Player) -> None:
            async with voice.lock:
                try:
                    await player.node.drop_remote_player(voice.guild_id)
                except LavalinkError as exc:
                    _LOGGER.debug("guild %s: dropping voice failed: %s", voice.guild_id, exc)

        await asyncio.gather(*(drop(v, p) for v, p in lost))

    # -- the shard is back ---------------------------------------------------------------

    async def on_shard_connected(self, event: hikari.ShardConnectedEvent) -> None:
        """Restore the shard's lost guilds, and send the leaves it owes."""
        if self._closing():
            return
        shard_id = event.shard.id
        shard_of = self._voice.shard_of
        guilds: list[int] = []
        owed: list[int] = []
        for guild, voice in self._voice.guilds.items():
            if voice.voice_lost:
                if shard_of(guild) == shard_id:
                    guilds.append(guild)
            elif voice.leave_owed and voice.player is None and shard_of(guild) == shard_id:
                owed.append(guild)
        if guilds:
            self._tasks.spawn(self._restore_shard(shard_id, guilds))
        if owed:
            self._tasks.spawn(self._send_owed_leaves(owed))

    async def _send_owed_leaves(self, guilds: list[int]) -> None:
        for guild in guilds:
            voice = self._voice.guilds.get(guild)
            if voice is None or not voice.leave_owed or voice.player is not None:
                continue  # joined again meanwhile
            voice.leave_owed = False
            await self._voice.send_leave(guild, voice)

    async def _restore_shard(self, shard_id: int, guilds: list[int]) -> None:
        _LOGGER.info(
            "shard %s is back: %s %d player(s)",
            shard_id,
            "rejoining" if self.policy == "rejoin" else "leaving",
            len(guilds),
        )
        await asyncio.gather(*(self.restore_guild(g) for g in guilds), return_exceptions=True)

    async def restore_guild(self, guild: int) -> None:
        """Rejoin the guild's lost channel and restore its player (or leave, by policy)."""
        voice = self._voice.guilds.get(guild)
        player = self._voice.players.get(guild)
        if voice is None or player is None:
            return
        channel = voice.lost_channel_id
        if self.policy == "leave" or channel is None:
            await self._voice.leave(guild, "voice_lost")
            return
        # One restore per guild: one started at a later connect of the shard (it died and
        # came back while this one waited) takes over, and this one stops where it is, so
        # that no two send their op 4s for the same guild.
        token = voice.restorer = object()
        try:
            await self._rejoin(guild, voice, player, channel, token)
        finally:
            if voice.restorer is token:
                voice.restorer = None

    async def _rejoin(
        self, guild: int, voice: GuildVoice, player: Player, channel: int, token: object
    ) -> None:
        players = self._voice.players
        for attempt in range(2):
            if (
                players.get(guild) is not player
                or not voice.voice_lost
                or voice.restorer is not token
            ):
                return  # left, destroyed, restored or taken over: never rejoin for nobody
            waiter = voice.new_waiter()
            try:
                if attempt:
                    # No voice server came back: leave, then join again.
                    voice.leaving = True
                    voice.left_at = time.monotonic()  # its answer is no kick
                    try:
                        await self._voice.op4(guild, None)
                    finally:
                        voice.leaving = False
                    voice.handshake.reset()
                # The channel it is in now (moved while the shard was down: that one).
                channel = voice.lost_channel_id or channel
                await self._voice.op4(guild, channel)
                async with asyncio.timeout(self.rejoin_timeout):
                    await asyncio.shield(waiter)
            except (TimeoutError, LavalinkError) as exc:
                if voice.restorer is not token:
                    return  # the shard died and came back meanwhile: a new restore runs
                if isinstance(exc, ShardNotConnectedError) or not self._voice.shard_up(guild):
                    # The shard died again: its next connect restores this guild afresh
                    # (voice_lost stays set), so this is no failed attempt to give up on.
                    _LOGGER.info("guild %s: shard down again while rejoining: %s", guild, exc)
                    return
                _LOGGER.warning("guild %s: rejoin attempt %d failed: %s", guild, attempt + 1, exc)
                continue
            return
        if players.get(guild) is player and voice.restorer is token:
            voice.voice_lost = False
            await self._voice.leave(guild, "voice_lost")
