"""The README demo runs end to end and tells the whole story."""

from __future__ import annotations

import asyncio
import typing

import hikari
import hikari.impl.shard
import pytest

from examples import demo, hikari_bot, lightbulb_bot, node_demo


@pytest.mark.asyncio
async def test_demo_timeline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hikari.impl.shard, "_BACKOFF_WINDOW", 0.0)
    errors: list[dict[str, typing.Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: errors.append(context))
    assert await demo.main() == 0
    out = capsys.readouterr().out
    for expected in (
        "bot: Now playing **Lofi Morning**",
        "bot: Queued **Lofi Noon**",
        "VoiceLost",
        "VoiceRestored",
        "NodeUnavailable",
        "PlayerMoved",
        "bot: Skipped. Now playing **Lofi Noon**",
        "PlayerDestroyed",
        "bot: Bye!",
        "done:",
    ):
        assert expected in out, expected
    assert out.index("VoiceLost") < out.index("VoiceRestored") < out.index("PlayerMoved")
    assert not errors


@pytest.mark.asyncio
async def test_node_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert await node_demo.main() == 0
    out = capsys.readouterr().out
    assert "(resumed)" in out
    assert "event: TrackStuck" in out  # queued while the session was paused, then replayed
    assert "restored guild" in out
    assert "node closed" in out


def test_example_bots_build_without_a_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAVALINK_HOST", "127.0.0.1")
    token = "MTAwMDAwMDAwMDAwMDAwMDAx.fake.token"
    bot, lava = hikari_bot.create_bot(token)
    assert list(lava.nodes) == ["main"]
    assert bot.get_listeners(hikari.GuildMessageCreateEvent)
    bot2, _client, lava2 = lightbulb_bot.create_bot(token, environ={})
    assert not lava2.nodes
    assert bot2.get_listeners(hikari.StartingEvent)
    assert len(lightbulb_bot.COMMANDS) == 14
