"""Plugin detection: `/v4/info` read on every ready, `node.plugins`, `has_plugin`,
`require_plugin` (a clear UsageError before any request) and node selection by plugin."""

from __future__ import annotations

import typing

import msgspec
import pytest
from tests.bridge.conftest import PASSWORD, open_world
from tests.conftest import PLUGIN_VECTORS

import hikari_lavalink as hl
from hikari_lavalink.protocol import codec, messages

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing import FakeLavalink

LYRICS = {"lavalyrics-plugin": "1.1.0", "lavasrc-plugin": "4.8.3"}


@pytest.mark.asyncio
async def test_the_info_is_read_before_ready_and_names_the_plugins() -> None:
    async with open_world(lavalink_options={"plugins": LYRICS}) as world:
        node = world.lava.best_node()
        assert node.info is not None
        assert node.plugins == LYRICS
        assert node.has_plugin(hl.PluginName.LAVALYRICS)
        assert not node.has_plugin(hl.PluginName.SPONSORBLOCK)
        assert not node.is_nodelink
        infos = [r for r in world.lavalink.requests if r.path == "/v4/info"]
        assert len(infos) == 1
        mark = len(world.lavalink.requests)
        with pytest.raises(hl.UsageError, match=r"sponsorblock-plugin.*'main'.*lavalyrics-plugin"):
            node.require_plugin(hl.PluginName.SPONSORBLOCK, "SponsorBlock categories")
        assert len(world.lavalink.requests) == mark  # nothing was sent
        node.require_plugin(hl.PluginName.LAVALYRICS, "lyrics")


@pytest.mark.asyncio
async def test_a_restarted_node_that_lost_a_plugin_is_read_again() -> None:
    async with open_world(lavalink_options={"plugins": LYRICS}) as world:
        node = world.lava.best_node()
        world.lavalink.plugins.pop("lavalyrics-plugin")
        mark = len(world.events)
        await world.lavalink.restart()
        await world.wait_event(hl.NodeReadyEvent, after=mark)
        assert node.plugins == {"lavasrc-plugin": "4.8.3"}
        assert not node.has_plugin(hl.PluginName.LAVALYRICS)


@pytest.mark.asyncio
async def test_an_unreadable_info_keeps_the_node_usable() -> None:
    async def failing_info(lavalink: FakeLavalink) -> None:
        lavalink.fail_rest(500, count=1, path_prefix="/v4/info")

    async with open_world(lavalink_options={"plugins": LYRICS}) as world:
        node = world.lava.best_node()
        await failing_info(world.lavalink)
        mark = len(world.events)
        await world.lavalink.drop_connections()
        await world.wait_event(hl.NodeReadyEvent, lambda e: e.resumed, after=mark)
        assert node.is_ready
        assert node.plugins == LYRICS  # the previous reading stands


@pytest.mark.asyncio
async def test_node_selection_can_require_a_plugin() -> None:
    async with open_world(lavalink_options={"plugins": LYRICS}) as world:
        assert world.lava.best_node(plugin=hl.PluginName.LAVALYRICS).name == "main"
        with pytest.raises(hl.NoNodeAvailableError, match="with the sponsorblock-plugin plugin"):
            world.lava.best_node(plugin=hl.PluginName.SPONSORBLOCK)


def test_nodelink_info_decodes() -> None:
    info = codec.decode_info((PLUGIN_VECTORS / "nodelink-info.json").read_bytes())
    assert info.is_nodelink
    assert info.jvm == ""
    assert info.lavaplayer == ""
    assert info.version.semver == "3.8.0"


def test_lavalink_info_with_plugins_decodes() -> None:
    info = codec.decode_info((PLUGIN_VECTORS / "rest-info-with-plugins.json").read_bytes())
    assert not info.is_nodelink
    names = {p.name for p in info.plugins}
    assert set(hl.PluginName) <= names


class _Custom(messages.PluginEventMessage, tag="CustomTestEvent", kw_only=True, frozen=True):
    value: int


def test_a_registered_plugin_event_decodes_to_its_class() -> None:
    frame = b'{"op":"event","type":"CustomTestEvent","guildId":"42","value":7}'
    assert isinstance(codec.decode_message(frame), messages.UnknownMessage)
    codec.register_plugin_event(_Custom)
    codec.register_plugin_event(_Custom)  # again: no change
    assert codec.decode_message(frame) == _Custom(guild_id=42, value=7)
    assert codec.plugin_event_types()["CustomTestEvent"] is _Custom
    with pytest.raises(hl.RemoteProtocolError, match="invalid CustomTestEvent"):
        codec.decode_message(b'{"op":"event","type":"CustomTestEvent","guildId":"42"}')


def test_registering_a_core_or_taken_type_is_refused() -> None:
    class Start(messages.PluginEventMessage, tag="TrackStartEvent", frozen=True):
        pass

    class Other(messages.PluginEventMessage, tag="CustomTestEvent", frozen=True):
        pass

    class Untagged(msgspec.Struct):
        pass

    with pytest.raises(hl.UsageError, match="core Lavalink event"):
        codec.register_plugin_event(Start)
    codec.register_plugin_event(_Custom)
    with pytest.raises(hl.UsageError, match="already decoded as _Custom"):
        codec.register_plugin_event(Other)
    with pytest.raises(hl.UsageError, match="names no event type"):
        codec.register_plugin_event(typing.cast("type[messages.PluginEventMessage]", Untagged))


@pytest.mark.asyncio
async def test_a_registered_type_without_a_typed_event_is_a_plugin_event() -> None:
    codec.register_plugin_event(_Custom)
    async with open_world() as world:
        got: list[hl.PluginEvent] = []

        async def on_plugin(event: hl.PluginEvent) -> None:
            got.append(event)

        world.bot.subscribe(hl.PluginEvent, on_plugin)
        mark = len(world.events)
        await world.lavalink.send_raw(
            '{"op":"event","type":"CustomTestEvent","guildId":"9","value":3}'
        )
        await world.lavalink.send_raw('{"op":"event","type":"NoSuchEvent","guildId":"9"}')
        event = await world.wait_event(hl.PluginEvent, after=mark)
        assert event.message == _Custom(guild_id=9, value=3)
        assert event.player is None
        assert event.node.name == "main"
        await world.wait_event(hl.RawLavalinkEvent, after=mark)
        assert [e.type for e in world.of(hl.RawLavalinkEvent)] == ["NoSuchEvent"]
        assert len(got) == 1
        assert PASSWORD not in repr(event)
