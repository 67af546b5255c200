"""guideqa command line: corpus | index | ask | chat | settings."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from rag.settings import Settings

app = typer.Typer(help="Guideline-grounded answers with numbered citations.", no_args_is_help=True, pretty_exceptions_enable=False)
corpus_app = typer.Typer(help="Get and inspect the source corpora.", no_args_is_help=True)
index_app = typer.Typer(help="Build, inspect, list and remove indexes.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
eval_app = typer.Typer(help="Measure retrieval and abstention on the loaded index.", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")


def _add_bench() -> None:
    from benchmarks.cli import bench_app

    app.add_typer(bench_app, name="bench")


_add_bench()

console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


def _settings(index: str | None = None) -> Settings:
    try:
        s = Settings()
    except Exception as exc:  # bad GUIDEQA_* variables
        _fail(f"invalid settings: {exc}")
    if index:
        s.index.name = index
    return s


# --------------------------------------------------------------------------- corpus


@corpus_app.command("fetch")
def corpus_fetch(
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only these sources (default: all).")] = None,
) -> None:
    """Copy the corpus files from the mirror, or download them, verifying checksums."""
    from rag.corpus.sources import CorpusError, fetch

    s = _settings()
    try:
        results = fetch(s, source or None)
    except CorpusError as exc:
        _fail(str(exc))
    table = Table("source", "file", "status", title=f"corpus files in {s.corpus.data_dir}")
    for r in results:
        table.add_row(r.source, str(r.path), r.status)
    console.print(table)


# --------------------------------------------------------------------------- index


@index_app.command("build")
def index_build(
    name: Annotated[str, typer.Option(help="Index name; also the preset in corpus/sources.toml when one exists.")] = "default",
    sources: Annotated[Optional[list[str]], typer.Option("--sources", help="Sources to index instead of the preset's ('user' alone: only your own folders).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every source in full (the 'all' preset).")] = False,
    preset: Annotated[Optional[str], typer.Option("--preset", help="Preset in corpus/sources.toml to build under --name (default: the preset named like the index).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the index is up to date.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Chunk and embed every document afresh, ignoring the build cache (a cold build, for fair timing); implies --force.")] = False,
) -> None:
    """Build an index (into a temporary folder, swapped in when complete)."""
    from rag.corpus.sources import CorpusError, iter_documents, load_manifest
    from rag.indexing.embedding import EmbeddingError
    from rag.indexing.index import GuideIndexError, build_index

    s = _settings()
    if all_:
        name = "all" if name == "default" else name
    preset = "all" if all_ else preset
    presets = load_manifest(s).indexes
    if preset is not None and preset not in presets:
        _fail(f"no preset named {preset!r} in {s.corpus.manifest}; choose one of: {', '.join(presets)}")
    if not sources and not preset:
        if name in presets:
            preset = name
        else:
            _fail(f"no preset named {name!r} in {s.corpus.manifest}; pass --sources, --preset or one of: {', '.join(presets)}")
    reports: list = []
    try:
        with console.status("loading documents…"):
            names = [n for n in sources if n != "user"] if sources else None
            docs = list(iter_documents(s, sources=names, preset=preset, reports=reports))
    except CorpusError as exc:
        _fail(str(exc))
    for rep in reports:
        line = f"{rep.source}: {rep.loaded} documents"
        if rep.skipped:
            line += f", [yellow]{len(rep.skipped)} skipped[/]"
        console.print(line)
        for skip in rep.skipped[:5]:
            console.print(f"  [dim]skipped {escape(skip.where)}: {escape(skip.reason)}[/]")
    skipped = {rep.source: len(rep.skipped) for rep in reports}

    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def note(stage: str, done: int, total: int) -> None:
            if stage not in tasks:  # what the counts are: characters to cut, word pieces to encode
                label = {"chunk": "chunk (characters)", "embed": "embed (word pieces)"}.get(stage, stage)
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            path, manifest, rebuilt = build_index(docs, s, name=name, skipped=skipped, force=force or no_cache,
                                                  progress=note, use_cache=False if no_cache else None)
        except (GuideIndexError, EmbeddingError) as exc:
            _fail(str(exc))
    state = "built" if rebuilt else "already up to date (use --force to rebuild)"
    console.print(
        f"[bold green]index {name!r} {state}[/]: {manifest.documents} documents, {manifest.chunks} chunks, "
        f"fingerprint {manifest.fingerprint}, {manifest.build_seconds:.0f} s → {path}"
    )
    if rebuilt:
        cache = manifest.embedding_cache
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in manifest.stage_seconds.items())
        console.print(f"  {stages}; vectors reused from the cache: {cache.get('reused', 0)}, embedded: {cache.get('embedded', 0)}")


@index_app.command("info")
def index_info(name: Annotated[str, typer.Option(help="Index name.")] = "default") -> None:
    """Print an index's manifest."""
    from rag.indexing.index import GuideIndexError, read_manifest

    s = _settings(name)
    if not s.index_path.exists():
        _fail(f"no index named {name!r} in {s.index.dir}")
    try:
        console.print_json(read_manifest(s.index_path.resolve()).model_dump_json())
    except GuideIndexError as exc:
        _fail(str(exc))


