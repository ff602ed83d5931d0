"""The shape of the package: names that moved keep their old import paths, modules stay small.

The composition-root redesign cut ``client.py`` and ``runtime/node.py`` into components with
one owner each (see ``docs/concepts/architecture.md``); these keep that cut from growing back.
"""

from __future__ import annotations

import importlib
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "plugin" / "hikari_lavalink"
LIBRARY_LINES = 470
"""A module of the library: about 450 lines at most (the redesign's target, with slack)."""
TEST_KIT_LINES = 545
"""A part of the test kit: about 500 lines at most (the reference's cross-reference links,
``[`X`][path]``, are longer than the roles they replaced: 530 before)."""

MOVED = [
    ("hikari_lavalink.bridge.voice", "GuildVoice", "hikari_lavalink.bridge.guilds"),
    ("hikari_lavalink.bridge.voice", "GuildPlayers", "hikari_lavalink.bridge.guilds"),
    ("hikari_lavalink.runtime.node", "NodeListener", "hikari_lavalink.runtime.listener"),
    ("hikari_lavalink.runtime.ports", "NodeTransport", "hikari_lavalink.transport.base"),
    ("hikari_lavalink.runtime.ports", "WebSocketConnection", "hikari_lavalink.transport.base"),
    ("hikari_lavalink.runtime.ports", "WebSocketClosed", "hikari_lavalink.transport.base"),
    ("hikari_lavalink.client", "MOVE_CONCURRENCY", "hikari_lavalink.runtime.failover"),
    ("hikari_lavalink.client", "LEAVE_ECHO_WINDOW", "hikari_lavalink.bridge.voice"),
    ("hikari_lavalink.client", "NodeStrategy", "hikari_lavalink.runtime.pool"),
    ("hikari_lavalink.client", "ShardDeathPolicy", "hikari_lavalink.bridge.shards"),
    ("hikari_lavalink.runtime.player", "NODE_DEFAULT", "hikari_lavalink.runtime._player_slots"),
    ("hikari_lavalink.testing.fake_lavalink", "FakeLavalink", "hikari_lavalink.testing"),
    ("hikari_lavalink.testing.fake_discord", "FakeDiscord", "hikari_lavalink.testing"),
]


@pytest.mark.parametrize(("old", "name", "new"), MOVED)
def test_a_moved_name_keeps_its_old_import_path(old: str, name: str, new: str) -> None:
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name
    )


def test_no_module_grows_back_into_a_god_module() -> None:
    sizes = {
        str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    too_long = {
        module: lines
        for module, lines in sizes.items()
        if lines > (TEST_KIT_LINES if module.startswith("testing") else LIBRARY_LINES)
    }
    assert not too_long, f"split these by concern (see docs/concepts/architecture.md): {too_long}"
