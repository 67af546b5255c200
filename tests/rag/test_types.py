"""Plain-text rendering of guideline references (revision year and status, and what an older index lacks); citation
numbering by first use."""

from rag.types import (
    Answer,
    AnswerSection,
    Citations,
    DocSection,
    Document,
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


def test_citations_number_documents_by_first_use_and_keep_the_first_grade_a_guideline_states():
    def doc(doc_id, kind="guideline"):
        return Document(id=doc_id, kind=kind, title=doc_id, source="Body", year=2016, identifiers={"pmid": "7"},
                        sections=[DocSection(title="", text="x")])

    g1, g2, paper = doc("ngc-1"), doc("ngc-2"), doc("pubmed:7", "research")
    citations = Citations(lambda d: {"status": "withdrawn"} if d.kind == "guideline" else {})
    assert [citations.cite(g2, "ngc-2#0:0-1"), citations.cite(g1, "ngc-1#0:0-1", "Grade B"),
            citations.cite(g2, "ngc-2#0:1-2", "[A]"), citations.cite(g2, "ngc-2#0:1-2", "[C]"),
            citations.cite(paper, "pubmed:7#0:0-1", "Level 1")] == [1, 2, 1, 1, 3]
    assert citations.numbers == {"ngc-2": 1, "ngc-1": 2, "pubmed:7": 3}
    g2_ref, g1_ref, paper_ref = citations.references
    assert [r.n for r in citations.references] == [1, 2, 3]
    assert g2_ref.chunk_ids == ["ngc-2#0:0-1", "ngc-2#0:1-2"] and g2_ref.grade == "[A]" and g2_ref.status == "withdrawn"
    assert g1_ref.grade == "Grade B"
    assert paper_ref.grade is None and paper_ref.pmid == "7" and paper_ref.status is None  # research has no grade


def test_a_section_knows_the_page_of_each_offset_and_pages_leave_old_hashes_alone():
    from rag.types import DocSection, Document

    paged = DocSection(title="Scope", text="x" * 100, page_starts=[(0, 3), (50, 4)])
    assert [paged.page_at(o) for o in (0, 49, 50, 99)] == [3, 3, 4, 4]
    assert DocSection(title="", text="no pages").page_at(3) is None
    plain = Document(id="a", kind="guideline", title="t", source="s", sections=[DocSection(title="", text="hello")])
    dump = plain.model_dump_json(exclude={"sections": {"__all__": {"page_starts"}}})
    assert "page_starts" not in dump and plain.content_hash() == __import__("hashlib").sha256(dump.encode()).hexdigest()
    with_pages = plain.model_copy(update={"sections": [paged]})
    assert with_pages.content_hash() != plain.model_copy(update={"sections": [paged.model_copy(update={"page_starts": []})]}).content_hash()
