"""API fixtures: the app over the session's small real index, via TestClient and via a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def api_settings(index_settings, tmp_path_factory):
    s = index_settings.model_copy(deep=True)
    s.api.conversations_db = tmp_path_factory.mktemp("api") / "conversations.sqlite"
    s.api.max_body_bytes = 4096
    return s


@pytest.fixture(scope="session")
def client(api_settings, pipeline):
    from api.app import create_app

    with TestClient(create_app(api_settings, pipeline=pipeline)) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(settings, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GUIDEQA_INDEX__DIR=str(settings.index.dir),
        GUIDEQA_INDEX__NAME=settings.index.name,
        GUIDEQA_API__CONVERSATIONS_DB=str(settings.api.conversations_db),
        **extra,
    )
    return env


@pytest.fixture(scope="session")
def live_server(api_settings, built_index):
    """`guideqa serve` in its own process on a loopback port, stopped at the end of the session."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env(api_settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early: {proc.stdout.read()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("server did not become ready in 120 s")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
