"""Background tasks of the client: spawned, their failures logged, cancelled on close.

Listeners that hikari awaits (a shard's disconnect, say) must return quickly, and a reader
task must never wait on REST: what takes long runs here, where nothing is lost silently.
"""

from __future__ import annotations

import asyncio
import logging
import typing

from hikari_lavalink._typing import override

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["BackgroundTasks"]

_LOGGER = logging.getLogger("hikari_lavalink.client")


class BackgroundTasks:
    """The tasks one client runs in the background."""

    __slots__ = ("_tasks",)

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[typing.Any]] = set()

    @override
    def __repr__(self) -> str:
        return f"BackgroundTasks(running={len(self._tasks)})"

    def spawn(self, coro: collections.abc.Coroutine[typing.Any, typing.Any, typing.Any]) -> None:
        """Run `coro` in a task of its own; an exception it raises is logged."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def cancel_all(self) -> None:
        """Cancel every task and wait until each has ended."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _done(self, task: asyncio.Task[typing.Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("background task failed", exc_info=task.exception())
