"""LavaSrc and LavaSearch end to end, on a real hikari.GatewayBot against FakeDiscord and
FakeLavalink: searches and recommendations go to a node with LavaSrc and the source (a
UsageError before any request otherwise), loadsearch's typed results, its 204, 500 and
malformed bodies, and the config update as the plugin reads it."""

from __future__ import annotations

import typing

import pytest
from tests.bridge.conftest import open_world

import hikari_lavalink as hl
from hikari_lavalink.protocol import routes, search
from hikari_lavalink.protocol.plugins import lavasrc
from hikari_lavalink.testing import factories
from hikari_lavalink.testing.fake_lavalink.plugins.lavasearch import fake_lavasearch
from hikari_lavalink.testing.fake_lavalink.plugins.lavasrc import fake_lavasrc

if typing.TYPE_CHECKING:
    from tests.bridge.conftest import World

ANIMALS = factories.make_lavasrc_track(
    title="Animals",
    author="Architects",
    identifier="0eG08c",
    album_name="For Those That Wish To Exist",
    album_url="https://open.spotify.com/album/7qem",
)
MIX = factories.make_lavasrc_playlist("Mix", [ANIMALS], type="recommendations")
ALBUM = factories.make_lavasrc_playlist(
    "For Those That Wish To Exist",
    [ANIMALS],
    url="https://open.spotify.com/album/7qem",
    total_tracks=15,
)
SOURCES = ["youtube", "http", "spotify", "deezer", "jiosaavn"]
FULL: dict[str, typing.Any] = {
    "plugins": {"lavasrc-plugin": "4.8.3", "lavasearch-plugin": "1.0.0"},
    "source_managers": SOURCES,
    "catalogue": {
        "spsearch:animals": factories.make_search([ANIMALS]),
        "sprec:mix:track:0eG08c": MIX,
    },
}


def requests_to(world: World, path: str) -> list[str]:
    return [f"{r.path}?{r.query}" for r in world.lavalink.requests if r.path == path]


@pytest.mark.asyncio
async def test_a_lavasrc_search_and_its_recommendations() -> None:
    async with open_world(lavalink_options=FULL) as world:
        result = await world.lava.search("animals", source="spotify")
        track = result.tracks[0]
        info = hl.LavaSrcTrackInfo.of(track)
        assert info is not None
        assert info.album_name == "For Those That Wish To Exist"
        assert info.is_local is False
        mix = await world.lava.search(search.recommendations(track))
        assert isinstance(mix, hl.PlaylistResult)
        view = hl.LavaSrcPlaylistInfo.of(mix)
        assert view is not None
        assert view.type == "recommendations"
        assert [
            r.query["identifier"] for r in world.lavalink.requests if r.path == "/v4/loadtracks"
        ] == [
            "spsearch:animals",
            "sprec:mix:track:0eG08c",
        ]


@pytest.mark.asyncio
async def test_a_lavasrc_prefix_without_the_plugin_or_source_is_refused_before_any_request() -> (
    None
):
    options = {"plugins": {"lavasrc-plugin": "4.8.3"}, "source_managers": ["youtube", "spotify"]}
    async with open_world(lavalink_options=options) as world:
        mark = len(world.lavalink.requests)
        with pytest.raises(
            hl.UsageError, match=r"'dzsearch:'.*'main' lacks LavaSrc's 'deezer' source"
        ):
            await world.lava.search("animals", source="deezer")
        with pytest.raises(hl.UsageError, match=r"LavaSrc's 'qobuz' source, which node 'main'"):
            await world.lava.search(
                search.isrc("USEP42058010", "qobuz"), node=world.lava.best_node()
            )
        with pytest.raises(hl.UsageError, match=r"'dzrec:'.*LavaSrc's 'deezer' source"):
            await world.lava.load_tracks("dzrec:3135556")  # load_tracks checks them too
        await world.lava.search("song")  # YouTube is no LavaSrc source: not checked
        await world.lava.load_tracks("spsearch:animals")  # the node has LavaSrc's spotify
        assert [r.path for r in world.lavalink.requests[mark:]] == ["/v4/loadtracks"] * 2
    async with open_world() as world:  # no plugin at all
        with pytest.raises(hl.UsageError, match="the lavasrc-plugin plugin"):
            await world.lava.search(search.preview("animals", "spotify"))
        with pytest.raises(hl.UsageError, match="the lavasrc-plugin plugin"):
            await world.lava.load_tracks("sprec:seed_tracks=0eG08c")
        assert not requests_to(world, "/v4/loadtracks")


