"""Which writer turns evidence into an Answer: the Writer protocol, the extractive writer and make_writer.

Extractive (verbatim quotes, offline) is the default; the LLM writer (rag/answering/llm_writer.py) is chosen
by `settings.writer` and falls back to the extractive answer whenever verification does not pass.
"""

from __future__ import annotations

from typing import Protocol

from rag.answering.evidence import Evidence
from rag.answering.extractive import compose_answer
from rag.answering.llm_writer import LLMWriter
from rag.settings import Settings
from rag.types import Answer, Document, IndexInfo


class Writer(Protocol):
    name: str

    def write(self, question: str, evidence: Evidence, documents: dict[str, Document], settings: Settings,
              index: IndexInfo) -> Answer: ...


class ExtractiveWriter:
    """Verbatim evidence sentences, chosen by relevance and diversity (rag/answering/extractive.py)."""

    name = "extractive"

    def write(self, question: str, evidence: Evidence, documents: dict[str, Document], settings: Settings,
              index: IndexInfo) -> Answer:
        return compose_answer(question, evidence.standalone, evidence.candidates, documents, settings, index,
                              focus=evidence.focus)


def make_writer(settings: Settings, chat=None) -> Writer:
    if settings.writer == "extractive":
        return ExtractiveWriter()
    from rag.answering.chat_model import make_chat_model
    from rag.answering.verify import make_judge

    chat = chat if chat is not None else make_chat_model(settings)
    return LLMWriter(chat, make_judge(settings.llm.judge, chat, settings.llm.timeout_s), settings)
