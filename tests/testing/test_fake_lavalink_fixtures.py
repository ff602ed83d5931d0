"""The pytest fixtures of ``hikari_lavalink.testing.fixtures``, used as a bot's tests use them.

This module asks for the fixtures itself (``pytest_plugins`` works in a test module, and in
the root ``conftest.py``, not in a nested one: ``pytest .`` would refuse
``tests/testing/conftest.py``), and runs a user's project that enables them in its conftest
with ``pytester``. The sections marked for ``--8<--`` are the examples of ``docs/testing.md``.
"""

from __future__ import annotations

import subprocess
import sys
import typing

import aiohttp
import pytest

import hikari_lavalink as hl
from hikari_lavalink.nodes import create_node
from hikari_lavalink.runtime.node import NodeState

if typing.TYPE_CHECKING:
    from hikari_lavalink.testing import FakeDiscord, FakeLavalink

pytest_plugins = ["pytester", "hikari_lavalink.testing.fixtures"]


# --8<-- [start:fixtures]
@pytest.mark.asyncio
async def test_the_fixtures_start_the_fakes(
    fake_lavalink: FakeLavalink, fake_discord: FakeDiscord
) -> None:
    assert fake_lavalink.is_running  # on a free port, with the default password
    node = create_node(
        name="main",
        host=fake_lavalink.host,
        port=fake_lavalink.port,
        password="youshallnotpass",
        user_id=fake_discord.bot_id,
    )
    await node.start()
    try:
        await node.wait_ready(timeout=5)
        assert node.session_id in fake_lavalink.sessions
    finally:
        await node.close()
    async with aiohttp.ClientSession() as http:
        async with http.get(fake_discord.rest_url + "/gateway/bot") as response:
            assert (await response.json())["shards"] == fake_discord.shard_count


# --8<-- [end:fixtures]


# --8<-- [start:options]
class TestWithOptions:
    @pytest.fixture
    def fake_lavalink_options(self) -> dict[str, typing.Any]:
        return {"password": "pw", "time_scale": 100}

    @pytest.fixture
    def fake_discord_options(self) -> dict[str, typing.Any]:
        return {"shard_count": 1}

    @pytest.mark.asyncio
    async def test_the_fakes_are_made_with_them(
        self, fake_lavalink: FakeLavalink, fake_discord: FakeDiscord
    ) -> None:
        assert (fake_lavalink.password, fake_lavalink.time_scale) == ("pw", 100)
        assert len(fake_discord.guilds) == 1


# --8<-- [end:options]


# --8<-- [start:set_stats]
@pytest.mark.asyncio
async def test_a_busy_node_reports_its_load(fake_lavalink: FakeLavalink) -> None:
    node = create_node(
        name="main",
        host=fake_lavalink.host,
        port=fake_lavalink.port,
        password="youshallnotpass",
        user_id=1,
    )
    await node.start()
    try:
        await node.wait_ready(timeout=5)
        fake_lavalink.set_stats(players=50, playing_players=42, system_load=0.97)
        await fake_lavalink.send_stats()  # a stats message now, not in 60 s
        stats = await node.fetch_stats()  # GET /v4/stats reports the same figures
        assert (stats.playing_players, stats.cpu.system_load) == (42, 0.97)
        assert stats.frame_stats is None  # never over REST
        # Frame figures go to a session with a playing player (`null` to the others):
        fake_lavalink.set_stats(frame_stats=hl.FrameStats(sent=2_500, nulled=400, deficit=100))
        fake_lavalink.reset_stats()  # back to the node's own figures
        assert (await node.fetch_stats()).playing_players == 0
    finally:
        await node.close()


# --8<-- [end:set_stats]


# --8<-- [start:hold_handshake]
@pytest.mark.asyncio
async def test_a_node_is_not_ready_while_its_handshake_is_held(
    fake_lavalink: FakeLavalink,
) -> None:
    hold = fake_lavalink.hold_handshake()
    node = create_node(
        name="main",
        host=fake_lavalink.host,
        port=fake_lavalink.port,
        password="youshallnotpass",
        user_id=1,
    )
    await node.start()
    try:
        headers = await hold.reached()  # the upgrade arrived, and waits for an answer
        assert headers["User-Id"] == "1"
        assert node.state is NodeState.CONNECTING
        # ... do what must race the connection here ...
        hold.release()  # or hold.cut(): the connection drops, no session is made
        await node.wait_ready(timeout=5)
    finally:
        await node.close()


# --8<-- [end:hold_handshake]


USER_TESTS = """
import pytest

from hikari_lavalink.testing import FakeDiscord, FakeLavalink

seen: list[FakeLavalink] = []


{mark}
async def test_uses_both(fake_lavalink: FakeLavalink, fake_discord: FakeDiscord) -> None:
    assert fake_lavalink.is_running and fake_discord.port
    seen.append(fake_lavalink)


{mark}
async def test_each_test_gets_its_own(fake_lavalink: FakeLavalink) -> None:
    assert fake_lavalink is not seen[0]
    assert not seen[0].is_running  # stopped after the test that used it
"""


@pytest.mark.parametrize(("mode", "mark"), [("strict", "@pytest.mark.asyncio"), ("auto", "")])
def test_a_projects_conftest_enables_them(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str, mark: str
) -> None:
    pytester.makeconftest('pytest_plugins = ["hikari_lavalink.testing.fixtures"]\n')
    pytester.makeini(
        f"[pytest]\nasyncio_mode = {mode}\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n"
    )
    pytester.makepyfile(test_user=USER_TESTS.format(mark=mark))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the plugin it needs:
    result = pytester.runpytest_subprocess("-p", "pytest_asyncio.plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_kit_itself_does_not_import_pytest() -> None:
    code = (
        "import sys, hikari_lavalink.testing\n"
        "found = sorted(m for m in ('pytest', '_pytest', 'pytest_asyncio') if m in sys.modules)\n"
        "print(found)\n"
    )
    done = subprocess.run(  # noqa: PLW1510 - the return code is checked below
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
