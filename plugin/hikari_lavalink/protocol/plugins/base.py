"""What every plugin module shares: the plugins' names as `/v4/info` lists them."""

from __future__ import annotations

import enum

__all__ = ["PluginName"]


class PluginName(enum.StrEnum):
    """A plugin's name in `/v4/info` `plugins[].name` (its `lavalinkPlugin { name }`)."""

    LAVASRC = "lavasrc-plugin"
    LAVASEARCH = "lavasearch-plugin"
    LAVALYRICS = "lavalyrics-plugin"
    SPONSORBLOCK = "sponsorblock-plugin"
    YOUTUBE = "youtube-plugin"
