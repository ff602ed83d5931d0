"""Per-guild voice bookkeeping and op 4 through the guild's own shard."""

from __future__ import annotations

import asyncio
import sys
import typing

import hikari

from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol.voice import VoiceHandshake

if typing.TYPE_CHECKING:
    import types

    from hikari_lavalink.protocol.requests import VoiceUpdate
    from hikari_lavalink.protocol.voice import VoiceOutcome

__all__ = ["GuildVoice", "send_op4", "shard_for"]


def _shared(value: str) -> str:
    # Interned: Discord sends the same session id (one per shard) and endpoints (one per
    # voice server) for many guilds; each gateway payload decodes its own copy.
    return sys.intern(value) if type(value) is str else value


class _Handshake(VoiceHandshake):
    """The protocol handshake, keeping one copy of the strings that guilds share."""

    __slots__ = ()

    def on_state(self, *, session_id: str, channel_id: int | None) -> VoiceOutcome:
        return super().on_state(session_id=_shared(session_id), channel_id=channel_id)

    def on_server(self, *, token: str, endpoint: str | None) -> VoiceOutcome:
        shared = _shared(endpoint) if endpoint is not None else None
        return super().on_server(token=token, endpoint=shared)


class GuildVoice:
    """What the bridge knows about one guild's voice connection.

    Attributes
    ----------
    handshake
        The two halves of the voice credentials as they arrive.
    lock
        ``async with voice.lock:`` serialises the Lavalink calls of this guild (voice
        PATCH, drop, restore), so they reach the node in the order the gateway events
        arrived. The underlying ``asyncio.Lock`` exists only while held or awaited.
    voice_lost
        The guild's shard died: its Lavalink voice was dropped and must be rebuilt.
    lost_channel_id
        The channel to rejoin after a shard death.
    leaving
        An op 4 leave of ours is under way: a ``channel_id: null`` state is expected.
    """

    __slots__ = (
        "_lock",
        "_lock_users",
        "_waiter",
        "guild_id",
        "handshake",
        "leaving",
        "left_at",
        "lost_channel_id",
        "shard_id",
        "voice_lost",
    )

    def __init__(self, guild_id: int, shard_id: int) -> None:
        self.guild_id = guild_id
        self.shard_id = shard_id
        self.handshake: VoiceHandshake = _Handshake(guild_id)
        self._lock: asyncio.Lock | None = None
        self._lock_users = 0
        self.voice_lost = False
        self.lost_channel_id: int | None = None
        self.leaving = False
        self.left_at: float | None = None
        """When our last op 4 leave went out (monotonic), to recognise Discord's answer."""
        self._waiter: asyncio.Future[VoiceUpdate] | None = None

    def __repr__(self) -> str:
        return (
            f"GuildVoice(guild_id={self.guild_id}, shard_id={self.shard_id}, "
            f"voice_lost={self.voice_lost}, {self.handshake!r})"
        )

    @property
    def lock(self) -> GuildVoice:
        """``async with voice.lock:`` holds this guild's lock (see the class docstring)."""
        return self

    async def __aenter__(self) -> None:
        lock = self._lock
        if lock is None:
            lock = self._lock = asyncio.Lock()
        self._lock_users += 1
        try:
            await lock.acquire()
        except BaseException:
            self._lock_done()
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        if self._lock is not None:
            self._lock.release()
        self._lock_done()

    def _lock_done(self) -> None:
        # Held or awaited by nobody: drop it (an idle lock costs as much as the rest).
        self._lock_users -= 1
        if not self._lock_users:
            self._lock = None

    def new_waiter(self) -> asyncio.Future[VoiceUpdate]:
        """A future resolved when the next voice credentials reached Lavalink."""
        if self._waiter is None or self._waiter.done():
            self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter

    def resolve(self, voice: VoiceUpdate) -> None:
        """The credentials reached Lavalink (or were stored for its next session)."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(voice)

    def fail(self, error: BaseException) -> None:
        """Sending the credentials failed."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
            # Mark it retrieved: nobody may be waiting any more.
            self._waiter.exception()


def shard_for(bot: hikari.GatewayBotAware, guild_id: int) -> hikari.api.GatewayShard:
    """The shard of this process that serves ``guild_id``.

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
    """Send gateway op 4 for ``guild_id`` on its own shard, with both flags always set.

    Raises
    ------
    UsageError
        The guild's shard is not run here, or it is not connected right now.
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
        raise UsageError(msg) from None
