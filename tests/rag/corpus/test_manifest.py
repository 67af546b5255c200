"""The corpus manifest: sources, presets, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.corpus.manifest import CorpusError, load_manifest
from rag.settings import Settings
from tests.rag.corpus.corpus_settings import NGC_FILE


def test_manifest_sources_and_presets(manifest) -> None:
    assert set(manifest.sources) == {"ngc", "pubmedqa", "medquad"}
    assert manifest.sources["ngc"].files[0].path == NGC_FILE
    assert manifest.sources["ngc"].files[0].url == ""
    assert "Major Recommendations" in manifest.sources["ngc"].options["sections"]
    # The default holds every guideline, whatever its year; `full` adds MedQuAD, `recent` keeps 2016 on.
    assert manifest.indexes["default"].sources == ["ngc", "pubmedqa"]
    assert "min_year" not in manifest.indexes["default"].options["ngc"]
    assert manifest.indexes["full"].sources == ["ngc", "pubmedqa", "medquad"]
    assert manifest.indexes["recent"].options["ngc"]["min_year"] == 2016


def test_manifest_rejects_preset_with_unknown_source(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[source.a]\ntitle = "A"\nkind = "guideline"\nloader = "ngc"\n'
        '[[source.a.files]]\npath = "a/a.jsonl"\nsha256 = "' + "0" * 64 + '"\n'
        '[index.x]\nsources = ["a", "b"]\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="unknown sources"):
        load_manifest(Settings(corpus={"manifest": path}))


def test_manifest_rejects_escaping_path(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[source.a]\ntitle = "A"\nkind = "guideline"\nloader = "ngc"\n'
        '[[source.a.files]]\npath = "../outside.jsonl"\nsha256 = "' + "0" * 64 + '"\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="relative"):
        load_manifest(Settings(corpus={"manifest": path}))
