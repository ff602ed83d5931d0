"""The per-guild voice handshake."""

from __future__ import annotations

import typing

from hypothesis import given, settings
from hypothesis import strategies as st

import hikari_lavalink as hl
from hikari_lavalink.protocol.voice import (
    AwaitVoice,
    SendVoice,
    VoiceDisconnected,
    VoiceHandshake,
)

GUILD = 817327181659111454
CHANNEL = 817327181659111455
OTHER_CHANNEL = 817327181659111456


def voice(
    token: str = "t1",
    endpoint: str = "c-ams09.discord.media:443",
    session: str = "s1",
    channel: int = CHANNEL,
) -> hl.VoiceUpdate:
    return hl.VoiceUpdate(
        token=token, endpoint=endpoint, session_id=session, channel_id=str(channel)
    )


def test_state_then_server_sends_once() -> None:
    handshake = VoiceHandshake(GUILD)
    assert handshake.on_state(session_id="s1", channel_id=CHANNEL) == AwaitVoice(
        missing="voice server"
    )
    outcome = handshake.on_server(token="t1", endpoint="c-ams09.discord.media:443")
    assert outcome == SendVoice(voice=voice(), channel_id=CHANNEL)
    assert handshake.sent == voice()
    assert handshake.is_complete
    # the same halves again: nothing to send
    assert handshake.on_server(token="t1", endpoint="c-ams09.discord.media:443") is None
    assert handshake.on_state(session_id="s1", channel_id=CHANNEL) is None


def test_server_then_state_in_either_order() -> None:
    handshake = VoiceHandshake(GUILD)
    assert handshake.on_server(token="t1", endpoint="c-ams09.discord.media:443") == AwaitVoice(
        missing="voice state"
    )
    outcome = handshake.on_state(session_id="s1", channel_id=CHANNEL)
    assert isinstance(outcome, SendVoice)
    assert outcome.voice == voice()


def test_null_endpoint_waits_for_the_next_update() -> None:
    handshake = VoiceHandshake(GUILD)
    handshake.on_state(session_id="s1", channel_id=CHANNEL)
    assert handshake.on_server(token="t1", endpoint=None) == AwaitVoice(
        missing="voice server endpoint"
    )
    assert not handshake.is_complete
    assert handshake.on_server(token="t1", endpoint="") == AwaitVoice(
        missing="voice server endpoint"
    )
    outcome = handshake.on_server(token="t2", endpoint="c-ams10.discord.media:443")
    assert isinstance(outcome, SendVoice)
    assert outcome.voice.token == "t2"


def test_every_later_change_is_forwarded() -> None:
    handshake = VoiceHandshake(GUILD)
    handshake.on_state(session_id="s1", channel_id=CHANNEL)
    handshake.on_server(token="t1", endpoint="a:443")
    moved = handshake.on_state(session_id="s1", channel_id=OTHER_CHANNEL)
    assert moved == SendVoice(
        voice=voice(endpoint="a:443", channel=OTHER_CHANNEL), channel_id=OTHER_CHANNEL, moved=True
    )
    server_change = handshake.on_server(token="t2", endpoint="b:443")
    assert isinstance(server_change, SendVoice)
    assert not server_change.moved
    assert server_change.voice.endpoint == "b:443"
    new_session = handshake.on_state(session_id="s2", channel_id=OTHER_CHANNEL)
    assert isinstance(new_session, SendVoice)
    assert new_session.voice.session_id == "s2"


def test_disconnect_resets_and_reports_previous_channel() -> None:
    handshake = VoiceHandshake(GUILD)
    handshake.on_state(session_id="s1", channel_id=CHANNEL)
    handshake.on_server(token="t1", endpoint="a:443")
    assert handshake.on_state(session_id="s1", channel_id=None) == VoiceDisconnected(
        previous_channel_id=CHANNEL
    )
    assert handshake.sent is None
    assert handshake.channel_id is None
    assert not handshake.is_complete
    assert handshake.on_state(session_id="s1", channel_id=CHANNEL) == AwaitVoice(
        missing="voice server"
    )


def test_mark_unsent_sends_the_same_state_again() -> None:
    handshake = VoiceHandshake(GUILD)
    handshake.on_state(session_id="s1", channel_id=CHANNEL)
    handshake.on_server(token="t1", endpoint="a:443")
    handshake.mark_unsent()
    assert isinstance(handshake.on_server(token="t1", endpoint="a:443"), SendVoice)
    assert "has_server=True" in repr(handshake)


halves = st.one_of(
    st.tuples(
        st.just("state"),
        st.sampled_from(["s1", "s2"]),
        st.sampled_from([CHANNEL, OTHER_CHANNEL, None]),
    ),
    st.tuples(
        st.just("server"), st.sampled_from(["t1", "t2"]), st.sampled_from(["a:443", "b:443", None])
    ),
)


@given(st.lists(halves, max_size=30))
@settings(max_examples=200, deadline=None)
def test_never_sends_incomplete_or_duplicate(steps: list[tuple[str, str, typing.Any]]) -> None:
    handshake = VoiceHandshake(GUILD)
    last_sent: hl.VoiceUpdate | None = None
    for kind, first, second in steps:
        if kind == "state":
            outcome = handshake.on_state(session_id=first, channel_id=second)
        else:
            outcome = handshake.on_server(token=first, endpoint=second)
        if isinstance(outcome, SendVoice):
            assert outcome.voice != last_sent
            assert outcome.voice.token
            assert outcome.voice.endpoint
            assert outcome.voice.session_id
            assert outcome.voice.channel_id == str(outcome.channel_id)
            last_sent = outcome.voice
        elif isinstance(outcome, VoiceDisconnected):
            last_sent = None
        assert handshake.sent == last_sent


def test_credentials_changed_then_back_are_not_sent_again() -> None:
    handshake = VoiceHandshake(GUILD)
    handshake.on_state(session_id="s1", channel_id=CHANNEL)
    handshake.on_server(token="t1", endpoint="a:443")
    sent = voice(endpoint="a:443")
    # Discord reallocates: a null endpoint, then the same server again.
    assert handshake.on_server(token="t1", endpoint=None) == AwaitVoice(
        missing="voice server endpoint"
    )
    assert handshake.sent == sent
    assert handshake.on_server(token="t1", endpoint="a:443") is None
    assert handshake.sent == sent
    # A move and a move back before anything is sent: nothing new either.
    assert handshake.on_server(token="t2", endpoint=None) == AwaitVoice(
        missing="voice server endpoint"
    )
    assert handshake.on_state(session_id="s1", channel_id=OTHER_CHANNEL) == AwaitVoice(
        missing="voice server endpoint"
    )
    assert handshake.on_server(token="t1", endpoint="a:443") == SendVoice(
        voice=voice(endpoint="a:443", channel=OTHER_CHANNEL), channel_id=OTHER_CHANNEL, moved=True
    )
    assert handshake.on_state(session_id="s1", channel_id=OTHER_CHANNEL) is None
    assert handshake.sent == voice(endpoint="a:443", channel=OTHER_CHANNEL)
