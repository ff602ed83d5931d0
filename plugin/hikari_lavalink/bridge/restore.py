"""Restore: the store's only user. It snapshots the players, saves them every few seconds
when something changed, and after a restart resumes or recreates them.

At start the stored session ids are offered to their nodes. When a node is ready and has
reconciled its players with the server (see `hikari_lavalink.runtime.reconcile`), the
players it adopted from a live session are taken as they are; the stored players no
session kept are recreated at their stored position, and their guilds restored like a
shard death's (op 4, then the player; see `hikari_lavalink.bridge.shards`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import typing

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.bridge.voice import shard_for
from hikari_lavalink.errors import ShardsClaimedError, UsageError
from hikari_lavalink.runtime import music as music_
from hikari_lavalink.runtime import plugin_state
from hikari_lavalink.runtime import queue as queue_
from hikari_lavalink.store import (
    ShardedStore,
    StoredMusic,
    StoredPlayer,
    StoredPlugins,
    StoredState,
    StoreScope,
)

if typing.TYPE_CHECKING:
    import collections.abc

    import hikari

    from hikari_lavalink.bridge.voice import VoiceCoordinator
    from hikari_lavalink.runtime.background import BackgroundTasks
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.runtime.pool import NodePool
    from hikari_lavalink.store import SessionStore
    from hikari_lavalink.store.base import RemoteCommand, RemoteReply

__all__ = ["MAX_SAVE_DELAY", "Restore"]

_LOGGER = logging.getLogger("hikari_lavalink.client")
MAX_SAVE_DELAY: typing.Final = 60.0
"""Seconds between tries at most, while the store fails."""
SLICE: typing.Final = 256
"""Players snapshotted between two yields to the event loop, in a save."""


class Restore:
    """Persists one client's sessions and players, and brings them back.

    Parameters
    ----------
    bot
        The bot (which guilds this process serves and still sees).
    store
        Where the state goes, or `None` (nothing is kept).
    pool, voice, tasks
        The client's nodes, guild table and background tasks.
    restore_guild
        `await restore_guild(guild_id)`: rejoin a recreated player's channel.
    interval
        Seconds between writes (only when something changed).
    """

    __slots__ = (
        "_bot",
        "_failing",
        "_pending",
        "_pool",
        "_restore_guild",
        "_saved",
        "_store",
        "_tasks",
        "_voice",
        "interval",
    )

    def __init__(
        self,
        bot: hikari.GatewayBotAware,
        store: SessionStore | None,
        *,
        pool: NodePool,
        voice: VoiceCoordinator,
        tasks: BackgroundTasks,
        restore_guild: collections.abc.Callable[
            [int], collections.abc.Coroutine[typing.Any, typing.Any, None]
        ],
        interval: float,
    ) -> None:
        self._bot = bot
        self._store = store
        self._pool = pool
        self._voice = voice
        self._tasks = tasks
        self._restore_guild = restore_guild
        self.interval: float = interval
        self._saved: StoredState | None = None
        self._failing = False
        # Stored players not yet back, by the node they were on ("": a node not added).
        self._pending: dict[str, list[StoredPlayer]] = {}

    @override
    def __repr__(self) -> str:
        return f"Restore(store={self._store!r}, interval={self.interval})"

    @property
    def enabled(self) -> bool:
        """Whether there is a store."""
        return self._store is not None

    def snapshot(self) -> StoredState:
        """What the store would save now."""
        now = time.time()
        players = [self._stored(p, now) for p in self._voice.players.values()]
        return self._state(players)

    async def _snapshot_in_slices(self) -> StoredState:
        # The snapshot, yielding to the event loop every SLICE players: with thousands of
        # players, a save never holds the loop for long.
        now = time.time()
        players: list[StoredPlayer] = []
        # The guild table, not the players' view (a generator with a lookup per guild).
        for index, guild in enumerate(list(self._voice.guilds.values())):
            if index % SLICE == SLICE - 1:
                await asyncio.sleep(0)
            player = guild.player
            if player is not None and not player.destroyed:
                players.append(self._stored(player, now))
        return self._state(players)

    @staticmethod
    def _stored(p: Player, now: float) -> StoredPlayer:
        return StoredPlayer(
            guild_id=p.guild_id,
            channel_id=p.channel_id,
            node=p.node.name,
            track=p.track,
            position=p.position,
            volume=p.volume,
            paused=p.paused,
            filters=p.filters,
            end_time=p.end_time,
            music=stored_music(p),
            plugins=stored_plugins(p),
            saved_at=now if p.track is not None else None,
        )

    def _state(self, players: list[StoredPlayer]) -> StoredState:
        nodes = self._pool.nodes.values()
        sessions = {n.name: n.session_id for n in nodes if n.session_id}
        # Stored players not back yet (their node not ready): kept as they were.
        live = self._voice.players
        players += [p for group in self._pending.values() for p in group if p.guild_id not in live]
        return StoredState(sessions=sessions, players=players)

    async def save(self) -> bool:
        """Write the snapshot, if it changed since the last write; `False` if that failed
        (logged: the first failure of a row as a warning, and the return when it works)."""
        if self._store is None:
            return True
        state = await self._snapshot_in_slices()
        if state == self._saved:
            return True
        try:
            await self._store.save(state)
        except Exception as exc:  # noqa: BLE001 - a store is anyone's code: never the bot's end
            log = _LOGGER.debug if self._failing else _LOGGER.warning
            log(
                "could not save the session store (saves are retried): %s: %s",
                type(exc).__name__,
                exc,
            )
            self._failing = True
            return False
        if self._failing:
            _LOGGER.info("the session store saves again")
            self._failing = False
        self._saved = state
        return True

    async def save_loop(self) -> None:
        """`save` every `interval` seconds, until cancelled; after a failure,
        with back-off (up to `MAX_SAVE_DELAY`), then the latest state at once."""
        delay = self.interval
        while True:
            await asyncio.sleep(delay)
            delay = self.interval if await self.save() else min(delay * 2, MAX_SAVE_DELAY)

    async def load(self) -> None:
        """Before the nodes start: open the store for this process's shards, offer the
        stored sessions, keep the stored players.

        Raises
        ------
        ShardsClaimedError
            The store says another live process runs some of this process's shards.
        """
        if self._store is None:
            return
        if isinstance(self._store, ShardedStore):
            scope = self.scope()
            try:
                await self._store.open(scope)
            except ShardsClaimedError:
                raise
            except Exception as exc:  # noqa: BLE001 - a store is anyone's code: start anyway
                _LOGGER.warning("could not open the session store: %s: %s", type(exc).__name__, exc)
        try:
            state = await self._store.load()
        except Exception as exc:  # noqa: BLE001 - a store is anyone's code: start without it
            _LOGGER.warning(
                "could not load the session store (starting with no stored players): %s: %s",
                type(exc).__name__,
                exc,
            )
            return
        if state is None:
            return
        nodes = self._pool.nodes
        for name, session_id in state.sessions.items():
            node = nodes.get(name)
            if node is not None:
                node.resume_session(session_id)
        self._pending.clear()
        for stored in state.players:
            key = stored.node if stored.node in nodes else ""
            self._pending.setdefault(key, []).append(stored)

    def scope(self) -> StoreScope:
        """This process's shards, as the store sees them."""
        shards = self._bot.shards
        if not shards:
            return StoreScope(1, (0,))
        return StoreScope(next(iter(shards.values())).shard_count, shards)

    def serve_commands(
        self,
        handler: collections.abc.Callable[[RemoteCommand], collections.abc.Awaitable[RemoteReply]],
    ) -> None:
        """Let a store that carries commands from other processes hand them to `handler`."""
        serve = getattr(self._store, "serve_commands", None)
        if callable(serve):
            serve(handler)

    async def close(self) -> None:
        """Close the store (a [`ShardedStore`][hikari_lavalink.store.base.ShardedStore] releases its
        claim)."""
        if isinstance(self._store, ShardedStore):
            try:
                await self._store.close()
            except Exception as exc:  # noqa: BLE001 - a store is anyone's code
                _LOGGER.warning(
                    "could not close the session store: %s: %s", type(exc).__name__, exc
                )

    def reconciled(self, node: Node, adopted: list[Player]) -> None:
        """`node` reconciled with the server: take what it adopted, recreate the rest."""
        if adopted:
            self._adopt(node, adopted)
        if self._pending.get(node.name) or self._pending.get(""):
            self._tasks.spawn(self._recreate(node))

    def _adopt(self, node: Node, players: list[Player]) -> None:
        stored = {p.guild_id: p for p in self._pending.pop(node.name, [])}
        for player in players:
            guild = player.guild_id
            try:
                shard_for(self._bot, guild)
            except UsageError:
                continue  # another process's guild, or one this bot left
            if guild in stored:
                if player.channel_id is None:
                    player.channel_id = stored[guild].channel_id
                restore_music(player, stored[guild].music)
                if restore_plugins(player, stored[guild].plugins):
                    # Its session was resumed: the plugins forgot what it asked of them.
                    self._tasks.spawn(plugin_state.resend(player))
            self._voice.add_player(player)
            stored.pop(guild, None)
        if stored:
            self._pending.setdefault(node.name, []).extend(stored.values())

    async def _recreate(self, node: Node) -> None:
        pending = self._pending.pop(node.name, []) + self._pending.pop("", [])
        players = self._voice.players
        for stored in pending:
            guild = stored.guild_id
            if guild in players or stored.channel_id is None:
                continue
            try:
                shard_for(self._bot, guild)
            except UsageError:
                _LOGGER.info("guild %s: no longer served by this process; forgetting it", guild)
                continue
            if self._bot.cache.get_guild(guild) is None:
                _LOGGER.info("guild %s: no longer available; forgetting its player", guild)
                continue
            target = node if node.is_ready else self._pool.best()
            player = target.create_player(guild)
            player.channel_id = stored.channel_id
            player.track = stored.track
            player.volume = stored.volume
            player.paused = stored.paused
            player.filters = stored.filters
            player.end_time = stored.end_time
            player.set_position(stored.position)
            restore_music(player, stored.music)
            restore_plugins(player, stored.plugins)  # sent with the player, once it is back
            player.freeze()
            voice = self._voice.add_player(player)
            voice.voice_lost = True
            voice.lost_channel_id = stored.channel_id
            self._tasks.spawn(self._restore_guild(guild))


