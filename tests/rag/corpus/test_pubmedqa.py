"""The PubMedQA loader and its evaluation questions, on the shared mirror."""

from __future__ import annotations

import json
import random
from pathlib import Path

from rag.corpus.pubmedqa import load_pubmedqa, load_pubmedqa_questions
from rag.corpus.records import LoadReport
from tests.rag.corpus.corpus_settings import PUBMEDQA_FILE, _settings


def test_pubmedqa_documents_exclude_the_question(mirror: Path) -> None:
    report = LoadReport(source="pubmedqa")
    docs = list(load_pubmedqa(mirror / PUBMEDQA_FILE, {"license": "MIT"}, report))
    assert len(docs) == report.loaded == 1000 and not report.skipped
    raw = json.loads((mirror / PUBMEDQA_FILE).read_text(encoding="utf-8"))
    by_id = {d.id: d for d in docs}
    assert set(by_id) == {f"pubmed:{p}" for p in raw}
    for pmid in random.Random(7).sample(sorted(raw), 50):
        doc, rec = by_id[f"pubmed:{pmid}"], raw[pmid]
        text = "\n".join([doc.title, *(s.title for s in doc.sections), *(s.text for s in doc.sections)])
        assert rec["QUESTION"] not in text
        assert doc.sections[-1].title == "Conclusions"
        assert doc.sections[-1].text == " ".join(rec["LONG_ANSWER"].split())
        assert len(doc.sections) == len(rec["CONTEXTS"]) + 1
        assert doc.identifiers == {"pmid": pmid} and doc.url == f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
        assert doc.kind == "research" and doc.license == "MIT (PubMedQA)"
        assert doc.year == (int(rec["YEAR"]) if rec["YEAR"] else None)
    assert all(s.title == s.title.strip() and not s.title.isupper() for d in docs for s in d.sections if len(s.title) > 3)


def test_pubmedqa_questions(tmp_path: Path, mirror: Path) -> None:
    settings = _settings(tmp_path)
    everything = load_pubmedqa_questions(settings)
    test = load_pubmedqa_questions(settings, split="test")
    assert len(everything) == 1000 and len(test) == 500
    assert {q.pmid for q in test} <= {q.pmid for q in everything}
    assert all(q.doc_id == f"pubmed:{q.pmid}" and q.question.strip() for q in test)
    truth = json.loads((mirror / "pubmedqa/test_ground_truth.json").read_text(encoding="utf-8"))
    assert {q.pmid: q.decision for q in test} == truth
