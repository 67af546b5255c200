"""Rank candidate sentences by whether they answer the question, not only by cosine.

A sentence's score is its cosine to the question (kept in `relevance`, which the
abstention threshold is calibrated on) plus weighted cues (`FEATURES`):

- topic coverage: the idf-weighted share of the question's topic concepts that the
  sentence states, alone and with its guideline's title and section heading;
- asks: the sentence states the kind of thing asked for (a drug, a dose, an interval...);
- recommendation: a directive or graded recommendation; one *against* something, a
  harms section or a diagnostic sentence count against it unless that is what is asked;
- constraint: a follow-up's new constraint (cancer, pregnancy...) appears in the sentence;
- retrieval: how high the sentence's guideline and passage ranked;
- finer cues (rag/answering/cues.py): it names a drug when one is asked for, its age or time ranges
  fit the patient's, its leading condition is for other patients;
- sub-heading (rag/answering/headings.py): what the heading it sits under is about;
- local terms: the question's words weighted by their rarity among the same guideline's sentences,
  which is what tells one recommendation of a guideline from another;
- title relevance: the cosine between the guideline's title and the question.
- excluded: the sentence is for patients with what the patient does not have, or of the opposite kind
  (rag/answering/kinds.py: chronic for acute pain).

The weights (`settings.answer.rank`) are fitted by `guideqa eval fit-ranker` on the
tuning half of evals/data/answer_quality_dev.jsonl only.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from rag.answering.headings import heading_fits, is_meta_heading
from rag.answering.kinds import of_other_kind, opposite_kinds, prevents_asked, screens_for_had, asks_no_test, treating
from rag.answering.cues import (
    QUANTITY_RE,
    Range,
    condition_populations,
    leading_condition,
    measure_fits,
    measures,
    named_drugs,
    names_drug,
    population_conflict,
    question_quantities,
    ranges_fit,
    sentence_ranges,
    stated_populations,
    whom,
    without_ages,
)
from rag.question import AGAINST_RE, DEFINITION_RE, DIAGNOSIS_RE, RECOMMENDATION_RE, QuestionFocus, states, topic_concepts
from rag.lexicon import ROUTES
from rag.negation import negated_spans, negated_text
from rag.settings import RankSettings
from rag.text import find_grade
from rag.vocabulary import (
    classes_of,
    concepts,
    drug_class_concepts,
    drug_class_phrases,
    expansion_of,
    spelled_out,
    vocabulary_cache,
    with_kinds,
    with_parts,
)

_HARMS_SECTIONS = ("potential harms", "contraindications", "fda warning")
FEATURES = ("coverage", "sentence_coverage", "asks", "recommendation", "against", "harms_section", "diagnostic",
            "graded", "constraint", "population_mismatch", "document_rank", "retrieved", "novelty", "unasked_condition",
            "names_drug", "specific_asks", "quantity_fit", "condition_conflict", "heading_topic", "heading_ask",
            "heading_meta", "heading_population", "local_terms", "local_clause_terms", "dangling", "title_relevance",
            "excluded", "document_coverage")
_SPECIFIC_ASKS = ("dose", "duration", "interval", "when", "target")  # asks a sentence answers with a number


class Idf:
    """idf(concept) from the BM25 index's document frequencies; a word no passage holds gets `max`."""

    def __init__(self, bm25):
        self.vocab = getattr(bm25, "vocab_dict", None) or {}
        self.indptr = np.asarray(bm25.scores["indptr"])
        self.n = max(int(bm25.scores.get("num_docs", 1)), 1)
        self.max = math.log(1 + self.n)

    def __call__(self, concept: str) -> float:
        if concept.startswith("zz"):  # an abbreviation token: as informative as its rarest word
            return max((self(s) for s in expansion_of(concept)), default=self.max)
        tid = self.vocab.get(concept)
        if tid is None:  # the index's Snowball stem may keep the "i" that concepts drop (rag.vocabulary._stem_lower)
            tid = self.vocab.get(concept + "i")
        if tid is None or tid + 1 >= len(self.indptr):
            return self.max
        df = int(self.indptr[tid + 1] - self.indptr[tid])
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