def _own(value: typing.Any) -> typing.Any:
    return msgspec.UNSET if isinstance(value, music_.ClientDefault) else value


def _jsonable(guild: int, data: dict[str, typing.Any]) -> dict[str, typing.Any]:
    # A copy (the bot mutates its dict in place) of what JSON can hold; the rest is skipped.
    try:
        return _data_decoder.decode(_data_encoder.encode(data))
    except (TypeError, ValueError, RecursionError):
        kept: dict[str, typing.Any] = {}
        for key, value in data.items():
            try:
                kept[key] = _data_decoder.decode(_data_encoder.encode({key: value}))[key]
            except (TypeError, ValueError, RecursionError):
                _LOGGER.debug("guild %s: player.data[%r] is not JSON; not stored", guild, key)
        return kept


def _plain(value: object) -> object:
    # msgspec encodes int subclasses (a hikari Snowflake: a channel id) only through a hook.
    if isinstance(value, int):
        return int(value)
    msg = f"{type(value).__name__} is not JSON"
    raise TypeError(msg)


_data_encoder: typing.Final = msgspec.json.Encoder(enc_hook=_plain)
_data_decoder: typing.Final = msgspec.json.Decoder(dict[str, typing.Any])


def stored_music(player: Player) -> StoredMusic | None:
    """The player's music as the store keeps it (`None`: it used none)."""
    music = player.music_state
    if music is None:
        return None
    queue = music.queue
    return StoredMusic(
        queue=queue.upcoming if queue is not None else [],
        history=queue.history if queue is not None else [],
        loop=queue.loop.value if queue is not None else "off",
        data=_jsonable(player.guild_id, music.data) if music.data else {},
        autoplay=_own(music.autoplay),
        auto_advance=_own(music.auto_advance),
        leave_when_idle=_own(music.leave_when_idle),
        leave_when_alone=_own(music.leave_when_alone),
    )


