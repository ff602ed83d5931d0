"""youtube-source end to end, on a real hikari.GatewayBot against FakeDiscord and
FakeLavalink: its config and OAuth routes (the placeholder "x", the null that starts a
flow, a 500 for a token Google refuses, a 400 when the source is off, a token answered as
text/plain), and a track played with its oauth-token, which no log or repr shows."""

from __future__ import annotations

import logging

import pytest
from tests.bridge.conftest import SONG, open_world

import hikari_lavalink as hl
from hikari_lavalink.protocol.plugins import youtube
from hikari_lavalink.testing.fake_lavalink.plugins.youtube import fake_youtube

YOUTUBE = {"plugins": {"youtube-plugin": "1.18.2"}}
REFRESH = "1//0gRefreshSecret"
ACCESS = "ya29.AccessSecret"


@pytest.mark.asyncio
async def test_the_refresh_token_and_po_token_are_set_as_the_plugin_reads_them() -> None:
    async with open_world(lavalink_options=YOUTUBE) as world:
        state = fake_youtube(world.lavalink)
        assert await world.lava.youtube_config() == hl.YoutubeConfig(refresh_token=None)
        update = hl.YoutubeConfigUpdate(refresh_token=REFRESH, po_token="po", visitor_data="vd")
        assert [n.name for n in await world.lava.update_youtube_config(update)] == ["main"]
        assert (await world.lava.youtube_config()).refresh_token == REFRESH
        assert (state.po_token, state.visitor_data) == ("po", "vd")
        # "x" leaves the token alone; a POST without the pair clears it (the plugin's rule)
        await world.lava.update_youtube_config(hl.YoutubeConfigUpdate(refresh_token="x"))
        assert state.refresh_token == REFRESH
        assert (state.po_token, state.visitor_data) == (None, None)
        await world.lava.update_youtube_config(hl.YoutubeConfigUpdate(refresh_token=None))
        assert (state.refresh_token, state.oauth_flows) == (None, 1)
        posted = [r.json() for r in world.lavalink.requests if r.method == "POST"]
        assert posted[1] == {"refreshToken": "x"}
        assert posted[2] == {"refreshToken": None}


@pytest.mark.asyncio
async def test_an_access_token_is_read_whatever_its_content_type_and_never_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with open_world(lavalink_options=YOUTUBE) as world:
        fake_youtube(world.lavalink).access_tokens[REFRESH] = {
            "access_token": ACCESS,
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/youtube",
            "token_type": "Bearer",
        }
        with caplog.at_level(logging.DEBUG, "hikari_lavalink"):
            token = await world.lava.youtube_access_token(REFRESH)
            assert (token.access_token, token.expires_in) == (ACCESS, 3599)
            answered = next(r for r in world.lavalink.requests if r.path.startswith("/youtube/"))
            assert answered.status == 200
            with pytest.raises(hl.RestError) as caught:
                await world.lava.youtube_access_token("1//unknown")
            refused = hl.YoutubeConfigUpdate(refresh_token="1//unknown", skip_initialization=False)
            with pytest.raises(hl.RestError) as posted:
                await world.lava.update_youtube_config(refused)
        assert caught.value.status == 500
        assert posted.value.status == 500
        shown = " ".join(
            [
                caplog.text,
                str(caught.value),
                repr(caught.value.body),
                repr(token),
                repr(refused),
                str(posted.value),
            ]
        )
        for secret in (REFRESH, "0gRefreshSecret", ACCESS, "unknown"):
            assert secret not in shown
        assert "/youtube/oauth/[REDACTED]" in caplog.text


@pytest.mark.asyncio
async def test_the_routes_answer_400_when_the_source_is_not_registered() -> None:
    options = {**YOUTUBE, "source_managers": ["http"]}
    async with open_world(lavalink_options=options) as world:
        with pytest.raises(hl.RestError, match="not registered") as caught:
            await world.lava.youtube_config()
        assert caught.value.status == 400
        with pytest.raises(hl.RestError, match="not registered"):
            await world.lava.youtube_access_token(REFRESH)
        assert world.lava.best_node().is_ready
    async with open_world() as world:  # no plugin: refused before any request
        with pytest.raises(hl.UsageError, match="youtube-plugin"):
            await world.lava.youtube_config()
        assert not [r for r in world.lavalink.requests if r.path.startswith("/youtube")]


@pytest.mark.asyncio
async def test_a_track_plays_with_its_oauth_token_which_no_event_repr_shows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with open_world(lavalink_options=YOUTUBE) as world:
        guild = world.discord.guilds[0]
        player = await world.lava.join(guild.id, guild.voice_channel_ids[0])
        mark = len(world.events)
        with caplog.at_level(logging.DEBUG, "hikari_lavalink"):
            await player.play(hl.with_oauth_token(SONG, ACCESS))
            start = await world.wait_event(hl.TrackStartEvent, after=mark)
        sent = next(
            r for r in world.lavalink.requests if r.method == "PATCH" and b"oauth" in r.body
        )
        assert sent.json()["track"]["userData"]["oauth-token"] == ACCESS
        assert start.track.user_data["oauth-token"] == ACCESS  # echoed, as Lavalink does
        assert ACCESS not in repr(start) + repr(start.track) + caplog.text


@pytest.mark.asyncio
async def test_a_videos_media_comes_as_bytes_in_the_format_asked_for() -> None:
    async with open_world(lavalink_options=YOUTUBE) as world:
        fake_youtube(world.lavalink).media["dQw4w9WgXcQ"] = {
            251: ("audio/webm", b"\x1aE\xdf\xa3opus"),
            140: ("audio/mp4", b"\x00\x00\x00\x18ftypm4a"),
        }
        node = world.lava.best_node()
        assert await node.request(youtube.stream("dQw4w9WgXcQ")) == b"\x1aE\xdf\xa3opus"
        route = youtube.stream("dQw4w9WgXcQ", itag=140, with_client="TV")
        assert route.url == "/youtube/stream/dQw4w9WgXcQ?itag=140&withClient=TV"
        assert await node.request(route) == b"\x00\x00\x00\x18ftypm4a"
        for bad, message in (
            (youtube.stream("dQw4w9WgXcQ", itag=18), "No formats found with the requested itag."),
            (youtube.stream("unknown0000"), "Could not find formats for the requested videoId."),
        ):
            with pytest.raises(hl.RestError) as caught:
                await node.request(bad)
            assert caught.value.status == 400
            assert caught.value.body is not None
            assert caught.value.body.message == message
        with pytest.raises(hl.UsageError, match="video id is blank"):
            youtube.stream(" ")
