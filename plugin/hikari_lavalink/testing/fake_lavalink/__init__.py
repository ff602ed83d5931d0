"""A protocol-faithful fake Lavalink v4 node on 127.0.0.1, for tests.

[`FakeLavalink`][hikari_lavalink.testing.FakeLavalink] runs a real HTTP and WebSocket server
(aiohttp.web) that behaves like Lavalink 4.2 as its code behaves: authentication (401 for the
WebSocket and a missing header, 403 for a wrong password over REST), sessions and resuming (a paused
session answers 404, queues events and stats, drops `playerUpdate`s, replays the queue on resume and
is destroyed with its players when its timeout passes), the player PATCH rules (validation order and
messages, `noReplace`, `paused` reset by a new track, `channelId` required in `voice`), events in
the server's order (`TrackEnd(replaced)` before the new `TrackStart`), `playerUpdate` timing and
stats, and the filters a player keeps (a `null` filter dropped, a band's missing `gain` 1.0).

Tracks are real Lavaplayer blobs (see
[`hikari_lavalink.testing.factories`][hikari_lavalink.testing.factories]); a *catalogue* maps
identifiers to load results. Tracks play on the node's clock and finish at their length (or
`endTime`): in real time by default, or `time_scale` times as fast (`FakeLavalink(time_scale=100)`
plays a three-minute track in 1.8 s).

Example
-------
An async fixture, so it needs pytest-asyncio
([`hikari_lavalink.testing.fixtures`][hikari_lavalink.testing.fixtures] has a ready-made
`fake_lavalink` one):

```python
@pytest_asyncio.fixture
async def lavalink() -> collections.abc.AsyncIterator[FakeLavalink]:
    track = factories.make_track(title="Song", length=5_000)
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:song": factories.make_search([track])}
    async with FakeLavalink(password="pw", catalogue=catalogue) as fake:
        yield fake
```

Controls make it misbehave on purpose: `finish_track`, `fail_track`,
`stick_track`, `close_voice`, `close_session`, `drop_connections`
(network cut, no close frame), `kill` (SIGKILL) and `restart`,
`shutdown` (SIGTERM), `set_latency`, `fail_rest`, `fail_handshake`,
`send_raw`; `hold` and `hold_handshake` keep a request or a WebSocket
handshake unanswered until the test releases it, and `set_stats` sets the figures the
node reports. Every request and frame is recorded for assertions, and
`wait_for_request`, `wait_for_frame`, `wait_for_connections` and
`wait_until` wait on those records without polling.

The package is cut by concern: `.node` (the [`FakeLavalink`][hikari_lavalink.testing.FakeLavalink]
face), `.sessions` (the WebSocket, resuming, expiry), `.wire` (frames out, in order), `.playback`
(the clock and the timers that move players along), `.stats` (the figures reported), `.players` (the
player routes), `.validation` (what the REST API refuses), `.filter_chain` (the filters a player
keeps) and `.rest` (recording, authentication, failures, error bodies and the other routes).
`.nodelink` runs it as NodeLink v3 ([`FakeNodeLink`][hikari_lavalink.testing.FakeNodeLink]).
"""

from __future__ import annotations

from hikari_lavalink.testing.fake_lavalink.node import FakeLavalink
from hikari_lavalink.testing.fake_lavalink.nodelink import FakeNodeLink
from hikari_lavalink.testing.fake_lavalink.playback import FakePlayer
from hikari_lavalink.testing.fake_lavalink.rest import RecordedRequest, RequestHold
from hikari_lavalink.testing.fake_lavalink.sessions import FakeSession, HandshakeHold

__all__ = [
    "FakeLavalink",
    "FakeNodeLink",
    "FakePlayer",
    "FakeSession",
    "HandshakeHold",
    "RecordedRequest",
    "RequestHold",
]
