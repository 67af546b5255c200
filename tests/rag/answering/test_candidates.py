"""Which sentences of the retrieved chunks are quotable candidates: never a question, boilerplate or a duplicate."""

from rag.text import quotable_spans
from rag.types import Chunk, Hit


def test_a_question_in_the_evidence_is_never_quoted():
    from rag.answering.candidates import candidates_from_hits

    text = "Should gonorrhea be treated with ceftriaxone? Treat uncomplicated gonorrhea with ceftriaxone for 7 days."
    chunk = Chunk(id="ngc-1#0:0-1", doc_id="ngc-1", kind="guideline", section_index=0, section="Major Recommendations",
                  start=0, end=len(text), text=text, n_tokens=20)
    assert [c.text for c in candidates_from_hits([Hit(chunk=chunk, score=1.0)])] == [
        "Treat uncomplicated gonorrhea with ceftriaxone for 7 days."]


def test_a_footnote_s_mark_is_not_quoted_with_its_text():
    from rag.answering.candidates import candidates_from_hits

    text = ("Treat uncomplicated gonorrhea in adults with a single dose of ceftriaxone.\n\n"
            "a In the event that ceftriaxone is unavailable, treat the gonorrhea with a single dose of cefixime.\n\n"
            "† 250 mg of ceftriaxone equals one vial of the powder for injection in most countries.\n\n"
            "6 A 'clinician' should be a practitioner who can prescribe ceftriaxone for gonorrhea in adults.")
    chunk = Chunk(id="ngc-1#0:0-1", doc_id="ngc-1", kind="guideline", section_index=0, section="Major Recommendations",
                  start=0, end=len(text), text=text, n_tokens=20)
    quoted = [c.text for c in candidates_from_hits([Hit(chunk=chunk, score=1.0)])]
    assert quoted == ["Treat uncomplicated gonorrhea in adults with a single dose of ceftriaxone.",
                      "In the event that ceftriaxone is unavailable, treat the gonorrhea with a single dose of cefixime.",
                      "250 mg of ceftriaxone equals one vial of the powder for injection in most countries.",
                      "A 'clinician' should be a practitioner who can prescribe ceftriaxone for gonorrhea in adults."]
    assert all(q in text for q in quoted)  # still verbatim


def test_a_list_s_preamble_on_its_evidence_is_not_quoted_with_its_first_item():
    from rag.answering.candidates import Candidate, candidates_from_hits

    item = "For women with ASC-US cytology test results, reflex HPV testing is preferred."
    text = "The following recommendations are based on good and consistent scientific evidence (Level A) :\n\n- " + item
    chunk = Chunk(id="ngc-1#0:0-1", doc_id="ngc-1", kind="guideline", section_index=0, section="Major Recommendations",
                  start=0, end=len(text), text=text, n_tokens=20)
    quoted: list[Candidate] = candidates_from_hits([Hit(chunk=chunk, score=1.0)], stored={chunk.id: {(0, len(text)): None}})
    assert [c.text for c in quoted] == [item]
    text = "The following recommendations and conclusions are based on consensus (Level C) :\n\n- " + item
    chunk = chunk.model_copy(update={"text": text, "end": len(text)})
    assert candidates_from_hits([Hit(chunk=chunk, score=1.0)], stored={chunk.id: {(0, len(text)): None}})[0].text == item
    # A preamble that says what to do is part of the statement.
    text = "Offer one of the following:\n\n- " + item
    chunk = chunk.model_copy(update={"text": text, "end": len(text)})
    assert candidates_from_hits([Hit(chunk=chunk, score=1.0)], stored={chunk.id: {(0, len(text)): None}})[0].text == text


def test_copies_of_a_sentence_that_differ_only_in_punctuation_are_quoted_once():
    from rag.answering.candidates import candidates_from_hits

    text = 'Classify as "mild," "severe," or "complicated," and treat. Classify as "mild" "severe," or "complicated," and treat.'
    chunk = Chunk(id="ngc-1#0:0-1", doc_id="ngc-1", kind="guideline", section_index=0, section="Major Recommendations",
                  start=0, end=len(text), text=text, n_tokens=20)
    assert len(candidates_from_hits([Hit(chunk=chunk, score=1.0)])) == 1


