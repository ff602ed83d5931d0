"""How the fake Discord answers op 4, and the voice events it sends on its own.

Discord answers an op 4 (voice state update) with the bot's own `VOICE_STATE_UPDATE` and,
for a join, a `VOICE_SERVER_UPDATE` (token, endpoint), both *on the shard the op 4 came
from*, in either order, with an endpoint of the guild's own voice server. The fake does the
same (the state first unless told otherwise), but an op 4 that arrives on a shard its guild
is not on is recorded in `FakeDiscord.wrong_shard_ops` and **not answered**, so that a
misrouted op 4 shows up as a voice join that never completes rather than as a success. Nor,
as Discord, does it answer an op 4 for a guild it does not serve, or to a channel that is not
one of the guild's voice channels (a text channel, say). A
[`VoiceBehaviour`][hikari_lavalink.testing.VoiceBehaviour] per guild sets the order and the
endpoint, and makes the answer late, partial or absent. The controls move or kick the bot, change
the voice server, deallocate it (`endpoint: null`) and put other members in voice.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import typing

from hikari_lavalink.testing.fake_discord import payloads

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing.fake_discord.gateway import Gateway
    from hikari_lavalink.testing.fake_discord.server import FakeDiscord

__all__ = ["Voice", "VoiceBehaviour"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_discord")

JSON: typing.TypeAlias = dict[str, typing.Any]


@dataclasses.dataclass
class VoiceBehaviour:
    """How the fake answers op 4 (voice state update) in one guild.

    Parameters
    ----------
    answer
        `False`: never answer op 4 (a voice join that times out).
    null_endpoint_first
        Send a `VOICE_SERVER_UPDATE` with `endpoint: null` before the real one, right
        away (after the `VOICE_STATE_UPDATE` unless `server_first`).
    delay
        Seconds between the first and the second of the two answers (the
        `VOICE_STATE_UPDATE` and the real `VOICE_SERVER_UPDATE`, in the order set).
    ignore_joins
        Ignore this many op 4 joins (`channel_id` set) before answering again.
    server_first
        Answer a join with the `VOICE_SERVER_UPDATE` first and the `VOICE_STATE_UPDATE`
        second, as Discord sometimes does (a leave gets its state alone either way).
    endpoint
        This guild's voice endpoint (`host:port`); `None`:
        `FakeDiscord.voice_endpoint`, or when that is `None` one derived from the
        guild id (see
        [`FakeDiscord.voice_endpoint_of`][hikari_lavalink.testing.FakeDiscord.voice_endpoint_of]).
    """

    answer: bool = True
    null_endpoint_first: bool = False
    delay: float = 0.0
    ignore_joins: int = 0
    server_first: bool = False
    endpoint: str | None = None


class Voice:
    """The op 4 answers, each guild's [`VoiceBehaviour`][hikari_lavalink.testing.VoiceBehaviour],
    and the bot's voice flags."""

    __slots__ = ("_app", "_flags", "_gateway", "behaviours")

    def __init__(self, app: FakeDiscord, gateway: Gateway) -> None:
        self._app = app
        self._gateway = gateway
        self.behaviours: dict[int, VoiceBehaviour] = {}
        self._flags: dict[int, tuple[bool, bool]] = {}  # guild -> (self_mute, self_deaf)

    def state(self, guild_id: int, channel: int | None) -> JSON:
        """The bot's `VOICE_STATE_UPDATE` now: in `channel`, flags of its last op 4."""
        app = self._app
        session_id = app.session_id(app.shard_of(guild_id)) or ""
        flags = self._flags.get(guild_id, (False, False))
        return payloads.voice_state(guild_id, channel, app.bot_id, session_id, flags)

    async def answer(self, shard_id: int, data: JSON) -> bool:
        """Answer an op 4 that came on `shard_id`; `False` if it does not decode."""
        app = self._app
        app.voice_ops.append((shard_id, data))
        try:
            guild_id = int(data["guild_id"])
            raw_channel = data.get("channel_id")
            channel = int(raw_channel) if raw_channel is not None else None
        except (KeyError, TypeError, ValueError):
            return False
        if app.shard_of(guild_id) != shard_id:
            app.wrong_shard_ops.append((shard_id, data))
            _LOGGER.debug(
                "fake discord: op 4 for guild %s on shard %s (belongs to shard %s)",
                guild_id,
                shard_id,
                app.shard_of(guild_id),
            )
            return True
        try:
            guild = app.guild(guild_id)
        except LookupError:
            _LOGGER.debug("fake discord: op 4 for guild %s, which it does not serve", guild_id)
            return True  # Discord answers nothing for a guild the bot is not in
        if channel is not None and channel not in guild.voice_channel_ids:
            _LOGGER.debug("fake discord: op 4 to %s, not a voice channel of %s", channel, guild_id)
            return True  # nor for a channel that is not one of the guild's voice channels
        behaviour = self.behaviours.get(guild_id, VoiceBehaviour())
        if not behaviour.answer:
            return True
        if channel is not None and behaviour.ignore_joins > 0:
            behaviour.ignore_joins -= 1
            return True
        self._flags[guild_id] = (
            bool(data.get("self_mute", False)),
            bool(data.get("self_deaf", False)),
        )
        app.voice_channels[guild_id] = channel
        if channel is not None and behaviour.server_first:
            await self._server_first(shard_id, guild_id, channel, behaviour)
            return True
        await self._gateway.dispatch(shard_id, "VOICE_STATE_UPDATE", self.state(guild_id, channel))
        if channel is None:
            return True
        if behaviour.null_endpoint_first:
            await self.null_endpoint(guild_id)
            self._gateway.later(behaviour.delay, lambda: self.change_server(guild_id))
        elif behaviour.delay:
            self._gateway.later(behaviour.delay, lambda: self.change_server(guild_id))
        else:
            await self.change_server(guild_id)
        return True

    async def _server_first(
        self, shard_id: int, guild_id: int, channel: int, behaviour: VoiceBehaviour
    ) -> None:
        if behaviour.null_endpoint_first:
            await self.null_endpoint(guild_id)
        await self.change_server(guild_id)

        async def state() -> None:
            await self._gateway.dispatch(
                shard_id, "VOICE_STATE_UPDATE", self.state(guild_id, channel)
            )

        if behaviour.delay:
            self._gateway.later(behaviour.delay, state)
        else:
            await state()

    def endpoint_of(self, guild_id: int) -> str:
        """The endpoint of the guild's voice server: its behaviour's, the fake's, or derived."""
        behaviour = self.behaviours.get(guild_id)
        if behaviour is not None and behaviour.endpoint is not None:
            return behaviour.endpoint
        if self._app.voice_endpoint is not None:
            return self._app.voice_endpoint
        return payloads.voice_endpoint(guild_id)

    async def move(self, guild_id: int, channel_id: int | None) -> None:
        """The bot is in `channel_id` now (`None`: out of voice), as a moderator sees to."""
        self._app.voice_channels[guild_id] = channel_id
        await self._gateway.dispatch(
            self._app.shard_of(guild_id), "VOICE_STATE_UPDATE", self.state(guild_id, channel_id)
        )

    async def change_server(self, guild_id: int, endpoint: str | None = None) -> None:
        """`VOICE_SERVER_UPDATE` with a fresh token and `endpoint` (default: the guild's)."""
        await self._server_update(guild_id, endpoint or self.endpoint_of(guild_id))

    async def null_endpoint(self, guild_id: int) -> None:
        """`VOICE_SERVER_UPDATE` with `endpoint: null` (the voice server deallocated)."""
        await self._server_update(guild_id, None)

    async def _server_update(self, guild_id: int, endpoint: str | None) -> None:
        await self._gateway.dispatch(
            self._app.shard_of(guild_id),
            "VOICE_SERVER_UPDATE",
            {"token": secrets.token_hex(8), "guild_id": str(guild_id), "endpoint": endpoint},
        )

    async def put_member(
        self, guild_id: int, channel_id: int | None, user_id: int, *, bot: bool = False
    ) -> None:
        """A member (not the bot) joins `channel_id` (or, with `None`, leaves voice)."""
        payload = self.state(guild_id, channel_id)
        payload["user_id"] = str(user_id)
        payload["session_id"] = secrets.token_hex(16)
        payload["self_deaf"] = payload["self_mute"] = False
        user = payloads.listener(user_id) | ({"bot": True} if bot else {})
        payload["member"] = payloads.member(self._app.bot_id, user)
        await self._gateway.dispatch(self._app.shard_of(guild_id), "VOICE_STATE_UPDATE", payload)
