"""Printing the query benchmark: latency, answer stages, server load, index memory and sentence ranking tables."""

from __future__ import annotations

from benchmarks.common import LatencyStats
from benchmarks.query.run import QueryBench


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