def test_a_summary_s_editorial_notes_and_grading_tables_are_never_quoted():
    # Invented in the shape of the NGC summaries' own notes; the advice sentences beside them stay quotable.
    text = ("Definitions of the grades of advice are provided at the end of the \"Main Advice\" field. "
            "Class II : Cohort studies of watering schedules in a representative garden. "
            "Grade C : There is insufficient evidence to support watering at night, either for or against. "
            "Level II-2 : Evidence obtained from well-designed cohort studies of several gardens. "
            "Strong : The evidence shows the benefit of mulching clearly outweighs any risk. "
            "Offer/provide this service for selected gardens depending on individual circumstances. "
            "The society recommends selectively offering or providing this service to individual gardens based on judgment. "
            "These recommendations are available on the RHS Web site (www.example.org). "
            "The society recommends against the service. "
            "All readers of this summary are urged to read the full leaflet. "
            "The definitions of these grades can be found at the end of the \"Main Advice\" field. "
            "( Grade: strong recommendation, high-quality evidence ). "
            "Discourage the use of this service. "
            "Intentional vagueness: The gardener must judge what counts as a dry week. "
            "Policy level: Strong recommendation. "
            "Cases where the balance of cost and benefit is unclear are likely to result in a weak recommendation. "
            "A weak recommendation implies that most gardeners would want to do it but that many would not. "
            "Weak recommendations result when the balance between the benefits and harms of watering is small. "
            "*RHS guidance on watering in drought is in development and is due to be published in May 2015. "
            "Benefits: Identify the plants most likely to gain from watering. "
            "Risks, harms, cost: Water wasted on plants that would have survived anyway. "
            "Variant 3: Tomato plants in a greenhouse, dry week. "
            "Recommendations for the watering of orchids are available from the Orchid Society. "
            "For gardens on chalk, refer to the NGC summary of the society's guideline on lime. "
            "See Appendix Tables 4 and 5 in the original guideline document for the costs of mulches. "
            "Refer to the evidence sections in the original guideline document for the harms of watering. "
            "The RHS grades its recommendations ( A, B, C, D, or I ). "
            "More information may allow an estimation of effects on tomato yield. "
            "There is high certainty that the net benefit is substantial. "
            "There is at least moderate certainty that the net benefit is small. "
            "Evidence is lacking, of poor quality, or conflicting, and the balance of benefits and harms cannot be determined. "
            "As more information becomes available, the magnitude or direction of the observed effect could change. "
            "Recommendation can apply to most patients in most circumstances. "
            "Other alternatives may be equally reasonable. "
            "The best action may differ depending on circumstances or patient's or societal values. "
            "Further research is very unlikely to change confidence in the estimate of effect. "
            "Future research may well have an important impact on confidence in the estimate of effect and may change the estimate. "
            "Any estimate of effect is very uncertain. "
            "The work group is confident that the benefits outweigh the risks, but recognizes that the evidence has limitations. "
            "Gardeners should water tomato plants every morning in dry weather.")
    quoted = [text[a:b] for a, b in quotable_spans(text)]
    assert quoted == ["Gardeners should water tomato plants every morning in dry weather."]


def test_a_grade_split_off_its_recommendation_is_quoted_with_it():
    from rag.answering.candidates import candidates_from_hits
    from rag.text import find_grade

    first = "Patients with mild CDI should be treated with metronidazole 500 mg orally three times per day for 10 days."
    grade = "(Strong recommendation, high-quality evidence)"
    second = "Patients with severe CDI should be treated with vancomycin for 10 days (Conditional recommendation)."
    aside = "Patients who relapse need a longer course of the same regimen. (See Table 2 for doses)"
    text = f"{first} {grade}\n\n- {second} (Level B)\n\n{aside}"
    chunk = Chunk(id="ngc-1#0:0-1", doc_id="ngc-1", kind="guideline", section_index=0, section="Major Recommendations",
                  start=0, end=len(text), text=text, n_tokens=60)
    quoted = [c.text for c in candidates_from_hits([Hit(chunk=chunk, score=1.0)])]
    assert quoted[0] == f"{first} {grade}" and find_grade(quoted[0]) == "Strong recommendation, high-quality evidence"
    # A sentence with a grade of its own keeps it; an aside that is no grade stays out.
    assert quoted[1] == second
    assert quoted[2] == "Patients who relapse need a longer course of the same regimen."
    assert all(q in text for q in quoted)  # still verbatim
