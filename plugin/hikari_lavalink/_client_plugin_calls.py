"""The plugin calls of [`LavalinkClient`][hikari_lavalink.LavalinkClient] that need no player
(a base of it): each on a node that runs the plugin.

A player's own plugin calls are on the player:
[`player.lyrics`][hikari_lavalink.runtime.plugin_views.PlayerLyrics] and
[`player.sponsorblock`][hikari_lavalink.runtime.plugin_views.PlayerSponsorBlock].
"""

from __future__ import annotations

import typing

from hikari_lavalink.errors import NoNodeAvailableError, UsageError
from hikari_lavalink.protocol.plugins import PluginName, nodelink_sponsorblock
from hikari_lavalink.runtime.plugin_routes import lyrics_routes

if typing.TYPE_CHECKING:
    from hikari_lavalink.protocol.models import Track
    from hikari_lavalink.protocol.plugins.lavalyrics import Lyrics
    from hikari_lavalink.protocol.plugins.sponsorblock import Chapter
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.pool import NodePool

__all__ = ["PluginCalls"]


class PluginCalls:
    """The client's plugin calls (no state of their own)."""

    __slots__ = ()

    _pool: NodePool

    def _lyrics_node(self, plugin: str) -> Node:
        # The best ready node that runs `plugin`; with none, the best ready node (whose
        # plugin check then says what is missing), or NoNodeAvailableError.
        try:
            return self._pool.best(plugin=plugin)
        except NoNodeAvailableError:
            return self._pool.best()

    async def fetch_lyrics(
        self, track: Track | str, *, skip_track_source: bool = False, node: Node | None = None
    ) -> Lyrics | None:
        """The lyrics of `track` (a [`Track`][hikari_lavalink.Track] or its encoded string),
        `None` when none were found, from the best node that runs LavaLyrics (or `node`).

        Lyrics whose `lines` are `None` are untimed (`text` only). `skip_track_source`: do
        not ask the track's own source (a Deezer track's Deezer lyrics) first.

        Raises
        ------
        UsageError
            No ready node (or not `node`) runs LavaLyrics: nothing was sent.
        NoNodeAvailableError
            No node is ready.
        RestError
            The server could not decode the track (500), say.
        """
        target = node if node is not None else self._lyrics_node(PluginName.LAVALYRICS)
        encoded = track if isinstance(track, str) else track.encoded
        route = lyrics_routes(target).track_lyrics(encoded, skip_track_source=skip_track_source)
        return await target.request(route)

    async def fetch_chapters(
        self, track: Track | str, *, node: Node | None = None
    ) -> list[Chapter]:
        """The chapters of `track` (a [`Track`][hikari_lavalink.Track] or its encoded
        string; `[]` for a track that is not YouTube's, or has none), from NodeLink's
        `/v4/loadchapters` on the best NodeLink node (or `node`).

        A Lavalink server has no such route: its SponsorBlock plugin sends a
        `ChaptersLoadedEvent` when a YouTube track starts on a player with categories.

        Raises
        ------
        UsageError
            No ready node (or not `node`) is NodeLink: nothing was sent.
        NoNodeAvailableError
            No node is ready.
        RestError
            The server could not decode the track (500), say.
        """
        target = node
        if target is None:
            pool = self._pool
            others = {name for name, n in pool.nodes.items() if not n.is_nodelink}
            target = pool.choose(exclude=others)
            if target is None:
                pool.best()  # none ready at all: NoNodeAvailableError
        if target is None or not target.is_nodelink:
            where = f"node {target.name!r} is" if target is not None else "no ready node is"
            msg = (
                f"a track's chapters come from NodeLink's /v4/loadchapters, and {where} not "
                "NodeLink; on Lavalink, the SponsorBlock plugin sends ChaptersLoadedEvent"
            )
            raise UsageError(msg)
        encoded = track if isinstance(track, str) else track.encoded
        return await target.request(nodelink_sponsorblock.load_chapters(encoded))
