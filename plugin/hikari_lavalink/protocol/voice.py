"""The per-guild voice handshake, sans IO.

Discord hands a bot its voice credentials in two halves, in either order: its own
`VOICE_STATE_UPDATE` (`session_id`, `channel_id`) and `VOICE_SERVER_UPDATE`
(`token`, `endpoint`). Lavalink wants all four at once.
[`VoiceHandshake`][hikari_lavalink.protocol.voice.VoiceHandshake] takes the halves as they come and
says what to do:

- [`SendVoice`][hikari_lavalink.protocol.voice.SendVoice]: the credentials are complete and differ
  from the last ones sent;
- [`AwaitVoice`][hikari_lavalink.protocol.voice.AwaitVoice]: a half is missing, or the endpoint is
  `null` (no voice server allocated yet: wait for the next update);
- [`VoiceDisconnected`][hikari_lavalink.protocol.voice.VoiceDisconnected]: the bot's own channel
  became `null` (it left or was kicked);
- `None`: nothing new (an identical state is never forwarded twice).
"""

from __future__ import annotations

import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.protocol.requests import VoiceUpdate

__all__ = ["AwaitVoice", "SendVoice", "VoiceDisconnected", "VoiceHandshake", "VoiceOutcome"]


class SendVoice(msgspec.Struct, frozen=True, kw_only=True):
    """Send `voice` to Lavalink; `moved` when only the channel changed."""

    voice: VoiceUpdate
    channel_id: int
    moved: bool = False


class AwaitVoice(msgspec.Struct, frozen=True, kw_only=True):
    """Wait: `missing` names what has not arrived yet."""

    missing: str


class VoiceDisconnected(msgspec.Struct, frozen=True, kw_only=True):
    """The bot is no longer in a voice channel in this guild."""

    previous_channel_id: int | None


VoiceOutcome: typing.TypeAlias = SendVoice | AwaitVoice | VoiceDisconnected | None


class VoiceHandshake:
    """One guild's voice credentials, as they arrive from Discord.

    Once sent, the credentials are kept once: as the four current values, with a flag
    saying they are the ones sent. Only while a later half makes them differ (a new token,
    a `null` endpoint...) is a copy of what was sent kept, to recognise its return.
    """

    __slots__ = ("_channel_id", "_endpoint", "_sent", "_session_id", "_token", "guild_id")

    def __init__(self, guild_id: int) -> None:
        self.guild_id: typing.Final[int] = guild_id
        self._session_id: str | None = None
        self._channel_id: int | None = None
        self._token: str | None = None
        self._endpoint: str | None = None
        # False: nothing sent; True: the four values above are what was sent; a
        # VoiceUpdate: what was sent, while the values above changed since.
        self._sent: VoiceUpdate | bool = False

    @override
    def __repr__(self) -> str:
        return (
            f"VoiceHandshake(guild_id={self.guild_id}, channel_id={self._channel_id}, "
            f"has_session={self._session_id is not None}, has_server={self._token is not None}, "
            f"sent={self._sent is not False})"
        )

    @property
    def channel_id(self) -> int | None:
        """The channel Discord last put the bot in, if any."""
        return self._channel_id

    @property
    def sent(self) -> VoiceUpdate | None:
        """The credentials last sent to Lavalink."""
        sent = self._sent
        if sent is True:
            return self._current()
        return sent or None

    @property
    def is_complete(self) -> bool:
        """Whether all four values are known."""
        return (
            self._session_id is not None
            and self._channel_id is not None
            and self._token is not None
            and self._endpoint is not None
        )

    def on_state(self, *, session_id: str, channel_id: int | None) -> VoiceOutcome:
        """The bot's own voice state changed."""
        if channel_id is None:
            previous = self._channel_id
            self.reset()
            return VoiceDisconnected(previous_channel_id=previous)
        if session_id != self._session_id or channel_id != self._channel_id:
            self._keep_sent()
            self._session_id = session_id
            self._channel_id = channel_id
        return self._outcome()

    def on_server(self, *, token: str, endpoint: str | None) -> VoiceOutcome:
        """A voice server update arrived (`endpoint` `None`: none allocated yet)."""
        if token != self._token or endpoint != self._endpoint:
            self._keep_sent()
            self._token = token
            self._endpoint = endpoint
        return self._outcome()

    def reset(self) -> None:
        """Forget everything (the voice connection is gone, e.g. its shard died)."""
        self._session_id = None
        self._channel_id = None
        self._token = None
        self._endpoint = None
        self._sent = False

    def mark_unsent(self) -> None:
        """Forget what was sent, so the next complete state is sent again."""
        self._sent = False

    def _keep_sent(self) -> None:
        # The current values are about to change: keep what was sent apart.
        if self._sent is True:
            self._sent = self._current()

    def _current(self) -> VoiceUpdate:
        # Only called while all four are known (they were sent).
        return VoiceUpdate(
            token=typing.cast("str", self._token),
            endpoint=typing.cast("str", self._endpoint),
            session_id=typing.cast("str", self._session_id),
            channel_id=str(self._channel_id),
        )

    def _outcome(self) -> VoiceOutcome:
        if self._session_id is None or self._channel_id is None:
            return AwaitVoice(missing="voice state")
        if self._token is None:
            return AwaitVoice(missing="voice server")
        if not self._endpoint:
            return AwaitVoice(missing="voice server endpoint")
        previous = self._sent
        if previous is True:
            return None  # unchanged since sent
        voice = self._current()
        self._sent = True
        if previous == voice:
            return None  # changed, and back to what was sent
        moved = (
            previous is not False
            and previous.channel_id != voice.channel_id
            and previous.token == voice.token
            and previous.endpoint == voice.endpoint
        )
        return SendVoice(voice=voice, channel_id=self._channel_id, moved=moved)
