import numpy as np

from rag.indexing.bm25 import (
    bm25_corpus,
    bm25_tokenize,
    join_hyphenated,
    read_bm25,
    write_bm25,
)
from rag.types import Chunk


def _chunks(texts: list[str]) -> list[Chunk]:
    # Invented, non-medical text.
    return [Chunk(id=f"user:d:{i}", doc_id="user:d", kind="guideline", section_index=0, section="Advice",
                  start=0, end=len(t), text=t, n_tokens=len(t.split())) for i, t in enumerate(texts)]


def test_hyphenated_words_match_either_spelling():
    assert join_hyphenated("a follow-up visit") == "a follow-up followup visit"
    hyphenated, closed = bm25_tokenize(["follow-up visit", "followup visits"], return_ids=False)
    assert set(closed) <= set(hyphenated)


def test_british_and_american_spellings_are_one_word():
    british, american = bm25_tokenize(["colour of the centre programme, generalised", "color of the center program, "
                                       "generalized"], return_ids=False)
    assert british == american
    # Words with no other spelling pass untouched.
    assert bm25_tokenize(["exercise advise hour"], return_ids=False)[0] == ["exercis", "advis", "hour"]


def test_the_corpus_is_one_vocabulary_whatever_the_slice_size():
    chunks = _chunks(["Prune the roses in spring.", "Water the roses every morning.", "Mulch the beds."])
    titles = {"user:d": "Garden note"}
    whole, vocab = bm25_corpus(chunks, titles)
    sliced, sliced_vocab = bm25_corpus(chunks, titles, step=1)
    assert vocab == sliced_vocab and all(np.array_equal(a, b) for a, b in zip(whole, sliced))
    assert list(vocab)[-1] == ""  # the empty token a query with no known word is scored against
    assert all(ids.dtype == np.int32 for ids in whole)


def test_a_written_bm25_index_reads_back(tmp_path):
    chunks = _chunks(["Prune the roses in spring.", "Water the tomatoes every morning."])
    write_bm25(tmp_path / "bm25", chunks, {"user:d": "Garden note"})
    bm25 = read_bm25(tmp_path / "bm25")
    assert int(bm25.scores["num_docs"]) == 2
    scores = bm25.get_scores_from_ids(bm25.get_tokens_ids(bm25_tokenize(["roses"], return_ids=False)[0]))
    assert scores[0] > 0 and scores[1] == 0
