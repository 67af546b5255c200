"""read_file / read_files: every format end to end, every bad file with its reason, metadata precedence, ids."""

from __future__ import annotations

import io
import json
import zipfile

import docx
import pytest

from rag.corpus.files.meta import FileMeta, FileNote, FileRejected
from rag.corpus.files.reader import (
    SUPPORTED_SUFFIXES,
    document_id,
    read_file,
    read_files,
)
from rag.settings import Settings
from tests.rag.corpus.files.pdfgen import Text, blank_pdf, encrypted, pdf_bytes

HTML = b"""<!doctype html><html><head><title>Hand hygiene</title><meta name="citation_publisher" content="Ward Group">
<meta name="dc.date" content="2021-05-01"><script>steal()</script></head>
<body><h1>Hand hygiene</h1><p onclick="x()">Clean your hands before every patient contact.</p></body></html>"""
PDF_PAGE = [Text(72, 60, "Dressing changes", 16, True), Text(72, 100, "Change dressings every 48 hours or when soiled.")]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings()


def _docx(path, title="Word guideline", author="Infection Control Team") -> None:
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    document.add_heading("Catheter care", level=1)
    document.add_paragraph("Remove urinary catheters as soon as they are no longer needed.")
    document.save(path)


def _pdf(path, **info) -> bytes:
    data = pdf_bytes([PDF_PAGE], **info)
    path.write_bytes(data)
    return data


