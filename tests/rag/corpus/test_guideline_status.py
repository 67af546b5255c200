"""Guideline status in short: checked on every real NGC status string (read from the mirror at test time) and on
invented ones for the states the archive never uses."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from rag.corpus.guideline_status import (
    ngc_identifiers,
    parse_status,
    reference_fields,
    status_label,
)
from rag.settings import Settings
from rag.types import DocSection, Document
from tests.conftest import skip_unless_required


@pytest.fixture(scope="module")
def ngc_records() -> list[dict]:
    mirror = Settings().corpus.mirror
    if mirror is None or not (mirror / "ngc" / "ngc_summaries.jsonl.gz").exists():
        skip_unless_required("the corpus mirror (../shared/corpus) is not available", "GUIDEQA_REQUIRE_CORPUS")
    with gzip.open(mirror / "ngc" / "ngc_summaries.jsonl.gz", "rt", encoding="utf-8", errors="replace") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_every_real_status_gets_a_short_label(ngc_records):
    labels = [status_label(ngc_identifiers(r)["guideline_status"]) for r in ngc_records]
    assert len(labels) == 1416 and all(label and label.startswith("current release") for label in labels)
    assert all(len(label) <= 50 for label in labels)  # short enough for a reference line


def test_reaffirmation_year_agrees_with_the_separate_release_date_field(ngc_records):
    # `date_released` ("2000 Jul (reaffirmed 2014 Aug 9)") is written apart from the status text: the two must agree.
    checked = 0
    for r in ngc_records:
        in_date = [int(y) for y in re.findall(r"reaffirmed (\d{4})", r["date_released"])]
        status = parse_status(ngc_identifiers(r)["guideline_status"])
        assert status.reaffirmed == (max(in_date) if in_date else None), r["id"]
        checked += bool(in_date)
    assert checked > 50


def test_updates_to_an_earlier_version_are_read_but_the_cited_version_is_not(ngc_records):
    for r in ngc_records:
        text = ngc_identifiers(r)["guideline_status"]
        status = parse_status(text)
        says_update = bool(re.search(r"\bupdates? (a |two )?previous", text, re.I))
        assert status.updates_earlier == says_update, r["id"]
        # Citations and boilerplate say "withdrawal", "reaffirmation", "retired": the guideline stays current.
        assert status.state == "current", r["id"]
    assert any("withdrawal" in ngc_identifiers(r)["guideline_status"] for r in ngc_records)
    assert any("retired" in ngc_identifiers(r)["guideline_status"] for r in ngc_records)


@pytest.mark.parametrize("text,label", [
    ("This is the current release of the guideline.", "current release"),
    ("This the current release of the guideline.\n\nThe Example Society reaffirmed the currency of this guideline "
     "in March 2011.", "current release, reaffirmed 2011"),
    ("This is the current release of the guideline.\n\nThis guideline updates a previous version: Example Society. "
     "Why this guideline was withdrawn and rewritten. J Example. 2001.",  # the earlier version's citation
     "current release, updates an earlier version"),
    ("This guideline has been withdrawn by its developer.", "withdrawn"),
    ("This guideline has been superseded by a 2019 update.", "superseded"),
    ("The guideline is no longer current.", "superseded"),
    ("This document has been archived.", "archived"),
    ("Example guidelines expire after 5 years unless reaffirmed, revised, or retired.", None),
    ("", None),
])
def test_invented_statuses(text, label):
    assert status_label(text) == label


def _doc(kind="guideline", **identifiers) -> Document:
    return Document(id="ngc-1", kind=kind, title="T", source="S", year=2016, identifiers=identifiers,
                    sections=[DocSection(title="", text="x")])


def test_reference_fields_need_no_stored_status():
    assert reference_fields(_doc(ngc="1")) == {"status": None, "first_released": None}  # an index built before
    assert reference_fields(_doc(guideline_status="This is the current release of the guideline.",
                                 first_released="2009")) == {"status": "current release", "first_released": 2009}
    assert reference_fields(_doc(status="withdrawn"))["status"] == "withdrawn"  # a user document says it in short
    assert reference_fields(_doc("research", guideline_status="This is the current release.")) == {
        "status": None, "first_released": None}
