"""The CLI tests run typer's runner on the session's small real index."""

import pytest


@pytest.fixture
def env(index_settings, built_index, monkeypatch):
    monkeypatch.setenv("GUIDEQA_INDEX__DIR", str(index_settings.index.dir))
    monkeypatch.setenv("GUIDEQA_INDEX__NAME", "test")
    return index_settings
