"""A Lavalink node against the embedded FakeLavalink: no token, no network.

Shows what the node does on its own: connect and enable resuming, load and play a queue,
survive a network cut (resume, replayed events), survive the server dying past its resume
window (session lost, players restored on the new session), then close. Prints a timeline.

Run it with ``python -m examples.node_demo``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import typing

from typing_extensions import override

import hikari_lavalink as hl
from hikari_lavalink.nodes import create_node
from hikari_lavalink.runtime.node import Node, NodeListener
from hikari_lavalink.testing import FakeLavalink, factories

if typing.TYPE_CHECKING:
    from hikari_lavalink.runtime.player import Player

PASSWORD = "demo-password"  # noqa: S105 - the embedded fake's password, not a secret
GUILD = 817327181659111454
CHANNEL = 817327181659111455
BOT_ID = 170939974227541168
START = time.monotonic()


def say(what: str) -> None:
    print(f"{time.monotonic() - START:7.2f}s  {what}", flush=True)


class Timeline(NodeListener):
    """Prints what the node reports, and plays the next queued track when one finishes."""

    def __init__(self, queue: list[hl.Track]) -> None:
        self.queue = queue
        self.ended = asyncio.Event()

    @override
    def node_ready(self, node: Node, *, session_id: str, resumed: bool) -> None:
        say(f"node {node.name}: ready, session {session_id} ({'resumed' if resumed else 'new'})")

    @override
    def node_disconnected(
        self, node: Node, *, code: int, reason: str, will_resume: bool, graceful: bool
    ) -> None:
        say(
            f"node {node.name}: WebSocket closed (code {code}); "
            + ("will resume" if will_resume else "session gone")
        )

    @override
    def session_lost(
        self, node: Node, *, session_id: str, players: list[Player], reachable: bool
    ) -> None:
        say(f"node {node.name}: session {session_id} lost with {len(players)} player(s)")

    @override
    def players_reconciled(
        self, node: Node, *, adopted: list[Player], restored: list[Player], resumed: bool
    ) -> None:
        for player in restored:
            at = player.position / 1000
            say(f"node {node.name}: restored guild {player.guild_id} at {at:.1f}s")

    @override
    def event(self, node: Node, player: Player | None, message: hl.EventMessage) -> None:
        if isinstance(message, hl.TrackStartMessage):
            say(f"event: TrackStart  {message.track.info.title!r}")
        elif isinstance(message, hl.TrackEndMessage):
            say(f"event: TrackEnd    {message.track.info.title!r} ({message.reason})")
            if message.may_start_next and player is not None:
                if self.queue:
                    asyncio.get_running_loop().create_task(player.play(self.queue.pop(0)))
                else:
                    self.ended.set()
        elif isinstance(message, hl.TrackStuckMessage):
            say(f"event: TrackStuck  {message.track.info.title!r} ({message.threshold_ms} ms)")
        else:
            say(f"event: {type(message).__name__}")


async def main() -> int:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stdout, format="          log  %(name)s: %(message)s"
    )
    tracks = [
        factories.make_track(title="Lofi Morning", author="Demo Band", length=2_500),
        factories.make_track(title="Lofi Noon", author="Demo Band", length=60_000),
        factories.make_track(title="Lofi Night", author="Demo Band", length=1_500),
    ]
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:lofi": factories.make_search(tracks)}
    async with FakeLavalink(password=PASSWORD, catalogue=catalogue) as fake:
        say(f"FakeLavalink listening on {fake.url}")
        timeline = Timeline(queue=[])
        node = create_node(
            name="main",
            host=fake.host,
            port=fake.port,
            password=PASSWORD,
            user_id=BOT_ID,
            listener=timeline,
            resume_timeout=2,
            reconnect_base=0.1,
            reconnect_cap=0.5,
        )
        await node.start()
        await node.wait_ready(timeout=10)

        result = await node.load_tracks("ytsearch:lofi")
        say(f"search 'lofi': {[t.info.title for t in result.tracks]}")
        timeline.queue.extend(result.tracks[1:])
        player = node.create_player(GUILD)
        await player.set_voice(
            hl.VoiceUpdate(
                token="demo-token",  # noqa: S106 - a fake voice token
                endpoint="c-ams09-demo.discord.media:443",
                session_id="demo-session",
                channel_id=str(CHANNEL),
            )
        )
        await player.play(result.tracks[0])
        await asyncio.sleep(3.0)  # the first track finishes; the queue moves on

        say("--- network cut: every connection dropped, no close frame")
        await fake.drop_connections()
        await fake.stick_track(GUILD, threshold_ms=10_000)  # queued while paused
        await asyncio.sleep(1.0)
        title = player.track.info.title if player.track else "-"
        say(f"player at {player.position / 1000:.1f}s of {title}")

        say("--- server killed (SIGKILL) and down longer than the 2 s resume window")
        await fake.kill()
        await asyncio.sleep(2.5)
        await fake.restart()
        say("server restarted")
        await node.wait_ready(timeout=10)
        await asyncio.sleep(0.5)
        remote = fake.sessions[node.session_id or ""].players[GUILD]
        playing = remote.track.info.title if remote.track else None
        say(f"server now plays {playing!r} at {remote.position / 1000:.1f}s")

        say("--- skip to the next track")
        await player.play(timeline.queue.pop(0) if timeline.queue else tracks[2])
        async with asyncio.timeout(10):
            await timeline.ended.wait()
        await node.close()
        say("node closed")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
