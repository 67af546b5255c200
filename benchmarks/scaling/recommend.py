"""The recommendation: where flat search leaves the latency budget and what replaces it there."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.scaling.measure import ScalingRow

LATENCY_BUDGET_MS = 20.0
RECALL_TARGET = 0.95


def recommend(rows: Sequence[ScalingRow], budget_ms: float = LATENCY_BUDGET_MS, recall_target: float = RECALL_TARGET) -> str:
    """One line from the measured rows: where flat search leaves the latency budget and what replaces it."""
    flat = sorted((r for r in rows if r.index == "Flat"), key=lambda r: r.size)
    if not flat:
        return "no flat rows measured"
    over = next((r for r in flat if r.p95_ms > budget_ms), None)
    at = over or flat[-1]
    candidates = [r for r in rows if r.size == at.size and r.index != "Flat" and r.recall_at_10 >= recall_target]
    best = min(candidates, key=lambda r: (r.p95_ms, r.index_bytes), default=None)
    smallest = min(candidates, key=lambda r: (r.index_bytes, r.p95_ms), default=None)
    if best is not None:
        choice = (f"{best.index} ({best.search}) keeps recall@10 {best.recall_at_10:.3f} at p95 {best.p95_ms:.2f} ms, "
                  f"{best.bytes_per_vector:.0f} bytes/vector")
        if smallest is not None and smallest.index != best.index:
            choice += (f"; the smallest that does is {smallest.index} ({smallest.search}, recall@10 {smallest.recall_at_10:.3f}, "
                       f"{smallest.bytes_per_vector:.0f} bytes/vector, p95 {smallest.p95_ms:.2f} ms)")
    else:
        top = max((r for r in rows if r.size == at.size and r.index != "Flat"), key=lambda r: r.recall_at_10, default=None)
        choice = (f"no alternative reaches recall@10 {recall_target} (best: {top.index} {top.search} at {top.recall_at_10:.3f})"
                  if top else "no alternative measured")
    if over is not None:
        return (f"IndexFlatIP p95 exceeds {budget_ms:g} ms (one thread) first at {over.size:,} vectors "
                f"({over.p95_ms:.2f} ms); there {choice}.")
    # Flat search time is linear in n: extrapolate from the largest size measured.
    crossing = at.size * budget_ms / at.p95_ms if at.p95_ms > 0 else float("inf")
    return (f"IndexFlatIP stays within {budget_ms:g} ms p95 (one thread) up to {at.size:,} vectors ({at.p95_ms:.2f} ms); "
            f"linear extrapolation puts the crossing near {crossing:,.0f} vectors. At {at.size:,}, {choice}.")
