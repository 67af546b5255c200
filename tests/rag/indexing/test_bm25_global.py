"""BM25 over a build plus its updates scores as one index over the live documents would."""

import numpy as np
import pytest

from rag.indexing.bm25 import bm25_tokenize
from rag.indexing.bm25_global import lucene_idf, store_avgdl
from rag.indexing.build import build_index
from rag.indexing.layout import STORE
from rag.indexing.store import load_index
from rag.indexing.updates import add_documents, remove_documents
from rag.indexing.view import open_index
from tests.rag.indexing.small_corpus import _settings
from tests.rag.indexing.updates_helpers import copy_index, uniform_docs

WORDS = [("tomato", "rose"), ("tomato", "lilac"), ("bean", "rose"), ("pepper", "holly"), ("tomato", "holly"),
         ("squash", "laurel"), ("bean", "lilac"), ("onion", "rose")]
QUERIES = ["tomato rose", "bean plants", "holly shrubs spring", "onion", "water plants every morning", "squash tomato"]


def _by_doc(ix, scores: np.ndarray | None) -> dict[str, float]:
    if scores is None:
        return {}
    live = ix.live_mask if getattr(ix, "live_mask", None) is not None else np.ones(ix.size, bool)
    return {ix.doc_of(r): float(scores[r]) for r in range(ix.size) if live[r]}


def _words(q: str) -> list[str]:
    return bm25_tokenize([q], return_ids=False)[0]


def test_scores_equal_one_index_over_the_live_documents(index_settings, embedder, tmp_path):
    # Every passage has the same length, so the mean length agrees and the scores must agree exactly.
    docs = uniform_docs(WORDS)
    s = _settings(index_settings, tmp_path / "a")
    build_index(docs[:5], s, embedder=embedder)
    add_documents("t", docs[5:], s, embedder=embedder)
    remove_documents("t", ["user:u1", "user:u3"], s)
    view = open_index(s)
    live = [d for d in docs if d.id not in ("user:u1", "user:u3")]
    ref_settings = _settings(index_settings, tmp_path / "b")
    build_index(live, ref_settings, embedder=embedder)
    ref = load_index(ref_settings)
    for q in QUERIES:
        ours, theirs = _by_doc(view, view.bm25_scores(_words(q))), _by_doc(ref, ref.bm25_scores(_words(q)))
        assert ours.keys() == theirs.keys()
        assert np.allclose([ours[k] for k in sorted(ours)], [theirs[k] for k in sorted(ours)], rtol=1e-5), q
    # A word only an added document holds scores it; a word only a removed document held scores nothing.
    assert _by_doc(view, view.bm25_scores(_words("squash")))["user:u5"] > 0
    assert view.bm25_scores(_words("pepper")) is None
    # What the answer ranker reads (rag.answering.rank.Idf) is the live document frequency too.
    stats, ref_bm25 = view.term_stats, ref.bm25
    for word in ["tomato", "rose", "squash", "holly", "pepper", "water"]:
        mine = stats.vocab_dict.get(word)
        df = 0 if mine is None else int(stats.scores["indptr"][mine + 1] - stats.scores["indptr"][mine])
        theirs = ref_bm25.vocab_dict.get(word)
        ref_df = 0 if theirs is None else int(ref_bm25.scores["indptr"][theirs + 1] - ref_bm25.scores["indptr"][theirs])
        assert df == ref_df, word
    assert stats.scores["num_docs"] == ref_bm25.scores["num_docs"] == len(live)


def test_without_updates_the_scores_are_bm25s_own(index_settings, built_index):
    view = open_index(index_settings)
    ix = view.build
    words = _words("post-dural puncture headache needle")
    assert view.term_stats is ix.bm25 and view.live_mask is None
    assert np.array_equal(view.bm25_scores(words), ix.bm25.get_scores_from_ids(ix.bm25.get_tokens_ids(words)))


def test_on_real_documents_scores_stay_close_to_a_full_rebuild(index_settings, built_index, real_docs, embedder, tmp_path):
    # Real passages differ in length: only the mean length differs from a rebuild, by well under a percent here.
    held_out = real_docs[-3:]
    base = _settings(index_settings, tmp_path / "base")
    build_index(real_docs[:-3], base, embedder=embedder)
    add_documents("t", held_out, base, embedder=embedder)
    view = open_index(base)
    full = _settings(index_settings, tmp_path / "full")
    build_index(real_docs, full, embedder=embedder)
    ref = load_index(full)
    assert view.manifest.bm25["avgdl"] == pytest.approx(ref.manifest.bm25["avgdl"], rel=0.02)
    for doc in held_out:
        words = _words(doc.title)
        ours, theirs = _by_doc(view, view.bm25_scores(words)), _by_doc(ref, ref.bm25_scores(words))
        assert max(ours, key=ours.get) == max(theirs, key=theirs.get) == doc.id
        top = sorted(theirs, key=theirs.get, reverse=True)[:10]
        assert np.allclose([ours[k] for k in top], [theirs[k] for k in top], rtol=0.03)


def test_the_mean_length_of_an_older_build_is_measured_from_its_store(index_settings, built_index):
    ix = load_index(index_settings)
    assert store_avgdl(ix.path / STORE) == pytest.approx(ix.manifest.bm25["avgdl"], rel=1e-4)


def test_lucene_idf_matches_bm25s():
    from bm25s.scoring import _score_idf_lucene

    assert lucene_idf(3, 100) == _score_idf_lucene(3, 100)


def test_replaced_build_documents_do_not_count_twice(index_settings, built_index, embedder, tmp_path):
    s = copy_index(index_settings, tmp_path)
    ix = load_index(s)
    doc = ix.document("ngc-10908")
    add_documents("u", [doc.model_copy(update={"title": doc.title + " (local copy)"})], s, embedder=embedder)
    view = open_index(s)
    assert view.term_stats.scores["num_docs"] == ix.size - len(ix.doc_rows("ngc-10908")) + view.delta.size
    assert view.doc_rows("ngc-10908") == list(range(ix.size, view.size))
