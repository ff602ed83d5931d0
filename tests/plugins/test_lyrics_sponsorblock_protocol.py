"""LavaLyrics and SponsorBlock, sans IO: every `lavalyrics-*` and `sponsorblock-*` vector
decodes to its typed model; the routes are what the plugins serve; bad input is a typed
error, and what the plugins may send beyond their own README (NodeLink's `words`, a string
`duration`, a category no enum names) still decodes."""

from __future__ import annotations

import doctest
import json
import typing

import msgspec
import pytest
from tests.conftest import PLUGIN_VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, routes
from hikari_lavalink.protocol.plugins import lavalyrics, sponsorblock
from hikari_lavalink.runtime import plugin_routes

GUILD = 817327181659111454
LYRICS_VECTORS = sorted(p.name for p in PLUGIN_VECTORS.glob("lavalyrics-*.json"))
SPONSORBLOCK_VECTORS = sorted(p.name for p in PLUGIN_VECTORS.glob("sponsorblock-*.json"))


def vector(name: str) -> bytes:
    return (PLUGIN_VECTORS / name).read_bytes()


def test_there_are_vectors_of_both_plugins() -> None:
    assert len(LYRICS_VECTORS) == 7
    assert len(SPONSORBLOCK_VECTORS) == 5


@pytest.mark.parametrize("name", LYRICS_VECTORS + SPONSORBLOCK_VECTORS)
def test_every_vector_decodes_to_its_model(name: str) -> None:
    data = vector(name)
    raw = json.loads(data)
    if "-event-" in name:
        message = codec.decode_message(data)
        assert isinstance(message, hl.PluginEventMessage)
        kind = name.rpartition("-event-")[2].removesuffix(".json").removesuffix("-skipped")
        assert type(message).__struct_config__.tag == kind
        assert message.guild_id == GUILD
        # What the message holds is the vector, field for field (msgspec's names).
        again = msgspec.json.decode(msgspec.json.encode(message))
        for key, value in raw.items():
            if key not in ("op", "type", "guildId"):
                assert again[key] == value
    elif name.startswith("lavalyrics-lyrics"):
        lyrics = lavalyrics.track_lyrics("x").parse(data)
        assert isinstance(lyrics, hl.Lyrics)
        assert msgspec.json.decode(msgspec.json.encode(lyrics)) == raw
    else:
        assert sponsorblock.get_categories("s", GUILD).parse(data) == raw


def test_the_lyrics_vectors_say_what_the_reference_says() -> None:
    readme = lavalyrics.track_lyrics("x").parse(vector("lavalyrics-lyrics.json"))
    assert readme is not None
    assert readme.timed
    assert readme.text is None  # Spotify sends lines only
    assert [line.duration for line in readme.lines or ()] == [None, None]
    assert readme.plain == "Took a walk to the water at night\n"
    untimed = lavalyrics.track_lyrics("x").parse(vector("lavalyrics-lyrics-text-only.json"))
    assert untimed is not None
    assert (untimed.lines, untimed.timed) == (None, False)
    assert untimed.plain.startswith("First line")
    timed = lavalyrics.track_lyrics("x").parse(vector("lavalyrics-lyrics-timed-with-duration.json"))
    assert timed is not None
    assert [line.duration for line in timed.lines or ()] == [4210, 5120]
    skipped = codec.decode_message(vector("lavalyrics-event-LyricsLineEvent-skipped.json"))
    assert isinstance(skipped, hl.LyricsLineMessage)
    assert (skipped.line_index, skipped.skipped) == (7, True)


