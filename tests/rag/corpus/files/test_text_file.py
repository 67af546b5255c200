"""Markdown and plain text, with front matter."""

from __future__ import annotations

import pytest

from rag.corpus.files.meta import FileRejected
from rag.corpus.files.text_file import read_text


def test_front_matter_is_the_files_own_metadata_and_headings_split():
    content = read_text(b"---\ntitle: Falls\nyear: 2022\nid: ignored\nidentifiers: {status: current}\n---\n"
                        b"# Falls prevention\n\nAssess \xef\xac\x81rst.\n\n- item one\n- item two\n\n## Review\nYearly.\n")
    assert (content.meta.title, content.meta.year, content.meta.identifiers) == ("Falls", 2022, {"status": "current"})
    assert content.heading == "Falls prevention"
    assert [(s.title, s.text) for s in content.sections] == [
        ("Falls prevention", "Assess first.\n\n- item one\n- item two"), ("Review", "Yearly.")]


def test_plain_text_without_front_matter_and_bad_values():
    content = read_text("\ufeffJust words.".encode("utf-8"))
    assert content.meta.title is None and content.sections[0].text == "Just words."
    with pytest.raises(FileRejected, match="front matter has invalid values \\(year"):
        read_text(b"---\nyear: someday\n---\nText\n")