@index_app.command("list")
def index_list(as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False) -> None:
    """The indexes (counts, size on disk, errors) and leftover build folders no name points at."""
    from rag.indexing.admin import list_indexes, print_listing

    s = _settings()
    print_listing(list_indexes(s.index.dir), s.index.dir, console, as_json)


@index_app.command("remove")
def index_remove(name: Annotated[str, typer.Argument(help="Index name.")]) -> None:
    """Delete an index: its name and its build folders (no confirmation asked)."""
    from rag.indexing.admin import print_removal, remove_index
    from rag.indexing.index import GuideIndexError

    try:
        print_removal(remove_index(_settings().index.dir, name), console)
    except GuideIndexError as exc:
        _fail(str(exc))


# --------------------------------------------------------------------------- ask / chat


def _filters(kind, year_from, year_to, source):
    from pydantic import ValidationError

    from rag.types import Filters

    try:
        return Filters(kind=kind or None, year_from=year_from, year_to=year_to, source=source or None)
    except ValidationError as exc:
        _fail(f"invalid filter: {exc.errors()[0]['msg']}")


def _pipeline(s: Settings):
    from rag.indexing.embedding import EmbeddingError
    from rag.indexing.index import GuideIndexError
    from rag.pipeline import Pipeline

    try:
        with console.status("loading index and model…"):
            return Pipeline(s)
    except (GuideIndexError, EmbeddingError) as exc:
        _fail(str(exc))


def render_answer(answer, out: Console = console) -> None:
    from rag.types import UNVERIFIED_MARK, format_reference

    out.print()
    if answer.standalone_question != answer.question:
        out.print(f"[dim]searched for: {escape(answer.standalone_question)}[/]")
    if answer.abstention:
        out.print(Panel(escape(answer.abstention), title="Not directly addressed", border_style="yellow"))
    for section in answer.sections:
        style = "yellow" if section.kind == "related" else "cyan"
        out.print(f"[bold {style}]{escape(section.title)}[/]")
        group = None
        for st in section.statements:
            if st.group and st.group != group:
                group = st.group
                out.print(f"  [bold]{escape(group)}[/]")
            cites = "".join(f"[{n}]" for n in st.citations)
            mark = f" [red]{escape(UNVERIFIED_MARK)}[/]" if st.verified is False else ""
            source = answer.attribution(st) if st.role == "bottom_line" else ""
            source = f" [dim]({escape(source)})[/]" if source else ""
            out.print(f"  • {escape(' '.join(st.text.split()))} [bold]{escape(cites)}[/]{source}{mark}")
            if st.note:
                out.print(f"    [yellow]Note: {escape(st.note)}[/]")
        out.print()
    if answer.references:
        out.print("[bold]References[/]")
        for ref in answer.references:
            out.print(f"  [bold]\\[{ref.n}][/] {escape(format_reference(ref))}  [dim]({ref.kind}; {escape(ref.doc_id)})[/]")
        out.print()
    out.print(f"[italic dim]{escape(answer.disclaimer)}[/]")
    w = answer.writer
    if w.name == "llm":
        if w.fallback:
            out.print(f"[yellow]LLM answer not used ({escape(w.fallback)}); this is the extractive answer.[/]")
        elif w.llm_called:
            removed = w.removed_unsupported + w.removed_uncited
            out.print(f"[dim]written by {escape(w.model or 'the LLM')}; {w.kept} of {w.sentences} sentences verified "
                      f"by {escape(w.judge or '')}, {removed} removed, {w.removed_citations} invalid citations dropped[/]")
    total = answer.timings_ms.get("total")
    if total is not None:
        out.print(f"[dim]{total:.0f} ms · index {answer.index.name} ({answer.index.fingerprint})[/]")


