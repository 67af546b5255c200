"""`guideqa bench build|query|scaling`: each module registers its own command."""

from __future__ import annotations

import typer

bench_app = typer.Typer(help="Performance benchmarks: print tables and write JSON.", no_args_is_help=True)


def _register() -> None:
    from benchmarks import build, query, scaling

    for module in (build, query, scaling):
        module.register(bench_app)


_register()
