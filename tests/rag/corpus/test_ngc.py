"""The NGC loader, on the shared mirror and on invented records."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from rag.corpus.manifest import CorpusError
from rag.corpus.ngc import load_ngc
from rag.corpus.records import LoadReport
from tests.rag.corpus.corpus_settings import NGC_FILE


@pytest.fixture(scope="module")
def ngc_all(mirror: Path, manifest):
    report = LoadReport(source="ngc")
    docs = list(load_ngc(mirror / NGC_FILE, manifest.sources["ngc"].options, report))
    return docs, report


def test_ngc_mirror_loads_every_record(ngc_all, mirror: Path, manifest) -> None:
    docs, report = ngc_all
    with gzip.open(mirror / NGC_FILE, "rb") as fh:
        lines = sum(1 for line in fh if line.strip())
    assert report.loaded == len(docs)
    assert report.loaded + len(report.skipped) == lines == 1416
    assert len(report.skipped) <= 20
    wanted = set(manifest.sources["ngc"].options["sections"])
    ids = [d.id for d in docs]
    assert len(set(ids)) == len(ids)
    for doc in docs:
        assert re.fullmatch(r"ngc-\d+", doc.id)
        assert doc.kind == "guideline"
        assert doc.identifiers["ngc"] == doc.id.removeprefix("ngc-")
        # Every record states its release status and first year (rag/guideline_status.py reads them).
        assert set(doc.identifiers) == {"ngc", "guideline_status", "first_released"}
        assert doc.sections and {s.title for s in doc.sections} <= wanted
        assert all(s.text.strip() and s.text.strip() != "None provided" for s in doc.sections)
        assert doc.url is None or "(" not in doc.url
        assert " - Medical Specialty Society" not in doc.source
    assert all(any(s.title == "Major Recommendations" for s in d.sections) for d in docs)
    # Sections keep the record's order (the FDA alert, when present, precedes the recommendations).
    by_id = {d.id: d for d in docs}
    with gzip.open(mirror / NGC_FILE, "rt", encoding="utf-8") as fh:
        for line in list(fh)[:100]:
            rec = json.loads(line)
            titles = [s.title for s in by_id[rec["id"]].sections]
            headings = re.findall(r"(?m)^## (.+)$", rec["text"])
            assert titles == [h for h in headings if h in titles]


def test_ngc_mirror_mojibake_repaired(ngc_all) -> None:
    docs, _ = ngc_all
    text = "\n".join(s.text for d in docs for s in d.sections)
    # The mojibake of a ligature is undone and the ligature spelled out: no 'ﬁrst' in a quoted statement.
    assert "\u00ef\u00ac" not in text and "\u00e2\u20ac" not in text and "\ufb01" not in text
    assert "first" in text
    assert sum(d.license.endswith("public domain (US federal)") for d in docs) == 97


def test_ngc_min_year(mirror: Path, manifest) -> None:
    report = LoadReport(source="ngc")
    options = {**manifest.sources["ngc"].options, "min_year": 2016}
    docs = list(load_ngc(mirror / NGC_FILE, options, report))
    assert docs and all(d.year is not None and d.year >= 2016 for d in docs)
    assert "ngc-10908" in {d.id for d in docs}
    assert report.filtered > 0
    assert report.loaded + report.filtered + len(report.skipped) == 1416


def _ngc_record(**over: object) -> dict:
    """An invented NGC-shaped record."""
    rec = {
        "id": "ngc-99001",
        "title": "Invented guideline on hand hygiene",
        "developers": ["Example Society of Testing - Medical Specialty Society", "Example Agency - Federal Government Agency [U.S.]"],
        "year": 2017,
        "copyright_statement": "No copyright restrictions apply.",
        "us_federal_developer": True,
        "source_url": "https://www.guideline.gov/summaries/summary/99001 (defunct; archived)",
        "text": (
            "## Guideline Title\nInvented guideline on hand hygiene\n\n"
            "## Major Recommendations\n Wash hands before each patient contact (grade A).\n\n"
            " Use the \u00ef\u00ac\u0081rst sink you reach.\n\n"
            "## Clinical Algorithm(s)\nNone provided\n\n"
            "## Source(s) of Funding\nInvented funder\n\n"
            "## Target Population\nAll ward staff\n"
        ),
    }
    rec.update(over)
    return rec


def test_ngc_broken_file_reports_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "ngc.jsonl.gz"
    lines = [
        json.dumps(_ngc_record()),
        '{"id": "ngc-99002", "title": "cut off',
        json.dumps(_ngc_record(id="ngc-99003", text="")),
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    report = LoadReport(source="ngc")
    sections = ["Major Recommendations", "Clinical Algorithm(s)", "Target Population"]
    docs = list(load_ngc(path, {"sections": sections, "license": "Base license; more"}, report))

    assert [d.id for d in docs] == ["ngc-99001"] and report.loaded == 1
    assert [(s.where, s.reason.split(":")[0]) for s in report.skipped] == [
        ("ngc.jsonl.gz:2", "invalid JSON"),
        ("ngc.jsonl.gz:3", "missing text"),
    ]
    doc = docs[0]
    assert doc.source == "Example Society of Testing; Example Agency"
    assert doc.url == "https://web.archive.org/web/2018/https://www.guideline.gov/summaries/summary/99001"
    assert doc.license == "Base license; public domain (US federal)"
    assert doc.year == 2017 and doc.identifiers == {"ngc": "99001"}
    # Funding is not configured, the algorithm placeholder is empty: both are dropped.
    assert [s.title for s in doc.sections] == ["Major Recommendations", "Target Population"]
    assert doc.sections[0].text == (
        "Wash hands before each patient contact (grade A).\n\nUse the first sink you reach."
    )


def test_ngc_keeps_release_status_and_first_year(tmp_path: Path) -> None:
    path = tmp_path / "ngc.jsonl"
    status = "This is the current release of the guideline.\n\n This guideline updates a previous version: Old one. 2009."
    path.write_text(json.dumps(_ngc_record(guideline_status=status, year_first_released=2009)) + "\n", encoding="utf-8")
    doc = next(load_ngc(path, {}, LoadReport(source="ngc")))
    assert doc.identifiers == {"ngc": "99001", "first_released": "2009", "guideline_status": (
        "This is the current release of the guideline.\n\nThis guideline updates a previous version: Old one. 2009.")}


def test_ngc_bad_option_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "ngc.jsonl"
    path.write_text(json.dumps(_ngc_record()) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="min_yeer"):
        list(load_ngc(path, {"min_yeer": 2016}, LoadReport(source="ngc")))
