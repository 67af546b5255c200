"""`guideqa index build|info|list|remove`: build and manage indexes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rag.cli.common import console, fail, load_settings
from rag.settings import Settings

index_app = typer.Typer(help="Build, inspect, list and remove indexes.", no_args_is_help=True)


def _preset(s: Settings, name: str, sources: list[str] | None, preset: str | None) -> str | None:
    """The preset to build: the one asked for, else the one named like the index (unless --sources)."""
    from rag.corpus.manifest import load_manifest

    presets = load_manifest(s).indexes
    if preset is not None and preset not in presets:
        fail(f"no preset named {preset!r} in {s.corpus.manifest}; choose one of: {', '.join(presets)}")
    if not sources and not preset:
        if name in presets:
            return name
        fail(f"no preset named {name!r} in {s.corpus.manifest}; pass --sources, --preset or one of: {', '.join(presets)}")
    return preset


def _load_documents(s: Settings, sources: list[str] | None, preset: str | None) -> tuple[list, dict[str, int]]:
    """The documents to index, printing per source how many loaded and the first few skipped."""
    from rag.corpus.documents import iter_documents
    from rag.corpus.manifest import CorpusError

    reports: list = []
    try:
        with console.status("loading documents…"):
            names = [n for n in sources if n != "user"] if sources else None
            docs = list(iter_documents(s, sources=names, preset=preset, reports=reports))
    except CorpusError as exc:
        fail(str(exc))
    for rep in reports:
        line = f"{rep.source}: {rep.loaded} documents"
        if rep.skipped:
            line += f", [yellow]{len(rep.skipped)} skipped[/]"
        console.print(line)
        for skip in rep.skipped[:5]:
            console.print(f"  [dim]skipped {escape(skip.where)}: {escape(skip.reason)}[/]")
    return docs, {rep.source: len(rep.skipped) for rep in reports}


def _note_updates(s: Settings, name: str) -> None:
    """Say that the documents added and removed with `guideqa corpus add/remove` carry over into the build."""
    from rag.indexing.delta import read_updates_manifest
    from rag.indexing.errors import GuideIndexError

    try:
        updates = read_updates_manifest(s.index.dir, name)
    except GuideIndexError as exc:
        fail(str(exc))
    if updates is not None and (updates.added or updates.removed):
        console.print(f"your changes to {name!r}: {len(updates.added)} added documents kept, {len(updates.removed)} "
                      "removed documents left out (guideqa corpus list --added)")


@index_app.command("build")
def index_build(
    name: Annotated[str, typer.Option(help="Index name; also the preset in corpus/sources.toml when one exists.")] = "default",
    sources: Annotated[Optional[list[str]], typer.Option("--sources", help="Sources to index instead of the preset's ('user' alone: only your own folders).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every source in full (the 'all' preset).")] = False,
    preset: Annotated[Optional[str], typer.Option("--preset", help="Preset in corpus/sources.toml to build under --name (default: the preset named like the index).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when the index is up to date.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Chunk and embed every document afresh, ignoring the build cache (a cold build, for fair timing); implies --force.")] = False,
    shards: Annotated[Optional[int], typer.Option("--shards", min=1, help="Write the index as N shards, searched in parallel with the same rankings (default: index.shards, 1).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="Who chunks and embeds: 'local' (this process) or 'ray' (a Ray cluster: encoder actors in parallel).")] = "local",
    address: Annotated[Optional[str], typer.Option("--address", help="With --engine ray: the cluster, 'auto' or ray://HOST:PORT (default: a local Ray).")] = None,
) -> None:
    """Build an index (into a temporary folder, swapped in when complete)."""
    from rag.indexing.build import build_index
    from rag.indexing.embedding import EmbeddingError
    from rag.indexing.errors import GuideIndexError

    s = load_settings()
    if engine not in ("local", "ray"):
        fail(f"--engine must be 'local' or 'ray', not {engine!r}")
    if shards is not None:
        s.index.shards = shards
    if address is not None:
        s.cluster.address = address
    if all_:
        name = "all" if name == "default" else name
    preset = _preset(s, name, sources, "all" if all_ else preset)
    docs, skipped = _load_documents(s, sources, preset)
    _note_updates(s, name)

    columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def note(stage: str, done: int, total: int) -> None:
            if stage not in tasks:  # what the counts are: characters to cut, word pieces to encode
                label = {"chunk": "chunk (characters)", "embed": "embed (word pieces)"}.get(stage, stage)
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            if engine == "ray":
                from rag.distributed.build import build_on_ray

                path, manifest, rebuilt = build_on_ray(docs, s, name=name, skipped=skipped, force=force or no_cache,
                                                       progress=note, use_cache=False if no_cache else None)
            else:
                path, manifest, rebuilt = build_index(docs, s, name=name, skipped=skipped, force=force or no_cache,
                                                      progress=note, use_cache=False if no_cache else None)
        except (GuideIndexError, EmbeddingError) as exc:
            fail(str(exc))
    state = "built" if rebuilt else "already up to date (use --force to rebuild)"
    console.print(
        f"[bold green]index {name!r} {state}[/]: {manifest.documents} documents, {manifest.chunks} chunks, "
        f"fingerprint {manifest.fingerprint}, {manifest.build_seconds:.0f} s → {path}"
    )
    if manifest.shards:
        console.print(f"  {len(manifest.shards)} shards ({manifest.engine} build): " + ", ".join(
            f"{e.folder} {e.documents} documents / {e.chunks} chunks" for e in manifest.shards))
    if rebuilt:
        cache = manifest.embedding_cache
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in manifest.stage_seconds.items())
        console.print(f"  {stages}; vectors reused from the cache: {cache.get('reused', 0)}, embedded: {cache.get('embedded', 0)}")


@index_app.command("info")
def index_info(
    name: Annotated[str, typer.Option(help="Index name.")] = "default",
    abbreviations: Annotated[bool, typer.Option("--abbreviations", help="Print the abbreviations the documents "
                                                "define (short form -> expansion) instead.")] = False,
) -> None:
    """Print an index's manifest: its build, with the documents added and removed since folded into the counts and
    fingerprint (`updates` says what they were). The abbreviations its documents define are counted here; the
    table itself is printed with --abbreviations."""
    from rag.indexing.catalog import index_manifest
    from rag.indexing.errors import GuideIndexError

    s = load_settings(name)
    if not s.index_path.exists():
        fail(f"no index named {name!r} in {s.index.dir}")
    try:
        manifest = index_manifest(s.index.dir, name)
    except GuideIndexError as exc:
        fail(str(exc))
    if abbreviations:
        console.print_json(data=manifest.abbreviations)
        return
    console.print_json(data=manifest.model_dump(mode="json") | {"abbreviations": len(manifest.abbreviations)})


@index_app.command("list")
def index_list(as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False) -> None:
    """The indexes (counts, size on disk, errors) and leftover build folders no name points at."""
    from rag.indexing.admin import list_indexes, print_listing

    s = load_settings()
    print_listing(list_indexes(s.index.dir), s.index.dir, console, as_json)


@index_app.command("remove")
def index_remove(name: Annotated[str, typer.Argument(help="Index name.")]) -> None:
    """Delete an index: its name and its build folders (no confirmation asked)."""
    from rag.indexing.admin import print_removal, remove_index
    from rag.indexing.errors import GuideIndexError

    try:
        print_removal(remove_index(load_settings().index.dir, name), console)
    except GuideIndexError as exc:
        fail(str(exc))