KindOpt = Annotated[Optional[list[str]], typer.Option("--kind", help="guideline, research or patient (repeatable).")]
YearFrom = Annotated[Optional[int], typer.Option("--year-from", help="Only sources from this year on.")]
YearTo = Annotated[Optional[int], typer.Option("--year-to", help="Only sources up to this year.")]
SourceOpt = Annotated[Optional[list[str]], typer.Option("--source", help="Issuing body or journal (substring, repeatable).")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The clinical question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
    kind: KindOpt = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    source: SourceOpt = None,
) -> None:
    """Answer one question from the indexed guidelines and research."""
    from rag.pipeline import QuestionError
    from rag.retrieval.retriever import FilterError

    s = _settings(index)
    filters = _filters(kind, year_from, year_to, source)
    pipe = _pipeline(s)
    try:
        answer = pipe.ask(question, filters=filters)
    except (QuestionError, FilterError) as exc:
        _fail(str(exc), code=2)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    else:
        render_answer(answer)


@app.command()
def chat(
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
    kind: KindOpt = None,
) -> None:
    """Interactive conversation: ask, then ask follow-ups ("what about in pregnancy?"). Empty line or Ctrl-D ends."""
    from rag.pipeline import QuestionError
    from rag.types import Turn

    s = _settings(index)
    filters = _filters(kind, None, None, None)
    pipe = _pipeline(s)
    history: list[Turn] = []
    console.print("[dim]Ask a question; follow-ups use the conversation so far. Empty line to quit.[/]")
    while True:
        try:
            question = console.input("[bold]> [/]")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        try:
            answer = pipe.ask(question, history, filters=filters)
        except QuestionError as exc:
            err.print(f"[red]{escape(str(exc))}[/]")
            continue
        render_answer(answer)
        history.append(Turn(question=answer.question, standalone_question=answer.standalone_question))


