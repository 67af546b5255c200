"""Picking the queries an eval run asks: those the index can answer, a reproducible sample, a limit."""

from evals.datasets import EvalQuery
from evals.runs import pick_queries


def _queries(n: int) -> list[EvalQuery]:
    return [EvalQuery(id=f"q{i:02d}", question="q", qrels={f"d{i % 4}": 1}) for i in range(n)]


def test_only_queries_with_a_gold_document_in_the_index_are_asked():
    picked, notes = pick_queries(_queries(8), {"d0", "d1"}, sample=None, seed=13, limit=None, notes={"x": 1})
    assert [q.id for q in picked] == ["q00", "q01", "q04", "q05"] and notes == {"x": 1}
    assert [q.id for q in pick_queries(_queries(8), {"d0", "d1"}, None, 13, 3, {})[0]] == ["q00", "q01", "q04"]


def test_a_sample_is_reproducible_sorted_and_noted():
    a, notes = pick_queries(_queries(40), {"d0", "d1", "d2", "d3"}, sample=5, seed=7, limit=None, notes={})
    b, _ = pick_queries(_queries(40), {"d0", "d1", "d2", "d3"}, sample=5, seed=7, limit=None, notes={})
    assert [q.id for q in a] == [q.id for q in b] == sorted(q.id for q in a) and len(a) == 5
    assert notes == {"sample": {"size": 5, "seed": 7}}
    everything, notes = pick_queries(_queries(4), {"d0", "d1", "d2", "d3"}, sample=10, seed=7, limit=None, notes={})
    assert len(everything) == 4 and notes == {}  # a sample no smaller than the set is the set
