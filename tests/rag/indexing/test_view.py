"""IndexView: a build plus its updates read and searched as one index."""

import numpy as np

from rag.indexing.build import build_index
from rag.indexing.store import load_index
from rag.indexing.updates import add_documents, remove_documents
from rag.indexing.view import open_index
from rag.retrieval.retriever import Retriever
from rag.types import Filters
from tests.rag.indexing.small_corpus import _settings
from tests.rag.indexing.updates_helpers import copy_index, shed_doc

PDPH = "What needle type reduces the risk of post-dural puncture headache?"


def test_dense_search_merges_to_what_one_flat_index_returns(index_settings, built_index, real_docs, embedder, tmp_path):
    held_out, removed = real_docs[-4:], real_docs[0].id
    # One embedding cache: the rebuild reuses the very vectors (int8 vectors vary slightly with their batch).
    cache = {"cache_dir": tmp_path / "cache"}
    base = _settings(index_settings, tmp_path / "base", embedding=cache)
    build_index(real_docs[:-4], base, embedder=embedder)
    add_documents("t", held_out, base, embedder=embedder)
    remove_documents("t", [removed], base)
    view = open_index(base)
    full = _settings(index_settings, tmp_path / "full", embedding=cache)
    assert build_index(real_docs[1:], full, embedder=embedder)[1].embedding_cache["embedded"] == 0
    ref = load_index(full)
    for doc in held_out:
        q = embedder.encode_queries([doc.title])[0]
        ours = [(view.chunks([r])[0].id, s) for r, s in view.dense_search(q, 20, view.live_mask)]
        theirs = [(ref.chunks([r])[0].id, s) for r, s in ref.dense_search(q, 20, None)]
        assert [c for c, _ in ours] == [c for c, _ in theirs]
        assert np.allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


def test_filters_and_lookups_cover_added_rows_and_hide_removed_ones(index_settings, built_index, embedder, tmp_path):
    s = copy_index(index_settings, tmp_path)
    add_documents("u", [shed_doc()], s, embedder=embedder)
    remove_documents("u", ["ngc-10908"], s)
    view = open_index(s)
    retriever = Retriever(view, s, embedder)
    hits = retriever.search("shed door hinges", k=5, filters=Filters(year_from=2021, kind=["guideline"]))
    assert [h.chunk.doc_id for h in hits] == ["user:shed"]
    assert [h.chunk.doc_id for h in retriever.search("hinges", filters=Filters(source=["shed society"]))] == ["user:shed"]
    assert "American Society of Anesthesiologists" not in view.source_names  # only the removed guideline had it
    assert all(h.chunk.doc_id != "ngc-10908" for h in retriever.search(PDPH, k=20))
    rows = view.doc_rows("user:shed")
    assert rows == [view.build.size] and view.doc_of(rows[0]) == "user:shed"
    chunk = view.chunks(rows)[0]
    assert view.chunk_by_id(chunk.id) == chunk and view.titles(["user:shed"]) == {"user:shed": "Shed care"}
    stored = view.sentence_vectors([chunk.id])[chunk.id]
    assert len(stored) == 2 and all(v.dtype == np.float32 and abs(np.linalg.norm(v) - 1) < 0.01 for v in stored.values())
    gone = view.build.chunks(view.build.doc_rows("ngc-10908"))[0]
    assert view.chunk_by_id(gone.id) is None and view.document("ngc-10908") is None
    assert view.documents(["ngc-10908", "user:shed"]).keys() == {"user:shed"}
    assert "ngc-10908" not in view.document_ids and "user:shed" in view.document_ids


def test_an_added_version_of_a_build_document_wins(index_settings, built_index, embedder, tmp_path):
    s = copy_index(index_settings, tmp_path)
    build_doc = load_index(s).document("ngc-10908")
    local = build_doc.model_copy(update={"title": "Obstetric anesthesia, our local version", "year": 2024})
    report = add_documents("u", [local], s, embedder=embedder)
    assert report.replaced == ["ngc-10908"] and report.added == []
    view = open_index(s)
    hits = Retriever(view, s, embedder).search(PDPH, k=10)
    ours = [h for h in hits if h.chunk.doc_id == "ngc-10908"]
    assert ours and all(h.chunk.id in view._delta_ids for h in ours)  # never the build's copy
    assert view.document("ngc-10908").year == 2024 and view.manifest.documents == view.build.manifest.documents
    chunk_id = ours[0].chunk.id
    assert view.sentence_vectors([chunk_id])[chunk_id]
