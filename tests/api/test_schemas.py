"""The public schemas against the internal types: a field added inside never breaks or leaks into a response."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.schemas import AnswerOut
from rag.settings import Settings
from rag.types import Answer, AnswerSection, Filters, Reference, Statement
from tests.rag.test_types import NEW, OLD, answer

INTERNAL = "internal_only"


class GrownStatement(Statement):
    internal_only: str = "statement detail"


class GrownSection(AnswerSection):
    statements: list[GrownStatement]
    internal_only: str = "section detail"


class GrownReference(Reference):
    internal_only: str = "reference detail"


class GrownAnswer(Answer):
    """An Answer as it would be with a new internal field at every level."""

    sections: list[GrownSection]
    references: list[GrownReference]
    internal_only: dict[str, float] = {"trace": 1.0}


def grown(plain: Answer) -> GrownAnswer:
    data = plain.model_dump()
    for section in data["sections"]:
        for statement in section["statements"]:
            statement[INTERNAL] = "statement detail"
    return GrownAnswer.model_validate(data)


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_a_new_internal_field_neither_breaks_nor_leaks_into_the_response():
    plain = answer(NEW, OLD)
    bigger = grown(plain)
    assert INTERNAL in _keys(bigger.model_dump())  # the internal model really carries it, at every level
    out = AnswerOut.from_answer(bigger, "0" * 32, 1).model_dump()
    assert INTERNAL not in _keys(out)
    assert out == AnswerOut.from_answer(plain, "0" * 32, 1).model_dump()


class _Pipeline:
    def ask(self, question, history, filters=None):
        return grown(answer(NEW, OLD))


def test_post_answers_with_a_new_internal_field_is_still_200(tmp_path):
    from api.app import create_app

    settings = Settings(api={"conversations_db": tmp_path / "c.sqlite"})
    with TestClient(create_app(settings, pipeline=_Pipeline()), raise_server_exceptions=False) as client:
        r = client.post("/v1/answers", json={"question": "q"})
    assert r.status_code == 200, r.text
    assert INTERNAL not in _keys(r.json())
    assert r.json()["references"][0]["status"] == "current release, reaffirmed 2016"


def test_requests_still_reject_unknown_fields():
    from api.schemas import AnswerRequest, FiltersIn

    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        AnswerRequest.model_validate({"question": "q", "surprise": 1})
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        FiltersIn.model_validate({"kind": ["guideline"], "surprise": 1})
    with pytest.raises(ValueError, match="year_from is after year_to"):  # Filters' own check, as a 422
        FiltersIn.model_validate({"year_from": 2020, "year_to": 2010})
    assert FiltersIn(kind=["guideline"], year_from=2016).to_filters() == Filters(kind=["guideline"], year_from=2016)
