"""Printing the scaling benchmark: the table, how synthetic each size is, and the recommendation."""

from __future__ import annotations

from benchmarks.scaling.run import ScalingResult


def render_table(result: ScalingResult):
    from rich.table import Table

    table = Table(title=f"Index scaling: recall@{result.k} vs IndexFlatIP, {result.queries} real queries, "
                        f"noise sigma {result.noise_sigma:.4f} on synthetic vectors")
    for column in ("size", "vectors", "index", "search", "build s", "recall@10", "p50 ms", "p95 ms",
                   f"p95 ms ({result.threads_default} thr)", "batch q/s", "MB", "bytes/vec (raw)", "RSS +MB"):
        table.add_column(column, justify="left" if column in ("vectors", "index", "search") else "right")
    for r in result.rows:
        table.add_row(
            f"{r.size:,}", r.vectors, r.index, r.search, f"{r.build_seconds:.2f}", f"{r.recall_at_10:.3f}",
            f"{r.p50_ms:.3f}", f"{r.p95_ms:.3f}", f"{r.p95_ms_threads:.3f}", f"{r.batch_qps:,.0f}",
            f"{r.index_bytes / 2**20:.1f}", f"{r.bytes_per_vector:,.0f} ({r.raw_bytes / r.size:,.0f})",
            f"{r.rss_after_mb - r.rss_before_mb:+.1f}",
        )
    return table


def print_report(result: ScalingResult, console) -> None:
    from rich.markup import escape

    console.print(render_table(result))
    for info in result.sizes:
        if info.synthetic:
            console.print(
                f"[dim]{info.size:,}: {info.synthetic:,} synthetic (noise sigma {result.noise_sigma:.4f}, cosine to source "
                f"{info.cos_to_source_mean:.3f}); a query's exact top-10 is {info.synthetic_share_top10:.0%} synthetic "
                f"from {info.distinct_sources_top10:.1f} distinct sources[/]"
            )
    console.print(f"[bold]recommendation:[/] {escape(result.recommendation)}")
