"""`guideqa bench query`: query-path latency (in process and through the HTTP server) and index memory.

Four measurements on one named index:

1. in process, one thread: `Pipeline.retrieve` and `Pipeline.ask` over real questions, with the
   mean of each stage of `answer.timings_ms`;
2. a real `guideqa serve` subprocess under `POST /v1/answers` load at several concurrency levels;
3. the usual LangChain recipe (langchain-community FAISS + HuggingFaceEmbeddings) over the same
   chunks and vectors, timing `similarity_search`;
4. the index's RAM (measured in a fresh process) and disk size next to its raw float32 vectors.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import BaseModel, Field

from benchmarks.common import (
    LatencyStats,
    Machine,
    folder_bytes,
    settings_or_exit,
    write_json,
)

DEFAULT_OUT = Path("reports/bench/query.json")
STAGES = ("rewrite", "embed_query", "retrieve", "score_sentences", "compose", "total")
WARMUP = 3
READY_TIMEOUT_S = 180.0
REQUEST_TIMEOUT_S = 300.0

Note = Callable[[str], None]


# --------------------------------------------------------------------------- result models


class QuestionSample(BaseModel):
    seed: int
    total: int
    pubmedqa: int
    guideline_dev: int


class InProcessResult(BaseModel):
    """One thread, one loaded Pipeline; warm-up calls are not timed."""

    warmup_calls: int
    retrieve: LatencyStats = Field(description="pipeline.retrieve(q): rewrite-free hybrid retrieval, hits fetched.")
    ask: LatencyStats = Field(description="pipeline.ask(q): the whole answer, timed from outside.")
    stage_means_ms: dict[str, float] = Field(description="Mean of answer.timings_ms per stage.")
    abstained: int = Field(description="Answers that abstained (they skip part of composing).")


class ServerLevel(BaseModel):
    concurrency: int
    warmup_requests: int = Field(description="Untimed requests sent first (opens connections and worker threads).")
    requests: int
    ok: int
    non_200: int = Field(description="Responses with another status plus requests that failed outright.")
    statuses: dict[str, int] = Field(description="Count per HTTP status (or exception name).")
    latency: LatencyStats | None = Field(description="Client-side latency of the 200 responses.")
    wall_seconds: float
    requests_per_second: float = Field(description="200 responses per second of wall time.")


class ServerResult(BaseModel):
    command: list[str]
    startup_seconds: float = Field(description="From process start to the first 200 from /readyz.")
    rss_bytes_ready: int | None = Field(description="Server process RSS once ready.")
    rss_bytes_peak: int | None = Field(description="Server process peak RSS (VmHWM) after the load.")
    levels: list[ServerLevel]


class BaselineResult(BaseModel):
    recipe: str
    embeddings: str
    model_path: str
    k: int
    chunks: int
    build_seconds: float = Field(description="FAISS.from_embeddings over the stored vectors (no encoding).")
    search: LatencyStats = Field(description="similarity_search(q, k): query encoding plus flat L2 search.")
    mean_results: float


class MemoryResult(BaseModel):
    chunks: int
    dimensions: int
    index_rss_bytes: int = Field(description="RSS after load_index minus before, in a fresh process, imports done first.")
    disk_bytes: int = Field(description="All files in the index folder.")
    raw_vector_bytes: int = Field(description="chunks x dimensions x 4 (float32).")
    rss_bytes_per_chunk: float
    disk_bytes_per_chunk: float
    raw_vector_bytes_per_chunk: float
    rss_to_raw_ratio: float
    disk_to_raw_ratio: float


class FocusLevel(BaseModel):
    rescore_top: int = Field(description="Shortlisted sentences re-encoded on their own (0: stored vectors only).")
    top1_agreement: float = Field(description="Share of questions whose best sentence is the independently encoded best.")
    top3_overlap: float = Field(description="Mean overlap of the top 3 with the independently encoded top 3.")
    pick_quality: float = Field(description="Independent score of the picked best sentence / the best independent score.")


class FocusResult(BaseModel):
    """How well answer sentences are ranked, against encoding every candidate sentence on its own."""

    questions: int
    mean_candidates: float
    configured_rescore_top: int
    levels: list[FocusLevel]


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


# --------------------------------------------------------------------------- questions


def sample_questions(settings, n: int, seed: int) -> tuple[list[str], QuestionSample]:
    """A seeded mix of real questions: up to half from our guideline dev set, the rest from PubMedQA."""
    from evals.datasets import guideline_dev, pubmedqa

    if n < 1:
        raise ValueError("need at least one question")
    rng = random.Random(seed)
    guideline = [q.question for q in guideline_dev()]
    research = [q.question for q in pubmedqa(settings)]
    n_guideline = min(len(guideline), n // 2)
    n_research = min(len(research), n - n_guideline)
    chosen = rng.sample(guideline, n_guideline) + rng.sample(research, n_research)
    rng.shuffle(chosen)
    return chosen, QuestionSample(seed=seed, total=len(chosen), pubmedqa=n_research, guideline_dev=n_guideline)


# --------------------------------------------------------------------------- 1. in process


def bench_in_process(pipeline, questions: Sequence[str], baseline: "LangChainBaseline | None" = None,
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


def sentence_focus(pipeline, questions: Sequence[str], levels: Sequence[int] = (0, 4, 8)) -> FocusResult:
    """Rank each question's candidate sentences as answers do, and compare with independent encodings.

    Stored (late-pooled) sentence vectors carry their chunk's topic; re-encoding a shortlist fixes the
    ranking at a query-time cost. This measures how much of the ranking each shortlist size recovers.
    """
    import numpy as np

    from rag.answering.compose import candidates_from_hits, score_candidates

    agree: dict[int, list[tuple[float, float, float]]] = {n: [] for n in levels}
    sizes = []
    for q in questions:
        query_vector = pipeline.embedder.encode_queries([q])[0]
        hits = pipeline.retriever.search(q, query_vector=query_vector)
        cands = candidates_from_hits(hits, pipeline.index.sentence_vectors([h.chunk.id for h in hits]))
        if len(cands) < 2:
            continue
        sizes.append(len(cands))
        score_candidates(cands, query_vector, pipeline.embedder)
        stored = np.array([c.relevance for c in cands])
        truth = pipeline.embedder.encode_documents([c.text for c in cands]) @ query_vector
        best_true, top3_true = int(np.argmax(truth)), set(np.argsort(-truth)[:3].tolist())
        for n in levels:
            ranked = stored.copy()
            if n:  # the shortlist gets its independent scores, the rest drop out (as in gather_candidates)
                short = np.argsort(-stored)[:n]
                ranked = np.full(len(stored), -np.inf)
                ranked[short] = truth[short]
            pick = int(np.argmax(ranked))
            overlap = len(set(np.argsort(-ranked)[:3].tolist()) & top3_true) / min(3, len(cands))
            agree[n].append((float(pick == best_true), overlap, float(truth[pick] / max(truth.max(), 1e-9))))
    return FocusResult(
        questions=len(sizes), mean_candidates=round(float(np.mean(sizes)) if sizes else 0.0, 1),
        configured_rescore_top=pipeline.settings.answer.rescore_top,
        levels=[FocusLevel(rescore_top=n, **{k: round(float(np.mean([r[i] for r in rows])), 3) if rows else 0.0
                                          for i, k in enumerate(("top1_agreement", "top3_overlap", "pick_quality"))})
                for n, rows in agree.items()],
    )


# --------------------------------------------------------------------------- 2. server


def settings_env(settings) -> dict[str, str | None]:
    """Every setting as its GUIDEQA_* variable, so a subprocess runs with exactly these settings.

    None means "unset the variable" (the subprocess then uses that field's default).
    """
    from pydantic import SecretStr

    from rag.settings import environment_fields

    out: dict[str, str | None] = {}
    for key, value, _ in environment_fields(settings):
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is None:
            out[key] = None
        elif isinstance(value, (list, dict)):
            out[key] = json.dumps(value, default=str)  # pydantic-settings parses complex fields as JSON
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def subprocess_env(settings) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in settings_env(settings).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_rss(pid: int, field: str = "VmRSS") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@contextmanager
def running_server(settings, log_path: Path) -> Iterator[tuple[str, subprocess.Popen, list[str], float]]:
    """`guideqa serve` on a free loopback port; yields (base url, process, command, startup seconds). Always stopped."""
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "rag.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--index", settings.index.name]
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


async def _load(base: str, questions: Sequence[str], requests: int, concurrency: int, headers: dict[str, str],
                warmup: int) -> ServerLevel:
    import asyncio

    import httpx

    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # TCP_NODELAY, as browsers set it, so the client never adds Nagle delays of its own.
    import socket

    transport = httpx.AsyncHTTPTransport(limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S, transport=transport, headers=headers) as client:

        async def one(question: str) -> tuple[str, float]:
            async with sem:
                t0 = time.perf_counter()
                try:
                    response = await client.post("/v1/answers", json={"question": question})
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                return status, (time.perf_counter() - t0) * 1000

        # Warm-up opens the connections and the server's worker threads; not counted.
        await asyncio.gather(*(one(questions[i % len(questions)]) for i in range(warmup)))
        t0 = time.perf_counter()
        results = await asyncio.gather(*(one(questions[i % len(questions)]) for i in range(requests)))
        wall = time.perf_counter() - t0
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    ok_ms = [ms for status, ms in results if status == "200"]
    return ServerLevel(
        concurrency=concurrency,
        warmup_requests=warmup,
        requests=requests,
        ok=len(ok_ms),
        non_200=requests - len(ok_ms),
        statuses=statuses,
        latency=LatencyStats.of(ok_ms) if ok_ms else None,
        wall_seconds=round(wall, 3),
        requests_per_second=round(len(ok_ms) / wall, 3) if wall > 0 else 0.0,
    )


def bench_server(settings, questions: Sequence[str], requests: int, concurrency: Sequence[int], note: Note) -> ServerResult:
    import asyncio

    headers = {"X-API-Key": settings.api.api_keys[0]} if settings.api.api_keys else {}
    with tempfile.TemporaryDirectory(prefix="guideqa-bench-") as tmp:
        server_settings = settings.model_copy(deep=True)
        # Benchmark conversations go to a throwaway database, not the real one.
        server_settings.api.conversations_db = Path(tmp) / "conversations.sqlite"
        with running_server(server_settings, Path(tmp) / "server.log") as (base, proc, command, startup):
            note(f"server ready in {startup:.1f} s at {base}")
            rss_ready = _proc_rss(proc.pid)
            levels = []
            for c in concurrency:
                note(f"server: {requests} requests at concurrency {c}")
                levels.append(asyncio.run(_load(base, questions, requests, c, headers, warmup=c)))
            rss_peak = _proc_rss(proc.pid, "VmHWM")
    return ServerResult(command=command, startup_seconds=round(startup, 2), rss_bytes_ready=rss_ready,
                        rss_bytes_peak=rss_peak, levels=levels)


# --------------------------------------------------------------------------- 3. LangChain baseline


def stored_chunks(index_path: Path) -> tuple[list[str], "object"]:
    """Chunk texts in row order and the FAISS vectors (row = chunk row)."""
    import sqlite3

    import faiss

    from rag.indexing.index import DENSE, STORE

    con = sqlite3.connect(f"file:{index_path / STORE}?mode=ro", uri=True)
    try:
        texts = [r[0] for r in con.execute("SELECT text FROM chunks ORDER BY row")]
    finally:
        con.close()
    dense = faiss.read_index(str(index_path / DENSE))
    vectors = dense.reconstruct_n(0, dense.ntotal)
    if len(texts) != len(vectors):
        raise RuntimeError(f"{index_path}: {len(texts)} chunk texts but {len(vectors)} vectors")
    return texts, vectors


class LangChainBaseline:
    """The usual LangChain recipe over our chunks: FAISS.from_embeddings + HuggingFaceEmbeddings, k hits per query."""

    def __init__(self, settings, index_path: Path, k: int):
        import warnings

        from rag.indexing.embedding import resolve_model
        from rag.settings import hub_offline

        hub_offline(settings)  # HF_HUB_OFFLINE=1: the local model path only, no network
        from langchain_community.embeddings import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS

        texts, vectors = stored_chunks(index_path)
        self.k = k
        self.chunks = len(texts)
        self.model_path = resolve_model(settings.embedding.model)
        with warnings.catch_warnings():
            # Filter after the imports: langchain re-enables its own deprecation warnings when imported.
            warnings.simplefilter("ignore")
            embeddings = HuggingFaceEmbeddings(model_name=self.model_path, model_kwargs={"device": settings.embedding.device})
        t0 = time.perf_counter()
        self.store = FAISS.from_embeddings(list(zip(texts, vectors)), embedding=embeddings)
        self.build_seconds = time.perf_counter() - t0
        self.found = 0
        self.searches = 0

    def search(self, question: str) -> list:
        docs = self.store.similarity_search(question, k=self.k)
        self.found += len(docs)
        self.searches += 1
        return docs

    def result(self, search_ms: Sequence[float]) -> BaselineResult:
        return BaselineResult(
            recipe="langchain_community FAISS.from_embeddings(our chunk texts + stored vectors) + similarity_search",
            embeddings="langchain_community.embeddings.HuggingFaceEmbeddings (sentence-transformers, torch)",
            model_path=self.model_path,
            k=self.k,
            chunks=self.chunks,
            build_seconds=round(self.build_seconds, 3),
            search=LatencyStats.of(search_ms),
            mean_results=round(self.found / max(self.searches, 1), 3),
        )


# --------------------------------------------------------------------------- 4. memory

_MEMORY_PROBE = """
import gc, json, sys
import bm25s, faiss, numpy  # imported before the first reading: only the index's own data is counted
from benchmarks.common import rss_bytes
from rag.indexing.index import load_index
from rag.settings import Settings
settings = Settings.model_validate_json(sys.stdin.read())
gc.collect()
before = rss_bytes()
index = load_index(settings)
gc.collect()
after = rss_bytes()
print(json.dumps({"before": before, "after": after, "chunks": index.size, "dimensions": index.dense.d}))
"""


def measure_memory(settings, index_path: Path) -> MemoryResult:
    """Index RAM in a fresh interpreter, so nothing already loaded here hides or inflates it."""
    probe = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE], input=settings.model_dump_json(), capture_output=True, text=True,
        env=subprocess_env(settings), timeout=600,
    )
    if probe.returncode != 0:
        raise RuntimeError(f"memory probe failed: {probe.stderr[-2000:]}")
    data = json.loads(probe.stdout.strip().splitlines()[-1])
    chunks, dim = data["chunks"], data["dimensions"]
    rss = data["after"] - data["before"]
    disk = folder_bytes(index_path)
    raw = chunks * dim * 4
    return MemoryResult(
        chunks=chunks, dimensions=dim, index_rss_bytes=rss, disk_bytes=disk, raw_vector_bytes=raw,
        rss_bytes_per_chunk=round(rss / chunks, 1), disk_bytes_per_chunk=round(disk / chunks, 1),
        raw_vector_bytes_per_chunk=round(raw / chunks, 1),
        rss_to_raw_ratio=round(rss / raw, 3), disk_to_raw_ratio=round(disk / raw, 3),
    )


# --------------------------------------------------------------------------- the whole benchmark


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


# --------------------------------------------------------------------------- printing and CLI


def _ms(stats: LatencyStats | None) -> list[str]:
    if stats is None:
        return ["-"] * 4
    return [f"{stats.p50_ms:.1f}", f"{stats.p95_ms:.1f}", f"{stats.p99_ms:.1f}", f"{stats.mean_ms:.1f}"]


def _mib(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f} MiB"


def print_report(result: QueryBench, console) -> None:
    from rich.table import Table

    console.print(f"index {result.index!r} ({result.chunks} chunks, {result.backend}, {result.retrieval_mode}, k={result.k}); "
                  f"{result.sample.total} questions ({result.sample.guideline_dev} guideline, {result.sample.pubmedqa} PubMedQA), "
                  f"seed {result.sample.seed}; load average {result.machine.load_average} at start, "
                  f"{result.load_average_end} at end on {result.machine.cpu_count} CPUs")

    latency = Table("path", "n", "p50 ms", "p95 ms", "p99 ms", "mean ms", title="Query latency, one thread")
    latency.add_row("guideqa retrieve", str(result.in_process.retrieve.n), *_ms(result.in_process.retrieve))
    if result.baseline:
        latency.add_row("LangChain FAISS similarity_search", str(result.baseline.search.n), *_ms(result.baseline.search))
    latency.add_row("guideqa ask (full answer)", str(result.in_process.ask.n), *_ms(result.in_process.ask))
    console.print(latency)

    stages = Table("stage", "mean ms", "share of total", title="Where an answer's time goes (answer.timings_ms)")
    total = result.in_process.stage_means_ms.get("total") or 0.0
    for stage, ms in result.in_process.stage_means_ms.items():
        share = "" if stage == "total" or not total else f"{ms / total:.0%}"
        stages.add_row(stage, f"{ms:.2f}", share)
    console.print(stages)

    if result.server:
        srv = Table("clients", "requests", "non-200", "p50 ms", "p95 ms", "p99 ms", "mean ms", "req/s",
                    title=f"POST /v1/answers via guideqa serve (ready in {result.server.startup_seconds:.1f} s, "
                          f"RSS {_mib(result.server.rss_bytes_ready)}, peak {_mib(result.server.rss_bytes_peak)})")
        for level in result.server.levels:
            srv.add_row(str(level.concurrency), str(level.requests), str(level.non_200), *_ms(level.latency),
                        f"{level.requests_per_second:.2f}")
        console.print(srv)

    m = result.memory
    mem = Table("measure", "total", "bytes per chunk", "x raw float32", title=f"Index memory ({m.chunks} chunks x {m.dimensions} dims)")
    mem.add_row("RAM (load_index, fresh process)", _mib(m.index_rss_bytes), f"{m.rss_bytes_per_chunk:.0f}", f"{m.rss_to_raw_ratio:.2f}")
    mem.add_row("disk (index folder)", _mib(m.disk_bytes), f"{m.disk_bytes_per_chunk:.0f}", f"{m.disk_to_raw_ratio:.2f}")
    mem.add_row("raw float32 vectors", _mib(m.raw_vector_bytes), f"{m.raw_vector_bytes_per_chunk:.0f}", "1.00")
    console.print(mem)

    if result.focus:
        f = result.focus
        focus = Table("re-encoded shortlist", "best sentence agrees", "top-3 overlap", "pick quality",
                      title=f"Answer sentence ranking vs encoding every candidate on its own ({f.questions} questions, "
                            f"{f.mean_candidates} candidates each; configured: {f.configured_rescore_top})")
        for level in f.levels:
            focus.add_row("stored vectors only" if level.rescore_top == 0 else f"top {level.rescore_top}",
                          f"{level.top1_agreement:.3f}", f"{level.top3_overlap:.3f}", f"{level.pick_quality:.3f}")
        console.print(focus)


def parse_levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a comma-separated list of integers") from None
    if not levels or any(c < 1 for c in levels):
        raise typer.BadParameter("concurrency levels must be integers of at least 1")
    return levels


def register(app: typer.Typer) -> None:
    @app.command("query")
    def query(
        index: Annotated[Optional[str], typer.Option("--index", help="Index name (default: the configured one).")] = None,
        questions: Annotated[int, typer.Option("--questions", min=1, help="Questions for the in-process and baseline timings.")] = 200,
        requests: Annotated[int, typer.Option("--requests", min=1, help="POST /v1/answers requests per concurrency level.")] = 200,
        concurrency: Annotated[str, typer.Option("--concurrency", help="Comma-separated concurrency levels.")] = "1,8",
        skip_server: Annotated[bool, typer.Option("--skip-server", help="Do not start guideqa serve.")] = False,
        skip_baseline: Annotated[bool, typer.Option("--skip-baseline", help="Do not time the LangChain baseline.")] = False,
        out: Annotated[Path, typer.Option("--out", help="Where the JSON result goes.")] = DEFAULT_OUT,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the question sample.")] = 0,
        focus_questions: Annotated[int, typer.Option("--focus-questions", min=0,
                                                     help="Questions for the sentence-ranking check (0 skips it).")] = 60,
    ) -> None:
        """Query latency in process and through the server, the LangChain baseline, and index memory."""
        from rich.console import Console

        from rag.indexing.embedding import EmbeddingError
        from rag.indexing.index import GuideIndexError

        console, err = Console(), Console(stderr=True)
        levels = parse_levels(concurrency)
        settings = settings_or_exit(err)
        try:
            result = run_query_bench(settings, index=index, questions=questions, requests=requests, concurrency=levels,
                                     skip_server=skip_server, skip_baseline=skip_baseline, seed=seed,
                                     focus_questions=focus_questions,
                                     note=lambda message: err.print(f"[dim]{message}[/dim]"))
        except (GuideIndexError, EmbeddingError, RuntimeError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        print_report(result, console)
        console.print(f"wrote {write_json(result, out)}")
