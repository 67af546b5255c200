"""Settings reach a child process intact through GUIDEQA_* variables."""

from __future__ import annotations

from benchmarks.query.settings_env import settings_env
from rag.settings import Settings


def test_settings_reach_a_subprocess_through_the_environment(index_settings, monkeypatch):
    s = index_settings.model_copy(deep=True)
    s.retrieval.k = 5
    s.api.api_keys = ["secret"]
    for key, value in settings_env(s).items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    assert Settings() == s
