"""ListenerGate: hikari's "does anyone listen?" answered once per reader step, never stale."""

from __future__ import annotations

import asyncio

import hikari
import pytest

import hikari_lavalink as hl
from hikari_lavalink.bridge.gate import ListenerGate

TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.gate.test"


async def on_update(_: hl.PlayerUpdateEvent) -> None:
    """A listener (never called here)."""


@pytest.mark.asyncio
async def test_an_answer_lasts_one_step_of_one_reader() -> None:
    bot = hikari.GatewayBot(TOKEN, banner=None)
    gate = ListenerGate(bot.event_manager)
    reader, other_reader = object(), object()
    assert not gate.wants_in(hl.PlayerUpdateEvent, reader)
    # Remembered for the rest of this step: hikari is not asked again...
    bot.subscribe(hl.PlayerUpdateEvent, on_update)
    assert not gate.wants_in(hl.PlayerUpdateEvent, reader)
    # ...but another reader (another node's task, later in the same loop turn) asks afresh,
    assert gate.wants_in(hl.PlayerUpdateEvent, other_reader)
    assert gate.wants(hl.PlayerUpdateEvent)
    # and after the loop's next turn every reader sees the new listener.
    await asyncio.sleep(0)
    assert gate.wants_in(hl.PlayerUpdateEvent, reader)
    bot.unsubscribe(hl.PlayerUpdateEvent, on_update)
    await asyncio.sleep(0)
    assert not gate.wants_in(hl.PlayerUpdateEvent, reader)


@pytest.mark.asyncio
async def test_base_classes_and_waiters_count() -> None:
    bot = hikari.GatewayBot(TOKEN, banner=None)
    gate = ListenerGate(bot.event_manager)
    reader = object()

    async def on_any(_: hl.PlayerEvent) -> None:
        """Listens to every player event."""

    bot.subscribe(hl.PlayerEvent, on_any)
    await asyncio.sleep(0)
    assert gate.wants_in(hl.TrackEndEvent, reader)
    assert not gate.wants_in(hl.NodeReadyEvent, reader)
    waiting = asyncio.ensure_future(bot.event_manager.wait_for(hl.NodeReadyEvent, timeout=5))
    await asyncio.sleep(0)  # the waiter registers when its task runs: a loop turn
    assert gate.wants_in(hl.NodeReadyEvent, reader)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


class _Manager:
    """An event manager that is not hikari's own: no private check to ask."""


@pytest.mark.asyncio
async def test_other_event_managers_get_every_event() -> None:
    gate = ListenerGate(_Manager())  # pyright: ignore[reportArgumentType]
    assert gate.wants(hl.PlayerUpdateEvent)
    assert gate.wants_in(hl.PlayerUpdateEvent, object())
