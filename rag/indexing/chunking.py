"""Section-aware, sentence-respecting chunks bounded by the embedder's token limit.

all-MiniLM-L6-v2 silently truncates input past 256 word pieces, so a chunk
whose embedded text (title prefix + passage) is longer would lose text from
the index. Every chunk is measured with the embedder's own tokenizer and cut
below that limit; a sentence too long on its own is cut at word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from rag.settings import Settings
from rag.text import sentence_spans
from rag.types import Chunk, Document

CountBatch = Callable[[Sequence[str]], list[int]]
_SPECIAL = 2  # [CLS] and [SEP]
# Bumped when the same settings cut different chunks, so an index built before is rebuilt (index_fingerprint).
# 2: a list's intro is packed with its items. 3: capitalised items stay with their intro (rag.text.quotable_spans, whose
# spans an index stores with their vectors).
CHUNKER_VERSION = 3
_WORD_RE = re.compile(r"\S+")


def short_title(title: str, max_chars: int = 80) -> str:
    """The topic part of a title: guideline titles put it before the first colon
    ("Practice guidelines for obstetric anesthesia: an updated report by ...")."""
    head = title.strip().split(": ", 1)[0].rstrip(" .")
    if len(head) > max_chars:
        head = head[:max_chars].rsplit(" ", 1)[0] + "…"
    return head


def embed_prefix(title: str, section: str, mode: str = "title") -> str:
    """The context put before a chunk's text when it is embedded (never stored in the chunk)."""
    section = section.strip()
    if mode == "none" or (mode == "section" and not section):
        return ""
    if mode == "section":
        return f"{section}: "
    topic = short_title(title)
    label = f"{topic} — {section}" if topic and section else topic or section
    return f"{label}: " if label else ""


def bm25_text(chunk: Chunk, title: str) -> str:
    """What BM25 indexes: title and section words match lexically without diluting anything."""
    return f"{title}\n{chunk.section}\n{chunk.text}"


class Chunker:
    def __init__(self, settings: Settings, count_batch: CountBatch, model_limit: int):
        c = settings.chunking
        self.limit = min(c.max_tokens or model_limit, model_limit)
        self.target = min(c.target_tokens, self.limit)
        self.overlap = c.overlap_sentences
        self.prefix = c.prefix
        self.count_batch = count_batch

    def chunk(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        for index, section in enumerate(doc.sections):
            prefix = embed_prefix(doc.title, section.title, self.prefix)
            for c in self._section_chunks(doc, index, section.title, section.text, prefix):
                c.page = section.page_at(c.start)  # the page a citation of this passage points to (paged sources)
                chunks.append(c)
        return chunks

    def _section_chunks(self, doc: Document, index: int, title: str, text: str, prefix: str) -> Iterator[Chunk]:
        spans = self._fitting_spans(text, prefix)
        if not spans:
            return
        piece_tokens = self._piece_tokens([text[a:b] for a, b in spans])
        prefix_tokens = self._piece_tokens([prefix])[0] if prefix else 0
        groups = self._pack(piece_tokens, prefix_tokens, [text[a:b].endswith(":") for a, b in spans])
        candidates = [(spans[g[0]][0], spans[g[-1]][1]) for g in groups]
        counts = self.count_batch([prefix + text[a:b] for a, b in candidates])
        for (start, end), n, group in zip(candidates, counts, groups):
            if n > self.limit:
                # Word pieces of joined sentences can exceed their sum; split the group and re-measure.
                for a, b in self._split_span(text, spans[group[0]][0], spans[group[-1]][1], prefix):
                    yield self._make(doc, index, title, text, a, b, prefix)
                continue
            yield Chunk(
                id=Chunk.make_id(doc.id, index, start, end), doc_id=doc.id, kind=doc.kind,
                section_index=index, section=title, start=start, end=end, text=text[start:end], n_tokens=n,
            )

    def _make(self, doc: Document, index: int, title: str, text: str, a: int, b: int, prefix: str) -> Chunk:
        n = self.count_batch([prefix + text[a:b]])[0]
        return Chunk(id=Chunk.make_id(doc.id, index, a, b), doc_id=doc.id, kind=doc.kind, section_index=index,
                     section=title, start=a, end=b, text=text[a:b], n_tokens=n)

    def _piece_tokens(self, pieces: Sequence[str]) -> list[int]:
        return [n - _SPECIAL for n in self.count_batch(pieces)]

    def _fitting_spans(self, text: str, prefix: str) -> list[tuple[int, int]]:
        """Sentence spans, with any sentence too long for one chunk cut at word boundaries."""
        spans = sentence_spans(text)
        if not spans:
            return []
        budget = self.limit
        counts = self.count_batch([prefix + text[a:b] for a, b in spans])
        out: list[tuple[int, int]] = []
        for (a, b), n in zip(spans, counts):
            out.extend([(a, b)] if n <= budget else self._split_span(text, a, b, prefix))
        return out

    def _split_span(self, text: str, a: int, b: int, prefix: str) -> list[tuple[int, int]]:
        """Cut text[a:b] at word boundaries into pieces whose embedded text fits the limit."""
        words = [(a + m.start(), a + m.end()) for m in _WORD_RE.finditer(text[a:b])]
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            lo, hi = i + 1, len(words)
            # Largest j such that words[i:j] fits: binary search on measured length.
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.count_batch([prefix + text[words[i][0]:words[mid - 1][1]]])[0] <= self.limit:
                    lo = mid
                else:
                    hi = mid - 1
            out.append((words[i][0], words[lo - 1][1]))
            i = lo
        return out

    def _pack(self, piece_tokens: list[int], prefix_tokens: int, intros: Sequence[bool] = ()) -> list[list[int]]:
        """Greedy packing of sentences up to the target size, with optional sentence overlap. A list's intro
        ("Offer X to people who:", `intros`) starts the next chunk with its items rather than end one without them:
        alone it is no statement, and its items alone say nothing of what they list."""
        groups: list[list[int]] = []
        current: list[int] = []
        base = prefix_tokens + _SPECIAL
        size = base
        for i, n in enumerate(piece_tokens):
            if current and size + n > self.target:
                carried: list[int] = []
                while len(current) > 1 and intros and intros[current[-1]]:
                    carried.insert(0, current.pop())
                groups.append(current)
                kept = current[-self.overlap:] if self.overlap else []
                current = kept + carried
                size = base + sum(piece_tokens[j] for j in current)
                if kept and size + n > self.target:
                    current = carried
                    size = base + sum(piece_tokens[j] for j in current)
            current.append(i)
            size += n
        if current:
            groups.append(current)
        return groups
