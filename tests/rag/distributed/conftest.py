"""A real local Ray cluster for the distributed tests: `ray start --head` with 2 CPUs, stopped at the end."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.query.server import _free_port


def _ray(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    ray = Path(sys.executable).parent / "ray"
    return subprocess.run([str(ray), *args], capture_output=True, text=True, timeout=180, check=check)


@pytest.fixture(scope="session")
def ray_address():
    """The address of a Ray cluster started for this session (head node, 2 CPUs), stopped at the end. Ray clusters
    take a token (Ray 2.59 on): one is made here and set in this process's environment, which the cluster, the
    test's own connections and the servers it starts all read."""
    saved = {k: os.environ.get(k) for k in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_USAGE_STATS_ENABLED")}
    # Before Ray is imported: it reads them once.
    os.environ.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32), RAY_USAGE_STATS_ENABLED="0")
    import ray  # noqa: F401  (the cluster extra is part of the dev install: missing, the tests fail, never skip)

    port = _free_port()
    started = _ray("start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                   "--disable-usage-stats", check=False)
    if started.returncode != 0:
        pytest.fail(f"ray start failed: {started.stdout[-2000:]}{started.stderr[-2000:]}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        _ray("stop", "--force", check=False)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def cluster_settings(base, address: str, **index):
    s = base.model_copy(deep=True)
    s.cluster.address = address
    for key, value in index.items():
        setattr(s.index, key, value)
    return s


def wait_until(check, timeout_s: float = 120.0, every_s: float = 0.2) -> bool:
    """Whether `check()` came true within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every_s)
    return False
