"""What the fake node sends over its WebSockets, in the order it makes it.

Each connected session has an outbox and one writer task, so frames leave in the order the
node made them however fast they come. A paused session (its socket gone, resuming on) queues
events and stats for the resume and drops `playerUpdate`, as Lavalink does. Every frame put
on a socket is logged in
[`FakeLavalink.sent`][hikari_lavalink.testing.FakeLavalink.sent].
"""

from __future__ import annotations

import asyncio
import json
import logging
import struct
import time
import typing

import aiohttp
import msgspec

from hikari_lavalink.protocol import models

if typing.TYPE_CHECKING:
    import collections.abc

    from aiohttp import web

    from hikari_lavalink.testing._server import Activity
    from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
    from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer
    from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession

__all__ = ["Burst", "Wire"]

_LOGGER = logging.getLogger("hikari_lavalink.testing.fake_lavalink")


class Burst:
    """Pre-framed WebSocket text frames, written with one transport write."""

    __slots__ = ("wire",)

    def __init__(self, wire: bytes) -> None:
        self.wire: bytes = wire


def _text_frame(text: str) -> bytes:
    # An unmasked, final text frame (RFC 6455 section 5.2), as a server sends it.
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


class Wire:
    """The node's outbound frames: the `sent` log, paused sessions' queues, the writers."""

    __slots__ = ("_activity", "_node", "track_json")

    def __init__(self, node: FakeLavalink, activity: Activity) -> None:
        self._node = node
        self._activity = activity
        self.track_json: collections.abc.Callable[[models.Track], typing.Any] = msgspec.to_builtins
        """How the events show a track (Lavalink's track JSON; NodeLink's own)."""

    def open(
        self,
        session: FakeSession,
        ws: web.WebSocketResponse,
        transport: asyncio.BaseTransport | None,
    ) -> None:
        """Give the session a new outbox that a writer task empties onto `ws`."""
        outbox: asyncio.Queue[str | Burst] = asyncio.Queue()
        session.ws = ws
        session.outbox = outbox
        session.writer = asyncio.get_running_loop().create_task(
            self._write_loop(session, ws, outbox, transport)
        )

    def send(self, session: FakeSession, text: str, *, player_update: bool = False) -> None:
        """Send one text frame (queued while the session is paused, unless a `playerUpdate`)."""
        if session.paused:
            if not player_update:
                session.queue.append(text)
                self._activity.touch()
            return
        outbox = session.outbox
        if outbox is None:
            return
        self._node.sent.append((session.id, text.encode()))
        outbox.put_nowait(text)
        self._activity.touch()

    def push(self, session: FakeSession, texts: list[str], *, burst: bool) -> None:
        """Send many frames; with `burst`, pre-framed and written in one go (if connected)."""
        outbox = session.outbox
        if burst and not session.paused and outbox is not None:
            self._node.sent.extend((session.id, text.encode()) for text in texts)
            outbox.put_nowait(Burst(b"".join(map(_text_frame, texts))))
            self._activity.touch()
            return
        for text in texts:
            self.send(session, text)

    def event(self, session: FakeSession, guild_id: int, kind: str, **fields: typing.Any) -> None:
        """Send an `event` of type `kind`; Struct values are sent as their JSON."""
        payload: dict[str, typing.Any] = {"op": "event", "type": kind, "guildId": str(guild_id)}
        for key, value in fields.items():
            if isinstance(value, models.Track):
                value = self.track_json(value)  # noqa: PLW2901 - the value as sent
            elif isinstance(value, msgspec.Struct):
                value = msgspec.to_builtins(value)  # noqa: PLW2901 - the value as sent
            payload[key] = value
        self.send(session, json.dumps(payload))

    def player_update(self, session: FakeSession, player: FakePlayer) -> None:
        """Send the player's state now as a `playerUpdate`."""
        state = {
            "time": int(time.time() * 1000),
            "position": player.position,
            "connected": player.connected,
            "ping": player.ping,
        }
        payload = {"op": "playerUpdate", "guildId": str(player.guild_id), "state": state}
        self.send(session, json.dumps(payload), player_update=True)

    @staticmethod
    def flushed(sessions: collections.abc.Iterable[FakeSession]) -> bool:
        """Whether every frame queued so far has been handed to its socket (or the socket died).

        A writer takes a frame off its outbox and writes it to the transport in one step (it
        waits for a slow reader only after writing), so an empty outbox means written.
        """
        return all(
            s.outbox is None or s.outbox.empty() or s.writer is None or s.writer.done()
            for s in sessions
        )

    async def _write_loop(
        self,
        session: FakeSession,
        ws: web.WebSocketResponse,
        outbox: asyncio.Queue[str | Burst],
        transport: asyncio.BaseTransport | None,
    ) -> None:
        try:
            while True:
                item = await outbox.get()
                if outbox.empty():
                    self._activity.touch()  # seen once this step has written it
                if isinstance(item, str):
                    await ws.send_str(item)
                elif isinstance(transport, asyncio.WriteTransport) and not ws.closed:
                    # Whole frames, after everything queued before: the order holds.
                    transport.write(item.wire)
        except (ConnectionError, RuntimeError, aiohttp.ClientError):
            _LOGGER.debug("fake session %s: send failed, connection gone", session.id)
        finally:
            self._activity.touch()
