"""POST, GET and DELETE /v1/documents end to end: the real file reader and index updates over a private copy of the
test index, then answers that cite the added document with its page, and stop citing it once it is deleted."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import scratch_settings

CDC_PDF = Path("/work/shared/corpus/pdf/cdc-outpatient-infection-prevention-2016.pdf")
SYRINGE = "Can the same syringe be used for more than one patient if the needle is changed?"
KETTLE = "How often should the electric kettles on hospital wards be descaled?"
# A made-up guideline in our own words: nothing in the test index is about kettles, so an answer can only cite it.
KETTLE_MD = """---
title: Kettle care on hospital wards
source: Example Ward Hygiene Group
year: 2024
kind: guideline
---
# Recommendations

Electric kettles on hospital wards should be descaled with citric acid every four weeks.
Ward kettles should be emptied and left to dry at the end of each day.
A kettle with a damaged cable should be taken out of use at once.
"""
SAVED_NAME = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,10})?")


def _pdf_bytes() -> bytes:
    if not CDC_PDF.exists():
        from tests.conftest import skip_unless_required

        skip_unless_required(f"{CDC_PDF} is not in the corpus mirror", "GUIDEQA_REQUIRE_CORPUS")
    return CDC_PDF.read_bytes()  # read at run time: no corpus text is kept in the repository


@pytest.fixture(scope="module")
def docs_settings(api_settings, built_index, tmp_path_factory):
    s = scratch_settings(api_settings, tmp_path_factory.mktemp("documents"))
    s.api.max_upload_bytes = 4 * 1024 * 1024
    return s


@pytest.fixture(scope="module")
def docs_client(docs_settings):
    from api.app import create_app
    from rag.pipeline import Pipeline

    with TestClient(create_app(docs_settings, pipeline=Pipeline(docs_settings))) as c:
        yield c


def _cited(answer: dict, doc_id: str) -> dict | None:
    return next((r for r in answer["references"] if r["doc_id"] == doc_id), None)


def test_an_uploaded_pdf_is_cited_with_its_page_until_it_is_deleted(docs_client, docs_settings):
    r = docs_client.post("/v1/documents", files=[("files", ("CDC outpatient guide.pdf", _pdf_bytes(), "application/pdf"))],
                         data={"kind": "guideline", "source": "CDC", "year": "2016"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["rejected"] == [] and len(body["added"]) == 1
    added = body["added"][0]
    doc_id = added["doc_id"]
    assert added["filename"] == "CDC outpatient guide.pdf" and added["pages"] == 44 and added["chunks"] > 20
    listed = docs_client.get("/v1/documents", params={"added": "true"}).json()
    assert [d["doc_id"] for d in listed["documents"]] == [doc_id]
    entry = listed["documents"][0]
    assert (entry["added"], entry["source"], entry["year"], entry["kind"], entry["pages"]) == (True, "CDC", 2016, "guideline", 44)
    assert doc_id in {d["doc_id"] for d in docs_client.get("/v1/documents").json()["documents"]}
    assert doc_id not in {d["doc_id"] for d in docs_client.get("/v1/documents", params={"added": "false"}).json()["documents"]}
    saved = [p.name for p in docs_settings.api.uploads_dir.iterdir()]
    assert len(saved) == 1 and SAVED_NAME.fullmatch(saved[0]) and saved[0].endswith(".pdf")

    answer = docs_client.post("/v1/answers", json={"question": SYRINGE}).json()
    ref = _cited(answer, doc_id)
    assert ref is not None, answer
    assert ref["pages"] and all(1 <= p <= 44 for p in ref["pages"]) and ref["pages"] == sorted(set(ref["pages"]))
    assert set(ref["pages"]) & {10, 11, 33}  # the pages of this PDF that speak of syringes
    assert ref["section_titles"]
    source = docs_client.get(f"/v1/sources/{doc_id}", params={"chunk": ref["chunk_ids"]}).json()
    assert source["identifiers"]["filename"] == "CDC outpatient guide.pdf"
    assert {p["page"] for p in source["passages"]} <= set(ref["pages"]) and all(p["page"] for p in source["passages"])
    assert [p["section"] for p in source["passages"] if p["section"]][0] in ref["section_titles"]

    assert docs_client.delete(f"/v1/documents/{doc_id}").status_code == 204
    after = docs_client.post("/v1/answers", json={"question": SYRINGE}).json()
    assert _cited(after, doc_id) is None
    assert docs_client.get("/v1/documents", params={"added": "true"}).json()["documents"] == []
    assert docs_client.get(f"/v1/sources/{doc_id}").status_code == 404
    assert list(docs_settings.api.uploads_dir.iterdir()) == []  # its stored file went with it
    again = docs_client.delete(f"/v1/documents/{doc_id}")
    assert again.status_code == 404 and again.json()["error"] == "unknown_document"


@pytest.mark.parametrize("name", ["../../etc/passwd", "../../../kettle.md", "/tmp/absolute/kettle.md",
                                  "..\\..\\windows\\kettle.md", "C:\\temp\\kettle.md", "sub/dir/../../kettle.md",
                                  "kettle.md\x00.pdf", ".md", "...", ""])
def test_a_client_file_name_never_chooses_where_the_file_is_written(docs_client, docs_settings, name):
    root = docs_settings.api.uploads_dir.parent
    before = {p for p in root.rglob("*")}
    r = docs_client.post("/v1/documents", files=[("files", (name, KETTLE_MD.encode(), "text/markdown"))])
    assert r.status_code in (201, 422), r.text
    new = {p for p in root.rglob("*")} - before
    # Only the stored file (and the index's own update files), and the stored file directly in the uploads folder.
    stored = {p for p in new if p.is_file() and not p.is_relative_to(docs_settings.index.dir)}
    assert all(p.parent == docs_settings.api.uploads_dir and SAVED_NAME.fullmatch(p.name) for p in stored), stored
    # Where a server that trusted the name would have written (the name as sent, or with \ read as /): nothing.
    for trusted in {name, name.replace("\\", "/")} - {""}:
        assert not Path(os.path.normpath(docs_settings.api.uploads_dir / trusted)).exists()
    assert not Path("/tmp/absolute").exists()
    if name == "":  # a part without a file name is a plain form field, not a file: the request is invalid
        assert r.status_code == 422 and r.json()["error"] == "invalid_request", r.text
        return
    outcome = (r.json().get("added") or r.json().get("rejected"))[0]
    assert "/" not in outcome["filename"] and "\\" not in outcome["filename"]
    for added in r.json().get("added", []):
        assert docs_client.delete(f"/v1/documents/{added['doc_id']}").status_code == 204


def test_bad_files_are_refused_each_with_its_reason(docs_client):
    files = [("files", ("picture.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")),
             ("files", ("empty.md", b"", "text/markdown")),
             ("files", ("report.pdf", b"just some text, not a PDF at all", "application/pdf"))]
    r = docs_client.post("/v1/documents", files=files)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "no_documents_added" and "picture.png" in body["message"]
    reasons = {x["filename"]: x["reason"] for x in body["rejected"]}
    assert set(reasons) == {"picture.png", "empty.md", "report.pdf"}
    assert "PNG" in reasons["picture.png"] and "empty" in reasons["empty.md"] and "plain text" in reasons["report.pdf"]
    assert not any(re.search(r"[0-9a-f]{64}", reason) for reason in reasons.values())  # never the stored name

    # One good file and one bad: the good one goes in, the bad one is reported.
    mixed = docs_client.post("/v1/documents", files=[("files", ("kettle.md", KETTLE_MD.encode(), "text/markdown")), files[0]])
    assert mixed.status_code == 201, mixed.text
    assert [a["filename"] for a in mixed.json()["added"]] == ["kettle.md"]
    assert [x["filename"] for x in mixed.json()["rejected"]] == ["picture.png"]
    assert docs_client.delete(f"/v1/documents/{mixed.json()['added'][0]['doc_id']}").status_code == 204


def test_a_title_falls_back_to_the_clients_file_name_not_the_stored_one(docs_client):
    text = b"Ward kettles should be descaled with citric acid every four weeks.\n"
    r = docs_client.post("/v1/documents", files=[("files", ("ward_kettle notes.txt", text, "text/plain"))])
    assert r.status_code == 201, r.text
    added = r.json()["added"][0]
    assert added["title"] == "ward kettle notes"
    source = docs_client.get(f"/v1/sources/{added['doc_id']}").json()
    assert source["title"] == "ward kettle notes" and source["identifiers"]["filename"] == "ward_kettle notes.txt"
    assert SAVED_NAME.fullmatch(source["identifiers"]["file"])
    assert docs_client.delete(f"/v1/documents/{added['doc_id']}").status_code == 204


def test_form_fields_are_checked_and_unknown_names_are_404(docs_client):
    md = [("files", ("kettle.md", KETTLE_MD.encode(), "text/markdown"))]
    assert docs_client.post("/v1/documents", files=md, data={"kind": "poem"}).status_code == 422
    assert docs_client.post("/v1/documents", files=md, data={"year": "twenty"}).status_code == 422
    assert docs_client.post("/v1/documents", data={"kind": "guideline"}).status_code == 422  # no file at all
    r = docs_client.post("/v1/documents", files=md, data={"index": "missing"})
    assert r.status_code == 404 and r.json()["error"] == "unknown_index"
    assert docs_client.get("/v1/documents", params={"index": "missing"}).status_code == 404
    assert docs_client.get("/v1/documents", params={"index": "../etc"}).status_code == 422
    r = docs_client.delete("/v1/documents/no-such-document")
    assert r.status_code == 404 and r.json()["error"] == "unknown_document"


def test_an_upload_over_the_limit_is_413_declared_or_streamed(docs_client, docs_settings):
    limit = docs_settings.api.max_upload_bytes
    big = [("files", ("big.md", b"a" * (limit + 1), "text/markdown"))]
    r = docs_client.post("/v1/documents", files=big)
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"

    def chunks():  # no Content-Length: the limit must hold while the body streams in
        yield b"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.md\"\r\n\r\n"
        for _ in range(limit // 65536 + 2):
            yield b"b" * 65536

    r = docs_client.post("/v1/documents", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"
    # Other routes keep the small limit.
    assert docs_client.post("/v1/answers", json={"question": "x" * 20_000}).status_code == 413
    assert list(docs_settings.api.uploads_dir.glob("*")) == []


def test_documents_need_the_api_key_when_keys_are_configured(docs_settings):
    from api.app import create_app
    from rag.pipeline import Pipeline

    s = docs_settings.model_copy(deep=True)
    s.api.api_keys = ["secret-key"]
    md = [("files", ("kettle.md", KETTLE_MD.encode(), "text/markdown"))]
    with TestClient(create_app(s, pipeline=Pipeline(s))) as c:
        assert c.post("/v1/documents", files=md).status_code == 401
        assert c.post("/v1/documents", files=md, headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.get("/v1/documents").status_code == 401
        assert c.delete("/v1/documents/anything").status_code == 401
        assert c.get("/v1/documents", headers={"X-API-Key": "secret-key"}).status_code == 200
    assert list(s.api.uploads_dir.glob("*")) == []  # refused before anything was stored


def test_the_live_server_takes_an_upload_and_answers_from_it(docs_live_server):
    with httpx.Client(base_url=docs_live_server, timeout=120) as http:
        assert http.post("/v1/answers", json={"question": KETTLE}).json()["abstained"] is True
        r = http.post("/v1/documents", files=[("files", ("kettle care.md", KETTLE_MD.encode(), "text/markdown"))])
        assert r.status_code == 201, r.text
        doc_id = r.json()["added"][0]["doc_id"]
        assert r.json()["added"][0]["title"] == "Kettle care on hospital wards"
        answer = http.post("/v1/answers", json={"question": KETTLE}).json()
        assert _cited(answer, doc_id) is not None and not answer["abstained"], answer
        assert any("four weeks" in st["text"] for s in answer["sections"] for st in s["statements"])
        assert http.delete(f"/v1/documents/{doc_id}").status_code == 204
        assert _cited(http.post("/v1/answers", json={"question": KETTLE}).json(), doc_id) is None
