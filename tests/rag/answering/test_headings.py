"""A sentence's sub-heading: found in its section's lines, and read for what it is about."""

import pytest

from rag.answering.headings import META_HEADING_RE, document_headings, heading_fits, heading_of, is_heading
from rag.types import Chunk


@pytest.mark.parametrize("line, heading", [
    ("Statement 4a. Repositioning Procedures as Initial Therapy", True),
    ("Treatment of Primary Adrenal Insufficiency in Adults", True),
    ("Statement 1a. Diagnosis of Posterior Canal Vertigo (BPPV)", True),
    ("Who Should Be Tested and How?", True),
    ("Clinicians should treat patients with a repositioning procedure.", False),
    ("Providers should:", False),
    ("- Benefits: Improved diagnostic accuracy", False),
    ("Risks, harms, costs: None", False),
    ("x" * 200, False),
    # A connector between two regimens of a list.
    ("OR", False), ("AND", False), ("Or", False),
])
def test_what_reads_as_a_heading(line, heading):
    assert is_heading(line) is heading


def _chunk(text: str, start: int, section_index: int = 0) -> Chunk:
    return Chunk(id=Chunk.make_id("ngc-1", section_index, start, start + len(text)), doc_id="ngc-1", kind="guideline",
                 section_index=section_index, section="Major Recommendations", start=start, end=start + len(text),
                 text=text, n_tokens=10)


def test_a_sentence_takes_the_last_heading_before_it_even_from_an_earlier_chunk():
    first = _chunk("Diagnosis\n\nClinicians should diagnose it by the test.\n\nTreatment\n\nClinicians should treat it.", 0)
    second = _chunk("Offer the procedure first.", 120)
    other_section = _chunk("Contraindications\n\nDo not give it in pregnancy.", 0, section_index=1)
    found = document_headings([second, first, other_section])
    assert heading_of(found, first, "Clinicians should diagnose it by the test.") == "Diagnosis"
    assert heading_of(found, first, "Clinicians should treat it.") == "Treatment"
    assert heading_of(found, second, "Offer the procedure first.") == "Treatment"
    assert heading_of(found, other_section, "Do not give it in pregnancy.") == "Contraindications"
    assert heading_of({}, first, "Clinicians should treat it.") == ""



def test_a_grading_keys_own_sub_headings_are_still_the_key():
    # An AAN summary ends on its evidence scheme: "Class I" heads a study design, not a recommendation.
    key = _chunk("Treatment\n\nOffer the drug (Level B).\n\nDefinitions\n\nClassification of Evidence for Risk of Bias\n\n"
                 "Class I\n\nRelevant baseline characteristics are presented.\n\nLevel 2\n\nThe recommendation needs debate.", 0)
    found = document_headings([key])
    assert heading_of(found, key, "Offer the drug (Level B).") == "Treatment"
    assert heading_of(found, key, "Relevant baseline characteristics are presented.") == \
        "Classification of Evidence for Risk of Bias"
    assert heading_of(found, key, "The recommendation needs debate.") == "Classification of Evidence for Risk of Bias"


def test_a_recommendation_class_under_a_graded_recommendation_is_no_key():
    # ACC/AHA: "Class IIa" heads recommendations; the line before it is a recommendation ending in its grade.
    acc = _chunk("TEE is recommended when signs suggest valve dysfunction. ( Level of Evidence: C )\n\nClass IIa\n\n"
                 "Annual TTE is reasonable after 10 years.", 0)
    assert heading_of(document_headings([acc]), acc, "Annual TTE is reasonable after 10 years.") == "Class IIa"

def test_a_heading_fits_what_is_asked_or_names_something_else():
    assert heading_fits("Repositioning Procedures as Initial Therapy", ["treat"]) == 1.0
    assert heading_fits("Diagnosis of Posterior Canal BPPV", ["treat"]) == -1.0
    assert heading_fits("Diagnosis of Posterior Canal BPPV", ["test"]) == 1.0
    assert heading_fits("Recommendation 3", ["treat"]) == 0.0
    assert heading_fits("Diagnosis", []) == 0.0


def test_grading_keys_and_statement_profiles_are_meta_headings():
    assert META_HEADING_RE.search("Action Statement Profile")
    assert META_HEADING_RE.search("Strength of Recommendations")
    assert not META_HEADING_RE.search("Treatment during Pregnancy")


@pytest.mark.parametrize("heading", ["Classification of Therapeutic Evidence", "Grades of Recommendation Based on "
                                     "Strength of Evidence", "Levels of Certainty Regarding Net Benefit"])
def test_keys_to_evidence_classes_grades_and_certainty_are_grading_headings(heading):
    from rag.answering.headings import is_grading_heading

    assert is_grading_heading(heading)
    assert not is_grading_heading("Classification of Gout Flares by Severity")
