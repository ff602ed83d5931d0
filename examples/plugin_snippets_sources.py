"""The code of the source plugins' sections of ``docs/plugins.md`` (LavaSrc, LavaSearch,
youtube-source), which pulls it in by section.

Each section is a function that takes what it works on, so
``tests/examples/test_plugin_snippets_sources.py`` runs every one against the fakes, and
pyright checks them as strictly as the library. The ``# --8<--`` lines mark the sections.
"""

from __future__ import annotations

import hikari_lavalink as hl
from hikari_lavalink.protocol import search

__all__ = ["album_of", "more_like", "play_with_oauth", "suggest"]


# --8<-- [start:lavasrc]
async def album_of(lava: hl.LavalinkClient, query: str) -> str:
    """Search Spotify and say which album the best match is on (LavaSrc's pluginInfo)."""
    result = await lava.search(query, source="spotify")  # a node with LavaSrc's spotify
    if not result.tracks:
        return "Nothing found."
    track = result.tracks[0]
    extra = hl.LavaSrcTrackInfo.of(track)  # None for a track without LavaSrc's info
    if extra is None or extra.album_name is None:
        return f"{track.info.title}: no album known"
    return f"{track.info.title} is on {extra.album_name} ({extra.album_url})"


async def more_like(lava: hl.LavalinkClient, seed: hl.Track) -> list[hl.Track]:
    """LavaSrc's recommendations for a Spotify, Deezer (...) track: `sprec:`, `dzrec:`..."""
    result = await lava.search(search.recommendations(seed))
    return result.tracks


# --8<-- [end:lavasrc]


# --8<-- [start:lavasearch]
async def suggest(lava: hl.LavalinkClient, words: str) -> list[str]:
    """Albums and artists for an autocomplete, from LavaSearch's `/v4/loadsearch`."""
    found = await lava.load_search(words, types=["album", "artist"], source="spotify")
    if found is None:  # 204: no provider answers this prefix
        return []
    # Albums and artists come without tracks: their LavaSrc `url` loads them.
    return [p.info.name for p in (*found.albums, *found.artists)]


# --8<-- [end:lavasearch]


# --8<-- [start:youtube]
async def play_with_oauth(
    lava: hl.LavalinkClient, player: hl.Player, track: hl.Track, refresh_token: str
) -> None:
    """Play a YouTube track with a user's own OAuth access token (youtube-source)."""
    token = await lava.youtube_access_token(refresh_token)  # the token never shows in a repr
    await player.play(hl.with_oauth_token(track, token.access_token))


# --8<-- [end:youtube]
