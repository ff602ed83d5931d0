"""The copies in tests/plugin_vectors are the shared plugin vectors, byte for byte."""

from __future__ import annotations

import pytest
from tests.conftest import PLUGIN_VECTORS, SHARED_PLUGIN_VECTORS


@pytest.mark.skipif(
    not SHARED_PLUGIN_VECTORS.is_dir(), reason="../shared/lavalink-plugin-vectors not present"
)
def test_the_copies_are_the_shared_vectors() -> None:
    shared = {path.name: path.read_bytes() for path in SHARED_PLUGIN_VECTORS.iterdir()}
    ours = {path.name: path.read_bytes() for path in PLUGIN_VECTORS.iterdir()}
    assert ours == shared
