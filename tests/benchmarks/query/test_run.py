"""The whole query benchmark's result survives JSON."""

from __future__ import annotations

from benchmarks.query.run import QueryBench


def test_json_round_trips(result, tmp_path):
    from benchmarks.common import write_json

    path = write_json(result, tmp_path / "deep" / "query.json")
    assert QueryBench.model_validate_json(path.read_text()) == result
