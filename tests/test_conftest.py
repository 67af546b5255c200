"""The shared test helpers: a missing prerequisite skips locally and fails when CI requires it."""

import pytest

from tests.conftest import skip_unless_required

REASON = "the corpus mirror (../shared/corpus) is not available"


def test_a_missing_prerequisite_skips_when_not_required(monkeypatch):
    monkeypatch.delenv("GUIDEQA_REQUIRE_CORPUS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="corpus mirror"):
        skip_unless_required(REASON, "GUIDEQA_REQUIRE_CORPUS")
    monkeypatch.setenv("GUIDEQA_REQUIRE_CORPUS", "0")
    with pytest.raises(pytest.skip.Exception):
        skip_unless_required(REASON, "GUIDEQA_REQUIRE_CORPUS")


def test_a_missing_prerequisite_fails_when_required(monkeypatch):
    monkeypatch.setenv("GUIDEQA_REQUIRE_CORPUS", "1")
    with pytest.raises(pytest.fail.Exception, match=r"not available, but GUIDEQA_REQUIRE_CORPUS=1"):
        skip_unless_required(REASON, "GUIDEQA_REQUIRE_CORPUS")
