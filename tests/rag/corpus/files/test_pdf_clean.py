"""Running headers and footers dropped; lines joined into paragraphs, items and rows with their pages."""

from __future__ import annotations

from rag.corpus.files.pdf_clean import drop_running, paragraphs
from rag.corpus.files.pdf_order import Line


def _line(page, top, text, x0=50, x1=300, size=10, bold=False, block=0, row=False, font="Body"):
    return Line(page, text, x0, x1, top, top + size, size, bold, block + 10 * page, row, font)


def test_running_lines_and_page_numbers_go_body_stays():
    pages = {}
    for n in (1, 2, 3):
        pages[n] = [_line(n, 20, f"Guide to care, page {n}", size=7), _line(n, 100, f"Body text {n}."),
                    _line(n, 770, str(n), size=7)]
    pages[1].append(_line(1, 30, "Chapter title", size=7))
    pages[2].append(_line(2, 30, "Chapter title", size=7))
    cleaned = drop_running(pages, {n: 792 for n in pages}, titles=["Chapter title"])
    assert [ln.text for ln in cleaned.lines] == ["Body text 1.", "Body text 2.", "Body text 3."]
    assert cleaned.removed == 8  # three running heads, three page numbers, the chapter title twice


def test_paragraphs_join_lines_split_items_and_keep_page_offsets():
    lines = [
        _line(1, 100, "Heading", bold=True, size=12),
        _line(1, 120, "The development process included (1)", x1=300),
        _line(1, 133, "(6) and according to a scoping pro\x02", x1=300),
        _line(1, 146, "posal approved.", x1=150),
        _line(1, 172, "\u2022 first item that runs on", x1=300),
        _line(1, 185, "to a second line", x0=60, x1=200),
        _line(1, 198, "1. numbered item follows.", x1=200),
        _line(1, 700, "A sentence that goes on at the foot of the page and", x1=300),
        _line(2, 80, "ends on the next page.", x1=200),
        _line(2, 100, "a | b", row=True),
    ]
    paras = paragraphs(lines, {"proposal"})
    assert [(p.kind, p.text) for p in paras] == [
        ("text", "Heading"),
        ("text", "The development process included (1) (6) and according to a scoping proposal approved."),
        ("item", "• first item that runs on to a second line"),
        ("item", "1. numbered item follows."),
        ("text", "A sentence that goes on at the foot of the page and ends on the next page."),
        ("row", "a | b"),
    ]
    spanning = paras[4]
    assert spanning.pages == [(0, 1), (spanning.text.index("ends on"), 2)]
