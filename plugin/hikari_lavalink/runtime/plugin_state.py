"""A player's plugin state: what it asked of its node's plugins, told again to any server
that forgot it.

LavaLyrics' live-lyrics subscription and the SponsorBlock plugin's categories live on the
server, per session: a WebSocket resume wipes both, SponsorBlock's categories also go with
the player (a shard death drops it), and a player moved to another node or recreated on a
new session (a node restart, a bot restart with a store) lands where nobody heard of them.
(NodeLink, which has both built in, keeps them on the player: told once the player exists,
with the segments of the track playing, and kept by a resume.)
So each player keeps its own here
([`PlayerPlugins`][hikari_lavalink.runtime.plugin_state.PlayerPlugins], in its side object: an
idle player pays nothing), and the client sends them again after each resume
([`resend`][hikari_lavalink.runtime.plugin_state.resend]) and with each recreation
([`restore`][hikari_lavalink.runtime.plugin_state.restore]: failover and drain moves, restores on
a new session, shard-death rejoins, players recreated from the store).

Telling a server again makes it repeat itself. A new subscription sends the current track's
`LyricsFoundEvent` again, then every line up to the position (LavaLyrics sends the lines a
seek passed; after a resume its old line handler runs on beside the new one); a track
recreated with categories loads its segments and chapters again and announces each chapter
passed. What this process already delivered for the same play of the same track is dropped
here ([`on_message`][hikari_lavalink.runtime.plugin_state.on_message]): the bot sees it once.

SponsorBlock skips a segment a seek passes by seeking to its end: a track recreated past a
segment it had would jump back there. Its categories then go out after the track is
recreated, so the rest of that track is not skipped (logged), and the next tracks are.
"""

from __future__ import annotations

import asyncio
import logging
import typing
import weakref

from hikari_lavalink._typing import override
from hikari_lavalink.errors import LavalinkError, RestError
from hikari_lavalink.protocol.plugins import lavalyrics, sponsorblock
from hikari_lavalink.runtime.plugin_routes import (
    LIVE_LYRICS,
    lyrics_plugin,
    lyrics_routes,
    sponsorblock_plugin,
    sponsorblock_routes,
    state_on_player,
    typed_error,
)

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import messages
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = [
    "PlayerPlugins",
    "current_encoded",
    "ensure_state",
    "forget",
    "on_message",
    "on_track_end",
    "plugins_in_use",
    "resend",
    "resend_all",
    "restore",
    "tidy",
]

_LOGGER = logging.getLogger("hikari_lavalink.plugins")
RESEND_CONCURRENCY: typing.Final = 16
"""Players whose plugin state is sent again at once, after a resume."""
_LYRICS_EVENTS: typing.Final = (
    lavalyrics.LyricsFoundMessage,
    lavalyrics.LyricsNotFoundMessage,
    lavalyrics.LyricsLineMessage,
)
_SPONSORBLOCK_EVENTS: typing.Final = (
    sponsorblock.SegmentsLoadedMessage,
    sponsorblock.SegmentSkippedMessage,
    sponsorblock.ChaptersLoadedMessage,
    sponsorblock.ChapterStartedMessage,
)


class PlayerPlugins:
    """What a player asked of the plugins, and what of theirs it already delivered."""

    __slots__ = (
        "__weakref__",
        "_replaying",
        "categories",
        "chapter",
        "chapters",
        "line",
        "lyrics",
        "lyrics_track",
        "segment_track",
        "segments",
        "skip_track_source",
    )

    def __init__(self) -> None:
        self.lyrics: bool = False
        """Subscribed to live lyrics."""
        self.skip_track_source: bool = False
        self.categories: tuple[str, ...] | None = None
        """The SponsorBlock categories to skip, `None`: none set."""
        self._replaying: str | None = None
        self.lyrics_track: str | None = None
        """The track whose lyrics (found or not) were delivered last, and its last line."""
        self.line: int = -1
        self.segment_track: str | None = None
        """The track whose segments and chapters below were delivered."""
        self.segments: tuple[sponsorblock.Segment, ...] = ()
        self.chapters: bool = False
        self.chapter: int = -1
        """The start of the last chapter announced (ms)."""

    @property
    def replaying(self) -> str | None:
        """The (encoded) track told again to a server since its last recovery, until it ends."""
        return self._replaying

    @replaying.setter
    def replaying(self, encoded: str | None) -> None:
        self._replaying = encoded
        if encoded is None:
            _REPLAYS.discard(self)
        else:
            _REPLAYS.add(self)

    @override
    def __repr__(self) -> str:
        return f"PlayerPlugins(lyrics={self.lyrics}, categories={self.categories})"

    @override
    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + sum(s.__sizeof__() for s in self.segments)

    def is_idle(self) -> bool:
        """Whether it asks nothing of any plugin (then the player drops it)."""
        return not self.lyrics and self.categories is None


