"""The extraction-quality measurement and `guideqa eval extraction`, on generated PDFs."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from evals import extraction
from rag.cli import app
from rag.corpus.files.pdf_sections import OutlineEntry
from rag.types import DocSection
from tests.conftest import skip_unless_required
from tests.rag.corpus.files.pdfgen import Text, pdf_bytes, with_outline

TOPICS = ["hands", "gloves", "masks", "gowns", "needles", "linen", "floors", "visitors"]


def _report_pdf(tmp_path):
    pages = []
    for n in range(1, 5):
        body = [f"Staff clean the {TOPICS[(n + i) % 8]} before contact number {i} on this ward." for i in range(6)]
        pages.append([Text(72, 30, f"Infection report, page {n}", 8), Text(72, 90, f"{n} Chapter {TOPICS[n]}", 14, True),
                      *[Text(72, 120 + 14 * i, line) for i, line in enumerate(body)]])
    path = tmp_path / "report.pdf"
    path.write_bytes(with_outline(pdf_bytes(pages), [(f"{n} Chapter {TOPICS[n]}", n - 1) for n in range(1, 5)]))
    return path


def test_words_ignore_hyphens_case_and_compatibility_forms():
    assert extraction.words("High-level \ufb01t highlevel") == {"highlevel": 2, "fit": 1}


def test_running_reference_drops_repeated_margin_lines_and_page_numbers():
    pages = [f"Report title\n\n{TOPICS[n]} one\n{TOPICS[n + 1]} two\nwords of page-\nthree\n{TOPICS[n + 2]} four\n{n}"
             for n in range(1, 5)]
    running, reference = extraction.running_reference(pages)
    assert running == {"report title"}
    assert reference["report"] == 0 and reference["pagethree"] == 4 and reference["1"] == 0


def test_outline_match_needs_the_title_and_the_page():
    entries = [OutlineEntry("1 Scope", 2), OutlineEntry("2 Methods", 3)]
    sections = [DocSection(title="1 Scope", text="x", page_starts=[(0, 2)]),
                DocSection(title="2 Methods", text="y", page_starts=[(0, 4)])]
    assert extraction.outline_match(entries, sections) == {"entries": 2, "matched": 1, "missed": ["2 Methods (p. 3)"]}


def test_measure_pdf_says_when_pdftotext_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(extraction.shutil, "which", lambda name: None)
    result = extraction.measure_pdf(_report_pdf(tmp_path))
    assert result["pdftotext"].startswith("not installed: apt-get install -y poppler-utils")
    assert result["outline"] == {"entries": 4, "matched": 4, "missed": []}
    assert result["typography_only"]["matched"] == 4 and "words" not in result


def test_cli_measures_words_and_running_lines_against_pdftotext(tmp_path):
    if shutil.which("pdftotext") is None:
        skip_unless_required("pdftotext (poppler-utils) is not installed", "GUIDEQA_REQUIRE_PDFTOTEXT")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["eval", "extraction", "--pdf", str(_report_pdf(tmp_path)), "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    report = json.loads((out / "extraction.json").read_text())
    pdf = report["pdfs"][0]
    assert pdf["words"]["recall"] == 1.0 and pdf["words"]["precision"] == 1.0
    assert pdf["running"]["running_lines"] == ["infection report, page #"] and pdf["running"]["running_left"] == []
    assert "report.pdf" in result.output and report["versions"]["pypdfium2"]
