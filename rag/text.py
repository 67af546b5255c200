"""Sentence boundaries with character offsets.

Lines are split first (guideline text is full of bullet lists and headings
that carry no final period), then `sentencex` segments each line. Offsets
index into the original text, so chunks and statements stay verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sentencex

_LINE_RE = re.compile(r"[^\n]+")
_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, in order, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    for line in _LINE_RE.finditer(text):
        base = line.start()
        body = line.group()
        bullet = _BULLET_RE.match(body)
        offset = bullet.end() if bullet else 0
        for start, end in _segment(body, offset):
            spans.append((base + start, base + end))
    return spans


def _segment(line: str, pos: int) -> Iterator[tuple[int, int]]:
    for sentence in sentencex.segment("en", line[pos:]):
        piece = sentence.strip()
        if not piece:
            continue
        start = line.find(piece, pos)
        if start < 0:  # segmenter altered the text; fall back to the rest of the line
            rest = line[pos:].strip()
            if rest:
                start = line.index(rest, pos)
                yield start, start + len(rest)
            return
        end = start + len(piece)
        yield start, end
        pos = end


def split_sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]
