"""Whether the retrieved documents are about the question: the share of its subject each one states, and the rare
words of the question that none states (a topic the index lacks, however close the embeddings are)."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence

from rag.answering.rank import SCOPE_RE, Idf, sentence_profile
from rag.question import QuestionFocus
from rag.text import STOPWORDS, WORD_RE, split_sentences
from rag.vocabulary import classes_of, concept_of, concepts, vocabulary_cache, with_parts

_POINTER_WORD_RE = re.compile(r"\b(?:see|refer|adapted|applies|apply|covers?|recommendations? (?:on|about|for))\b", re.I)


@functools.lru_cache(maxsize=4096)
def _without_pointers(text: str) -> str:
    """The passage less its pointers elsewhere and remarks on scope (SCOPE_RE); most passages have none."""
    if not _POINTER_WORD_RE.search(text):
        return text
    return " ".join(s for s in split_sentences(text) if not SCOPE_RE.match(s))


def topic_support(cands: Sequence, focus: QuestionFocus, titles: dict[str, str], idf: Idf, rare_idf: float,
                  title_words: frozenset[str] = frozenset(), off_title_weight: float = 1.0) -> tuple[float, list[str]]:
    """(best share of the topic one retrieved document states, rare topic words that no retrieved document states).
    Sets each candidate's `document_coverage`: the share of the question's subject its own document states.

    A document's concepts are its title's, its retrieved passages' and its candidate sentences'. A rare word of the question (idf >= `rare_idf`: a drug, a species, a condition) that no retrieved
    document mentions means the index does not hold the topic, however close the embeddings are. `rare_idf` is a
    share of the largest idf the index gives, so it means the same in a small index and a large one."""
    per_doc: dict[str, set[str]] = {}
    seen_chunks: set[str] = set()
    for c in cands:
        found = per_doc.setdefault(c.hit.chunk.doc_id, set())
        # A pointer elsewhere or a remark on scope names another guideline's topic ("This recommendation is adapted
        # from the NICE clinical guideline Generalised anxiety disorder ..."): its document is not about that topic.
        if not sentence_profile(c.text).scope:
            found.update(with_parts(concepts(c.text)))
        # A retrieved passage whole: a word may sit in a sentence too short or too broken to quote.
        if c.hit.score > 0 and c.hit.chunk.id not in seen_chunks:
            seen_chunks.add(c.hit.chunk.id)
            found.update(with_parts(concepts(_without_pointers(c.hit.chunk.text))))
    for doc_id, found in per_doc.items():
        found |= with_parts(concepts(titles.get(doc_id, "")))
    _drop_narrower(cands, focus, titles, per_doc)
    others = focus.topic - focus.subject
    subject = {doc_id: focus.coverage(found, others) if focus.subject else 1.0 for doc_id, found in per_doc.items()}
    for c in cands:
        c.document_coverage = subject[c.hit.chunk.doc_id]
    # A follow-up's new constraint ("dry cough on lisinopril") is checked on its own (selection._constraint_unmet):
    # whether the index holds the conversation's topic is read from the rest.
    # Of the rest, the words guidelines are about (their titles' words) weigh more than a vignette's details.
    weights = {c: w if c in title_words else off_title_weight * w for c, w in focus.weights.items()} \
        if title_words else focus.weights
    best, best_found = max(((focus.coverage(found, focus.constraint, weights), found) for found in per_doc.values()),
                           key=lambda p: p[0], default=(0.0, set()))
    # What the clause that asks is about ("... suspected pelvic bleed. Should we be giving TXA?"), not the words that
    # ask ("what's the first imaging test to order?") nor the kind of answer wanted. All of it is what is asked, so
    # none of its words weighs less for being off every title.
    asking = (focus.clause & focus.subject) - focus.answer_class
    focus.clause_coverage = max((focus.coverage(found, focus.topic - asking) for found in per_doc.values()),
                                default=0.0) if asking and asking != focus.topic else 0.0
    lacking = focus.topic - focus.constraint - focus.named(best_found) - set(focus.aliases)
    focus.uncovered = sorted(lacking, key=lambda c: (-weights.get(c, 1.0), c))
    seen = set().union(*per_doc.values()) if per_doc else set()
    # What the asking clause is about, not a vignette's detail ("starting RIPE today") nor the kind of answer
    # wanted ("which antifibrotic drugs"), decides that the index lacks the topic.
    about = (focus.clause or focus.topic) - focus.answer_class - focus.constraint
    seen = focus.named(seen)
    rare = rare_idf * idf.max
    # A code ("G4", "CHA2DS2") is written many ways ("G 4", "CHA 2 DS 2"): not finding it is no sign of a gap.
    # Nor is a drug whose class the index states ("ramipril" where guidelines speak of ACEI).
    missing = sorted(c for c in focus.topic & about if c not in seen and idf(c) >= rare and not _redone(c, idf, rare)
                     and not _versioned(c, idf)
                     and not any(ch.isdigit() for ch in c) and not classes_of(c, whole=True) & seen)
    return best, missing


def everyday_concepts(text: str, vocabulary: Collection[str]) -> frozenset[str]:
    """The concepts of `text`'s words of everyday English: whole words of the encoder's general vocabulary ("keen",
    "Gail", "booking"). A word the index lacks is a topic it lacks when it is a condition or a drug, and those it lacks
    are rarely everyday words ("vitiligo", "lice" and "Ebola" are word pieces there). Not an acronym ("ALL")."""
    return frozenset(concept_of(w.lower()) for w in WORD_RE.findall(text)
                     if w.isalpha() and not w.isupper() and len(w) > 2 and w.lower() in vocabulary)


def _versioned(concept: str, idf: Idf) -> bool:
    """A score or code the index spells with its version ("QRISK" where guidelines write "QRISK2")."""
    vocab = getattr(idf, "vocab", {})
    return any(concept + d in vocab for d in "0123456789")


def _redone(concept: str, idf: Idf, rare: float) -> bool:
    """A known act done again ("when to rescan?", "retest", "redose", "redo"): the asker's word, not a topic the index lacks."""
    root = concept[2:]
    return concept.startswith("re") and (root in STOPWORDS or len(root) >= 4 and min(idf(root), idf(root + "e")) < rare)


