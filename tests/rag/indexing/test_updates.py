"""add_documents / remove_documents / list_documents on small real indexes: what changes, what does not, and crashes."""

import threading

import numpy as np
import pytest

from rag.indexing import delta as delta_module
from rag.indexing.build import build_index
from rag.indexing.catalog import index_manifest
from rag.indexing.delta import read_updates_manifest, updates_folder, updates_root
from rag.indexing.errors import GuideIndexError, UnknownDocumentError, UpdateError
from rag.indexing.store import load_index
from rag.indexing.updates import add_documents, list_documents, remove_documents
from rag.indexing.view import open_index
from rag.retrieval.retriever import Retriever
from tests.rag.indexing.small_corpus import _docs, _settings
from tests.rag.indexing.updates_helpers import shed_doc

SHED_Q = "How often should the hinges of the shed door be oiled?"


@pytest.fixture
def small(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path, index={"reload_check_s": 0})
    build_index(_docs(), s, embedder=embedder)
    return s


def _top(s, embedder, query: str, k: int = 3) -> list[str]:
    return [h.chunk.doc_id for h in Retriever(open_index(s), s, embedder).search(query, k=k)]


def test_add_embeds_only_the_new_document_and_leaves_the_build_alone(small, embedder):
    build = (small.index.dir / "t").resolve()
    before = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in build.rglob("*") if p.is_file()}
    report = add_documents("t", [shed_doc()], small, embedder=embedder)
    assert report.added == ["user:shed"] and report.replaced == [] and report.generation == 1
    assert report.chunks == report.chunks_embedded == 1 and report.seconds < 30
    assert report.documents[0].pages == 4 and report.documents[0].added_by_user
    assert (small.index.dir / "t").resolve() == build  # same build folder, not one byte of it rewritten
    assert {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in build.rglob("*") if p.is_file()} == before
    assert _top(small, embedder, SHED_Q)[0] == "user:shed"
    chunk = open_index(small).chunks([3])[0]
    assert chunk.doc_id == "user:shed" and chunk.page == 3


def test_adding_the_same_document_again_replaces_it(small, embedder):
    add_documents("t", [shed_doc()], small, embedder=embedder)
    again = add_documents("t", [shed_doc()], small, embedder=embedder)
    assert again.added == [] and again.replaced == ["user:shed"] and again.chunks_embedded == 0
    assert [e.id for e in list_documents("t", small)].count("user:shed") == 1
    # A new version under the same id: the new text answers, the old one is gone.
    add_documents("t", [shed_doc("Grease the hinges of the shed door every month with lithium grease.")], small, embedder=embedder)
    view = open_index(small)
    assert view.size == 4 and view.document("user:shed").sections[0].text.startswith("Grease")
    texts = [c.text for c in view.chunks(range(view.size))]
    assert not any("linseed" in t for t in texts)
    assert index_manifest(small.index.dir, "t").documents == 4


def test_removing_unknown_ids_fails_and_changes_nothing(small, embedder):
    add_documents("t", [shed_doc()], small, embedder=embedder)
    folder = updates_folder(small.index.dir, "t")
    with pytest.raises(UnknownDocumentError, match="'user:nope', 'user:gone'") as caught:
        remove_documents("t", ["user:shed", "user:nope", "user:gone"], small)
    assert caught.value.ids == ["user:nope", "user:gone"] and isinstance(caught.value, GuideIndexError)
    assert updates_folder(small.index.dir, "t") == folder
    assert "user:shed" in open_index(small).document_ids


def test_removing_a_build_document_hides_it_at_once(small, embedder):
    report = remove_documents("t", ["user:doc1"], small)
    assert report.removed == ["user:doc1"]
    view = open_index(small)
    assert "user:doc1" not in _top(small, embedder, "Prune the roses in row 1", k=5)
    assert view.document("user:doc1") is None and view.doc_rows("user:doc1") == [] and view.titles(["user:doc1"]) == {}
    assert "user:doc1" not in {e.id for e in list_documents("t", small)}
    with pytest.raises(UnknownDocumentError):  # already removed
        remove_documents("t", ["user:doc1"], small)


