"""Shared fixtures: the Lavalink vectors (copied from ../shared/lavalink-vectors)."""

from __future__ import annotations

import os
import pathlib

import pytest
from hypothesis import settings

# CI runs a fixed set of examples so a green build stays green; local runs explore.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

VECTORS = pathlib.Path(__file__).parent / "vectors"
SHARED_VECTORS = pathlib.Path(__file__).resolve().parents[2] / "shared" / "lavalink-vectors"


def load_vector(name: str) -> bytes:
    """The bytes of one vector file."""
    return (VECTORS / name).read_bytes()


@pytest.fixture
def vectors_dir() -> pathlib.Path:
    return VECTORS