def feature_matrix(cands: Sequence, focus: QuestionFocus, titles: dict[str, str]) -> np.ndarray:
    """One row of FEATURES per candidate; also sets each candidate's `coverage` and `title_populations`."""
    context: dict[tuple[str, str], set[str]] = {}
    doc_rank: dict[str, int] = {}
    for c in cands:
        if c.hit.score > 0:
            doc_rank.setdefault(c.hit.chunk.doc_id, len(doc_rank))
    rows = np.zeros((len(cands), len(FEATURES)), dtype=np.float32)
    asked = concepts(focus.text)
    quantities = question_quantities(focus.text)
    kinds, treats = opposite_kinds(focus.text), treating(focus.text, focus.asks)
    topic_parts = with_parts(frozenset(focus.topic)) if kinds else frozenset()
    had = focus.has if asks_no_test(focus.asks) and not DIAGNOSIS_RE.search(focus.text) else frozenset()
    specific = [a for a in focus.asks if a in _SPECIFIC_ASKS]
    # The drugs the question names, or the class it asks a dose of ("diuretic doses for ascites?").
    dosed = named_drugs(focus.text) | (asked & drug_class_concepts()) if "dose" in focus.asks else frozenset()
    measured = measures(focus.text) if "target" in focus.asks else frozenset()  # "what BP target?"
    stated: list[frozenset[str]] = []
    others = focus.topic - focus.subject
    wanted = focus.constraint or focus.qualifier  # a follow-up's constraint, else what the patient has beside
    for i, c in enumerate(cands):
        chunk = c.hit.chunk
        key = (chunk.doc_id, chunk.section)
        if key not in context:
            context[key] = with_parts(concepts(titles.get(chunk.doc_id, "")) | concepts(chunk.section))
        p, h = sentence_profile(c.text), sentence_profile(c.heading)
        c.title_populations = title_populations(titles.get(chunk.doc_id, ""))
        stated.append(p.own | h.own)
        c.coverage = focus.coverage(p.covers | context[key])
        # A lead is replaced only by one on the subject too (bottom_line._lead_with, which reads guideline leads only).
        c.subject_coverage = focus.coverage(with_kinds(p.covers | h.covers | context[key]), others) \
            if focus.subject and chunk.kind == "guideline" else 1.0
        # A dose is the dose of a drug the question names, when it names one: "boluses of 20 ml/kg" of fluids does
        # not answer "what dose of adrenaline?". The sentence, its sub-heading or its guideline's title names it.
        c.dose_of_asked = not dosed or bool(dosed & _with_classes(with_parts(p.own | h.own) | context[key]))
        # So is a target of the measure asked about: "a target HbA1c of ~7.0%" does not answer "what BP target?".
        c.target_of_asked = not measured or measure_fits(measured, c.text, c.heading)
        guideline = chunk.kind == "guideline"
        harms_section = from_harms(c)
        rows[i] = (
            c.coverage,
            focus.coverage(p.covers),
            _share(p, focus.asks, c.dose_of_asked, c.target_of_asked),
            guideline and p.recommendation,
            guideline and not focus.against_ok and p.against,
            harms_section and not focus.against_ok,
            "test" not in focus.asks and p.diagnostic,
            guideline and p.graded,
            len(wanted & p.affirmed) / len(wanted) if wanted else 0.0,
            population_conflict(focus.populations, whom(p.populations, c.title_populations)),
            1.0 / (1 + doc_rank.get(chunk.doc_id, len(doc_rank))),
            c.hit.score > 0,
            _novelty(p.own, asked),
            len(p.condition - asked) / len(p.condition) if p.condition else 0.0,
            "drug" in focus.asks and p.names_drug_of(focus.drug_kind, not focus.open),
            _given(p, specific, c.dose_of_asked, c.target_of_asked),
            (ranges_fit(quantities, p.ranges) or ranges_fit(quantities, h.ranges)) if quantities else 0.0,
            p.condition_populations is not None and population_conflict(focus.populations, p.condition_populations),
            focus.coverage(h.covers) if c.heading else 0.0,
            heading_fits(c.heading, focus.asks),
            bool(c.heading) and is_meta_heading(c.heading),
            _population_fit(focus.populations, h.populations) if c.heading else 0.0,
            0.0,
            0.0,
            p.dangling,
            c.title_relevance,
            1.0 if (kinds and of_other_kind(kinds, p.affirmed | h.affirmed, topic_parts))
            or (treats and prevents_asked(c.text, focus.has)) or (had and screens_for_had(c.text, had))
            else _excluded_fit(focus.excluded, p, h, focus.has),
            c.document_coverage,
        )
    # "... - what's the next step?": a clause that asks without naming a topic leaves the whole question's words.
    clause = focus.clause or focus.topic
    rows[:, FEATURES.index("local_terms")] = local_share(cands, stated, focus.topic)
    rows[:, FEATURES.index("local_clause_terms")] = local_share(cands, stated, clause)
    return rows


