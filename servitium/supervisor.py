"""Keeps the children of `servitium run` alive: the web server (granian) and the task worker (Huey).

A child that dies is started again after a short pause that grows with each crash; the log (standard error)
says which child died, with its exit code or signal, and that it was started again. A child that dies
`crash_limit` times within `crash_window` seconds is crash-looping: everything is stopped and `run` exits
non-zero, so the service manager (systemd) takes over. Standard library only: nothing here needs Django.

Each child runs in its own process group, so one that dies unexpectedly can be cleaned up whole (granian's
own worker processes outlive a killed granian main process and would keep the port), and each asks the
kernel to send it SIGTERM when this process dies, so a killed supervisor leaves nothing behind.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

PR_SET_PDEATHSIG = 1
STOP_TIMEOUT_S = 20.0


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A pre-exec hook: SIGTERM to the child when its parent (this process) ends, however it ends."""

    prctl = None
    if sys.platform.startswith("linux"):
        # Looked up here, in the parent: the forked child should only make the call.
        try:
            prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            prctl = None

    def hook() -> None:
        if prctl is not None:
            prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the hook ran
            os._exit(1)

    return hook


def describe_exit(returncode: int) -> str:
    """'exited with code 3' or 'was killed by signal SIGKILL (9)' for a Popen return code."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "an unknown signal"
        return f"was killed by signal {name} ({-returncode})"
    return f"exited with code {returncode}"


@dataclass
class Child:
    """One supervised program: what it is called in the log, and how it is started."""

    name: str
    argv: list[str]
    stop_signal: int = signal.SIGTERM
    process: subprocess.Popen | None = None
    crashes: collections.deque[float] = field(default_factory=collections.deque)
    restart_at: float | None = None


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        env: dict[str, str],
        *,
        crash_limit: int = 5,
        crash_window: float = 60.0,
        first_delay: float = 0.5,
        max_delay: float = 10.0,
        log: TextIO | None = None,
    ) -> None:
        self.children = children
        self.env = env
        self.crash_limit = crash_limit
        self.crash_window = crash_window
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.log_stream = log
        self.stopping = False

    def log(self, message: str) -> None:
        print(f"servitium: {message}", file=self.log_stream or sys.stderr, flush=True)

    def start(self, child: Child) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - our own fixed argument lists
            child.argv,
            env=self.env,
            start_new_session=True,
            preexec_fn=_die_with_parent(os.getpid()),
        )
        child.restart_at = None

    def _stop_signal(self, signum, _frame) -> None:
        self.stopping = True

    def run(self) -> int:
        """Start every child and keep them running until SIGTERM/SIGINT (0) or a crash loop (1)."""
        previous = {
            signum: signal.signal(signum, self._stop_signal) for signum in (signal.SIGTERM, signal.SIGINT)
        }
        status = 0
        try:
            for child in self.children:
                self.start(child)
                self.log(f"{child.name} started (pid {child.process.pid})")
            while not self.stopping:
                for child in self.children:
                    if not self._tend(child):
                        status, self.stopping = 1, True
                        break
                time.sleep(0.2)
        finally:
            self.stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return status

    def _tend(self, child: Child) -> bool:
        """Notice a death and schedule or perform the restart; False when the child crash-loops."""
        if self.stopping:
            return True
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                self.start(child)
                self.log(f"{child.name} restarted (pid {child.process.pid})")
            return True
        code = child.process.poll()
        if code is None:
            return True
        # Whatever the child left behind in its group (granian's workers) goes with it.
        _signal_group(child.process.pid, signal.SIGKILL)
        while child.crashes and now - child.crashes[0] > self.crash_window:
            child.crashes.popleft()
        child.crashes.append(now)
        what = f"{child.name} (pid {child.process.pid}) {describe_exit(code)}"
        if len(child.crashes) >= self.crash_limit:
            self.log(
                f"{what}; it died {len(child.crashes)} times within {self.crash_window:.0f} s, "
                "so it is not restarted again: stopping"
            )
            return False
        delay = min(self.max_delay, self.first_delay * 2 ** (len(child.crashes) - 1))
        self.log(f"{what}; restarting it in {delay:.1f} s")
        child.restart_at = now + delay
        return True

    def stop_all(self) -> None:
        """Its stop signal to every running child, then wait (up to STOP_TIMEOUT_S) and kill what is left."""
        children = [c for c in self.children if c.process is not None and c.restart_at is None]
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(child.stop_signal)
        running = [child.process for child in children]
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(f"pid {process.pid} did not stop within {STOP_TIMEOUT_S:.0f} s; killing it")
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
