"""Commands from other processes, carried out on this process's players.

A store that carries commands
([`hikari_lavalink.store.redis.RedisStore.send_command`][hikari_lavalink.store.redis.RedisStore.send_command])
hands each one for a guild of this process to `RemoteControl.handle`, which acts as a bot's own
command would: `skip`, `pause`, `resume`, `stop`, `volume`, `seek`, `enqueue` (a search or URL: the
first result, or a whole playlist, queued with the requester, and played when nothing plays) and
`leave`.
"""

from __future__ import annotations

import typing

from hikari_lavalink._typing import override
from hikari_lavalink.errors import LavalinkError
from hikari_lavalink.protocol.load_result import PlaylistResult
from hikari_lavalink.store.base import RemoteCommand, RemoteReply

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.load_result import LoadResult
    from hikari_lavalink.runtime.player import Player

__all__ = ["RemoteControl"]


class RemoteControl:
    """Carries out [`RemoteCommand`][hikari_lavalink.store.base.RemoteCommand] s on the client's
    players.

    Parameters
    ----------
    players
        The client's players, by guild.
    search
        `await search(query)`: the client's search (URLs pass through).
    leave
        `await leave(guild_id)`: the client's leave.
    """

    __slots__ = ("_leave", "_players", "_search")

    def __init__(
        self,
        players: collections.abc.Mapping[int, Player],
        search: collections.abc.Callable[[str], collections.abc.Awaitable[LoadResult]],
        leave: collections.abc.Callable[[int], collections.abc.Awaitable[None]],
    ) -> None:
        self._players = players
        self._search = search
        self._leave = leave

    @override
    def __repr__(self) -> str:
        return f"RemoteControl(players={len(self._players)})"

    async def handle(self, command: RemoteCommand) -> RemoteReply:
        """Carry `command` out; the reply says how it went (errors as text, never raised)."""
        player = self._players.get(command.guild_id)
        if player is None:
            return self._fail(command, f"guild {command.guild_id} has no player")
        try:
            title = await self._act(player, command)
        except (LavalinkError, ValueError, TypeError) as exc:
            return self._fail(command, f"{type(exc).__name__}: {exc}")
        return RemoteReply(id=command.id, ok=True, track=title)

    async def _act(self, player: Player, command: RemoteCommand) -> str | None:
        action, value = command.action, command.value
        if action == "skip":
            track = await player.skip()
            return track.info.title if track is not None else None
        if action in ("pause", "resume"):
            await player.pause(action == "pause")
        elif action == "stop":
            await player.stop()
        elif action in ("volume", "seek"):
            if not isinstance(value, int):
                msg = f"{action} needs a whole number, not {value!r}"
                raise TypeError(msg)
            await (player.set_volume(value) if action == "volume" else player.seek(value))
        elif action == "enqueue":
            return await self._enqueue(player, command)
        elif action == "leave":
            await self._leave(player.guild_id)
        else:
            msg = f"unknown action {action!r}"
            raise ValueError(msg)
        return player.track.info.title if player.track is not None else None

    async def _enqueue(self, player: Player, command: RemoteCommand) -> str:
        if not isinstance(command.value, str) or not command.value.strip():
            msg = "enqueue needs a query or a URL"
            raise ValueError(msg)
        result = await self._search(command.value)
        tracks = result.tracks if isinstance(result, PlaylistResult) else result.tracks[:1]
        if not tracks:
            msg = f"nothing found for {command.value!r}"
            raise ValueError(msg)
        player.queue.add(*tracks, requester=command.requester)
        if player.track is None:
            await player.skip()  # nothing plays: the queue starts
        return tracks[0].info.title

    @staticmethod
    def _fail(command: RemoteCommand, error: str) -> RemoteReply:
        return RemoteReply(id=command.id, ok=False, error=error)