def from_harms(cand) -> bool:
    """A guideline sentence from its harms, contraindications or FDA warning section."""
    chunk = cand.hit.chunk
    return chunk.kind == "guideline" and chunk.section.lower().startswith(_HARMS_SECTIONS)


def _share(p: SentenceProfile, asks: Sequence[str], dose_of_asked: bool, target_of_asked: bool = True) -> float:
    """The share of `asks` the sentence states, where a dose counts only if it is `dose_of_asked`, a target only if
    `target_of_asked`."""
    share = p.share(asks)
    if share and not dose_of_asked and "dose" in asks:
        share -= p.states("dose") / len(asks)
    if share and not target_of_asked and "target" in asks:
        share -= p.states("target") / len(asks)
    return share


def _with_classes(stated: frozenset[str]) -> frozenset[str]:
    """What a sentence states, and the classes of the drugs it names: "spironolactone 100 mg" is a diuretic's dose."""
    return stated.union(*(classes_of(c) for c in stated))


def _given(p: SentenceProfile, asks: Sequence[str], dose_of_asked: bool, target_of_asked: bool = True) -> float:
    """As _share, a quantity counting fully only when the sentence gives it (SentenceProfile.gives)."""
    if not asks:
        return 0.0
    return sum(p.gives(a) for a in asks if (a != "dose" or dose_of_asked) and (a != "target" or target_of_asked)) / len(asks)


def local_share(cands: Sequence, stated: Sequence[frozenset[str]], terms: set[str]) -> np.ndarray:
    """Per candidate, the share of `terms` it states (with its sub-heading), each term weighted by how rare it is
    among the candidates of the same document. Within one guideline every sentence names its condition; the words
    that tell its recommendations apart ("treatment", "carbon monoxide", "lymphoma") are the rare ones there."""
    out = np.zeros(len(cands), dtype=np.float32)
    if not terms:
        return out
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        by_doc.setdefault(c.hit.chunk.doc_id, []).append(i)
    for rows in by_doc.values():
        df = Counter(t for i in rows for t in stated[i] & terms)
        weight = {t: math.log(1 + len(rows) / (df.get(t, 0) + 0.5)) for t in terms}
        total = sum(weight.values())
        for i in rows:
            out[i] = sum(w for t, w in weight.items() if t in stated[i]) / total
    return out


