"""Which routes a node's server speaks for lyrics and SponsorBlock: the one place that asks.

Every lyrics and SponsorBlock call of the library gets its routes from
[`lyrics_routes`][hikari_lavalink.runtime.plugin_routes.lyrics_routes] or
[`sponsorblock_routes`][hikari_lavalink.runtime.plugin_routes.sponsorblock_routes], given the
node: on a Lavalink server they are the plugins' (their modules in
[`hikari_lavalink.protocol.plugins`][hikari_lavalink.protocol.plugins] satisfy the protocols
below), after a check that the node runs the plugin (a
[`UsageError`][hikari_lavalink.UsageError] before any request). A server that speaks another
dialect (NodeLink: `/v4/loadlyrics`, its own `.../sponsorblock`) is one more branch here, on
`node.is_nodelink`, returning a module with the same functions.
"""

from __future__ import annotations

import typing

from hikari_lavalink.errors import (
    FeatureNotSupportedError,
    NoTrackPlayingError,
    PlayerNotFoundError,
    RestError,
    UsageError,
)
from hikari_lavalink.protocol.plugins import (
    PluginName,
    lavalyrics,
    nodelink_lyrics,
    sponsorblock,
)

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol import routes
    from hikari_lavalink.runtime.node import Node

__all__ = [
    "LIVE_LYRICS",
    "LyricsRoutes",
    "SponsorBlockRoutes",
    "lyrics_plugin",
    "lyrics_routes",
    "sponsorblock_plugin",
    "sponsorblock_routes",
    "typed_error",
]


LIVE_LYRICS: typing.Final = "live lyrics"
"""The feature name of the live-lyrics calls (in errors, and where NodeLink is refused)."""


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


def lyrics_plugin(node: Node) -> str:
    """The plugin a node needs for lyrics (the name node selection filters on)."""
    # NodeLink has lyrics built in: the branch for it goes here (and in lyrics_routes).
    return PluginName.LAVALYRICS


def sponsorblock_plugin(node: Node) -> str:
    """The plugin a node needs for SponsorBlock."""
    return PluginName.SPONSORBLOCK


def lyrics_routes(node: Node, feature: str = "lyrics") -> LyricsRoutes:
    """The lyrics routes of `node`'s server.

    Raises
    ------
    UsageError
        The node does not run LavaLyrics (nothing was sent). A NodeLink node has lyrics
        built in (its `/v4/loadlyrics`): only a track's lyrics are fetched there.
    """
    if node.is_nodelink:
        if feature == LIVE_LYRICS:  # refused before the caller keeps anything
            _not_on_nodelink(node, feature, "live lyrics (LavaLyrics' paths, its own events)")
        return nodelink_lyrics  # built in: /v4/loadlyrics (its other lyrics calls raise)
    node.require_plugin(lyrics_plugin(node), feature)
    return lavalyrics


def sponsorblock_routes(node: Node, feature: str = "SponsorBlock") -> SponsorBlockRoutes:
    """The SponsorBlock routes of `node`'s server.

    Raises
    ------
    UsageError
        The node does not run the SponsorBlock plugin (nothing was sent).
    """
    # NodeLink: `if node.is_nodelink: return nodelink_sponsorblock` (its PATCH/GET
    # .../sponsorblock state, categories in and out), in place of _not_on_nodelink.
    _not_on_nodelink(node, feature, "SponsorBlock (.../sponsorblock, a state object)")
    node.require_plugin(sponsorblock_plugin(node), feature)
    return sponsorblock


def _not_on_nodelink(node: Node, feature: str, api: str) -> None:
    # NodeLink answers the plugins' paths with other shapes (a SponsorBlock GET of the
    # categories gets its state object, a PUT 405): refused before any request.
    if node.is_nodelink:
        raise UsageError(
            f"{feature} is not supported on NodeLink (node {node.name!r}): NodeLink has its own "
            f"{api} API, which this client does not speak yet; use a Lavalink node that runs "
            "the plugin (best_node(plugin=...) chooses one)"
        )


def typed_error(exc: RestError, feature: str | None = None) -> RestError:
    """The error a plugin's route means by `exc` (a 404's message, a route it lacks)."""
    if type(exc) is not RestError:
        return exc  # typed already (SessionNotFoundError)
    message = exc.body.message if exc.body is not None else None
    if exc.status == 404 and message == "Player not found":
        return PlayerNotFoundError(exc.status, exc.body, exc.path, exc.method)
    if exc.status == 404 and message == "No track playing":
        return NoTrackPlayingError(exc.status, exc.body, exc.path, exc.method)
    if feature is not None and exc.status in (404, 405):
        return FeatureNotSupportedError(exc, feature)
    return exc
