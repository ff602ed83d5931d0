"""Player state kept in compact form: the voice credentials and a frozen position."""

from __future__ import annotations

import typing

import msgspec
import pytest

import hikari_lavalink as hl
from hikari_lavalink.runtime.node import Node
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.routes import Route
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.runtime.ports import WebSocketConnection

GUILD = 817327181659111454
CHANNEL = 817327181659111455
OTHER_CHANNEL = 817327181659111456
T = typing.TypeVar("T")


class _NoTransport:
    """A node transport these tests never use (the node is never started)."""

    async def connect(self, headers: collections.abc.Mapping[str, str]) -> WebSocketConnection:
        raise AssertionError

    async def request(self, route: Route[T], /, *, trace: bool = False) -> T:
        raise AssertionError

    async def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_player(clock: Clock | None = None) -> Player:
    node = Node(name="test", transport=_NoTransport(), user_id=1, clock=clock or Clock())
    return node.create_player(GUILD)


def voice(
    channel: str | msgspec.UnsetType | None = str(CHANNEL), token: str = "t1"
) -> hl.VoiceUpdate:
    return hl.VoiceUpdate(
        token=token, endpoint="c-ams09.discord.media:443", session_id="s1", channel_id=channel
    )


def test_voice_of_the_players_channel_reads_back_equal() -> None:
    player = make_player()
    assert player.voice is None
    player.channel_id = CHANNEL
    player.voice = voice()
    assert player.voice == voice()
    assert player.restore_request().voice == voice()
    player.voice = None
    assert player.voice is None
    assert player.restore_request().voice is msgspec.UNSET


def test_voice_sent_for_the_old_channel_stays_whole_when_the_channel_changes() -> None:
    player = make_player()
    player.channel_id = CHANNEL
    player.voice = voice()
    # join() sets the new channel before Discord's new credentials arrive.
    player.channel_id = OTHER_CHANNEL
    assert player.voice == voice()
    assert player.channel_id == OTHER_CHANNEL
    moved = voice(str(OTHER_CHANNEL), token="t2")
    player.voice = moved
    assert player.voice == moved
    player.channel_id = None
    assert player.voice == moved


@pytest.mark.parametrize(
    "channel",
    [msgspec.UNSET, None, "0817327181659111455", str(OTHER_CHANNEL), str(CHANNEL)],
    ids=["unset", "null", "not-canonical", "other", "same"],
)
def test_any_voice_reads_back_exactly(channel: str | msgspec.UnsetType | None) -> None:
    player = make_player()
    player.channel_id = CHANNEL
    player.voice = voice(channel)
    assert player.voice == voice(channel)
    assert msgspec.json.encode(player.voice) == msgspec.json.encode(voice(channel))


def test_adopted_voice_takes_the_servers_channel() -> None:
    player = make_player()
    server = hl.VoiceState(token="t9", endpoint="e:443", session_id="s9", channel_id=CHANNEL)
    player.adopt_voice(server)
    assert player.channel_id == CHANNEL
    assert player.voice == hl.VoiceUpdate(
        token="t9", endpoint="e:443", session_id="s9", channel_id=str(CHANNEL)
    )
    player.adopt_voice(
        hl.VoiceState(token="t8", endpoint="e:443", session_id="s9", channel_id=None)
    )
    assert player.channel_id == CHANNEL
    assert player.voice == hl.VoiceUpdate(token="t8", endpoint="e:443", session_id="s9")


def test_frozen_position_stays_until_the_next_state() -> None:
    clock = Clock()
    player = make_player(clock)
    track = factories.make_track(length=600_000)
    player.apply_player(factories.make_player(GUILD, track=track, position=10_000))
    clock.now += 2.0
    assert player.position == 12_000
    player.freeze(at=clock.now - 0.5)  # the audio stopped half a second ago
    assert player.position == 11_500
    clock.now += 5.0
    assert player.position == 11_500
    player.set_position(20_000)  # a restore sets it: still frozen there
    clock.now += 5.0
    assert player.position == 20_000
    player.apply_state(hl.PlayerState(time=0, position=30_000, connected=True, ping=3))
    clock.now += 1.0
    assert player.position == 31_000
