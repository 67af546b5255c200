"""Formats from the bytes, checked against the extension."""

from __future__ import annotations

import io
import zipfile

import pytest

from rag.corpus.files.meta import FileRejected
from rag.corpus.files.sniff import SUPPORTED_SUFFIXES, detect, file_kind


def _docx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n...", "pdf"), (b"junk before\n%PDF-1.4", "pdf"), (_docx_like(), "docx"),
    (b"<!DOCTYPE html><p>x", "html"), (b"\xef\xbb\xbf  <html lang=en>", "html"), (b"<!-- c --><head>", "html"),
    (b"# A heading\n\nText", "text"), ("caf\u00e9".encode("utf-16"), "text"), (b"\x00\x01\x02binary", "a binary file"),
    (b"\xff\xd8\xff\xe0", "a JPEG image"),
])
def test_detect_reads_the_magic_numbers(data, kind):
    assert detect(data) == kind


def test_extension_and_content_must_agree():
    assert file_kind("guide.PDF", b"%PDF-1.4") == "pdf"
    assert file_kind("page.htm", b"just words, no tags") == "html"  # the name says HTML and nothing contradicts it
    assert file_kind("notes.markdown", b"text") == "markdown"
    with pytest.raises(FileRejected, match="holds a Word \\(.docx\\) document .* ends in .pdf; rename it to .docx"):
        file_kind("guide.pdf", _docx_like())
    with pytest.raises(FileRejected, match="the file is a binary file, not plain text"):
        file_kind("notes.txt", b"\x00\x00")
    with pytest.raises(FileRejected, match="unsupported file type 'README'"):
        file_kind("README", b"text")


def test_supported_suffixes_cover_the_formats():
    assert set(SUPPORTED_SUFFIXES.values()) == {"pdf", "html", "docx", "markdown", "text"}
