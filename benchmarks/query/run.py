"""The whole query benchmark on one index: in process, sentence focus, server load, baseline and memory."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from pydantic import BaseModel, Field

from benchmarks.common import Machine, Note
from benchmarks.query.baseline import BaselineResult, LangChainBaseline
from benchmarks.query.focus import FocusResult, sentence_focus
from benchmarks.query.in_process import InProcessResult, bench_in_process
from benchmarks.query.load import ServerResult, bench_server
from benchmarks.query.memory import MemoryResult, measure_memory
from benchmarks.query.questions import QuestionSample, sample_questions


class QueryBench(BaseModel):
    index: str
    fingerprint: str
    model: str
    backend: str
    retrieval_mode: str
    k: int
    chunks: int
    machine: Machine
    load_average_end: tuple[float, float, float] | None = Field(description="Load average when the run finished.")
    torch_threads: int | None = Field(description="torch intra-op threads in this process (the server runs the same).")
    sample: QuestionSample
    in_process: InProcessResult
    server: ServerResult | None = None
    baseline: BaselineResult | None = None
    memory: MemoryResult
    focus: FocusResult | None = None
    notes: list[str] = Field(default_factory=list)


def _torch_threads() -> int | None:
    if "torch" not in sys.modules:  # the ONNX backends may never import it
        return None
    return int(sys.modules["torch"].get_num_threads())


def run_query_bench(
    settings=None,
    *,
    index: str | None = None,
    questions: int = 200,
    requests: int = 200,
    concurrency: Sequence[int] = (1, 8),
    skip_server: bool = False,
    skip_baseline: bool = False,
    seed: int = 0,
    focus_questions: int = 60,
    note: Note | None = None,
) -> QueryBench:
    """Run the benchmark on one index and return the result (nothing printed or written)."""
    from rag.pipeline import Pipeline
    from rag.settings import get_settings

    note = note or (lambda message: None)
    settings = get_settings(settings).model_copy(deep=True)
    if index:
        settings.index.name = index
    if requests < 1 or any(c < 1 for c in concurrency):
        raise ValueError("requests and concurrency levels must be at least 1")

    note(f"loading index {settings.index.name!r} and model")
    pipeline = Pipeline(settings)
    index_path = pipeline.index.path
    manifest = pipeline.index.manifest
    machine = Machine.now()
    qs, sample = sample_questions(settings, questions, seed)

    baseline = None
    if not skip_baseline:
        note(f"baseline: LangChain FAISS over {manifest.chunks} chunks")
        baseline = LangChainBaseline(settings, index_path, k=settings.retrieval.k)

    note(f"in process: {len(qs)} questions, retrieve (paired with the baseline) then ask")
    in_process, baseline_ms = bench_in_process(pipeline, qs, baseline)
    baseline_result = baseline.result(baseline_ms) if baseline else None
    focus = None
    if focus_questions:
        levels = sorted({0, 4, 8, settings.answer.rescore_top})
        note(f"sentence focus: {min(focus_questions, len(qs))} questions, shortlists {levels} against independent encoding")
        focus = sentence_focus(pipeline, qs[:focus_questions], levels)
    del pipeline, baseline  # free both index copies before the server loads its own (the encoder stays cached)

    server = None
    if not skip_server:
        server = bench_server(settings, qs, requests, concurrency, note)
    note("memory: loading the index in a fresh process")
    memory = measure_memory(settings, index_path)

    notes = [
        "Latencies are wall-clock on a shared machine; compare runs taken under similar load (load averages).",
        f"pipeline.retrieve = query encoding + {settings.retrieval.mode} retrieval + hit fetch from SQLite; the baseline = "
        "query encoding + flat dense search + docstore lookup. Each question is timed on both back to back.",
        "The baseline's query encoder is sentence-transformers on torch; ours runs the "
        f"{manifest.backend!r} backend the index was built with.",
        "Baseline documents hold the stored chunk text; the stored vectors were embedded with the title prefix.",
    ]
    try:
        load_end = tuple(round(x, 2) for x in os.getloadavg())
    except OSError:
        load_end = None
    return QueryBench(
        load_average_end=load_end, torch_threads=_torch_threads(), index=settings.index.name, fingerprint=manifest.fingerprint, model=manifest.model, backend=manifest.backend,
        retrieval_mode=settings.retrieval.mode, k=settings.retrieval.k, chunks=manifest.chunks, machine=machine,
        sample=sample, in_process=in_process, server=server, baseline=baseline_result, memory=memory, focus=focus, notes=notes,
    )
