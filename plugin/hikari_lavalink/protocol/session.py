"""The node session state machine, sans IO.

One [`NodeSession`][hikari_lavalink.protocol.session.NodeSession] per Lavalink node. The runtime
feeds it what happened on the wire (`on_*` methods, each taking the current monotonic time) and
carries out the *effects* it returns, in order. It decides when to reconnect, when a session counts
as resumed or lost, when resuming must be enabled and when players must be reconciled. It never does
IO, never sleeps and never reads a clock.

```
              start()                  on_open()             on_ready()
 IDLE ----------------> CONNECTING ---------------> OPEN -----------------> READY
                          ^   |  on_connect_failed          |  on_closed()    |
                          |   +--> WAITING (back-off) <-----+-----------------+
                          +-------------- on_wait_over() ---+
 any state --- stop() / fatal (401, 403) ---> STOPPED
```

While a resumable session is away, its deadline runs: once `resume_timeout` seconds have
passed since the socket closed, the server has destroyed the session and its players, and
the machine says [`SessionLost`][hikari_lavalink.protocol.session.SessionLost] (once), even if the
node is still unreachable.
"""

from __future__ import annotations

import enum
import typing

import msgspec

from hikari_lavalink.protocol.backoff import Backoff

__all__ = [
    "Connect",
    "EnableResuming",
    "Effect",
    "GiveUp",
    "NodeSession",
    "Reconcile",
    "SessionLost",
    "SessionState",
    "SignalDisconnected",
    "SignalReady",
    "Wait",
]

GOING_AWAY: typing.Final = 1001
"""Close code a Lavalink server sends on graceful shutdown (SIGTERM, 4.0.8+)."""


class SessionState(enum.Enum):
    """Where the node's connection is."""

    IDLE = "idle"
    CONNECTING = "connecting"
    OPEN = "open"
    READY = "ready"
    WAITING = "waiting"
    STOPPED = "stopped"


class _Effect(msgspec.Struct, frozen=True, kw_only=True):
    pass


class Connect(_Effect, frozen=True, kw_only=True):
    """Open the WebSocket; send `Session-Id: resume_session_id` when it is set."""

    resume_session_id: str | None


class Wait(_Effect, frozen=True, kw_only=True):
    """Sleep `delay` seconds, then call
    [`NodeSession.on_wait_over`][hikari_lavalink.protocol.session.NodeSession.on_wait_over].

    `deadline_in` (seconds from now) is when the resume deadline falls during the wait:
    call [`NodeSession.on_deadline`][hikari_lavalink.protocol.session.NodeSession.on_deadline] at
    that moment if the wait is still running.
    """

    delay: float
    deadline_in: float | None = None


class EnableResuming(_Effect, frozen=True, kw_only=True):
    """`PATCH /v4/sessions/{session_id}` with `resuming: true` and `timeout`."""

    session_id: str
    timeout: int


class Reconcile(_Effect, frozen=True, kw_only=True):
    """`GET /v4/sessions/{session_id}/players` and align local players with the server.

    `resumed` tells whether the server kept the players (resumed session) or whether
    they must be recreated on this new session.
    """

    session_id: str
    resumed: bool


class SignalReady(_Effect, frozen=True, kw_only=True):
    """Tell listeners the node is ready."""

    session_id: str
    resumed: bool


class SignalDisconnected(_Effect, frozen=True, kw_only=True):
    """Tell listeners the WebSocket closed; `will_resume` if the session may come back."""

    code: int
    reason: str
    will_resume: bool
    graceful: bool


class SessionLost(_Effect, frozen=True, kw_only=True):
    """The server destroyed `session_id` and every player on it."""

    session_id: str


class GiveUp(_Effect, frozen=True, kw_only=True):
    """Stop for good: retrying cannot help (the password was rejected)."""

    status: int
    reason: str


Effect: typing.TypeAlias = (
    Connect
    | Wait
    | EnableResuming
    | Reconcile
    | SignalReady
    | SignalDisconnected
    | SessionLost
    | GiveUp
)


