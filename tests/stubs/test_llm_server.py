"""The LLM writer through a real HTTP client (ChatOpenAI) against the local OpenAI-compatible stub."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from rag.answering.extractive import DISCLAIMER
from rag.answering.prompts import number_passages
from rag.settings import Settings
from tests.stubs.llm_server import (
    UNCITED_SENTENCE,
    UNSUPPORTED_SENTENCE,
    StubConfig,
    echo_reply,
    evidence_passages,
    running_stub,
)

PDPH = "What needle type reduces the risk of post-dural puncture headache?"


def llm_settings(index_settings, base_url: str, **llm) -> Settings:
    return Settings(**(index_settings.model_dump() | {
        "writer": "llm", "llm": {"model": "guideqa-stub", "base_url": base_url, "timeout_s": 20} | llm}))


def llm_pipeline(index_settings, base_url: str, **llm):
    from rag.pipeline import Pipeline

    return Pipeline(llm_settings(index_settings, base_url, **llm))


def all_text(answer) -> str:
    return " ".join(st.text for s in answer.sections for st in s.statements)


def test_echo_reply_cites_each_passage_it_copies():
    prompt = "Question: q\n\n<<<EVIDENCE\nGUIDELINE PASSAGES\n[1] T (S)\nAlpha beta gamma delta epsilon zeta eta.\n\n" \
             "RESEARCH PASSAGES\n[2] U (V)\nOne two three four five six seven.\n\nEVIDENCE>>>\n"
    assert [(n, kind) for n, kind, _ in evidence_passages(prompt)] == [(1, "guideline"), (2, "research")]
    reply = echo_reply(prompt, faults=["bogus", "unsupported", "uncited"])
    assert "Alpha beta gamma delta epsilon zeta eta. [1][12]" in reply
    assert "One two three four five six seven. [2]" in reply
    assert UNSUPPORTED_SENTENCE in reply and UNCITED_SENTENCE in reply
    assert echo_reply("no evidence here") == "NOT ADDRESSED"


def test_verification_removes_what_the_stub_got_wrong(index_settings, built_index):
    with running_stub(StubConfig(faults=["unsupported", "bogus", "uncited"])) as url:
        answer = llm_pipeline(index_settings, url).ask(PDPH)
        sent = httpx.get(url.removesuffix("/v1") + "/stub/requests").json()
    w = answer.writer
    assert w.name == "llm" and w.llm_called and w.fallback is None
    assert w.removed_unsupported == 1 and w.removed_uncited == 1 and w.removed_citations == 1
    assert w.kept == w.sentences - 2 and w.kept >= 1
    assert UNSUPPORTED_SENTENCE not in all_text(answer) and UNCITED_SENTENCE not in all_text(answer)
    assert answer.disclaimer == DISCLAIMER
    assert all(st.verified for s in answer.sections for st in s.statements)
    # What went over the wire: the configured model, a system prompt, and numbered evidence.
    assert len(sent) == 1 and sent[0]["model"] == "guideqa-stub" and sent[0]["temperature"] == 0
    roles = [m["role"] for m in sent[0]["messages"]]
    assert roles == ["system", "user"] and "<<<EVIDENCE" in sent[0]["messages"][1]["content"]


def test_mark_mode_keeps_the_unsupported_sentence_visibly(index_settings, built_index):
    from rag.types import UNVERIFIED_MARK

    with running_stub(StubConfig(faults=["unsupported"])) as url:
        answer = llm_pipeline(index_settings, url, unsupported="mark").ask(PDPH)
    marked = [st for s in answer.sections for st in s.statements if st.verified is False]
    assert [st.text for st in marked] == [UNSUPPORTED_SENTENCE + "."]
    assert answer.writer.marked_unsupported == 1 and answer.writer.removed_unsupported == 0
    assert f"{UNSUPPORTED_SENTENCE}. [1] {UNVERIFIED_MARK}" in answer.to_text()


def test_scripted_reply_before_and_after(index_settings, built_index, pipeline):
    """The exact reply is written from this index's own passages, so the before/after is exact."""
    evidence = pipeline.gather(PDPH)
    documents = pipeline.index.documents(h.chunk.doc_id for h in evidence.hits)
    passages, _ = number_passages(evidence.hits, {d: doc.title for d, doc in documents.items()}, index_settings)
    from rag.text import split_sentences

    first = next(s for s in split_sentences(passages[0].text) if len(s.split()) >= 6)
    second = next(s for s in split_sentences(passages[1].text) if len(s.split()) >= 6 and s != first)
    k = len(passages)
    # A bogus [k+5], an unsupported sentence, and a repeated sentence (dropped: small models repeat themselves).
    script = [f"BOTTOM LINE:\n{first} [1][{k + 5}]\nKEY CONSIDERATIONS:\n- {UNSUPPORTED_SENTENCE} [1].\n"
              f"- {second} [2]\n- {first} [1]"]
    with running_stub(StubConfig(mode="script", script=script)) as url:
        answer = llm_pipeline(index_settings, url, min_supported=0.5).ask(PDPH)
    assert answer.writer.fallback is None
    same_doc = passages[1].hit.chunk.doc_id == passages[0].hit.chunk.doc_id
    statements = [st for s in answer.sections for st in s.statements]
    kinds = [passages[0].hit.chunk.kind, passages[1].hit.chunk.kind]
    assert kinds[0] == "guideline"
    expected_second_group = "Key considerations" if kinds[1] == "guideline" else None
    assert [(st.text, st.citations, st.group) for st in statements] == [
        (first, [1], "Bottom line"), (second, [1] if same_doc else [2], expected_second_group)]
    assert passages[0].hit.chunk.id in answer.references[0].chunk_ids
    assert answer.writer.sentences == 3 and answer.writer.kept == 2
    assert answer.writer.removed_citations == 1 and answer.writer.removed_unsupported == 1


