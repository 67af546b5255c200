"""How well answer sentences are ranked, against encoding every candidate sentence on its own."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field


class FocusLevel(BaseModel):
    rescore_top: int = Field(description="Shortlisted sentences re-encoded on their own (0: stored vectors only).")
    top1_agreement: float = Field(description="Share of questions whose best sentence is the independently encoded best.")
    top3_overlap: float = Field(description="Mean overlap of the top 3 with the independently encoded top 3.")
    pick_quality: float = Field(description="Independent score of the picked best sentence / the best independent score.")


class FocusResult(BaseModel):
    """How well answer sentences are ranked, against encoding every candidate sentence on its own."""

    questions: int
    mean_candidates: float
    configured_rescore_top: int
    levels: list[FocusLevel]


def sentence_focus(pipeline, questions: Sequence[str], levels: Sequence[int] = (0, 4, 8)) -> FocusResult:
    """Rank each question's candidate sentences as answers do, and compare with independent encodings.

    Stored (late-pooled) sentence vectors carry their chunk's topic; re-encoding a shortlist fixes the
    ranking at a query-time cost. This measures how much of the ranking each shortlist size recovers.
    """
    import numpy as np

    from rag.answering.candidates import candidates_from_hits, score_candidates

    agree: dict[int, list[tuple[float, float, float]]] = {n: [] for n in levels}
    sizes = []
    for q in questions:
        query_vector = pipeline.embedder.encode_queries([q])[0]
        hits = pipeline.retriever.search(q, query_vector=query_vector)
        cands = candidates_from_hits(hits, pipeline.index.sentence_vectors([h.chunk.id for h in hits]))
        if len(cands) < 2:
            continue
        sizes.append(len(cands))
        score_candidates(cands, query_vector, pipeline.embedder)
        stored = np.array([c.relevance for c in cands])
        truth = pipeline.embedder.encode_documents([c.text for c in cands]) @ query_vector
        best_true, top3_true = int(np.argmax(truth)), set(np.argsort(-truth)[:3].tolist())
        for n in levels:
            ranked = stored.copy()
            if n:  # the shortlist gets its independent scores, the rest drop out (as in gather_candidates)
                short = np.argsort(-stored)[:n]
                ranked = np.full(len(stored), -np.inf)
                ranked[short] = truth[short]
            pick = int(np.argmax(ranked))
            overlap = len(set(np.argsort(-ranked)[:3].tolist()) & top3_true) / min(3, len(cands))
            agree[n].append((float(pick == best_true), overlap, float(truth[pick] / max(truth.max(), 1e-9))))
    return FocusResult(
        questions=len(sizes), mean_candidates=round(float(np.mean(sizes)) if sizes else 0.0, 1),
        configured_rescore_top=pipeline.settings.answer.rescore_top,
        levels=[FocusLevel(rescore_top=n, **{k: round(float(np.mean([r[i] for r in rows])), 3) if rows else 0.0
                                          for i, k in enumerate(("top1_agreement", "top3_overlap", "pick_quality"))})
                for n, rows in agree.items()],
    )
