"""The public test kit: fakes of Lavalink (and Discord) on 127.0.0.1, an in-memory node
transport, and model factories.

Never imported by the library itself. It does not import pytest: its pytest fixtures are in
[`hikari_lavalink.testing.fixtures`][hikari_lavalink.testing.fixtures] (`pytest_plugins =
["hikari_lavalink.testing.fixtures"]` in a root `conftest.py`; they need pytest-asyncio).
"""

from __future__ import annotations

from hikari_lavalink.testing import factories, memory
from hikari_lavalink.testing.factories import (
    make_empty,
    make_load_error,
    make_player,
    make_playlist,
    make_search,
    make_stats,
    make_track,
    make_track_info,
)
from hikari_lavalink.testing.fake_discord import (
    FakeDiscord,
    FakeGuild,
    RecordedClose,
    RecordedFrame,
    RecordedRestRequest,
    VoiceBehaviour,
)
from hikari_lavalink.testing.fake_lavalink import (
    FakeLavalink,
    FakeNodeLink,
    FakePlayer,
    FakeSession,
    HandshakeHold,
    RecordedRequest,
    RequestHold,
)
from hikari_lavalink.testing.memory import MemoryConnection, MemoryServer, MemoryTransport

__all__ = [
    "FakeDiscord",
    "FakeGuild",
    "FakeLavalink",
    "FakeNodeLink",
    "FakePlayer",
    "FakeSession",
    "HandshakeHold",
    "MemoryConnection",
    "MemoryServer",
    "MemoryTransport",
    "RecordedClose",
    "RecordedFrame",
    "RecordedRequest",
    "RecordedRestRequest",
    "RequestHold",
    "VoiceBehaviour",
    "factories",
    "memory",
    "make_empty",
    "make_load_error",
    "make_player",
    "make_playlist",
    "make_search",
    "make_stats",
    "make_track",
    "make_track_info",
]