# "It is therefore necessary ...", "Conversely, ...", "These patients ...": a sentence that leans on the one before
# it says less than it seems to when quoted alone.
DANGLING_RE = re.compile(r"^\W*(it is therefore|therefore|thus|hence|conversely|however|moreover|furthermore|in addition|"
                         r"additionally|also|otherwise|similarly|likewise|nevertheless|in contrast|this|these|those|such|"
                         r"it|they|there)\b"
                         r"|^(?-i:[a-z]{2,})\b"  # a lower-case word: the tail of a sentence split in two
                         # A list's later items without its intro ("Who cannot use the device ... or"), not a question.
                         r"|^\W*(?:who|whose|whom|and|or)\b(?![^?]*\?)", re.I)
# "Azithromycin is also an acceptable agent", "Evidence also showed", "doxycycline is an additional option", "Other
# treatment options may be appropriate": an addition to what came before.
ALSO_RE = re.compile(r"^\W*(?:also\b|(?:[\w()-]+,?\s+){1,5}?(?<!who )(?<!that )(?<!which )also\b|other (?!than\b)"
                     r"|[^.;:]{0,80}\b(?:is|are) (?:an )?additional (?:option|agent|choice|alternative)s?\b)", re.I)
# "Remarks : These recommendations do not apply to ...", "This recommendation applies to adults ...": about the
# recommendation (its scope, its basis), not what to do. "The guideline authors recommend ..." is a recommendation.
# So are a pointer elsewhere ("For recommendations on ..., see the NGC summary of ...", "Follow the treatment
# recommendations in the NICE guideline ..."), no recommendation ("No recommendation can be made regarding ...") and a
# grade's wording alone ("Strong recommendation based on high-quality randomized controlled trials ...").
SCOPE_RE = re.compile(r"^\W*(?:remarks?\s*:|(?:these|this|the|such|both|all|each) (?:recommendations?|guidelines?|statements?|"
                      r"guidance) (?:applies|apply|does|do|did|is|are|was|were|has|have|covers?|focus\w*|address\w*|includes?|"
                      r"excludes?|relates?|pertains?)\b"
                      r"|(?:for (?:recommendations?|more information|further information|details|guidance) (?:on|about) [^,]{0,120},\s*)?"
                      r"(?:please )?(?:see|refer to)\b|follow the (?:\w+ )?recommendations in\b"
                      # How the recommendation was reached: "The Committee considered that ...", "The GDG agreed ...".
                      r"|(?:the )?(?:committee|guideline development group|gdg|panel|work ?group|task force|writing group|"
                      r"(?:guideline )?authors)(?:\s*\([^()]{1,12}\))?\s+(?:also\s+)?(?:considered|noted|agreed|felt|discussed|acknowledged|recogni[sz]ed|"
                      r"(?:was|were) aware|decided|looked at|debated|searched|appraised|reviewed|set out|did not)\b"
                      # What the update did: "Recommendations about statins ... have been removed from the update".
                      r"|recommendations? (?:about|on|for)\b[^.]{0,120}\b(?:has|have) been (?:removed|withdrawn|replaced|superseded)\b"
                      r"|no recommendation (?:can|could) be made\b|(?:strong|weak|conditional|moderate) recommendation based on\b"
                      # "Periodic assessment of ... is required to implement this recommendation."
                      r"|.{0,200}?\b(?:to implement|implementing|to apply|in applying|to support) (?:this|these|the) recommendations?\b"
                      # "... are not considered screening and are not the focus of this recommendation."
                      r"|.{0,200}?\b(?:is|are) not the (?:focus|subject) of (?:this|these|the) (?:recommendations?|statements?|"
                      r"guidelines?)\b)",
                      re.I)
