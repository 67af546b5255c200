"""ask(question, history) -> Answer: rewrite, retrieve, gather evidence sentences, write."""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from rag.answering.candidates import (
    Candidate,
    candidates_from_hits,
    gather_candidates,
    score_candidates,
)
from rag.answering.evidence import Evidence
from rag.answering.headings import SectionHeadings, document_headings, heading_of
from rag.answering.rank import Idf, rerank
from rag.answering.support import everyday_concepts, topic_support
from rag.answering.unstated import unstated
from rag.answering.writers import make_writer
from rag.conversation import llm_standalone_question, standalone_question
from rag.indexing.embedding import get_embedder
from rag.indexing.live import LiveIndex
from rag.indexing.sharded import missing_shards
from rag.indexing.view import IndexView, SearchersFor
from rag.clauses import asking_clause
from rag.question import QuestionFocus, analyse, topic_concepts, with_rare_drug_classes
from rag.retrieval.retriever import Retriever
from rag.settings import Settings, get_settings
from rag.text import not_content, sentence_key
from rag.types import KINDS, Answer, Filters, Hit, Turn
from rag.vocabulary import concepts, use_abbreviations, with_parts


class QuestionError(ValueError):
    """The question cannot be answered as given (empty, too long)."""


def check_question(question: str, settings: Settings) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty")
    limit = settings.limits.max_question_chars
    if len(question) > limit:
        raise QuestionError(f"the question is {len(question)} characters long; the limit is {limit}")
    return question.strip()


class _Serving(NamedTuple):
    """One state of the index and what is derived from it; a question uses one state from start to end."""

    index: IndexView
    retriever: Retriever
    idf: Idf
    headings: dict[str, SectionHeadings]  # doc id -> its sub-headings, filled as documents are first quoted
    title_words: frozenset[str]  # concepts of every indexed document's title


