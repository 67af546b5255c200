"""The MedQuAD loader and its answer-id map, on the shared mirror and on invented archives."""

from __future__ import annotations

import io
import re
import tarfile
from pathlib import Path

import pytest

from rag.corpus.medquad import load_medquad, medquad_answer_ids
from rag.corpus.records import LoadReport
from tests.rag.corpus.corpus_settings import MEDQUAD_FILE, _settings


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.fixture(scope="module")
def medquad_all(mirror: Path):
    report = LoadReport(source="medquad")
    return list(load_medquad(mirror / MEDQUAD_FILE, {}, report)), report


def test_medquad_mirror(medquad_all) -> None:
    docs, report = medquad_all
    assert len(docs) == report.loaded > 5000 and not report.skipped
    ids = [d.id for d in docs]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"medquad:\d+_[A-Za-z0-9_]+/[0-9_]+", i) for i in ids)
    doc = next(d for d in docs if d.id == "medquad:1_CancerGov_QA/0000024_1")
    assert doc.kind == "patient" and doc.identifiers["medquad_id"] == "0000024_1"
    assert doc.source == "National Cancer Institute (cancer.gov)" and doc.url and doc.url.startswith("https://www.cancer.gov/")
    assert doc.license == "CC BY 4.0 (MedQuAD)" and doc.year is None
    # Answers repeat across GARD/GHR files upstream; after loading, none does.
    keys = [_key(s.text) for d in docs for s in d.sections]
    assert len(keys) == len(set(keys))
    assert report.duplicate_sections > 0
    assert all(s.title.strip() and s.text.strip() for d in docs for s in d.sections)


def _xml(doc_id: str, answers: list[str], source: str = "TestSource") -> bytes:
    """An invented MedQuAD-shaped file."""
    pairs = "".join(
        f'<QAPair pid="{i}"><Question qid="{doc_id}-{i}" qtype="information">Invented question {i}?</Question>'
        f"<Answer>{a}</Answer></QAPair>"
        for i, a in enumerate(answers, 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document id="{doc_id}" source="{source}" url="https://example.org/{doc_id}">'
        f"<Focus>Invented focus {doc_id}</Focus><QAPairs>{pairs}</QAPairs></Document>"
    ).encode("utf-8")


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_medquad_broken_xml_and_duplicates(tmp_path: Path) -> None:
    path = _tar(
        tmp_path / "mq.tar.gz",
        {
            "1_Test_QA/0000001_1.xml": _xml("0000001_1", ["First   answer\n   text.", "First answer text.", "Second answer."]),
            "1_Test_QA/0000002_1.xml": b"<Document id='0000002_1'><QAPairs><QAPair>",
            "1_Test_QA/0000003_1.xml": _xml("0000003_1", ["Second answer."]),
            "1_Test_QA/0000004_1.xml": _xml("0000004_1", [""]),
            "1_Test_QA/readme.txt": b"not a QA file",
        },
    )
    report = LoadReport(source="medquad")
    docs = list(load_medquad(path, {}, report))
    assert [d.id for d in docs] == ["medquad:1_Test_QA/0000001_1"]
    assert [s.text for s in docs[0].sections] == ["First answer\ntext.", "Second answer."]
    assert docs[0].title == "Invented focus 0000001_1" and docs[0].source == "TestSource"
    assert [(s.where, s.reason.split(":")[0]) for s in report.skipped] == [("1_Test_QA/0000002_1.xml", "malformed XML")]
    assert (report.loaded, report.duplicates, report.duplicate_sections, report.empty) == (1, 1, 2, 1)


def test_medquad_github_tarball_member_names(tmp_path: Path) -> None:
    data = _xml("0000024_1", ["An invented answer."], source="CancerGov")
    plain = _tar(tmp_path / "plain.tar.gz", {"1_CancerGov_QA/0000024_1.xml": data})
    github = _tar(
        tmp_path / "github.tar.gz",
        {"MedQuAD-577bd37/README.md": b"# readme", "MedQuAD-577bd37/1_CancerGov_QA/0000024_1.xml": data},
    )
    a = list(load_medquad(plain, {}, LoadReport(source="medquad")))
    b = list(load_medquad(github, {}, LoadReport(source="medquad")))
    assert [d.id for d in a] == [d.id for d in b] == ["medquad:1_CancerGov_QA/0000024_1"]
    assert a == b and b[0].source == "National Cancer Institute (cancer.gov)"


def test_medquad_answer_ids(tmp_path: Path, mirror: Path, medquad_all) -> None:
    result = medquad_answer_ids(_settings(tmp_path))
    assert result.doc_ids["CancerGov_0000024_1_Sec1"] == "medquad:1_CancerGov_QA/0000024_1"
    loaded = {d.id for d in medquad_all[0]}
    assert set(result.doc_ids.values()) <= loaded  # repeats map to the document that kept the text
    assert len(result.doc_ids) > 15000
    for answer_id, options in result.ambiguous.items():
        assert result.doc_ids[answer_id] == options[0] and len(options) > 1
