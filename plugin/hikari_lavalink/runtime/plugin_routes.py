"""Which routes a node's server speaks for lyrics and SponsorBlock: the one place that asks.

Every lyrics and SponsorBlock call of the library gets its routes from
[`lyrics_routes`][hikari_lavalink.runtime.plugin_routes.lyrics_routes] or
[`sponsorblock_routes`][hikari_lavalink.runtime.plugin_routes.sponsorblock_routes], given the
node: on a Lavalink server they are the plugins' (their modules in
[`hikari_lavalink.protocol.plugins`][hikari_lavalink.protocol.plugins] satisfy the protocols
below), after a check that the node runs the plugin (a
[`UsageError`][hikari_lavalink.UsageError] before any request). NodeLink has both built in
and speaks them its own way (`/v4/loadlyrics`, LavaLyrics' subscribe paths, its own
`.../sponsorblock` state kept on the player): on `node.is_nodelink` they are its modules'
([`nodelink_lyrics`][hikari_lavalink.protocol.plugins.nodelink_lyrics],
[`nodelink_sponsorblock`][hikari_lavalink.protocol.plugins.nodelink_sponsorblock]), with the
same functions.
"""

from __future__ import annotations

import typing

from hikari_lavalink.errors import (
    FeatureNotSupportedError,
    NoTrackPlayingError,
    PlayerNotFoundError,
    RestError,
)
from hikari_lavalink.protocol import models, routes
from hikari_lavalink.protocol.plugins import (
    PluginName,
    lavalyrics,
    nodelink_lyrics,
    nodelink_sponsorblock,
    sponsorblock,
)

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.plugins.sponsorblock import Segment
    from hikari_lavalink.runtime.node import Node

__all__ = [
    "LIVE_LYRICS",
    "LyricsRoutes",
    "SponsorBlockRoutes",
    "current_lyrics",
    "lyrics_plugin",
    "lyrics_routes",
    "sponsorblock_plugin",
    "sponsorblock_routes",
    "state_on_player",
    "typed_error",
]


LIVE_LYRICS: typing.Final = "live lyrics"
"""The feature name of the live-lyrics calls (in errors)."""


class LyricsRoutes(typing.Protocol):
    """The lyrics calls, as a server kind spells them (see
    [`lavalyrics`][hikari_lavalink.protocol.plugins.lavalyrics])."""

    def track_lyrics(
        self, encoded: str, *, skip_track_source: bool = False
    ) -> routes.Route[lavalyrics.Lyrics | None]: ...

    def current_lyrics(
        self, session_id: str, guild_id: int, *, skip_track_source: bool = False
    ) -> routes.Route[lavalyrics.Lyrics | None]: ...

    def subscribe(
        self, session_id: str, guild_id: int, *, skip_track_source: bool = False
    ) -> routes.Route[None]: ...

    def unsubscribe(self, session_id: str, guild_id: int) -> routes.Route[None]: ...


class SponsorBlockRoutes(typing.Protocol):
    """The SponsorBlock calls, as a server kind spells them (see
    [`sponsorblock`][hikari_lavalink.protocol.plugins.sponsorblock])."""

    def get_categories(self, session_id: str, guild_id: int) -> routes.Route[list[str]]: ...

    def set_categories(
        self, session_id: str, guild_id: int, categories: collections.abc.Iterable[str]
    ) -> routes.Route[None]: ...

    def clear_categories(self, session_id: str, guild_id: int) -> routes.Route[None]: ...

    def carry_segments(
        self, session_id: str, guild_id: int, segments: collections.abc.Iterable[Segment]
    ) -> routes.Route[None] | None: ...


def lyrics_plugin(node: Node) -> str:
    """The plugin a node needs for lyrics (the name node selection filters on: a NodeLink
    node provides it, built in; see
    [`Node.provides`][hikari_lavalink.runtime.node.Node.provides])."""
    return PluginName.LAVALYRICS


def sponsorblock_plugin(node: Node) -> str:
    """The plugin a node needs for SponsorBlock (NodeLink provides it, built in)."""
    return PluginName.SPONSORBLOCK


def state_on_player(node: Node) -> bool:
    """Whether `node` keeps what a player asked of lyrics and SponsorBlock on the player
    (NodeLink: told once the player exists, kept through resumes, gone with the player),
    not per session apart from it (the plugins: forgotten at each resume, SponsorBlock's
    told before a track starts, a subscription kept past its player)."""
    return node.is_nodelink


def lyrics_routes(node: Node, feature: str = "lyrics") -> LyricsRoutes:
    """The lyrics routes of `node`'s server.

    Raises
    ------
    UsageError
        The node does not run LavaLyrics (nothing was sent). A NodeLink node has lyrics
        built in.
    """
    if node.is_nodelink:
        return nodelink_lyrics  # /v4/loadlyrics; live lyrics on LavaLyrics' paths
    node.require_plugin(lyrics_plugin(node), feature)
    return lavalyrics


def sponsorblock_routes(node: Node, feature: str = "SponsorBlock") -> SponsorBlockRoutes:
    """The SponsorBlock routes of `node`'s server.

    Raises
    ------
    UsageError
        The node does not run the SponsorBlock plugin (nothing was sent). A NodeLink node
        has SponsorBlock built in.
    """
    if node.is_nodelink:
        return nodelink_sponsorblock  # its .../sponsorblock state, on the player
    node.require_plugin(sponsorblock_plugin(node), feature)
    return sponsorblock


def current_lyrics(
    node: Node, session_id: str, guild_id: int, playing: str | None, *, skip_track_source: bool
) -> routes.Route[lavalyrics.Lyrics | None]:
    """The route for the lyrics of the track a player plays: LavaLyrics' own; on NodeLink,
    which has none, the lyrics of `playing` (the track the client knows it plays).

    Raises
    ------
    NoTrackPlayingError
        On NodeLink, nothing plays (nothing was sent).
    UsageError
        The node does not run LavaLyrics (nothing was sent).
    """
    api = lyrics_routes(node, "lyrics")
    if not node.is_nodelink:
        return api.current_lyrics(session_id, guild_id, skip_track_source=skip_track_source)
    if playing is None:
        path = routes.player_path(session_id, guild_id)
        body = models.ErrorBody(status=404, error="Not Found", message="No track playing")
        raise NoTrackPlayingError(404, body, path, "GET")
    return api.track_lyrics(playing, skip_track_source=skip_track_source)


_NODELINK_NO_PLAYER: typing.Final = "Player not found locally."
"""NodeLink's message for a player route without the player (404, or 500 for lyrics)."""


def typed_error(exc: RestError, feature: str | None = None) -> RestError:
    """The error a plugin's route means by `exc` (a 404's message, a route it lacks)."""
    if type(exc) is not RestError:
        return exc  # typed already (SessionNotFoundError)
    message = exc.body.message if exc.body is not None else None
    if (exc.status == 404 and message == "Player not found") or message == _NODELINK_NO_PLAYER:
        return PlayerNotFoundError(exc.status, exc.body, exc.path, exc.method)
    if exc.status == 404 and message == "No track playing":
        return NoTrackPlayingError(exc.status, exc.body, exc.path, exc.method)
    if feature is not None and exc.status in (404, 405):
        return FeatureNotSupportedError(exc, feature)
    return exc
