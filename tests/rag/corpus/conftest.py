"""Corpus fixtures shared by the test modules: the shared mirror (skipped without one) and the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.corpus.manifest import load_manifest
from rag.settings import Settings
from tests.conftest import skip_unless_required


@pytest.fixture(scope="module")
def mirror() -> Path:
    path = Settings().corpus.mirror
    if path is None:
        skip_unless_required("no corpus mirror configured", "GUIDEQA_REQUIRE_CORPUS")
    return path


@pytest.fixture(scope="module")
def manifest():
    return load_manifest(Settings())
