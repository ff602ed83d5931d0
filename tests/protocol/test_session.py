"""The node session state machine, driven synchronously with a fake clock."""

from __future__ import annotations

import random

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hikari_lavalink.protocol.backoff import Backoff
from hikari_lavalink.protocol.session import (
    Connect,
    Effect,
    EnableResuming,
    GiveUp,
    NodeSession,
    Reconcile,
    SessionLost,
    SessionState,
    SignalDisconnected,
    SignalReady,
    Wait,
)


def make(*, resuming: bool = True, timeout: int = 60, session_id: str | None = None) -> NodeSession:
    return NodeSession(
        resuming=resuming,
        resume_timeout=timeout,
        backoff=Backoff(base=1.0, cap=8.0, rng=random.Random(1)),
        session_id=session_id,
    )


def ready(
    machine: NodeSession, now: float, session_id: str, *, resumed: bool = False
) -> list[Effect]:
    assert machine.on_open(now, resumed_header=resumed) in ([], [SessionLost(session_id="a")])
    return machine.on_ready(now, session_id=session_id, resumed=resumed)


def kinds(effects: list[Effect]) -> list[type]:
    return [type(effect) for effect in effects]


class TestBackoff:
    def test_delays_grow_are_jittered_and_capped(self) -> None:
        backoff = Backoff(base=0.5, cap=4.0, rng=random.Random(7))
        delays = [backoff.next_delay() for _ in range(8)]
        ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0]
        for delay, ceiling in zip(delays, ceilings, strict=True):
            assert ceiling / 2 <= delay <= ceiling
        assert backoff.attempt == 8
        backoff.reset()
        assert backoff.attempt == 0
        assert backoff.next_delay() <= 0.5

    def test_huge_attempt_counts_do_not_overflow(self) -> None:
        backoff = Backoff(base=1.0, cap=30.0, rng=random.Random(0))
        delays = [backoff.next_delay() for _ in range(2000)]
        assert all(15.0 <= delay <= 30.0 for delay in delays[10:])

    @pytest.mark.parametrize(("base", "cap"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)])
    def test_rejects_bad_parameters(self, base: float, cap: float) -> None:
        with pytest.raises(ValueError, match="base"):
            Backoff(base=base, cap=cap)


