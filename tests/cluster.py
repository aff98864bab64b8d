"""A Ray head of its own for the tests and the scale benchmark: `ray start --head --block` on 127.0.0.1,
with a small object store, a private temporary folder and an authentication token of its own, stopped
by its process group id (never `ray stop`, which would stop every Ray on the machine).

    head = start_head(cpus=2)       # head.address, head.env (to give the app servers and drivers)
    ...
    stop_head(head)
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.live import free_port

STARTED = "Ray runtime started"


def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None


@dataclass
class Head:
    proc: subprocess.Popen
    address: str            # 127.0.0.1:PORT, what AE_RAY_ADDRESS gets
    env: dict               # what every process of this cluster needs in its environment
    folder: Path            # Ray's session files and this head's log

    @property
    def log(self) -> str:
        try:
            return (self.folder / "head.log").read_text(errors="replace")
        except OSError:
            return ""


def start_head(cpus: int = 2, object_store_mb: int = 80, timeout: float = 180.0) -> Head:
    """Start a head; returns once Ray says it runs. Its services listen on 127.0.0.1 only
    (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 makes Ray take the loopback address as the node's) and ask
    every client for the token in head.env."""
    folder = Path(tempfile.mkdtemp(prefix="aeray-", dir="/tmp"))   # short: Ray's socket paths must fit 107 bytes
    env = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16),
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
    port = free_port()
    log = open(folder / "head.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block", f"--port={port}",
         f"--num-cpus={cpus}", f"--object-store-memory={object_store_mb * 2**20}", "--include-dashboard=false",
         "--disable-usage-stats", f"--temp-dir={folder}"],
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    head = Head(proc, f"127.0.0.1:{port}", env, folder)
    deadline = time.monotonic() + timeout
    while STARTED not in head.log:
        if proc.poll() is not None or time.monotonic() > deadline:
            text = head.log
            stop_head(head)
            raise RuntimeError(f"the Ray head did not start:\n{text[-3000:]}")
        time.sleep(0.2)
    return head


def stop_head(head: Head) -> None:
    """Stop the head and everything it started (its process group: GCS, raylet, workers)."""
    try:
        os.killpg(head.proc.pid, signal.SIGKILL)   # SIGTERM would drain for 30 s first
    except ProcessLookupError:
        pass
    try:
        head.proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    shutil.rmtree(head.folder, ignore_errors=True)


__all__ = ["Head", "start_head", "stop_head", "ray_available"]
