"""`guideqa index build --engine ray`: chunking and embedding on a real local Ray cluster, written as shards."""

from __future__ import annotations

import threading
import time

import numpy as np
import psutil

from rag.distributed.build import build_on_ray
from rag.distributed.cluster import connected
from rag.indexing.build import build_index
from rag.indexing.store import load_folder
from rag.indexing.view import open_index
from rag.retrieval.retriever import Retriever
from rag.types import DocSection
from tests.rag.distributed.conftest import cluster_settings, wait_until
from tests.rag.indexing.test_sharded import QUESTIONS, same_ranking


def _fresh(base, tmp_path, name: str, **index):
    s = cluster_settings(base, base.cluster.address or "", dir=tmp_path / "indexes", name=name, **index)
    s.embedding.cache_dir = tmp_path / "cache"
    return s


def test_a_ray_build_writes_the_index_a_local_build_writes_from_the_same_vectors(index_settings, built_index, ray_address,
                                                                                  real_docs, embedder, tmp_path):
    base = cluster_settings(index_settings, ray_address)
    s = _fresh(base, tmp_path, "ray", shards=2)
    _, manifest, rebuilt = build_on_ray(real_docs, s)
    assert rebuilt and manifest.engine == "ray" and len(manifest.shards) == 2
    assert manifest.embedding_cache == {"reused": 0, "embedded": manifest.chunks}  # every chunk embedded by the actors
    # The vectors are the model's: close to the ones this process computes (int8 rounding varies with the batch).
    ray_index = open_index(s).build
    row = ray_index.doc_rows(real_docs[0].id)[0]
    mine = open_index(index_settings).build
    ref = mine.dense.reconstruct(mine.doc_rows(real_docs[0].id)[0])
    shard = ray_index.shards[0]
    assert float(np.dot(shard.dense.reconstruct(row), ref)) > 0.99
    # A local 2-shard build reusing those vectors from the cache writes the same index, and ranks the same.
    local = _fresh(base, tmp_path, "local", shards=2)
    _, again, _ = build_index(real_docs, local, embedder=embedder)
    assert again.embedding_cache["embedded"] == 0 and [e.chunks for e in again.shards] == [e.chunks for e in manifest.shards]
    ra, rb = Retriever(open_index(local), local, embedder), Retriever(open_index(s), s, embedder)
    for q in QUESTIONS:
        assert same_ranking([(h.chunk.id, h.score) for h in rb.search(q, k=10)], [(h.chunk.id, h.score) for h in ra.search(q, k=10)])


def test_a_ray_rebuild_embeds_only_new_or_changed_chunks(index_settings, ray_address, real_docs, tmp_path):
    s = _fresh(cluster_settings(index_settings, ray_address), tmp_path, "t", shards=2)
    first = build_on_ray(real_docs[:-3], s)[1]
    changed = real_docs[0].model_copy(update={"sections": [DocSection(title="Note", text="An invented note, added to "
                                                                      "change this document's text.")] + real_docs[0].sections})
    second = build_on_ray([changed] + real_docs[1:], s)[1]
    assert second.chunks > first.chunks
    assert 0 < second.embedding_cache["embedded"] < second.chunks / 4  # three new documents and one changed
    for entry in second.shards:
        assert load_folder(s, s.index_path.resolve() / entry.folder, entry.folder).size == entry.chunks


def _encoding_workers() -> list[psutil.Process]:
    """Ray worker processes of our encoder actors busy with a batch (Ray titles them "ray::MapWorker(MapBatches(
    EncodeChunks)).submit" meanwhile)."""
    out = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if cmd.startswith("ray::MapWorker") and "EncodeChunks" in cmd and ".submit" in cmd:
            out.append(proc)
    return out


