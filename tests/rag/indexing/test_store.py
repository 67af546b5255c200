import json
import shutil
import sqlite3

import numpy as np
import pytest

from rag.indexing.build import build_index
from rag.indexing.errors import GuideIndexError
from rag.indexing.store import load_index
from rag.types import DocSection, Document
from tests.rag.indexing.small_corpus import _docs, _settings


def test_loaded_index_matches_manifest(index_settings, built_index):
    ix = load_index(index_settings)
    assert ix.size == ix.dense.ntotal == built_index[1].chunks
    chunk = ix.chunks([0])[0]
    assert ix.chunk_by_id(chunk.id) == chunk
    doc = ix.document(chunk.doc_id)
    assert doc is not None and doc.id == chunk.doc_id


def test_model_mismatch_is_refused(index_settings, built_index):
    other = index_settings.model_copy(deep=True)
    other.embedding.model = "some/other-model"
    with pytest.raises(GuideIndexError, match="built with model"):
        load_index(other)


def test_missing_index_names_the_build_command(index_settings):
    with pytest.raises(GuideIndexError, match="guideqa index build --name nope"):
        load_index(index_settings, "nope")


def test_corrupt_parts_are_reported(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path)
    path, _, _ = build_index(_docs(), s, embedder=embedder)
    real = path.resolve()

    (real / "dense.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(GuideIndexError, match="dense.faiss"):
        load_index(s)

    build_index(_docs(), s, embedder=embedder, force=True)
    real = path.resolve()
    manifest = json.loads((real / "manifest.json").read_text())
    manifest["chunks"] += 1
    (real / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(GuideIndexError, match="rebuild"):
        load_index(s)

    (real / "manifest.json").write_text("{not json")
    with pytest.raises(GuideIndexError, match="corrupt"):
        load_index(s)

    build_index(_docs(), s, embedder=embedder, force=True)
    shutil.rmtree(path.resolve() / "bm25")
    with pytest.raises(GuideIndexError, match="bm25 is missing"):
        load_index(s)


def test_backend_mismatch_is_refused(index_settings, built_index):
    other = index_settings.model_copy(deep=True)
    other.embedding.backend = "torch" if index_settings.embedding.backend != "torch" else "onnx"
    with pytest.raises(GuideIndexError, match="GUIDEQA_EMBEDDING__BACKEND="):
        load_index(other)


def test_corrupt_sentence_vectors_are_reported(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path)
    path, _, _ = build_index(_docs(), s, embedder=embedder)
    np.save(path.resolve() / "sentences.npy", np.zeros((1, 3), dtype=np.float16))
    with pytest.raises(GuideIndexError, match="sentences.npy"):
        load_index(s)
    (path.resolve() / "sentences.npy").write_bytes(b"garbage")
    with pytest.raises(GuideIndexError, match="sentences.npy is corrupt"):
        load_index(s)


def test_a_format_1_index_without_sentence_vectors_still_answers(index_settings, embedder, tmp_path):
    from rag.pipeline import Pipeline

    s = _settings(index_settings, tmp_path)
    path, _, _ = build_index(_docs(), s, embedder=embedder)
    real = path.resolve()
    manifest = json.loads((real / "manifest.json").read_text())
    manifest["format_version"] = 1
    (real / "manifest.json").write_text(json.dumps(manifest))
    (real / "sentences.npy").unlink()
    ix = load_index(s)
    assert ix.sentences is None and ix.sentence_vectors([ix.chunks([0])[0].id]) == {}
    answer = Pipeline(s).ask("When should the roses in row 1 be pruned?")
    assert answer.references  # sentences were encoded at query time instead
    manifest["format_version"] = 99
    (real / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(GuideIndexError, match="format 99"):
        load_index(s)


def test_pages_are_stored_and_an_older_store_without_them_still_reads(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path)
    paged = Document(id="user:paged", kind="guideline", title="Paged", source="S", year=2020,
                     sections=[DocSection(title="A", text="Lift with the legs. Keep the back straight.", page_starts=[(0, 7)])])
    path, _, _ = build_index(_docs() + [paged], s, embedder=embedder)
    ix = load_index(s)
    assert [c.page for c in ix.chunks(ix.doc_rows("user:paged"))] == [7]
    assert ix.chunks(ix.doc_rows("user:doc0"))[0].page is None
    con = sqlite3.connect(path.resolve() / "store.sqlite")
    con.execute("ALTER TABLE chunks DROP COLUMN page")  # what a format-2 store looks like
    con.commit()
    con.close()
    old = load_index(s)
    assert [c.page for c in old.chunks(old.doc_rows("user:paged"))] == [None]
