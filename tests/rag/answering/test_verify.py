import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.answering.verify import LexicalJudge, LLMJudge, make_judge

PASSAGE = "Oil the shed door hinges twice a year with a light machine oil to stop them squeaking."


@pytest.mark.parametrize(
    "statement,ok",
    [
        ("Oil the shed door hinges twice a year with a light machine oil to stop them squeaking.", True),  # verbatim
        ("Shed door hinges stop squeaking when oiled with light machine oil twice a year.", True),  # same words
        ("Oil the shed door hinges 6 times a year.", False),  # a number the passage never states
        ("Paint the fence with tar every winter.", False),  # another topic
    ],
)
def test_lexical_judge(statement, ok):
    assert LexicalJudge().supports(statement, [PASSAGE]) is ok


def test_lexical_judge_needs_passages():
    assert not LexicalJudge().supports("Anything at all here.", [])


def test_llm_judge_reads_yes_and_no():
    judge = LLMJudge(FakeListChatModel(responses=["Yes.", "no"]))
    assert judge.supports("A statement.", [PASSAGE]) is True
    assert judge.supports("A statement.", [PASSAGE]) is False
    assert judge.supports("A statement.", []) is False  # no call without passages


def test_make_judge():
    assert make_judge("lexical").name.startswith("lexical")
    with pytest.raises(ValueError, match="unknown judge"):
        make_judge("oracle")
