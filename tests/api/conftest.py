"""API fixtures: the app over the session's small real index, via TestClient and via a real uvicorn server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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


def scratch_settings(settings, root: Path):
    """`settings` over a private copy of its index under `root` (same name, same layout: a link into .builds), with
    their own uploads folder and conversations: for tests that change an index, which the session's must never be."""
    built = (settings.index.dir / settings.index.name).resolve()
    copy = root / "indexes" / ".builds" / built.name
    shutil.copytree(built, copy)
    (root / "indexes" / settings.index.name).symlink_to(os.path.relpath(copy, root / "indexes"))
    s = settings.model_copy(deep=True)
    s.index.dir = root / "indexes"
    s.api.uploads_dir = root / "uploads"
    s.api.conversations_db = root / "conversations.sqlite"
    return s


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
def live_server(api_settings, built_index, tmp_path_factory):
    """`guideqa serve` in its own process on a loopback port (the benchmark's launcher), stopped at the end."""
    from benchmarks.query.server import running_server

    with running_server(api_settings, tmp_path_factory.mktemp("serve") / "server.log") as (base, *_):
        yield base


@pytest.fixture(scope="module")
def docs_live_server(api_settings, built_index, tmp_path_factory):
    """`guideqa serve` over a private copy of the test index, for tests that add and remove documents."""
    from benchmarks.query.server import running_server

    root = tmp_path_factory.mktemp("serve-docs")
    with running_server(scratch_settings(api_settings, root), root / "server.log") as (base, *_):
        yield base


@pytest.fixture(scope="session")
def llm_live_server(api_settings, built_index, tmp_path_factory):
    """`guideqa serve` with the LLM writer, talking to the OpenAI-compatible stub (which adds an unsupported
    sentence and a bogus citation); unsupported sentences are kept and marked, so the page must show them."""
    from benchmarks.query.server import running_server
    from rag.settings import Settings
    from tests.stubs.llm_server import StubConfig, running_stub

    db = tmp_path_factory.mktemp("api-llm") / "conversations.sqlite"
    with running_stub(StubConfig(faults=["unsupported", "bogus"])) as url:
        s = Settings(**(api_settings.model_dump() | {
            "api": api_settings.api.model_dump() | {"conversations_db": db},
            "writer": "llm", "llm": {"base_url": url, "model": "guideqa-stub", "unsupported": "mark"}}))
        with running_server(s, db.parent / "server.log") as (base, *_):
            yield base
