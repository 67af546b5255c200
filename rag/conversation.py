"""Follow-up questions -> standalone retrieval queries (deterministic).

"What about in children?" means nothing to a retriever on its own. When a
question reads as a follow-up (a leading cue such as "what about", a pronoun
standing for the earlier topic, or too few content words to stand alone), it
is attached to the previous turn's standalone question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.question import ANAPHORA, WORD_RE, content_stems, content_words
from rag.settings import Settings
from rag.types import Turn

_CUE_RE = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+|^\s*(?:and\s+)?what\s+if\s+|^\s*and\s+(?:in|for|with|during|after|before)?\s*|^\s*(?:also|same)\s+(?:for|in)\s+",
    re.I,
)
def is_follow_up(question: str) -> bool:
    words = WORD_RE.findall(question.lower())
    if _CUE_RE.match(question):
        return True
    if any(w in ANAPHORA for w in words) and len(content_words(question)) <= 4:
        return True
    return len(content_words(question)) <= 1


def standalone_question(question: str, history: Sequence[Turn], settings: Settings) -> str:
    """The query to retrieve with: the question itself, or the question joined to the earlier topic."""
    question = " ".join(question.split())
    turns = list(history)[-settings.conversation.max_history_turns :] if settings.conversation.max_history_turns else []
    if not turns or not is_follow_up(question):
        return question
    previous = turns[-1].standalone_question or turns[-1].question
    previous = " ".join(previous.split()).rstrip(" ?.!")
    cue = _CUE_RE.match(question)
    if cue:
        tail = question[cue.end() :].strip().rstrip(" ?.!")
        return f"{previous} {tail}?" if tail else f"{previous}?"
    return f"{previous}? {question}"


def llm_standalone_question(question: str, history: Sequence[Turn], settings: Settings, chat) -> tuple[str, str, str | None]:
    """(query, how, why not the LLM): the chat model condenses the conversation, the rules are the fallback."""
    from rag.prompts import rewrite_messages
    from rag.llm import invoke_with_timeout

    rules = standalone_question(question, history, settings)
    turns = list(history)[-settings.conversation.max_history_turns :] if settings.conversation.max_history_turns else []
    if not turns:
        return rules, "none", None
    try:
        reply = invoke_with_timeout(chat, rewrite_messages(" ".join(question.split()), turns), settings.llm.timeout_s)
    except Exception as exc:  # timeouts and provider errors: the rules still give a usable query
        return rules, "rules", f"{type(exc).__name__}: {str(exc)[:120]}"
    line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
    line = re.sub(r"^(standalone (query|question)|query|(the )?latest message)\s*:\s*", "", line, flags=re.I).strip().strip("\"'`")
    line = re.sub(r"^\d+[.)]\s+", "", line)  # small models echo the history's numbering
    # A rewrite much longer than what it condenses is the model answering instead of rewriting.
    longest = max(len(rules), len(question) + max(len(t.question) for t in turns)) * 2
    if not content_words(line):
        return rules, "rules", "the rewrite was empty"
    if len(line) > min(longest, settings.limits.max_question_chars):
        return rules, "rules", "the rewrite was too long to be a query"
    # The follow-up's own terms ("children", "diagnosed") are what it asks; a rewrite without them answers
    # the earlier question again.
    own = content_stems(question)
    if own and not own & content_stems(line):
        return rules, "rules", "the rewrite dropped the follow-up's own terms"
    return line, "llm", None