def test_every_format_reads_into_a_document(tmp_path, settings):
    _pdf(tmp_path / "dressings.pdf", title="Dressing guideline", author="Surgical Board", created="D:20200301")
    (tmp_path / "hands.html").write_bytes(HTML)
    _docx(tmp_path / "catheters.docx")
    (tmp_path / "falls.md").write_text("---\ntitle: Falls\nyear: 2022\n---\n# Falls\n\nAssess every older inpatient.\n",
                                       encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Offer water every two hours to residents.\n", encoding="utf-8")
    docs = {p.suffix: read_file(p, settings) for p in sorted(tmp_path.iterdir())}
    pdf, html, word, md, txt = docs[".pdf"], docs[".html"], docs[".docx"], docs[".md"], docs[".txt"]
    assert (pdf.title, pdf.source, pdf.year, pdf.kind) == ("Dressing guideline", "Surgical Board", 2020, "guideline")
    assert pdf.sections[0].page_starts == [(0, 1)] and pdf.identifiers["pages"] == "1"
    assert (html.title, html.source, html.year) == ("Hand hygiene", "Ward Group", 2021)
    assert "steal" not in html.sections[0].text and "Clean your hands" in html.sections[0].text
    assert (word.title, word.source, word.sections[0].title) == ("Word guideline", "Infection Control Team", "Catheter care")
    assert (md.title, md.year, md.sections[0].title) == ("Falls", 2022, "Falls")
    assert (txt.title, txt.source, txt.kind) == ("notes", "", "guideline")  # fallbacks: file name, no body, guideline
    for path_suffix, doc in docs.items():
        assert doc.identifiers["format"] == SUPPORTED_SUFFIXES[path_suffix]
        assert doc.id == document_id((tmp_path / doc.identifiers["file"]).read_bytes())


def test_id_is_stable_and_comes_from_the_bytes_not_the_name(tmp_path, settings):
    data = _pdf(tmp_path / "a.pdf")
    (tmp_path / "renamed.pdf").write_bytes(data)
    first, second = read_file(tmp_path / "a.pdf", settings), read_file(tmp_path / "renamed.pdf", settings)
    assert first.id == second.id == "file:" + __import__("hashlib").sha256(data).hexdigest()[:16]
    assert first.content_hash() == read_file(tmp_path / "a.pdf", settings).content_hash()


def test_metadata_precedence_overrides_then_sidecar_then_file_then_fallbacks(tmp_path, settings):
    path = tmp_path / "guide.pdf"
    _pdf(path, title="Title in the PDF", author="Author in the PDF", created="D:20150101")
    doc = read_file(path, settings)
    assert (doc.title, doc.source, doc.year) == ("Title in the PDF", "Author in the PDF", 2015)
    (tmp_path / "guide.pdf.yaml").write_text("title: Sidecar title\nyear: 2018\nkind: research\n"
                                             "identifiers: {status: current release}\n", encoding="utf-8")
    doc = read_file(path, settings)
    assert (doc.title, doc.source, doc.year, doc.kind) == ("Sidecar title", "Author in the PDF", 2018, "research")
    assert doc.identifiers["status"] == "current release"
    doc = read_file(path, settings, FileMeta(title="Override title", source="", url="https://example.org/g"))
    assert (doc.title, doc.source, doc.year, doc.url) == ("Override title", "Author in the PDF", 2018,
                                                          "https://example.org/g")


def test_json_sidecar_and_front_matter_rank_below_it(tmp_path, settings):
    path = tmp_path / "falls.md"
    path.write_text("---\ntitle: Front matter title\nsource: Front matter body\n---\nText of the guide.\n", encoding="utf-8")
    (tmp_path / "falls.md.json").write_text(json.dumps({"title": "JSON title"}), encoding="utf-8")
    doc = read_file(path, settings)
    assert (doc.title, doc.source) == ("JSON title", "Front matter body")


def _zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BAD_FILES = [
    ("locked.pdf", lambda: encrypted(pdf_bytes([PDF_PAGE]), user="secret"),
     "encrypted PDF: guideqa cannot read password-protected files"),
    ("scan.pdf", lambda: blank_pdf(3), "no text layer: the PDF holds only images"),
    ("empty-tree.pdf", lambda: pdf_bytes([]), "the PDF has no pages"),
    ("cut.pdf", lambda: pdf_bytes([PDF_PAGE])[:300], "truncated PDF"),
    ("garbled.pdf", lambda: b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "damaged PDF"),
    ("guide.docx", lambda: pdf_bytes([PDF_PAGE]), "holds a PDF (found from its content) but its name ends in .docx; rename it to .pdf"),
    ("photo.pdf", lambda: PNG, "a PNG image"),
    ("page.txt", lambda: HTML, "holds an HTML page but its name ends in .txt; rename it to .html"),
    ("tool.exe", lambda: b"MZ\x90\x00", "unsupported file type '.exe' (it holds a Windows program)"),
    ("nothing.md", lambda: b"", "the file is empty"),
    ("latin1.txt", lambda: "caf\u00e9 au lait".encode("latin-1"), "not UTF-8 encoded"),
    ("old.docx", lambda: OLE + b"\x00" * 512, "legacy Office file"),
    ("secret.docx", lambda: OLE + "EncryptedPackage".encode("utf-16-le"), "encrypted Office document"),
    ("broken.docx", lambda: _zip_bytes({"word/document.xml": "<not xml"})[:40], "damaged or truncated Word document"),
    ("sheet.docx", lambda: _zip_bytes({"xl/workbook.xml": "<x/>"}), "an Excel workbook"),
    ("no-text.html", lambda: b"<html><body><script>only()</script></body></html>", "no text found in the file"),
    ("bad-front.md", lambda: b"---\ntitle: [unclosed\n---\nText.\n", "front matter"),
]


@pytest.mark.parametrize("name, make, reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_rejected_with_a_clear_reason(tmp_path, settings, name, make, reason):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(FileRejected) as caught:
        read_file(path, settings)
    assert reason in caught.value.reason


def test_size_limit_missing_file_and_bad_sidecar(tmp_path):
    small = Settings(corpus={"max_file_mb": 0.001})
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000, encoding="utf-8")
    with pytest.raises(FileRejected, match=r"over the 0.001 MB limit \(GUIDEQA_CORPUS__MAX_FILE_MB\)"):
        read_file(path, small)
    with pytest.raises(FileRejected, match="file not found"):
        read_file(tmp_path / "gone.pdf", small)
    ok = tmp_path / "ok.txt"
    ok.write_text("Some guidance.", encoding="utf-8")
    (tmp_path / "ok.txt.yaml").write_text("titel: typo\n", encoding="utf-8")
    with pytest.raises(FileRejected, match=r"metadata file ok.txt.yaml has invalid fields \(titel: Extra inputs"):
        read_file(ok, Settings())


def test_read_files_reports_each_bad_file_and_reads_the_rest(tmp_path, settings):
    good = tmp_path / "good.pdf"
    data = _pdf(good)
    (tmp_path / "copy.pdf").write_bytes(data)
    (tmp_path / "good.pdf.yaml").write_text("source: Ward Group\n", encoding="utf-8")
    (tmp_path / "locked.pdf").write_bytes(encrypted(data, user="pw"))
    (tmp_path / "page.html").write_bytes(HTML)
    notes: list[FileNote] = []
    order = ["good.pdf", "good.pdf.yaml", "copy.pdf", "locked.pdf", "page.html"]  # the sidecar is skipped
    docs, rejections = read_files([tmp_path / name for name in order], settings, notes=notes)
    assert sorted(d.identifiers["file"] for d in docs) == ["good.pdf", "page.html"]
    assert next(d for d in docs if d.identifiers["file"] == "good.pdf").source == "Ward Group"
    assert {(r.path.rsplit("/", 1)[-1], r.reason.split(":")[0]) for r in rejections} == {
        ("copy.pdf", f"same content as {good}, read already".split(":")[0]), ("locked.pdf", "encrypted PDF")}
    assert [n.note for n in notes] == ["removed 1 <script> element and 1 event handler (on… attributes, javascript: "
                                       "links): code is never indexed"]


def test_read_files_turns_an_unexpected_failure_into_a_rejection(tmp_path, settings, monkeypatch):
    import rag.corpus.files.reader as reader

    def boom(kind, data):
        raise RuntimeError("library bug")

    monkeypatch.setattr(reader, "_extract", boom)
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    docs, rejections = read_files([tmp_path / "a.txt"], settings)
    assert docs == [] and rejections[0].reason == "the file could not be read (RuntimeError: library bug)"
