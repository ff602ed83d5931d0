"""Auto-leave: a player leaves its channel when it idles, or when only bots are left with it.

Two timers per guild at most, and only while armed (a `loop.call_later` handle in one
table, never a task or a listener per player):

- `idle`: armed when nothing plays and the queue is empty (the player joined, a track
  stopped, the queue ran dry); disarmed when a track starts. After
  [`Player.leave_when_idle`][hikari_lavalink.runtime.player.Player.leave_when_idle] seconds the bot
  leaves (`PlayerDestroyedEvent.reason` `"idle"`).
- `alone`: armed when the last member who is not a bot leaves the bot's channel (read
  from hikari's voice-state cache at each `VoiceStateUpdateEvent` of the guild);
  disarmed when one comes back. After
  [`Player.leave_when_alone`][hikari_lavalink.runtime.player.Player.leave_when_alone] seconds the
  bot leaves (`"alone"`).

A timer that fires checks its condition again and that its player still is the guild's
(left, moved to another channel or replaced meanwhile: nothing happens), then leaves with
op 4 through [`VoiceCoordinator`][hikari_lavalink.bridge.voice.VoiceCoordinator], which owns leave.
"""

from __future__ import annotations

import asyncio
import logging
import typing

import hikari

from hikari_lavalink._typing import override
from hikari_lavalink.runtime import music

if typing.TYPE_CHECKING:
    from hikari_lavalink.bridge.voice import VoiceCoordinator
    from hikari_lavalink.runtime.background import BackgroundTasks
    from hikari_lavalink.runtime.player import Player

__all__ = ["AutoLeave"]

_LOGGER = logging.getLogger("hikari_lavalink.client")

Kind = typing.Literal["idle", "alone"]


class AutoLeave:
    """The client's auto-leave timers (see the module docstring)."""

    __slots__ = ("_bot", "_tasks", "_timers", "_voice")

    def __init__(
        self, bot: hikari.GatewayBotAware, voice: VoiceCoordinator, tasks: BackgroundTasks
    ) -> None:
        self._bot = bot
        self._voice = voice
        self._tasks = tasks
        self._timers: dict[tuple[int, Kind], tuple[Player, asyncio.TimerHandle]] = {}

    @override
    def __repr__(self) -> str:
        return f"AutoLeave(armed={len(self._timers)})"

    def listeners(self) -> list[tuple[type[hikari.Event], typing.Any]]:
        """The one bot listener: every guild's voice states (for `alone`)."""
        return [(hikari.VoiceStateUpdateEvent, self.on_voice_state)]

    def armed(self, guild: int) -> frozenset[str]:
        """The timers armed for `guild` (`"idle"`, `"alone"`) whose setting is on."""
        timers = self._timers
        return frozenset(
            kind
            for kind in ("idle", "alone")
            if (guild, kind) in timers and _timeout(timers[guild, kind][0], kind) is not None
        )

    def reconsider(self, player: Player) -> None:
        """`player`'s settings changed: its timers start again (from now), or stop."""
        self._disarm(player.guild_id, "idle")
        self.idle(player)
        self.check_alone(player, again=True)

    # -- what arms and disarms them --------------------------------------------------------

    def idle(self, player: Player) -> None:
        """Nothing plays on `player` now."""
        timeout = player.leave_when_idle
        if timeout is not None and player.track is None and not _queued(player):
            self._arm(player, "idle", timeout)

    def playing(self, player: Player) -> None:
        """A track started on `player`."""
        if self._timers:  # at every track start: nothing armed, nothing to look up
            self._disarm(player.guild_id, "idle")

    def joined(self, player: Player) -> None:
        """`player` joined (or rejoined) its channel."""
        self.idle(player)
        self.check_alone(player)

    async def on_voice_state(self, event: hikari.VoiceStateUpdateEvent) -> None:
        """Someone's voice state changed in a guild: is the bot alone there now?"""
        player = self._voice.players.get(int(event.guild_id))
        if player is not None:
            self.check_alone(player)

    def check_alone(self, player: Player, *, again: bool = False) -> None:
        """Arm or disarm `player`'s `alone` timer from the voice-state cache."""
        timeout = player.leave_when_alone
        if timeout is None or not self._alone(player.guild_id):
            self._disarm(player.guild_id, "alone")
        else:
            if again:
                self._disarm(player.guild_id, "alone")
            self._arm(player, "alone", timeout)

    def _alone(self, guild: int) -> bool:
        me = self._bot.get_me()
        cache = self._bot.cache
        own = cache.get_voice_state(guild, me.id) if me is not None else None
        if own is None or own.channel_id is None:
            return False  # not in a channel (yet): nobody to be alone with
        for state in cache.get_voice_states_view_for_channel(guild, own.channel_id).values():
            member = state.member
            if state.user_id != own.user_id and (member is None or not member.is_bot):
                return False  # a member whose user is unknown counts as a person
        return True

    # -- the timers ------------------------------------------------------------------------

    def _arm(self, player: Player, kind: Kind, timeout: float) -> None:
        key = (player.guild_id, kind)
        armed = self._timers.get(key)
        if armed is not None:
            if armed[0] is player:
                return  # armed already: the first moment counts
            armed[1].cancel()
        handle = asyncio.get_running_loop().call_later(timeout, self._fire, player, kind)
        self._timers[key] = (player, handle)

    def _disarm(self, guild: int, kind: Kind) -> None:
        armed = self._timers.pop((guild, kind), None)
        if armed is not None:
            armed[1].cancel()

    def _fire(self, player: Player, kind: Kind) -> None:
        guild = player.guild_id
        if self._timers.get((guild, kind), (None,))[0] is player:
            del self._timers[(guild, kind)]
        if self._voice.players.get(guild) is not player or player.destroyed is not None:
            return  # left or replaced meanwhile
        if _timeout(player, kind) is None:
            return  # turned off meanwhile (the client's setting, say)
        if kind == "idle" and (player.track is not None or _queued(player)):
            return
        if kind == "alone" and not self._alone(guild):
            return
        _LOGGER.info("guild %s: leaving voice (%s)", guild, kind)
        self._disarm(guild, "alone" if kind == "idle" else "idle")
        self._tasks.spawn(self._voice.leave(guild, kind))


def _timeout(player: Player, kind: Kind) -> float | None:
    return player.leave_when_idle if kind == "idle" else player.leave_when_alone


def _queued(player: Player) -> bool:
    queue = music.queue_of(player)
    return queue is not None and bool(queue)
