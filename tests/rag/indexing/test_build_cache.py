import numpy as np

from rag.indexing.build import build_index
from rag.indexing.build_cache import EmbeddingCache, cache_key
from rag.settings import Settings
from rag.types import DocSection, Document


def _doc(i: int) -> Document:
    # Invented, non-medical text.
    return Document(id=f"user:note{i}", kind="guideline", title=f"Workshop note {i}", source="Test Guild", year=2020,
                    sections=[DocSection(title="Steps", text=f"Sand board {i} along the grain. Oil it twice, a day apart.")])


def test_vectors_round_trip_and_a_truncated_row_is_ignored(tmp_path):
    cache = EmbeddingCache(tmp_path, "model|onnx", 4)
    keys = [cache_key("a"), cache_key("b")]
    sentences = [np.array([[0, 0, 1, 0], [0, 0, 0, 1]]), np.zeros((0, 4))]
    cache.put(keys, np.array([[1, 0, 0, 0], [0, 1, 0, 0]], dtype=np.float32), sentences)
    with cache.con:
        cache.con.execute("UPDATE vectors SET vector = ? WHERE key = ?", (b"\x00\x01", keys[1]))
    found = cache.get(keys + [cache_key("c")])
    assert list(found) == [keys[0]] and found[keys[0]][0].tolist() == [1, 0, 0, 0]
    assert found[keys[0]][1].tolist() == [[0, 0, 1, 0], [0, 0, 0, 1]]
    # The same text split into other sentences is another key.
    assert cache_key("a", [(0, 1)]) != cache_key("a")
    cache.close()
    # Another model or backend never sees these vectors.
    assert len(EmbeddingCache(tmp_path, "model|onnx-int8", 4)) == 0


def test_a_rebuild_embeds_only_new_chunks_and_no_cache_embeds_all(tmp_path, embedder):
    s = Settings(index={"dir": tmp_path / "ix", "name": "t"}, embedding={"cache_dir": str(tmp_path / "cache")})
    docs = [_doc(i) for i in range(4)]
    _, first, _ = build_index(docs, s, embedder=embedder)
    assert first.embedding_cache == {"reused": 0, "embedded": first.chunks}
    _, second, rebuilt = build_index(docs + [_doc(4), _doc(5)], s, embedder=embedder)
    assert rebuilt and second.embedding_cache["reused"] == first.chunks
    assert second.embedding_cache["embedded"] == second.chunks - first.chunks > 0
    _, cold, _ = build_index(docs, s, embedder=embedder, force=True, use_cache=False)
    assert cold.embedding_cache == {"reused": 0, "embedded": cold.chunks}
    assert set(cold.stage_seconds) == {"chunk", "embed", "abbreviations", "faiss", "bm25", "store"}
    # A warm rebuild serves exactly the vectors the cold build computed (and stored).
    import faiss

    def stored():
        return faiss.read_index(str(tmp_path / "ix" / "t" / "dense.faiss")).reconstruct_n(0, cold.chunks)

    cold_vectors = stored()
    _, warm, _ = build_index(docs, s, embedder=embedder, force=True)
    assert warm.embedding_cache == {"reused": cold.chunks, "embedded": 0}
    assert np.array_equal(stored(), cold_vectors)


def test_unchanged_documents_are_not_chunked_again(tmp_path, embedder, monkeypatch):
    from rag.indexing import chunking

    s = Settings(index={"dir": tmp_path / "ix", "name": "t"}, embedding={"cache_dir": str(tmp_path / "cache")})
    docs = [_doc(i) for i in range(3)]
    _, first, _ = build_index(docs, s, embedder=embedder)
    chunked: list[str] = []
    real = chunking.Chunker.chunk
    monkeypatch.setattr(chunking.Chunker, "chunk", lambda self, doc: chunked.append(doc.id) or real(self, doc))
    changed = docs[0].model_copy(update={"title": "Workshop note 0, revised"})
    _, second, _ = build_index([changed] + docs[1:] + [_doc(3)], s, embedder=embedder)
    assert chunked == ["user:note0", "user:note3"]  # only the changed and the new document
    assert second.chunks == first.chunks + 1
    # A cold build chunks everything again.
    chunked.clear()
    build_index(docs, s, embedder=embedder, force=True, use_cache=False)
    assert chunked == [d.id for d in docs]