def restore_music(player: Player, stored: StoredMusic | None) -> None:
    """Give `player` the stored music (nothing when there is none)."""
    if stored is None:
        return
    try:
        loop = queue_.LoopMode(stored.loop)
    except ValueError:
        loop = queue_.LoopMode.OFF
    if stored.queue or stored.history or loop is not queue_.LoopMode.OFF:
        player.queue.restore(stored.queue, stored.history, current=player.track, loop=loop)
    if stored.data:
        player.data.update(stored.data)
    for name in ("autoplay", "auto_advance", "leave_when_idle", "leave_when_alone"):
        value = getattr(stored, name)
        if value is not msgspec.UNSET:
            setattr(player, name, value)


def stored_plugins(player: Player) -> StoredPlugins | None:
    """What the player asked of the plugins, as the store keeps it (`None`: nothing)."""
    state = player.plugin_state
    if state is None or state.is_idle():
        return None
    categories = state.categories
    return StoredPlugins(
        lyrics=state.lyrics,
        skip_track_source=state.skip_track_source,
        sponsorblock=list(categories) if categories is not None else None,
    )


def restore_plugins(player: Player, stored: StoredPlugins | None) -> bool:
    """Give `player` the stored plugin state; whether there was any."""
    if stored is None or (not stored.lyrics and stored.sponsorblock is None):
        return False
    state = player.plugin_state or plugin_state.PlayerPlugins()
    state.lyrics = stored.lyrics
    state.skip_track_source = stored.skip_track_source
    state.categories = tuple(stored.sponsorblock) if stored.sponsorblock is not None else None
    player.plugin_state = state
    return True
