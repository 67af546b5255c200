"""Start `guideqa serve` (`python -m rag.cli serve`) on a free loopback port and stop it afterwards."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from benchmarks.query.settings_env import subprocess_env

READY_TIMEOUT_S = 180.0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(settings, log_path: Path, extra_args: Sequence[str] = ()
                   ) -> Iterator[tuple[str, subprocess.Popen, list[str], float]]:
    """`guideqa serve` on a free loopback port; yields (base url, process, command, startup seconds). Always stopped.
    `extra_args` go to `guideqa serve` (e.g. --engine ray)."""
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--index", settings.index.name, *extra_args]
    started = time.perf_counter()
    # Output goes to a file, not a pipe nobody reads, so a chatty server can never block on a full pipe.
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, env=subprocess_env(settings), stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"guideqa serve exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"guideqa serve was not ready within {READY_TIMEOUT_S:.0f} s")
            time.sleep(0.3)
        yield base, proc, command, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
