"""What the fake Discord records for a test to read: gateway frames, closes, REST requests.

Each is immutable and carries what happened as the fake saw it, in the order it saw it;
[`FakeDiscord`][hikari_lavalink.testing.FakeDiscord] keeps them in plain lists
(`frames`, `closes`, `rest_requests`) that its
`wait_for_*` helpers watch.
"""

from __future__ import annotations

import dataclasses
import typing

__all__ = ["RecordedClose", "RecordedFrame", "RecordedRestRequest"]


@dataclasses.dataclass(frozen=True)
class RecordedFrame:
    """One gateway payload, as received from the bot (`"in"`) or sent to it (`"out"`).

    Parameters
    ----------
    shard_id
        The shard of the connection: the one its IDENTIFY or RESUME names (even if refused),
        `-1` before that (the HELLO and early heartbeats).
    direction
        `"in"` (bot to fake) or `"out"` (fake to bot).
    op
        The gateway opcode.
    t
        The dispatch name for op 0, else `None`.
    data
        The `d` field.
    at
        `time.monotonic()` when it was recorded.
    seq
        The sequence number `s` of a dispatch the fake sent, else `None`.
    replayed
        Whether the fake sent it again, replaying its session's backlog after a RESUME.
    """

    shard_id: int
    direction: typing.Literal["in", "out"]
    op: int
    t: str | None
    data: typing.Any
    at: float
    seq: int | None = None
    replayed: bool = False


@dataclasses.dataclass(frozen=True)
class RecordedClose:
    """A gateway connection that ended.

    Parameters
    ----------
    shard_id
        The shard of the connection (`-1` if it never identified or resumed).
    initiator
        `"bot"` (the bot sent a close frame), `"fake"` (a
        [`FakeDiscord.kill_shard`][hikari_lavalink.testing.FakeDiscord.kill_shard]
        close or abort) or `"transport"` (the socket died without a close frame).
    code
        The close code, `None` without a close frame.
    at
        `time.monotonic()` when it was recorded.
    """

    shard_id: int
    initiator: typing.Literal["bot", "fake", "transport"]
    code: int | None
    at: float


class RecordedRestRequest(typing.NamedTuple):
    """One REST request the bot made.

    Attributes
    ----------
    method
        The HTTP method.
    path
        The path after `/api/v10` (for example `"/gateway/bot"`).
    body
        The JSON body (`payload_json` of a multipart body), `None` without one.
    query
        The query parameters.
    """

    method: str
    path: str
    body: typing.Any
    query: dict[str, str]
