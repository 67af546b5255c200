"""Corpus manifest, loaders and fetching.

Tests on real data read the shared mirror (skipped without one); every other test uses
small invented records written here or in tests/fixtures.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import json
import random
import re
import tarfile
import threading
from pathlib import Path

import pytest

from rag.corpus.sources import (
    CorpusError,
    LoadReport,
    corpus_file,
    fetch,
    iter_documents,
    load_manifest,
    load_medquad,
    load_ngc,
    load_pubmedqa,
    load_pubmedqa_questions,
    load_user_dir,
    medquad_answer_ids,
    repair_text,
)
from rag.settings import Settings
from rag.types import Document

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NGC_FILE = "ngc/ngc_summaries.jsonl.gz"
PUBMEDQA_FILE = "pubmedqa/ori_pqal.json"
MEDQUAD_FILE = "medquad/medquad_answered_xml.tar.gz"


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _settings(tmp_path: Path, **corpus: object) -> Settings:
    """Settings reading corpus files from an empty tmp data_dir (so the mirror fallback is used)."""
    base = {"data_dir": tmp_path / "data", "user_dirs": []}
    return Settings(corpus={**base, **corpus})


@pytest.fixture(scope="module")
def mirror() -> Path:
    path = Settings().corpus.mirror
    if path is None:
        pytest.skip("no corpus mirror configured")
    return path


@pytest.fixture(scope="module")
def manifest():
    return load_manifest(Settings())


@pytest.fixture(scope="module")
def ngc_all(mirror: Path, manifest):
    report = LoadReport(source="ngc")
    docs = list(load_ngc(mirror / NGC_FILE, manifest.sources["ngc"].options, report))
    return docs, report


@pytest.fixture(scope="module")
def medquad_all(mirror: Path):
    report = LoadReport(source="medquad")
    return list(load_medquad(mirror / MEDQUAD_FILE, {}, report)), report


# --------------------------------------------------------------------------- manifest


def test_manifest_sources_and_presets(manifest) -> None:
    assert set(manifest.sources) == {"ngc", "pubmedqa", "medquad"}
    assert manifest.sources["ngc"].files[0].path == NGC_FILE
    assert manifest.sources["ngc"].files[0].url == ""
    assert "Major Recommendations" in manifest.sources["ngc"].options["sections"]
    # The default holds every guideline, whatever its year; `full` adds MedQuAD, `recent` keeps 2016 on.
    assert manifest.indexes["default"].sources == ["ngc", "pubmedqa"]
    assert "min_year" not in manifest.indexes["default"].options["ngc"]
    assert manifest.indexes["full"].sources == ["ngc", "pubmedqa", "medquad"]
    assert manifest.indexes["recent"].options["ngc"]["min_year"] == 2016


def test_manifest_rejects_preset_with_unknown_source(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[source.a]\ntitle = "A"\nkind = "guideline"\nloader = "ngc"\n'
        '[[source.a.files]]\npath = "a/a.jsonl"\nsha256 = "' + "0" * 64 + '"\n'
        '[index.x]\nsources = ["a", "b"]\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="unknown sources"):
        load_manifest(Settings(corpus={"manifest": path}))


def test_manifest_rejects_escaping_path(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[source.a]\ntitle = "A"\nkind = "guideline"\nloader = "ngc"\n'
        '[[source.a.files]]\npath = "../outside.jsonl"\nsha256 = "' + "0" * 64 + '"\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="relative"):
        load_manifest(Settings(corpus={"manifest": path}))


# --------------------------------------------------------------------------- text repair


def test_repair_text_undoes_mojibake_and_keeps_clean_text() -> None:
    assert repair_text("the \u00ef\u00ac\u0081rst dose") == "the \ufb01rst dose"  # latin-1 reading of U+FB01
    assert repair_text("caf\u00c3\u00a9 and \u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d") == "caf\u00e9 and \u201cquoted\u201d"
    assert repair_text("38\u00c2\u00b0C") == "38\u00b0C"
    assert repair_text("level\u00c2 two") == "level two"
    assert repair_text("co-\u00c2\u00adinfection") == "co-infection"
    clean = "na\u00efve, fa\u00e7ade, 5\u201310 mg \u2014 na\u00efve"
    assert repair_text(clean) == clean


# --------------------------------------------------------------------------- NGC


def test_ngc_mirror_loads_every_record(ngc_all, mirror: Path, manifest) -> None:
    docs, report = ngc_all
    with gzip.open(mirror / NGC_FILE, "rb") as fh:
        lines = sum(1 for line in fh if line.strip())
    assert report.loaded == len(docs)
    assert report.loaded + len(report.skipped) == lines == 1416
    assert len(report.skipped) <= 20
    wanted = set(manifest.sources["ngc"].options["sections"])
    ids = [d.id for d in docs]
    assert len(set(ids)) == len(ids)
    for doc in docs:
        assert re.fullmatch(r"ngc-\d+", doc.id)
        assert doc.kind == "guideline"
        assert doc.identifiers["ngc"] == doc.id.removeprefix("ngc-")
        # Every record states its release status and first year (rag/guideline_status.py reads them).
        assert set(doc.identifiers) == {"ngc", "guideline_status", "first_released"}
        assert doc.sections and {s.title for s in doc.sections} <= wanted
        assert all(s.text.strip() and s.text.strip() != "None provided" for s in doc.sections)
        assert doc.url is None or "(" not in doc.url
        assert " - Medical Specialty Society" not in doc.source
    assert all(any(s.title == "Major Recommendations" for s in d.sections) for d in docs)
    # Sections keep the record's order (the FDA alert, when present, precedes the recommendations).
    by_id = {d.id: d for d in docs}
    with gzip.open(mirror / NGC_FILE, "rt", encoding="utf-8") as fh:
        for line in list(fh)[:100]:
            rec = json.loads(line)
            titles = [s.title for s in by_id[rec["id"]].sections]
            headings = re.findall(r"(?m)^## (.+)$", rec["text"])
            assert titles == [h for h in headings if h in titles]


def test_ngc_mirror_mojibake_repaired(ngc_all) -> None:
    docs, _ = ngc_all
    text = "\n".join(s.text for d in docs for s in d.sections)
    assert "\ufb01" in text  # the repaired ligature occurs ...
    assert "\u00ef\u00ac" not in text and "\u00e2\u20ac" not in text  # ... and its mojibake does not
    assert sum(d.license.endswith("public domain (US federal)") for d in docs) == 97


def test_ngc_min_year(mirror: Path, manifest) -> None:
    report = LoadReport(source="ngc")
    options = {**manifest.sources["ngc"].options, "min_year": 2016}
    docs = list(load_ngc(mirror / NGC_FILE, options, report))
    assert docs and all(d.year is not None and d.year >= 2016 for d in docs)
    assert "ngc-10908" in {d.id for d in docs}
    assert report.filtered > 0
    assert report.loaded + report.filtered + len(report.skipped) == 1416


def _ngc_record(**over: object) -> dict:
    """An invented NGC-shaped record."""
    rec = {
        "id": "ngc-99001",
        "title": "Invented guideline on hand hygiene",
        "developers": ["Example Society of Testing - Medical Specialty Society", "Example Agency - Federal Government Agency [U.S.]"],
        "year": 2017,
        "copyright_statement": "No copyright restrictions apply.",
        "us_federal_developer": True,
        "source_url": "https://www.guideline.gov/summaries/summary/99001 (defunct; archived)",
        "text": (
            "## Guideline Title\nInvented guideline on hand hygiene\n\n"
            "## Major Recommendations\n Wash hands before each patient contact (grade A).\n\n"
            " Use the \u00ef\u00ac\u0081rst sink you reach.\n\n"
            "## Clinical Algorithm(s)\nNone provided\n\n"
            "## Source(s) of Funding\nInvented funder\n\n"
            "## Target Population\nAll ward staff\n"
        ),
    }
    rec.update(over)
    return rec


def test_ngc_broken_file_reports_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "ngc.jsonl.gz"
    lines = [
        json.dumps(_ngc_record()),
        '{"id": "ngc-99002", "title": "cut off',
        json.dumps(_ngc_record(id="ngc-99003", text="")),
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    report = LoadReport(source="ngc")
    sections = ["Major Recommendations", "Clinical Algorithm(s)", "Target Population"]
    docs = list(load_ngc(path, {"sections": sections, "license": "Base license; more"}, report))

    assert [d.id for d in docs] == ["ngc-99001"] and report.loaded == 1
    assert [(s.where, s.reason.split(":")[0]) for s in report.skipped] == [
        ("ngc.jsonl.gz:2", "invalid JSON"),
        ("ngc.jsonl.gz:3", "missing text"),
    ]
    doc = docs[0]
    assert doc.source == "Example Society of Testing; Example Agency"
    assert doc.url == "https://web.archive.org/web/2018/https://www.guideline.gov/summaries/summary/99001"
    assert doc.license == "Base license; public domain (US federal)"
    assert doc.year == 2017 and doc.identifiers == {"ngc": "99001"}
    # Funding is not configured, the algorithm placeholder is empty: both are dropped.
    assert [s.title for s in doc.sections] == ["Major Recommendations", "Target Population"]
    assert doc.sections[0].text == (
        "Wash hands before each patient contact (grade A).\n\nUse the \ufb01rst sink you reach."
    )


def test_ngc_keeps_release_status_and_first_year(tmp_path: Path) -> None:
    path = tmp_path / "ngc.jsonl"
    status = "This is the current release of the guideline.\n\n This guideline updates a previous version: Old one. 2009."
    path.write_text(json.dumps(_ngc_record(guideline_status=status, year_first_released=2009)) + "\n", encoding="utf-8")
    doc = next(load_ngc(path, {}, LoadReport(source="ngc")))
    assert doc.identifiers == {"ngc": "99001", "first_released": "2009", "guideline_status": (
        "This is the current release of the guideline.\n\nThis guideline updates a previous version: Old one. 2009.")}


def test_ngc_bad_option_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "ngc.jsonl"
    path.write_text(json.dumps(_ngc_record()) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="min_yeer"):
        list(load_ngc(path, {"min_yeer": 2016}, LoadReport(source="ngc")))


# --------------------------------------------------------------------------- PubMedQA


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


# --------------------------------------------------------------------------- MedQuAD


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


# --------------------------------------------------------------------------- user folders


def test_user_dir_loader() -> None:
    report = LoadReport(source="user")
    docs = {d.id: d for d in load_user_dir(FIXTURES / "user_docs", report)}
    assert set(docs) == {
        "user:nested/ward-hydration",
        "user:plain-note",
        "user:clinic-protocol-1",
        "user:patient-leaflet",
    }
    assert report.loaded == 4
    assert [s.where for s in report.skipped] == ["protocols.jsonl:3"]

    md = docs["user:nested/ward-hydration"]
    assert (md.kind, md.title, md.source, md.year, md.license) == (
        "guideline",
        "Ward hydration checklist",
        "Example Ward Practice Group",
        2024,
        "CC0",
    )
    assert [s.title for s in md.sections] == ["", "Assessment", "Escalation"]
    assert md.sections[1].text == "Record the fluid chart at each shift change.\nWeigh the patient every morning."
    txt = docs["user:plain-note"]
    assert (txt.title, txt.kind, [s.title for s in txt.sections]) == ("plain-note", "guideline", [""])
    assert docs["user:patient-leaflet"].kind == "patient"


def test_user_markdown_with_bad_front_matter_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\nkind: leaflet\n---\n# Title\nSome invented text.\n", encoding="utf-8")
    (tmp_path / "worse.md").write_text("---\nkind: [unclosed\n---\nText.\n", encoding="utf-8")
    report = LoadReport(source="user")
    assert list(load_user_dir(tmp_path, report)) == []
    assert sorted(s.where for s in report.skipped) == ["bad.md", "worse.md"]
    assert "kind" in next(s.reason for s in report.skipped if s.where == "bad.md")


# --------------------------------------------------------------------------- iter_documents


def test_iter_documents_default_preset(tmp_path: Path, mirror: Path, manifest) -> None:
    reports: list[LoadReport] = []
    docs = list(iter_documents(_settings(tmp_path), preset="default", reports=reports))
    assert [r.source for r in reports] == ["ngc", "pubmedqa"]
    kinds = {d.id.split(":")[0].split("-")[0] for d in docs}
    assert kinds == {"ngc", "pubmed"}
    # The preset's options are merged over the source's own.
    options = {**manifest.sources["ngc"].options, **manifest.indexes["default"].options["ngc"]}
    ngc = [d for d in docs if d.id.startswith("ngc-")]
    assert len(ngc) == 1416 and min(d.year for d in ngc) < 2016  # older guidelines are in, dated
    assert all(s.title in options["sections"] for d in ngc for s in d.sections)
    assert reports[0].loaded == len(ngc) and reports[0].filtered == 0
    assert sum(d.id.startswith("pubmed:") for d in docs) == reports[1].loaded == 1000
    recent = [d for d in iter_documents(_settings(tmp_path), preset="recent") if d.id.startswith("ngc-")]
    assert 0 < len(recent) < len(ngc) and all(d.year >= 2016 for d in recent)


def test_iter_documents_duplicate_ids_keep_first(tmp_path: Path, mirror: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    clash = Document(
        id="pubmed:21645374", kind="guideline", title="Invented clash", source="Me",
        sections=[{"title": "", "text": "Invented text."}],
    )
    own = clash.model_copy(update={"id": "user:own"})
    (user / "docs.jsonl").write_text(clash.model_dump_json() + "\n" + own.model_dump_json() + "\n", encoding="utf-8")
    reports: list[LoadReport] = []
    docs = list(iter_documents(_settings(tmp_path, user_dirs=[user]), sources=["pubmedqa"], reports=reports))
    kept = [d for d in docs if d.id == "pubmed:21645374"]
    assert len(kept) == 1 and kept[0].kind == "research"
    assert "user:own" in {d.id for d in docs}
    assert reports[1].loaded == 1
    assert [s.where for s in reports[1].skipped] == ["pubmed:21645374"]
    assert "duplicate document id" in reports[1].skipped[0].reason


def test_iter_documents_missing_file_says_to_fetch(tmp_path: Path) -> None:
    settings = _settings(tmp_path, mirror=None)
    with pytest.raises(CorpusError, match=r"pubmedqa/ori_pqal\.json.*guideqa corpus fetch"):
        iter_documents(settings, sources=["pubmedqa"])


def test_iter_documents_rejects_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="unknown sources"):
        iter_documents(_settings(tmp_path), sources=["nope"])
    with pytest.raises(CorpusError, match="no index preset"):
        iter_documents(_settings(tmp_path), preset="nope")


# --------------------------------------------------------------------------- fetch


def test_fetch_copies_from_mirror_then_reports_present(tmp_path: Path, mirror: Path) -> None:
    settings = _settings(tmp_path)
    first = fetch(settings, ["pubmedqa"])
    assert [(r.path, r.status) for r in first] == [
        ("pubmedqa/ori_pqal.json", "copied from mirror"),
        ("pubmedqa/test_ground_truth.json", "copied from mirror"),
    ]
    copied = settings.corpus.data_dir / PUBMEDQA_FILE
    assert copied.read_bytes() == (mirror / PUBMEDQA_FILE).read_bytes()
    assert corpus_file(settings, PUBMEDQA_FILE) == copied  # loaders now read the fetched copy
    assert [r.status for r in fetch(settings, ["pubmedqa"])] == ["present", "present"]
    # A damaged copy is replaced.
    copied.write_bytes(b"{}")
    assert [r.status for r in fetch(settings, ["pubmedqa"])] == ["copied from mirror", "present"]
    assert hashlib.sha256(copied.read_bytes()).hexdigest() == first[0].sha256


def _manifest_copy(tmp_path: Path, edit) -> Path:
    text = edit(Settings().corpus.manifest.read_text(encoding="utf-8"))
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fetch_checksum_mismatch_leaves_no_file(tmp_path: Path, mirror: Path) -> None:
    real = load_manifest(Settings()).sources["pubmedqa"].files[1].sha256
    manifest = _manifest_copy(tmp_path, lambda t: t.replace(real, "0" * 64))
    settings = _settings(tmp_path, manifest=manifest)
    with pytest.raises(CorpusError, match=f"expected sha256 {'0' * 64}, got {real}"):
        fetch(settings, ["pubmedqa"])
    folder = settings.corpus.data_dir / "pubmedqa"
    assert sorted(p.name for p in folder.iterdir()) == ["ori_pqal.json"]  # the good file, no partial one


def test_fetch_derived_file_without_mirror(tmp_path: Path) -> None:
    settings = _settings(tmp_path, mirror=None)
    with pytest.raises(CorpusError, match="derived file.*only available from the corpus mirror"):
        fetch(settings, ["ngc"])
    assert not (settings.corpus.data_dir / NGC_FILE).exists()


def test_fetch_downloads_from_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    served = tmp_path / "served"
    served.mkdir()
    payload = json.dumps({"1": {"CONTEXTS": ["Invented."], "LABELS": ["X"], "LONG_ANSWER": "Invented."}}).encode()
    (served / "tiny.json").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()

    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: quiet(*a, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        manifest = tmp_path / "sources.toml"
        manifest.write_text(
            '[source.tiny]\ntitle = "Tiny"\nkind = "research"\nloader = "pubmedqa"\n'
            f'[[source.tiny.files]]\npath = "tiny/ori_pqal.json"\nurl = "{url}/tiny.json"\nsha256 = "{digest}"\n'
            f'[source.gone]\ntitle = "Gone"\nkind = "research"\nloader = "pubmedqa"\n'
            f'[[source.gone.files]]\npath = "gone/ori_pqal.json"\nurl = "{url}/missing.json"\nsha256 = "{digest}"\n',
            encoding="utf-8",
        )
        settings = _settings(tmp_path, manifest=manifest, mirror=None)
        seen: list[int] = []
        results = fetch(settings, ["tiny"], progress=lambda path, done, total: seen.append(done))
        assert [(r.path, r.status, r.size) for r in results] == [("tiny/ori_pqal.json", "downloaded", len(payload))]
        assert seen and seen[-1] == len(payload)
        assert [d.id for d in iter_documents(settings, sources=["tiny"])] == ["pubmed:1"]
        with pytest.raises(CorpusError, match="404"):
            fetch(settings, ["gone"])
        assert not (settings.corpus.data_dir / "gone").exists() or not any((settings.corpus.data_dir / "gone").iterdir())
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