# "Minimal or absent responses suggest a need for ...", "disease progression after first-line therapy": a next step
# for patients whom a first treatment failed.
AFTER_FAILURE_RE = re.compile(r"\b(?:fail(?:ed|s|ure)?\s+(?:to\s+(?:respond|improve)|of|after|on|with)|(?:minimal|absent|no|poor|"
                              r"inadequate|partial|incomplete|insufficient)\s+(?:clinical\s+)?respon(?:se|ses|ders?)\b|"
                              r"non-?respon\w+|refractory|despite|breakthrough|(?:do|does|did|have|has)\s+not\s+respond\w*|not\s+responded|unresponsive|"
                              r"second[- ]line|third[- ]line|progress\w*\s+(?:on|after|during|despite)|relaps\w*|"
                              r"intoleran\w+|not\s+tolerated|cannot\s+tolerate|not\s+improv\w*|no\s+improvement|"
                              r"not\s+(?:getting\s+)?better|not\s+working|did\s?n.?t\s+work|not\s+successful|unsuccessful|"
                              # "if the target is not reached with dual therapy", "has not continued to control HbA1c"
                              r"(?:is|are|has|have)\s+not\s+(?:been\s+)?(?:reached|achieved|attained|reduced|continued\s+to\s+control)|"
                              r"(?:first|second|third|multiple|further|subsequent|greater)\s+recurrences?|"
                              # "in patients who have failed the aforementioned treatments"
                              r"(?:have|has|had)\s+failed\b|"
                              # When to stop, a step after the treatment: "... should be discontinued if there is
                              # evidence of disease progression"
                              r"\b(?:discontinu\w+|stopp?(?:ed)?|withdrawn)\s+if\b|"
                              r"recurren(?:ces?|t\s+(?:episodes?|infections?|disease)))", re.I)
# A glossary entry: "Recurrent CDI: Recurrent symptoms and positive testing ... within 8 weeks of prior episode."
_GLOSSARY_RE = re.compile(r"^[A-Z][\w-]*(?:\s+[\w()-]+){0,4}\s?:\s+\S")
_PATIENTS_WITH_RE = re.compile(r"(?<!including )(?<!even )\b(?:patients|people|persons|adults|individuals|women|men|"
                               r"children|those)\s+with\s+(?!or without\b)((?:[\w-]+\s+){0,3}[\w-]+)", re.I)
# "and no cancer", "without renal impairment", "non-pregnant": a constraint the sentence excludes.
_NEGATED_RE = re.compile(r"\b(?:no|without|non|not)[- ]+(?:\w+[- ]+)?\w+", re.I)


def _novelty(own: frozenset[str], asked: frozenset[str]) -> float:
    """The share of the sentence's concepts the question does not state: an answer names the drug, the dose, the
    test; a sentence that restates the question names nothing new."""
    return len(own - asked) / len(own) if own else 0.0


