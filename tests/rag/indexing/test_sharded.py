"""A sharded index (rag.indexing.shards, rag.indexing.sharded): the same rankings and answers as one folder."""

import json
import shutil

import numpy as np
import pytest

from rag.indexing.build import build_index
from rag.indexing.errors import GuideIndexError
from rag.indexing.layout import BM25_LENGTHS, MANIFEST
from rag.indexing.sharded import ShardedIndex, missing_shards
from rag.indexing.shards import shard_cuts
from rag.indexing.store import load_index
from rag.indexing.catalog import list_documents
from rag.indexing.updates import UpdateError, add_documents, remove_documents
from rag.indexing.view import open_index
from rag.pipeline import Pipeline
from rag.retrieval.retriever import Retriever
from rag.types import Filters
from tests.rag.indexing.small_corpus import _docs, _settings

QUESTIONS = [
    "What needle type reduces the risk of post-dural puncture headache?",
    "Should women in labour have epidural analgesia?",
    "single fraction radiotherapy for painful bone metastases",
    "How long should anticoagulation continue after a first unprovoked PE?",
    "children asthma inhaled corticosteroids",
    "statin",
]


def same_ranking(ours: list[tuple[str, float]], theirs: list[tuple[str, float]], tol: float = 1e-5) -> bool:
    """The same hits with the same scores, in the same order except among scores equal within `tol` (ties)."""
    if len(ours) != len(theirs) or not np.allclose([s for _, s in ours], [s for _, s in theirs], atol=tol):
        return False
    if not ours:
        return True
    score = {c: s for c, s in ours + theirs}
    for i, ((a, sa), (b, _)) in enumerate(zip(ours, theirs)):
        if a != b and abs(score[a] - score[b]) > tol:  # a swap only among ties
            return False
    last = ours[-1][1]
    return {c for c, s in ours if s > last + tol} == {c for c, s in theirs if s > last + tol}


@pytest.fixture(scope="module")
def two(index_settings, built_index, real_docs, embedder, tmp_path_factory):
    """The test index again as 2 shards, from the same cached vectors."""
    root = tmp_path_factory.mktemp("sharded")
    data = index_settings.model_dump()
    data["index"] = {"dir": root, "name": "two", "shards": 2}
    s = type(index_settings)(**data)
    path, manifest, rebuilt = build_index(real_docs, s, embedder=embedder)
    assert rebuilt and manifest.embedding_cache["embedded"] == 0
    return s, manifest


def test_a_sharded_build_writes_self_describing_shards_and_a_manifest_listing_them(two, built_index):
    s, manifest = two
    one = built_index[1]
    assert [e.folder for e in manifest.shards] == ["shard-000", "shard-001"]
    assert sum(e.chunks for e in manifest.shards) == manifest.chunks == one.chunks
    assert sum(e.documents for e in manifest.shards) == manifest.documents == one.documents
    assert sum(e.sentences for e in manifest.shards) == manifest.sentences == one.sentences
    assert manifest.fingerprint != one.fingerprint and manifest.corpus_fingerprint == one.corpus_fingerprint
    root = s.index_path.resolve()
    for entry in manifest.shards:
        shard = json.loads((root / entry.folder / MANIFEST).read_text())
        assert (shard["chunks"], shard["documents"], shard["fingerprint"]) == (entry.chunks, entry.documents, entry.fingerprint)
        assert shard["model"] == manifest.model and not shard["shards"]
    # An index folder of one shard opens and answers alone, as any index does.
    data = s.model_dump()
    data["index"]["dir"], data["index"]["name"] = root, manifest.shards[0].folder
    alone = load_index(type(s)(**data), manifest.shards[0].folder)
    assert alone.size == manifest.shards[0].chunks


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_two_shards_rank_every_query_as_one_index_does(two, index_settings, built_index, real_docs, embedder, mode):
    s, _ = two
    one, sharded = open_index(index_settings), open_index(s)
    assert isinstance(sharded.build, ShardedIndex)
    ra, rb = Retriever(one, index_settings, embedder), Retriever(sharded, s, embedder)
    queries = QUESTIONS + [d.title for d in real_docs]  # every document's title: a query it should win
    for q in queries:
        ours = [(h.chunk.id, h.score) for h in rb.search(q, k=10, mode=mode)]
        theirs = [(h.chunk.id, h.score) for h in ra.search(q, k=10, mode=mode)]
        assert same_ranking(ours, theirs), q
    # With a filter too (applied inside each shard before its top k).
    f = Filters(kind=["research"])
    for q in QUESTIONS:
        ours = [(h.chunk.id, h.score) for h in rb.search(q, f, k=10, mode=mode)]
        assert same_ranking(ours, [(h.chunk.id, h.score) for h in ra.search(q, f, k=10, mode=mode)]), q


