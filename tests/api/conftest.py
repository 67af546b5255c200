"""API fixtures: the app over the session's small real index, via TestClient and via a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

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


@contextmanager
def serving(settings, **env):
    """`guideqa serve` in its own process on a loopback port; yields its base URL, stops it after."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env(settings, **env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def live_server(api_settings, built_index):
    with serving(api_settings) as base:
        yield base


@pytest.fixture(scope="session")
def llm_live_server(api_settings, built_index, tmp_path_factory):
    """`guideqa serve` with the LLM writer, talking to the OpenAI-compatible stub (which adds an unsupported
    sentence and a bogus citation); unsupported sentences are kept and marked, so the page must show them."""
    from evals.llm_stub import StubConfig, running_stub

    s = api_settings.model_copy(deep=True)
    s.api.conversations_db = tmp_path_factory.mktemp("api-llm") / "conversations.sqlite"
    with running_stub(StubConfig(faults=["unsupported", "bogus"])) as url:
        with serving(s, GUIDEQA_WRITER="llm", GUIDEQA_LLM__BASE_URL=url, GUIDEQA_LLM__MODEL="guideqa-stub",
                     GUIDEQA_LLM__UNSUPPORTED="mark") as base:
            yield base
