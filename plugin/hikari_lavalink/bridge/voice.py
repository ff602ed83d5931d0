"""Voice through the guild's own shard: join, leave, op 4, and the bot's own voice events.

`VoiceCoordinator` owns the guild table (one `GuildVoice` per guild with a player or something
under way). A voice server update: `VoiceServerUpdateEvent` -> `VoiceCoordinator.on_voice_server`
-> the guild's handshake (`protocol.voice`) -> once complete, under the guild's lock, the
player's `voice` PATCH (after a shard death: the whole player, with its plugins' state).
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing

import hikari

from hikari_lavalink._typing import override
from hikari_lavalink.bridge import events as ev
from hikari_lavalink.bridge.guilds import GuildPlayers, GuildVoice
from hikari_lavalink.errors import (
    LavalinkError,
    NodeConnectionError,
    NoNodeAvailableError,
    SessionNotFoundError,
    ShardNotConnectedError,
    UsageError,
    VoiceTimeoutError,
)
from hikari_lavalink.protocol import balancing
from hikari_lavalink.protocol.voice import SendVoice, VoiceDisconnected
from hikari_lavalink.runtime import plugin_state

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.bridge.dispatch import NodeEvents
    from hikari_lavalink.protocol.requests import VoiceUpdate
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.runtime.pool import NodePool

__all__ = [
    "LEAVE_ECHO_WINDOW",
    "GuildPlayers",
    "GuildVoice",
    "VoiceCoordinator",
    "send_op4",
    "shard_for",
]

_LOGGER = logging.getLogger("hikari_lavalink.client")
LEAVE_ECHO_WINDOW: typing.Final = 10.0
"""Seconds within which a `channel_id: null` state is taken as the answer to our own leave."""


class VoiceCoordinator:
    """Joins, leaves and the bot's own voice events, for every guild of one client.

    Parameters
    ----------
    bot
        The bot (its shards send op 4; its own voice events come back).
    pool
        Where new players are created.
    events
        How events are emitted.
    voice_timeout
        Seconds `join` waits for Discord's voice credentials.
    self_deaf, self_mute
        Sent with every op 4.
    """

    __slots__ = (
        "_bot",
        "_events",
        "_guilds",
        "_pool",
        "_voice_timeout",
        "players",
        "self_deaf",
        "self_mute",
    )

    def __init__(
        self,
        bot: hikari.GatewayBotAware,
        pool: NodePool,
        events: NodeEvents,
        *,
        voice_timeout: float,
        self_deaf: bool,
        self_mute: bool,
    ) -> None:
        self._bot = bot
        self._pool = pool
        self._events = events
        self._voice_timeout = voice_timeout
        self.self_deaf: bool = self_deaf
        self.self_mute: bool = self_mute
        self._guilds: dict[int, GuildVoice] = {}
        self.players: typing.Final[GuildPlayers] = GuildPlayers(self._guilds)
        """The players, by guild id (read-only view)."""

    @override
    def __repr__(self) -> str:
        return f"VoiceCoordinator(guilds={len(self._guilds)}, players={len(self.players)})"

    def listeners(self) -> list[tuple[type[hikari.Event], typing.Any]]:
        """The bot events this component listens to, with its callbacks."""
        return [
            (hikari.VoiceStateUpdateEvent, self.on_voice_state),
            (hikari.VoiceServerUpdateEvent, self.on_voice_server),
        ]

    @property
    def voice_timeout(self) -> float:
        """Seconds [`join`][hikari_lavalink.bridge.voice.VoiceCoordinator.join] waits; also every
        node's [`Node.voice_timeout`][hikari_lavalink.runtime.node.Node.voice_timeout]."""
        return self._voice_timeout

    @voice_timeout.setter
    def voice_timeout(self, timeout: float) -> None:
        self._voice_timeout = timeout
        for node in self._pool.nodes.values():
            node.voice_timeout = timeout

    @property
    def guilds(self) -> collections.abc.Mapping[int, GuildVoice]:
        """The guild table: each guild with a player or something under way."""
        return self._guilds

    def guild(self, guild: int) -> GuildVoice:
        """The guild's bookkeeping, created if missing."""
        voice = self._guilds.get(guild)
        if voice is None:
            voice = self._guilds[guild] = GuildVoice(guild)
        return voice

    def is_player(self, guild: int, player: Player) -> bool:
        """Whether `player` is the guild's player (not left, nor replaced)."""
        return self.players.get(guild) is player

    def add_player(self, player: Player) -> GuildVoice:
        """Make `player` its guild's player."""
        voice = self.guild(player.guild_id)
        self.players.put(voice, player)
        return voice

    # -- op 4 ------------------------------------------------------------------------------

    async def op4(self, guild: int, channel: int | None) -> None:
        """Op 4 on the guild's shard, with this client's mute and deaf flags."""
        await send_op4(
            self._bot, guild, channel, self_mute=self.self_mute, self_deaf=self.self_deaf
        )

    def shard_of(self, guild: int) -> int:
        """The shard hikari sends this guild's op 4 on (and Discord its events)."""
        return hikari.snowflakes.calculate_shard_id(self._bot, guild)

    def shard_up(self, guild: int) -> bool:
        """Whether the guild's shard runs here and is connected."""
        try:
            return shard_for(self._bot, guild).is_connected
        except UsageError:
            return False

    # -- join and leave --------------------------------------------------------------------

    async def join(
        self, guild: int, channel: int, *, timeout: float | None, node: Node | None
    ) -> Player:
        """[`LavalinkClient.join`][hikari_lavalink.client.LavalinkClient.join]."""
        if not (self._bot.intents & hikari.Intents.GUILD_VOICE_STATES):
            msg = (
                "the bot lacks the GUILD_VOICE_STATES intent, so Discord never sends it the "
                "voice states a join waits for: add hikari.Intents.GUILD_VOICE_STATES to the "
                "bot's intents"
            )
            raise UsageError(msg)
        shard = shard_for(self._bot, guild)
        voice = self.guild(guild)
        # Under the guild's lock: after a leave of this guild under way (its DELETE and its
        # op 4 go first), before the voice PATCH that Discord's answer brings.
        async with voice.lock:
            player = voice.player
            created = player is None
            if player is None:
                player = (node or self._pool.best()).create_player(guild)
                self.players.put(voice, player)
            if voice.handshake.channel_id == channel and voice.handshake.sent is not None:
                return player
            player.channel_id = channel
            waiter = voice.new_waiter()
            try:
                await self.op4(guild, channel)
            except ShardNotConnectedError as exc:
                voice.fail(exc)
                if created and self.players.get(guild) is player:
                    # Nothing was sent anywhere: the player never existed.
                    self.players.pop(guild)
                    player.node.forget_player(guild)
                raise
            voice.leave_owed = False  # this join replaces a leave that could not go out
        limit = self._voice_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                await asyncio.shield(waiter)
        except TimeoutError:
            if created and self.players.get(guild) is player:
                # Do not leave a half-joined bot behind: forget the player and leave.
                await self.leave(guild, "voice_timeout")
            elif voice.handshake.channel_id is not None and player.channel_id == channel:
                player.channel_id = voice.handshake.channel_id  # it stayed where it was
            raise VoiceTimeoutError(self._timeout_message(guild, shard, limit)) from None
        except LavalinkError:
            if created and self.players.get(guild) is player:
                # Lavalink refused the voice: out with no player, not in with a dead one.
                await self.leave(guild, "voice_failed")
            raise
        return player

    async def leave(self, guild: int, reason: str) -> None:
        """Destroy the guild's player and leave its channel (op 4), saying why."""
        player = self.players.pop(guild)
        voice = self._guilds.get(guild)
        if voice is not None:
            # Keep the bookkeeping: Discord's answer to this leave (channel null) may arrive
            # after a new join, and must not read as a moderator's kick of the new player.
            voice.fail(UsageError(f"guild {guild}: the player was destroyed ({reason})"))
            voice.handshake.reset()
            voice.voice_lost = False
        if player is None:
            await self.send_leave(guild, voice)
            return
        player.discard(reason)  # at once: a command meanwhile fails, it sends nothing
        self._events.player_destroyed(player, reason)
        if voice is None:
            await self._destroy_and_leave(guild, player, None)
        else:
            # Under the guild's lock: after a voice PATCH on its way (then undone), before a
            # join made meanwhile (its player and op 4 come after this leave's).
            async with voice.lock:
                await self._destroy_and_leave(guild, player, voice)

    async def _destroy_and_leave(
        self, guild: int, player: Player, voice: GuildVoice | None
    ) -> None:
        try:
            await player.node.destroy_player(guild)
        except LavalinkError as exc:
            _LOGGER.warning("guild %s: destroying the player failed: %s", guild, exc)
        await self.send_leave(guild, voice)

    async def send_leave(self, guild: int, voice: GuildVoice | None) -> None:
        """Op 4 leave; while the shard is down it is owed, and sent at its next connect.

        A resumed gateway session keeps the bot in the channel: no bot left sitting silent.
        """
        try:
            if voice is not None:
                voice.left_at = time.monotonic()
            await self.op4(guild, None)
        except ShardNotConnectedError as exc:
            if voice is not None:
                voice.leave_owed = True
            _LOGGER.info("guild %s: op 4 leave owed until the shard is back: %s", guild, exc)
        except UsageError as exc:
            _LOGGER.debug("guild %s: op 4 leave not sent: %s", guild, exc)

    def _timeout_message(self, guild: int, shard: hikari.api.GatewayShard, limit: float) -> str:
        causes: list[str] = []
        if not shard.is_connected:
            causes.append(f"shard {shard.id} is not connected")
        causes.append("the bot may lack the Connect permission or the channel is full")
        return (
            f"Discord sent no voice credentials for guild {guild} within {limit:g} s; "
            f"likely cause: {'; or '.join(causes)}"
        )

    # -- the bot's own voice events --------------------------------------------------------

    async def on_voice_state(self, event: hikari.VoiceStateUpdateEvent) -> None:
        """The bot's own voice state (others' are ignored)."""
        state = event.state
        me = self._bot.get_me()
        if me is None or state.user_id != me.id:
            return
        guild = int(state.guild_id)
        voice = self._guilds.get(guild)
        if voice is None:
            return
        channel = int(state.channel_id) if state.channel_id is not None else None
        if voice.voice_lost and channel is not None:
            # Moved while its shard was down (the resume replays it): the restore rejoins
            # where the bot is now, not where it was.
            voice.lost_channel_id = channel
        old_channel = voice.handshake.channel_id
        outcome = voice.handshake.on_state(session_id=state.session_id, channel_id=channel)
        if isinstance(outcome, VoiceDisconnected):
            if voice.is_forgettable():
                # Out of voice with no player (the answer to our leave, as a rule): nothing
                # to keep for this guild, so a bot's bookkeeping stays as large as its
                # players, not as the guilds it ever played in.
                del self._guilds[guild]
                return
            # (A kick while the shard was down, replayed by the resume, is a kick too.)
            if voice.leaving or voice.player is None:
                return
            if voice.left_at is not None and time.monotonic() - voice.left_at < LEAVE_ECHO_WINDOW:
                voice.left_at = None
                return  # the echo of our own leave, not a kick
            _LOGGER.info("guild %s: the bot was disconnected from voice", guild)
            await self.leave(guild, "kicked")
            return
        if isinstance(outcome, SendVoice):
            if old_channel is not None and old_channel != outcome.channel_id:
                self._moved(guild, old_channel, outcome.channel_id)
            await self._send_voice(voice, outcome.voice, outcome.channel_id)

    async def on_voice_server(self, event: hikari.VoiceServerUpdateEvent) -> None:
        """A voice server update (`raw_endpoint`: hikari's `endpoint` adds `wss://`)."""
        guild = int(event.guild_id)
        voice = self._guilds.get(guild)
        if voice is None:
            return
        outcome = voice.handshake.on_server(token=event.token, endpoint=event.raw_endpoint)
        if isinstance(outcome, SendVoice):
            await self._send_voice(voice, outcome.voice, outcome.channel_id)

    def _moved(self, guild: int, old: int, new: int) -> None:
        player = self.players.get(guild)
        if player is None:
            return
        player.channel_id = new
        self._events.emit_player(
            ev.VoiceChannelMovedEvent,
            player,
            old_channel_id=hikari.Snowflake(old),
            channel_id=hikari.Snowflake(new),
        )

    async def _send_voice(self, voice: GuildVoice, update: VoiceUpdate, channel: int) -> None:
        async with voice.lock:
            player = self.players.get(voice.guild_id)
            if player is None:
                return
            player.channel_id = channel
            restoring = voice.voice_lost
            if player.voice is None and player.track is None:
                self._home_by_region(player, update.endpoint)
            while True:
                node = player.node
                try:
                    await self._push_voice(player, update, restoring=restoring)
                except (NodeConnectionError, SessionNotFoundError) as exc:
                    player.voice = update
                    player.detached = False
                    if player.node is not node and player.node.is_ready:
                        continue  # moved meanwhile (a failover, without this voice): to it
                    # The node went away with the PATCH (killed, or its session paused: 404
                    # until resumed): the voice stays on the player, and the node's recovery
                    # carries it (a restore, a resumed session's reconcile, a failover's move).
                    _LOGGER.warning(
                        "guild %s: the node went away with the voice; kept for its recovery: %s",
                        voice.guild_id,
                        exc,
                    )
                except LavalinkError as exc:
                    _LOGGER.warning(
                        "guild %s: sending voice to Lavalink failed: %s", voice.guild_id, exc
                    )
                    voice.handshake.mark_unsent()
                    voice.fail(exc)
                    return
                break
            if restoring:
                voice.voice_lost = False
                self._events.emit_player(
                    ev.VoiceRestoredEvent,
                    player,
                    shard_id=self.shard_of(voice.guild_id),
                    channel_id=hikari.Snowflake(channel),
                    position=player.position,
                )
            voice.resolve(update)

    @staticmethod
    async def _push_voice(player: Player, update: VoiceUpdate, *, restoring: bool) -> None:
        if not player.node.is_ready:
            # Sent with the player on the node's next session (or by a failover): a fresh
            # voice, so the player is no longer one whose voice died.
            player.voice = update
            player.detached = False
        elif restoring:
            player.voice = update
            await plugin_state.restore(player)
        else:
            await player.set_voice(update)

    def _home_by_region(self, player: Player, endpoint: str) -> None:
        # The region is only known from the voice endpoint; a player Lavalink has not seen
        # yet can still move to a node in that region for free.
        region = balancing.region_of_endpoint(endpoint)
        if region is None:
            return
        try:
            target = self._pool.best(region=region, current=player.node)
        except NoNodeAvailableError:
            return
        if target is not player.node:
            _LOGGER.debug(
                "guild %s: region %s, using node %s", player.guild_id, region, target.name
            )
            player.node.forget_player(player.guild_id)
            target.adopt_player(player)