def test_an_encoder_actor_killed_mid_build_is_restarted_and_the_build_completes(index_settings, ray_address, real_docs,
                                                                              tmp_path):
    s = _fresh(cluster_settings(index_settings, ray_address), tmp_path, "t")
    s.cluster.batch_rows = 8  # many small batches: the build is still running when the actor dies
    result: dict = {}
    with connected(s):
        thread = threading.Thread(target=lambda: result.update(out=build_on_ray(real_docs, s)))
        thread.start()
        killed = None
        deadline = time.monotonic() + 240
        while thread.is_alive() and killed is None and time.monotonic() < deadline:
            for worker in _encoding_workers()[:1]:
                worker.kill()  # SIGKILL, mid-batch
                killed = worker.pid
            time.sleep(0.1)
        thread.join(timeout=600)
    assert killed is not None, "no encoder actor was seen running"
    _, manifest, rebuilt = result["out"]
    assert rebuilt and manifest.chunks == manifest.embedding_cache["embedded"]
    index = open_index(s)
    assert index.size == manifest.chunks and not np.isnan(index.build.dense.reconstruct(manifest.chunks - 1)).any()


_DRIVER = """
import sys
from rag.corpus.documents import iter_documents
from rag.distributed.build import build_on_ray
from rag.settings import Settings

s = Settings.model_validate_json(open(sys.argv[1]).read())
docs = [d for d in iter_documents(s, sources=["ngc"]) if d.id in set(sys.argv[2].split(","))]
build_on_ray(docs, s, force=True)
"""


def test_a_driver_killed_mid_build_leaves_the_previous_index_serving(index_settings, ray_address, real_docs, embedder,
                                                                    tmp_path):
    import subprocess
    import sys

    from rag.indexing.build_folders import leftovers

    s = _fresh(cluster_settings(index_settings, ray_address), tmp_path, "t")
    old = build_index(real_docs[:3], s, embedder=embedder)[1]
    s.cluster.batch_rows = 4  # many small batches: still embedding when killed
    (tmp_path / "settings.json").write_text(s.model_dump_json())
    ids = ",".join(d.id for d in real_docs if d.id.startswith("ngc-"))
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, str(tmp_path / "settings.json"), ids])
    try:
        assert wait_until(lambda: bool(_encoding_workers()) or driver.poll() is not None, 240, 0.1)
        assert driver.poll() is None, "the build finished before it could be killed"
        driver.kill()  # SIGKILL: no cleanup runs
        driver.wait(timeout=60)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert [f.name for f in leftovers(s.index.dir) if f.name.endswith(".partial")]  # what it left behind
    view = open_index(s)
    assert view.manifest.fingerprint == old.fingerprint and view.size == old.chunks  # the previous build still serves
    assert Retriever(view, s, embedder).search(QUESTIONS[0], k=3)
    build_index(real_docs[:3], s, embedder=embedder, force=True)  # the next build clears what the killed one left
    assert not [f for f in leftovers(s.index.dir) if f.name.endswith(".partial")]


def test_guideqa_index_build_engine_ray_writes_shards(index_settings, ray_address, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from rag.cli import app

    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(tmp_path / "indexes"))
    monkeypatch.setenv("GUIDEQA_EMBEDDING__CACHE_DIR", str(tmp_path / "cache"))
    docs = tmp_path / "userdocs"
    docs.mkdir()
    for i, topic in enumerate(("hinges of the shed door", "gutters of the garage", "chain of the garden gate")):
        (docs / f"note{i}.md").write_text(f"---\ntitle: Shed care {i}\nsource: Test Society\nyear: 2020\n---\n# Oiling\n"
                                          f"Oil the {topic} twice a year to stop squeaking.\n")
    monkeypatch.setenv("GUIDEQA_CORPUS__USER_DIRS", json.dumps([str(docs)]))
    runner = CliRunner()
    args = ["index", "build", "--name", "mine", "--sources", "user", "--engine", "ray", "--address", ray_address]
    result = runner.invoke(app, [*args, "--shards", "2"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "index 'mine' built" in out and "2 shards (ray build)" in out and "embedded: 3" in out
    bad = runner.invoke(app, [*args[:-4], "--engine", "spark"])
    assert bad.exit_code != 0 and "--engine must be 'local' or 'ray'" in bad.output
