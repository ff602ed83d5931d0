"""A Lavalink player: one per guild, on one node, with its last known state.

The player keeps what it last told Lavalink and what Lavalink last reported, so that it can
be restored on a new session or moved to another node (track, position, volume, filters,
paused, voice). Its position is interpolated between `playerUpdate` messages.
"""

from __future__ import annotations

import asyncio
import typing

import msgspec

from hikari_lavalink._side import SideField
from hikari_lavalink._typing import override
from hikari_lavalink.errors import UsageError, VoiceTimeoutError
from hikari_lavalink.protocol import filters as filters_
from hikari_lavalink.protocol import messages, models, requests, routes
from hikari_lavalink.runtime._player_plugins import PluginParts
from hikari_lavalink.runtime._player_slots import (
    DEFAULTS,
    NO_FILTERS,
    NODE_DEFAULT,
    ROUNDING_MS,
    Extras,
    NodeDefault,
)

if typing.TYPE_CHECKING:
    from hikari_lavalink.runtime.node import Node

__all__ = ["NODE_DEFAULT", "Player"]

UNSET: typing.Final = msgspec.UNSET


class Player(PluginParts):
    """A guild's player on a Lavalink node.

    Create players through the client (or
    [`Node.create_player`][hikari_lavalink.runtime.node.Node.create_player]); do not instantiate
    this class yourself.
    """

    __slots__ = (
        "guild_id",
        "track",
        "volume",
    )

    def __init__(self, node: Node, guild_id: int) -> None:
        self._node = node
        self.guild_id: typing.Final[int] = guild_id
        """The guild this player plays in."""
        self.track: models.Track | None = None
        """The track playing (or paused), `None` when idle."""
        self.volume: int = 100
        """Player volume, 0-1000 (100 is unchanged)."""
        self.paused: bool = False
        """Whether playback is paused."""
        # What a playing player does not need (see Extras): an object only while needed.
        self._extras: Extras | None = None
        self._voice_ready = False  # a new player has no voice on Lavalink yet
        # Its voice credentials and channel, as parts (see VoiceParts).
        self._voice: requests.VoiceUpdate | str | None = None
        self._voice_endpoint: str | None = None
        self._voice_session_id: str | None = None
        self._channel_id: int | None = None
        self.connected: bool = False
        """Whether Lavalink's voice connection to Discord is up (from `playerUpdate`)."""
        self.ping: int = -1
        """Lavalink's ping to Discord's voice server in ms, -1 while not connected."""
        # The position, in one object: while it advances, the clock time at which it was
        # 0 (a float); while it stands still (paused, or frozen where the audio stopped),
        # the position in ms itself (an int).
        self._at: float | int = node.clock()

    @override
    def __repr__(self) -> str:
        title = self.track.info.title if self.track else None
        return (
            f"Player(guild_id={self.guild_id}, node={self._node.name!r}, track={title!r}, "
            f"position={self.position}, paused={self.paused}, connected={self.connected})"
        )

    @override
    def __sizeof__(self) -> int:
        # What this player holds of its own: with its side object, while it has one.
        extras = self._extras
        return object.__sizeof__(self) + (extras.__sizeof__() if extras is not None else 0)

    # -- state ---------------------------------------------------------------------------

    @property
    def node(self) -> Node:
        """The node this player lives on."""
        return self._node

    # -- what a playing player does not need (in _extras, see hikari_lavalink._side) ------

    detached: SideField[bool] = SideField("_extras", Extras, DEFAULTS)
    """Its server-side player was dropped on purpose (voice lost); state kept for a restore."""
    end_time: SideField[int | None] = SideField("_extras", Extras, DEFAULTS)
    """Where the track stops (ms), if the last play set an end."""
    destroyed: SideField[str | None] = SideField("_extras", Extras, DEFAULTS)
    """Why the player was destroyed (`"left"`, `"kicked"`...): then every command
    raises, and [`LavalinkClient.join`][hikari_lavalink.client.LavalinkClient.join] makes a new
    player; `None` while it lives."""
    _filters = SideField[filters_.Filters]("_extras", Extras, DEFAULTS, field="filters")
    _own_voice_timeout = SideField["float | NodeDefault | None"](
        "_extras", Extras, DEFAULTS, field="voice_timeout"
    )
    _voice_ready = SideField["bool | asyncio.Future[None]"](
        "_extras", Extras, DEFAULTS, field="voice_ready"
    )

    @property
    def filters(self) -> filters_.Filters:
        """The filters Lavalink last reported (the empty set when none)."""
        return self._filters

    @filters.setter
    def filters(self, filters: filters_.Filters) -> None:
        # Share the empty filter set rather than keep one decoded copy per player.
        self._filters = NO_FILTERS if filters == NO_FILTERS else filters

    @property
    def voice_timeout(self) -> float | None:
        """How long [`play`][hikari_lavalink.runtime.player.Player.play] waits for the voice
        connection, in seconds.

        When set (the hikari bridge sets its node's),
        [`play`][hikari_lavalink.runtime.player.Player.play] waits up to this many seconds instead
        of starting a track Discord cannot hear; `None` does not wait. By default the player follows
        [`Node.voice_timeout`][hikari_lavalink.runtime.node.Node.voice_timeout] of the node it is
        on; assign a value to give this player its own, or
        `NODE_DEFAULT` (`hikari_lavalink.runtime.player`) to follow the node again.
        """
        timeout = self._own_voice_timeout
        return self._node.voice_timeout if isinstance(timeout, NodeDefault) else timeout

    @voice_timeout.setter
    def voice_timeout(self, timeout: float | NodeDefault | None) -> None:
        self._own_voice_timeout = timeout

    @property
    def is_playing(self) -> bool:
        """Whether a track is loaded and not paused."""
        return self.track is not None and not self.paused

    @property
    def position(self) -> int:
        """The track position in ms, interpolated since the last report."""
        track = self.track
        if track is None:
            return 0
        at = self._at
        if at.__class__ is float:
            # (now - zero) in ms; the tolerance absorbs the rounding of zero = t - p / 1000.
            position = int((self._node.clock() - at) * 1000.0 + ROUNDING_MS)
        else:
            position = int(at)
        info = track.info
        return position if info.is_stream else min(position, info.length)

    def apply_state(self, state: models.PlayerState, now: float) -> None:
        """Record a `playerUpdate` state received by clock time `now` (internal: the reader's)."""
        self._at = state.position if self.paused else now - state.position / 1000.0
        self.connected = state.connected
        self.ping = state.ping

    def apply_update(self, state: models.PlayerState, now: float) -> bool:
        """[`apply_state`][hikari_lavalink.runtime.player.Player.apply_state], unless the player is
        detached: then `False`, nothing taken.

        Internal: the node's reader calls it for every `playerUpdate` (a step's updates
        stamped with one clock reading): one call, the detached check one slot read, as
        a playing player has no extras.
        """
        extras = self._extras
        if extras is not None and extras.detached:
            return False
        self._at = state.position if self.paused else now - state.position / 1000.0
        self.connected = state.connected
        self.ping = state.ping
        return True

    def apply_event(self, message: typing.Any) -> bool:
        """Take what a track or voice event changes; `False` (nothing taken) if detached.

        Internal: called by the node's reader. `message` is an
        [`EventMessage`][hikari_lavalink.EventMessage], typed loosely: the identity
        checks narrow, where a cast would cost a call.
        """
        extras = self._extras
        if extras is not None and extras.detached:
            return False
        kind = message.__class__
        if kind is messages.TrackStartMessage:
            start: messages.TrackStartMessage = message
            self.track = start.track
        elif kind is messages.TrackEndMessage:
            end: messages.TrackEndMessage = message
            current = self.track
            if (
                current is not None
                and end.reason != models.TrackEndReason.REPLACED
                and current.encoded == end.track.encoded
            ):
                self.track = None
                self.end_time = None
        elif kind is messages.WebSocketClosedMessage:
            self.connected = False
        return True

    def apply_player(self, player: models.Player) -> None:
        """Take the server's view of this player (internal: after REST calls and reconcile)."""
        self.detached = False
        if self._voice is not None:
            self._set_voice_ready()
        self.track = player.track
        self.volume = player.volume
        self.paused = player.paused
        self.filters = player.filters
        self.apply_state(player.state, self._node.clock())

    def set_position(self, position: int) -> None:
        """Set the local position (internal: after a seek or a restore)."""
        if self._at.__class__ is float:
            self._at = self._node.clock() - position / 1000.0
        else:  # a paused or frozen position stays where it is set
            self._at = position

    def freeze(self, at: float | None = None) -> None:
        """Stop the position where it was at clock time `at` (default: now).

        Internal: the server lost the player, and the audio stopped at `at`.
        """
        zero = self._at
        if zero.__class__ is float:
            now = self._node.clock()
            when = now if at is None else min(at, now)
            self._at = max(0, int((when - zero) * 1000.0 + ROUNDING_MS))
        self.connected = False
        if self._voice_ready is True:
            self._voice_ready = False  # a pending waiter stays: its callers keep waiting

    def adopt_voice(self, voice: models.VoiceState) -> None:
        """Take voice credentials the server holds (internal: adopting a server's player)."""
        if voice.channel_id is not None:
            self.channel_id = voice.channel_id
        self.voice = requests.VoiceUpdate(
            token=voice.token,
            endpoint=voice.endpoint,
            session_id=voice.session_id,
            channel_id=str(voice.channel_id) if voice.channel_id is not None else msgspec.UNSET,
        )

    def move_to(self, node: Node) -> None:
        """Re-home the player (internal: used by failover)."""
        self._node = node

    def restore_request(self) -> requests.UpdatePlayer:
        """The update that recreates this player as it is now, on any session or node (internal:
        restore, failover and reconcile send it)."""
        track: requests.UpdatePlayerTrack | msgspec.UnsetType = UNSET
        position: int | msgspec.UnsetType = UNSET
        if self.track is not None:
            track = requests.UpdatePlayerTrack(
                encoded=self.track.encoded, user_data=self.track.user_data
            )
            position = self.position
        return requests.UpdatePlayer(
            track=track,
            position=position,
            end_time=self.end_time if self.end_time is not None and self.track else UNSET,
            volume=self.volume,
            paused=self.paused,
            filters=self.filters,
            voice=self.voice if self.voice is not None else UNSET,
        )

    # -- commands ------------------------------------------------------------------------

    async def update(
        self, update: requests.UpdatePlayer, *, no_replace: bool = False
    ) -> models.Player:
        """Send a raw update and take the server's answer as the new state."""
        self._check_alive()
        session_id = self._node.session_id
        if session_id is None or not self._node.is_ready:
            msg = f"node {self._node.name!r} is not connected; cannot update player {self.guild_id}"
            raise UsageError(msg)
        answer = await self._node.request(
            routes.update_player(
                session_id,
                self.guild_id,
                update,
                no_replace=no_replace,
                nodelink=self._node.is_nodelink,
            )
        )
        if self.destroyed is not None:
            # Destroyed while this was on its way: what it created on the server goes too
            # (unless the guild has a new player there by now).
            if self._node.get_player(self.guild_id) is None:
                await self._node.request(routes.destroy_player(session_id, self.guild_id))
            self._check_alive()
        if not isinstance(update.voice, msgspec.UnsetType):
            self.voice = update.voice
        self.apply_player(answer)
        if not isinstance(update.end_time, msgspec.UnsetType):
            self.end_time = update.end_time
        return answer

    async def play(
        self,
        track: models.Track | str,
        *,
        start: int = 0,
        end: int | None = None,
        volume: int | None = None,
        paused: bool = False,
        replace: bool = True,
        user_data: dict[str, typing.Any] | None = None,
    ) -> None:
        """Play a track (a [`Track`][hikari_lavalink.Track] or an encoded string).

        Parameters
        ----------
        track
            What to play.
        start
            Start position in ms.
        end
            Stop at this position in ms (the track then ends with reason `finished`).
        volume
            Also set the volume.
        paused
            Load the track paused.
        replace
            `False` plays only when nothing is playing (`noReplace`).
        user_data
            JSON data attached to the track and echoed back in events.
        """
        await self.wait_for_voice()
        encoded = track if isinstance(track, str) else track.encoded
        data = user_data if user_data is not None else UNSET
        if data is UNSET and not isinstance(track, str) and track.user_data:
            data = track.user_data
        await self.update(
            requests.UpdatePlayer(
                track=requests.UpdatePlayerTrack(encoded=encoded, user_data=data),
                position=start,
                end_time=end if end is not None else UNSET,
                volume=volume if volume is not None else UNSET,
                paused=paused,
            ),
            no_replace=not replace,
        )

    async def wait_for_voice(self) -> None:
        """Wait until Lavalink has this player's voice connection (if
        [`voice_timeout`][hikari_lavalink.runtime.player.Player.voice_timeout]).

        Raises
        ------
        VoiceTimeoutError
            The voice connection did not come (back) within
            [`voice_timeout`][hikari_lavalink.runtime.player.Player.voice_timeout] seconds.
        """
        self._check_alive()
        limit = self.voice_timeout
        waiter = self._voice_ready
        if limit is None or waiter is True:
            return
        if waiter is False:
            waiter = self._voice_ready = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(limit):
                # Shielded: one caller's timeout must not cancel the others' wait.
                await asyncio.shield(waiter)
        except TimeoutError:
            msg = (
                f"guild {self.guild_id}: no voice connection within {limit:g} s "
                "(join a channel first, or the bot is still rejoining after a shard death)"
            )
            raise VoiceTimeoutError(msg) from None

    def discard(self, reason: str) -> None:
        """The player is gone for good (internal: left, kicked, its node lost): every
        command raises from now on, and a
        [`wait_for_voice`][hikari_lavalink.runtime.player.Player.wait_for_voice] under way ends."""
        if self.destroyed is None:
            self.destroyed = reason
        waiter = self._voice_ready
        if not isinstance(waiter, bool) and not waiter.done():
            waiter.set_exception(self._gone())
            waiter.exception()  # retrieved: its waiters may have timed out already

    def _check_alive(self) -> None:
        if self.destroyed is not None:
            raise self._gone()

    def _gone(self) -> UsageError:
        return UsageError(
            f"guild {self.guild_id}: this player was destroyed ({self.destroyed}); "
            "join the voice channel again for a new one"
        )

    def _set_voice_ready(self) -> None:
        waiter = self._voice_ready
        if waiter is True:
            return  # ready already
        self._voice_ready = True
        if not isinstance(waiter, bool) and not waiter.done():
            waiter.set_result(None)

    async def stop(self) -> None:
        """Stop the current track (it ends with reason `stopped`)."""
        await self.update(requests.UpdatePlayer(track=requests.UpdatePlayerTrack(encoded=None)))

    async def pause(self, paused: bool = True) -> None:
        """Pause (or, with `False`, resume) playback."""
        await self.update(requests.UpdatePlayer(paused=paused))

    async def resume(self) -> None:
        """Resume playback."""
        await self.pause(paused=False)

    async def seek(self, position: int) -> None:
        """Seek to `position` ms in the current track."""
        await self.update(requests.UpdatePlayer(position=position))
        if self.track is not None:
            self.set_position(position)

    async def set_volume(self, volume: int) -> None:
        """Set the volume, 0-1000 (100 is unchanged)."""
        await self.update(requests.UpdatePlayer(volume=volume))

    async def set_filters(self, filters: filters_.Filters) -> None:
        """Replace the whole filter set (filters not given are turned off)."""
        await self.update(requests.UpdatePlayer(filters=filters))

    async def set_voice(self, voice: requests.VoiceUpdate) -> None:
        """Send voice credentials (the bridge does this for you)."""
        await self.update(requests.UpdatePlayer(voice=voice))

    async def destroy(self) -> None:
        """Destroy the player on the node and forget it locally."""
        await self._node.destroy_player(self.guild_id)
