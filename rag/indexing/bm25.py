"""BM25 over chunks: the tokenizer shared by indexing and querying, and writing and reading the bm25s index."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.indexing.chunking import bm25_text
from rag.text import stemmer
from rag.vocabulary import american_spelling
from rag.types import Chunk


def bm25_config() -> dict:
    return {"stopwords": "en", "stemmer": "english", "method": "lucene", "k1": 1.5, "b": 0.75, "fields": "title+section+text", "hyphens": "split+joined",
            "spelling": "american"}


_HYPHENATED_RE = re.compile(r"\b\w+(?:-\w+)+\b")


def join_hyphenated(text: str) -> str:
    """Add the closed form of hyphenated words ("post-dural" -> "post-dural postdural"), so either spelling matches."""
    return _HYPHENATED_RE.sub(lambda m: f"{m.group()} {m.group().replace('-', '')}", text)


def bm25_tokenize(texts: Sequence[str], return_ids: bool = True, show_progress: bool = False):
    """The one tokenizer for BM25 indexing and querying: hyphen variants, American spellings, English stopwords,
    Snowball stems."""
    import bm25s

    texts = [american_spelling(join_hyphenated(t)) for t in texts]
    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer(), return_ids=return_ids, show_progress=show_progress)


def bm25_corpus(chunks: Sequence[Chunk], titles: dict[str, str], step: int = 2048) -> tuple[list[np.ndarray], dict[str, int]]:
    """BM25 token ids of every chunk, tokenized a slice at a time into int32 arrays: Python lists of token
    strings or ints for a whole corpus took hundreds of MB at once."""
    vocab: dict[str, int] = {}
    ids: list[np.ndarray] = []
    for start in range(0, len(chunks), step):
        part = chunks[start : start + step]
        for tokens in bm25_tokenize([bm25_text(c, titles[c.doc_id]) for c in part], return_ids=False):
            ids.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokens), dtype=np.int32, count=len(tokens)))
    vocab.setdefault("", len(vocab))  # bm25s scores a query with no known word against this empty token
    return ids, vocab


def write_bm25(folder: Path, chunks: Sequence[Chunk], titles: dict[str, str]) -> np.ndarray:
    """Index `chunks` (row = chunk row) and save it to `folder` without pickle. Returns each passage's length in
    tokens (bm25s saves neither them nor their mean: documents added later are scored with the mean, and a sharded
    index rescores each shard's passages with global statistics from them)."""
    import bm25s

    config = bm25_config()
    retriever = bm25s.BM25(method=config["method"], k1=config["k1"], b=config["b"])
    ids, vocab = bm25_corpus(chunks, titles)
    retriever.index((ids, vocab), show_progress=False)
    retriever.save(str(folder))
    return np.fromiter((len(a) for a in ids), dtype=np.int32, count=len(ids))


def term_counts(texts: Sequence[str]) -> list[dict[str, int]]:
    """Each text's BM25 tokens with their counts, tokenized as the index tokenizes (for documents added later)."""
    out = []
    for tokens in bm25_tokenize(list(texts), return_ids=False):
        counts: dict[str, int] = {}
        for t in tokens:
            counts[t] = counts.get(t, 0) + 1
        out.append(counts)
    return out


def read_bm25(folder: Path):
    """The saved bm25s index; its postings stay on disk until a query term needs them."""
    import bm25s

    return bm25s.BM25.load(str(folder), load_corpus=False, allow_pickle=False, mmap=True)
