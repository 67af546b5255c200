"""guideqa's hybrid retriever as a LangChain BaseRetriever."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieval.retriever import Retriever
from rag.types import Filters


class GuideqaRetriever(BaseRetriever):
    """Hybrid dense + BM25 retrieval with pre-ranking filters; one LangChain Document per chunk."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Retriever
    k: int = 8
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any) -> list[LCDocument]:
        hits = self.retriever.search(query, filters=self.filters, k=self.k)
        docs = self.retriever.index.documents(h.chunk.doc_id for h in hits)
        out = []
        for h in hits:
            d = docs[h.chunk.doc_id]
            out.append(
                LCDocument(
                    page_content=h.chunk.text,
                    metadata={
                        "chunk_id": h.chunk.id, "doc_id": d.id, "kind": d.kind, "title": d.title, "source": d.source,
                        "year": d.year, "url": d.url, "section": h.chunk.section, "score": h.score,
                        "dense_score": h.dense_score, "bm25_score": h.bm25_score,
                    },
                )
            )
        return out
