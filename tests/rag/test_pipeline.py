
import numpy as np
import pytest

from rag.answering.extractive import DISCLAIMER
from rag.pipeline import QuestionError
from rag.settings import Settings
from rag.text import find_grade
from rag.types import KINDS, Answer, Turn
from rag.vocabulary import concepts

PDPH = "What needle type reduces the risk of post-dural puncture headache?"


@pytest.fixture(scope="module")
def pdph(pipeline) -> Answer:
    return pipeline.ask(PDPH)


def test_answer_cites_the_guideline(pdph, pipeline):
    assert not pdph.abstained
    guideline = [s for s in pdph.sections if s.kind == "guideline"]
    assert guideline and guideline[0].title == "From the Guidelines"
    cited = {r.doc_id for r in pdph.references}
    assert "ngc-10908" in cited
    ref = next(r for r in pdph.references if r.doc_id == "ngc-10908")
    assert ref.source and ref.year == 2016 and ref.kind == "guideline"


def test_statements_are_verbatim_source_text(pdph, pipeline):
    for section in pdph.sections:
        for st in section.statements:
            (n,) = st.citations
            ref = pdph.references[n - 1]
            passages = [pipeline.index.chunk_by_id(cid).text for cid in ref.chunk_ids]
            assert any(st.text in p for p in passages)


def test_citations_resolve_and_are_numbered_by_first_use(pdph):
    assert pdph.cited_numbers() == [r.n for r in pdph.references] == list(range(1, len(pdph.references) + 1))
    assert pdph.disclaimer == DISCLAIMER
    assert pdph.index.name == "test" and pdph.index.fingerprint
    assert pdph.timings_ms["total"] > 0


def test_sections_follow_kind_order(pdph):
    order = [s.kind for s in pdph.sections]
    assert order == sorted(order, key=["guideline", "research", "patient"].index)


def test_answer_model_rejects_dangling_citations(pdph):
    data = pdph.model_dump()
    data["sections"][0]["statements"][0]["citations"] = [99]
    with pytest.raises(ValueError):
        Answer.model_validate(data)


def test_off_topic_question_abstains(pipeline):
    a = pipeline.ask("What is the torque setting for a carbon bicycle seat post clamp?")
    assert a.abstained and a.abstention and "do not directly address" in a.abstention
    assert all(s.kind == "related" for s in a.sections)
    assert a.disclaimer == DISCLAIMER


def test_follow_up_uses_history(pipeline, pdph):
    a = pipeline.ask("what about for cesarean delivery?", [Turn(question=PDPH, standalone_question=pdph.standalone_question)])
    assert a.standalone_question != a.question
    assert "post-dural puncture headache" in a.standalone_question and "cesarean" in a.standalone_question


def test_a_short_question_follows_when_the_index_finds_it_with_the_earlier_topic(pipeline, pdph):
    history = [Turn(question=PDPH, standalone_question=pdph.standalone_question)]
    # A blood patch is found in the obstetric anaesthesia guideline the headache question found; gout is not.
    follows = pipeline.ask("when is a blood patch indicated?", history)
    assert "post-dural puncture headache" in follows.standalone_question
    assert pipeline.ask("Colchicine for gout?", history).standalone_question == "Colchicine for gout?"


def test_a_note_follows_when_a_guideline_states_it_with_the_earlier_topic(pipeline, pdph):
    history = [Turn(question=PDPH, standalone_question=pdph.standalone_question)]
    # The obstetric anaesthesia guideline states a cutting needle with the headache; no guideline states gout with it.
    assert "post-dural puncture headache" in pipeline.ask("cutting needle", history).standalone_question
    assert pipeline.ask("gout flare", history).standalone_question == "gout flare"


def test_a_follow_up_s_constraint_brings_deeper_passages_that_state_it(pipeline, pdph):
    from rag.vocabulary import concepts, with_parts

    history = [Turn(question=PDPH, standalone_question=pdph.standalone_question)]
    ev = pipeline.gather("what if she is in labour?", history)
    extra = ev.hits[pipeline.settings.retrieval.k:]  # past what the search itself returns
    assert extra and all(ev.focus.constraint & with_parts(concepts(h.chunk.text)) for h in extra)
    # Among them, passages of the earlier question's own guidelines on it, which the search did not return at all.
    earlier = list(dict.fromkeys(h.chunk.doc_id for h in pipeline.retrieve(pdph.standalone_question)
                                 if h.chunk.kind == "guideline"))[:2]
    assert any(h.chunk.doc_id in earlier and h.score == 0.0 for h in extra)