@pytest.mark.asyncio
async def test_load_search_gives_typed_results_of_the_types_asked_for() -> None:
    async with open_world(lavalink_options=FULL) as world:
        fake_lavasearch(world.lavalink).results["spsearch:architects"] = (
            factories.make_lavasearch_result(
                tracks=[ANIMALS], albums=[ALBUM], texts=["architects animals"]
            )
        )
        result = await world.lava.load_search("architects", types=["track", "album"])
        assert result is not None
        assert [t.info.title for t in result.tracks] == ["Animals"]
        assert result.albums[0].tracks == []
        album = hl.LavaSrcPlaylistInfo.of(result.albums[0])
        assert album is not None
        assert album.total_tracks == 15
        assert result.texts == []  # not asked for
        everything = await world.lava.load_search("architects")
        assert everything is not None
        assert [t.text for t in everything.texts] == ["architects animals"]
        nothing = await world.lava.load_search("unknown words", source="deezer")
        assert nothing == hl.LavaSearchResult()
        assert await world.lava.load_search("jssearch:architects") is None  # 204: it declines
        queries = [r.query for r in world.lavalink.requests if r.path == "/v4/loadsearch"]
        assert queries[0] == {"query": "spsearch:architects", "types": "track,album"}


@pytest.mark.asyncio
async def test_load_search_needs_the_plugin_on_a_node() -> None:
    options = {"plugins": {"lavasrc-plugin": "4.8.3"}, "source_managers": SOURCES}
    async with open_world(lavalink_options=options) as world:
        with pytest.raises(hl.UsageError, match="lavasearch-plugin"):
            await world.lava.load_search("architects")
        assert not requests_to(world, "/v4/loadsearch")


@pytest.mark.asyncio
async def test_load_search_failures_are_typed_and_the_client_goes_on() -> None:
    async with open_world(lavalink_options=FULL) as world:
        fake_lavasearch(world.lavalink).results["spsearch:broken"] = b'{"tracks": 5}'
        with pytest.raises(hl.RemoteProtocolError, match="loadsearch result"):
            await world.lava.load_search("broken")
        world.lavalink.fail_rest(500, path_prefix="/v4/loadsearch")
        with pytest.raises(hl.RestError) as caught:
            await world.lava.load_search("architects")
        assert caught.value.status == 500
        node = world.lava.best_node()
        with pytest.raises(hl.RestError) as missing:  # the fake is as strict: no query, 400
            await node.request(routes.Route("GET", "/v4/loadsearch", bytes))
        assert missing.value.status == 400
        assert await world.lava.load_search("architects") == hl.LavaSearchResult()
        assert node.is_ready
        assert not world.loop_errors


@pytest.mark.asyncio
async def test_loadsearch_without_lavasrc_is_the_servers_500() -> None:
    options = {"plugins": {"lavasearch-plugin": "1.0.0"}}
    async with open_world(lavalink_options=options) as world:
        node = world.lava.best_node()
        with pytest.raises(hl.RestError, match="No search managers registered"):
            await node.request(
                routes.Route("GET", "/v4/loadsearch", bytes, query=(("query", "x"),))
            )


