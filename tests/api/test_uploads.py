"""Stored uploads: named by content hash and a checked extension, always directly in the uploads folder."""

from __future__ import annotations

import hashlib
import io

import pytest

from api import uploads


@pytest.mark.parametrize("name,base,ext", [
    ("guide.PDF", "guide.PDF", "pdf"),
    ("../../etc/passwd", "passwd", ""),
    ("/abs/dir/notes.md", "notes.md", "md"),
    ("..\\..\\win\\notes.txt", "notes.txt", "txt"),
    ("C:\\temp\\a.b.docx", "a.b.docx", "docx"),
    ("evil.md\x00.pdf", "evil.md.pdf", "pdf"),
    ("report.p$f", "report.p$f", ""),
    ("archive.tar.gz", "archive.tar.gz", "gz"),
    (".md", ".md", ""),  # a hidden file's name, not an extension
    ("...", "...", ""),
    ("name.", "name.", ""),
    ("x." + "a" * 11, "x." + "a" * 11, ""),
    ("", "", ""),
    (None, "", ""),
])
def test_only_the_last_name_part_and_a_plain_extension_are_kept(name, base, ext):
    assert uploads.base_name(name) == base
    assert uploads.extension(name) == ext


def test_save_names_the_file_by_its_content_and_stays_in_the_folder(tmp_path):
    folder = tmp_path / "uploads"
    data = b"%PDF-1.4 not really"
    first = uploads.save(io.BytesIO(data), "../../../outside.pdf", folder)
    digest = hashlib.sha256(data).hexdigest()
    assert first.path == folder.resolve() / f"{digest}.pdf" and first.path.read_bytes() == data
    assert (first.sha256, first.size, first.filename, first.new) == (digest, len(data), "outside.pdf", True)
    again = uploads.save(io.BytesIO(data), "/elsewhere/copy.pdf", folder)
    assert again.path == first.path and again.new is False
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["uploads", f"{digest}.pdf"])  # no temporary file left
    uploads.discard(folder, "../" + first.path.name)  # not a name save() makes: ignored
    uploads.discard(folder, "passwd")
    assert first.path.exists()
    uploads.discard(folder, first.path.name)
    assert not first.path.exists()
