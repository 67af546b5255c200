"""Printing the build benchmark: speed, memory and disk tables, stages and the verdict per backend."""

from __future__ import annotations

from benchmarks.eta import describe
from benchmarks.index_build.baseline import BaselineBuild
from benchmarks.index_build.comparison import Comparison
from benchmarks.index_build.guideqa import GuideqaBuild
from benchmarks.index_build.run import BuildBenchmark


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
