"""What an answer is written from (the pipeline gathers it; every writer reads it).

Here, not in rag/pipeline.py, so the writers need nothing from the pipeline that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answering.candidates import Candidate
from rag.question import QuestionFocus
from rag.types import Hit


@dataclass
class Evidence:
    """The standalone query, its hits and their scored sentences."""

    standalone: str
    hits: list[Hit]
    candidates: list[Candidate]
    timings_ms: dict[str, float] = field(default_factory=dict)
    rewrite: str = "none"  # "rules", "llm" or "none" (no history)
    rewrite_fallback: str | None = None
    focus: QuestionFocus | None = None

    @property
    def best_relevance(self) -> float:
        return max((c.relevance for c in self.candidates), default=0.0)
