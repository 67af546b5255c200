"""Saying what was asked for that no statement gives: a dose, a duration, an interval."""

import pytest

from rag.answering.unstated import unstated
from rag.question import analyse
from rag.types import Answer, AnswerSection, IndexInfo, Reference, Statement

_REF = Reference(n=1, doc_id="ngc-1", kind="guideline", title="Zorbitis", source="Example Society", year=2016)


def _answer(*texts: str, kind: str = "guideline", abstained: bool = False) -> Answer:
    statements = [Statement(text=t, citations=[1], role="consideration") for t in texts]
    return Answer(question="q", standalone_question="q", references=[_REF] if texts else [], abstained=abstained, disclaimer="d",
                  sections=[AnswerSection(title="t", kind=kind, statements=statements)] if texts else [],
                  index=IndexInfo(name="t", fingerprint="f"))


@pytest.mark.parametrize("question, texts, said", [
    ("What dose of vitamin D for a breastfed infant?", ["Suggest vitamin D supplementation for breastfed infants."],
     "None of the statements found gives a dose; the full source may."),
    # The word is no dose: the number with its unit is.
    ("What dose of vitamin D for a breastfed infant?", ["The optimal dose of vitamin D is unknown."],
     "None of the statements found gives a dose; the full source may."),
    ("What dose of vitamin D for a breastfed infant?", ["Give vitamin D 400 IU daily to breastfed infants."], None),
    ("How long should anticoagulation continue after a provoked DVT?", ["Anticoagulation is recommended."],
     "None of the statements found gives a duration; the full source may."),
    ("How long should anticoagulation continue after a provoked DVT?", ["Treat with anticoagulation for 3 months."], None),
    ("How often should women be screened for cervical cancer?", ["Screen women for cervical cancer."],
     "None of the statements found gives an interval; the full source may."),
    ("How often should women be screened for cervical cancer?", ["Screen women every 3 years."], None),
    ("What dose and for how long?", ["Offer iron supplements."],
     "None of the statements found gives a dose or a duration; the full source may."),
    # Nothing countable asked for, and the class asked for is named by its drug.
    ("Which antibiotic for erythema migrans?", ["Doxycycline is recommended."], None),
    # A class of drug asked for that no statement names, by itself or by a drug of it.
    ("Which antiviral for influenza in pregnancy?", ["Pregnant women should receive inactivated influenza vaccine."],
     "None of the statements found names an antiviral; the full source may."),
    ("Which antiviral for influenza in pregnancy?", ["Offer oseltamivir to pregnant women with influenza."], None),
    ("Which antiviral for influenza in pregnancy?", ["Antiviral treatment is recommended in pregnancy."], None),
    ("Which drug for influenza in pregnancy?", ["Pregnant women should receive inactivated influenza vaccine."], None),
])
def test_what_no_statement_gives_is_said(question, texts, said):
    answer = _answer(*texts)
    assert unstated(answer, analyse(question)) == said
    if said:
        assert said in answer.model_copy(update={"unstated": said}).to_text()


def test_nothing_is_said_of_an_abstention_or_of_related_evidence_only():
    focus = analyse("What dose of vitamin D for a breastfed infant?")
    assert unstated(_answer("Vitamin D matters.", abstained=True), focus) is None
    assert unstated(_answer("Vitamin D matters.", kind="related"), focus) is None
    assert unstated(_answer(), focus) is None
    assert unstated(_answer("Vitamin D matters."), None) is None


@pytest.mark.parametrize("question, text", [
    ("post-OHCA comatose pt on TTM - how long should we keep cooling?", "Suggest at least 24 h of cooling."),
    ("Usual RAI dose for remnant ablation?", "The RAI dose is usually 30 mCi for low-risk disease."),
    ("What lamotrigine dose with atazanavir?", "May require a lamotrigine dosage increase of about 50%."),
])
def test_a_quantity_in_other_units_is_given(question, text):
    assert unstated(_answer(text), analyse(question)) is None


def test_asked_whether_or_in_passing_no_quantity_is_owed():
    # A yes or no on changing the dose; "at full dose" describes the patient.
    assert unstated(_answer("May not require lamotrigine dosage adjustment."),
                    analyse("Do I need to change the lamotrigine dose?")) is None
    assert unstated(_answer("Offer an SSRI."),
                    analyse("Which drug first line? 12 wks on sertraline at full dose and no response.")) is None


def test_a_dose_of_another_drug_gives_none():
    question = analyse("What is the dose of tranexamic acid for postpartum haemorrhage?")
    said = "None of the statements found gives a dose; the full source may."
    assert unstated(_answer("Give oxytocin 10 IU intramuscularly.", "Give tranexamic acid early."), question) == said
    assert unstated(_answer("Give tranexamic acid 1 g intravenously."), question) is None