def shard_for(bot: hikari.GatewayBotAware, guild_id: int) -> hikari.api.GatewayShard:
    """The shard of this process that serves `guild_id`.

    Raises
    ------
    UsageError
        The bot is not running, or the guild's shard is not run by this process.
    """
    shards = bot.shards
    if not shards:
        msg = "the bot is not running (no shards); start it before joining voice"
        raise UsageError(msg)
    shard_count = next(iter(shards.values())).shard_count
    shard_id = hikari.snowflakes.calculate_shard_id(shard_count, guild_id)
    shard = shards.get(shard_id)
    if shard is None:
        msg = (
            f"guild {guild_id} is on shard {shard_id} of {shard_count}, which this process "
            f"does not run (it runs shards {sorted(shards)})"
        )
        raise UsageError(msg)
    return shard


async def send_op4(
    bot: hikari.GatewayBotAware,
    guild_id: int,
    channel_id: int | None,
    *,
    self_mute: bool,
    self_deaf: bool,
) -> None:
    """Send gateway op 4 for `guild_id` on its own shard, with both flags always set.

    Raises
    ------
    UsageError
        The guild's shard is not run here.
    ShardNotConnectedError
        The guild's shard is not connected right now.
    """
    shard = shard_for(bot, guild_id)
    try:
        await shard.update_voice_state(
            guild_id, channel_id, self_mute=self_mute, self_deaf=self_deaf
        )
    except (hikari.ComponentStateConflictError, hikari.GatewayError, ConnectionError) as exc:
        # hikari raises the first while the shard is down, and lets a transport error out
        # while its socket is closing but not yet marked down: both mean "not connected".
        msg = f"shard {shard.id} of guild {guild_id} is not connected: {exc}"
        raise ShardNotConnectedError(msg) from None
