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


def test_dev_conversations_load():
    from evals.datasets import DATA, load_conversations

    convs = load_conversations(DATA / "conversations_dev.jsonl")
    assert len(convs) == 10 and all(len(c.turns) == 2 and c.turns[1].standalone for c in convs)
