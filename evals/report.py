"""Write an evaluation run: metrics.json, report.md, PNG plots and per-query JSONL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from evals.answers import flat_answer_metrics, support_by_section
from evals.conversations import flat_follow_up_metrics
from evals.retrieval import QueryResult, recall_curve
from rag.settings import Settings
from rag.versions import EVAL_PACKAGES, package_versions

CURVE_KS = (1, 2, 3, 5, 10)


def versions() -> dict[str, str]:
    return package_versions(EVAL_PACKAGES)


def write_run(out: Path, metrics: dict, settings: Settings, rows, rows_file: str) -> dict:
    """Stamp a run with its settings, versions and time; write metrics.json and the per-item JSONL."""
    metrics |= {
        "settings": settings.model_dump(mode="json"),
        "versions": versions(),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    with open(out / rows_file, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(row.model_dump_json() + "\n")
    return metrics


def write_retrieval_report(
    out: Path,
    *,
    dataset: str,
    scores: dict[str, dict[str, float]],
    rows: Sequence[QueryResult],
    seconds: dict[str, float],
    settings: Settings,
    index: dict,
    n_queries: int,
    notes: dict | None = None,
) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    modes = list(scores)
    curves = {mode: recall_curve(rows, mode, CURVE_KS) for mode in modes}
    metrics = {
        "kind": "retrieval",
        "dataset": dataset,
        "queries": n_queries,
        "index": index,
        "metrics": {f"{mode}/{name}": value for mode, values in scores.items() for name, value in values.items()},
        "retrieval": scores,
        "success_at_k": {mode: dict(zip(map(str, CURVE_KS), map(lambda v: round(v, 4), c))) for mode, c in curves.items()},
        "seconds": seconds,
        "dataset_notes": notes or {},
    }
    metrics = write_run(out, metrics, settings, rows, "queries.jsonl")
    _plot_curves(out / "success_at_k.png", curves, dataset)
    (out / "report.md").write_text(_markdown(metrics, modes), encoding="utf-8")
    return metrics


def write_follow_up_report(out: Path, *, scores: dict, rows: Sequence[dict], index: dict) -> None:
    """`guideqa eval conversations --out`: metrics.json (recall per way of asking) and turns.jsonl."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({"kind": "conversations", "index": index, "follow_up_retrieval": scores},
                                                 indent=2) + "\n", encoding="utf-8")
    (out / "turns.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _markdown(metrics: dict, modes: list[str]) -> str:
    names = list(next(iter(metrics["retrieval"].values())))
    lines = [
        f"# Retrieval evaluation: {metrics['dataset']}",
        "",
        f"{metrics['queries']} queries · index `{metrics['index']['name']}` ({metrics['index']['fingerprint']}) · "
        f"{metrics['created_at']}",
        "",
        "| retriever | " + " | ".join(names) + " | seconds |",
        "|---|" + "---|" * (len(names) + 1),
    ]
    for mode in modes:
        values = " | ".join(f"{metrics['retrieval'][mode][n]:.3f}" for n in names)
        lines.append(f"| {mode} | {values} | {metrics['seconds'][mode]} |")
    lines += ["", "![share of queries with a gold document in the top k](success_at_k.png)", ""]
    return "\n".join(lines)


def _plot_curves(path: Path, curves: dict[str, list[float]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5), dpi=120)
    for mode, values in curves.items():
        ax.plot(CURVE_KS, values, marker="o", label=mode)
    ax.set_xlabel("k (documents)")
    ax.set_ylabel("queries with a gold doc in top k")
    ax.set_title(title)
    ax.set_xticks(CURVE_KS)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_answer_report(out: Path, *, dataset: str, summary: dict, rows, seconds: float, judge: str,
                        settings: Settings, index: dict, follow_up: dict | None = None) -> dict:
    """`follow_up`: follow_up_recall scores, for conversation datasets (adds followup/* metrics and a table)."""
    out.mkdir(parents=True, exist_ok=True)
    by_section = support_by_section(rows)
    metrics = {
        "kind": "answers",
        "dataset": dataset,
        "judge": judge,
        "writer": settings.writer,
        "index": index,
        "metrics": flat_answer_metrics(summary) | (flat_follow_up_metrics(follow_up) if follow_up else {}),
        "answers": summary,
        "support_rate_by_section": by_section,
        "seconds": seconds,
    }
    if follow_up:
        metrics["follow_up_retrieval"] = follow_up
    metrics = write_run(out, metrics, settings, rows, "answers.jsonl")
    writer = settings.writer + (f" ({settings.llm.model} at {settings.llm.base_url or settings.llm.provider})"
                                if settings.writer == "llm" else "")
    lines = [f"# Answer evaluation: {dataset}", "",
             f"writer: `{writer}` · judge: `{judge}` · index `{index['name']}` ({index['fingerprint']})", "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {'n/a' if v is None else v} |" for k, v in summary.items()]
    lines += ["", "| section | support rate |", "|---|---|"] + [f"| {k} | {v} |" for k, v in by_section.items()]
    if follow_up:
        lines += ["", f"Follow-up retrieval ({next(iter(follow_up.values()))['turns']} follow-up turns, hybrid, documents):", "",
                  "| follow-up asked as | recall@1 | recall@5 | recall@10 |", "|---|---|---|---|"]
        lines += [f"| {way} | {v['recall@1']} | {v['recall@5']} | {v['recall@10']} |" for way, v in follow_up.items()]
    lines += ["", "![answer metrics](answer_metrics.png)", "", "![support rate per section](support_by_section.png)", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    _plot_bars(out / "answer_metrics.png", {k: v for k, v in summary.items() if isinstance(v, float)}, f"{dataset} ({judge})")
    _plot_bars(out / "support_by_section.png", {k: v for k, v in by_section.items() if v is not None},
               f"statement support rate per section ({judge})")
    return metrics


def _plot_bars(path: Path, values: dict[str, float], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=120)
    ax.barh(list(values), list(values.values()))
    ax.set_xlim(0, 1)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
