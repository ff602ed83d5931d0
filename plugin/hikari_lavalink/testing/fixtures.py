"""pytest fixtures for the test kit: a started :class:`FakeLavalink` and :class:`FakeDiscord`.

Enable them in your ``conftest.py`` (the root one: pytest takes ``pytest_plugins`` only
there)::

    pytest_plugins = ["hikari_lavalink.testing.fixtures"]

The fixtures are async, so they need `pytest-asyncio <https://pypi.org/project/pytest-asyncio/>`_
(``pip install pytest-asyncio``), in its ``strict`` mode (mark each test
``@pytest.mark.asyncio``) or its ``auto`` mode. Each fake is started for one test, on a free
port of 127.0.0.1, and stopped after it.

Override ``fake_lavalink_options`` or ``fake_discord_options`` (in a conftest, a module or a
class) to change the keyword arguments a fake is made with::

    @pytest.fixture
    def fake_lavalink_options() -> dict[str, typing.Any]:
        return {"password": "pw", "catalogue": CATALOGUE, "time_scale": 100}

Only this module imports pytest and pytest-asyncio: importing :mod:`hikari_lavalink.testing`
does not.
"""

from __future__ import annotations

import typing

import pytest
import pytest_asyncio

from hikari_lavalink.testing.fake_discord import FakeDiscord
from hikari_lavalink.testing.fake_lavalink import FakeLavalink

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["fake_discord", "fake_discord_options", "fake_lavalink", "fake_lavalink_options"]


@pytest.fixture
def fake_lavalink_options() -> dict[str, typing.Any]:
    """The keyword arguments of the :class:`FakeLavalink` of ``fake_lavalink`` (none: the
    defaults, password ``"youshallnotpass"``). Override it to change them."""
    return {}


@pytest.fixture
def fake_discord_options() -> dict[str, typing.Any]:
    """The keyword arguments of the :class:`FakeDiscord` of ``fake_discord`` (none: the
    defaults, two shards with a guild each). Override it to change them."""
    return {}


@pytest_asyncio.fixture
async def fake_lavalink(
    fake_lavalink_options: dict[str, typing.Any],
) -> collections.abc.AsyncIterator[FakeLavalink]:
    """A started :class:`FakeLavalink`, stopped (every session gone) after the test."""
    async with FakeLavalink(**fake_lavalink_options) as fake:
        yield fake


@pytest_asyncio.fixture
async def fake_discord(
    fake_discord_options: dict[str, typing.Any],
) -> collections.abc.AsyncIterator[FakeDiscord]:
    """A started :class:`FakeDiscord`, stopped (every gateway connection cut) after the test."""
    async with FakeDiscord(**fake_discord_options) as discord:
        yield discord
