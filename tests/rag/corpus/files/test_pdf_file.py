"""PDF reading: the two real guideline PDFs of the mirror (sections, pages, clean text) and generated ones."""

from __future__ import annotations

import re

import pytest

from rag.corpus.files.meta import FileRejected
from rag.corpus.files.pdf_file import read_pdf
from rag.corpus.files.pdf_sections import OutlineEntry, usable_outline
from tests.conftest import skip_unless_required
from tests.rag.corpus.files.pdfgen import (
    Rule,
    Text,
    blank_pdf,
    encrypted,
    pdf_bytes,
    with_outline,
)

CDC = "cdc-outpatient-infection-prevention-2016.pdf"
WHO = "who-ipc-core-components-2016.pdf"
LIGATURES_RE = re.compile("[\ufb00-\ufb06]")


@pytest.fixture(scope="module")
def pdf_dir(mirror):
    folder = mirror / "pdf"
    if not (folder / CDC).is_file() or not (folder / WHO).is_file():
        skip_unless_required(f"the mirror has no pdf/{CDC} and pdf/{WHO}", "GUIDEQA_REQUIRE_CORPUS")
    return folder


@pytest.fixture(scope="module")
def who(pdf_dir):
    return read_pdf((pdf_dir / WHO).read_bytes())


@pytest.fixture(scope="module")
def cdc(pdf_dir):
    return read_pdf((pdf_dir / CDC).read_bytes())


def _pages_in_order(sections) -> list[int]:
    pages = []
    for s in sections:
        offsets = [o for o, _ in s.page_starts]
        assert offsets == sorted(set(offsets)) and all(0 <= o < len(s.text) for o in offsets), s.title
        pages.extend(p for _, p in s.page_starts)
    return pages


def _all_text(content) -> str:
    return "\n".join(f"{s.title}\n{s.text}" for s in content.sections)


def test_who_sections_follow_the_outline_each_on_its_page(who):
    assert who.pages == 91
    assert len(who.outline) == 30  # 35 bookmarks less Word's five hidden '_GoBack' ones
    titled = [s for s in who.sections if s.title]
    assert [s.title for s in titled] == [e.title for e in who.outline]
    for section, entry in zip(titled, who.outline):
        assert section.page_starts[0][1] == entry.page, section.title
    methods = next(s for s in titled if s.title == "4 Methods")
    assert [p for _, p in methods.page_starts] == [21, 22, 23, 24, 25]
    assert methods.page_at(len(methods.text) - 1) == 25
    # A bookmark title set in two parts reads as one title.
    assert any(s.title.startswith("Core component 1:") and s.title.endswith("1a. Health care facility level")
               for s in titled)


def test_who_metadata_comes_from_the_cover_and_copyright_line(who):
    assert who.meta.title is None  # the PDF info has no title
    assert who.heading.startswith("Guidelines on Core Components of Infection Prevention")
    assert who.meta.source == "World Health Organization" and who.meta.year == 2016


def test_cdc_title_from_pdf_info_and_headings_from_typography(cdc):
    assert cdc.pages == 44
    assert cdc.meta.title.startswith("Guide to Infection Prevention")
    assert cdc.meta.source == "Centers for Disease Control and Prevention" and cdc.meta.year == 2016
    assert cdc.outline == []  # its one bookmark is Word's '_GoBack'
    first_page = {s.title: s.page_starts[0][1] for s in cdc.sections}
    assert first_page["Hand Hygiene"] == 8
    assert first_page["Injection Safety"] == 10
    assert first_page["Environmental Cleaning"] == 11
    assert len(cdc.sections) >= 30


@pytest.mark.parametrize("name", ["cdc", "who"])
def test_pages_increase_and_every_section_knows_its_pages(name, request):
    content = request.getfixturevalue(name)
    pages = _pages_in_order(content.sections)
    assert pages == sorted(pages)
    assert pages[-1] <= content.pages and len(set(pages)) >= content.pages - 3  # a blank back cover at most


def test_running_headers_footers_and_page_numbers_are_gone(cdc, who):
    assert "Version 2.3" not in _all_text(cdc)
    # The WHO footer repeats the title with the page number on every page (85 times); its own mentions stay.
    assert len(re.findall(r"Acute Health Care Facility Level", _all_text(who), re.I)) <= 6
    for content in (cdc, who):
        lines = [ln for s in content.sections for ln in s.text.split("\n")]
        assert not [ln for ln in lines if re.fullmatch(r"\d{1,3}", ln.strip())]
    assert cdc.removed_lines >= 80 and who.removed_lines >= 150


def test_text_is_clean_no_ligatures_no_line_end_hyphens_bullets_marked(cdc, who):
    for content in (cdc, who):
        text = _all_text(content)
        assert not LIGATURES_RE.search(text)
        assert "\x02" not in text and "\ufffe" not in text
    who_text = _all_text(who)
    assert "• " in who_text and "\u203a" not in who_text  # sub-bullets ('›') become '• ' lines
    assert re.search(r"\bprevention\b", who_text) and not re.search(r"\bpre- vention\b", who_text)


