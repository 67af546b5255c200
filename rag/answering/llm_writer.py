"""The LLM writer: a chat model writes from numbered passages; sentence-by-sentence verification decides what is published.

The model never has the last word. Its reply is parsed into sentences with [n] citations; citations to passages
that were not in the prompt are dropped; uncited sentences are dropped; each remaining sentence is checked
against the passages it cites by the configured judge. When the model fails, times out, replies with nothing
usable, or too little survives, the extractive answer is returned instead and `answer.writer.fallback` says why.
"""

from __future__ import annotations

import logging

from rag.answering.chat_model import LLMTimeout, invoke_with_timeout
from rag.answering.evidence import Evidence
from rag.answering.extractive import ROLE_HEADINGS, SECTION_TITLES, compose_answer
from rag.answering.prompts import HEADINGS, Passage, number_passages, writer_messages
from rag.answering.verify import CheckedSentence, Judge, parse_reply, verify_sentences
from rag.corpus.guideline_status import reference_fields
from rag.settings import Settings
from rag.text import find_grade
from rag.types import (
    KINDS,
    Answer,
    AnswerSection,
    Citations,
    Document,
    IndexInfo,
    Reference,
    Statement,
    WriterReport,
)

log = logging.getLogger(__name__)

_GROUP_ORDER = [g for _, g in HEADINGS.values() if g] + [None]
_ROLES = {heading: role for role, heading in ROLE_HEADINGS.items()}


class LLMWriter:
    """A LangChain chat model writes from numbered passages; verification decides what is published."""

    name = "llm"

    def __init__(self, chat, judge: Judge, settings: Settings):
        self.chat = chat
        self.judge = judge
        self.settings = settings

    def write(self, question: str, evidence: Evidence, documents: dict[str, Document], settings: Settings,
              index: IndexInfo) -> Answer:
        extractive = compose_answer(question, evidence.standalone, evidence.candidates, documents, settings, index,
                                    focus=evidence.focus)
        report = WriterReport(name="llm", model=settings.llm.model, judge=self.judge.name)
        if extractive.abstained:
            # The calibrated relevance gate already says the evidence does not answer this: no LLM call.
            extractive.writer = report
            return extractive

        titles = {doc_id: doc.title for doc_id, doc in documents.items()}
        passages, block = number_passages(evidence.hits, titles, settings)
        report.llm_called = True
        try:
            reply = invoke_with_timeout(self.chat, writer_messages(evidence.standalone, block), settings.llm.timeout_s)
        except LLMTimeout as exc:
            return self._fallback(extractive, report, f"timeout: {exc}")
        except Exception as exc:  # network, HTTP status, provider errors: the extractive answer still stands
            log.warning("LLM writer failed: %s", exc)
            return self._fallback(extractive, report, f"LLM error: {type(exc).__name__}: {str(exc)[:160]}")
        if not reply.strip():
            return self._fallback(extractive, report, "empty reply")

        parsed = parse_reply(reply)
        if parsed.not_addressed:
            answer = compose_answer(question, evidence.standalone, evidence.candidates, documents, settings, index,
                                    force_abstain=True, focus=evidence.focus)
            answer.writer = report
            return answer
        if not parsed.sentences:
            return self._fallback(extractive, report, "no usable sentences in the reply")

        by_number = {p.n: p for p in passages}
        try:
            checked = verify_sentences(parsed.sentences, {n: p.text for n, p in by_number.items()}, self.judge,
                                       settings.llm.unsupported)
        except Exception as exc:  # an LLM or NLI judge can fail or time out too: unverified text is never published
            log.warning("judge %s failed: %s", self.judge.name, exc)
            return self._fallback(extractive, report, f"judge error: {type(exc).__name__}: {str(exc)[:160]}")
        report.sentences = checked.sentences
        report.removed_unsupported = checked.removed_unsupported
        report.removed_uncited = checked.removed_uncited
        report.marked_unsupported = checked.marked_unsupported
        report.removed_citations = checked.removed_citations
        supported = sum(c.supported for c in checked.kept)
        if supported == 0 or supported < settings.llm.min_supported * checked.sentences:
            return self._fallback(extractive, report,
                                  f"only {supported} of {checked.sentences} sentences were supported by their citations")
        report.kept = len(checked.kept)
        sections, references = _assemble(checked.kept, by_number, documents)
        return Answer(
            question=question, standalone_question=evidence.standalone, sections=sections, references=references,
            abstained=False, abstention=None, disclaimer=extractive.disclaimer, index=index, writer=report,
        )

    @staticmethod
    def _fallback(extractive: Answer, report: WriterReport, reason: str) -> Answer:
        report.fallback = reason
        report.kept = sum(len(s.statements) for s in extractive.sections)
        extractive.writer = report
        return extractive


def _assemble(kept: list[CheckedSentence], passages: dict[int, Passage],
              documents: dict[str, Document]) -> tuple[list[AnswerSection], list[Reference]]:
    """Sections by the kind of each sentence's first cited passage; references by document, numbered by first use."""
    placed: dict[str, list[tuple[CheckedSentence, str | None]]] = {kind: [] for kind in KINDS}
    for c in kept:
        kind = passages[c.citations[0]].hit.chunk.kind
        heading_kind, group = HEADINGS.get(c.sentence.heading or "", (None, None))
        placed[kind].append((c, group if kind == "guideline" and heading_kind == "guideline" else None))
    placed["guideline"].sort(key=lambda item: _GROUP_ORDER.index(item[1]))  # stable: the model's order within a group

    citations = Citations(reference_fields)
    sections: list[AnswerSection] = []
    for kind in KINDS:
        if not placed[kind]:
            continue
        statements = []
        for c, group in placed[kind]:
            cites: list[int] = []
            for n in c.citations:
                chunk = passages[n].hit.chunk
                ref_n = citations.cite(documents[chunk.doc_id], chunk.id, find_grade(chunk.text), chunk.page)
                if ref_n not in cites:
                    cites.append(ref_n)
            role = _ROLES.get(group or "") or {"research": "finding", "patient": "patient"}.get(kind, "consideration")
            statements.append(Statement(text=c.sentence.text, citations=cites, group=group, role=role,
                                        verified=c.supported))
        sections.append(AnswerSection(title=SECTION_TITLES[kind], kind=kind, statements=statements))
    return sections, citations.references