def test_manifest_counts_and_fingerprint_follow_the_changes(small, embedder, tmp_path, index_settings):
    build = index_manifest(small.index.dir, "t")
    add_documents("t", [shed_doc()], small, embedder=embedder)
    assert remove_documents("t", ["user:shed"], small).fingerprint == build.fingerprint  # back to the build alone
    added = add_documents("t", [shed_doc()], small, embedder=embedder)
    m = index_manifest(small.index.dir, "t")
    assert (m.documents, m.chunks) == (build.documents + 1, build.chunks + 1)
    assert m.fingerprint == added.fingerprint != build.fingerprint
    assert m.updates["build_fingerprint"] == build.fingerprint and m.updates["added_in_delta"] == 1
    removed = remove_documents("t", ["user:doc0"], small)
    m2 = index_manifest(small.index.dir, "t")
    assert m2.fingerprint == removed.fingerprint not in (m.fingerprint, build.fingerprint)
    # The counts are what a fresh build of the same documents reports.
    fresh = build_index(_docs()[1:] + [shed_doc()], _settings(index_settings, tmp_path / "fresh"), embedder=embedder)[1]
    assert (m2.documents, m2.chunks, m2.sentences) == (fresh.documents, fresh.chunks, fresh.sentences)
    assert m2.sources == fresh.sources
    assert open_index(small).manifest == m2


def test_a_crash_while_embedding_leaves_the_previous_state_serving(small, embedder, monkeypatch):
    add_documents("t", [shed_doc()], small, embedder=embedder)
    folder = updates_folder(small.index.dir, "t")
    calls = []

    def dies(texts, spans):
        calls.append(len(texts))
        raise RuntimeError("out of memory")  # what any failure midway through embedding looks like

    monkeypatch.setattr(embedder, "encode_documents_with_spans", dies)
    monkeypatch.setattr(embedder, "encode_documents", dies)
    bike = shed_doc("Check the bicycle chain for rust every week and oil it lightly.", doc_id="user:bike")
    with pytest.raises(RuntimeError, match="out of memory"):
        add_documents("t", [bike], small, embedder=embedder)
    assert calls and updates_folder(small.index.dir, "t") == folder
    assert not list(updates_root(small.index.dir).glob("*.partial"))
    view = open_index(small)
    assert "user:bike" not in view.document_ids and read_updates_manifest(small.index.dir, "t").generation == 1
    assert _top(small, embedder, SHED_Q)[0] == "user:shed"


def test_a_kill_while_writing_leaves_no_half_written_state(small, embedder, monkeypatch):
    add_documents("t", [shed_doc()], small, embedder=embedder)
    folder = updates_folder(small.index.dir, "t")
    real = delta_module._write_files

    def killed(path, delta):
        (path / delta_module.DOCUMENTS).write_text("half a line")
        raise KeyboardInterrupt  # a Ctrl-C or kill between two files

    monkeypatch.setattr(delta_module, "_write_files", killed)
    with pytest.raises(KeyboardInterrupt):
        remove_documents("t", ["user:shed"], small)
    assert updates_folder(small.index.dir, "t") == folder
    assert not list(updates_root(small.index.dir).glob("*.partial"))
    assert "user:shed" in open_index(small).document_ids
    # A folder a SIGKILL left behind is never read, and the next writer clears it.
    stale = updates_root(small.index.dir) / "t-20200101T000000.000000-999999.partial"
    stale.mkdir()
    assert "user:shed" in open_index(small).document_ids
    monkeypatch.setattr(delta_module, "_write_files", real)
    remove_documents("t", ["user:shed"], small)
    assert not stale.exists() and [p.name for p in updates_root(small.index.dir).iterdir() if p.is_dir()
                                   and not p.is_symlink()] == [updates_folder(small.index.dir, "t").name]


