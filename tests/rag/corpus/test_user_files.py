"""The user-folder loader, on tests/fixtures/user_docs and invented files."""

from __future__ import annotations

from pathlib import Path

from rag.corpus.records import LoadReport
from rag.corpus.user_files import load_user_dir
from tests.rag.corpus.corpus_settings import FIXTURES


def test_user_dir_loader() -> None:
    report = LoadReport(source="user")
    docs = {d.id: d for d in load_user_dir(FIXTURES / "user_docs", report)}
    assert set(docs) == {
        "user:nested/ward-hydration",
        "user:plain-note",
        "user:clinic-protocol-1",
        "user:patient-leaflet",
    }
    assert report.loaded == 4
    assert [s.where for s in report.skipped] == ["protocols.jsonl:3"]

    md = docs["user:nested/ward-hydration"]
    assert (md.kind, md.title, md.source, md.year, md.license) == (
        "guideline",
        "Ward hydration checklist",
        "Example Ward Practice Group",
        2024,
        "CC0",
    )
    assert [s.title for s in md.sections] == ["", "Assessment", "Escalation"]
    assert md.sections[1].text == "Record the fluid chart at each shift change.\nWeigh the patient every morning."
    txt = docs["user:plain-note"]
    assert (txt.title, txt.kind, [s.title for s in txt.sections]) == ("plain-note", "guideline", [""])
    assert docs["user:patient-leaflet"].kind == "patient"


def test_user_markdown_with_bad_front_matter_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\nkind: leaflet\n---\n# Title\nSome invented text.\n", encoding="utf-8")
    (tmp_path / "worse.md").write_text("---\nkind: [unclosed\n---\nText.\n", encoding="utf-8")
    report = LoadReport(source="user")
    assert list(load_user_dir(tmp_path, report)) == []
    assert sorted(s.where for s in report.skipped) == ["bad.md", "worse.md"]
    assert "kind" in next(s.reason for s in report.skipped if s.where == "bad.md")