@eval_app.command("calibrate")
def eval_calibrate(
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Use at most this many PubMedQA questions.")] = None,
    out: Annotated[Optional[str], typer.Option("--out", help="Write the numbers as JSON here.")] = None,
) -> None:
    """PubMedQA and guideline-dev Recall@k per retriever, and abstention rates in vs out of corpus."""
    from rich.progress import track

    from evals import calibrate as cal

    s = _settings(index)
    pipe = _pipeline(s)
    pubmed = cal.pubmedqa_queries(pipe, limit)
    dev = [q for q in cal.guideline_dev() if set(q.qrels) & pipe.index.document_ids]
    results: dict = {"index": pipe.index.info.model_dump(), "n_pubmedqa": len(pubmed), "n_guideline_dev": len(dev)}
    results["pubmedqa_recall"] = cal.recall_at(pipe, pubmed, progress=lambda x: track(x, "PubMedQA recall"))
    if dev:
        results["guideline_dev_recall"] = cal.recall_at(pipe, dev, progress=lambda x: track(x, "guideline recall"))
    in_scores = cal.best_scores(pipe, pubmed, progress=lambda x: track(x, "in-corpus scores"))
    out_scores = cal.best_scores(pipe, cal.out_of_corpus(), progress=lambda x: track(x, "out-of-corpus scores"))
    calib = cal.calibrate(in_scores, out_scores, s.answer.abstain_threshold)
    results["abstention"] = calib.model_dump()
    results["best_score_quantiles"] = {
        "in_corpus": [round(float(q), 3) for q in np.quantile(in_scores, [0.05, 0.25, 0.5, 0.75, 0.95])],
        "out_of_corpus": [round(float(q), 3) for q in np.quantile(out_scores, [0.05, 0.25, 0.5, 0.75, 0.95])],
    }
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

    from rich.progress import track

    from evals import datasets as ds
    from evals.report import write_retrieval_report
    from evals.retrieval import evaluate_retrieval
    from rag.indexing.index import build_index

    if (dataset is None) == (beir is None):
        _fail("give exactly one of --dataset or --beir")
    s = _settings(index)
    with tempfile.TemporaryDirectory(prefix="guideqa-beir-") as tmp:
        if beir is not None:
            try:
                docs, queries = ds.load_beir(beir)
            except ds.DatasetError as exc:
                _fail(str(exc))
            s.index.dir, s.index.name = Path(tmp), "beir"
            console.print(f"indexing {len(docs)} BEIR documents into a temporary index…")
            build_index(docs, s)
            name, notes = f"beir:{beir.name}", {}
        else:
            if dataset not in ds.DATASETS:
                _fail(f"unknown dataset {dataset!r}; choose from {', '.join(ds.DATASETS)}")
            notes = {}
            if dataset == "liveqa":
                queries, coverage = ds.liveqa(s)
                notes = {"liveqa_coverage": coverage.model_dump()}
                console.print(f"LiveQA judgments mapped to this MedQuAD release: {coverage}")
            else:
                queries = ds.DATASETS[dataset](s)
            name = dataset
        pipe = _pipeline(s)
        indexed = pipe.index.document_ids
        queries = [q for q in queries if set(q.qrels) & indexed]
        if sample is not None and sample < len(queries):
            import random

            queries = sorted(random.Random(seed).sample(queries, sample), key=lambda q: q.id)
            notes["sample"] = {"size": sample, "seed": seed}
        queries = queries[: limit or None]
        if not queries:
            _fail("no query has a gold document in this index")
        scores, rows, seconds = evaluate_retrieval(pipe.retriever, queries, depth=depth, progress=lambda x, d: track(x, d, console=console))
        metrics = write_retrieval_report(out, dataset=name, scores=scores, rows=rows, seconds=seconds, settings=s,
                                         index=pipe.index.info.model_dump(), n_queries=len(queries), notes=notes)
    table = Table("retriever", *next(iter(scores.values())).keys(), title=f"{name}: {len(queries)} queries → {out}")
    for mode, values in metrics["retrieval"].items():
        table.add_row(mode, *(f"{v:.3f}" for v in values.values()))
    console.print(table)