class Pipeline:
    """Holds the loaded model and index; ask() is safe to call from several threads. Documents added or removed
    (rag.indexing.updates) are answered from within `index.reload_check_s` seconds, or at once after refresh()."""

    def __init__(self, settings: Settings | dict[str, Any] | str | Path | None = None, index_name: str | None = None,
                 searchers_for: SearchersFor | None = None):
        self.settings = get_settings(settings)
        if self.settings.retrieval.faiss_threads:
            import faiss

            faiss.omp_set_num_threads(self.settings.retrieval.faiss_threads)
        self.embedder = get_embedder(self.settings)
        self.live = LiveIndex(self.settings, index_name, searchers_for)
        self._title_vectors: dict[str, np.ndarray] = {}
        self._state = self._serving(self.live.view)
        self.chat = None
        if self.settings.writer == "llm":
            from rag.answering.chat_model import make_chat_model

            self.chat = make_chat_model(self.settings)
        self.writer = make_writer(self.settings, self.chat)

    def _serving(self, view: IndexView) -> _Serving:
        use_abbreviations(view.manifest.abbreviations)
        titles = view.titles(view.document_ids).values()
        title_words = frozenset().union(*map(concepts, titles)) if titles else frozenset()
        return _Serving(view, Retriever(view, self.settings, self.embedder), Idf(view.term_stats), {}, title_words)

    def _current(self) -> _Serving:
        """The index as it serves now (reopened if its build or updates changed), with its retriever and idf."""
        view = self.live.current()
        state = self._state
        if state.index is not view:
            state = self._state = self._serving(view)
        # The vocabulary reads this index's abbreviations (another pipeline in the process may have read its own).
        use_abbreviations(state.index.manifest.abbreviations)
        return state

    def refresh(self) -> bool:
        """Pick up an add or remove at once (the API calls this after changing the index); whether anything changed."""
        changed = self.live.refresh()
        self._current()
        return changed

    @property
    def index(self) -> IndexView:
        return self._current().index

    @property
    def retriever(self) -> Retriever:
        return self._current().retriever

    @property
    def idf(self) -> Idf:
        return self._current().idf

    def retrieve(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Hit]:
        return self.retriever.search(query, filters=filters, k=k)

    def rewrite(self, question: str, turns: Sequence[Turn]) -> tuple[str, str, str | None]:
        """(standalone query, "llm" | "rules" | "none", why the LLM's rewrite was not used)."""
        if self.chat is not None and self.settings.llm.rewrite and turns:
            return llm_standalone_question(question, turns, self.settings, self.chat)
        return standalone_question(question, turns, self.settings, self.related, self.together), \
            ("rules" if turns else "none"), None

    def related(self, question: str, earlier: str) -> bool:
        """Whether the short question alone finds a guideline the earlier question finds, among the first few of
        each: "at what level should phototherapy start?" finds the neonatal jaundice guideline again (whose passages
        say "bilirubin", not "jaundice"), "what is the best treatment for plantar fasciitis?" after COPD does not."""
        st, n = self._current(), self.settings.conversation.related_documents

        def first(query: str) -> set[str]:
            docs = dict.fromkeys(h.chunk.doc_id for h in st.retriever.search(query) if h.chunk.kind == "guideline")
            return set(list(docs)[:n])
        return bool(first(question) & first(earlier))

    def together(self, note: str, earlier: str) -> bool:
        """Whether a guideline found for the two together states the most telling word of each (the rarest in the
        index): "second recurrence" after a C. difficile question (the ACG guideline states both), not "gout flare"
        after it."""
        st = self._current()
        said, asked = topic_concepts(note), topic_concepts(earlier)
        if not said or not asked:
            return True
        word, telling = max(said, key=st.idf), {max(asked, key=st.idf)}
        # As deep as a follow-up's constraint is looked for (_constraint_hits): the passage may rank below the hits.
        hits = [h for h in st.retriever.search(f"{earlier} {note}", k=_CONSTRAINT_DEPTH) if h.chunk.kind == "guideline"]
        titles = st.index.titles(h.chunk.doc_id for h in hits)
        stated = {doc_id: set(with_parts(concepts(title))) for doc_id, title in titles.items()}
        for h in hits:
            stated.setdefault(h.chunk.doc_id, set()).update(with_parts(concepts(h.chunk.text)))
        return any(word in found and telling & found for found in stated.values())

    def gather(self, question: str, history: Sequence[Turn | dict] = (), filters: Filters | None = None) -> Evidence:
        return self._gather(self._current(), question, history, filters)

    def _gather(self, st: _Serving, question: str, history: Sequence[Turn | dict], filters: Filters | None) -> Evidence:
        t0 = time.perf_counter()
        question = check_question(question, self.settings)
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in history]
        standalone, how, why_not = self.rewrite(question, turns)
        t1 = time.perf_counter()
        query = with_rare_drug_classes(standalone, st.idf, self.settings.answer.rare_idf * st.idf.max)
        query_vector = st.retriever.encode(query)
        t2 = time.perf_counter()
        hits = st.retriever.search(query, filters=filters, query_vector=query_vector)
        follow_up = question if turns and standalone != question else None
        earlier = (turns[-1].standalone_question or turns[-1].question) if follow_up else None
        focus = analyse(standalone, follow_up, st.idf, earlier)
        hits += self._rare_word_hits(st, query, hits, focus, filters)
        if follow_up and focus.constraint:
            hits += self._constraint_hits(st, query, query_vector, hits, focus, filters, earlier)
        t3 = time.perf_counter()
        stored = st.index.sentence_vectors([h.chunk.id for h in hits])
        # Independently encoded sentence vectors are already what re-encoding the shortlist would give.
        rescore = 0 if st.index.manifest.sentence_vectors == "encoded" else self.settings.answer.rescore_top
        # Boilerplate is checked once, in _closest, for the sentences the ranker keeps (unless a rescored shortlist
        # is cut first: boilerplate must not take its places).
        cands = gather_candidates(hits, query_vector, self.embedder, stored, rescore, check_content=bool(rescore))
        cands += self._expand(st, hits, cands, query_vector)
        titles = st.index.titles(c.hit.chunk.doc_id for c in cands)
        # The ranker's cues cost far more than a cosine: only the closest sentences are worth them.
        keep = self._closest(cands, self.settings.answer.rank_candidates)
        cands = [c for i, c in enumerate(cands) if i in keep]  # in retrieval order: the ranker reads document rank from it
        self._set_headings(st, cands)
        self._set_title_relevance(cands, titles, query_vector)
        a = self.settings.answer
        # Before ranking: how much of the question's subject each sentence's document states is one of its cues.
        focus.document_coverage, focus.unknown = topic_support(cands, focus, titles, st.idf, a.rare_idf, st.title_words,
                                                               a.off_title_weight)
        # A word a retrieved passage states is no topic the index lacks, though none of its sentences is close enough
        # to the question to be a candidate.
        # Nor is an everyday word of a vignette ("keen on chemoprevention. Tamoxifen - what dose?"); in the clause that
        # asks it may be whom it is for ("space motion sickness in astronauts").
        everyday = everyday_concepts(standalone, self._vocabulary) - topic_concepts(asking_clause(standalone))
        focus.unknown = [c for c in focus.unknown
                         if c not in everyday and not any(c in concepts(h.chunk.text) for h in hits)]
        rerank(cands, focus, titles, a.rank)
        t4 = time.perf_counter()
        ms = {"rewrite": t1 - t0, "embed_query": t2 - t1, "retrieve": t3 - t2, "score_sentences": t4 - t3}
        return Evidence(standalone, hits, cands, {k: v * 1000 for k, v in ms.items()}, how, why_not, focus)

    def _rare_word_hits(self, st: _Serving, query: str, hits: list[Hit], focus: QuestionFocus,
                        filters: Filters | None) -> list[Hit]:
        """Passages stating a rare word of the question that the index holds and no hit states ("Centor" in "sore
        throat, Centor 4 - which antibiotic?"): fused with the embedding's ranks and capped per guideline, such a
        passage can fall below the hits; without it the word reads as a topic the index lacks (support.topic_support)."""
        rare = self.settings.answer.rare_idf * st.idf.max
        wanted = {c for c in focus.topic if rare <= st.idf(c) < st.idf.max}
        if not wanted:
            return []
        titles = st.index.titles(h.chunk.doc_id for h in hits)
        missing = wanted - set().union(*(concepts(h.chunk.text) | concepts(titles.get(h.chunk.doc_id, "")) for h in hits))
        if not missing:
            return []
        have = {h.chunk.id for h in hits}
        found = [h for h in st.retriever.search(query, filters=filters, mode="bm25")
                 if h.chunk.id not in have and missing & concepts(h.chunk.text)]
        return found[:_RARE_WORD_HITS]

    def _constraint_hits(self, st: _Serving, query: str, query_vector, hits: list[Hit], focus: QuestionFocus,
                         filters: Filters | None, earlier: str | None = None) -> list[Hit]:
        """A follow-up's constraint in passages deeper down: after "What anticoagulant for AF?", "what if she has a
        mechanical heart valve?" is answered by a valve guideline's "Patients with mechanical heart valves should
        receive ... warfarin", which the AF guidelines' passages outrank. Or in the earlier question's own guidelines,
        whose passage on it the follow-up's new words rank below other guidelines': "he also has CKD with proteinuria"
        after hypertension in a black patient is answered by JNC 8's CKD recommendation."""
        have = {h.chunk.id for h in hits}
        deeper = st.retriever.search(query, filters=filters, k=_CONSTRAINT_DEPTH, query_vector=query_vector)
        found = [h for h in deeper if h.chunk.id not in have and focus.constraint <= with_parts(concepts(h.chunk.text))]
        found = found[:_RARE_WORD_HITS]
        if earlier:
            have |= {h.chunk.id for h in found}
            docs = dict.fromkeys(h.chunk.doc_id for h in st.retriever.search(earlier, filters=filters)
                                 if h.chunk.kind == "guideline")
            for doc_id in list(docs)[:_EARLIER_DOCUMENTS]:
                # On the subject already, a passage stating any of it is worth reading ("CKD", not "proteinuria").
                found += [Hit(chunk=c, score=0.0) for c in st.index.chunks(st.index.doc_rows(doc_id))
                          if c.id not in have and focus.constraint & with_parts(concepts(c.text))][:_RARE_WORD_HITS]
        return found

    @staticmethod
    def _closest(cands: list[Candidate], n: int) -> set[int]:
        """The n candidates closest to the question that are not boilerplate (checked here, for the few kept)."""
        keep: set[int] = set()
        for i in sorted(range(len(cands)), key=lambda i: -cands[i].relevance):
            if len(keep) >= n:
                break
            if not not_content(cands[i].text):
                keep.add(i)
        return keep

    def _set_headings(self, st: _Serving, cands: list[Candidate]) -> None:
        """Each guideline sentence's sub-heading; a document's headings are read once per index state."""
        for c in cands:
            chunk = c.hit.chunk
            if chunk.kind != "guideline":
                continue
            found = st.headings.get(chunk.doc_id)
            if found is None:
                found = st.headings[chunk.doc_id] = document_headings(st.index.chunks(st.index.doc_rows(chunk.doc_id)))
            c.heading = heading_of(found, chunk, c.text)

    def _set_title_relevance(self, cands: list[Candidate], titles: dict[str, str], query_vector) -> None:
        """Each candidate's cosine between its guideline's title and the question: which guideline a sentence comes
        from matters as much as the sentence."""
        of = {c.hit.chunk.doc_id: titles.get(c.hit.chunk.doc_id) for c in cands if c.hit.chunk.kind == "guideline"}
        self._encode_titles([t for t in of.values() if t])
        for c in cands:
            title = of.get(c.hit.chunk.doc_id)
            c.title_relevance = float(self._title_vectors[title] @ query_vector) if title else 0.0

    def _encode_titles(self, titles: Sequence[str]) -> None:
        """Title vectors, kept by title text (whatever index state holds them), encoded when first met. One at a time,
        as the question is: int8 quantizes a batch's activations together, so a title encoded beside others moved by
        about 0.01 cosine with its batch, and an answer depended on which questions came before it."""
        for title in dict.fromkeys(titles):
            if title not in self._title_vectors:
                self._title_vectors[title] = self.embedder.encode_queries([title])[0]

    @functools.cached_property
    def _vocabulary(self) -> frozenset[str]:
        """The encoder's whole words (none for an encoder without a word-piece vocabulary)."""
        tokenizer = getattr(self.embedder, "tokenizer", None)
        vocab = tokenizer.get_vocab() if tokenizer is not None and hasattr(tokenizer, "get_vocab") else {}
        return frozenset(w for w in vocab if w.isalpha())

    def warm(self) -> None:
        """Encode every guideline title now (a few seconds for the default index), so that no answer pays for it:
        the server calls this at start-up; a one-off question from the CLI encodes only the titles it meets."""
        index = self.index
        guideline = KINDS.index("guideline")
        ids = [d for d in index.document_ids if (rows := index.doc_rows(d)) and index.kind_codes[rows[0]] == guideline]
        self._encode_titles(list(index.titles(ids).values()))

    def _expand(self, st: _Serving, hits: list[Hit], cands: list[Candidate], query_vector) -> list[Candidate]:
        """Every stored sentence of the best-ranked guidelines that the hits did not already bring (and, read on the
        way, their sub-headings)."""
        index = st.index
        n = self.settings.answer.expand_documents
        docs = list(dict.fromkeys(h.chunk.doc_id for h in hits if h.chunk.kind == "guideline"))[:n]
        if not docs or index.sentences is None:
            return []
        have = {h.chunk.id for h in hits}
        rows = [r for d in docs for r in index.doc_rows(d)]
        chunks = index.chunks(rows)
        for d in docs:
            if d not in st.headings:
                st.headings[d] = document_headings(c for c in chunks if c.doc_id == d)
        extra = [Hit.model_construct(chunk=c, score=0.0) for c in chunks if c.id not in have]
        stored = index.sentence_vectors([h.chunk.id for h in extra])
        seen = {sentence_key(c.text) for c in cands}
        out = [c for c in candidates_from_hits(extra, stored, seen, check_content=False) if c.vector is not None]
        score_candidates(out, query_vector, self.embedder)
        return out

    def ask(self, question: str, history: Sequence[Turn | dict] = (), filters: Filters | None = None) -> Answer:
        t0 = time.perf_counter()
        st = self._current()
        with missing_shards() as missing:  # a sharded index's shards that fail: answered from the others
            evidence = self._gather(st, question, history, filters)
        t1 = time.perf_counter()
        documents = st.index.documents(h.chunk.doc_id for h in evidence.hits)
        answer = self.writer.write(question.strip(), evidence, documents, self.settings, st.index.info)
        answer.degraded = sorted(missing)
        answer.unstated = unstated(answer, evidence.focus)
        answer.writer.rewrite, answer.writer.rewrite_fallback = evidence.rewrite, evidence.rewrite_fallback
        t2 = time.perf_counter()
        timings = evidence.timings_ms | {"compose": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}
        answer.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        return answer


_PIPELINES: dict[tuple[str, str], Pipeline] = {}
_CONSTRAINT_DEPTH = 40  # how deep a follow-up's constraint is looked for
_EARLIER_DOCUMENTS = 2  # the earlier question's guidelines looked through for a follow-up's constraint
_RARE_WORD_HITS = 2  # passages added for a rare word the hits lack: its best two (by BM25) are enough to show it


def ask(question: str, history: Sequence[Turn | dict] = (), settings: Settings | dict | str | None = None,
        filters: Filters | None = None, index_name: str | None = None) -> Answer:
    """Answer one question (with earlier turns for follow-ups); the pipeline is loaded once per index."""
    s = get_settings(settings)
    key = (s.model_dump_json(), index_name or s.index.name)
    if key not in _PIPELINES:
        _PIPELINES[key] = Pipeline(s, index_name)
    return _PIPELINES[key].ask(question, history, filters)
