"""Index housekeeping on small real indexes: listing, removing, and clearing up after killed builds."""

import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.indexing.admin import list_indexes, remove_index
from rag.indexing.build import build_index
from rag.indexing.delta import updates_root
from rag.indexing.errors import GuideIndexError
from rag.indexing.store import load_index
from rag.indexing.updates import add_documents, remove_documents
from rag.settings import Settings
from rag.types import DocSection, Document


def _settings(base: Settings, root: Path) -> Settings:
    data = base.model_dump()
    data["index"] = {"dir": root / "indexes", "name": "t"}
    data["embedding"]["cache_dir"] = root / "cache"
    return Settings(**data)


def _docs(n: int = 3) -> list[Document]:
    # Invented, non-medical text: enough to exercise the index machinery.
    return [Document(id=f"user:doc{i}", kind="guideline", title=f"Bike note {i}", source="Test Club", year=2015,
                     sections=[DocSection(title="Care", text=f"Oil the chain of bike {i} every month. Check tyre {i} weekly.")])
            for i in range(n)]


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert not psutil.pid_exists(proc.pid)
    return proc.pid


def _leftover(s: Settings, name: str, pid: int, partial: bool = True, when: datetime | None = None) -> Path:
    """A build folder as a build by process `pid` leaves it, with a file in it."""
    stamp = (when or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%S.%f")
    folder = s.index.dir / ".builds" / f"{name}-{stamp}-{pid}{'.partial' if partial else ''}"
    folder.mkdir(parents=True)
    (folder / "dense.faiss").write_bytes(b"\0" * 10_000)
    return folder


@pytest.fixture
def built(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path)
    path, manifest, _ = build_index(_docs(), s, embedder=embedder)
    return s, path, manifest


def test_list_shows_a_built_index(built):
    s, path, manifest = built
    [row] = list_indexes(s.index.dir)
    assert (row.name, row.status, row.error) == ("t", "ok", None)
    assert (row.documents, row.chunks, row.sentences) == (3, manifest.chunks, manifest.sentences)
    assert row.sources == {"user": 3} and row.fingerprint == manifest.fingerprint and row.built_at == manifest.built_at
    assert row.build == path.resolve().name
    assert row.size_bytes >= (path / "dense.faiss").stat().st_size > 0


def test_next_build_clears_dead_builds_and_keeps_running_ones(built, embedder):
    s, path, _ = built
    dead = _dead_pid()
    killed = _leftover(s, "other", dead)
    orphan = _leftover(s, "gone", dead, partial=False)
    reused = _leftover(s, "other", os.getpid(), when=datetime(2001, 1, 1, tzinfo=timezone.utc))  # our pid, but older than us
    running = _leftover(s, "other", os.getpid())
    running_same_name = _leftover(s, "t", os.getppid())  # another live process building "t"
    stranger = s.index.dir / ".builds" / "notes"
    stranger.mkdir()
    rows = {r.build: r for r in list_indexes(s.index.dir)}
    assert (rows[killed.name].status, rows[killed.name].owner_alive, rows[killed.name].owner_pid) == ("partial", False, dead)
    assert (rows[orphan.name].status, rows[orphan.name].owner_alive) == ("orphan", False)
    assert rows[reused.name].owner_alive is False and rows[running.name].owner_alive is True
    assert rows[running_same_name.name].owner_alive is True

    build_index(_docs(), s, name="u", embedder=embedder)  # a build of another name clears up
    assert not killed.exists() and not orphan.exists() and not reused.exists()
    assert running.exists() and stranger.exists() and path.resolve().exists()
    build_index(_docs(4), s, embedder=embedder)  # a rebuild of "t" leaves another process's build of "t" alone
    assert running_same_name.exists()
    late = _leftover(s, "other", dead)
    assert not build_index(_docs(4), s, embedder=embedder)[2]  # up to date, nothing built: still clears up
    assert not late.exists()


def test_remove_deletes_the_link_and_its_build_folders(built, embedder):
    s, path, _ = built
    build_index(_docs(), s, name="u", embedder=embedder)
    target = path.resolve()
    killed = _leftover(s, "t", _dead_pid())
    running = _leftover(s, "t", os.getppid())
    removed = remove_index(s.index.dir, "t")
    assert not path.is_symlink() and not target.exists() and not killed.exists() and running.exists()
    assert set(removed.removed) == {str(path), str(target), str(killed)} and removed.kept == [str(running)]
    assert removed.bytes_freed > 10_000
    assert load_index(s, "u").size > 0  # the other index still serves
    assert [r.name for r in list_indexes(s.index.dir)] == ["u", None]


def test_remove_keeps_a_build_another_name_points_at(built):
    s, path, _ = built
    target = path.resolve()
    (s.index.dir / "alias").symlink_to(os.readlink(path))
    removed = remove_index(s.index.dir, "t")
    assert removed.removed == [str(path)] and removed.kept == [str(target)] and removed.bytes_freed == 0
    assert [(r.name, r.status) for r in list_indexes(s.index.dir)] == [("alias", "ok")]


def test_unknown_or_path_like_names_are_refused(built):
    s, path, _ = built
    with pytest.raises(GuideIndexError, match=r"no index named 'nope'.*known indexes: t$"):
        remove_index(s.index.dir, "nope")
    for bad in ("../t", "a/b", "a\\b", ".."):
        with pytest.raises(GuideIndexError, match="path separators"):
            remove_index(s.index.dir, bad)
    with pytest.raises(GuideIndexError, match="no index named '.builds'"):
        remove_index(s.index.dir, ".builds")
    assert path.resolve().exists() and (s.index.dir / ".builds").is_dir()


def test_corrupt_and_dangling_indexes_are_listed_with_their_error(built):
    s, path, _ = built
    (path / "manifest.json").write_text("{not json", encoding="utf-8")
    (s.index.dir / "ghost").symlink_to(".builds/ghost-20260101T000000.000000-1")
    rows = {r.name: r for r in list_indexes(s.index.dir)}
    assert rows["t"].status == "broken" and "unreadable or corrupt" in rows["t"].error and rows["t"].documents is None
    assert rows["ghost"].status == "broken" and "does not exist" in rows["ghost"].error
    assert remove_index(s.index.dir, "ghost").bytes_freed == 0 and not (s.index.dir / "ghost").is_symlink()


def test_cli_lists_and_removes(built, monkeypatch):
    s, path, manifest = built
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(s.index.dir))
    killed = _leftover(s, "other", _dead_pid())
    runner = CliRunner()
    listed = runner.invoke(app, ["index", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["status"], r["chunks"]) for r in rows] == [("t", "ok", manifest.chunks), (None, "partial", None)]
    table = runner.invoke(app, ["index", "list"], env={"COLUMNS": "250"})
    assert table.exit_code == 0 and manifest.fingerprint[:8] in table.stdout and f"{killed.name}" in table.stdout
    assert "partial (stale)" in table.stdout
    unknown = runner.invoke(app, ["index", "remove", "nope"], env={"COLUMNS": "250"})
    assert unknown.exit_code == 1 and "known indexes: t" in unknown.stderr
    assert runner.invoke(app, ["index", "remove", "../t"]).exit_code == 1
    gone = runner.invoke(app, ["index", "remove", "t"], env={"COLUMNS": "250"})
    assert gone.exit_code == 0, gone.output
    assert "removed index 't'" in gone.stdout and "bytes) freed" in gone.stdout and str(path.resolve()) in gone.stdout
    assert not path.is_symlink()


def test_list_counts_added_documents_and_remove_deletes_them(built, embedder):
    s, path, manifest = built
    extra = _docs(5)[3:]
    add_documents("t", extra, s, embedder=embedder)
    remove_documents("t", ["user:doc0"], s)
    [row] = list_indexes(s.index.dir)
    assert row.documents == 4 and row.chunks == manifest.chunks + 1 and row.fingerprint != manifest.fingerprint
    generation = (updates_root(s.index.dir) / "t").resolve()
    removed = remove_index(s.index.dir, "t")
    assert str(updates_root(s.index.dir) / "t") in removed.removed and str(generation) in removed.removed
    assert not generation.exists() and not (updates_root(s.index.dir) / "t").is_symlink()
    build_index(_docs(), s, embedder=embedder)  # built again: nothing of the old updates comes back
    assert load_index(s).document_ids == {"user:doc0", "user:doc1", "user:doc2"}
