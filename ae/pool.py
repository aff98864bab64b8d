"""Where background trainings wait for their turn: a bounded pool, one per server process.

At most `max_running` jobs train at once; up to `max_waiting` more wait in arrival order, and one more
is refused (`QueueFull`) rather than left to wait for an hour. Knows nothing about Streamlit.
"""
from __future__ import annotations

import threading
from collections import deque
from typing import Callable, TypeVar

from . import env

T = TypeVar("T")


class QueueFull(RuntimeError):
    """The training queue is full; `waiting` runs are ahead. Try again later."""

    def __init__(self, waiting: int):
        super().__init__(f"the training queue is full ({waiting} runs are waiting); try again later")
        self.waiting = waiting


class TrainingPool:
    """At most `max_running` jobs train at once; the others wait their turn in arrival order."""

    def __init__(self, max_running: int = 1, max_waiting: int | None = None):
        if not (isinstance(max_running, int) and max_running >= 1):
            raise ValueError(f"max_running must be a positive whole number, got {max_running!r}")
        self.max_running = max_running
        self.max_waiting = max_waiting      # None: no limit
        self._cond = threading.Condition()
        self._waiting: deque = deque()
        self._running: set = set()

    def admit(self, job) -> None:
        """Take `job` into the queue now (before its thread starts), or raise QueueFull."""
        with self._cond:
            full = self.max_waiting is not None and len(self._running) >= self.max_running \
                and len(self._waiting) >= self.max_waiting
            if full:
                raise QueueFull(len(self._waiting))
            self._waiting.append(job)

    def enter(self, job) -> bool:
        """Block until it is `job`'s turn (True) or it was stopped while waiting (False)."""
        with self._cond:
            if job not in self._waiting:
                self._waiting.append(job)
            try:
                while True:
                    if job.stop_requested:
                        return False
                    if self._waiting[0] is job and len(self._running) < self.max_running:
                        self._running.add(job)
                        return True
                    self._cond.wait(0.5)   # stop() notifies; the timeout is only a safety net
            finally:
                self._waiting.remove(job)
                self._cond.notify_all()    # the next in line may go now

    def leave(self, job) -> None:
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def position(self, job) -> int | None:
        """1 for the next job to start, 2 after it, ...; None when not waiting."""
        with self._cond:
            for i, j in enumerate(self._waiting):
                if j is job:
                    return i + 1
        return None

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)


_SHARED: dict[str, object] = {}
_SHARED_LOCK = threading.Lock()


def process_wide(name: str, make: Callable[[], T]) -> T:
    """One object per server process, made on first use and shared by every browser session."""
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = make()
        return _SHARED[name]


def default_pool() -> TrainingPool:
    """The process-wide pool: AE_MAX_TRAININGS run at once, AE_MAX_QUEUE wait, whoever started them."""
    return process_wide("pool", lambda: TrainingPool(env.max_trainings(), env.max_queue()))


__all__ = ["TrainingPool", "QueueFull", "default_pool", "process_wide"]
