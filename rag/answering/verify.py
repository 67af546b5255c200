"""Checking written answers against their sources, shared by the LLM writer and the eval harness.

`parse_reply` reads an LLM's reply into sentences with their [n] citations;
`verify_sentences` drops citations to numbers the prompt never had, and asks a
judge whether the cited passages support each sentence.

Does a cited passage support a statement? Pluggable judges:

- `LexicalJudge` (offline default, deterministic): a statement is supported when
  it appears verbatim in the passages, or when at least `min_coverage` of its
  stemmed content words occur in them. It catches unsupported topics, invented
  terms and numbers that appear nowhere in the source. It cannot see negation
  ("is" vs "is not" share their words), reversed relations, or paraphrases that
  use other words; extractive statements, being verbatim, always pass it.
- `NLIJudge`: a sentence-transformers CrossEncoder NLI model (premise = passages,
  hypothesis = statement); supported when entailment is the top label.
- `LLMJudge`: any LangChain chat model, asked for a yes/no verdict.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from rag.answering.chat_model import invoke_with_timeout, reply_text
from rag.answering.prompts import HEADINGS, NOT_ADDRESSED, judge_prompt
from rag.text import content_stems

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


class Judge(Protocol):
    name: str

    def supports(self, statement: str, passages: list[str]) -> bool: ...


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


class LexicalJudge:
    def __init__(self, min_coverage: float = 0.8):
        self.min_coverage = min_coverage
        self.name = f"lexical(min_coverage={min_coverage})"

    def supports(self, statement: str, passages: list[str]) -> bool:
        if not passages:
            return False
        joined = " ".join(passages)
        if _normalise(statement) in _normalise(joined):
            return True
        # Numbers must match exactly: a changed dose or percentage is unsupported.
        if not set(_NUMBER_RE.findall(statement)) <= set(_NUMBER_RE.findall(joined)):
            return False
        terms = content_stems(statement)
        if not terms:
            return False
        return len(terms & content_stems(joined)) / len(terms) >= self.min_coverage


class NLIJudge:
    """Entailment with a CrossEncoder NLI model (e.g. cross-encoder/nli-deberta-v3-base, when you have it)."""

    def __init__(self, model: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model)
        labels = {i: name.lower() for i, name in self.model.config.id2label.items()}
        entail = [i for i, name in labels.items() if name.startswith("entail")]
        if not entail:
            raise ValueError(f"{model} has no entailment label (labels: {labels})")
        self.entail = entail[0]
        self.name = f"nli({model})"

    def supports(self, statement: str, passages: list[str]) -> bool:
        if not passages:
            return False
        scores = self.model.predict([(" ".join(passages), statement)])
        return int(scores[0].argmax()) == self.entail


class LLMJudge:
    def __init__(self, chat_model, name: str | None = None, timeout_s: float | None = None):
        self.chat = chat_model
        self.name = name or f"llm({type(chat_model).__name__})"
        self.timeout_s = timeout_s  # a wall-clock limit per verdict, as for the writer's own call

    def supports(self, statement: str, passages: list[str]) -> bool:
        if not passages:
            return False
        prompt = judge_prompt(statement, passages)
        if self.timeout_s:
            text = invoke_with_timeout(self.chat, prompt, self.timeout_s)
        else:
            text = reply_text(self.chat.invoke(prompt))
        return text.strip().lower().startswith("yes")


def make_judge(spec: str, chat_model=None, timeout_s: float | None = None) -> Judge:
    """'lexical', 'nli:<model name or path>', or 'llm' (needs the chat model)."""
    if spec == "lexical":
        return LexicalJudge()
    if spec.startswith("nli:"):
        return NLIJudge(spec.split(":", 1)[1])
    if spec == "llm":
        if chat_model is None:
            raise ValueError("the 'llm' judge needs a configured chat model")
        return LLMJudge(chat_model, timeout_s=timeout_s)
    raise ValueError(f"unknown judge {spec!r}: use 'lexical', 'nli:<model>' or 'llm'")


# --------------------------------------------------------------------------- reading an LLM's reply

# [2], [1][3], [1, 2], [1-3]
_CITE_RE = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;\u2013-]\s*\d{1,3})*)\s*\]")
_HEADING_RE = re.compile(
    r"^\s*(#{1,6}\s*)?([*_]{0,2})\s*(bottom line|key considerations?|clinical approach|research findings?|patient information)"
    r"(\s*[*_]{0,2}\s*:?\s*[*_]{0,2}\s*)(.*)$",
    re.I,
)
_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_LABEL_RE = re.compile(r"^[^\[\]]{1,60}:$")  # "Answer:", "From the Guidelines:": a label, not a claim
_MAX_RANGE = 20


class DraftSentence(BaseModel):
    text: str = Field(description="The sentence with its citation markers removed.")
    cited: list[int] = Field(description="Passage numbers as written, in order, duplicates removed.")
    heading: str | None = Field(default=None, description="The HEADINGS key it was written under.")


class ParsedReply(BaseModel):
    sentences: list[DraftSentence]
    not_addressed: bool = Field(description="The model said the passages do not address the question.")


def _numbers(marker: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", marker):
        bounds = [int(x) for x in re.split(r"\s*[\u2013-]\s*", part) if x]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= _MAX_RANGE:
            out.extend(range(bounds[0], bounds[1] + 1))
        else:
            out.extend(bounds)
    return out


def _clean(text: str) -> str:
    text = _CITE_RE.sub("", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))
    return text.strip(" *_")


def parse_reply(reply: str) -> ParsedReply:
    """Sentences with their citations, under the headings the model used; lenient about markdown."""
    from rag.text import sentence_spans

    text = (reply or "").strip()
    if _clean(text).rstrip(".").upper() == NOT_ADDRESSED or (text.upper().startswith(NOT_ADDRESSED) and not _CITE_RE.search(text)):
        return ParsedReply(sentences=[], not_addressed=True)
    sentences: list[DraftSentence] = []
    heading: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.upper() == NOT_ADDRESSED:
            continue
        m = _HEADING_RE.match(line)
        # A heading is marked as one (a colon, markdown, or a line of its own):
        # "Clinical approach to headache starts with ..." is a sentence.
        if m and (":" in m.group(4) or m.group(1) or not m.group(5).strip() or (m.group(2) and re.search(r"[*_]", m.group(4)))):
            key = m.group(3).upper()
            heading = next(h for h in HEADINGS if h.startswith(key.rstrip("S")))
            line = m.group(5).strip()
            if not line:
                continue
        line = _BULLET_RE.sub("", line)
        if _LABEL_RE.match(line):
            continue
        for a, b in sentence_spans(line):
            piece = line[a:b]
            lead = re.match(r"^(\s*\[[^\]]*\])+", piece)
            if lead and sentences and a > 0 and _CITE_RE.search(lead.group()):
                # "... risk. [1] Next sentence." - the leading marker belongs to the previous sentence
                # (on the same line: "- [2] Next bullet." cites for its own bullet).
                prev = sentences[-1]
                prev.cited += [n for n in _numbers_in(lead.group()) if n not in prev.cited]
                piece = piece[lead.end():]
            body = _clean(piece)
            cited = _numbers_in(piece)
            if not re.search(r"[A-Za-z]", body):
                if sentences:  # a marker on its own: it cites for the sentence before it
                    sentences[-1].cited += [n for n in cited if n not in sentences[-1].cited]
                continue
            if any(body == earlier.text for earlier in sentences):  # small models repeat themselves
                continue
            sentences.append(DraftSentence(text=body, cited=cited, heading=heading))
    return ParsedReply(sentences=sentences, not_addressed=False)


def _numbers_in(text: str) -> list[int]:
    seen: list[int] = []
    for m in _CITE_RE.finditer(text):
        for n in _numbers(m.group(1)):
            if n not in seen:
                seen.append(n)
    return seen


class CheckedSentence(BaseModel):
    sentence: DraftSentence
    citations: list[int] = Field(description="The valid passage numbers it cites.")
    supported: bool


class Verification(BaseModel):
    kept: list[CheckedSentence]
    sentences: int
    removed_unsupported: int = 0
    removed_uncited: int = 0
    marked_unsupported: int = 0
    removed_citations: int = 0


def verify_sentences(sentences: list[DraftSentence], passages: dict[int, str], judge: Judge,
                     unsupported: Literal["remove", "mark"] = "remove") -> Verification:
    """Drop citations to unknown passages, drop uncited sentences, and judge the rest against what they cite."""
    out = Verification(kept=[], sentences=len(sentences))
    for s in sentences:
        valid = [n for n in s.cited if n in passages]
        out.removed_citations += len(s.cited) - len(valid)
        if not valid:
            out.removed_uncited += 1
            continue
        supported = judge.supports(s.text, [passages[n] for n in valid])
        if not supported:
            if unsupported == "remove":
                out.removed_unsupported += 1
                continue
            out.marked_unsupported += 1
        out.kept.append(CheckedSentence(sentence=s, citations=valid, supported=supported))
    return out
