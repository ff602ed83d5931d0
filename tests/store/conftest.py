"""A real Redis server per test worker (and one per test that stops its server)."""

from __future__ import annotations

import itertools
import typing

import pytest
from tests.store.redis_server import RedisServer

if typing.TYPE_CHECKING:
    import collections.abc

_clusters = itertools.count()


@pytest.fixture(scope="session")
def redis_server() -> collections.abc.Iterator[RedisServer]:
    """A Redis server the worker's tests share (each test on its own ``cluster``)."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def own_redis() -> collections.abc.Iterator[RedisServer]:
    """A Redis server of the test's own, which it may stop and start again."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> str:
    """A cluster name no other test of the run uses."""
    return f"{request.node.name}-{next(_clusters)}"
