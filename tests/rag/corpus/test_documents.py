"""iter_documents: presets, duplicate ids across sources, and missing or unknown sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.corpus.documents import iter_documents
from rag.corpus.manifest import CorpusError
from rag.corpus.records import LoadReport
from rag.types import Document
from tests.rag.corpus.corpus_settings import _settings


def test_iter_documents_default_preset(tmp_path: Path, mirror: Path, manifest) -> None:
    reports: list[LoadReport] = []
    docs = list(iter_documents(_settings(tmp_path), preset="default", reports=reports))
    assert [r.source for r in reports] == ["ngc", "pubmedqa"]
    kinds = {d.id.split(":")[0].split("-")[0] for d in docs}
    assert kinds == {"ngc", "pubmed"}
    # The preset's options are merged over the source's own.
    options = {**manifest.sources["ngc"].options, **manifest.indexes["default"].options["ngc"]}
    ngc = [d for d in docs if d.id.startswith("ngc-")]
    assert len(ngc) == 1416 and min(d.year for d in ngc) < 2016  # older guidelines are in, dated
    assert all(s.title in options["sections"] for d in ngc for s in d.sections)
    assert reports[0].loaded == len(ngc) and reports[0].filtered == 0
    assert sum(d.id.startswith("pubmed:") for d in docs) == reports[1].loaded == 1000
    recent = [d for d in iter_documents(_settings(tmp_path), preset="recent") if d.id.startswith("ngc-")]
    assert 0 < len(recent) < len(ngc) and all(d.year >= 2016 for d in recent)


def test_iter_documents_duplicate_ids_keep_first(tmp_path: Path, mirror: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    clash = Document(
        id="pubmed:21645374", kind="guideline", title="Invented clash", source="Me",
        sections=[{"title": "", "text": "Invented text."}],
    )
    own = clash.model_copy(update={"id": "user:own"})
    (user / "docs.jsonl").write_text(clash.model_dump_json() + "\n" + own.model_dump_json() + "\n", encoding="utf-8")
    reports: list[LoadReport] = []
    docs = list(iter_documents(_settings(tmp_path, user_dirs=[user]), sources=["pubmedqa"], reports=reports))
    kept = [d for d in docs if d.id == "pubmed:21645374"]
    assert len(kept) == 1 and kept[0].kind == "research"
    assert "user:own" in {d.id for d in docs}
    assert reports[1].loaded == 1
    assert [s.where for s in reports[1].skipped] == ["pubmed:21645374"]
    assert "duplicate document id" in reports[1].skipped[0].reason


def test_iter_documents_missing_file_says_to_fetch(tmp_path: Path) -> None:
    settings = _settings(tmp_path, mirror=None)
    with pytest.raises(CorpusError, match=r"pubmedqa/ori_pqal\.json.*guideqa corpus fetch"):
        iter_documents(settings, sources=["pubmedqa"])


def test_iter_documents_rejects_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="unknown sources"):
        iter_documents(_settings(tmp_path), sources=["nope"])
    with pytest.raises(CorpusError, match="no index preset"):
        iter_documents(_settings(tmp_path), preset="nope")
