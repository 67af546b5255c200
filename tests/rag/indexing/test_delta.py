"""The delta's arrays, its files, its lock, and what a build takes from it."""

import numpy as np
import pytest

from rag.indexing.delta import (
    Delta,
    RemovedDocument,
    UpdatesManifest,
    apply_updates,
    read_updates,
    updates_folder,
    updates_lock,
    write_updates,
)
from rag.indexing.errors import GuideIndexError, UpdateError
from rag.types import Chunk
from tests.rag.indexing.small_corpus import _docs

DIM = 4


def _chunk(doc_id: str, i: int) -> Chunk:
    return Chunk(id=f"{doc_id}#0:{i}-{i + 1}", doc_id=doc_id, kind="guideline", section_index=0, section="S", start=i,
                 end=i + 1, text=f"text {doc_id} {i}", n_tokens=5)


def _delta() -> Delta:
    d = Delta.empty(UpdatesManifest(name="t", model="m", backend="b", dimensions=DIM, sentence_vectors="pooled"))
    chunks = [_chunk("a", 0), _chunk("b", 0), _chunk("a", 1)]
    vectors = np.eye(DIM, dtype=np.float32)[:3]
    spans = [[(0, 1)], [(0, 1), (1, 2)], []]
    sentences = np.arange(3 * DIM, dtype=np.float16).reshape(3, DIM)
    counts = [{"apple": 2, "tree": 1}, {"tree": 1}, {"pear": 1}]
    return d.append(chunks, vectors, sentences, spans, counts)


def test_append_and_select_keep_rows_sentences_and_postings_aligned():
    d = _delta()
    assert d.size == 3 and d.sentence_starts.tolist() == [0, 1, 3, 3] and d.terms == ["apple", "tree", "pear"]
    assert d.postings.tolist() == [[0, 0], [1, 0], [1, 1], [2, 2]] and d.tf.tolist() == [2, 1, 1, 1]
    assert d.lengths.tolist() == [3, 1, 1]
    b = d.select(~d.rows_of(["a"]))
    assert [c.doc_id for c in b.chunks] == ["b"] and b.vectors.tolist() == [[0, 1, 0, 0]]
    assert b.sentences.tolist() == d.sentences[1:3].tolist() and b.spans.tolist() == [[0, 1], [1, 2]]
    assert b.postings.tolist() == [[1, 0]] and b.lengths.tolist() == [1]
    again = b.append([_chunk("c", 0)], np.ones((1, DIM), np.float32), np.ones((1, DIM)), [[(0, 4)]], [{"apple": 1}])
    assert again.postings.tolist() == [[0, 1], [1, 0]] and again.sentence_starts.tolist() == [0, 2, 3]


def test_files_round_trip_and_damage_is_reported(tmp_path):
    d = _delta()
    d = d.with_manifest(d.manifest.model_copy(update={"generation": 1}), {doc.id: doc for doc in _docs(2)})
    folder = write_updates(tmp_path, "t", d)
    assert updates_folder(tmp_path, "t") == folder and folder.name.startswith("t-")
    back = read_updates(tmp_path, "t")
    assert back.chunks == d.chunks and back.terms == d.terms and back.documents == d.documents
    for name in ("vectors", "sentences", "sentence_starts", "spans", "postings", "tf", "lengths"):
        assert np.array_equal(getattr(back, name), getattr(d, name)), name
    assert back.manifest.chunks == 3 and back.manifest.sentences == 3
    (folder / "vectors.npy").write_bytes(b"junk")
    with pytest.raises(GuideIndexError, match="updates .* are unreadable"):
        read_updates(tmp_path, "t")
    np.save(folder / "vectors.npy", np.zeros((2, DIM), np.float32))
    with pytest.raises(GuideIndexError, match="disagree"):
        read_updates(tmp_path, "t")
    assert read_updates(tmp_path, "other") is None


def test_one_writer_at_a_time(tmp_path):
    with updates_lock(tmp_path, "t"):
        with pytest.raises(UpdateError, match="another update of index 't'"):
            with updates_lock(tmp_path, "t", timeout_s=0.2):
                pass
        with updates_lock(tmp_path, "other", timeout_s=0.2):  # another index is not held up
            pass
    with updates_lock(tmp_path, "t", timeout_s=0.2):
        pass


def test_a_build_takes_added_documents_and_leaves_removed_ones_out(tmp_path):
    corpus = _docs(3)
    assert apply_updates(corpus, tmp_path, "t") == corpus
    new_version = corpus[2].model_copy(update={"title": "Changed"})
    d = Delta.empty(UpdatesManifest(name="t", model="m", backend="b", dimensions=DIM, sentence_vectors="pooled"))
    extra = _docs(5)[4]
    manifest = d.manifest.model_copy(update={"removed": [RemovedDocument(id="user:doc0", removed_at="x")]})
    write_updates(tmp_path, "t", d.with_manifest(manifest, {new_version.id: new_version, extra.id: extra}))
    assert apply_updates(corpus, tmp_path, "t") == [corpus[1], new_version, extra]