def test_bm25_over_shards_scores_with_the_whole_index_statistics(two, index_settings, built_index):
    s, _ = two
    one, sharded = load_index(index_settings), open_index(s).build
    for words in (["needl", "headach"], ["labour", "epidur", "epidur"], ["radiotherapi"], ["zzznotaword"]):
        a, b = one.bm25_scores(words), sharded.bm25_scores(words)
        assert (a is None) == (b is None)
        if a is not None:
            assert np.allclose(a, b, atol=1e-5) and a.max() > 0
    assert sharded.term_stats.scores["num_docs"] == one.size


def test_two_shards_give_the_same_answers(two, pipeline):
    s, _ = two
    other = Pipeline(s)
    history = []
    for q in QUESTIONS[:4]:
        a, b = pipeline.ask(q, history), other.ask(q, history)
        assert [[st.text for st in sec.statements] for sec in a.sections] == \
               [[st.text for st in sec.statements] for sec in b.sections], q
        assert [r.doc_id for r in a.references] == [r.doc_id for r in b.references]
        assert a.abstained == b.abstained and not b.degraded


def test_lookups_route_to_the_shard_holding_the_document(two, index_settings, built_index, real_docs):
    s, _ = two
    one, sharded = load_index(index_settings), open_index(s).build
    assert sharded.document_ids == one.document_ids
    for doc in (real_docs[0], real_docs[-1]):
        rows = sharded.doc_rows(doc.id)
        assert [c.id for c in sharded.chunks(rows)] == [c.id for c in one.chunks(one.doc_rows(doc.id))]
        chunk = sharded.chunks(rows[:1])[0]
        assert sharded.chunk_by_id(chunk.id) == chunk
        assert sharded.titles([doc.id]) == {doc.id: doc.title}
        assert sharded.document(doc.id).title == doc.title
        vecs = sharded.sentence_vectors([chunk.id])[chunk.id]
        ref = one.sentence_vectors([chunk.id])[chunk.id]
        assert vecs.keys() == ref.keys() and all(np.array_equal(vecs[k], ref[k]) for k in ref)
    assert sharded.document("pubmed:nope") is None and sharded.chunk_by_id("nope#0:0-1") is None


def test_a_shard_that_fails_leaves_the_others_answering_and_is_named(two, embedder):
    s, manifest = two
    sharded = open_index(s).build

    class Dead:
        def dense(self, *a):
            raise ConnectionError("replica gone")

        bm25 = dense

    healthy = [(h[0], h[1]) for h in sharded.dense_search(embedder.encode_queries(["epidural"])[0], 50, None)]
    sharded.searchers[1] = Dead()
    with missing_shards() as missing:
        hits = sharded.dense_search(embedder.encode_queries(["epidural"])[0], 50, None)
        scores = sharded.bm25_scores(["epidur"])
    assert missing == {sharded.names[1]}
    first = manifest.shards[0].chunks
    kept = [h for h in healthy if h[0] < first]  # shard 0's part of the whole's top 50 leads its own top 50
    assert hits[: len(kept)] == kept and len(hits) == 50 and all(r < first for r, _ in hits)
    assert scores is not None and not scores[first:].any()


def test_shard_cuts_keep_documents_whole_and_shards_balanced():
    assert shard_cuts([5, 5, 5, 5], 2) == [0, 2, 4]
    assert shard_cuts([100, 1, 1, 1], 3) == [0, 1, 2, 4]  # never an empty shard
    cuts = shard_cuts([3] * 100, 4)
    assert cuts[0] == 0 and cuts[-1] == 100 and all(b - a == 25 for a, b in zip(cuts, cuts[1:]))


def test_a_damaged_shard_is_a_clear_error(two, tmp_path):
    s, manifest = two
    copy = tmp_path / "copy"
    shutil.copytree(s.index_path.resolve(), copy)
    (copy / manifest.shards[1].folder / BM25_LENGTHS).unlink()
    data = s.model_dump()
    data["index"] = {"dir": tmp_path, "name": "copy"}
    broken = type(s)(**data)
    with pytest.raises(GuideIndexError, match="bm25_lengths.npy"):
        open_index(broken)
    shutil.rmtree(copy / manifest.shards[1].folder)
    with pytest.raises(GuideIndexError, match="shard-001"):
        open_index(broken)
    with pytest.raises(GuideIndexError, match="sharded"):
        load_index(s)  # one folder's loader names what to use instead


def test_adding_documents_to_a_sharded_index_is_refused_and_listing_reads_every_shard(index_settings, embedder, tmp_path):
    s = _settings(index_settings, tmp_path, index={"shards": 2})
    build_index(_docs(4), s, embedder=embedder)
    with pytest.raises(UpdateError, match="sharded"):
        add_documents("t", _docs(5)[4:], s, embedder=embedder)
    with pytest.raises(UpdateError, match="sharded"):
        remove_documents("t", ["user:doc0"], s)
    assert [e.id for e in list_documents(s.index.dir, "t")] == [d.id for d in _docs(4)]
    assert open_index(s).document_ids == {d.id for d in _docs(4)}