class NodeSession:
    """The decisions of one node's connection.

    Parameters
    ----------
    resuming
        Whether to enable session resuming after each new session.
    resume_timeout
        Seconds the server keeps a disconnected session (sent in `EnableResuming`).
    backoff
        The reconnect back-off; its `cap` is the longest wait between attempts.
    session_id
        A session id to resume on the first connect (for example one persisted by a bot
        that restarted).
    """

    __slots__ = (
        "_backoff",
        "_deadline",
        "_lost_announced",
        "_resumable",
        "_resumed",
        "_session_id",
        "_state",
        "resume_timeout",
        "resuming",
    )

    def __init__(
        self,
        *,
        resuming: bool = True,
        resume_timeout: int = 60,
        backoff: Backoff | None = None,
        session_id: str | None = None,
    ) -> None:
        self.resuming: bool = resuming
        self.resume_timeout: int = resume_timeout
        self._backoff = backoff or Backoff()
        self._state = SessionState.IDLE
        self._session_id = session_id
        # A stored session id may be resumable; the server decides.
        self._resumable = session_id is not None
        self._resumed = False  # whether the last ready resumed its session
        self._deadline: float | None = None
        self._lost_announced = False

    # -- read-only state -------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """The current state."""
        return self._state

    @property
    def session_id(self) -> str | None:
        """The current (or last) Lavalink session id."""
        return self._session_id

    @property
    def attempt(self) -> int:
        """Reconnect attempts since the last ready."""
        return self._backoff.attempt

    # -- inputs ----------------------------------------------------------------------------

    def offer(self, session_id: str) -> None:
        """Before [`start`][hikari_lavalink.protocol.session.NodeSession.start]: try to resume
        `session_id` (a bot that restarted)."""
        if self._state is SessionState.IDLE:
            self._session_id = session_id
            self._resumable = True

    def start(self, now: float) -> list[Effect]:
        """Begin connecting."""
        if self._state is not SessionState.IDLE:
            return []
        self._state = SessionState.CONNECTING
        return [Connect(resume_session_id=self._resume_id())]

    def on_open(self, now: float, *, resumed_header: bool | None) -> list[Effect]:
        """The handshake succeeded; `resumed_header` is `Session-Resumed` if sent."""
        if self._state is not SessionState.CONNECTING:
            return []
        self._state = SessionState.OPEN
        if resumed_header is False and self._resume_id() is not None:
            # The server said no before ready: the old session and its players are gone.
            return self._lose(now)
        return []

    def on_ready(self, now: float, *, session_id: str, resumed: bool) -> list[Effect]:
        """The `ready` op arrived."""
        if self._state not in (SessionState.OPEN, SessionState.READY):
            return []
        effects: list[Effect] = []
        old = self._session_id
        # A session already declared lost (refused in the handshake header, or past its
        # deadline) is never treated as resumed, whatever ``ready`` says.
        really_resumed = resumed and old == session_id and not self._lost_announced
        if not really_resumed and old is not None and not self._lost_announced:
            effects.extend(self._lose(now))
        self._state = SessionState.READY
        self._session_id = session_id
        self._resumed = really_resumed
        self._resumable = False
        self._deadline = None
        self._lost_announced = False
        self._backoff.reset()
        if self.resuming:
            effects.append(EnableResuming(session_id=session_id, timeout=self.resume_timeout))
            self._resumable = True
        effects.append(Reconcile(session_id=session_id, resumed=really_resumed))
        effects.append(SignalReady(session_id=session_id, resumed=really_resumed))
        return effects

    def on_resuming_enabled(self, now: float, *, ok: bool) -> list[Effect]:
        """The resuming PATCH finished.

        `ok` False: a new session is not resumable; a resumed one stays resumable, as
        the server keeps a session's resuming setting across resumes (the PATCH failed
        most likely because the socket dropped again).
        """
        self._resumable = (ok or self._resumed) and self.resuming
        return []

    def on_closed(self, now: float, *, code: int, reason: str) -> list[Effect]:
        """The WebSocket closed (1006 when it died without a close frame)."""
        if self._state in (SessionState.STOPPED, SessionState.IDLE, SessionState.WAITING):
            return []
        was_ready = self._state is SessionState.READY
        graceful = code == GOING_AWAY
        effects: list[Effect] = []
        will_resume = False
        if was_ready:
            will_resume = self._resumable
            if will_resume:
                self._deadline = now + self.resume_timeout
            elif self._session_id is not None:
                effects.extend(self._lose(now))
            effects.append(
                SignalDisconnected(
                    code=code, reason=reason, will_resume=will_resume, graceful=graceful
                )
            )
        effects.append(self._wait(now))
        return effects

    def on_connect_failed(
        self, now: float, *, status: int | None, reason: str, refused: bool = False
    ) -> list[Effect]:
        """The handshake failed: `status` is the HTTP status, `None` for a network error.

        `refused`: the server's port refused the connection. Nothing listens there: the
        Lavalink process is gone, and a restarted one has no old sessions, so a session
        awaiting its resume is lost at once (its players can move now), not at its deadline.
        """
        if self._state is not SessionState.CONNECTING:
            return []
        if status in (401, 403):
            self._state = SessionState.STOPPED
            return [GiveUp(status=status, reason=reason)]
        awaiting = self._deadline is not None and self._session_id is not None
        if refused and awaiting and not self._lost_announced:
            effects = self._lose(now)
        else:
            effects = self.on_deadline(now)
        effects.append(self._wait(now))
        return effects

    def on_deadline(self, now: float) -> list[Effect]:
        """Check the resume deadline; says
        [`SessionLost`][hikari_lavalink.protocol.session.SessionLost] once when it has passed."""
        if (
            self._deadline is not None
            and now >= self._deadline
            and self._state is not SessionState.READY
            and not self._lost_announced
            and self._session_id is not None
        ):
            return self._lose(now)
        return []

    def on_wait_over(self, now: float) -> list[Effect]:
        """The back-off wait ended: connect again."""
        if self._state is not SessionState.WAITING:
            return []
        effects = self.on_deadline(now)
        self._state = SessionState.CONNECTING
        effects.append(Connect(resume_session_id=self._resume_id()))
        return effects

    def stop(self) -> list[Effect]:
        """The user closes the node: no more effects, ever."""
        self._state = SessionState.STOPPED
        return []

    # -- helpers ---------------------------------------------------------------------------

    def _resume_id(self) -> str | None:
        if self._resumable and not self._lost_announced:
            return self._session_id
        return None

    def _lose(self, now: float) -> list[Effect]:
        assert self._session_id is not None
        self._lost_announced = True
        self._resumable = False
        self._deadline = None
        return [SessionLost(session_id=self._session_id)]

    def _wait(self, now: float) -> Wait:
        self._state = SessionState.WAITING
        deadline_in = None
        if self._deadline is not None and not self._lost_announced:
            deadline_in = max(0.0, self._deadline - now)
        return Wait(delay=self._backoff.next_delay(), deadline_in=deadline_in)
