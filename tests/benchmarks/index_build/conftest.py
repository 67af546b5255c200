"""Shared by the build benchmark tests: made-up results, and one real CLI run (both sides) for the whole package."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from benchmarks.index_build.baseline import BaselineBuild
from benchmarks.index_build.guideqa import GuideqaBuild
from rag.cli import app

LIMIT = 2


def _ours(backend: str = "torch", seconds: float = 2.0) -> GuideqaBuild:
    return GuideqaBuild(backend=backend, documents=4, chunks=40, tokens=6000, load_seconds=0.5, model_load_seconds=1.5,
                        build_seconds=seconds, chunks_per_second=40 / seconds, tokens_per_second=6000 / seconds,
                        stage_seconds={"embed": seconds}, embedding_cache={"reused": 0, "embedded": 40},
                        peak_rss_mb=600.0, index_mb=1.0)


def _base(seconds: float = 5.0) -> BaselineBuild:
    return BaselineBuild(documents=4, chunks=25, tokens=5000, truncated_chunks=0, load_seconds=0.5, model_load_seconds=1.0,
                         build_seconds=seconds, chunks_per_second=25 / seconds, tokens_per_second=5000 / seconds,
                         stage_seconds={"embed+faiss": seconds}, peak_rss_mb=500.0, index_mb=0.5)


@pytest.fixture(scope="package")
def cli_run(mirror_settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "nested" / "build.json"
    result = CliRunner().invoke(app, ["bench", "build", "--limit-docs", str(LIMIT), "--add-docs", "1", "--out", str(out)])
    return result, out
