from pathlib import Path

import pytest

from evals import datasets as ds

BEIR = Path(__file__).resolve().parents[1] / "fixtures" / "beir_tiny"


def test_beir_folder():
    docs, queries = ds.load_beir(BEIR)
    assert [d.id for d in docs] == ["beir:d1", "beir:d2", "beir:d3", "beir:d4", "beir:d5"]  # the empty one is dropped
    by_id = {q.id: q for q in queries}
    assert set(by_id) == {"q1", "q2", "q3"}  # q4 has no judgments
    assert by_id["q2"].qrels == {"beir:d3": 2}
    assert by_id["q3"].qrels == {"beir:d5": 1}  # grade 0 is not relevant


def test_not_a_beir_folder(tmp_path):
    with pytest.raises(ds.DatasetError, match="corpus.jsonl is missing"):
        ds.load_beir(tmp_path)


def test_pubmedqa_queries(mirror_settings):
    queries = ds.pubmedqa(mirror_settings)
    assert len(queries) == 1000 and all(q.qrels == {q.id: 1} and q.id.startswith("pubmed:") for q in queries)
    assert len(ds.pubmedqa(mirror_settings, "test")) == 500


def test_medquad_questions_point_at_their_own_document(mirror_settings):
    queries = ds.medquad(mirror_settings)
    assert len(queries) > 15000
    q = queries[0]
    assert list(q.qrels) == [q.id.split("#")[0]] and q.question


def test_conversation_format(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"id": "c1", "category": "tools", "extra": 1, "turns": [{"question": "How do I oil a hinge?", "gold_doc_ids": ["beir:d1"], "answerable": true},'
        ' {"question": "and a chain?", "gold_doc_ids": ["beir:d3"], "answerable": true, "standalone": "How do I oil a bicycle chain?"}]}\n'
    )
    (conv,) = ds.load_conversations(path)
    assert conv.turns[1].standalone == "How do I oil a bicycle chain?"
    path.write_text('{"id": "c2", "turns": []}\n')
    with pytest.raises(ds.DatasetError, match="c.jsonl:1"):
        ds.load_conversations(path)


def test_liveqa_maps_judgments_to_our_medquad_documents(mirror_settings):
    queries, coverage = ds.liveqa(mirror_settings)
    assert coverage.judgments == 2479 and coverage.questions == 104
    assert coverage.mapped + coverage.unmapped_answer_ids == coverage.judgments
    assert coverage.questions_with_relevant == len(queries) > 0
    for q in queries:
        assert q.id.startswith("TQ") and q.question
        assert all(doc.startswith("medquad:") and 1 <= grade <= 3 for doc, grade in q.qrels.items())
    paraphrased, _ = ds.liveqa(mirror_settings, field="paraphrase")
    assert paraphrased and {q.id for q in paraphrased} <= {q.id for q in queries}
    assert [q.question for q in paraphrased] != [q.question for q in queries]