def test_the_vocabulary_reads_the_serving_index_s_abbreviations(pipeline):
    # The test index's guidelines define "guideline development group (GDG)"; the hand-written lexicon has no GDG.
    assert not concepts("GDG") & concepts("guideline development group")  # each test starts without them
    pipeline.retrieve("who is on the GDG?")
    assert concepts("GDG") == concepts("guideline development group")
    assert pipeline.index.manifest.abbreviations["GDG"] == "guideline development group"


@pytest.mark.parametrize("bad", ["", "   \n\t"])
def test_empty_question_is_refused(pipeline, bad):
    with pytest.raises(QuestionError, match="empty"):
        pipeline.ask(bad)


def test_huge_question_is_refused(pipeline):
    with pytest.raises(QuestionError, match="limit"):
        pipeline.ask("x" * 5000)


@pytest.mark.parametrize(
    "text,grade",
    [
        ("Use the tool daily [A].", "[A]"),
        ("Offer it (Level B).", "(Level B)"),
        ("Consider it. Strong recommendation; moderate-quality evidence", "Strong recommendation; moderate-quality evidence"),
        ("Grade C evidence supports this.", "Grade C"),
        ("Nothing graded here.", None),
    ],
)
def test_grade_extraction(text, grade):
    assert find_grade(text) == grade


@pytest.mark.parametrize(
    "sentence,ok",
    [
        ("Oil the shed hinges twice a year to stop the squeak.", True),
        ("Oil the shed hinges twice a year (Level B).", True),
        ("Local fragment from a bulleted list of items", False),
        ("Too short.", False),
        ("Refer to the \"Availability of Companion Documents\" field for details.", False),
    ],
)
def test_only_complete_sentences_are_quoted(sentence, ok):
    from rag.text import quotable as _quotable

    assert _quotable(sentence) is ok


def test_statements_stay_close_to_the_best_evidence(pipeline):
    evidence = pipeline.gather(PDPH)
    answer = pipeline.ask(PDPH)
    a = pipeline.settings.answer
    score = {c.text: c.rank_score for c in evidence.candidates}
    eligible = [c.rank_score for c in evidence.candidates
                if c.relevance >= a.min_sentence_relevance and c.coverage >= a.min_statement_coverage]
    quoted = [st.text for s in answer.sections for st in s.statements]
    assert quoted and all(score[t] >= max(eligible) - a.relative_margin - 1e-6 for t in quoted)


def test_the_guideline_section_opens_with_its_bottom_line(pdph):
    guideline = next(s for s in pdph.sections if s.kind == "guideline")
    first = guideline.statements[0]
    assert first.role == "bottom_line" and first.group == "Bottom line"
    assert all(st.role in ("consideration", "approach") for st in guideline.statements[1:])
    assert {st.role for s in pdph.sections if s.kind == "research" for st in s.statements} <= {"finding"}
    text = pdph.to_text()
    ref = pdph.references[first.citations[0] - 1]
    assert f"({ref.source}, {ref.year})" in text or f"· {ref.source}, {ref.year})" in text  # attributed


def test_a_topic_word_no_indexed_source_mentions_abstains_and_is_named(pipeline):
    a = pipeline.ask("How should an acute gout flare be treated in cats?")
    assert a.abstained and "\u201ccats\u201d" in a.abstention
    assert all(s.kind == "related" for s in a.sections)


def test_a_lead_in_is_quoted_with_its_list():
    from rag.text import quotable_spans

    text = ("Selection\n\n- We recommend that naltrexone or acamprosate be offered to patients who\n\n"
            "- Have a goal of reducing alcohol consumption,\n\n- Have no contraindications to these medications.\n\n"
            "- Disulfiram should not be used in patients who drink alcohol today.")
    quoted = [text[a:b] for a, b in quotable_spans(text)]
    assert quoted[0].startswith("We recommend that naltrexone") and quoted[0].endswith("these medications.")
    assert quoted[1] == "Disulfiram should not be used in patients who drink alcohol today."
    assert len(quoted) == 2


def test_content_stems_match_inflections():
    from rag.text import content_stems

    q = content_stems("What causes squeaks after oiling the hinges?")
    assert q == {"caus", "squeak", "oil", "hing"}
    assert len(q & content_stems("Hinges squeak when they are not oiled.")) >= 2
    assert len(q & content_stems("The paint on the fence peels in winter.")) == 0


def test_answers_encode_no_sentences_over_the_default_index(pipeline, monkeypatch):
    # The default index stores pooled sentence vectors and answers re-encode none: only the question is encoded.
    assert pipeline.index.manifest.sentence_vectors == "pooled" and pipeline.settings.answer.rescore_top == 0
    encoded: list[int] = []
    real = pipeline.embedder.encode_documents
    monkeypatch.setattr(pipeline.embedder, "encode_documents", lambda texts, **kw: encoded.append(len(texts)) or real(texts, **kw))
    answer = pipeline.ask("What needle type reduces the risk of post-dural puncture headache?")
    assert not answer.abstained and answer.references and encoded == []