def _drop_narrower(cands: Sequence, focus: QuestionFocus, titles: dict[str, str], per_doc: dict[str, set[str]]) -> None:
    """A document whose every mention of the question's condition names a narrower one that the question does not
    ("interstitial cystitis" throughout, for uncomplicated cystitis; "pulmonary hypertension" for hypertension) does not
    state the condition."""
    # A bare condition admits its kinds ("rhinitis" is answered by allergic rhinitis); one the question qualifies
    # ("uncomplicated cystitis") is not answered by another kind of it. In a longer subject, only a word another of
    # its words qualifies ("dog bite" is not answered by "tick bites" throughout): a vignette's other words are read
    # as they are (all of them, tried: false abstention 0.054 -> 0.072 on the tuning half).
    tokens = _TOKEN_RE.findall(focus.text.lower())
    qualified = {c: _qualifiers(c, tokens) for c in focus.subject if not c.startswith("zz") and c.isalpha()}
    longer = len(focus.subject) > 1
    if longer:  # not by a course or stage ("acute bronchitis"), which the kinds of a condition read (rank.py)
        qualified = {c: q & focus.subject - _kind_words() for c, q in qualified.items()}
    words = {c for c, q in qualified.items() if q}
    if not words:
        return
    texts: dict[str, list[str]] = {}
    for c in cands:
        doc_texts = texts.setdefault(c.hit.chunk.doc_id, [titles.get(c.hit.chunk.doc_id, "")])
        if c.hit.chunk.text not in doc_texts:
            doc_texts.append(c.hit.chunk.text)
    asked = concepts(focus.text) | _kind_words()
    for doc_id, found in per_doc.items():
        for word in words & found:
            # The qualifier stated elsewhere in it may qualify the word there in other words ("egg freezing" where
            # it says "oocyte" and "embryo freezing").
            if longer and qualified[word] & found:
                continue
            if _narrower_only(word, texts.get(doc_id, ()), asked):
                found.discard(word)


def _narrower_only(concept: str, texts: Sequence[str], asked: frozenset[str]) -> bool:
    """Every mention of `concept` in `texts` follows a word that names a narrower condition: one neither asked about
    (`asked`) nor a function word ("of cystitis", "uncomplicated cystitis" when asked so)."""
    mentions = 0
    for text in texts:
        tokens = _TOKEN_RE.findall(text.lower())
        for i, token in enumerate(tokens):
            if concept_of(token) != concept:
                continue
            mentions += 1
            before = tokens[i - 1] if i else ""
            if not before.isalpha() or before in STOPWORDS or concept_of(before) in asked:
                return False
    return mentions > 0


def _qualifiers(concept: str, tokens: Sequence[str]) -> set[str]:
    """The words the question puts right before `concept` to say which kind of it ("uncomplicated cystitis")."""
    return {concept_of(tokens[i - 1]) for i, t in enumerate(tokens)
            if i and concept_of(t) == concept and tokens[i - 1].isalpha() and tokens[i - 1] not in STOPWORDS}


_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'s)?|[^\sa-z0-9]")


@vocabulary_cache(maxsize=1)
def _kind_words() -> frozenset[str]:
    """Words that say which course or stage of a condition, not another condition: "acute", "recurrent", "severe"."""
    return concepts("acute chronic recurrent recurring persistent suspected confirmed known new newly active "
                    "untreated treated established diagnosed existing current previous prior ongoing early advanced "
                    "first initial mild moderate severe uncomplicated complicated symptomatic asymptomatic provoked "
                    "unprovoked")
