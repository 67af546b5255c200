"""Reading order: banners before columns, columns left to right, bullets and wide spaces not taken for columns."""

from __future__ import annotations

from rag.corpus.files.pdf_layout import Segment
from rag.corpus.files.pdf_order import page_lines


def _seg(x0, top, text, width=None):
    n = len(text)
    return Segment(x0, x0 + (width or 5 * n), top, top + 10, chars=list(text),
                   lefts=[x0 + 5 * i for i in range(n)], sizes=[10.0] * n)


def test_banner_then_left_column_then_right_column():
    segments = [_seg(320, 40, "Chapter banner", 200)]
    segments += [_seg(50, 120 + 13 * i, f"left line {i}", 220) for i in range(4)]
    segments += [_seg(320, 120 + 13 * i, f"right line {i}", 220) for i in range(4)]
    lines = page_lines(segments, [], 1, 0)
    assert [ln.text for ln in lines] == ["Chapter banner"] + [f"left line {i}" for i in range(4)] + \
        [f"right line {i}" for i in range(4)]
    assert len({ln.block for ln in lines if ln.text.startswith("left")}) == 1
    assert {ln.block for ln in lines if ln.text.startswith("left")} != {ln.block for ln in lines if ln.text.startswith("right")}


def test_bullet_glyphs_and_wide_word_gaps_are_not_columns():
    segments = []
    for i in range(3):
        segments += [_seg(50, 100 + 13 * i, "\u2022"), _seg(70, 100 + 13 * i, f"item number {i} of the list", 200)]
    segments += [_seg(50, 160, "justified"), _seg(120, 160, "words"), _seg(190, 160, "far apart")]
    lines = page_lines(segments, [], 1, 0)
    assert [ln.text for ln in lines] == [f"\u2022 item number {i} of the list" for i in range(3)] + \
        ["justified words far apart"]
