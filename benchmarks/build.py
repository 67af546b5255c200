"""`guideqa bench build`: index build speed and memory, guideqa against the usual LangChain recipe, in one run.

Both sides start from the same documents (the first N of a corpus preset) and end with
an index on disk:

  guideqa    rag.indexing.index.build_index, cold (no embedding cache): chunks -> vectors -> FAISS + BM25 + SQLite
  baseline   RecursiveCharacterTextSplitter(1000, 200) -> HuggingFaceEmbeddings -> FAISS.from_documents -> save_local

Every build runs in its own Python process (``python -m benchmarks.build JOB RESULT``), one
after another, so its timings and peak memory are its own and not the parent's or another
build's. Each process loads its documents and its model itself; those times are reported
apart from the build time, which is what the speed-up compares.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from pydantic import BaseModel, ConfigDict, Field

from benchmarks.common import (
    Machine,
    folder_bytes,
    peak_rss_bytes,
    settings_or_exit,
    write_json,
)
from benchmarks.eta import Recorder, StageEta, describe, eta_errors

BACKENDS = ("auto", "bf16", "torch", "onnx", "onnx-int8")
DEFAULT_OUT = Path("reports/bench/build.json")
BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_RECIPE = (
    f"langchain_text_splitters.RecursiveCharacterTextSplitter(chunk_size={BASELINE_CHUNK_SIZE}, "
    f"chunk_overlap={BASELINE_CHUNK_OVERLAP}) -> langchain_community HuggingFaceEmbeddings (defaults) -> "
    "FAISS.from_documents -> save_local"
)
_MB = 1024 * 1024


class BenchError(RuntimeError):
    """A benchmark cannot run or a worker failed; the message says why."""


# --------------------------------------------------------------------------- results


class GuideqaBuild(BaseModel):
    """One cold guideqa build: documents -> chunks -> vectors -> FAISS + BM25 + chunk store on disk."""

    model_config = ConfigDict(extra="forbid")
    pipeline: Literal["guideqa"] = "guideqa"
    backend: str = Field(description="Encoder backend (torch, onnx, onnx-int8).")
    documents: int
    chunks: int
    tokens: int = Field(description="Embedder word pieces over all chunks (title prefix and special tokens included).")
    load_seconds: float = Field(description="Reading the documents from the corpus (not part of build_seconds).")
    model_load_seconds: float = Field(description="Loading the encoder (not part of build_seconds).")
    build_seconds: float = Field(description="Wall time of build_index with the encoder loaded.")
    chunks_per_second: float
    tokens_per_second: float
    stage_seconds: dict[str, float] = Field(description="The manifest's wall time per build stage.")
    embedding_cache: dict[str, int] = Field(description="Vectors reused vs embedded (a cold build reuses none).")
    peak_rss_mb: float = Field(description="Peak resident memory of the worker process (documents, model and build).")
    index_mb: float = Field(description="Size of the index folder on disk.")
    eta: dict[str, StageEta] = Field(default_factory=dict, description="Progress-bar ETA error per stage (benchmarks/eta.py).")
    added_documents: int = Field(default=0, description="Documents added for the incremental rebuild (0: not run).")
    added_build_seconds: float | None = Field(
        default=None, description="Wall time of the rebuild after adding them, with the embedding cache warm.")
    added_cache: dict[str, int] = Field(default_factory=dict, description="That rebuild's vectors reused vs embedded.")
    added_stage_seconds: dict[str, float] = Field(default_factory=dict, description="That rebuild's stages.")


class BaselineBuild(BaseModel):
    """The usual LangChain recipe over the same documents."""

    model_config = ConfigDict(extra="forbid")
    pipeline: Literal["langchain"] = "langchain"
    recipe: str = BASELINE_RECIPE
    backend: str = Field(default="torch", description="HuggingFaceEmbeddings runs sentence-transformers on torch.")
    documents: int
    chunks: int
    tokens: int = Field(description="Word pieces the encoder processed (each chunk cut at the model's limit).")
    truncated_chunks: int = Field(description="Chunks longer than the model's limit, silently truncated by the encoder.")
    load_seconds: float
    model_load_seconds: float
    build_seconds: float = Field(description="Wall time of split + embed + FAISS + save_local with the model loaded.")
    chunks_per_second: float
    tokens_per_second: float
    stage_seconds: dict[str, float]
    peak_rss_mb: float
    index_mb: float


class Comparison(BaseModel):
    """How one guideqa build compares with the baseline (ratios > 1 favour guideqa)."""

    model_config = ConfigDict(extra="forbid")
    backend: str
    speedup: float = Field(description="baseline build_seconds / guideqa build_seconds.")
    end_to_end_speedup: float = Field(description="The same ratio with document and model loading included.")
    ms_per_chunk_guideqa: float
    ms_per_chunk_baseline: float
    ms_per_1k_tokens_guideqa: float
    ms_per_1k_tokens_baseline: float
    tokens_per_second_ratio: float = Field(description="guideqa tokens/s / baseline tokens/s.")
    peak_rss_ratio: float = Field(description="guideqa peak RSS / baseline peak RSS.")


class BuildBenchmark(BaseModel):
    model_config = ConfigDict(extra="forbid")
    preset: str
    limit_docs: int | None = Field(description="Only the first N documents of the preset, in corpus order.")
    model: str
    chunking: dict
    batch_size: int
    machine: Machine
    versions: dict[str, str]
    guideqa: list[GuideqaBuild]
    baseline: BaselineBuild | None
    comparisons: list[Comparison]


def compare(ours: GuideqaBuild, base: BaselineBuild) -> Comparison:
    ours_total = ours.load_seconds + ours.model_load_seconds + ours.build_seconds
    base_total = base.load_seconds + base.model_load_seconds + base.build_seconds
    return Comparison(
        backend=ours.backend,
        speedup=base.build_seconds / ours.build_seconds,
        end_to_end_speedup=base_total / ours_total,
        ms_per_chunk_guideqa=1000 * ours.build_seconds / ours.chunks,
        ms_per_chunk_baseline=1000 * base.build_seconds / base.chunks,
        ms_per_1k_tokens_guideqa=1e6 * ours.build_seconds / ours.tokens,
        ms_per_1k_tokens_baseline=1e6 * base.build_seconds / base.tokens,
        tokens_per_second_ratio=ours.tokens_per_second / base.tokens_per_second,
        peak_rss_ratio=ours.peak_rss_mb / base.peak_rss_mb,
    )


def _versions() -> dict[str, str]:
    from rag.versions import BUILD_BENCH_PACKAGES, package_versions

    return package_versions(BUILD_BENCH_PACKAGES, python=False)


# --------------------------------------------------------------------------- worker (child process)


class WorkerJob(BaseModel):
    """What one worker process builds; written to a JSON file by the parent."""

    model_config = ConfigDict(extra="forbid")
    side: Literal["guideqa", "baseline"]
    settings_json: str
    preset: str
    limit_docs: int | None
    work_dir: str
    add_docs: int = 0


def _load_documents(settings, preset: str, limit: int | None) -> tuple[list, float]:
    import itertools

    from rag.corpus.sources import iter_documents

    started = time.perf_counter()
    docs = list(itertools.islice(iter_documents(settings, preset=preset), limit))  # lazy: stops after `limit`
    seconds = time.perf_counter() - started
    if not docs:
        raise BenchError(f"preset {preset!r} yielded no documents (guideqa corpus fetch?)")
    return docs, seconds


def _guideqa_worker(job: WorkerJob) -> GuideqaBuild:
    import sqlite3

    from rag.indexing.embedding import get_embedder
    from rag.indexing.index import STORE, build_index
    from rag.settings import Settings

    settings = Settings.model_validate_json(job.settings_json)
    docs, load_seconds = _load_documents(settings, job.preset, job.limit_docs)

    started = time.perf_counter()
    embedder = get_embedder(settings)
    model_load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    progress = Recorder()
    path, manifest, _ = build_index(docs, settings, name="bench", embedder=embedder, use_cache=False, force=True,
                                    progress=progress)
    build_seconds = time.perf_counter() - started
    peak = peak_rss_bytes()  # before reading results back, which is not part of the build

    con = sqlite3.connect(f"file:{path.resolve() / STORE}?mode=ro", uri=True)
    try:
        tokens = int(con.execute("SELECT COALESCE(SUM(n_tokens), 0) FROM chunks").fetchone()[0])
    finally:
        con.close()
    added = _add_documents(settings, job, docs, embedder) if job.add_docs else {}
    return GuideqaBuild(
        **added,
        backend=manifest.backend,
        documents=manifest.documents,
        chunks=manifest.chunks,
        tokens=tokens,
        load_seconds=load_seconds,
        model_load_seconds=model_load_seconds,
        build_seconds=build_seconds,
        chunks_per_second=manifest.chunks / build_seconds,
        tokens_per_second=tokens / build_seconds,
        stage_seconds=manifest.stage_seconds,
        embedding_cache=manifest.embedding_cache,
        peak_rss_mb=peak / _MB,
        index_mb=folder_bytes(path) / _MB,
        eta=eta_errors(progress.samples),
    )


def _add_documents(settings, job: WorkerJob, docs: list, embedder) -> dict:
    """Rebuild after adding `job.add_docs` documents that were not indexed (the next ones of the preset, else of 'all')."""
    import itertools

    from rag.corpus.sources import iter_documents
    from rag.indexing.index import build_index

    have = {d.id for d in docs}
    pool = iter_documents(settings, preset=job.preset) if job.limit_docs else iter_documents(settings, preset="all")
    extra = list(itertools.islice((d for d in pool if d.id not in have), job.add_docs))
    started = time.perf_counter()
    _, manifest, _ = build_index(docs + extra, settings, name="bench", embedder=embedder, use_cache=True)
    return {"added_documents": len(extra), "added_build_seconds": time.perf_counter() - started,
            "added_cache": manifest.embedding_cache, "added_stage_seconds": manifest.stage_seconds}


def _baseline_text(doc) -> str:
    return "\n\n".join([doc.title, *(s.text for s in doc.sections)])


def _baseline_worker(job: WorkerJob) -> BaselineBuild:
    # The model is a local folder and there is no network: keep the hub client offline.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import warnings

    from rag.indexing.embedding import resolve_model
    from rag.settings import Settings

    settings = Settings.model_validate_json(job.settings_json)
    docs, load_seconds = _load_documents(settings, job.preset, job.limit_docs)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation notices below are expected
        from langchain_community.embeddings import HuggingFaceEmbeddings
        from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document as LCDocument
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        # langchain-community's HuggingFaceEmbeddings, not langchain-huggingface's: that package
        # needs huggingface_hub<2, which conflicts with this environment. Both wrap the same
        # SentenceTransformer; the recipe's defaults are kept (batch size 32, no normalisation).
        started = time.perf_counter()
        embeddings = HuggingFaceEmbeddings(model_name=resolve_model(settings.embedding.model))
        model_load_seconds = time.perf_counter() - started

    stages: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[stage], clock = round(now - clock, 4), now

    splitter = RecursiveCharacterTextSplitter(chunk_size=BASELINE_CHUNK_SIZE, chunk_overlap=BASELINE_CHUNK_OVERLAP)
    lc_docs = [LCDocument(page_content=_baseline_text(d), metadata={"id": d.id, "title": d.title}) for d in docs]
    chunks = splitter.split_documents(lc_docs)
    lap("split")
    if not chunks:
        raise BenchError("the baseline splitter produced no chunks")
    store = FAISS.from_documents(chunks, embeddings)  # embeds every chunk, then fills an IndexFlatL2
    lap("embed+faiss")
    out_dir = Path(job.work_dir) / "langchain_faiss"
    store.save_local(str(out_dir))  # writes index.faiss and a pickled docstore; measured for size, never loaded
    lap("save")
    build_seconds = time.perf_counter() - started
    peak = peak_rss_bytes()

    # Word pieces the encoder saw, counted after the timed build with the model's own tokenizer.
    model = embeddings.client
    limit = int(model.max_seq_length)
    counts = [len(ids) for ids in model.tokenizer([c.page_content for c in chunks], add_special_tokens=True,
                                                  truncation=False, verbose=False)["input_ids"]]
    tokens = sum(min(n, limit) for n in counts)
    return BaselineBuild(
        documents=len(docs),
        chunks=len(chunks),
        tokens=tokens,
        truncated_chunks=sum(n > limit for n in counts),
        load_seconds=load_seconds,
        model_load_seconds=model_load_seconds,
        build_seconds=build_seconds,
        chunks_per_second=len(chunks) / build_seconds,
        tokens_per_second=tokens / build_seconds,
        stage_seconds=stages,
        peak_rss_mb=peak / _MB,
        index_mb=folder_bytes(out_dir) / _MB,
    )


def _worker_main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.build JOB.json RESULT.json", file=sys.stderr)
        return 2
    job = WorkerJob.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    result = _guideqa_worker(job) if job.side == "guideqa" else _baseline_worker(job)
    Path(argv[1]).write_text(result.model_dump_json(), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- parent


def _isolated_settings(settings, work: Path, backend: str | None):
    """A copy of `settings` whose index and embedding cache live in `work`, so the build is cold and leaves nothing behind.

    The exported ONNX models are an install-time artefact, not a per-build cost: the
    worker's cache links to the real onnx/ folder so they are exported at most once.
    """
    s = settings.model_copy(deep=True)
    real_onnx = Path(settings.embedding.cache_dir) / "onnx"
    real_onnx.mkdir(parents=True, exist_ok=True)
    cache = work / "cache"
    cache.mkdir()
    (cache / "onnx").symlink_to(real_onnx.resolve(), target_is_directory=True)
    s.embedding.cache_dir = cache
    s.index.dir = work / "indexes"
    if backend is not None:
        s.embedding.backend = backend
    return s


def _run_worker(side: str, settings, preset: str, limit_docs: int | None, backend: str | None = None, add_docs: int = 0):
    with tempfile.TemporaryDirectory(prefix=f"guideqa-bench-{side}-") as tmp:
        work = Path(tmp)
        job = WorkerJob(side=side, settings_json=_isolated_settings(settings, work, backend).model_dump_json(),
                        preset=preset, limit_docs=limit_docs, work_dir=str(work), add_docs=add_docs)
        job_file, result_file = work / "job.json", work / "result.json"
        job_file.write_text(job.model_dump_json(), encoding="utf-8")
        env = dict(os.environ)
        repo = str(Path(__file__).resolve().parent.parent)  # importable even when not installed
        env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        proc = subprocess.run([sys.executable, "-m", "benchmarks.build", str(job_file), str(result_file)],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not result_file.exists():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise BenchError(f"the {side} build worker failed (exit {proc.returncode}):\n{tail}")
        model = GuideqaBuild if side == "guideqa" else BaselineBuild
        return model.model_validate_json(result_file.read_text(encoding="utf-8"))


def run_benchmark(
    settings,
    *,
    preset: str = "default",
    limit_docs: int | None = None,
    backends: list[str] | None = None,
    skip_baseline: bool = False,
    add_docs: int = 10,
    note=lambda message: None,
) -> BuildBenchmark:
    """Build once per guideqa backend, then the baseline, each in its own process, one at a time.

    Example:
        >>> report = run_benchmark(Settings(), limit_docs=20)  # doctest: +SKIP
        >>> report.comparisons[0].speedup
    """
    from rag.corpus.sources import load_manifest
    from rag.indexing.embedding import resolve_backend

    presets = load_manifest(settings).indexes
    if preset not in presets:
        raise BenchError(f"no preset named {preset!r} in {settings.corpus.manifest}; choose one of: {', '.join(presets)}")
    backends = backends or [resolve_backend(settings.embedding.backend)]
    machine = Machine.now()  # load average before our own work: other jobs skew the numbers
    ours = []
    for backend in backends:
        note(f"guideqa build ({backend})")
        ours.append(_run_worker("guideqa", settings, preset, limit_docs, backend, add_docs))
    base = None
    if not skip_baseline:
        note("LangChain baseline build")
        base = _run_worker("baseline", settings, preset, limit_docs)
    return BuildBenchmark(
        preset=preset,
        limit_docs=limit_docs,
        model=settings.embedding.model,
        chunking=settings.chunking.model_dump(mode="json"),
        batch_size=settings.embedding.batch_size,
        machine=machine,
        versions=_versions(),
        guideqa=ours,
        baseline=base,
        comparisons=[compare(o, base) for o in ours] if base else [],
    )


def render(report: BuildBenchmark, console) -> None:
    from rich.table import Table

    scope = f"first {report.limit_docs} documents of" if report.limit_docs else "all of"
    rows: list[GuideqaBuild | BaselineBuild] = [*report.guideqa, *([report.baseline] if report.baseline else [])]
    # Two narrow tables rather than one wide one: an 80-column terminal would cut a single table's cells.
    speed = Table(title=f"index build speed: {scope} preset {report.preset!r}")
    for col in ("build", "docs", "chunks", "tokens", "build s", "chunks/s", "tokens/s"):
        speed.add_column(col, justify="left" if col == "build" else "right")
    for r in rows:
        speed.add_row(f"{r.pipeline} {r.backend}", str(r.documents), f"{r.chunks:,}", f"{r.tokens:,}",
                      f"{r.build_seconds:.2f}", f"{r.chunks_per_second:,.1f}", f"{r.tokens_per_second:,.0f}")
    console.print(speed)
    memory = Table(title=f"loading, memory and disk (model {report.model})")
    for col in ("build", "docs load s", "model load s", "peak RSS MB", "index MB"):
        memory.add_column(col, justify="left" if col == "build" else "right")
    for r in rows:
        memory.add_row(f"{r.pipeline} {r.backend}", f"{r.load_seconds:.2f}", f"{r.model_load_seconds:.2f}",
                       f"{r.peak_rss_mb:,.0f}", f"{r.index_mb:,.2f}")
    console.print(memory)
    for r in report.guideqa:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r.stage_seconds.items())
        console.print(f"guideqa {r.backend} stages (s): {stages}")
        for line in describe(r.eta):
            console.print(line)
        if r.added_build_seconds is not None:
            stages = ", ".join(f"{k} {v:.2f}" for k, v in r.added_stage_seconds.items())
            console.print(f"guideqa {r.backend} rebuild after adding {r.added_documents} documents: "
                          f"{r.added_build_seconds:.1f} s (vectors reused {r.added_cache.get('reused', 0):,}, "
                          f"embedded {r.added_cache.get('embedded', 0):,}; stages: {stages})")
    if report.baseline:
        b = report.baseline
        stages = ", ".join(f"{k} {v:.2f}" for k, v in b.stage_seconds.items())
        console.print(f"langchain stages (s): {stages}; {b.truncated_chunks} of {b.chunks} chunks were longer "
                      "than the model's limit and cut by the encoder")
    for c in report.comparisons:
        console.print(summary_line(c))


def summary_line(c: Comparison) -> str:
    verdict = f"{c.speedup:.2f}× faster" if c.speedup >= 1 else f"{1 / c.speedup:.2f}× slower"
    return (f"guideqa ({c.backend}) is {verdict} than the LangChain baseline "
            f"(end to end incl. loading: {c.end_to_end_speedup:.2f}×); "
            f"per chunk {c.ms_per_chunk_guideqa:.1f} vs {c.ms_per_chunk_baseline:.1f} ms, "
            f"per 1k tokens {c.ms_per_1k_tokens_guideqa:.1f} vs {c.ms_per_1k_tokens_baseline:.1f} ms, "
            f"peak RSS {c.peak_rss_ratio:.2f}× the baseline's")


def _parse_backends(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [b.strip() for b in value.split(",") if b.strip()]
    unknown = [b for b in names if b not in BACKENDS]
    if unknown or not names:
        raise typer.BadParameter(f"unknown backend(s) {unknown or value!r}; choose from {', '.join(BACKENDS)}")
    return list(dict.fromkeys(names))


def register(app: typer.Typer) -> None:
    @app.command("build")
    def build(
        preset: Annotated[str, typer.Option("--preset", help="Corpus preset whose documents both pipelines index.")] = "default",
        all_: Annotated[bool, typer.Option("--all", help="The 'all' preset (every source in full).")] = False,
        limit_docs: Annotated[Optional[int], typer.Option("--limit-docs", min=1, help="Only the first N documents (quick runs).")] = None,
        backends: Annotated[Optional[str], typer.Option("--backends", help="Comma-separated guideqa encoder backends to build with, e.g. torch,onnx,onnx-int8 (default: the configured one).")] = None,
        out: Annotated[Path, typer.Option("--out", help="Where to write the JSON results.")] = DEFAULT_OUT,
        skip_baseline: Annotated[bool, typer.Option("--skip-baseline", help="Only the guideqa build(s).")] = False,
        add_docs: Annotated[int, typer.Option("--add-docs", min=0, help="Then add N unindexed documents and rebuild with the embedding cache warm (0: skip).")] = 10,
    ) -> None:
        """Index build speed and memory: guideqa vs the LangChain recipe on the same documents, in one run."""
        from rich.console import Console
        from rich.markup import escape

        from rag.corpus.sources import CorpusError

        console, err = Console(), Console(stderr=True)
        names = _parse_backends(backends)
        settings = settings_or_exit(err)
        with console.status("starting…") as status:
            try:
                report = run_benchmark(settings, preset="all" if all_ else preset, limit_docs=limit_docs,
                                       backends=names, skip_baseline=skip_baseline, add_docs=add_docs,
                                       note=lambda message: status.update(f"{message}…"))
            except (BenchError, CorpusError) as exc:
                err.print(f"[bold red]error:[/] {escape(str(exc))}")
                raise typer.Exit(1)
        render(report, console)
        console.print(f"results → {write_json(report, out)}")


if __name__ == "__main__":
    raise SystemExit(_worker_main(sys.argv[1:]))
