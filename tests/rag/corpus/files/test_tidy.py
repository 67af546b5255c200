"""Shared text tidying: ligatures, bullets, joining wrapped lines."""

from __future__ import annotations

from rag.corpus.files.tidy import (
    LINE_END_HYPHEN,
    bullet_line,
    clean_chars,
    join_lines,
    join_with_starts,
    starts_item,
    vocabulary,
)
from rag.corpus.repair import fix_ligatures


def test_ligatures_and_odd_characters():
    assert fix_ligatures("\ufb01rst e\ufb00ect \ufb02ow o\ufb03ce") == "first effect flow office"
    assert fix_ligatures("x\u00b2 \u00bd") == "x\u00b2 \u00bd"  # only ligatures are decomposed
    assert clean_chars("soft\u00adhyphen\u00a0space\ufffcend") == "softhyphen space end"


def test_bullets_and_items():
    assert bullet_line("\u2022 wash hands") == "• wash hands"
    assert bullet_line("\uf0b7 Symbol-font bullet") == "• Symbol-font bullet"
    assert bullet_line("\u203a sub item") == "• sub item" and bullet_line("plain") is None
    assert starts_item("1. Use aseptic technique") and starts_item("(ii) second") and not starts_item("2016 was")


def test_hyphens_joined_by_what_the_document_writes():
    vocab = vocabulary(["x the consideration of long term risk", "x safety and engineered devices"])
    assert join_lines(["the con" + LINE_END_HYPHEN, "sideration"], vocab) == "the consideration"
    assert join_lines(["long-", "term"], vocab) == "long-term"  # both halves are words
    assert join_lines(["Healthcare" + LINE_END_HYPHEN, "Associated"], vocab) == "Healthcare-Associated"
    assert join_lines(["An effec -", "tive tool"], vocabulary(["x effective"])) == "An effective tool"
    assert join_lines(["a -", "b"], vocab) == "a - b"


def test_urls_broken_at_a_line_end_are_rejoined():
    assert join_lines(["see http://www.cdc.gov/flu/professionals/", "infectioncontrol/ now"]) == \
        "see http://www.cdc.gov/flu/professionals/infectioncontrol/ now"
    assert join_lines(["at http://apps.who.int/iris/bitstre", "am/10665/1/x.pdf, accessed"]) == \
        "at http://apps.who.int/iris/bitstream/10665/1/x.pdf, accessed"
    assert join_lines(["see http://www.cdc.gov/hai.", "The next"]) == "see http://www.cdc.gov/hai. The next"


def test_line_starts_are_offsets_into_the_joined_text():
    text, starts = join_with_starts(["first line of", "the para" + LINE_END_HYPHEN, "graph ends"], {"paragraph"})
    assert text == "first line of the paragraph ends"
    assert starts == [0, 14, 22] and text[starts[2]:].startswith("graph")
