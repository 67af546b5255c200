"""Pages in citations: Citations.cite records the cited chunk's page, format_reference shows it, the API exposes it."""

from __future__ import annotations

from api.schemas import AnswerOut, PassageOut, ReferenceOut
from rag.types import Citations, DocSection, Document, Reference, format_reference
from tests.rag.test_types import NEW, OLD, answer


def _doc(doc_id: str) -> Document:
    return Document(id=doc_id, kind="guideline", title="Infection prevention", source="CDC", year=2016,
                    sections=[DocSection(title="", text="x")])


def test_cite_records_each_cited_pages_once_and_sorted():
    pdf, text = _doc("user:pdf"), _doc("user:md")
    citations = Citations()
    assert [citations.cite(pdf, "user:pdf#2:0-9", page=12), citations.cite(pdf, "user:pdf#0:0-9", page=3),
            citations.cite(pdf, "user:pdf#2:9-20", page=12), citations.cite(text, "user:md#0:0-5"),
            citations.cite(pdf, "user:pdf#5:0-9", None, 40)] == [1, 1, 1, 2, 1]
    pdf_ref, text_ref = citations.references
    assert pdf_ref.pages == [3, 12, 40] and text_ref.pages == []


def test_format_reference_shows_one_page_or_several():
    paper = Reference(n=1, doc_id="user:pdf", kind="research", title="A guide", source="CDC", year=2016)
    assert format_reference(paper) == "A guide. CDC, 2016."  # no pages known: as before
    assert format_reference(paper.model_copy(update={"pages": [12]})) == "A guide. CDC, 2016. p. 12."
    assert format_reference(paper.model_copy(update={"pages": [3, 12]})) == "A guide. CDC, 2016. pp. 3, 12."
    assert "pp. 3, 12." in answer(NEW.model_copy(update={"pages": [3, 12]}), OLD).to_text()


def test_the_api_exposes_pages_and_sections_and_keeps_every_old_field():
    old_fields = {"n", "doc_id", "kind", "title", "source", "year", "first_released", "status", "url", "pmid", "grade",
                  "chunk_ids"}
    assert old_fields < set(ReferenceOut.model_fields)
    assert {"chunk_id", "section", "text", "page"} == set(PassageOut.model_fields)
    cited = NEW.model_copy(update={"pages": [7], "chunk_ids": ["ngc-2#1:0-5", "ngc-2#4:0-5", "ngc-2#1:5-9"]})
    sections = {"ngc-2#1:0-5": "Recommendations", "ngc-2#4:0-5": "Harms", "ngc-2#1:5-9": "Recommendations"}
    out = AnswerOut.from_answer(answer(cited, OLD), "0" * 32, 1, sections.get).model_dump()
    assert out["references"][0]["pages"] == [7]
    assert out["references"][0]["section_titles"] == ["Recommendations", "Harms"]  # unique, in citation order
    assert out["references"][1]["pages"] == [] and out["references"][1]["section_titles"] == []
