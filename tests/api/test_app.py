import json

import httpx
import pytest

PDPH = "What needle type reduces the risk of post-dural puncture headache?"


def test_answer_then_follow_up_in_the_same_conversation(client):
    first = client.post("/v1/answers", json={"question": PDPH})
    assert first.status_code == 200, first.text
    a = first.json()
    assert a["turn"] == 1 and len(a["conversation_id"]) == 32
    assert any(r["doc_id"] == "ngc-10908" for r in a["references"])
    second = client.post("/v1/answers", json={"question": "what about for cesarean delivery?", "conversation_id": a["conversation_id"]})
    b = second.json()
    assert b["conversation_id"] == a["conversation_id"] and b["turn"] == 2
    assert "post-dural puncture headache" in b["standalone_question"] and "cesarean" in b["standalone_question"]
    conv = client.get(f"/v1/conversations/{a['conversation_id']}").json()
    assert [t["question"] for t in conv["turns"]] == [PDPH, "what about for cesarean delivery?"]
    assert client.delete(f"/v1/conversations/{a['conversation_id']}").status_code == 204
    assert client.get(f"/v1/conversations/{a['conversation_id']}").status_code == 404


def test_sources_return_the_cited_passage(client):
    a = client.post("/v1/answers", json={"question": PDPH}).json()
    ref = next(r for r in a["references"] if r["doc_id"] == "ngc-10908")
    src = client.get(f"/v1/sources/{ref['doc_id']}", params={"chunk": ref["chunk_ids"]}).json()
    assert src["title"] == ref["title"] and src["year"] == 2016
    # Revision year and status on the reference; the source keeps NGC's full status text.
    assert (ref["year"], ref["first_released"], ref["status"]) == (2016, 2016, "current release, updates an earlier version")
    assert src["identifiers"]["guideline_status"].startswith("This is the current release of the guideline.")
    assert all(r["status"] is None for r in a["references"] if r["kind"] != "guideline")
    cited = [st["text"] for s in a["sections"] for st in s["statements"] if ref["n"] in st["citations"]]
    assert all(any(t in p["text"] for p in src["passages"]) for t in cited)
    assert client.get("/v1/sources/pubmed:0").status_code == 404
    assert client.get("/v1/sources/ngc-10908", params={"chunk": "pubmed:1#0:0-5"}).status_code == 404


def test_filters_and_audience(client):
    a = client.post("/v1/answers", json={"question": PDPH, "filters": {"kind": ["research"]}}).json()
    assert {r["kind"] for r in a["references"]} <= {"research"}
    assert client.post("/v1/answers", json={"question": PDPH, "audience": "patient"}).status_code == 200


