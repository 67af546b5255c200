"""Index housekeeping commands: list indexes and leftover build folders, remove an index.

Which folders are leftovers, and whose process still runs, is rag.indexing.build_folders' job.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rag.indexing.build_folders import (
    BUILD_NAME,
    disk_size,
    leftovers,
    links,
    owner_alive,
)
from rag.indexing.catalog import index_manifest
from rag.indexing.delta import remove_updates
from rag.indexing.errors import GuideIndexError


class IndexEntry(BaseModel):
    """A row of `guideqa index list`: a named index, or a build folder that no name points at."""

    name: str | None = Field(default=None, description="Index name; None for a leftover build folder.")
    status: Literal["ok", "broken", "partial", "orphan"]
    build: str | None = Field(default=None, description="Build folder the name points at (under .builds).")
    owner_pid: int | None = Field(default=None, description="Process that made a leftover folder.")
    owner_alive: bool | None = Field(default=None, description="Whether that process still runs (then the folder is kept).")
    documents: int | None = None
    chunks: int | None = None
    sentences: int | None = None
    sources: dict[str, int] = Field(default_factory=dict, description="Documents per source.")
    built_at: str | None = None
    size_bytes: int = Field(default=0, description="Disk space the build folder takes (allocated blocks, like du).")
    fingerprint: str | None = None
    error: str | None = Field(default=None, description="Why a named index cannot be read.")


class Removal(BaseModel):
    name: str
    removed: list[str] = Field(description="The link and the build folders deleted.")
    kept: list[str] = Field(default_factory=list, description="Build folders left: another name or a running build uses them.")
    bytes_freed: int = 0


def _named(index_dir: Path, name: str, target: Path) -> IndexEntry:
    row = IndexEntry(name=name, status="ok", build=target.name, size_bytes=disk_size(target))
    try:
        if not target.is_dir():
            raise GuideIndexError(f"the link points at {target}, which does not exist")
        m = index_manifest(index_dir, name)  # with documents added and removed since the build
    except GuideIndexError as exc:
        return row.model_copy(update={"status": "broken", "error": str(exc)})
    return row.model_copy(update={"documents": m.documents, "chunks": m.chunks, "sentences": m.sentences, "built_at": m.built_at,
                                  "sources": {k: v.documents for k, v in m.sources.items() if v.documents}, "fingerprint": m.fingerprint})


def list_indexes(index_dir: Path) -> list[IndexEntry]:
    """Every index name under `index_dir` (unreadable ones with their error), then the leftover build folders."""
    rows = [_named(index_dir, name, target) for name, target in links(index_dir).items()]
    for folder in leftovers(index_dir):
        m = BUILD_NAME.match(folder.name)
        rows.append(IndexEntry(status="partial" if folder.name.endswith(".partial") else "orphan", build=folder.name,
                               owner_pid=int(m["pid"]) if m else None, owner_alive=owner_alive(folder.name), size_bytes=disk_size(folder)))
    return rows


def remove_index(index_dir: Path, name: str) -> Removal:
    """Delete index `name`: its link, then its build folders that no other name or running build uses."""
    if re.search(r"[/\\]", name) or name in ("", ".", ".."):
        raise GuideIndexError(f"{name!r} is not an index name: names cannot hold path separators")
    named = links(index_dir)
    if name not in named:
        raise GuideIndexError(f"no index named {name!r} in {index_dir}; known indexes: {', '.join(named) or 'none'}")
    target = named[name]
    (index_dir / name).unlink()  # first, so nothing loads a half-deleted index
    done = Removal(name=name, removed=[str(index_dir / name)])
    for path in remove_updates(index_dir, name):  # the documents added and removed with guideqa corpus add/remove
        done.removed.append(str(path))
    unused = leftovers(index_dir)
    if target.exists() and target not in unused:
        done.kept.append(str(target))  # another name points at it, or it lies outside .builds
    for folder in unused:
        m = BUILD_NAME.match(folder.name)
        if folder == target or (m and m["name"] == name and owner_alive(folder.name) is False):
            done.bytes_freed += disk_size(folder)
            shutil.rmtree(folder, ignore_errors=True)
            done.removed.append(str(folder))
        elif m and m["name"] == name:
            done.kept.append(str(folder))  # a build of this name still running
    return done


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def print_listing(rows: list[IndexEntry], index_dir: Path, out: Console, as_json: bool = False) -> None:
    if as_json:
        out.out(json.dumps([r.model_dump(mode="json") for r in rows], indent=2), highlight=False)
        return
    table = Table("name", "status", "documents", "chunks", "sentences", "sources", "built", "size", "fingerprint", "build folder",
                  title=f"indexes in {index_dir}")
    for r in rows:
        status = r.status
        if r.owner_alive is not None:
            status += f" (pid {r.owner_pid} running)" if r.owner_alive else " (stale)"
        table.add_row(escape(r.name or "-"), status, *(str(v) if v is not None else "" for v in (r.documents, r.chunks, r.sentences)),
                      escape(", ".join(r.sources)), r.built_at or "", human_bytes(r.size_bytes), (r.fingerprint or "")[:8],
                      escape(r.build or ""))
    out.print(table)
    for r in rows:
        if r.error:
            out.print(f"[red]{escape(r.name or '')}: {escape(r.error)}[/]")


def print_removal(done: Removal, out: Console) -> None:
    out.print(f"removed index {done.name!r}; {human_bytes(done.bytes_freed)} ({done.bytes_freed} bytes) freed")
    for path in done.removed:
        out.print(f"  removed {escape(path)}")
    for path in done.kept:
        out.print(f"  [yellow]kept {escape(path)}[/] (used by another name or a running build)")