def test_the_sponsorblock_vectors_say_what_the_reference_says() -> None:
    loaded = codec.decode_message(vector("sponsorblock-event-ChaptersLoaded.json"))
    assert isinstance(loaded, hl.ChaptersLoadedMessage)
    assert [(c.name, c.duration) for c in loaded.chapters] == [
        ("Intro", 23000),
        ("Main part", 44000),
        ("Outro", 12000),
    ]
    segments = codec.decode_message(vector("sponsorblock-event-SegmentsLoaded.json"))
    assert isinstance(segments, hl.SegmentsLoadedMessage)
    assert [s.category for s in segments.segments] == [
        hl.SponsorBlockCategory.INTRO,
        hl.SponsorBlockCategory.SPONSOR,
    ]


@pytest.mark.parametrize(
    "name", ["nodelink-event-LyricsFoundEvent.json", "nodelink-event-LyricsLineEvent.json"]
)
def test_nodelinks_lyrics_events_decode_with_their_extra_words(name: str) -> None:
    message = codec.decode_message(vector(name))
    assert isinstance(message, hl.LyricsFoundMessage | hl.LyricsLineMessage)


def test_what_the_readmes_do_not_promise_still_decodes() -> None:
    # The README's chapter duration is a string; a category no enum names is a str.
    frame = (
        b'{"type":"ChapterStarted","op":"event","guildId":"5",'
        b'"chapter":{"name":"A","start":0,"end":10,"duration":"10"}}'
    )
    message = codec.decode_message(frame)
    assert isinstance(message, hl.ChapterStartedMessage)
    assert message.chapter.duration == 10
    frame = (
        b'{"type":"SegmentSkipped","op":"event","guildId":"5",'
        b'"segment":{"category":"exclusive_access","start":1,"end":2}}'
    )
    skipped = codec.decode_message(frame)
    assert isinstance(skipped, hl.SegmentSkippedMessage)
    assert skipped.segment.category == "exclusive_access"
    assert "exclusive_access" not in set(hl.SponsorBlockCategory)
    assert len(hl.SponsorBlockCategory) == 8


@pytest.mark.parametrize(
    "frame",
    [
        b'{"op":"event","type":"LyricsFoundEvent","guildId":"5"}',
        b'{"op":"event","type":"LyricsFoundEvent","guildId":"5","lyrics":{"lines":[]}}',
        b'{"op":"event","type":"LyricsLineEvent","guildId":"5","lineIndex":"first"}',
        b'{"type":"SegmentsLoaded","op":"event","guildId":"5","segments":[{"start":1}]}',
        b'{"type":"ChapterStarted","op":"event","guildId":"5","chapter":{"name":"A"}}',
    ],
)
def test_a_malformed_plugin_event_is_a_protocol_error(frame: bytes) -> None:
    with pytest.raises(hl.RemoteProtocolError, match="invalid"):
        codec.decode_message(frame)


@pytest.mark.parametrize(
    "body", [b"{", b'{"provider":"x"}', b'{"sourceName":"a","lines":[{"line":"no time"}]}', b"[]"]
)
def test_a_malformed_lyrics_body_is_a_protocol_error(body: bytes) -> None:
    with pytest.raises(hl.RemoteProtocolError, match="invalid lyrics"):
        lavalyrics.track_lyrics("x").parse(body)


def test_a_malformed_categories_body_is_a_protocol_error() -> None:
    with pytest.raises(hl.RemoteProtocolError, match="invalid SponsorBlock categories"):
        sponsorblock.get_categories("s", 1).parse(b'{"sponsor": true}')


