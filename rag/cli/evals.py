"""`guideqa eval calibrate|retrieval|answers|fit-ranker|conversations|extraction`: run an evaluation, print its table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from rag.cli.common import IndexOpt, console, fail, load_pipeline, load_settings
from rag.settings import Settings

eval_app = typer.Typer(help="Measure retrieval and abstention on the loaded index.", no_args_is_help=True)


def _progress(x, description):
    from rich.progress import track

    return track(x, description, console=console)


@eval_app.command("calibrate")
def eval_calibrate(
    index: IndexOpt = None,
    limit: Annotated[Optional[int], typer.Option(help="Use at most this many PubMedQA questions.")] = None,
    out: Annotated[Optional[str], typer.Option("--out", help="Write the numbers as JSON here.")] = None,
) -> None:
    """PubMedQA and guideline-dev Recall@k per retriever, and abstention rates in vs out of corpus."""
    from rich.progress import track

    from evals.calibrate import run_calibration

    s = load_settings(index)
    results = run_calibration(load_pipeline(s), s, limit, progress=lambda x, d: track(x, d))
    text = json.dumps(results, indent=2)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    console.print_json(text)


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[Optional[str], typer.Option(help="pubmedqa, liveqa, medquad or guideline-dev (over the loaded index).")] = None,
    beir: Annotated[Optional[Path], typer.Option("--beir", help="A BEIR folder: indexed into a temporary index, then evaluated.")] = None,
    index: Annotated[Optional[str], typer.Option("--index", help="Index name (not with --beir).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Evaluate the first N queries only.")] = None,
    sample: Annotated[Optional[int], typer.Option(help="Evaluate a random sample of N queries (reproducible with --seed).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for --sample.")] = 13,
    depth: Annotated[int, typer.Option(help="Documents ranked per query.")] = 100,
    out: Annotated[Path, typer.Option("--out", help="Report folder: metrics.json, report.md, PNG, queries.jsonl.")] = Path("reports/retrieval"),
) -> None:
    """nDCG@10, Recall@1/5/10/50 and MRR@10 for BM25, dense and hybrid retrieval (ranx)."""
    import tempfile

    from evals import datasets as ds
    from evals import runs

    if (dataset is None) == (beir is None):
        fail("give exactly one of --dataset or --beir")
    s = load_settings(index)
    with tempfile.TemporaryDirectory(prefix="guideqa-beir-") as tmp:
        if beir is not None:
            try:
                name, queries, notes = runs.beir_queries(beir, s, Path(tmp), say=console.print)
            except ds.DatasetError as exc:
                fail(str(exc))
        else:
            if dataset not in ds.DATASETS:
                fail(f"unknown dataset {dataset!r}; choose from {', '.join(ds.DATASETS)}")
            name, queries, notes = runs.dataset_queries(s, dataset, say=console.print)
        pipe = load_pipeline(s)
        queries, notes = runs.pick_queries(queries, pipe.index.document_ids, sample, seed, limit, notes)
        if not queries:
            fail("no query has a gold document in this index")
        scores, metrics = runs.run_retrieval(pipe, s, name, queries, notes, depth, out, _progress)
    table = Table("retriever", *next(iter(scores.values())).keys(), title=f"{name}: {len(queries)} queries → {out}")
    for mode, values in metrics["retrieval"].items():
        table.add_row(mode, *(f"{v:.3f}" for v in values.values()))
    console.print(table)


@eval_app.command("answers")
def eval_answers(
    dataset: Annotated[str, typer.Option(help="pubmedqa, liveqa, medquad, guideline-dev (our out-of-corpus questions are added for abstention), conversations:FILE (every turn, follow-ups with their history) or answer-quality[:tune|:heldout] (key facts, statement precision, follow-ups, gaps).")] = "pubmedqa",
    judge: Annotated[str, typer.Option(help="'lexical' (offline default), 'nli:<CrossEncoder NLI model>' or 'llm' (the configured chat model; for answer-quality it judges each statement's relevance).")] = "lexical",
    index: IndexOpt = None,
    limit: Annotated[Optional[int], typer.Option(help="Evaluate the first N answerable questions (or conversations) only.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path("reports/answers"),
) -> None:
    """Citation integrity, ALCE citation recall/precision, support rate, gold-source hit and abstention over full answers."""
    from evals import datasets as ds
    from evals.runs import run_answers
    from rag.answering.verify import make_judge

    s = load_settings(index)
    if dataset.split(":")[0] == "answer-quality":
        return _eval_answer_quality(s, dataset, limit, out, judge)
    conversations_file = Path(dataset.removeprefix("conversations:")) if dataset.startswith("conversations:") else None
    if conversations_file is None and dataset not in ds.DATASETS:
        fail(f"unknown dataset {dataset!r}; choose from {', '.join(ds.DATASETS)} or conversations:FILE")
    conversations = []
    if conversations_file is not None:
        try:
            conversations = ds.load_conversations(conversations_file)[: limit or None]
        except (ds.DatasetError, OSError) as exc:
            fail(str(exc))
        if not conversations:
            fail(f"{conversations_file} holds no conversation")
    try:
        the_judge = make_judge(judge)
    except Exception as exc:
        fail(f"cannot use judge {judge!r}: {exc}")
    metrics, asked = run_answers(load_pipeline(s), s, dataset, conversations, the_judge, limit, out, _progress)
    table = Table("metric", "value", title=f"{dataset}: {asked}, judge {the_judge.name} → {out}")
    for k, v in metrics["metrics"].items():
        table.add_row(k, "n/a" if v is None else str(v))
    console.print(table)


def _eval_answer_quality(s: Settings, dataset: str, limit: int | None, out: Path, judge: str) -> None:
    """`--judge llm` also asks the configured chat model whether each statement helps answer its question."""
    from evals.answer_quality import DatasetError, RelevanceJudge, run_answer_quality

    relevance = None
    if judge == "llm":
        from rag.answering.chat_model import make_chat_model

        relevance = RelevanceJudge(make_chat_model(s), s.llm.timeout_s)
    try:
        run_answer_quality(load_pipeline(s), s, dataset, limit, out, console, relevance)
    except (DatasetError, OSError) as exc:
        fail(str(exc))


@eval_app.command("fit-ranker")
def eval_fit_ranker(
    split: Annotated[str, typer.Option(help="The answer-quality half to fit on (tune); never fit on heldout.")] = "tune",
    l2: Annotated[float, typer.Option(help="L2 penalty on the weights.")] = 0.01,
    index: IndexOpt = None,
) -> None:
    """Fit the sentence ranker's weights (settings.answer.rank) on the answer-quality set; prints them as GUIDEQA_* variables."""
    from evals.fit_ranker import run_fit

    s = load_settings(index)
    run_fit(load_pipeline(s), s, split, l2, console)


