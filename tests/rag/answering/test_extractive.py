"""The extractive writer: roles, references numbered by first use, and newer guidelines ahead of older ones that disagree."""

import numpy as np

from rag.answering.candidates import Candidate
from rag.answering.extractive import compose_answer
from rag.question import analyse
from rag.settings import Settings
from rag.types import Chunk, DocSection, Document, Hit, IndexInfo

DOC = Document(id="ngc-1", kind="guideline", title="Management of uncomplicated gonorrhea", source="Body", year=2016,
               sections=[DocSection(title="Major Recommendations", text="x")])


def _cand(text: str, rel: float, i: int) -> Candidate:
    chunk = Chunk(id=f"ngc-1#0:{i}-{i + 1}", doc_id="ngc-1", kind="guideline", section_index=0,
                  section="Major Recommendations", start=i, end=i + 1, text=text, n_tokens=5)
    vec = np.zeros(4, dtype=np.float32)
    vec[i % 4] = 1.0
    return Candidate(text=text, hit=Hit(chunk=chunk, score=1.0), relevance=rel, vector=vec, score=rel, coverage=1.0)


def _answer(cands, question="How long should uncomplicated gonorrhea be treated?", settings=None):
    focus = analyse(question)
    focus.document_coverage = 1.0
    return compose_answer(question, question, cands, {"ngc-1": DOC}, settings or Settings(),
                          IndexInfo(name="t", fingerprint="f"), focus=focus)


def test_a_statement_that_states_a_duration_answers():
    answer = _answer([_cand("Screening for gonorrhea is recommended in sexually active women.", 0.7, 0),
                      _cand("Treat uncomplicated gonorrhea with ceftriaxone for 7 days.", 0.68, 1)])
    assert not answer.abstained
    statements = answer.sections[0].statements
    assert statements[0].role == "bottom_line" and statements[0].group == "Bottom line"  # the best-scored
    assert any("ceftriaxone" in st.text for st in statements)
    assert all(st.role in ("consideration", "approach") for st in statements[1:])


def test_references_are_numbered_in_the_order_the_reader_meets_them():
    def cand(text, rel, i, doc):
        c = _cand(text, rel, i)
        c.hit.chunk.doc_id = doc
        return c

    docs = {d: DOC.model_copy(update={"id": d}) for d in ("ngc-1", "ngc-2", "ngc-3")}
    cands = [cand("Treat uncomplicated gonorrhea with ceftriaxone for 7 days.", 0.9, 0, "ngc-1"),
             cand("If symptoms persist after 7 days, then retest for gonorrhea.", 0.8, 1, "ngc-2"),  # a step: shown last
             cand("Gonorrhea treatment should last 7 days in most adults.", 0.7, 2, "ngc-3")]
    question = "How long should uncomplicated gonorrhea be treated?"
    focus = analyse(question)
    focus.document_coverage = 1.0
    answer = compose_answer(question, question, cands, docs, Settings(), IndexInfo(name="t", fingerprint="f"), focus=focus)
    cited = [n for st in answer.sections[0].statements for n in st.citations]
    assert [st.role for st in answer.sections[0].statements] == ["bottom_line", "consideration", "approach"]
    assert cited == [1, 2, 3] and [r.doc_id for r in answer.references] == ["ngc-1", "ngc-3", "ngc-2"]


PROPHYLAXIS = "Is antibiotic prophylaxis with cefazolin recommended before dental procedures in patients with prosthetic joints?"
OLD_FOR = "Antibiotic prophylaxis with cefazolin is recommended before dental procedures in patients with prosthetic joints."
NEW_AGAINST = ("Routine antibiotic prophylaxis with cefazolin is not recommended before dental procedures in patients "
               "with prosthetic joints.")
ASIDE = "Dental procedures in patients with prosthetic joints should follow a documented local infection control plan."


def _two_guidelines(old_year: int, new_year: int):
    def cand(text, rel, i, doc):
        c = _cand(text, rel, i)
        c.hit.chunk.doc_id = doc
        return c

    docs = {"ngc-old": DOC.model_copy(update={"id": "ngc-old", "year": old_year}),
            "ngc-new": DOC.model_copy(update={"id": "ngc-new", "year": new_year})}
    # The ranker prefers the older guideline's statement.
    cands = [cand(OLD_FOR, 0.9, 0, "ngc-old"), cand(ASIDE, 0.85, 1, "ngc-old"), cand(NEW_AGAINST, 0.8, 2, "ngc-new")]
    focus = analyse(PROPHYLAXIS)
    focus.document_coverage = 1.0
    return compose_answer(PROPHYLAXIS, PROPHYLAXIS, cands, docs, Settings(), IndexInfo(name="t", fingerprint="f"),
                          focus=focus)


def test_a_newer_guideline_that_disagrees_comes_first_and_the_older_is_said_to_differ():
    answer = _two_guidelines(2009, 2016)
    statements = answer.sections[0].statements
    assert [st.text for st in statements] == [NEW_AGAINST, OLD_FOR, ASIDE]
    assert statements[0].role == "bottom_line" and statements[1].role == "consideration"
    assert [r.doc_id for r in answer.references] == ["ngc-new", "ngc-old"]
    assert statements[0].note == "An older guideline (2009) [2] differs (opposite recommendation)."
    assert statements[1].note == "A newer guideline (2016) [1] differs (opposite recommendation)."
    assert statements[2].note is None
    text = answer.to_text()
    assert "Note: An older guideline (2009) [2] differs" in text
    assert text.index(NEW_AGAINST) < text.index(OLD_FOR)


def test_without_a_newer_guideline_the_rankers_order_stands_and_nothing_is_noted():
    same_year = _two_guidelines(2016, 2016).sections[0].statements
    assert same_year[0].text == OLD_FOR and all(st.note is None for st in same_year)
    # The ranker's favourite is already the newer one: kept first, the older one noted.
    reversed_years = _two_guidelines(2016, 2009).sections[0].statements
    assert reversed_years[0].text == OLD_FOR
    assert reversed_years[0].note == "An older guideline (2009) [2] differs (opposite recommendation)."