@pytest.mark.asyncio
async def test_the_lavasrc_config_update_reaches_the_plugin_as_it_reads_it() -> None:
    options = {"plugins": {"lavasrc-plugin": "4.8.3"}, "source_managers": [*SOURCES, "applemusic"]}
    async with open_world(lavalink_options=options) as world:
        config = hl.LavaSrcConfig(
            spotify=lavasrc.SpotifyConfig(client_id="id", client_secret="s3cret"),
            apple_music=lavasrc.AppleMusicConfig(media_api_token="t0ken"),
            qobuz=lavasrc.QobuzConfig(user_oauth_token="q"),  # not enabled
            ytdlp=lavasrc.YtdlpConfig(search_limit=5),
        )
        updated = await world.lava.update_lavasrc_config(config)
        assert [n.name for n in updated] == ["main"]
        applied = fake_lavasrc(world.lavalink).config
        assert applied == {
            "spotify": {"clientId": "id", "clientSecret": "s3cret"},
            "appleMusic": {"mediaAPIToken": "t0ken"},
            "ytdlp": {"searchLimit": 5},
        }
        node = world.lava.best_node()
        # The README's spelling is silently ignored; yt-dlp without searchLimit is a 500.
        readme = b'{"applemusic": {"mediaAPIToken": "other"}}'
        await node.request(routes.Route("PATCH", "/v4/lavasrc/config", bytes, body=readme))
        assert applied["appleMusic"] == {"mediaAPIToken": "t0ken"}
        bad = b'{"ytdlp": {"path": "yt-dlp"}}'
        with pytest.raises(hl.RestError) as caught:
            await node.request(routes.Route("PATCH", "/v4/lavasrc/config", bytes, body=bad))
        assert caught.value.status == 500
        # kotlinx reads the whole body first: a wrong type anywhere applies nothing (400).
        for wrong in (
            b'{"spotify": {"clientId": "x", "clientSecret": "y"}, "deezer": {"formats": ["OGG"]}}',
            b'{"spotify": {"preferPartnerApi": "yes"}}',
            b'{"ytdlp": {"searchLimit": "5"}}',
            b'{"appleMusic": "t0ken"}',
            b'{"ytdlp": {"searchLimit": 5, "customLoadArgs": [1]}}',
        ):
            with pytest.raises(hl.RestError) as caught:
                await node.request(routes.Route("PATCH", "/v4/lavasrc/config", bytes, body=wrong))
            assert caught.value.status == 400, wrong
        assert applied["spotify"] == {"clientId": "id", "clientSecret": "s3cret"}
        fine = b'{"deezer": {"formats": ["FLAC", "MP3_128"]}, "spotify": {"spDc": null}}'
        await node.request(routes.Route("PATCH", "/v4/lavasrc/config", bytes, body=fine))
        assert applied["deezer"] == {"formats": ["FLAC", "MP3_128"]}
    async with open_world() as world:
        with pytest.raises(hl.UsageError, match="lavasrc-plugin"):
            await world.lava.update_lavasrc_config(config)


@pytest.mark.asyncio
async def test_a_lavasrc_blob_the_node_never_loaded_decodes_and_plays_with_its_plugin_info() -> (
    None
):
    # A track another node loaded (a failover, a store restore): only its blob comes here.
    stranger = factories.make_lavasrc_track(
        title="Impermanence",
        identifier="1a2b",
        album_name="For Those That Wish To Exist",
        artist_url="https://open.spotify.com/artist/3Zzt",
        preview_url="https://p.scdn.co/mp3-preview/1a2b",
    )
    async with open_world(lavalink_options=FULL) as world:
        node = world.lava.best_node()
        decoded = await node.decode_track(stranger.encoded)
        assert decoded.plugin_info == stranger.plugin_info
        view = hl.LavaSrcTrackInfo.of(decoded)
        assert view is not None
        assert (view.album_name, view.preview_url) == (
            "For Those That Wish To Exist",
            "https://p.scdn.co/mp3-preview/1a2b",
        )
        assert [t.plugin_info for t in await node.decode_tracks([stranger.encoded])] == [
            stranger.plugin_info
        ]
        guild = world.discord.guilds[0]
        player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
        await player.play(hl.Track(encoded=stranger.encoded, info=stranger.info))
        remote = await node.fetch_player(guild.id)
        assert remote.track is not None
        assert remote.track.plugin_info == stranger.plugin_info
    # Without LavaSrc the blob still decodes (the fake knows the source), with no view.
    async with open_world(lavalink_options={"source_managers": SOURCES}) as world:
        plain = await world.lava.best_node().decode_track(stranger.encoded)
        assert plain.info == stranger.info
        assert plain.plugin_info == {}
        assert hl.LavaSrcTrackInfo.of(plain) is None
