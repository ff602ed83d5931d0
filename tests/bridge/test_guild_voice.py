"""A guild's voice bookkeeping: one object with its handshake, the rest only while needed."""

from __future__ import annotations

import asyncio
import sys

import pytest

import hikari_lavalink as hl
from hikari_lavalink.bridge.guilds import GuildVoice
from hikari_lavalink.protocol.voice import SendVoice

GUILD = 817327181659111454
CHANNEL = 817327181659111455


def test_the_guild_is_its_own_handshake_with_shared_strings() -> None:
    voice = GuildVoice(GUILD)
    assert voice.handshake is voice
    session = "".join(["ab", "cd"])  # not the interned literal
    voice.on_state(session_id=session, channel_id=CHANNEL)
    outcome = voice.on_server(token="t1", endpoint="".join(["a", ":443"]))
    assert isinstance(outcome, SendVoice)
    # One copy for every guild: the interned string, not the copy each payload decodes.
    assert outcome.voice.session_id is sys.intern("abcd")
    assert outcome.voice.endpoint is sys.intern("a:443")
    assert "GuildVoice(guild_id=817327181659111454, has_player=False" in repr(voice)
    assert "has_server=True" in repr(voice)


def test_episode_attributes_default_and_round_trip() -> None:
    voice = GuildVoice(GUILD)
    assert (voice.voice_lost, voice.lost_channel_id, voice.leaving, voice.left_at) == (
        False,
        None,
        False,
        None,
    )
    voice.voice_lost = True
    voice.lost_channel_id = CHANNEL
    voice.leaving = True
    voice.left_at = 12.5
    assert (voice.voice_lost, voice.lost_channel_id, voice.leaving, voice.left_at) == (
        True,
        CHANNEL,
        True,
        12.5,
    )
    voice.voice_lost = False
    voice.leaving = False
    voice.left_at = None
    assert (voice.voice_lost, voice.lost_channel_id, voice.leaving, voice.left_at) == (
        False,
        CHANNEL,
        False,
        None,
    )
    voice.lost_channel_id = None
    assert voice.lost_channel_id is None


@pytest.mark.asyncio
async def test_a_guild_is_forgettable_only_with_no_player_and_nothing_under_way() -> None:
    voice = GuildVoice(GUILD)
    assert voice.is_forgettable()
    voice.left_at = 12.5  # a leave went out: its answer is what lets the guild go
    assert voice.is_forgettable()
    for name in ("voice_lost", "leaving"):
        setattr(voice, name, True)
        assert not voice.is_forgettable(), name
        setattr(voice, name, False)
    voice.lost_channel_id = CHANNEL
    assert not voice.is_forgettable()
    voice.lost_channel_id = None
    waiter = voice.new_waiter()
    assert not voice.is_forgettable()
    voice.fail(hl.UsageError("gone"))
    assert waiter.done()
    assert voice.is_forgettable()
    async with voice.lock:
        assert not voice.is_forgettable()
    assert voice.is_forgettable()


@pytest.mark.asyncio
async def test_a_settled_waiter_is_replaced_by_a_new_one() -> None:
    voice = GuildVoice(GUILD)
    first = voice.new_waiter()
    assert voice.new_waiter() is first  # shared by everyone waiting now
    update = hl.VoiceUpdate(token="t", endpoint="e:443", session_id="s", channel_id="1")
    voice.resolve(update)
    assert first.result() == update
    voice.resolve(update)  # nobody waits: nothing happens
    second = voice.new_waiter()
    assert second is not first
    voice.fail(hl.UsageError("gone"))
    with pytest.raises(hl.UsageError):
        second.result()
    voice.fail(hl.UsageError("again"))  # nobody waits: nothing happens
    assert not voice.new_waiter().done()


@pytest.mark.asyncio
async def test_the_lock_serialises_and_survives_a_cancelled_waiter() -> None:
    voice = GuildVoice(GUILD)
    order: list[str] = []

    async def hold(name: str, gate: asyncio.Event) -> None:
        async with voice.lock:
            order.append(f"{name} in")
            await gate.wait()
            order.append(f"{name} out")

    gate = asyncio.Event()
    first = asyncio.create_task(hold("a", gate))
    await asyncio.sleep(0)
    second = asyncio.create_task(hold("b", gate))
    cancelled = asyncio.create_task(hold("c", gate))
    await asyncio.sleep(0)
    cancelled.cancel()
    gate.set()
    await asyncio.gather(first, second, cancelled, return_exceptions=True)
    assert order == ["a in", "a out", "b in", "b out"]
    # Free again, and usable again.
    async with voice.lock:
        order.append("d")
    assert order[-1] == "d"