class SentenceProfile:
    """What the ranker reads off a sentence's text alone: each cue on first use, then kept with the text (a
    follow-up re-ranks the same sentences)."""

    def __init__(self, text: str):
        self.text = text
        self.own = concepts(text)
        self.covers = with_parts(self.own)  # for coverage of a question's words, not for what it adds to them
        self._asks: dict[str, bool] = {}

    def states(self, ask: str) -> bool:
        if ask not in self._asks:  # an age is no duration ("in women age ≤60 years")
            self._asks[ask] = states(ask, without_ages(self.text) if ask == "duration" else self.text)
        return self._asks[ask]

    def share(self, asks: Sequence[str]) -> float:
        return sum(self.states(a) for a in asks) / len(asks) if asks else 0.0

    def gives(self, ask: str) -> float:
        """1 for a quantity asked for with its unit ("81 mg/d", "for 3 months"), half for only its word ("the dosage
        ... varied across studies")."""
        if ask not in QUANTITY_RE or not self.states(ask):
            return float(self.states(ask))
        text = without_ages(self.text) if ask == "duration" else self.text
        return 1.0 if QUANTITY_RE[ask].search(text) else 0.5

    @functools.cached_property
    def affirmed(self) -> frozenset[str]:
        """Concepts outside what the sentence excludes ("and no cancer")."""
        return concepts(_NEGATED_RE.sub(" ", self.text)) if _NEGATED_RE.search(self.text) else self.own

    @functools.cached_property
    def excluded(self) -> frozenset[str]:
        """What the sentence's patients do not have ("and no cancer", "without CKD")."""
        return concepts(negated_text(self.text))

    @functools.cached_property
    def exclusions(self) -> tuple[frozenset[str], ...]:
        """Each excluded item's topic concepts, one set per item."""
        return tuple(frozenset(topic_concepts(self.text[a:b])) for a, b in negated_spans(self.text))

    @functools.cached_property
    def recommendation(self) -> bool:
        return bool(RECOMMENDATION_RE.search(self.text))

    @functools.cached_property
    def against(self) -> bool:
        return bool(AGAINST_RE.search(self.text))

    @functools.cached_property
    def diagnostic(self) -> bool:
        """It is about diagnosing, not for patients already diagnosed ("patients with a clinical diagnosis of AR")."""
        return bool(DIAGNOSIS_RE.search(_DIAGNOSED_RE.sub(" ", self.text) if "iagnos" in self.text else self.text))

    @functools.cached_property
    def graded(self) -> bool:
        return find_grade(self.text) is not None

    @functools.cached_property
    def drug(self) -> bool:
        return names_drug(self.text)

    @functools.cached_property
    def drug_classes(self) -> frozenset[str]:
        """The classes of the drugs it names ("amoxicillin": antibacterial, penicillin; "LMWH": anticoagulant)."""
        return frozenset().union(*(classes_of(c) for c in self.own))

    def names_drug_of(self, kinds: set[str], whether: bool) -> bool:
        """It names a drug of one of `kinds` ("amoxicillin" for "which antibiotic?", not "mesalamine"), or any drug
        when no kind is asked for. Asked whether to give one ("do I need antibiotics?"), the class itself answers."""
        if not kinds or not self.drug:
            return self.drug or (whether and bool(kinds & self.own))
        return bool(kinds & self.drug_classes) or self.unclassed_drug

    @functools.cached_property
    def given_drugs(self) -> frozenset[str]:
        """The drugs it names and does not exclude, when it advises: what it would have the patient take (a subset of
        `affirmed`; spelling a sentence out is dear, so test that first)."""
        if not self.recommendation or self.against:
            return frozenset()
        named = named_drugs(spelled_out(self.text)) & self.affirmed  # "MTX" too
        # And a class named in more than one word: "prescribe beta-blockers".
        return named.union(*(cls for cls in drug_class_phrases() if cls <= self.affirmed))

    @functools.cached_property
    def unclassed_drug(self) -> bool:
        """It names a drug of no class the lexicon knows, which may be of the kind asked for ("mesalamine", an
        aminosalicylate, is known not to be an antibiotic)."""
        return any(not classes_of(c) for c in named_drugs(self.text))

    @functools.cached_property
    def dangling(self) -> bool:
        return bool(DANGLING_RE.match(self.text))

    @functools.cached_property
    def addition(self) -> bool:
        return bool(ALSO_RE.match(self.text))

    @functools.cached_property
    def scope(self) -> bool:
        return bool(SCOPE_RE.match(self.text))

    @functools.cached_property
    def after_failure(self) -> bool:
        return bool(AFTER_FAILURE_RE.search(self.text))

    @functools.cached_property
    def definition(self) -> bool:
        return bool(DEFINITION_RE.search(self.text)) or (bool(_GLOSSARY_RE.match(self.text)) and not self.recommendation)

    @functools.cached_property
    def populations(self) -> frozenset[str]:
        return stated_populations(self.text)

    @functools.cached_property
    def ranges(self) -> tuple[Range, ...]:
        return tuple(sentence_ranges(self.text))

    @functools.cached_property
    def _condition(self) -> str | None:
        return leading_condition(self.text)

    @functools.cached_property
    def condition(self) -> frozenset[str]:
        """The leading condition's concepts ("In patients with ... and active cancer,"), less what it excludes: a
        question that never mentions cancer is about patients without it."""
        return concepts(_NEGATED_RE.sub(" ", self._condition)) if self._condition else frozenset()

    @functools.cached_property
    def patients_with(self) -> frozenset[str]:
        """What the patients it names have, wherever it names them ("... treatment of choice in hypertensive patients
        with Type 2 diabetes"), not those it also includes ("including those with diabetes")."""
        found = [m.group(1) for m in _PATIENTS_WITH_RE.finditer(self.text)] if " with " in self.text else []
        return with_parts(concepts(" ".join(found))) if found else frozenset()

    @functools.cached_property
    def condition_populations(self) -> frozenset[str] | None:
        """The patient groups the leading condition names; None without one."""
        return condition_populations(self.text)


