"""The guideqa side of a real `guideqa bench build` run: numbers consistent with the chunker and each other."""

from __future__ import annotations

import itertools

import pytest

from benchmarks.index_build.run import BuildBenchmark
from rag.indexing.embedding import resolve_backend
from tests.benchmarks.index_build.conftest import LIMIT


def test_guideqa_numbers_are_consistent(cli_run, mirror_settings):
    report = BuildBenchmark.model_validate_json(cli_run[1].read_text(encoding="utf-8"))
    [ours] = report.guideqa
    assert ours.backend == resolve_backend(mirror_settings.embedding.backend)  # the configured one by default
    assert ours.documents == LIMIT and ours.chunks > 0 and ours.tokens > ours.chunks
    assert ours.embedding_cache == {"reused": 0, "embedded": ours.chunks}  # cold: nothing came from a cache
    assert ours.tokens_per_second == pytest.approx(ours.tokens / ours.build_seconds)
    assert ours.chunks_per_second == pytest.approx(ours.chunks / ours.build_seconds)
    assert set(ours.stage_seconds) == {"chunk", "embed", "abbreviations", "faiss", "bm25", "store"}
    assert sum(ours.stage_seconds.values()) <= ours.build_seconds + 0.05  # stages are rounded to 0.01 s
    assert ours.peak_rss_mb > 100 and ours.index_mb > 0  # an encoder was loaded; files were written
    # Adding a document re-embeds only its chunks; every other vector comes from the cache.
    assert ours.added_documents == 1 and ours.added_build_seconds is not None
    assert ours.added_cache["reused"] == ours.chunks and ours.added_cache["embedded"] > 0


def test_guideqa_chunks_and_tokens_match_the_chunker(cli_run, mirror_settings, embedder):
    from rag.corpus.documents import iter_documents
    from rag.indexing.chunking import Chunker

    [ours] = BuildBenchmark.model_validate_json(cli_run[1].read_text(encoding="utf-8")).guideqa
    docs = list(itertools.islice(iter_documents(mirror_settings, preset="default"), LIMIT))
    chunker = Chunker(mirror_settings, embedder.count_tokens_batch, embedder.max_tokens)
    chunks = [c for d in docs for c in chunker.chunk(d)]
    assert ours.chunks == len(chunks)
    assert ours.tokens == sum(c.n_tokens for c in chunks)
