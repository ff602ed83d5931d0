"""A player's memory layout: the slots a `playerUpdate` touches first, the rest aside.

Thousands of players sit in memory at once, and each `playerUpdate` meets a cold one: the
hot slots come first (`HotSlots`), and what a playing player does not need lives in
an `Extras` side object that exists only while needed (see
`hikari_lavalink._side`).
"""

from __future__ import annotations

import typing

from hikari_lavalink._typing import Sentinel, override
from hikari_lavalink.protocol import filters as filters_
from hikari_lavalink.protocol import requests

if typing.TYPE_CHECKING:
    import asyncio

    from hikari_lavalink.runtime.music import PlayerMusic
    from hikari_lavalink.runtime.plugin_state import PlayerPlugins

__all__ = [
    "DEFAULTS",
    "NODE_DEFAULT",
    "NO_FILTERS",
    "ROUNDING_MS",
    "Extras",
    "HotSlots",
    "NodeDefault",
    "VoiceParts",
]

NO_FILTERS: typing.Final = filters_.Filters()
"""The empty filter set, shared by every player that has none (Structs are frozen)."""


class NodeDefault(Sentinel):
    """The type of [`NODE_DEFAULT`][hikari_lavalink.runtime.player.NODE_DEFAULT]."""

    __slots__ = ()
    name = "NODE_DEFAULT"


NODE_DEFAULT: typing.Final = NodeDefault()
"""A player's `voice_timeout` when it follows its node's
[`Node.voice_timeout`][hikari_lavalink.runtime.node.Node.voice_timeout]."""


class Extras:
    """What a playing player does not need: settings few players make (its music, what it
    asked of the plugins), and states it is in only for a while (no voice yet, or dropped on
    purpose), or for good (destroyed)."""

    __slots__ = (
        "destroyed",
        "detached",
        "end_time",
        "filters",
        "music",
        "plugins",
        "voice_ready",
        "voice_timeout",
    )

    def __init__(self) -> None:
        self.destroyed: str | None = None
        self.music: PlayerMusic | None = None
        self.plugins: PlayerPlugins | None = None
        self.end_time: int | None = None
        self.filters: filters_.Filters = NO_FILTERS
        self.voice_timeout: float | NodeDefault | None = NODE_DEFAULT
        self.detached = False
        # True: Lavalink has the voice; False: not (yet); a Future: not, and someone waits.
        # No asyncio.Event per player: its waiter deque alone costs ~760 bytes.
        self.voice_ready: bool | asyncio.Future[None] = True

    @override
    def __sizeof__(self) -> int:
        music, plugins = self.music, self.plugins
        return (
            object.__sizeof__(self)
            + (music.__sizeof__() if music is not None else 0)
            + (plugins.__sizeof__() if plugins is not None else 0)
        )

    def is_default(self) -> bool:
        return (
            self.voice_ready is True
            and not self.detached
            and self.destroyed is None
            and self.music is None
            and self.plugins is None
            and self.end_time is None
            and self.filters is NO_FILTERS
            and self.voice_timeout is NODE_DEFAULT
        )


DEFAULTS: typing.Final = Extras()
"""Read (never written) for a player that sets none of them."""
ROUNDING_MS: typing.Final = 1e-3
"""Added before truncating an interpolated position: float rounding, not a millisecond."""


class HotSlots:
    """The slots a `playerUpdate` touches, laid out first and together.

    CPython orders a class's own slots by name, after those of its bases: as a base, these
    sit right after the object header, in one or two cache lines of a player's 144 bytes,
    instead of spread over all three. With 10,000 players, each update meets a cold one.
    """

    __slots__ = ("_at", "_extras", "_node", "connected", "paused", "ping")


class VoiceParts(HotSlots):
    """A player's voice credentials and channel, kept as their parts.

    Guilds share the voice server's endpoint and the shard's session id (interned by the
    bridge): while the credentials were sent for
    [`channel_id`][hikari_lavalink.runtime.player.Player.channel_id], the player keeps the token and
    those two shared strings, not a `VoiceUpdate` of its own.
    """

    __slots__ = ("_channel_id", "_voice", "_voice_endpoint", "_voice_session_id")

    # Set by Player.__init__ (one constructor, no call to a base's): the voice credentials
    # last sent (see the ``voice`` property): None, or the token with the endpoint and
    # session id below and channel_id as the channel, or (when its channel is not
    # channel_id) the VoiceUpdate itself.
    _voice: requests.VoiceUpdate | str | None
    _voice_endpoint: str | None
    _voice_session_id: str | None
    _channel_id: int | None

    @property
    def voice(self) -> requests.VoiceUpdate | None:
        """The voice credentials last sent to Lavalink.

        Kept as their parts (the channel is
        [`channel_id`][hikari_lavalink.runtime.player.Player.channel_id]); each read builds an equal
        [`VoiceUpdate`][hikari_lavalink.VoiceUpdate].
        """
        voice = self._voice
        if not isinstance(voice, str):
            return voice
        return requests.VoiceUpdate(
            token=voice,
            endpoint=typing.cast("str", self._voice_endpoint),
            session_id=typing.cast("str", self._voice_session_id),
            channel_id=str(self._channel_id),
        )

    @voice.setter
    def voice(self, voice: requests.VoiceUpdate | None) -> None:
        channel = self._channel_id
        if voice is not None and channel is not None and voice.channel_id == str(channel):
            self._voice = voice.token
            self._voice_endpoint = voice.endpoint
            self._voice_session_id = voice.session_id
        else:
            self._voice = voice
            self._voice_endpoint = self._voice_session_id = None

    @property
    def channel_id(self) -> int | None:
        """The voice channel the bot is in for this guild, when known."""
        return self._channel_id

    @channel_id.setter
    def channel_id(self, channel_id: int | None) -> None:
        if channel_id != self._channel_id and isinstance(self._voice, str):
            voice = self.voice  # sent for the old channel: keep it whole
            self._voice = voice
            self._voice_endpoint = self._voice_session_id = None
        self._channel_id = channel_id
