"""A player's plugin parts: `player.lyrics` (LavaLyrics) and `player.sponsorblock`.

Each is a view made on each read, over the player's plugin state
([`PlayerPlugins`][hikari_lavalink.runtime.plugin_state.PlayerPlugins]), which lives in the
player's side object only while the player asked something of a plugin: a player that never
did pays no byte for it.
"""

from __future__ import annotations

import typing

from hikari_lavalink._side import SideField
from hikari_lavalink.runtime._player_music import MusicParts
from hikari_lavalink.runtime._player_slots import DEFAULTS, Extras
from hikari_lavalink.runtime.plugin_views import PlayerLyrics, PlayerSponsorBlock

if typing.TYPE_CHECKING:
    from hikari_lavalink.runtime.plugin_state import PlayerPlugins

__all__ = ["PluginParts"]


class PluginParts(MusicParts):
    """The plugin attributes of [`Player`][hikari_lavalink.Player] (a base of it; no slots of
    its own)."""

    __slots__ = ()

    plugin_state: SideField[PlayerPlugins | None] = SideField(
        "_extras", Extras, DEFAULTS, field="plugins"
    )
    """What the player asked of the plugins, or `None` while nothing (internal)."""

    @property
    def lyrics(self) -> PlayerLyrics:
        """Its track's lyrics and its live lyrics, on its node's LavaLyrics
        ([`PlayerLyrics`][hikari_lavalink.PlayerLyrics])."""
        return PlayerLyrics(typing.cast("typing.Any", self))

    @property
    def sponsorblock(self) -> PlayerSponsorBlock:
        """Its SponsorBlock categories, on its node's SponsorBlock plugin
        ([`PlayerSponsorBlock`][hikari_lavalink.PlayerSponsorBlock])."""
        return PlayerSponsorBlock(typing.cast("typing.Any", self))