def ensure_state(player: Player) -> PlayerPlugins:
    state = player.plugin_state
    if state is None:
        state = player.plugin_state = PlayerPlugins()
    return state


def tidy(player: Player) -> None:
    state = player.plugin_state
    if state is not None and state.is_idle():
        player.plugin_state = None


def current_encoded(player: Player) -> str | None:
    track = player.track
    return track.encoded if track is not None else None


def plugins_in_use(player: Player) -> tuple[str, ...]:
    """The plugins `player` needs on any node it moves to (node choice prefers those)."""
    state = player.plugin_state
    if state is None:
        return ()
    wanted: list[str] = []
    if state.lyrics:
        wanted.append(lyrics_plugin(player.node))
    if state.categories is not None:
        wanted.append(sponsorblock_plugin(player.node))
    return tuple(wanted)


# -- what the plugins send (the client's listener calls these) ----------------------------


def on_message(player: Player, message: messages.PluginEventMessage) -> bool:
    """Take a plugin's event of `player`; `False`: drop it (a repeat of what was delivered,
    or live lyrics of a player that did not subscribe: LavaLyrics keeps a subscription
    past its player).

    A `SegmentSkipped` moves the player's position to the segment's end (the plugin's
    seek sends no `playerUpdate`).
    """
    if isinstance(message, _LYRICS_EVENTS):
        state = player.plugin_state
        return state is not None and state.lyrics and _lyrics_news(player, state, message)
    if isinstance(message, _SPONSORBLOCK_EVENTS):
        if isinstance(message, sponsorblock.SegmentSkippedMessage):
            if player.track is not None:
                player.set_position(message.segment.end)
            return True
        state = player.plugin_state
        return state is None or _segment_news(player, state, message)
    return True


def _lyrics_news(
    player: Player,
    state: PlayerPlugins,
    message: lavalyrics.LyricsFoundMessage
    | lavalyrics.LyricsNotFoundMessage
    | lavalyrics.LyricsLineMessage,
) -> bool:
    current = current_encoded(player)
    again = state.replaying is not None and state.replaying == current == state.lyrics_track
    if isinstance(message, lavalyrics.LyricsLineMessage):
        index = message.line_index
        if again and index <= state.line:
            return False
        if state.lyrics_track == current:
            state.line = max(state.line, index)
        return True
    if again:
        return False
    state.lyrics_track = current
    state.line = -1
    return True


def _segment_news(
    player: Player,
    state: PlayerPlugins,
    message: sponsorblock.SegmentsLoadedMessage
    | sponsorblock.ChaptersLoadedMessage
    | sponsorblock.ChapterStartedMessage
    | sponsorblock.SegmentSkippedMessage,
) -> bool:
    current = current_encoded(player)
    again = state.replaying is not None and state.replaying == current == state.segment_track
    if state.segment_track != current:
        state.segment_track = current
        state.segments = ()
        state.chapters = False
        state.chapter = -1
    if isinstance(message, sponsorblock.SegmentsLoadedMessage):
        if again and state.segments:
            return False
        state.segments = tuple(message.segments)
    elif isinstance(message, sponsorblock.ChaptersLoadedMessage):
        if again and state.chapters:
            return False
        state.chapters = True
    elif isinstance(message, sponsorblock.ChapterStartedMessage):
        start = message.chapter.start
        if again and start <= state.chapter:
            return False
        state.chapter = max(state.chapter, start)
    return True


_REPLAYS: typing.Final[weakref.WeakSet[PlayerPlugins]] = weakref.WeakSet()
"""The states with a track told again: while there is none, a track end costs one check."""


def on_track_end(player: Player, message: messages.TrackEndMessage) -> None:
    """A track end of `player`: the end of a track told again ends its replay."""
    if not _REPLAYS:
        return
    state = player.plugin_state
    if (
        state is not None
        and state.replaying is not None
        and message.reason != "replaced"
        and message.track.encoded == state.replaying
    ):
        state.replaying = None


# -- recovery: the server forgot --------------------------------------------------------