def test_tables_keep_their_rows(cdc):
    rows = [ln for s in cdc.sections for ln in s.text.split("\n") if " | " in ln]
    assert len(rows) >= 50
    assert any(ln.startswith("Elements to be assessed | Assessment") for ln in rows)


# Generated PDFs: layout cases the real ones may not isolate, and every bad file.

def _two_columns_page(number: int) -> list:
    items = [Text(72, 40, f"Running head of page {number}", 8), Text(72, 750, "Footer of the report", 8)]
    left = ["Left column starts the story and", "goes on in the left column to its", "very end here."]
    right = ["Right column is read after the", "left one, even at the same height."]
    items += [Text(72, 120 + 14 * i, t) for i, t in enumerate(left)]
    items += [Text(330, 120 + 14 * i, t) for i, t in enumerate(right)]
    return items


def test_two_columns_read_left_then_right_and_running_lines_dropped():
    content = read_pdf(pdf_bytes([_two_columns_page(n) for n in (1, 2, 3)]))
    text = content.sections[0].text
    assert text.index("very end here.") < text.index("Right column is read after the left one")
    assert "Running head" not in text and "Footer of the report" not in text
    assert [p for _, p in content.sections[0].page_starts] == [1, 2, 3]


def test_hyphenated_words_joined_and_ruled_table_read_by_rows():
    page = [Text(72, 60, "Introduction", 16, True),
            Text(72, 100, "The committee reviewed the recom-"), Text(72, 114, "mendations for hand hygiene."),
            Text(72, 128, "Every recommendation was graded."),
            Rule(72, 200, 400, 200), Rule(72, 230, 400, 230), Rule(72, 260, 400, 260),
            Rule(72, 200, 72, 260), Rule(200, 200, 200, 260), Rule(400, 200, 400, 260),
            Text(80, 208, "Drug"), Text(208, 208, "Dose"), Text(80, 238, "Chlorhexidine"), Text(208, 238, "2 percent")]
    content = read_pdf(pdf_bytes([page]))
    section = content.sections[0]
    assert section.title == "Introduction"
    assert "recommendations for hand hygiene." in section.text
    assert "Drug | Dose\nChlorhexidine | 2 percent" in section.text


def test_outline_sections_start_at_their_heading_on_the_page():
    pages = [[Text(72, 60, "Cover title", 20, True)],
             [Text(72, 60, "1 Background", 14, True), Text(72, 90, "Background text."),
              Text(72, 130, "2 Methods", 14, True), Text(72, 160, "Methods text.")]]
    data = with_outline(pdf_bytes(pages), [("_GoBack", 1), ("1 Background", 1), ("2 Methods", 1)])
    content = read_pdf(data)
    assert [(s.title, s.text, s.page_starts) for s in content.sections] == [
        ("", "Cover title", [(0, 1)]), ("1 Background", "Background text.", [(0, 2)]),
        ("2 Methods", "Methods text.", [(0, 2)])]
    # By typography alone: headings with no text between them share a section.
    assert [s.title for s in read_pdf(data, use_outline=False).sections] == ["Cover title — 1 Background", "2 Methods"]


def test_usable_outline_drops_word_bookmarks_and_needs_two_entries():
    assert usable_outline([OutlineEntry("_GoBack", 3), OutlineEntry("Intro", 1)]) == []
    kept = usable_outline([OutlineEntry("A \ufffc B", 1), OutlineEntry("Back", 0), OutlineEntry("C", 2)])
    assert [(e.title, e.page) for e in kept] == [("A — B", 1), ("C", 2)]


def test_password_protected_pdf_is_rejected_but_owner_only_encryption_reads():
    data = pdf_bytes([[Text(72, 72, "Readable text on the page.")]])
    with pytest.raises(FileRejected, match="encrypted PDF: guideqa cannot read password-protected files"):
        read_pdf(encrypted(data, user="secret"))
    assert "Readable text" in read_pdf(encrypted(data, user="")).sections[0].text


@pytest.mark.parametrize("data, reason", [
    (blank_pdf(2), "no text layer"),
    (pdf_bytes([]), "no pages"),
    (b"%PDF-1.4\n1 0 obj garbage endobj\n%%EOF\n", "damaged PDF"),
])
def test_bad_pdfs_are_rejected_with_a_reason(data, reason):
    with pytest.raises(FileRejected, match=reason):
        read_pdf(data)


def test_truncated_pdf_is_rejected(pdf_dir):
    data = (pdf_dir / CDC).read_bytes()
    with pytest.raises(FileRejected, match="truncated PDF"):
        read_pdf(data[: len(data) // 2])


def test_pages_without_text_are_noted():
    content = read_pdf(pdf_bytes([[Text(72, 72, "Only the first page has text.")], []]))
    assert content.notes == ["1 of 2 pages have no text layer (images only) and were skipped: 2"]
