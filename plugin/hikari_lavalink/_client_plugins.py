"""The source plugins' calls of [`LavalinkClient`][hikari_lavalink.LavalinkClient] (a base of it):
LavaSrc, LavaSearch and youtube-source.

Each call goes to a node that can serve it: one named with `node=`, checked, or the best
ready node that runs the plugin (and has the LavaSrc source a query's prefix needs). When
nodes are ready but none can, a [`UsageError`][hikari_lavalink.UsageError] says what is
missing where, before any request; when no node is ready at all, a
[`NoNodeAvailableError`][hikari_lavalink.NoNodeAvailableError].
"""

from __future__ import annotations

import typing

from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol import search as search_
from hikari_lavalink.protocol.plugins import lavasearch, lavasrc, youtube
from hikari_lavalink.protocol.plugins.base import PluginName

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.routes import Route
    from hikari_lavalink.runtime.node import Node
    from hikari_lavalink.runtime.pool import NodePool

__all__ = ["SourcePlugins"]

_YOUTUBE_SEARCH: typing.Final = (search_.PREFIXES["youtube"], search_.PREFIXES["youtube_music"])


class SourcePlugins:
    """LavaSrc, LavaSearch and youtube-source calls (the client's methods; no state)."""

    __slots__ = ()

    _pool: NodePool

    # -- node choice ---------------------------------------------------------------------

    def _plugin_node(
        self,
        feature: str,
        *,
        plugins: collections.abc.Sequence[str] = (),
        source: str | None = None,
        node: Node | None = None,
    ) -> Node:
        def missing(candidate: Node) -> list[str]:
            lacks = [f"the {p} plugin" for p in plugins if not candidate.has_plugin(p)]
            info = candidate.info
            if source is not None and (info is None or source not in info.source_managers):
                lacks.append(f"LavaSrc's {source!r} source")
            return lacks

        if node is not None:
            lacks = missing(node)
            if lacks:
                sources = ", ".join(node.info.source_managers) if node.info else "unknown"
                plugins_ = ", ".join(node.plugins) or "none"
                msg = (
                    f"{feature} needs {' and '.join(lacks)}, which node {node.name!r} does not "
                    f"have (its plugins: {plugins_}; its sources: {sources})"
                )
                raise UsageError(msg)
            return node
        nodes = self._pool.nodes.values()
        chosen = self._pool.choose(exclude={n.name for n in nodes if missing(n)})
        if chosen is not None:
            return chosen
        self._pool.best()  # no node ready at all: NoNodeAvailableError
        detail = "; ".join(f"{n.name!r} lacks {' and '.join(missing(n))}" for n in nodes)
        msg = f"{feature}: no ready node can serve it ({detail})"
        raise UsageError(msg)

    def _source_node(self, identifier: str, node: Node | None, *plugins: str) -> Node:
        source = search_.required_source(identifier)
        if source is not None:
            plugins = (PluginName.LAVASRC, *plugins)
        elif identifier.startswith(_YOUTUBE_SEARCH) and PluginName.LAVASEARCH in plugins:
            plugins = (PluginName.LAVASRC, *plugins)  # LavaSrc's YouTube search manager
        if not plugins:
            return node if node is not None else self._pool.best()
        prefix = identifier.split(":", 1)[0] + ":"
        return self._plugin_node(f"{prefix!r}", plugins=plugins, source=source, node=node)

    # -- LavaSearch ----------------------------------------------------------------------

    async def load_search(
        self,
        query: str,
        *,
        types: collections.abc.Iterable[lavasearch.SearchType] | None = None,
        source: search_.SearchSource = "spotify",
        node: Node | None = None,
    ) -> lavasearch.LavaSearchResult | None:
        """Search with LavaSearch (`/v4/loadsearch`): tracks, albums, artists, playlists and
        texts, on a node with LavaSearch (and LavaSrc with the source).

        Parameters
        ----------
        query
            Search words (`source`'s search prefix is added) or a prefixed query.
        types
            The kinds of results wanted (`"track"`, `"album"`, `"artist"`, `"playlist"`,
            `"text"`); by default what the provider gives.
        source
            Where to search words: LavaSrc's `spotify`, `apple_music`, `deezer`,
            `yandex_music`, `vk_music`; `youtube` (texts only) and `youtube_music` need
            youtube-source beside LavaSrc.
        node
            The node to ask (checked); by default the best one that can.

        Returns
        -------
        LavaSearchResult | None
            The results (empty lists when nothing was found); `None` when no provider
            answered the prefix (204).

        Raises
        ------
        UsageError
            The query is blank, a type unknown, or no ready node (not `node`) has what the
            search needs.
        RestError
            400, or 500 (no provider registered, or one failed: a token expired...).
        RemoteProtocolError
            The answer does not fit.
        """
        identifier = search_.identifier(query, source)
        route = lavasearch.load_search(identifier, types)
        chosen = self._source_node(identifier, node, PluginName.LAVASEARCH)
        return await chosen.request(route)

    # -- LavaSrc -------------------------------------------------------------------------

    async def update_lavasrc_config(
        self, config: lavasrc.LavaSrcConfig, *, node: Node | None = None
    ) -> list[Node]:
        """Send new LavaSrc credentials (`PATCH /v4/lavasrc/config`, in the server's memory
        only): to `node`, or to every ready node that runs LavaSrc, one after the other.
        Returns the nodes updated.

        Raises
        ------
        UsageError
            `node` (or every ready node) lacks LavaSrc.
        RestError
            A node refused it (500 for a `ytdlp` section without `searchLimit`, which
            [`YtdlpConfig`][hikari_lavalink.protocol.plugins.lavasrc.YtdlpConfig] prevents);
            the nodes before it were updated.
        """
        return await self._each(
            PluginName.LAVASRC, "LavaSrc's config", lavasrc.update_config(config), node
        )

    # -- youtube-source ------------------------------------------------------------------

    async def youtube_config(self, *, node: Node | None = None) -> youtube.YoutubeConfig:
        """youtube-source's refresh token (`GET /youtube`), on `node` or the best node with
        the plugin.

        Raises
        ------
        RestError
            400 (or 500): the YouTube source is not registered on the node.
        """
        chosen = self._plugin_node(
            "youtube-source's config", plugins=(PluginName.YOUTUBE,), node=node
        )
        return await chosen.request(youtube.get_config())

    async def update_youtube_config(
        self, update: youtube.YoutubeConfigUpdate, *, node: Node | None = None
    ) -> list[Node]:
        """Set youtube-source's refresh token, poToken and visitorData (`POST /youtube`) on
        `node`, or on every ready node with the plugin; returns the nodes updated.

        Raises
        ------
        RestError
            400 (or 500): the source is not registered; 500: Google refused the
            refresh token. The nodes before it were updated.
        """
        route = youtube.update_config(update)
        return await self._each(PluginName.YOUTUBE, "youtube-source's config", route, node)

    async def youtube_access_token(
        self, refresh_token: str, *, node: Node | None = None
    ) -> youtube.YoutubeAccessToken:
        """A new OAuth access token for `refresh_token`
        (`GET /youtube/oauth/{refreshToken}`), for
        [`with_oauth_token`][hikari_lavalink.protocol.plugins.youtube.with_oauth_token].

        Raises
        ------
        RestError
            400 (or 500): the source is not registered; 500: the refresh failed.
        """
        route = youtube.oauth_token(refresh_token)
        chosen = self._plugin_node(
            "an OAuth access token", plugins=(PluginName.YOUTUBE,), node=node
        )
        return await chosen.request(route)

    async def _each(
        self, plugin: str, feature: str, route: Route[None], node: Node | None
    ) -> list[Node]:
        if node is not None:
            targets = [self._plugin_node(feature, plugins=(plugin,), node=node)]
        else:
            targets = [n for n in self._pool.nodes.values() if n.is_ready and n.has_plugin(plugin)]
            if not targets:
                targets = [self._plugin_node(feature, plugins=(plugin,))]  # raises
        for target in targets:
            await target.request(route)
        return targets