def test_pooled_index_re_encodes_only_the_shortlist(index_settings, real_docs, embedder, tmp_path, monkeypatch):
    # Pooled sentence vectors shortlist the sentences; only the best `rescore_top` are encoded at query time.
    from rag.indexing.build import build_index
    from rag.pipeline import Pipeline

    data = index_settings.model_dump()
    data["index"] = {"dir": tmp_path, "name": "pooled"}
    data["embedding"]["sentence_vectors"] = "pooled"
    data["answer"]["rescore_top"] = 8
    s = Settings(**data)
    build_index(real_docs[:12], s, embedder=embedder)
    pipe = Pipeline(s)
    encoded: list[int] = []
    real = pipe.embedder.encode_documents
    monkeypatch.setattr(pipe.embedder, "encode_documents", lambda texts, **kw: encoded.append(len(texts)) or real(texts, **kw))
    question = "What needle type reduces the risk of post-dural puncture headache?"
    answer = pipe.ask(question)
    assert not answer.abstained and answer.references
    assert encoded == [pipe.settings.answer.rescore_top]
    encoded.clear()
    monkeypatch.setattr(pipe.settings.answer, "rescore_top", 0)
    assert pipe.ask(question).references and encoded == []  # stored vectors only


def test_each_guideline_sentence_knows_how_close_its_guidelines_title_is(pipeline):
    ev = pipeline.gather("How should a post-dural puncture headache be treated?")
    guideline = [c for c in ev.candidates if c.hit.chunk.kind == "guideline"]
    assert guideline and all(-1.0 <= c.title_relevance <= 1.0 for c in guideline)
    titles = pipeline.index.titles(c.hit.chunk.doc_id for c in guideline)
    best = max(guideline, key=lambda c: c.title_relevance)
    assert "headache" in titles[best.hit.chunk.doc_id].lower() or "dural" in titles[best.hit.chunk.doc_id].lower()
    assert all(c.title_relevance == 0.0 for c in ev.candidates if c.hit.chunk.kind != "guideline")


def test_a_titles_vector_does_not_depend_on_the_titles_encoded_with_it(pipeline):
    # int8 quantizes a batch's activations together: a title encoded beside others came out different, and an answer
    # depended on which questions had been asked before it.
    pipeline.warm()
    for title in list(pipeline._title_vectors)[:5]:
        assert np.array_equal(pipeline._title_vectors[title], pipeline.embedder.encode_queries([title])[0]), title


def test_warming_encodes_every_guideline_title_once(pipeline):
    pipeline.warm()
    index = pipeline.index
    guideline_titles = {t for d, t in index.titles(index.document_ids).items()
                        if index.kind_codes[index.doc_rows(d)[0]] == KINDS.index("guideline")}
    assert guideline_titles and guideline_titles <= set(pipeline._title_vectors)


def test_a_rare_word_the_index_holds_but_the_hits_lack_brings_its_passages(pipeline):
    # "ibandronate" is in the bone metastases guideline only; asked beside a headache question, the hits the
    # embedding and BM25 fuse are the headache guideline's.
    ev = pipeline.gather("What needle type reduces the risk of post-dural puncture headache after ibandronate?")
    assert any("ibandronate" in h.chunk.text.lower() for h in ev.hits)
    assert not ev.focus.unknown


def test_an_everyday_word_no_indexed_source_mentions_is_no_topic_the_index_lacks(pipeline):
    # "keen" is in no indexed passage, yet it is the asker's phrasing, not a topic: a whole word of the encoder's
    # general vocabulary, outside the clause that asks. A condition the index lacks is not one.
    question = "Needle type for post-dural puncture headache, keen runner - what is recommended?"
    assert pipeline.idf(next(iter(concepts("keen")))) == pipeline.idf.max  # in no indexed passage
    assert not pipeline.gather(question).focus.unknown
    a = pipeline.ask(question)
    assert not a.abstained, a.abstention
    assert any(r.doc_id == "ngc-10908" for r in a.references)


def test_an_everyday_word_in_the_clause_that_asks_is_still_a_topic_the_index_may_lack(pipeline):
    # "astronauts" is whom it is for: a whole word of the encoder's vocabulary, but in the clause that asks.
    ev = pipeline.gather("How should post-dural puncture headache be treated in astronauts?")
    assert ev.focus.unknown == sorted(concepts("astronauts"))
