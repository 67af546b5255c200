"""Sections from the outline (each starting at its heading) or from typography."""

from __future__ import annotations

from rag.corpus.files.pdf_clean import Paragraph
from rag.corpus.files.pdf_sections import (
    OutlineEntry,
    is_heading,
    outline_sections,
    typography_sections,
)


def _p(text, page=1, size=10.0, bold=False, kind="text", font="Body", lines=1):
    return Paragraph(text, [(0, page)], size, bold, kind, font, lines)


def test_outline_sections_find_their_headings_and_pages():
    paras = [_p("Cover", size=20), _p("1 Scope", 2, 14), _p("Scope text.", 2), _p("Core component 1: Programmes", 2, 13),
             _p("1a. Facility level", 2, 13), _p("Facility text.", 3)]
    entries = [OutlineEntry("1 Scope", 2), OutlineEntry("Core component 1: Programmes — 1a. Facility level", 2),
               OutlineEntry("Not printed on its page", 3)]
    sections = outline_sections(paras, entries)
    assert [(s.title, s.text, s.page_starts) for s in sections] == [
        ("", "Cover", [(0, 1)]), ("1 Scope", "Scope text.", [(0, 2)]),
        # Its heading (set in two parts) is its title; no text of its own before the next entry's page.
        ("Core component 1: Programmes — 1a. Facility level", "Core component 1: Programmes — 1a. Facility level",
         [(0, 2)]),
        ("Not printed on its page", "Facility text.", [(0, 3)]),  # starts at the top of its page
    ]


def test_typography_headings_larger_bold_or_another_typeface():
    body = [_p("Body sentence number %d of the text." % i) for i in range(5)]
    assert is_heading(_p("Big title", size=14), 10, "Body")
    assert is_heading(_p("Bold label", bold=True), 10, "Body")
    assert is_heading(_p("Sans heading", font="Sans"), 10, "Body")
    assert not is_heading(_p("A sentence in bold.", bold=True), 10, "Body")
    assert not is_heading(_p("• bold item", bold=True, kind="item"), 10, "Body")
    assert not is_heading(_p("Small print", size=7, bold=True), 10, "Body")
    sections = typography_sections([_p("Part", size=16), _p("Chapter", size=13), *body[:2], _p("Next", bold=True),
                                    *body[2:]])
    assert [s.title for s in sections] == ["Part — Chapter", "Next"]
    assert sections[1].text.count("\n\n") == 2


def test_a_printed_section_number_the_bookmark_leaves_out_still_matches():
    paras = [_p("Intro text."), _p("2.1 ASN.1 syntax", 2, 12, True), _p("Syntax text.", 2)]
    sections = outline_sections(paras, [OutlineEntry("Intro", 1), OutlineEntry("ASN.1 syntax", 2)])
    assert [(s.title, s.text) for s in sections] == [("Intro", "Intro text."), ("ASN.1 syntax", "Syntax text.")]
