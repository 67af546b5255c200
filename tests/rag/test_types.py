"""Plain-text rendering of guideline references: revision year and status, and what an older index lacks."""

from rag.types import (
    Answer,
    AnswerSection,
    IndexInfo,
    Reference,
    Statement,
    format_reference,
    recency,
)

NEW = Reference(n=1, doc_id="ngc-2", kind="guideline", title="Hand hygiene on wards", source="Example Society",
                year=2016, first_released=2009, status="current release, reaffirmed 2016")
OLD = Reference(n=2, doc_id="ngc-1", kind="guideline", title="Hand hygiene", source="Other Body", year=2012,
                first_released=2012, status="current release")


def answer(*refs: Reference) -> Answer:
    statements = [Statement(text="Wash hands before each patient contact.", citations=[1], role="bottom_line",
                            group="Bottom line", note="An older guideline (2012) [2] differs (opposite recommendation)."),
                  Statement(text="Hand washing is not recommended before each patient contact.", citations=[2],
                            role="consideration", group="Key considerations",
                            note="A newer guideline (2016) [1] differs (opposite recommendation).")]
    return Answer(question="q", standalone_question="q", references=list(refs), abstained=False, disclaimer="d",
                  sections=[AnswerSection(title="From the Guidelines", kind="guideline", statements=statements)],
                  index=IndexInfo(name="t", fingerprint="f"))


def test_a_guideline_reference_shows_its_revision_year_and_status():
    assert recency(NEW) == "Revised 2016 (first released 2009) · current release, reaffirmed 2016"
    assert recency(OLD) == "Released 2012 · current release"
    assert format_reference(NEW) == ("Hand hygiene on wards. Example Society. "
                                     "Revised 2016 (first released 2009) · current release, reaffirmed 2016.")
    text = answer(NEW, OLD).to_text()
    assert "[1] Hand hygiene on wards. Example Society. Revised 2016 (first released 2009) · current release" in text
    assert "[2] Hand hygiene. Other Body. Released 2012 · current release." in text
    # The note follows its statement.
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("- Wash hands"))
    assert lines[i + 1] == "  Note: An older guideline (2012) [2] differs (opposite recommendation)."


def test_a_reference_without_a_stored_status_reads_as_before():
    # An index built before statuses were kept; and research, which has none.
    bare = NEW.model_copy(update={"status": None, "first_released": None})
    assert recency(bare) == "" and format_reference(bare) == "Hand hygiene on wards. Example Society, 2016."
    paper = Reference(n=1, doc_id="pubmed:1", kind="research", title="A trial", source="J Ex", year=2015, pmid="1")
    assert format_reference(paper) == "A trial. J Ex, 2015. PMID 1."
    assert recency(NEW.model_copy(update={"status": None})) == "Revised 2016 (first released 2009)"