def test_slow_server_times_out_to_the_extractive_answer(index_settings, built_index, pipeline):
    with running_stub(StubConfig(delay_s=3)) as url:
        answer = llm_pipeline(index_settings, url, timeout_s=0.5).ask(PDPH)
    assert answer.writer.llm_called and answer.writer.fallback
    assert "timeout" in answer.writer.fallback.lower()
    assert answer.sections == pipeline.ask(PDPH).sections


def test_unreachable_server_falls_back(index_settings, built_index):
    answer = llm_pipeline(index_settings, "http://127.0.0.1:9/v1", timeout_s=2).ask(PDPH)
    assert answer.writer.fallback and answer.writer.fallback.startswith("LLM error")
    assert answer.sections and not answer.abstained


def test_follow_up_is_rewritten_by_the_llm(index_settings, built_index):
    with running_stub() as url:
        p = llm_pipeline(index_settings, url)
        first = p.ask(PDPH)
        follow = p.ask("what about for cesarean delivery?",
                       history=[{"question": PDPH, "standalone_question": first.standalone_question}])
    assert first.writer.rewrite == "none"
    assert follow.writer.rewrite == "llm" and follow.writer.rewrite_fallback is None
    assert follow.standalone_question.startswith(PDPH.rstrip("?")) and "cesarean" in follow.standalone_question


def test_api_reports_the_writer(index_settings, built_index, tmp_path):
    from api.app import create_app

    with running_stub(StubConfig(faults=["bogus"])) as url:
        s = llm_settings(index_settings, url)
        s.api.conversations_db = tmp_path / "conversations.sqlite"
        with TestClient(create_app(s)) as client:
            body = client.post("/v1/answers", json={"question": PDPH}).json()
    assert body["writer"]["name"] == "llm" and body["writer"]["removed_citations"] == 1
    groups = [st["group"] for sec in body["sections"] for st in sec["statements"] if sec["kind"] == "guideline"]
    assert groups and groups[0] == "Bottom line"
    assert body["disclaimer"] == DISCLAIMER


@pytest.mark.parametrize("faults", [[], ["unsupported", "bogus"]])
def test_eval_harness_scores_the_llm_writer(index_settings, built_index, faults):
    from evals.answers import evaluate_answers
    from evals.datasets import guideline_dev
    from rag.answering.verify import LexicalJudge

    queries = guideline_dev()[:4]
    with running_stub(StubConfig(faults=faults)) as url:
        summary, rows, _ = evaluate_answers(llm_pipeline(index_settings, url), queries, LexicalJudge())
    called = [r for r in rows if r.llm_called]
    assert called and summary["citation_integrity"] == 1.0
    assert summary["llm_fallback_rate"] == pytest.approx(sum(r.llm_fallback is not None for r in called) / len(called))
    if faults:
        assert summary["llm_removed_sentence_rate"] > 0 and summary["llm_removed_citations"] >= len(called) - sum(
            r.llm_fallback is not None for r in called)
    else:
        assert summary["llm_removed_sentence_rate"] == 0 and summary["llm_removed_citations"] == 0


def test_the_command_line_rejects_a_bad_config(capsys):
    from tests.stubs.llm_server import main

    with pytest.raises(SystemExit) as exit_:
        main(["--fault", "nonsense"])
    assert exit_.value.code == 2 and "error:" in capsys.readouterr().err
