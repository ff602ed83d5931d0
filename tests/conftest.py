"""Shared fixtures: the Lavalink vectors (copied from ../shared/lavalink-vectors and
../shared/lavalink-plugin-vectors)."""

from __future__ import annotations

import os
import pathlib
import typing

import pytest
from hypothesis import settings

# CI runs a fixed set of examples so a green build stays green; local runs explore.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = pathlib.Path(__file__).resolve().parents[1]
VECTORS = REPO / "tests" / "vectors"
SHARED_VECTORS = REPO.parent / "shared" / "lavalink-vectors"
PLUGIN_VECTORS = REPO / "tests" / "plugin_vectors"
"""The project's copies of ../shared/lavalink-plugin-vectors (plugins and NodeLink)."""
SHARED_PLUGIN_VECTORS = REPO.parent / "shared" / "lavalink-plugin-vectors"


def load_vector(name: str) -> bytes:
    """The bytes of one vector file (importable for module-level use and Hypothesis)."""
    return (VECTORS / name).read_bytes()


@pytest.fixture
def vectors_dir() -> pathlib.Path:
    """The folder of the project's copies of the Lavalink vectors."""
    return VECTORS


@pytest.fixture(name="load_vector")
def load_vector_fixture() -> typing.Callable[[str], bytes]:
    """``load_vector(name) -> bytes``, as a fixture."""
    return load_vector


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The benchmark smoke run first: the longest test starts at once (on its own worker)."""
    items.sort(key=lambda item: item.get_closest_marker("bench") is None)
