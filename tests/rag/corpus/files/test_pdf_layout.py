"""Segments from PDFium: runs of text with size and weight, split at wide gaps; rulings."""

from __future__ import annotations

import pypdfium2 as pdfium

from rag.corpus.files.pdf_layout import Segment, read_page
from tests.rag.corpus.files.pdfgen import Rule, Text, pdf_bytes


def _page(items):
    pdf = pdfium.PdfDocument(pdf_bytes([items]))
    return read_page(pdf[0], 1)


def test_segments_carry_size_weight_and_split_at_wide_gaps():
    page = _page([Text(72, 72, "Bold heading", 14, True), Text(72, 100, "Cell one"), Text(300, 100, "Cell two"),
                  Rule(72, 300, 400, 300)])
    texts = [(s.text, round(s.size), s.bold, s.font) for s in page.segments]
    assert texts == [("Bold heading", 14, True, "Helvetica"), ("Cell one", 10, False, "Helvetica"),
                     ("Cell two", 10, False, "Helvetica")]
    heading = page.segments[0]
    assert heading.top < heading.bottom and 60 < heading.top < 90  # top-down coordinates
    assert len(page.rules) == 1 and abs(page.rules[0].top - 300) < 1


def test_split_at_cuts_between_words_and_size_is_the_most_common():
    seg = Segment(0, 100, 0, 10, chars=list("ab cd"), lefts=[0, 5, 10, 50, 55], sizes=[9, 9, 9, 12, 9])
    left, right = seg.split_at(40)
    assert (left.text, right.text, seg.size) == ("ab", "cd", 9)
    assert seg.split_at(-1) is None and seg.split_at(500) is None