@eval_app.command("answers")
def eval_answers(
    dataset: Annotated[str, typer.Option(help="pubmedqa, liveqa, medquad, guideline-dev (our out-of-corpus questions are added for abstention), conversations:FILE (every turn, follow-ups with their history) or answer-quality[:tune|:heldout] (key facts, statement precision, follow-ups, gaps).")] = "pubmedqa",
    judge: Annotated[str, typer.Option(help="'lexical' (offline default), 'nli:<CrossEncoder NLI model>' or 'llm' (the configured chat model; for answer-quality it judges each statement's relevance).")] = "lexical",
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Evaluate the first N answerable questions (or conversations) only.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path("reports/answers"),
) -> None:
    """Citation integrity, ALCE citation recall/precision, support rate, gold-source hit and abstention over full answers."""
    from rich.progress import track

    from evals import datasets as ds
    from evals.answers import evaluate_answers
    from evals.conversations import evaluate_conversation_answers, follow_up_recall
    from evals.report import write_answer_report
    from rag.answering.verify import make_judge

    s = _settings(index)
    if dataset.split(":")[0] == "answer-quality":
        return _eval_answer_quality(s, dataset, limit, out, judge)
    conversations_file = Path(dataset.removeprefix("conversations:")) if dataset.startswith("conversations:") else None
    if conversations_file is None and dataset not in ds.DATASETS:
        _fail(f"unknown dataset {dataset!r}; choose from {', '.join(ds.DATASETS)} or conversations:FILE")
    conversations = []
    if conversations_file is not None:
        try:
            conversations = ds.load_conversations(conversations_file)[: limit or None]
        except (ds.DatasetError, OSError) as exc:
            _fail(str(exc))
        if not conversations:
            _fail(f"{conversations_file} holds no conversation")
    try:
        the_judge = make_judge(judge)
    except Exception as exc:
        _fail(f"cannot use judge {judge!r}: {exc}")
    pipe = _pipeline(s)
    progress = lambda x, d: track(x, d, console=console)  # noqa: E731
    follow_up = None
    if conversations:
        summary, rows, seconds = evaluate_conversation_answers(pipe, conversations, the_judge, progress=progress)
        try:
            follow_up, _ = follow_up_recall(pipe.retriever, conversations, rewrite=lambda q, h: pipe.rewrite(q, h)[0])
        except ValueError:
            pass  # no follow-up with gold documents and a standalone rewrite: answer metrics only
        n = f"{len(conversations)} conversations, {len(rows)} turns"
    else:
        indexed = pipe.index.document_ids
        queries = [q for q in ds.DATASETS[dataset](s) if set(q.qrels) & indexed][: limit or None]
        queries += ds.out_of_corpus()
        summary, rows, seconds = evaluate_answers(pipe, queries, the_judge, progress=progress)
        n = f"{len(queries)} questions"
    metrics = write_answer_report(out, dataset=dataset, summary=summary, rows=rows, seconds=seconds, judge=the_judge.name,
                                  settings=s, index=pipe.index.info.model_dump(), follow_up=follow_up)
    table = Table("metric", "value", title=f"{dataset}: {n}, judge {the_judge.name} → {out}")
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
        run_answer_quality(_pipeline(s), s, dataset, limit, out, console, relevance)
    except (DatasetError, OSError) as exc:
        _fail(str(exc))


@eval_app.command("fit-ranker")
def eval_fit_ranker(
    split: Annotated[str, typer.Option(help="The answer-quality half to fit on (tune); never fit on heldout.")] = "tune",
    l2: Annotated[float, typer.Option(help="L2 penalty on the weights.")] = 0.01,
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
) -> None:
    """Fit the sentence ranker's weights (settings.answer.rank) on the answer-quality set; prints them as GUIDEQA_* variables."""
    from evals.fit_ranker import run_fit

    s = _settings(index)
    run_fit(_pipeline(s), s, split, l2, console)