class TestLifecycle:
    def test_first_connect_enables_resuming_reconciles_and_signals(self) -> None:
        machine = make()
        assert machine.start(0.0) == [Connect(resume_session_id=None)]
        assert machine.state is SessionState.CONNECTING
        assert machine.start(0.0) == []  # idempotent
        effects = ready(machine, 0.1, "s1")
        assert effects == [
            EnableResuming(session_id="s1", timeout=60),
            Reconcile(session_id="s1", resumed=False),
            SignalReady(session_id="s1", resumed=False),
        ]
        assert machine.state is SessionState.READY
        assert machine.session_id == "s1"

    def test_resuming_disabled_sends_no_patch_and_loses_session_on_close(self) -> None:
        machine = make(resuming=False)
        machine.start(0.0)
        assert kinds(ready(machine, 0.0, "s1")) == [Reconcile, SignalReady]
        effects = machine.on_closed(5.0, code=1006, reason="")
        assert effects[0] == SessionLost(session_id="s1")
        assert effects[1] == SignalDisconnected(
            code=1006, reason="", will_resume=False, graceful=False
        )
        assert isinstance(effects[2], Wait)
        assert machine.on_wait_over(6.0) == [Connect(resume_session_id=None)]

    def test_abrupt_close_then_resume(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_resuming_enabled(0.0, ok=True)
        effects = machine.on_closed(10.0, code=1006, reason="")
        assert effects[0] == SignalDisconnected(
            code=1006, reason="", will_resume=True, graceful=False
        )
        wait = effects[1]
        assert isinstance(wait, Wait)
        assert wait.deadline_in == pytest.approx(60.0)
        assert machine.state is SessionState.WAITING
        assert machine.on_wait_over(11.0) == [Connect(resume_session_id="s1")]
        assert machine.on_open(11.0, resumed_header=True) == []
        effects = machine.on_ready(11.0, session_id="s1", resumed=True)
        assert effects == [
            EnableResuming(session_id="s1", timeout=60),
            Reconcile(session_id="s1", resumed=True),
            SignalReady(session_id="s1", resumed=True),
        ]
        assert machine.attempt == 0

    def test_graceful_close_is_told_apart(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        effects = machine.on_closed(1.0, code=1001, reason="Going away")
        assert effects[0] == SignalDisconnected(
            code=1001, reason="Going away", will_resume=True, graceful=True
        )

    def test_resume_refused_in_header_loses_the_session_once(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(2.0)
        assert machine.on_open(2.0, resumed_header=False) == [SessionLost(session_id="s1")]
        effects = machine.on_ready(2.0, session_id="s2", resumed=False)
        assert SessionLost not in kinds(effects)
        assert Reconcile(session_id="s2", resumed=False) in effects

    def test_resume_refused_only_in_ready_loses_the_session(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(2.0)
        assert machine.on_open(2.0, resumed_header=None) == []
        effects = machine.on_ready(2.0, session_id="s2", resumed=False)
        assert effects[0] == SessionLost(session_id="s1")
        assert Reconcile(session_id="s2", resumed=False) in effects

    def test_resumed_flag_with_another_session_id_is_not_a_resume(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(2.0)
        machine.on_open(2.0, resumed_header=None)
        effects = machine.on_ready(2.0, session_id="other", resumed=True)
        assert effects[0] == SessionLost(session_id="s1")
        assert Reconcile(session_id="other", resumed=False) in effects

    def test_deadline_passes_while_node_is_down(self) -> None:
        machine = make(timeout=30)
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_closed(100.0, code=1006, reason="")
        machine.on_wait_over(101.0)
        # the server is still down at the deadline
        assert machine.on_deadline(129.0) == []
        effects = machine.on_connect_failed(131.0, status=None, reason="refused")
        assert effects[0] == SessionLost(session_id="s1")
        assert isinstance(effects[1], Wait)
        assert effects[1].deadline_in is None
        assert machine.on_deadline(200.0) == []  # said once
        assert machine.on_wait_over(202.0) == [Connect(resume_session_id=None)]

    def test_deadline_effect_during_a_long_wait(self) -> None:
        machine = make(timeout=5)
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        wait = machine.on_closed(0.0, code=1006, reason="")[-1]
        assert isinstance(wait, Wait)
        assert wait.deadline_in == 5.0
        assert machine.on_deadline(5.0) == [SessionLost(session_id="s1")]

    def test_resuming_patch_failure_means_not_resumable(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_resuming_enabled(0.0, ok=False)
        effects = machine.on_closed(1.0, code=1006, reason="")
        assert effects[0] == SessionLost(session_id="s1")

    def test_a_failed_patch_after_a_resume_keeps_the_session_resumable(self) -> None:
        # The server keeps a session's resuming across resumes: a PATCH that fails after a
        # real resume (the socket dropped again: 404 or 500) does not make it unresumable.
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_resuming_enabled(0.0, ok=True)
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(2.0)
        machine.on_open(2.0, resumed_header=True)
        machine.on_ready(2.0, session_id="s1", resumed=True)
        machine.on_resuming_enabled(2.0, ok=False)
        effects = machine.on_closed(3.0, code=1006, reason="")
        assert effects[0] == SignalDisconnected(
            code=1006, reason="", will_resume=True, graceful=False
        )
        assert SessionLost(session_id="s1") not in effects
        machine.on_wait_over(4.0)
        assert machine.on_wait_over(4.0) == []  # connecting already
        assert machine.session_id == "s1"

    def test_a_failed_patch_on_a_new_session_after_a_resume_is_not_resumable(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_resuming_enabled(0.0, ok=True)
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(2.0)
        machine.on_open(2.0, resumed_header=False)  # refused: a new session follows
        machine.on_ready(2.0, session_id="s2", resumed=False)
        machine.on_resuming_enabled(2.0, ok=False)
        effects = machine.on_closed(3.0, code=1006, reason="")
        assert effects[0] == SessionLost(session_id="s2")

    def test_a_refused_connection_loses_a_session_awaiting_its_resume_at_once(self) -> None:
        # Nothing listens on the port: the process is gone, and its sessions with it.
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_resuming_enabled(0.0, ok=True)
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(1.5)
        effects = machine.on_connect_failed(1.5, status=None, reason="refused", refused=True)
        assert effects[0] == SessionLost(session_id="s1")  # not at the 60 s deadline
        assert isinstance(effects[1], Wait)
        machine.on_wait_over(2.0)
        again = machine.on_connect_failed(2.0, status=None, reason="refused", refused=True)
        assert [e for e in again if isinstance(e, SessionLost)] == []  # lost once

    def test_an_unreachable_server_keeps_the_session_until_its_deadline(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        machine.on_resuming_enabled(0.0, ok=True)
        machine.on_closed(1.0, code=1006, reason="")
        machine.on_wait_over(1.5)
        effects = machine.on_connect_failed(1.5, status=None, reason="timed out")
        assert [e for e in effects if isinstance(e, SessionLost)] == []
        effects = machine.on_wait_over(61.5)  # the deadline passed: lost then, not before
        assert effects[0] == SessionLost(session_id="s1")

    def test_a_refused_first_connect_has_no_session_to_lose(self) -> None:
        machine = make()
        machine.start(0.0)
        effects = machine.on_connect_failed(0.0, status=None, reason="refused", refused=True)
        assert [type(e) for e in effects] == [Wait]

    @pytest.mark.parametrize("status", [401, 403])
    def test_auth_failure_gives_up(self, status: int) -> None:
        machine = make()
        machine.start(0.0)
        assert machine.on_connect_failed(0.0, status=status, reason="no") == [
            GiveUp(status=status, reason="no")
        ]
        assert machine.state is SessionState.STOPPED
        assert machine.on_wait_over(1.0) == []

    @pytest.mark.parametrize("status", [None, 400, 404, 500, 502, 503])
    def test_transient_failures_never_give_up(self, status: int | None) -> None:
        machine = make()
        machine.start(0.0)
        for attempt in range(50):
            effects = machine.on_connect_failed(float(attempt), status=status, reason="x")
            assert kinds(effects) == [Wait]
            assert machine.on_wait_over(float(attempt)) == [Connect(resume_session_id=None)]
        assert machine.attempt == 50

    def test_stored_session_is_offered_on_first_connect(self) -> None:
        machine = make(session_id="stored")
        assert machine.start(0.0) == [Connect(resume_session_id="stored")]
        machine.on_open(0.0, resumed_header=True)
        effects = machine.on_ready(0.0, session_id="stored", resumed=True)
        assert Reconcile(session_id="stored", resumed=True) in effects

    def test_close_before_ready_just_waits(self) -> None:
        machine = make()
        machine.start(0.0)
        machine.on_open(0.0, resumed_header=None)
        assert kinds(machine.on_closed(0.5, code=1006, reason="")) == [Wait]

    def test_stop_silences_everything(self) -> None:
        machine = make()
        machine.start(0.0)
        ready(machine, 0.0, "s1")
        assert machine.stop() == []
        assert machine.on_closed(1.0, code=1000, reason="") == []
        assert machine.on_ready(1.0, session_id="x", resumed=False) == []
        assert machine.on_open(1.0, resumed_header=None) == []
        assert machine.on_connect_failed(1.0, status=None, reason="") == []
        assert machine.state is SessionState.STOPPED


class SessionMachine(RuleBasedStateMachine):
    """Random sequences of wire happenings keep the machine's promises."""

    def __init__(self) -> None:
        super().__init__()
        self.machine = make(timeout=20)
        self.now = 0.0
        self.lost: list[str] = []
        self.connects = 0
        self.ready_sessions: list[str] = []
        self.counter = 0
        self.offered: str | None = None
        self.header: bool | None = None
        self.effects = self.machine.start(self.now)
        self._absorb(self.effects)

    def _absorb(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, SessionLost):
                self.lost.append(effect.session_id)
            elif isinstance(effect, Connect):
                self.connects += 1
                # a session the machine declared lost is never offered for resuming
                assert effect.resume_session_id not in self.lost
                self.offered = effect.resume_session_id
            elif isinstance(effect, SignalReady):
                self.ready_sessions.append(effect.session_id)
            elif isinstance(effect, Wait):
                assert 0 < effect.delay <= 8.0

    @rule(dt=st.floats(0, 30))
    def tick(self, dt: float) -> None:
        self.now += dt
        self._absorb(self.machine.on_deadline(self.now))

    @precondition(lambda self: self.machine.state is SessionState.CONNECTING)
    @rule(resumed=st.sampled_from([True, False, None]))
    def open(self, resumed: bool | None) -> None:
        self.header = resumed
        self._absorb(self.machine.on_open(self.now, resumed_header=resumed))

    @precondition(lambda self: self.machine.state is SessionState.CONNECTING)
    @rule(status=st.sampled_from([None, 500, 502]))
    def refuse(self, status: int | None) -> None:
        self._absorb(self.machine.on_connect_failed(self.now, status=status, reason=""))

    @precondition(lambda self: self.machine.state is SessionState.OPEN)
    @rule(resume=st.booleans())
    def get_ready(self, resume: bool) -> None:
        # A server only resumes the session the client offered in Session-Id.
        # and never after saying Session-Resumed: false in the handshake.
        # and never a session whose resume deadline has passed (the server expired it too).
        if (
            resume
            and self.offered is not None
            and self.header is not False
            and self.offered not in self.lost
        ):
            session_id = self.offered
        else:
            self.counter += 1
            session_id = f"s{self.counter}"
        self._absorb(self.machine.on_ready(self.now, session_id=session_id, resumed=resume))

    @precondition(lambda self: self.machine.state in (SessionState.OPEN, SessionState.READY))
    @rule(code=st.sampled_from([1000, 1001, 1006, 4000]))
    def close(self, code: int) -> None:
        self._absorb(self.machine.on_closed(self.now, code=code, reason=""))

    @precondition(lambda self: self.machine.state is SessionState.WAITING)
    @rule()
    def wait_over(self) -> None:
        self._absorb(self.machine.on_wait_over(self.now))

    @invariant()
    def each_session_is_lost_at_most_once(self) -> None:
        assert len(self.lost) == len(set(self.lost))

    @invariant()
    def never_stopped_without_auth_failure(self) -> None:
        assert self.machine.state is not SessionState.STOPPED

    @invariant()
    def ready_means_a_session(self) -> None:
        if self.machine.state is SessionState.READY:
            assert self.machine.session_id is not None


TestSessionMachine = SessionMachine.TestCase
TestSessionMachine.settings = settings(max_examples=80, stateful_step_count=30, deadline=None)
