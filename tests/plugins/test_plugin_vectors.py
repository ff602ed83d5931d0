"""The copies in tests/plugin_vectors are the shared plugin vectors, byte for byte, and the
library reads every one of them."""

from __future__ import annotations

import json
import typing

import msgspec
import pytest
from tests.conftest import PLUGIN_VECTORS, SHARED_PLUGIN_VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, messages, routes
from hikari_lavalink.protocol.plugins import (
    lavalyrics,
    lavasearch,
    nodelink,
    nodelink_lyrics,
    nodelink_sponsorblock,
    sponsorblock,
    youtube,
)

if typing.TYPE_CHECKING:
    import collections.abc


@pytest.mark.skipif(
    not SHARED_PLUGIN_VECTORS.is_dir(), reason="../shared/lavalink-plugin-vectors not present"
)
def test_the_copies_are_the_shared_vectors() -> None:
    shared = {path.name: path.read_bytes() for path in SHARED_PLUGIN_VECTORS.iterdir()}
    ours = {path.name: path.read_bytes() for path in PLUGIN_VECTORS.iterdir()}
    assert ours == shared


def _route_parser(route: routes.Route[object]) -> collections.abc.Callable[[bytes], object]:
    return lambda body: routes.parse_response(route, 200, body)


_S, _G = "s1", 817327181659111454
DECODERS: dict[str, collections.abc.Callable[[bytes], object]] = {
    # file name prefix -> the library's reader of it (the requests: as the servers read them)
    "lavalyrics-event-": codec.decode_message,
    "lavalyrics-lyrics": _route_parser(lavalyrics.track_lyrics("QAAA")),
    "lavasearch-loadsearch": _route_parser(lavasearch.load_search("spsearch:x")),
    "lavasrc-config-patch-request": lambda body: msgspec.json.decode(body, type=hl.LavaSrcConfig),
    "lavasrc-loadtracks-": codec.decode_load_result,
    "lavasrc-track-": codec.decode_track,
    "nodelink-connection": _route_parser(nodelink.connection()),
    "nodelink-event-": codec.decode_message,
    "nodelink-info": codec.decode_info,
    "nodelink-loadchapters": _route_parser(nodelink_sponsorblock.load_chapters("QAAA")),
    "nodelink-loadlyrics-": _route_parser(nodelink_lyrics.track_lyrics("QAAA")),
    "nodelink-player": _route_parser(routes.get_player(_S, _G, nodelink=True)),
    "nodelink-sponsorblock-patch-request": msgspec.json.decode,  # = the client's PATCH (below)
    "nodelink-sponsorblock-state": _route_parser(nodelink_sponsorblock.get_state(_S, _G)),
    "rest-info-with-plugins": codec.decode_info,
    "rest-update-player-request-": codec.decode_update_player,
    "sponsorblock-categories": _route_parser(sponsorblock.get_categories(_S, _G)),
    "sponsorblock-event-": codec.decode_message,
    "youtube-config-request": lambda body: msgspec.json.decode(body, type=hl.YoutubeConfigUpdate),
    "youtube-config-response": _route_parser(youtube.get_config()),
    "youtube-oauth-response": _route_parser(youtube.oauth_token("refresh")),
    "youtube-update-player-request-": codec.decode_update_player,
}


@pytest.mark.parametrize("name", sorted(p.name for p in PLUGIN_VECTORS.glob("*.json")))
def test_every_vector_is_read_by_the_library(name: str) -> None:
    # One reader per file (its meaning is checked by the plugin's own tests).
    readers = [reader for prefix, reader in DECODERS.items() if name.startswith(prefix)]
    assert len(readers) == 1, name
    decoded = readers[0]((PLUGIN_VECTORS / name).read_bytes())
    assert (decoded is None) is name.endswith("-empty.json")  # NodeLink's "none found"
    assert not isinstance(decoded, messages.UnknownMessage), name


def test_nodelinks_own_vectors_read_as_their_models() -> None:
    state = routes.parse_response(
        nodelink_sponsorblock.get_state(_S, _G),
        200,
        (PLUGIN_VECTORS / "nodelink-sponsorblock-state.json").read_bytes(),
    )
    assert (state.enabled, state.action_types, state.skip_margin_ms) == (True, ["skip"], 150)
    assert len(state.categories) == 8
    (segment,) = state.segments
    assert (segment.category, segment.start, segment.end) == ("sponsor", 61_250, 95_430)
    assert (segment.action_type, segment.votes, segment.video_duration) == ("skip", 12, 212.0)
    assert state.last_skipped_uuid is None
    # The client's PATCH is the vector's request.
    request = json.loads((PLUGIN_VECTORS / "nodelink-sponsorblock-patch-request.json").read_bytes())
    route = nodelink_sponsorblock.set_categories(_S, _G, ["sponsor", "selfpromo"])
    assert route.body is not None
    assert json.loads(route.body) == request
    chapters = routes.parse_response(
        nodelink_sponsorblock.load_chapters("QAAA"),
        200,
        (PLUGIN_VECTORS / "nodelink-loadchapters.json").read_bytes(),
    )
    assert [(c.name, c.start, c.end, c.duration) for c in chapters] == [
        ("An intro to video chapters", 0, 23_000, 23_000),
        ("How to set up video chapters", 23_000, 67_000, 44_000),
        ("See video chapters in action", 67_000, 79_000, 12_000),
    ]
    status = routes.parse_response(
        nodelink.connection(), 200, (PLUGIN_VECTORS / "nodelink-connection.json").read_bytes()
    )
    assert status.status == "good"
    assert status.metrics is not None
    assert (status.metrics.downloaded_bytes, status.metrics.speed.mbps) == (10_485_760, 180.59)


@pytest.mark.parametrize(
    "name",
    [
        "rest-update-player-request-track-userData-endTime.json",
        "rest-update-player-request-userData-only.json",
        "rest-update-player-request-voice-dave.json",
    ],
)
def test_the_player_update_requests_round_trip(name: str) -> None:
    raw = (PLUGIN_VECTORS / name).read_bytes()
    update = codec.decode_update_player(raw)
    assert json.loads(codec.encode(update)) == json.loads(raw)
