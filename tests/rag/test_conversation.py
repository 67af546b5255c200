import pytest

from rag.conversation import is_follow_up, standalone_question
from rag.settings import Settings
from rag.types import Turn

S = Settings()
FIRST = Turn(question="Which garden tools need oiling before winter?", standalone_question="Which garden tools need oiling before winter?")


@pytest.mark.parametrize("q", ["what about in children?", "And in pregnancy?", "How about for older adults?", "Is it safe?", "why?"])
def test_follow_ups_are_detected(q):
    assert is_follow_up(q)


@pytest.mark.parametrize("q", ["Which fertiliser suits acid soil best?", "How often should lawn mower blades be sharpened?"])
def test_standalone_questions_are_left_alone(q):
    assert not is_follow_up(q)
    assert standalone_question(q, [FIRST], S) == q


def test_cue_follow_up_is_attached_to_the_topic():
    assert standalone_question("what about in children?", [FIRST], S) == (
        "Which garden tools need oiling before winter in children?"
    )


def test_pronoun_follow_up_keeps_the_question():
    out = standalone_question("Is it needed every year?", [FIRST], S)
    assert out.startswith("Which garden tools need oiling before winter?") and out.endswith("Is it needed every year?")


def test_chained_follow_ups_use_the_latest_standalone_question():
    second = Turn(question="what about in spring?", standalone_question="Which garden tools need oiling before winter in spring?")
    assert standalone_question("and for pruning shears?", [FIRST, second], S).startswith(
        "Which garden tools need oiling before winter in spring"
    )


def test_no_history_means_no_rewrite():
    assert standalone_question("what about in children?", [], S) == "what about in children?"


def test_history_can_be_switched_off():
    s = Settings(conversation={"max_history_turns": 0})
    assert standalone_question("what about in children?", [FIRST], s) == "what about in children?"
