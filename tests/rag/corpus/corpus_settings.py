"""Paths and settings the corpus tests share: corpus files read from the mirror through an empty data_dir."""

from __future__ import annotations

from pathlib import Path

from rag.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NGC_FILE = "ngc/ngc_summaries.jsonl.gz"
PUBMEDQA_FILE = "pubmedqa/ori_pqal.json"
MEDQUAD_FILE = "medquad/medquad_answered_xml.tar.gz"


def _settings(tmp_path: Path, **corpus: object) -> Settings:
    """Settings reading corpus files from an empty tmp data_dir (so the mirror fallback is used)."""
    base = {"data_dir": tmp_path / "data", "user_dirs": []}
    return Settings(corpus={**base, **corpus})
