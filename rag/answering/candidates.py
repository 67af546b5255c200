"""Evidence sentences out of retrieved chunks: the quotable ones, each scored by cosine to the question.

The same encoder the index uses scores them, with the sentence vectors the index stored where it has them
(encoding at query time costs far more than a dot product).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.indexing.embedding import Embedder
from rag.text import QUOTE_PREFIX_RE, TRAILING_MARKS_RE, find_grade, not_content, quotable_spans, sentence_key
from rag.types import Hit


@dataclass
class Candidate:
    text: str
    hit: Hit
    relevance: float = 0.0  # cosine to the question (the abstention threshold is calibrated on it)
    vector: np.ndarray | None = None
    score: float | None = None  # the ranker's score (rag/answering/rank.py); None: rank by relevance
    coverage: float = 1.0  # share of the question's topic the sentence and its context state
    document_coverage: float = 1.0  # share of the question's subject its document's retrieved text states
    heading: str = ""  # the guideline's sub-heading the sentence sits under (rag/answering/headings.py)
    title_relevance: float = 0.0  # cosine between its guideline's title and the question (0 for other sources)
    title_populations: frozenset[str] = frozenset()  # the patient groups its guideline's title names ("in adults")
    dose_of_asked: bool = True  # a dose it states is of the drug the question names (rank.feature_matrix)
    target_of_asked: bool = True  # a target it states is of the measure the question asks about (rank.feature_matrix)
    subject_coverage: float = 1.0  # share of the question's subject it, its title, section or sub-heading states

    @property
    def rank_score(self) -> float:
        return self.relevance if self.score is None else self.score


SentenceVectors = dict[str, dict[tuple[int, int], np.ndarray]]  # chunk id -> span -> vector


def candidates_from_hits(hits: list[Hit], stored: SentenceVectors | None = None,
                         seen: set[str] | None = None, check_content: bool = True) -> list[Candidate]:
    """Sentences of the retrieved chunks worth quoting, without duplicates (with their stored vectors, if any).

    `seen`: normalised texts already taken (it is updated), so a second call adds only new sentences.
    `check_content=False` leaves the boilerplate check (rag.text.not_content) to the caller, for when most
    sentences will be dropped by their score first."""
    seen = set() if seen is None else seen
    out: list[Candidate] = []
    for hit in hits:
        text = hit.chunk.text
        vectors = (stored or {}).get(hit.chunk.id, {})
        # The index stored each chunk's quotable spans with their vectors; split again only without them.
        for a, b in (vectors or quotable_spans(text)):
            sentence = QUOTE_PREFIX_RE.sub("", text[a:with_grade(text, a, b)], count=1)
            key = sentence_key(sentence)
            # A guideline's key question ("Should exercise be used to prevent falls?") is near the question
            # and answers nothing.
            if key in seen or ("?" in sentence[-80:] and TRAILING_MARKS_RE.sub("", sentence).rstrip().endswith("?")):
                continue
            if check_content and not_content(sentence):  # an index built before a boilerplate pattern was added
                continue
            seen.add(key)
            out.append(Candidate(text=sentence, hit=hit, vector=vectors.get((a, b))))
    return out


# "... for 10 days. (Strong recommendation, high-quality evidence)": the splitter ends the sentence at its full stop and
# leaves the grade standing alone; quoted without it, the recommendation loses its grade.
_TRAILING_ASIDE_RE = re.compile(r"[ \t]*(\([^()\n]{3,120}\)|\[[^\[\]\n]{1,60}\])")


def with_grade(text: str, start: int, end: int) -> int:
    """The end of the sentence text[start:end], with the evidence grade that follows it on the same line if it has
    none of its own."""
    m = _TRAILING_ASIDE_RE.match(text, end)
    return m.end() if m and find_grade(m.group(1)) and not find_grade(text[start:end]) else end


def score_candidates(cands: list[Candidate], query_vector: np.ndarray, embedder: Embedder) -> None:
    """Cosine of each sentence to the question: stored vectors where the index has them, else encoded now."""
    missing = [c for c in cands if c.vector is None]
    if missing:  # an index built before sentence vectors were stored
        for cand, vec in zip(missing, embedder.encode_documents([c.text for c in missing])):
            cand.vector = vec
    if not cands:
        return
    matrix = np.vstack([c.vector for c in cands]).astype(np.float32)
    for cand, rel in zip(cands, matrix @ query_vector):
        cand.relevance = float(rel)


def gather_candidates(hits: list[Hit], query_vector: np.ndarray, embedder: Embedder,
                      stored: SentenceVectors | None = None, rescore_top: int = 0,
                      check_content: bool = True) -> list[Candidate]:
    """Quotable sentences of the hits, each scored against the question.

    With stored vectors and `rescore_top`, the best N are re-encoded on their own and only they are kept:
    a sentence pooled inside its chunk carries the chunk's topic, so neighbours score alike.
    """
    cands = candidates_from_hits(hits, stored, check_content=check_content)
    score_candidates(cands, query_vector, embedder)
    if stored and rescore_top and cands:
        cands = sorted(cands, key=lambda c: -c.relevance)[:rescore_top]
        for c in cands:
            c.vector = None
        score_candidates(cands, query_vector, embedder)
    return cands