def test_streaming_answer(client):
    with client.stream("POST", "/v1/answers", json={"question": PDPH}, headers={"Accept": "text/event-stream"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [line.split(": ", 1)[1] for line in r.iter_lines() if line.startswith("event: ")]
    assert events[0] == "meta" and "section" in events
    assert events[-3:] == ["references", "disclaimer", "done"]


def test_health_and_readiness(client, built_index):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["index"] == {"name": "test", "fingerprint": built_index[1].fingerprint}


def test_openapi_has_readable_operation_ids_and_examples(client):
    spec = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"answers-create", "conversations-get", "conversations-delete", "sources-get", "health-readyz",
            "documents-upload", "documents-list", "documents-delete"} <= ids
    assert spec["components"]["schemas"]["AnswerRequest"]["examples"]


@pytest.mark.parametrize(
    "body,code,error",
    [
        ({"question": ""}, 422, "invalid_question"),
        ({"question": "   \n "}, 422, "invalid_question"),
        ({"question": "x" * 2500}, 422, "invalid_question"),
        ({"question": 42}, 422, "invalid_request"),
        ({"question": ["a"]}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
        ({"question": PDPH, "surprise": 1}, 422, "invalid_request"),
        ({"question": PDPH, "conversation_id": "0" * 32}, 404, "unknown_conversation"),
        ({"question": PDPH, "conversation_id": "not-an-id"}, 422, "invalid_request"),
        ({"question": PDPH, "filters": {"kind": ["poem"]}}, 422, "invalid_request"),
        ({"question": PDPH, "filters": {"source": ["No Such Society"]}}, 422, "invalid_filter"),
        ({"question": PDPH, "filters": {"year_from": 2020, "year_to": 2010}}, 422, "invalid_request"),
        ({"question": PDPH, "audience": "robot"}, 422, "invalid_request"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, body, code, error):
    r = client.post("/v1/answers", json=body)
    assert r.status_code == code, r.text
    data = r.json()
    assert data["error"] == error and data["message"]
    assert "Traceback" not in r.text


def test_invalid_utf8_and_broken_json(client):
    r = client.post("/v1/answers", content=b'{"question": "\xff\xfe bad"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request" and "could not be read" in r.json()["message"]
    r = client.post("/v1/answers", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 422


def test_oversized_body_is_413(client):
    r = client.post("/v1/answers", content=json.dumps({"question": "y" * 10_000}), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"


def test_unknown_conversation_paths(client):
    assert client.get("/v1/conversations/" + "a" * 32).status_code == 404
    assert client.delete("/v1/conversations/" + "a" * 32).status_code == 404
    assert client.get("/v1/conversations/nope").status_code == 422


def test_api_keys(api_settings, pipeline):
    from fastapi.testclient import TestClient

    from api.app import create_app

    s = api_settings.model_copy(deep=True)
    s.api.api_keys = ["secret-key"]
    with TestClient(create_app(s, pipeline=pipeline)) as c:
        assert c.post("/v1/answers", json={"question": PDPH}).status_code == 401
        assert c.post("/v1/answers", json={"question": PDPH}, headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.post("/v1/answers", json={"question": PDPH}, headers={"X-API-Key": "secret-key"}).status_code == 200
        assert c.get("/healthz").status_code == 200


def test_cors_is_closed_by_default(client):
    r = client.options("/v1/answers", headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


def test_conversations_survive_a_new_app(api_settings, pipeline, client):
    from fastapi.testclient import TestClient

    from api.app import create_app

    cid = client.post("/v1/answers", json={"question": PDPH}).json()["conversation_id"]
    with TestClient(create_app(api_settings, pipeline=pipeline)) as other:  # a restart, or a second worker
        assert other.get(f"/v1/conversations/{cid}").json()["turns"][0]["question"] == PDPH


def test_concurrent_follow_ups_get_distinct_turns(client):
    from concurrent.futures import ThreadPoolExecutor

    cid = client.post("/v1/answers", json={"question": PDPH}).json()["conversation_id"]
    with ThreadPoolExecutor(4) as pool:
        turns = list(pool.map(lambda q: client.post("/v1/answers", json={"question": q, "conversation_id": cid}).json()["turn"],
                              ["and in labour?", "what about cesarean delivery?", "and for epidurals?", "what about children?"]))
    assert sorted(turns) == [2, 3, 4, 5]


# --- the same API over a real uvicorn server on loopback -------------------------------------------


def test_live_server_answers_and_follows_up(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as http:
        a = http.post("/v1/answers", json={"question": PDPH}).json()
        b = http.post("/v1/answers", json={"question": "what about for cesarean delivery?", "conversation_id": a["conversation_id"]}).json()
        assert b["turn"] == 2 and b["conversation_id"] == a["conversation_id"]
        assert http.get("/").status_code == 200 and "guideqa" in http.get("/").text
        assert http.post("/v1/answers", json={"question": " "}).status_code == 422
        r = http.post("/v1/answers", content=b"{" + b" " * 20000 + b"}", headers={"Content-Type": "application/json"})
        assert r.status_code == 413


def test_server_refuses_to_start_without_an_index(api_settings):
    import subprocess
    import sys

    from tests.api.conftest import server_env

    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "serve", "--index", "missing", "--port", "9"],
        env=server_env(api_settings), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and "guideqa index build --name missing" in result.stderr


def test_real_server_with_llm_writer_reports_verification(llm_live_server):
    from tests.stubs.llm_server import UNSUPPORTED_SENTENCE

    r = httpx.post(f"{llm_live_server}/v1/answers", json={"question": PDPH}, timeout=60)
    assert r.status_code == 200
    body = r.json()
    w = body["writer"]
    assert w["name"] == "llm" and w["fallback"] is None
    assert w["marked_unsupported"] == 1 and w["removed_citations"] == 1
    marked = [st for sec in body["sections"] for st in sec["statements"] if st["verified"] is False]
    assert [st["text"] for st in marked] == [UNSUPPORTED_SENTENCE + "."]
    # SSE carries the writer report in its first event.
    with httpx.stream("POST", f"{llm_live_server}/v1/answers", json={"question": PDPH},
                      headers={"Accept": "text/event-stream"}, timeout=60) as stream:
        lines = iter(stream.iter_lines())
        first, meta = next(lines), next(lines)
    assert first == "event: meta" and meta.startswith("data:") and '"writer": {"name": "llm"' in meta


def test_a_note_and_a_status_pass_the_response_schema():
    # AnswerOut validates the internal Answer: a field missing from it would turn every answer into a 500.
    from api.schemas import AnswerOut
    from tests.rag.test_types import NEW, OLD, answer

    out = AnswerOut.from_answer(answer(NEW, OLD), "0" * 32, 1).model_dump()
    assert out["references"][0]["status"] == "current release, reaffirmed 2016"
    assert out["references"][0]["first_released"] == 2009
    assert out["sections"][0]["statements"][0]["note"].startswith("An older guideline (2012) [2]")
