"""[`FakeNodeLink`][hikari_lavalink.testing.FakeNodeLink]: the fake node run as NodeLink v3."""

from __future__ import annotations

from hikari_lavalink.testing.fake_lavalink.nodelink.node import FakeNodeLink

__all__ = ["FakeNodeLink"]