@eval_app.command("conversations")
def eval_conversations(
    file: Annotated[Optional[Path], typer.Option(help="Conversation JSONL (default: our dev set, evals/data/conversations_dev.jsonl).")] = None,
    index: IndexOpt = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write metrics.json and turns.jsonl here.")] = None,
) -> None:
    """Follow-up retrieval recall: rewritten with history vs the person-written standalone vs the raw follow-up."""
    from evals import datasets as ds
    from evals.runs import run_follow_ups

    s = load_settings(index)
    try:
        conversations = ds.load_conversations(file or ds.DATA / "conversations_dev.jsonl")
    except (ds.DatasetError, OSError) as exc:
        fail(str(exc))
    scores = run_follow_ups(load_pipeline(s), conversations, out)
    table = Table("query", "recall@1", "recall@5", "recall@10", title=f"follow-up retrieval ({scores['raw']['turns']} turns)")
    for way, values in scores.items():
        table.add_row(way, str(values["recall@1"]), str(values["recall@5"]), str(values["recall@10"]))
    console.print(table)


@eval_app.command("extraction")
def eval_extraction(
    pdf: Annotated[Optional[list[Path]], typer.Option("--pdf", help="A PDF to measure (repeatable; default: the mirror's pdf/ folder).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder: extraction.json.")] = Path("reports/extraction"),
) -> None:
    """PDF extraction quality: sections against the outline, words against pdftotext, running headers left."""
    from evals.extraction import default_pdfs, run_extraction

    pdfs = pdf or default_pdfs(load_settings())
    if not pdfs:
        fail("no PDF given and no corpus mirror with a pdf/ folder")
    report = run_extraction(pdfs, out)
    table = Table("pdf", "pages", "s", "sections", "outline", "by type", "recall", "precision", "running",
                  title=f"PDF extraction → {out / 'extraction.json'}",
                  caption="outline: entries that became a section on their page (by type: headings from typography "
                  "alone); recall/precision: words vs pdftotext; running: header/footer lines left")
    for r in report["pdfs"]:
        outline, typo, words = r["outline"], r["typography_only"], r.get("words")
        table.add_row(r["file"], str(r["pages"]), f"{r['seconds']:.2f}", f"{r['sections']} ({r['sections_from']})",
                      f"{outline['matched']}/{outline['entries']}" if outline["entries"] else "no outline",
                      f"{typo['matched']}/{typo['entries']}" if "entries" in typo else "-",
                      f"{words['recall']:.4f}" if words else "-", f"{words['precision']:.4f}" if words else "-",
                      str(len(r["running"]["running_left"])) if "running" in r else "-")
    console.print(table)
    if not report["pdftotext"]:
        console.print("[yellow]pdftotext is not installed (apt-get install -y poppler-utils): word recall and "
                      "running lines were not measured.[/]")
