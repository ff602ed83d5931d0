"""Commands from other processes over Redis pub/sub (see
[`RedisStore.send_command`][hikari_lavalink.store.redis.RedisStore.send_command]).

Every process of the cluster listens on one channel, `{prefix}{cluster}:commands`; the one
that runs the guild's shard carries the command out and answers on the sender's own reply
channel. One listener task per process; a command is handled in it, in the order sent.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import typing

import msgspec
import redis.asyncio
import redis.exceptions

from hikari_lavalink.errors import StoreError, UsageError
from hikari_lavalink.store.base import REMOTE_ACTIONS, RemoteCommand, RemoteReply

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.store.base import StoreScope

__all__ = ["CommandHandler", "RedisCommands"]

_LOGGER = logging.getLogger("hikari_lavalink.store")
_command_decoder: typing.Final = msgspec.json.Decoder(RemoteCommand)
_reply_decoder: typing.Final = msgspec.json.Decoder(RemoteReply)
_encoder: typing.Final = msgspec.json.Encoder()

CommandHandler: typing.TypeAlias = (
    "collections.abc.Callable[[RemoteCommand], collections.abc.Awaitable[RemoteReply]]"
)
"""`await handler(command) -> reply`: carries a command out on this process's player."""


class RedisCommands:
    """The command channel of one cluster, for one process (sender, listener, or both)."""

    __slots__ = ("_channel", "_client", "_listener")

    def __init__(self, client: redis.asyncio.Redis, channel: str) -> None:
        self._client = client
        self._channel = channel
        self._listener: asyncio.Task[None] | None = None

    def serve(self, scope: StoreScope, handler: CommandHandler) -> None:
        """Carry out the commands for `scope`'s guilds, until `close`."""
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen(scope, handler))

    async def _listen(self, scope: StoreScope, handler: CommandHandler) -> None:
        delay = 0.1
        while True:
            try:
                async with self._client.pubsub() as pubsub:  # pyright: ignore[reportUnknownMemberType]
                    await pubsub.subscribe(self._channel)  # pyright: ignore[reportUnknownMemberType]
                    delay = 0.1
                    async for message in pubsub.listen():  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                        data = typing.cast("dict[str, typing.Any]", message).get("data")
                        if isinstance(data, bytes):
                            await self._one(scope, handler, data)
            except redis.exceptions.RedisError as exc:
                _LOGGER.debug("commands channel: %s; listening again in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def _one(self, scope: StoreScope, handler: CommandHandler, data: bytes) -> None:
        try:
            command = _command_decoder.decode(data)
        except (msgspec.DecodeError, RecursionError) as exc:
            _LOGGER.warning("ignoring a malformed remote command: %s", exc)
            return
        if not scope.owns(command.guild_id):
            return  # another process's guild
        try:
            reply = await handler(command)
        except Exception as exc:  # noqa: BLE001 - a command never ends the listener
            _LOGGER.warning("remote command %s failed: %s", command.action, exc)
            reply = RemoteReply(id=command.id, ok=False, error=f"{type(exc).__name__}: {exc}")
        if command.reply_to:
            try:
                await self._client.publish(command.reply_to, _encoder.encode(reply))  # pyright: ignore[reportUnknownMemberType]
            except redis.exceptions.RedisError as exc:
                _LOGGER.debug("could not answer remote command %s: %s", command.id, exc)

    async def send(
        self,
        guild_id: int,
        action: str,
        value: int | str | None,
        *,
        requester: int | None,
        timeout: float,
    ) -> RemoteReply:
        """Send a command and wait for the owner's reply (see `RedisStore.send_command`)."""
        if action not in REMOTE_ACTIONS:
            msg = f"unknown remote action {action!r}; one of {sorted(REMOTE_ACTIONS)}"
            raise UsageError(msg)
        command_id = secrets.token_hex(8)
        reply_to = f"{self._channel}:reply:{command_id}"
        command = RemoteCommand(
            guild_id=guild_id,
            action=action,
            value=value,
            requester=requester,
            id=command_id,
            reply_to=reply_to,
        )
        async with self._client.pubsub() as pubsub:  # pyright: ignore[reportUnknownMemberType]
            await pubsub.subscribe(reply_to)  # pyright: ignore[reportUnknownMemberType]
            await self._client.publish(self._channel, _encoder.encode(command))  # pyright: ignore[reportUnknownMemberType]
            try:
                async with asyncio.timeout(timeout):
                    async for message in pubsub.listen():  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                        data = typing.cast("dict[str, typing.Any]", message).get("data")
                        if isinstance(data, bytes):
                            return _reply_decoder.decode(data)
            except TimeoutError:
                pass
        msg = (
            f"no process answered {action!r} for guild {guild_id} within {timeout:g} s "
            "(is the process that runs its shard up?)"
        )
        raise StoreError(msg)

    async def close(self) -> None:
        """Stop listening."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
