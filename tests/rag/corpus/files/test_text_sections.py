"""Sections from flat blocks."""

from __future__ import annotations

from rag.corpus.files.text_sections import Block, blocks_to_sections


def test_sections_split_at_top_headings_and_lists_stay_together():
    blocks = [Block("text", "Preface."), Block("heading", "Part", 1), Block("heading", "Scope", 2),
              Block("text", "Lead-in:"), Block("item", "• one"), Block("item", "• two"), Block("heading", "Note", 4),
              Block("row", "a | b"), Block("row", "c | d")]
    sections = blocks_to_sections(blocks, max_level=3)
    assert [(s.title, s.text) for s in sections] == [
        ("", "Preface."), ("Scope", "Lead-in:\n\n• one\n• two\n\nNote\n\na | b\nc | d")]