@eval_app.command("conversations")
def eval_conversations(
    file: Annotated[Optional[Path], typer.Option(help="Conversation JSONL (default: our dev set, evals/data/conversations_dev.jsonl).")] = None,
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write metrics.json and turns.jsonl here.")] = None,
) -> None:
    """Follow-up retrieval recall: rewritten with history vs the person-written standalone vs the raw follow-up."""
    from evals import datasets as ds
    from evals.conversations import follow_up_recall

    s = _settings(index)
    try:
        conversations = ds.load_conversations(file or ds.DATA / "conversations_dev.jsonl")
    except (ds.DatasetError, OSError) as exc:
        _fail(str(exc))
    pipe = _pipeline(s)
    scores, rows = follow_up_recall(pipe.retriever, conversations, rewrite=lambda q, h: pipe.rewrite(q, h)[0])
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps({"kind": "conversations", "index": pipe.index.info.model_dump(),
                                                      "follow_up_retrieval": scores}, indent=2) + "\n", encoding="utf-8")
        (out / "turns.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    table = Table("query", "recall@1", "recall@5", "recall@10", title=f"follow-up retrieval ({scores['raw']['turns']} turns)")
    for way, values in scores.items():
        table.add_row(way, str(values["recall@1"]), str(values["recall@5"]), str(values["recall@10"]))
    console.print(table)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (default: settings.api.host, 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default: settings.api.port, 8000).")] = None,
    index: Annotated[Optional[str], typer.Option("--index", help="Index name.")] = None,
) -> None:
    """Serve the HTTP API and the web page with uvicorn. The index and model load once, before the server starts."""
    import uvicorn

    from api.app import create_app

    s = _settings(index)
    pipe = _pipeline(s)  # fails here, with the reason, if the index or model cannot load
    host = host or s.api.host
    port = port or s.api.port
    console.print(f"guideqa serving index {pipe.index.info.name!r} on http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(create_app(s, pipeline=pipe), host=host, port=port, log_level="warning")


@app.command("llm-stub")
def llm_stub(
    port: Annotated[int, typer.Option(help="Loopback port to listen on.")] = 8399,
    mode: Annotated[str, typer.Option(help="'echo' (copy sentences from the prompt's passages) or 'script'.")] = "echo",
    script: Annotated[Optional[Path], typer.Option(help="JSON list of replies, served in order (mode script).")] = None,
    fault: Annotated[Optional[list[str]], typer.Option(help="echo faults: unsupported, bogus, uncited (repeatable).")] = None,
    delay_s: Annotated[float, typer.Option(help="Seconds to wait before every reply.")] = 0.0,
) -> None:
    """A local OpenAI-compatible stub LLM for tests and evals (no model, no network)."""
    import uvicorn

    from evals.llm_stub import StubConfig, create_app, load_script

    try:
        config = StubConfig(mode=mode, script=load_script(str(script)) if script else [], faults=fault or [], delay_s=delay_s)
    except (ValueError, OSError) as exc:
        _fail(str(exc), code=2)
    console.print(f"stub LLM on http://127.0.0.1:{port}/v1 (GUIDEQA_LLM__BASE_URL), model {config.model!r}")
    uvicorn.run(create_app(config), host="127.0.0.1", port=port, log_level="warning")


@app.command("llm-serve")
def llm_serve(
    port: Annotated[int, typer.Option(help="Loopback port for the OpenAI-compatible server.")] = 8080,
    n_ctx: Annotated[int, typer.Option("--n-ctx", help="Context window in model tokens.")] = 8192,
) -> None:
    """Serve the offline LLM (SmolLM2-135M-Instruct on llama.cpp) for GUIDEQA_WRITER=llm; `make llm` installs it."""
    import subprocess

    from rag.answering.local_llm import MODEL_ALIAS, LocalLLMError, server_command

    try:
        cmd = server_command(port, n_ctx=n_ctx)
    except LocalLLMError as exc:
        _fail(str(exc), code=1)
    console.print(f"serving {MODEL_ALIAS} on http://127.0.0.1:{port}/v1 - in another shell:\n"
                  f"  GUIDEQA_WRITER=llm GUIDEQA_LLM__BASE_URL=http://127.0.0.1:{port}/v1 "
                  f"GUIDEQA_LLM__MODEL={MODEL_ALIAS} .venv/bin/guideqa ask \"...\"")
    raise typer.Exit(subprocess.call(cmd))


@app.command("settings")
def show_settings() -> None:
    """Every setting, its environment variable, current value and description."""
    from rag.settings import environment_fields

    table = Table("environment variable", "value", "description")
    for env, value, description in environment_fields(_settings()):
        table.add_row(env, escape(json.dumps(value, default=str)), escape(description))
    console.print(table)


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
