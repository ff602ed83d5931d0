"""pytest fixtures for the test kit: a started
[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink] and
[`FakeDiscord`][hikari_lavalink.testing.FakeDiscord].

Enable them in your `conftest.py` (the root one: pytest takes `pytest_plugins` only
there):

```python
pytest_plugins = ["hikari_lavalink.testing.fixtures"]
```

The fixtures are async, so they need [pytest-asyncio](https://pypi.org/project/pytest-asyncio/)
(`pip install pytest-asyncio`), in its `strict` mode (mark each test
`@pytest.mark.asyncio`) or its `auto` mode. Each fake is started for one test, on a free
port of 127.0.0.1, and stopped after it.

Override `fake_lavalink_options` or `fake_discord_options` (in a conftest, a module or a
class) to change the keyword arguments a fake is made with:

```python
@pytest.fixture
def fake_lavalink_options() -> dict[str, typing.Any]:
    return {"password": "pw", "catalogue": CATALOGUE, "time_scale": 100}
```

Only this module imports pytest and pytest-asyncio: importing `hikari_lavalink.testing`
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
    """The keyword arguments of the [`FakeLavalink`][hikari_lavalink.testing.FakeLavalink] of
    `fake_lavalink` (none: the defaults, password `"youshallnotpass"`). Override it to change
    them."""
    return {}


@pytest.fixture
def fake_discord_options() -> dict[str, typing.Any]:
    """The keyword arguments of the [`FakeDiscord`][hikari_lavalink.testing.FakeDiscord] of
    `fake_discord` (none: the defaults, two shards with a guild each). Override it to change
    them."""
    return {}


@pytest_asyncio.fixture
async def fake_lavalink(
    fake_lavalink_options: dict[str, typing.Any],
) -> collections.abc.AsyncIterator[FakeLavalink]:
    """A started [`FakeLavalink`][hikari_lavalink.testing.FakeLavalink], stopped (every session
    gone) after the test."""
    async with FakeLavalink(**fake_lavalink_options) as fake:
        yield fake


@pytest_asyncio.fixture
async def fake_discord(
    fake_discord_options: dict[str, typing.Any],
) -> collections.abc.AsyncIterator[FakeDiscord]:
    """A started [`FakeDiscord`][hikari_lavalink.testing.FakeDiscord], stopped (every gateway
    connection cut) after the test."""
    async with FakeDiscord(**fake_discord_options) as discord:
        yield discord
