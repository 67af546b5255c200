"""`guideqa bench build|query|scaling`: the sub-app, each benchmark's command module registering its own command."""

from __future__ import annotations

import typer

bench_app = typer.Typer(help="Performance benchmarks: print tables and write JSON.", no_args_is_help=True)


def _register() -> None:
    from benchmarks.index_build import command as build
    from benchmarks.query import command as query
    from benchmarks.scaling import command as scaling

    for module in (build, query, scaling):
        module.register(bench_app)


_register()