async def restore(player: Player) -> None:
    """Recreate `player` on its node as it is now (its `restore_request`), with what the
    node's plugins must hear again (errors of those logged; the update's raise)."""
    state = player.plugin_state
    if state is None:
        await player.update(player.restore_request())
        return
    track = player.track
    state.replaying = track.encoded if track is not None else None
    if state_on_player(player.node):
        await _restore_on_player(player, state)
        return
    position = player.position
    passed = (
        track is not None
        and state.segment_track == track.encoded
        and any(segment.end < position for segment in state.segments)
    )
    if state.categories is not None and not passed:
        await _send_categories(player)  # first: the track's start loads its segments
    await player.update(player.restore_request())
    if state.categories is not None and passed:
        _LOGGER.info(
            "guild %s: the track was recreated past a SponsorBlock segment: the rest of it "
            "is not skipped (the plugin would seek back there), the next tracks are",
            player.guild_id,
        )
        await _send_categories(player)
    if state.lyrics:
        await _send_subscription(player)


async def _restore_on_player(player: Player, state: PlayerPlugins) -> None:
    # NodeLink keeps it on the player: told once the player is there. It loads segments
    # only when a track starts: the track playing's, when known, go with the categories.
    await player.update(player.restore_request())
    if state.categories is not None:
        await _send_categories(player)
        track = player.track
        if track is not None and state.segment_track == track.encoded and state.segments:
            await _carry_segments(player, state.segments)
    if state.lyrics:
        await _send_subscription(player)


async def resend(player: Player) -> None:
    """Tell `player`'s node's plugins again what it asked of them (after a resume, which
    wiped it; NodeLink's resumed players kept it); errors logged."""
    state = player.plugin_state
    if state is None or state_on_player(player.node):
        return
    state.replaying = current_encoded(player)
    if state.categories is not None:
        await _send_categories(player)
    if state.lyrics:
        await _send_subscription(player)


async def resend_all(players: collections.abc.Iterable[Player]) -> None:
    """[`resend`][hikari_lavalink.runtime.plugin_state.resend] for each player with plugin
    state, [`RESEND_CONCURRENCY`][hikari_lavalink.runtime.plugin_state.RESEND_CONCURRENCY] at
    a time."""
    stateful = [p for p in players if p.plugin_state is not None]
    if not stateful:
        return
    limit = asyncio.Semaphore(RESEND_CONCURRENCY)

    async def one(player: Player) -> None:
        async with limit:
            await resend(player)

    await asyncio.gather(*(one(p) for p in stateful))


async def forget(node: Node, player: Player) -> None:
    """`player` is destroyed: end its live lyrics on `node` (LavaLyrics would keep them
    for the guild's next player); errors logged."""
    state = player.plugin_state
    if state is None or not state.lyrics:
        return
    state.lyrics = False
    session_id = node.session_id
    if session_id is None or not node.is_ready or state_on_player(node):
        return  # NodeLink's subscription goes with its player
    try:
        await node.request(lyrics_routes(node).unsubscribe(session_id, player.guild_id))
    except LavalinkError as exc:
        _LOGGER.debug("guild %s: could not end its live lyrics: %s", player.guild_id, exc)


async def _send_categories(player: Player) -> None:
    state, node = player.plugin_state, player.node
    session_id = node.session_id
    if state is None or state.categories is None or session_id is None:
        return
    try:
        api = sponsorblock_routes(node, "SponsorBlock categories")
        await node.request(api.set_categories(session_id, player.guild_id, state.categories))
    except LavalinkError as exc:
        _LOGGER.warning(
            "guild %s: could not send its SponsorBlock categories to node %s again "
            "(segments are not skipped there): %s",
            player.guild_id,
            node.name,
            exc,
        )


async def _carry_segments(player: Player, segments: tuple[sponsorblock.Segment, ...]) -> None:
    node = player.node
    session_id = node.session_id
    if session_id is None:
        return
    try:
        route = sponsorblock_routes(node).carry_segments(session_id, player.guild_id, segments)
        if route is not None:
            await node.request(route)
    except LavalinkError as exc:
        _LOGGER.warning(
            "guild %s: could not send the track's SponsorBlock segments to node %s (the rest "
            "of it is not skipped there, the next tracks are): %s",
            player.guild_id,
            node.name,
            exc,
        )


async def _send_subscription(player: Player) -> None:
    state, node = player.plugin_state, player.node
    session_id = node.session_id
    if state is None or not state.lyrics or session_id is None:
        return
    try:
        api = lyrics_routes(node, LIVE_LYRICS)
        await node.request(
            api.subscribe(session_id, player.guild_id, skip_track_source=state.skip_track_source)
        )
    except LavalinkError as exc:
        _LOGGER.warning(
            "guild %s: could not subscribe to live lyrics on node %s again: %s",
            player.guild_id,
            node.name,
            typed_error(exc, LIVE_LYRICS) if isinstance(exc, RestError) else exc,
        )
