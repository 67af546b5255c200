"""A loaded index (and a Pipeline holding one) follows adds and removes without a restart."""

import logging

from rag.indexing.delta import updates_folder
from rag.indexing.live import LiveIndex
from rag.indexing.updates import add_documents, remove_documents
from rag.pipeline import Pipeline
from tests.rag.indexing.updates_helpers import copy_index, shed_doc

SHED_Q = "How often should the hinges of the shed door be oiled?"
PDPH = "What needle type reduces the risk of post-dural puncture headache?"


def test_a_pipeline_answers_from_an_added_document_and_stops_after_its_removal(index_settings, built_index, embedder,
                                                                                tmp_path):
    s = copy_index(index_settings, tmp_path)
    pipe = Pipeline(s)
    before = pipe.ask(SHED_Q)
    assert before.abstained and "user:shed" not in {r.doc_id for r in before.references}
    add_documents("u", [shed_doc()], s, embedder=embedder)
    answer = pipe.ask(SHED_Q)
    assert not answer.abstained and answer.references[0].doc_id == "user:shed"
    assert "twice a year" in answer.to_text() and answer.index.fingerprint != before.index.fingerprint
    assert pipe.index.document("user:shed") is not None  # what the API's /v1/sources reads
    remove_documents("u", ["user:shed"], s)
    after = pipe.ask(SHED_Q)
    assert "user:shed" not in {r.doc_id for r in after.references} and after.index.fingerprint == before.index.fingerprint
    # Removing a corpus guideline works the same way.
    assert "ngc-10908" in {r.doc_id for r in pipe.ask(PDPH).references}
    remove_documents("u", ["ngc-10908"], s)
    assert "ngc-10908" not in {r.doc_id for r in pipe.ask(PDPH).references}


def test_changes_are_checked_at_most_once_per_interval(index_settings, built_index, embedder, tmp_path):
    s = copy_index(index_settings, tmp_path)
    s.index.reload_check_s = 3600
    live = LiveIndex(s)
    first = live.view
    add_documents("u", [shed_doc()], s, embedder=embedder)
    assert live.current() is first  # not looked at yet
    assert live.refresh() and "user:shed" in live.current().document_ids
    assert live.current().build is first.build  # only the delta was reopened
    assert not live.refresh()  # nothing new


def test_a_state_that_cannot_be_opened_leaves_the_previous_one_serving(index_settings, built_index, embedder, tmp_path,
                                                                       caplog):
    s = copy_index(index_settings, tmp_path)
    live = LiveIndex(s)
    add_documents("u", [shed_doc()], s, embedder=embedder)
    (updates_folder(s.index.dir, "u") / "vectors.npy").write_bytes(b"damaged")
    with caplog.at_level(logging.WARNING, logger="rag.indexing.live"):
        assert not live.refresh()
    assert "still serving the previous state" in caplog.text
    assert "user:shed" not in live.current().document_ids and live.current().size > 0
