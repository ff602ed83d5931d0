"""What a bot author calls on a player's plugins: `player.lyrics` and `player.sponsorblock`.

Each call checks, before any request, that the player's node runs the plugin (a
[`UsageError`][hikari_lavalink.UsageError] otherwise), through the one seam that picks a
server's routes ([`hikari_lavalink.runtime.plugin_routes`][hikari_lavalink.runtime.plugin_routes]).
A setting (live lyrics, SponsorBlock categories) is kept in the player's plugin state
([`hikari_lavalink.runtime.plugin_state`][hikari_lavalink.runtime.plugin_state]) and told again
to any server that forgot it; while the node is away, it is sent when it is back.
"""

from __future__ import annotations

import logging
import typing

from hikari_lavalink._typing import override
from hikari_lavalink.errors import (
    NodeConnectionError,
    RestError,
    SessionNotFoundError,
    UsageError,
)
from hikari_lavalink.runtime.plugin_routes import (
    LIVE_LYRICS,
    current_lyrics,
    lyrics_routes,
    sponsorblock_routes,
    state_on_player,
    typed_error,
)
from hikari_lavalink.runtime.plugin_state import (
    current_encoded,
    ensure_state,
    tidy,
)

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import routes
    from hikari_lavalink.protocol.plugins import lavalyrics, sponsorblock
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.player import Player

__all__ = ["PlayerLyrics", "PlayerSponsorBlock"]

_LOGGER = logging.getLogger("hikari_lavalink.plugins")


def _alive(player: Player) -> Node:
    if player.destroyed is not None:
        msg = (
            f"guild {player.guild_id}: this player was destroyed ({player.destroyed}); "
            "join the voice channel again for a new one"
        )
        raise UsageError(msg)
    return player.node


def _session(node: Node) -> str:
    session_id = node.session_id
    if session_id is None or not node.is_ready:
        msg = f"node {node.name!r} is not connected; ask again once it is back"
        raise UsageError(msg)
    return session_id


def _reachable(node: Node, player: Player) -> str | None:
    # The session to send a setting to now; None: it goes with the player's recovery.
    session_id = node.session_id
    if session_id is None or not node.is_ready or player.detached:
        return None
    return session_id


async def _send(
    node: Node,
    player: Player,
    route: collections.abc.Callable[[str], routes.Route[None]],
    *,
    feature: str | None = None,
    undo: collections.abc.Callable[[], None] | None = None,
) -> None:
    # Send a setting now, when the node can take it; while it is away, the player's
    # recovery carries it. A refusal undoes it (`undo`) and raises, typed.
    session_id = _reachable(node, player)
    if session_id is None:
        return
    try:
        await node.request(route(session_id))
    except (NodeConnectionError, SessionNotFoundError) as exc:
        _LOGGER.info(
            "guild %s: the node is away; it hears the setting when back: %s", player.guild_id, exc
        )
    except RestError as exc:
        if undo is not None:
            undo()
            tidy(player)
        raise typed_error(exc, feature) from None


class PlayerLyrics:
    """A player's lyrics and live lyrics
    ([`player.lyrics`][hikari_lavalink.runtime.player.Player.lyrics]), on its node's LavaLyrics.

    Every call raises [`UsageError`][hikari_lavalink.UsageError] before any request when the
    node does not run LavaLyrics.
    """

    __slots__ = ("_player",)

    def __init__(self, player: Player) -> None:
        self._player = player

    @override
    def __repr__(self) -> str:
        return f"PlayerLyrics(guild_id={self._player.guild_id}, subscribed={self.subscribed})"

    @property
    def subscribed(self) -> bool:
        """Whether the player gets live lyrics (kept through resumes, moves and restarts)."""
        state = self._player.plugin_state
        return state is not None and state.lyrics

    async def fetch(self, *, skip_track_source: bool = False) -> lavalyrics.Lyrics | None:
        """The lyrics of the track playing, `None` when none were found.

        `skip_track_source`: do not ask the track's own source first.

        Raises
        ------
        NoTrackPlayingError
            Nothing plays on the node's player.
        PlayerNotFoundError
            The node has no player for the guild (its voice is being rebuilt).
        UsageError
            The node lacks LavaLyrics, is not connected, or the player was destroyed.
        """
        player = self._player
        node = _alive(player)
        route = current_lyrics(
            node,
            _session(node),
            player.guild_id,
            current_encoded(player),
            skip_track_source=skip_track_source,
        )
        try:
            return await node.request(route)
        except RestError as exc:
            raise typed_error(exc) from None

    async def subscribe(self, *, skip_track_source: bool = False) -> None:
        """Live lyrics: from the track playing on, a `LyricsFoundEvent` (or
        `LyricsNotFoundEvent`) at each track, then a `LyricsLineEvent` per line as it plays.

        Kept by the client through resumes, failovers, shard deaths and (with a store)
        restarts. Subscribing again with the same `skip_track_source` does nothing. While
        the node is away (or the player's voice is being rebuilt), it is sent when it is back.

        Raises
        ------
        FeatureNotSupportedError
            The node's LavaLyrics predates live lyrics (nothing is kept).
        UsageError
            The node lacks LavaLyrics, or the player was destroyed.
        """
        player = self._player
        node = _alive(player)
        api = lyrics_routes(node, LIVE_LYRICS)
        state = ensure_state(player)
        if state.lyrics and state.skip_track_source == skip_track_source:
            return
        before = (state.lyrics, state.skip_track_source)
        if state.lyrics:  # the server repeats the current track's lyrics: seen already
            state.replaying = current_encoded(player)
            if state_on_player(node):  # NodeLink keeps a first subscription as it was
                await _send(node, player, lambda s: api.unsubscribe(s, player.guild_id))
        state.lyrics, state.skip_track_source = True, skip_track_source

        def undo() -> None:
            state.lyrics, state.skip_track_source = before

        await _send(
            node,
            player,
            lambda s: api.subscribe(s, player.guild_id, skip_track_source=skip_track_source),
            feature=LIVE_LYRICS,
            undo=undo,
        )

    async def unsubscribe(self) -> None:
        """No more live lyrics (nothing when the player was not subscribed).

        Raises
        ------
        UsageError
            The node lacks LavaLyrics, or the player was destroyed.
        """
        player = self._player
        node = _alive(player)
        api = lyrics_routes(node, LIVE_LYRICS)
        state = player.plugin_state
        if state is None or not state.lyrics:
            return
        state.lyrics = False
        tidy(player)
        # Not sent while the node is away: a resumed session forgets it, a new one never had it.
        await _send(
            node, player, lambda s: api.unsubscribe(s, player.guild_id), feature=LIVE_LYRICS
        )