# Whom it is for: "with a (clinical) diagnosis of", "diagnosed with", "newly diagnosed", "at diagnosis".
_DIAGNOSED_RE = re.compile(r"\b(?:with|have|has|had|given) an? (?:[\w-]+ )?diagnosis of\b|\bdiagnosed (?:with|as having)\b|"
                           r"\b(?:newly|recently|already|previously) diagnosed\b|\b(?:at|after|since) (?:the )?diagnosis\b",
                           re.I)


@vocabulary_cache(maxsize=32768)
def sentence_profile(text: str) -> SentenceProfile:
    return SentenceProfile(text)


@vocabulary_cache(maxsize=4096)
def title_populations(title: str) -> frozenset[str]:
    return stated_populations(title)


def _population_fit(asked: set[str], stated: frozenset[str]) -> float:
    """+1: the heading names the patient group asked about; -1: it names only groups that exclude it."""
    if asked & stated:
        return 1.0
    return -1.0 if population_conflict(asked, stated) else 0.0


def _excluded_fit(excluded: set[str], p: SentenceProfile, h: SentenceProfile, has: set[str]) -> float:
    """-1: the sentence is for patients without what the question's patient does not have ("... and no cancer");
    +1: its leading condition, patient groups or sub-heading name it ("In patients with CKD, ..."), or the sentence
    is for patients without what the question's patient has ("severe asthma without ABPA" once ABPA is confirmed), or it
    gives a drug the patient cannot have ("Methotrexate should be the preferred initial therapy ...")."""
    if excluded:  # most questions exclude nothing: the sentence's negations need not be read for them
        if excluded & p.excluded:
            return -1.0
        if excluded & (p.condition | p.populations | h.affirmed) or gives_excluded(excluded, p):
            return 1.0
    return 1.0 if has and contradicts(p, has) else 0.0


def gives_excluded(excluded: set[str] | frozenset[str], p: SentenceProfile) -> bool:
    """It would have the patient take what they cannot: a drug they cannot have, or anything by a route they cannot
    take ("oral iron pills" once oral iron is not tolerated: iron is the topic, so the route is what is excluded)."""
    return bool(excluded & p.affirmed) and (bool(excluded & p.given_drugs) or excluded <= _routes())


@vocabulary_cache(maxsize=1)
def _routes() -> frozenset[str]:
    return concepts(ROUTES)


def contradicts(p: SentenceProfile, has: set[str]) -> bool:
    """The sentence excludes something the question's patient has: half the topic words of one excluded item are
    the question's ("without ABPA irrespective of ..." once ABPA is confirmed)."""
    return any(item and 2 * len(item & has) >= len(item) for item in p.exclusions)


def weights(w: RankSettings) -> np.ndarray:
    return np.array([getattr(w, name) for name in FEATURES], dtype=np.float32)


def rerank(cands: Sequence, focus: QuestionFocus, titles: dict[str, str], w: RankSettings) -> None:
    """Set each candidate's `score` (cosine + weighted cues) and `coverage`."""
    if not cands:
        return
    scores = feature_matrix(cands, focus, titles) @ weights(w)
    for c, s in zip(cands, scores):
        c.score = c.relevance + float(s)
