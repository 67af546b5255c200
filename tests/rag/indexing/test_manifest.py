import os

import pytest

from rag.indexing.errors import GuideIndexError
from rag.indexing.manifest import corpus_fingerprint, read_manifest
from tests.rag.indexing.small_corpus import _docs


def test_manifest_describes_the_index(built_index, real_docs):
    path, manifest = built_index
    on_disk = read_manifest(path.resolve())
    assert on_disk == manifest
    assert manifest.documents == len(real_docs)
    assert manifest.model == "sentence-transformers/all-MiniLM-L6-v2" and manifest.dimensions == 384
    assert manifest.sources["ngc"].documents == 7 and manifest.sources["pubmedqa"].documents == 60
    assert manifest.chunk_tokens["max"] <= manifest.model_max_tokens == 256
    assert manifest.versions["faiss-cpu"] != "not installed"
    for part in ("dense.faiss", "bm25", "store.sqlite", "manifest.json"):
        assert (path / part).exists()
    # No pickle anywhere in the index.
    for root, _, files in os.walk(path.resolve()):
        for f in files:
            assert not f.endswith((".pkl", ".pickle"))


def test_the_corpus_fingerprint_ignores_document_order():
    docs = _docs(3)
    assert corpus_fingerprint(docs) == corpus_fingerprint(docs[::-1]) != corpus_fingerprint(docs[:2])


def test_a_folder_without_a_manifest_is_not_an_index(tmp_path):
    with pytest.raises(GuideIndexError, match="no manifest.json"):
        read_manifest(tmp_path)
