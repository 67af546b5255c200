"""guideqa command line: the typer app, assembled from the command modules."""

from __future__ import annotations

import logging

import typer

from rag.cli.ask import ask, chat
from rag.cli.corpus import corpus_app
from rag.cli.evals import eval_app
from rag.cli.index import index_app
from rag.cli.serve import llm_serve, serve
from rag.cli.settings import show_settings

app = typer.Typer(help="Guideline-grounded answers with numbered citations.", no_args_is_help=True, pretty_exceptions_enable=False)
app.add_typer(corpus_app, name="corpus")
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")
app.command()(ask)
app.command()(chat)
app.command()(serve)
app.command("llm-serve")(llm_serve)
app.command("settings")(show_settings)


def _add_bench() -> None:
    from benchmarks.cli import bench_app

    app.add_typer(bench_app, name="bench")


_add_bench()


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
