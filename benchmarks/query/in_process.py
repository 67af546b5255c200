"""In-process latency on one thread: `Pipeline.retrieve` and `Pipeline.ask`, with each answer stage's mean."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from benchmarks.common import LatencyStats

if TYPE_CHECKING:
    from benchmarks.query.baseline import LangChainBaseline

STAGES = ("rewrite", "embed_query", "retrieve", "score_sentences", "compose", "total")
WARMUP = 3


class InProcessResult(BaseModel):
    """One thread, one loaded Pipeline; warm-up calls are not timed."""

    warmup_calls: int
    retrieve: LatencyStats = Field(description="pipeline.retrieve(q): rewrite-free hybrid retrieval, hits fetched.")
    ask: LatencyStats = Field(description="pipeline.ask(q): the whole answer, timed from outside.")
    stage_means_ms: dict[str, float] = Field(description="Mean of answer.timings_ms per stage.")
    abstained: int = Field(description="Answers that abstained (they skip part of composing).")


def bench_in_process(pipeline, questions: Sequence[str], baseline: LangChainBaseline | None = None,
                     warmup: int = WARMUP) -> tuple[InProcessResult, list[float]]:
    """Time retrieve (paired with the baseline's search on the same question, when given), then ask.

    Pairing matters on a shared machine: both sides see the same load, so their difference is fair.
    """
    # Warm-up pays for lazy imports, first FAISS/BM25 touches and allocator growth, which a server pays once.
    for q in questions[:warmup]:
        pipeline.retrieve(q)
        pipeline.ask(q)
        if baseline:
            baseline.search(q)
    retrieve_ms, baseline_ms = [], []
    for q in questions:
        t0 = time.perf_counter()
        pipeline.retrieve(q)
        retrieve_ms.append((time.perf_counter() - t0) * 1000)
        if baseline:
            t0 = time.perf_counter()
            baseline.search(q)
            baseline_ms.append((time.perf_counter() - t0) * 1000)
    ask_ms, stages, abstained = [], {s: [] for s in STAGES}, 0
    for q in questions:
        t0 = time.perf_counter()
        answer = pipeline.ask(q)
        ask_ms.append((time.perf_counter() - t0) * 1000)
        abstained += bool(answer.abstained)
        for stage, ms in answer.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    result = InProcessResult(
        warmup_calls=min(warmup, len(questions)),
        retrieve=LatencyStats.of(retrieve_ms),
        ask=LatencyStats.of(ask_ms),
        stage_means_ms={s: round(sum(v) / len(v), 3) for s, v in stages.items() if v},
        abstained=abstained,
    )
    return result, baseline_ms
