"""Training runs kept by token across page reloads: a reload starts a new browser session, and the
shelf lets it take its run back instead of losing it. Knows nothing about Streamlit.
"""
from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING

from . import env
from .pool import process_wide

if TYPE_CHECKING:
    from .jobs import TrainingJob


class JobShelf:
    """Jobs by a random token, so that a browser that reloads the page (and so gets a new session)
    can take its run back instead of losing it.

    Each job is held by the sessions that started or claimed it (two tabs may show the same run).
    When the last of them goes away the job waits `grace_s` seconds for a session to claim it with
    the token; after that an unfinished run is stopped and the job dropped: a closed tab must not
    hold a training slot, nor a model in memory, for ever.
    """

    def __init__(self, grace_s: float = 120.0):
        self.grace_s = grace_s
        self._lock = threading.Lock()
        self._jobs: dict[str, tuple[TrainingJob, set[str]]] = {}   # token -> (job, the sessions holding it)
        self._timers: dict[str, threading.Timer] = {}

    def add(self, job: "TrainingJob", owner: str) -> str:
        token = secrets.token_urlsafe(12)   # unguessable: whoever has it may watch and save the run
        with self._lock:
            self._jobs[token] = (job, {owner})
        return token

    def claim(self, token: str, owner: str) -> "TrainingJob | None":
        """The job behind `token`, now held by `owner` too; None when there is none (or no longer)."""
        with self._lock:
            entry = self._jobs.get(token)
            if entry is None:
                return None
            entry[1].add(owner)
            timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()
        return entry[0]

    def release(self, token: str, owner: str) -> None:
        """`owner` went away. When nobody else holds the job, it waits grace_s to be claimed."""
        with self._lock:
            entry = self._jobs.get(token)
            if entry is None or owner not in entry[1]:
                return
            entry[1].discard(owner)
            if entry[1]:
                return
            timer = threading.Timer(self.grace_s, self._expire, args=(token,))
            timer.daemon = True
            old, self._timers[token] = self._timers.get(token), timer
        if old is not None:
            old.cancel()
        timer.start()

    def discard(self, token: str) -> None:
        """Forget a job now (its session replaced it with a new run); a running one is not stopped."""
        with self._lock:
            self._jobs.pop(token, None)
            timer = self._timers.pop(token, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, token: str) -> None:
        with self._lock:
            entry = self._jobs.get(token)
            if entry is None or entry[1]:   # claimed in the meantime
                return
            del self._jobs[token]
            self._timers.pop(token, None)
        entry[0].stop("disconnected")

    def holders(self, token: str) -> int:
        """How many sessions show the job behind `token` (0 when there is none)."""
        with self._lock:
            entry = self._jobs.get(token)
            return len(entry[1]) if entry is not None else 0

    def __contains__(self, token: str) -> bool:
        with self._lock:
            return token in self._jobs

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)


def default_shelf() -> JobShelf:
    """The process-wide shelf: a reloaded page (a new session) finds its run here."""
    return process_wide("shelf", lambda: JobShelf(env.run_grace_s()))


__all__ = ["JobShelf", "default_shelf"]