def test_the_routes_are_the_plugins() -> None:
    route = lavalyrics.track_lyrics("QAAA+/=", skip_track_source=True)
    assert (route.method, route.url) == (
        "GET",
        "/v4/lyrics?track=QAAA%2B%2F%3D&skipTrackSource=true",
    )
    assert route.parse(b"") is None  # 204
    route = lavalyrics.current_lyrics("s1", 42)
    assert route.url == "/v4/sessions/s1/players/42/track/lyrics?skipTrackSource=false"
    route = lavalyrics.subscribe("s1", 42, skip_track_source=True)
    assert (route.method, route.url) == (
        "POST",
        "/v4/sessions/s1/players/42/lyrics/subscribe?skipTrackSource=true",
    )
    assert route.parse(b"") is None
    route = lavalyrics.unsubscribe("s1", 42)
    assert (route.method, route.url) == ("DELETE", "/v4/sessions/s1/players/42/lyrics/subscribe")
    route = sponsorblock.set_categories("s1", 42, ["sponsor", hl.SponsorBlockCategory.FILLER])
    assert (route.method, route.path, route.body) == (
        "PUT",
        "/v4/sessions/s1/players/42/sponsorblock/categories",
        b'["sponsor","filler"]',
    )
    assert route.parse(b"") is None  # a void handler's 200
    assert sponsorblock.clear_categories("s1", 42).method == "DELETE"
    with pytest.raises(hl.UsageError):
        lavalyrics.subscribe("", 42)
    with pytest.raises(hl.UsageError):
        sponsorblock.get_categories("s1", 0)


def test_the_modules_examples_hold() -> None:
    for module in (lavalyrics, sponsorblock):
        result = doctest.testmod(module)
        assert (result.failed, result.attempted > 0) == (0, True)


def test_every_plugin_event_type_is_registered_and_has_a_hikari_event() -> None:
    from hikari_lavalink.bridge.dispatch import PLUGIN_EVENTS

    registered = codec.plugin_event_types()
    for message in (
        hl.LyricsFoundMessage,
        hl.LyricsNotFoundMessage,
        hl.LyricsLineMessage,
        hl.SegmentsLoadedMessage,
        hl.SegmentSkippedMessage,
        hl.ChaptersLoadedMessage,
        hl.ChapterStartedMessage,
    ):
        tag = typing.cast("str", message.__struct_config__.tag)
        assert registered[tag] is message
        event_type, fields = PLUGIN_EVENTS[message]
        assert event_type.__name__ == tag.removesuffix("Event") + "Event"
        assert set(fields) <= set(message.__struct_fields__)


def _error(status: int, message: str | None, method: str = "POST") -> hl.RestError:
    body = None
    if message is not None:
        body = hl.ErrorBody(timestamp=0, status=status, error="x", message=message, path="/p")
    return hl.RestError(status, body, "/p", method)


def test_a_plugins_404_says_what_it_means() -> None:
    typed = plugin_routes.typed_error
    assert isinstance(typed(_error(404, "Player not found")), hl.PlayerNotFoundError)
    assert isinstance(typed(_error(404, "No track playing")), hl.NoTrackPlayingError)
    missing = typed(_error(404, "No static resource v4/x."), "live lyrics")
    assert isinstance(missing, hl.FeatureNotSupportedError)
    assert missing.feature == "live lyrics"
    assert missing.status == 404
    assert "does not support live lyrics" in str(missing)
    assert isinstance(typed(_error(405, None), "live lyrics"), hl.FeatureNotSupportedError)
    other = _error(500, "boom")
    assert typed(other, "live lyrics") is other
    gone = hl.SessionNotFoundError(404, None, "/p", "POST")
    assert typed(gone, "live lyrics") is gone


def test_route_choice_checks_the_plugin_first() -> None:
    from hikari_lavalink.testing import MemoryServer

    node = hl.Node(name="n", transport=MemoryServer().transport, user_id=1)
    with pytest.raises(hl.UsageError, match=r"lavalyrics-plugin.*'n'"):
        plugin_routes.lyrics_routes(node, "live lyrics")
    with pytest.raises(hl.UsageError, match="sponsorblock-plugin"):
        plugin_routes.sponsorblock_routes(node)
    node.info = codec.decode_info(vector("rest-info-with-plugins.json"))
    assert plugin_routes.lyrics_routes(node) is lavalyrics
    assert plugin_routes.sponsorblock_routes(node) is sponsorblock
    assert routes.player_path("s", 1) == "/v4/sessions/s/players/1"