class PlayerSponsorBlock:
    """A player's SponsorBlock categories
    ([`player.sponsorblock`][hikari_lavalink.runtime.player.Player.sponsorblock]), on its node's
    SponsorBlock plugin: YouTube tracks skip their segments of these.

    Every call raises [`UsageError`][hikari_lavalink.UsageError] before any request when the
    node does not run the plugin.
    """

    __slots__ = ("_player",)

    def __init__(self, player: Player) -> None:
        self._player = player

    @override
    def __repr__(self) -> str:
        return f"PlayerSponsorBlock(guild_id={self._player.guild_id}, categories={self.categories})"

    @property
    def categories(self) -> tuple[str, ...] | None:
        """The categories this client set for the player (`None`: none), kept through
        resumes, moves, shard deaths and (with a store) restarts."""
        state = self._player.plugin_state
        return state.categories if state is not None else None

    @property
    def segments(self) -> tuple[sponsorblock.Segment, ...]:
        """The segments of the track playing, as the plugin loaded them (empty: none, or
        not loaded)."""
        player = self._player
        state = player.plugin_state
        if (
            state is None
            or state.segment_track is None
            or state.segment_track != current_encoded(player)
        ):
            return ()
        return state.segments

    async def fetch_categories(self) -> list[str]:
        """The categories the node has for the guild (`[]`: none).

        Raises
        ------
        UsageError
            The node lacks the plugin, is not connected, or the player was destroyed.
        """
        player = self._player
        node = _alive(player)
        api = sponsorblock_routes(node, "SponsorBlock categories")
        try:
            return await node.request(api.get_categories(_session(node), player.guild_id))
        except RestError as exc:
            if exc.status == 404 and exc.body is not None and exc.body.message == "Guild not found":
                return []
            raise typed_error(exc) from None

    async def set_categories(self, categories: collections.abc.Iterable[str]) -> None:
        """Skip the segments of these categories (each a
        [`SponsorBlockCategory`][hikari_lavalink.SponsorBlockCategory] or another SponsorBlock
        category name), from the next track on; none at all:
        [`clear`][hikari_lavalink.runtime.plugin_views.PlayerSponsorBlock.clear].

        While the node is away (or the player's voice is being rebuilt) they are sent when
        it is back.

        Raises
        ------
        UsageError
            The node lacks the plugin, or the player was destroyed.
        """
        wanted = tuple(dict.fromkeys(str(category) for category in categories))
        if not wanted:
            await self.clear()
            return
        player = self._player
        node = _alive(player)
        api = sponsorblock_routes(node, "SponsorBlock categories")
        state = ensure_state(player)
        before, state.categories = state.categories, wanted

        def undo() -> None:
            state.categories = before

        await _send(
            node, player, lambda s: api.set_categories(s, player.guild_id, wanted), undo=undo
        )

    async def clear(self) -> None:
        """Skip nothing any more (refused by the node: the categories stay, and it raises).

        Raises
        ------
        UsageError
            The node lacks the plugin, or the player was destroyed.
        RestError
            The node refused it.
        """
        player = self._player
        node = _alive(player)
        api = sponsorblock_routes(node, "SponsorBlock categories")
        state = player.plugin_state
        before = state.categories if state is not None else None
        if state is not None:
            state.categories = None
            tidy(player)

        def undo() -> None:  # refused: the node still skips them
            if before is not None:
                ensure_state(player).categories = before

        await _send(node, player, lambda s: api.clear_categories(s, player.guild_id), undo=undo)