def test_a_rebuild_keeps_added_documents_and_leaves_removed_ones_out(small, embedder):
    add_documents("t", [shed_doc()], small, embedder=embedder)
    remove_documents("t", ["user:doc1"], small)
    before = index_manifest(small.index.dir, "t")
    _, manifest, rebuilt = build_index(_docs(), small, embedder=embedder)
    assert rebuilt and manifest.documents == 3  # doc0, doc2 and the shed
    build = load_index(small)
    assert "user:shed" in build.document_ids and "user:doc1" not in build.document_ids
    # The delta gave its rows to the build; the document is still listed as added, and the answer is the same.
    updates = read_updates_manifest(small.index.dir, "t")
    assert updates.chunks == 0 and not updates.added[0].indexed and [r.id for r in updates.removed] == ["user:doc1"]
    shed = next(e for e in list_documents("t", small) if e.id == "user:shed")
    assert shed.added_by_user and shed.chunks == 1
    after = index_manifest(small.index.dir, "t")
    assert (after.documents, after.chunks) == (before.documents, before.chunks)
    assert after.fingerprint == manifest.fingerprint  # nothing left over the build
    assert _top(small, embedder, SHED_Q, k=5).count("user:shed") == 1
    # Built again from the same corpus: nothing to do.
    assert build_index(_docs(), small, embedder=embedder)[2] is False
    # Removing a folded document hides the build's copy too, and the next build leaves it out.
    remove_documents("t", ["user:shed"], small)
    assert "user:shed" not in open_index(small).document_ids
    build_index(_docs(), small, embedder=embedder)
    assert "user:shed" not in load_index(small).document_ids


def test_adding_needs_the_index_encoder_and_a_built_index(small, embedder):
    other = small.model_copy(deep=True)
    other.embedding.sentence_vectors = "encoded"
    with pytest.raises(UpdateError, match="sentence vectors"):
        add_documents("t", [shed_doc()], other, embedder=embedder)
    with pytest.raises(GuideIndexError, match="guideqa index build --name nope"):
        add_documents("nope", [shed_doc()], small, embedder=embedder)
    with pytest.raises(UpdateError, match="more than once"):
        add_documents("t", [shed_doc(), shed_doc()], small, embedder=embedder)
    assert updates_folder(small.index.dir, "t") is None


def test_concurrent_adds_both_land(small, embedder):
    docs = [shed_doc(f"Sweep the floor of shed {i} every Saturday morning.", doc_id=f"user:shed{i}") for i in range(4)]
    errors = []

    def add(doc):
        try:
            add_documents("t", [doc], small, embedder=embedder)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    view = open_index(small)
    assert {d.id for d in docs} <= view.document_ids and view.size == 3 + 4
    assert read_updates_manifest(small.index.dir, "t").generation == 4
    assert np.allclose(np.linalg.norm(view.delta.vectors, axis=1), 1, atol=1e-3)


def test_a_rebuild_with_another_encoder_carries_the_added_documents_over(small, embedder):
    add_documents("t", [shed_doc()], small, embedder=embedder)
    other = small.model_copy(deep=True)
    other.embedding.sentence_vectors = "encoded"  # rows of the old encoder could not be searched with the new
    build_index(_docs(), other, embedder=embedder)
    view = open_index(other)
    assert "user:shed" in view.build.document_ids and view.delta.size == 0
    assert read_updates_manifest(small.index.dir, "t").sentence_vectors == "encoded"
    bike = shed_doc("Check the bicycle chain for rust every week and oil it lightly.", doc_id="user:bike")
    assert add_documents("t", [bike], other, embedder=embedder).added == ["user:bike"]
    assert {"user:shed", "user:bike"} <= open_index(other).document_ids
