import json

from evals.conversations import follow_up_recall
from evals.datasets import Conversation

PDPH = "What needle type reduces the risk of post-dural puncture headache?"


def test_rewriting_recovers_the_topic_the_raw_follow_up_loses(pipeline):
    conv = Conversation.model_validate({"id": "t1", "turns": [
        {"question": PDPH, "gold_doc_ids": ["ngc-10908"]},
        {"question": "what about for cesarean delivery?", "gold_doc_ids": ["ngc-10908"],
         "standalone": "Which spinal needle should be used for cesarean delivery to reduce post-dural puncture headache?"},
    ]})
    scores, rows = follow_up_recall(pipeline.retriever, [conv])
    assert scores["rewritten"]["turns"] == 1 and len(rows) == 1
    assert rows[0]["rewritten_query"].startswith("What needle type reduces the risk of post-dural puncture headache")
    assert scores["rewritten"]["recall@5"] == 1.0 and scores["standalone"]["recall@5"] == 1.0
    assert rows[0]["raw_query"] == "what about for cesarean delivery?"


def test_follow_up_recall_uses_the_given_rewriter(pipeline):
    conv = Conversation.model_validate({"id": "t1", "turns": [
        {"question": PDPH, "gold_doc_ids": ["ngc-10908"]},
        {"question": "what about for cesarean delivery?", "gold_doc_ids": ["ngc-10908"], "standalone": PDPH},
    ]})
    seen = []
    scores, rows = follow_up_recall(pipeline.retriever, [conv], rewrite=lambda q, h: seen.append((q, len(h))) or q)
    assert seen == [(PDPH, 0), ("what about for cesarean delivery?", 1)]
    assert rows[0]["rewritten_query"] == rows[0]["raw_query"] and scores["rewritten"] == scores["raw"] | {"turns": 1}


def test_dev_conversations_load():
    from evals.datasets import DATA, load_conversations

    convs = load_conversations(DATA / "conversations_dev.jsonl")
    assert len(convs) == 12 and all(len(c.turns) == 2 and c.turns[1].standalone for c in convs)
    assert sum(not t.answerable for c in convs for t in c.turns) == 3


def _write_conversations(path):
    rows = [
        {"id": "a", "turns": [
            {"question": PDPH, "gold_doc_ids": ["ngc-10908"]},
            {"question": "what about for cesarean delivery?", "gold_doc_ids": ["ngc-10908"],
             "standalone": "Which spinal needle should be used for cesarean delivery to reduce post-dural puncture headache?"},
        ]},
        {"id": "b", "extra_field": "ignored", "turns": [
            {"question": "How do I true a buckled bicycle wheel?", "answerable": False},
            {"question": "and the rear derailleur?", "answerable": False},
        ]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_conversation_answers_are_asked_with_their_history(pipeline, tmp_path):
    from evals.conversations import evaluate_conversation_answers
    from evals.datasets import load_conversations
    from rag.answering.verify import LexicalJudge

    _write_conversations(tmp_path / "c.jsonl")
    summary, rows, _ = evaluate_conversation_answers(pipeline, load_conversations(tmp_path / "c.jsonl"), LexicalJudge())
    assert [r.id for r in rows] == ["a#1", "a#2", "b#1", "b#2"]
    follow_up = rows[1]
    assert follow_up.asked_as and "post-dural puncture headache" in follow_up.asked_as  # history reached the pipeline
    assert follow_up.gold_hit and not follow_up.abstained
    assert summary["abstention_on_unanswerable"] == 1.0 and summary["false_abstention_on_answerable"] == 0.0
