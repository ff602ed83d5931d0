"""Player state kept in compact form: the voice credentials and a frozen position."""

from __future__ import annotations

import asyncio
import typing

import hypothesis
import msgspec
import pytest
from hypothesis import strategies as st

import hikari_lavalink as hl
from hikari_lavalink.runtime.node import Node
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    import collections.abc

    from hikari_lavalink.protocol.routes import Route
    from hikari_lavalink.runtime.player import Player
    from hikari_lavalink.transport.base import WebSocketConnection

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
    player.apply_state(hl.PlayerState(time=0, position=30_000, connected=True, ping=3), clock.now)
    clock.now += 1.0
    assert player.position == 31_000


def holds_extras(player: Player) -> bool:
    """Whether the player holds a side object now: its size says (``Player.__sizeof__``)."""
    return player.__sizeof__() > object.__sizeof__(player)


def ready_player() -> Player:
    """A player whose voice Lavalink has: its steady state, with no extras."""
    player = make_player()
    assert holds_extras(player)  # no voice yet
    player.voice = voice()
    player.apply_player(factories.make_player(GUILD))
    return player


def test_rare_settings_cost_an_object_only_while_set() -> None:
    player = ready_player()
    assert player.end_time is None
    assert player.filters == hl.Filters()
    assert not holds_extras(player)
    player.end_time = 90_000
    player.filters = hl.Filters(volume=0.5)
    assert (player.end_time, player.filters) == (90_000, hl.Filters(volume=0.5))
    assert holds_extras(player)
    player.end_time = None
    assert player.filters == hl.Filters(volume=0.5)
    # An empty set decoded from a server answer is not a setting: the shared one is kept.
    player.apply_player(factories.make_player(GUILD))
    assert player.filters == hl.Filters()
    assert not holds_extras(player)


def test_voice_timeout_follows_the_node_unless_the_player_sets_its_own() -> None:
    from hikari_lavalink.runtime.player import NODE_DEFAULT

    player = ready_player()
    assert player.voice_timeout is None  # a bare node does not wait
    player.node.voice_timeout = 4.0
    assert player.voice_timeout == 4.0
    player.voice_timeout = None  # this player never waits, whatever its node says
    assert player.voice_timeout is None
    player.node.voice_timeout = 6.0
    assert player.voice_timeout is None
    player.voice_timeout = 1.5
    assert player.voice_timeout == 1.5
    player.voice_timeout = NODE_DEFAULT
    assert player.voice_timeout == 6.0
    assert not holds_extras(player)


@pytest.mark.asyncio
async def test_voice_readiness_and_detachment_are_extras_only_while_they_last() -> None:
    player = ready_player()
    await player.wait_for_voice()  # ready: returns at once, whatever the timeout
    player.node.voice_timeout = 5.0
    player.freeze()  # the server lost it: not ready until Lavalink answers again
    player.detached = True
    assert holds_extras(player)
    waiting = asyncio.ensure_future(player.wait_for_voice())
    await asyncio.sleep(0)
    assert not waiting.done()
    player.apply_player(factories.make_player(GUILD))
    await asyncio.wait_for(waiting, 1.0)
    assert not player.detached
    assert not holds_extras(player)


@pytest.mark.asyncio
async def test_a_wait_for_voice_uses_the_nodes_timeout() -> None:
    player = make_player()
    player.node.voice_timeout = 0.05
    with pytest.raises(hl.VoiceTimeoutError, match=r"within 0\.05 s"):
        await player.wait_for_voice()


@hypothesis.given(
    start=st.floats(min_value=0.0, max_value=1e8, allow_nan=False),
    position=st.integers(min_value=0, max_value=36_000_000),
    elapsed_ms=st.integers(min_value=0, max_value=86_400_000),
)
def test_position_is_exact_to_the_millisecond(start: float, position: int, elapsed_ms: int) -> None:
    # The position is kept as the clock time at which it was 0: float rounding must never
    # cost a millisecond, whatever the clock reads (monotonic clocks run for years).
    clock = Clock()
    clock.now = start
    player = make_player(clock)
    player.apply_player(
        factories.make_player(
            GUILD, track=factories.make_track(length=200_000_000), position=position
        )
    )
    assert player.position == position
    clock.now = start + elapsed_ms / 1000.0
    assert player.position == position + elapsed_ms
