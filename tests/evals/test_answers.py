
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from evals import datasets as ds
from evals.answers import evaluate_answers, integrity, summarise
from rag.answering.verify import LexicalJudge, LLMJudge


def test_extractive_answers_are_fully_supported_and_abstain_out_of_corpus(pipeline, index_settings):
    queries = ds.pubmedqa(index_settings)
    indexed = pipeline.index.document_ids
    queries = [q for q in queries if set(q.qrels) & indexed][:6] + ds.out_of_corpus()[:4]
    summary, rows, _ = evaluate_answers(pipeline, queries, LexicalJudge())
    assert summary["citation_integrity"] == 1.0
    assert summary["statement_support_rate"] == 1.0  # verbatim statements
    assert summary["abstention_on_unanswerable"] == 1.0
    assert summary["gold_source_hit_rate"] >= 0.8
    assert len(rows) == 10


def test_a_judge_that_rejects_everything_drives_support_to_zero(pipeline):
    q = ds.EvalQuery(id="pdph", question="What needle type reduces the risk of post-dural puncture headache?", qrels={"ngc-10908": 1})
    judge = LLMJudge(FakeListChatModel(responses=["no"] * 100))
    summary, rows, _ = evaluate_answers(pipeline, [q], judge)
    assert rows[0].statements > 0 and summary["statement_support_rate"] == 0.0 and summary["fully_supported_answers"] == 0.0
    assert summary["citation_precision"] == 0.0 and summary["gold_source_hit_rate"] == 1.0


def test_integrity_detects_a_dangling_reference(pipeline):
    answer = pipeline.ask("What needle type reduces the risk of post-dural puncture headache?")
    assert integrity(answer)
    broken = answer.model_copy(deep=True)
    broken.sections[0].statements[0].citations = [len(broken.references) + 1]
    assert not integrity(broken)


def test_summary_handles_no_answerable_questions():
    assert summarise([])["citation_recall"] is None



def test_a_citation_to_a_passage_that_does_not_support_the_sentence_is_caught(pipeline):
    """Hand-made answer: one true quote, and one sentence the cited passage never says."""
    from evals.answers import score_answer
    from rag.types import Answer, AnswerSection, IndexInfo, Reference, Statement

    chunk = pipeline.index.chunk_by_id(pipeline.index.chunks([0])[0].id)
    true_sentence = chunk.text.split("\n")[0].strip()
    ref = Reference(n=1, doc_id=chunk.doc_id, kind=chunk.kind, title="t", source="s", chunk_ids=[chunk.id])
    answer = Answer(
        question="q", standalone_question="q", abstained=False, disclaimer="d", index=IndexInfo(name="test", fingerprint="x"),
        references=[ref],
        sections=[AnswerSection(title="From the Guidelines", kind=chunk.kind, statements=[
            Statement(text=true_sentence, citations=[1]),
            Statement(text="Bicycle tyres should be inflated to 95 psi before every commute.", citations=[1]),
        ])],
    )
    q = ds.EvalQuery(id="h1", question="q", qrels={chunk.doc_id: 1})
    row = score_answer(q, answer, pipeline, LexicalJudge())
    assert (row.statements, row.supported, row.citations, row.precise_citations) == (2, 1, 2, 1)
    summary = summarise([row])
    assert summary["statement_support_rate"] == 0.5 and summary["citation_precision"] == 0.5
    assert summary["fully_supported_answers"] == 0.0 and summary["citation_integrity"] == 1.0


def test_answer_evaluator_is_a_callable_returning_flat_metrics(pipeline):
    from evals.answers import AnswerEvaluator

    evaluator = AnswerEvaluator(ds.out_of_corpus()[:2], LexicalJudge())
    metrics = evaluator(pipeline)
    assert metrics["answers/abstain_rate_unanswerable"] == 1.0 and metrics["answers/false_abstain_rate"] is None
    assert len(evaluator.rows) == 2


def test_summary_reports_llm_fallbacks_removals_and_rewrites():
    from evals.answers import AnswerResult, summarise

    base = dict(question="q", answerable=True, abstained=False, statements=1, supported=1, citations=1,
                precise_citations=1, integrity=True, gold_hit=None, cited=[])
    rows = [
        AnswerResult(id="a", **base, writer="llm", llm_called=True, llm_sentences=4, llm_removed=1, llm_removed_citations=2),
        AnswerResult(id="b", **base, writer="llm", llm_called=True, llm_fallback="empty reply", rewrite="rules",
                     rewrite_fallback="the rewrite was empty"),
        AnswerResult(id="c", **base, writer="llm", llm_called=True, llm_sentences=6, llm_removed=0, rewrite="llm"),
        AnswerResult(id="d", **base, writer="llm", llm_called=False),  # weak evidence: the model was not asked
    ]
    s = summarise(rows)
    assert s["llm_fallback_rate"] == round(1 / 3, 4)
    assert s["llm_removed_sentence_rate"] == 0.1 and s["llm_removed_citations"] == 2
    assert s["llm_rewrite_rate"] == 0.5
    extractive = summarise([AnswerResult(id="e", **base)])
    assert extractive["llm_fallback_rate"] is None and extractive["llm_rewrite_rate"] is None
