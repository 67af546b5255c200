"""Evaluation datasets as queries with graded gold documents.

Every adapter yields `EvalQuery`s whose `qrels` map document ids (as our
index names them) to a relevance grade (higher is better).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from rag.settings import Settings
from rag.types import DocSection, Document

DATA = Path(__file__).resolve().parent / "data"


class EvalQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    qrels: dict[str, int] = Field(default_factory=dict, description="Gold document id -> relevance grade.")
    answerable: bool = True


class DatasetError(ValueError):
    pass


def _jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{n}: not JSON ({exc.msg})") from exc
    return rows


# --------------------------------------------------------------------------- BEIR


def load_beir(folder: Path, split: str = "test") -> tuple[list[Document], list[EvalQuery]]:
    """A BEIR folder: corpus.jsonl ({_id, title, text}), queries.jsonl ({_id, text}), qrels/<split>.tsv."""
    folder = Path(folder)
    for part in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv"):
        if not (folder / part).exists():
            raise DatasetError(f"{folder} is not a BEIR folder: {part} is missing")
    docs = []
    for row in _jsonl(folder / "corpus.jsonl"):
        text = (row.get("text") or "").strip()
        if not text:
            continue
        docs.append(Document(id=f"beir:{row['_id']}", kind="research", title=row.get("title") or "", source=folder.name,
                             sections=[DocSection(title="", text=text)]))
    questions = {str(r["_id"]): r["text"] for r in _jsonl(folder / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / f"qrels/{split}.tsv", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if not row or row[0] == "query-id":
                continue
            qid, did, grade = row[0], row[1], int(row[2])
            if grade > 0:
                qrels.setdefault(qid, {})[f"beir:{did}"] = grade
    queries = [EvalQuery(id=qid, question=questions[qid], qrels=rel) for qid, rel in qrels.items() if qid in questions]
    return docs, queries


# --------------------------------------------------------------------------- our corpora


def pubmedqa(settings: Settings, split: str = "all") -> list[EvalQuery]:
    """Each PubMedQA question with its own abstract as the gold document."""
    from rag.corpus.pubmedqa import load_pubmedqa_questions

    return [EvalQuery(id=q.doc_id, question=q.question, qrels={q.doc_id: 1}) for q in load_pubmedqa_questions(settings, split)]


def medquad(settings: Settings) -> list[EvalQuery]:
    """Each MedQuAD question with its own answer document as gold (questions are our sections' titles)."""
    from rag.corpus.documents import iter_documents

    out = []
    for doc in iter_documents(settings, sources=["medquad"]):
        for i, section in enumerate(doc.sections):
            if section.title.strip():
                out.append(EvalQuery(id=f"{doc.id}#{i}", question=section.title, qrels={doc.id: 1}))
    return out


def guideline_dev() -> list[EvalQuery]:
    """Our own guideline questions (evals/data/guideline_dev.jsonl)."""
    return [EvalQuery(id=r["id"], question=r["question"], qrels={g: 1 for g in r["gold_doc_ids"]})
            for r in _jsonl(DATA / "guideline_dev.jsonl")]


def out_of_corpus() -> list[EvalQuery]:
    """Questions we wrote that the corpus should not answer (evals/data/out_of_corpus.jsonl)."""
    return [EvalQuery(id=r["id"], question=r["question"], answerable=False) for r in _jsonl(DATA / "out_of_corpus.jsonl")]


_LIVEQA_GRADES = {"1-Incorrect": 0, "2-Related": 1, "3-Incomplete": 2, "4-Excellent": 3}


class LiveQACoverage(BaseModel):
    judgments: int
    mapped: int
    unmapped_answer_ids: int
    ambiguous_answer_ids: int
    questions: int
    questions_with_relevant: int


def liveqa(settings: Settings, field: str = "original") -> tuple[list[EvalQuery], LiveQACoverage]:
    """TREC 2017 LiveQA medical questions with graded judgments of MedQuAD answers, mapped to our documents.

    Grades: 1-Incorrect -> 0 (not relevant), 2-Related -> 1, 3-Incomplete -> 2, 4-Excellent -> 3.
    MedQuAD answer ids repeat across subsets; the mapping reports ids that reach several documents.
    `field`: 'original' (the consumer's subject and message) or 'paraphrase' (NIST's rewrite).
    """
    import xml.etree.ElementTree as ET
    import zipfile

    from rag.corpus.manifest import corpus_file
    from rag.corpus.medquad import medquad_answer_ids

    root = ET.parse(corpus_file(settings, "medquad/TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml")).getroot()
    questions: dict[str, str] = {}
    for q in root.iter("NLM-QUESTION"):
        qnum = (q.get("qid") or "").removeprefix("TQ")
        if field == "paraphrase":
            text = q.findtext("NIST-PARAPHRASE") or ""
        else:
            subject = (q.findtext("Original-Question/SUBJECT") or "").strip()
            message = (q.findtext("Original-Question/MESSAGE") or "").strip()
            text = f"{subject}: {message}" if subject and subject.lower() not in message.lower() else message
        questions[qnum] = " ".join(text.split())
    mapping = medquad_answer_ids(settings)
    qrels: dict[str, dict[str, int]] = {}
    judged = mapped = unmapped = 0
    with zipfile.ZipFile(corpus_file(settings, "medquad/QA-TestSet-LiveQA-Med-Qrels-2479-Answers.zip")) as z:
        name = next(n for n in z.namelist() if n.endswith("Judged-Answers.txt") and not n.startswith("__MACOSX"))
        for line in z.read(name).decode("utf-8").splitlines():
            parts = line.split()
            if len(parts) != 3:
                continue
            judged += 1
            qnum, label, answer = parts[0], parts[1], parts[2].removesuffix(".txt")
            doc = mapping.doc_ids.get(answer)
            if doc is None:
                unmapped += 1
                continue
            mapped += 1
            grade = _LIVEQA_GRADES.get(label, 0)
            if grade > 0:
                rel = qrels.setdefault(qnum, {})
                rel[doc] = max(rel.get(doc, 0), grade)
    queries = [EvalQuery(id=f"TQ{n}", question=questions[n], qrels=rel) for n, rel in qrels.items() if questions.get(n)]
    coverage = LiveQACoverage(judgments=judged, mapped=mapped, unmapped_answer_ids=unmapped,
                              ambiguous_answer_ids=len(mapping.ambiguous), questions=len(questions),
                              questions_with_relevant=len(queries))
    return queries, coverage


# --------------------------------------------------------------------------- conversations


class ConversationTurn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: str
    gold_doc_ids: list[str] = Field(default_factory=list)
    answerable: bool = True
    standalone: str | None = Field(default=None, description="The same question rewritten by a person to stand alone.")


class Conversation(BaseModel):
    """One line of the conversation format: {"id", "category"?, "turns": [{question, gold_doc_ids, answerable, standalone?}]}."""

    model_config = ConfigDict(extra="ignore")
    id: str
    category: str | None = None
    turns: list[ConversationTurn] = Field(min_length=1)


def load_conversations(path: Path) -> list[Conversation]:
    out = []
    for n, row in enumerate(_jsonl(Path(path)), 1):
        try:
            out.append(Conversation.model_validate(row))
        except Exception as exc:
            raise DatasetError(f"{path}:{n}: not a conversation ({exc})") from exc
    return out


DATASETS = {
    "pubmedqa": pubmedqa,
    "medquad": medquad,
    "liveqa": lambda s: liveqa(s)[0],
    "guideline-dev": lambda s: guideline_dev(),
}
