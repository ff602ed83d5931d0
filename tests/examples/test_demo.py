"""The README demo runs end to end and tells the whole story."""

from __future__ import annotations

import asyncio
import typing

import hikari
import hikari.impl.shard
import pytest

from examples import demo, hikari_bot, lightbulb_bot, node_demo


def lines_after(out: str, marker: str) -> list[str]:
    """The timeline's lines after the first one containing ``marker``."""
    lines = out.splitlines()
    index = next(i for i, line in enumerate(lines) if marker in line)
    return lines[index + 1 :]


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
        "1. **Lofi Noon** by Demo Band (3:20), for <@",  # /queue, with the requester
        "bot: Slow light on the window",  # /lyrics, from the node's LavaLyrics
        "VoiceLost",
        "VoiceRestored",
        "NodeUnavailable",
        "PlayerMoved",
        "bot: Skipped. Now playing **Lofi Noon**",
        "bot: Queued **Lofi Evening**",
        "bot: SponsorBlock on: I skip the sponsor and selfpromo segments",
        "SegmentSkipped  'Lofi Evening': its sponsor segment, 0.0s-15.0s",
        "bot: Skipped a sponsor segment.",
        "bot: Autoplay on",
        "bot: Now: **Night Drive** by Synth Club (3:30), for autoplay",
        "QueueEnd        guild",
        "bot: The queue is over",
        "PlayerDestroyed",
        "bot: Everyone left the voice channel",
        "bot: Bye!",
        "done:",
    ):
        assert expected in out, expected
    assert out.index("VoiceLost") < out.index("VoiceRestored") < out.index("PlayerMoved")
    # /lyrics answers with the lines of the track playing, after /nowplaying.
    lyrics = lines_after(out, "  /lyrics")
    assert lyrics[0].endswith("bot: Slow light on the window")
    assert lyrics[1].strip() == "the kettle hums along"
    # Auto-advance: Lofi Noon finished and Lofi Evening started, with no command between;
    # SponsorBlock skipped its sponsor segment, and the bot said so.
    advance = lines_after(out, "TrackEnd        'Lofi Noon' (finished)")
    assert "TrackStart      'Lofi Evening'" in advance[0]
    skipped = out.index("SegmentSkipped")
    assert out.index("TrackStart      'Lofi Evening'") < skipped
    assert skipped < out.index("bot: Skipped a sponsor segment.") < out.index("/autoplay")
    # Autoplay: Lofi Evening finished with the queue empty; its mix's first new track played
    # (not the seed, not Lofi Morning, which was heard already).
    autoplay = lines_after(out, "TrackEnd        'Lofi Evening' (finished)")
    assert "TrackStart      'Night Drive'" in autoplay[0]
    assert autoplay[0].endswith("(autoplay)")
    # Auto-leave: the member left, and the bot followed with no command.
    alone = lines_after(out, "--- the member leaves the voice channel")
    assert alone[0].endswith("(alone)")
    assert "PlayerDestroyed" in alone[0]
    assert out.index("(alone)") < out.index("(left)")
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
    assert len(lightbulb_bot.COMMANDS) == 16
