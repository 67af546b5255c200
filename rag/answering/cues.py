"""Finer cues for the sentence ranker: does a sentence name a drug, and do its numbers fit the patient's?

- A question for "which drug" is answered by a sentence that names one ("entecavir or tenofovir"), not by
  one that says "antiviral therapy is recommended".
- A question about a 9-month-old is answered by the recommendation "for infants aged 6 to 23 months", not by
  the one "for children aged 60 months and older"; one about sex 100 hours ago by "96-120 hours ago". A
  quantity of the question that falls inside a range the sentence states is a match; a sentence whose ranges
  of that kind all exclude it is about other patients.
- A recommendation whose leading condition names another patient group ("In children with PAI, ..." for an
  adult's question) is for them, not for the patient asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.populations import AGE_RE, conflicting, populations
from rag.question import NOT_PER_VOLUME, names_drug_by_form
from rag.text import WORD_RE
from rag.vocabulary import concept_of, concepts, drug_class_concepts, vocabulary_cache

# Drugs whose names carry none of the suffixes in rag.question.DRUG_SUFFIXES.
_DRUG_NAMES = (
    "aspirin|warfarin|metformin|levothyroxine|lithium|morphine|codeine|oxycodone|hydrocodone|tramadol|gabapentin|"
    "clopidogrel|ticagrelor|prasugrel|nitrofurantoin|trimethoprim|fosfomycin|paracetamol|acetaminophen|naproxen|"
    "zolpidem|melatonin|buprenorphine|methadone|naloxone|varenicline|bupropion|digoxin|amiodarone|dronedarone|"
    "spironolactone|allopurinol|colchicine|febuxostat|testosterone|estrogens?|oestrogens?|progesterone|progestins?|"
    "misoprostol|mifepristone|oxytocin|magnesium sul(?:f|ph)ate|epinephrine|adrenaline|glucagon|insulin|lidocaine|"
    "bupivacaine|propofol|heparin|protamine|ivermectin|permethrin|isoniazid|rifampin|rifampicin|pyrazinamide|"
    "ethambutol|iron|folic acid|vitamin [a-k]\\d?|calcium|zinc|interferon|peg-?ifn|botulinum toxin|ulipristal|"
    "levonorgestrel|penicillin g|benzathine penicillin|atovaquone|proguanil|chloroquine|artesunate|artemether|"
    "acamprosate|disulfiram|naltrexone|topiramate|lamotrigine|valproate|carbamazepine|levetiracetam|phenytoin|"
    "haloperidol|clozapine|quetiapine|risperidone|aripiprazole|mirtazapine|trazodone|venlafaxine|sertraline|"
    "nicotine replacement|salbutamol|albuterol|ipratropium|montelukast|theophylline|omalizumab|cyclosporine|"
    "tacrolimus|mycophenolate|azathioprine|hydroxychloroquine|sulfasalazine|tamoxifen|letrozole|anastrozole|"
    "fulvestrant|aromatase inhibitors?|bisphosphonates?|statins?|corticosteroids?|steroids?|antihistamines?"
)
DRUG_RE = re.compile(r"\b(" + _DRUG_NAMES + r")\b", re.I)


# A word given at a dose is a drug, listed or not: "cilostazol (100 mg twice daily)", "pentoxifylline 400 mg".
_DOSED_RE = re.compile(r"\b([a-z][a-z-]{4,})\s*\(?\s*\d+(?:\.\d+)?\s?(?:mg|mcg|µg|μg|g|units?|iu)\b" + NOT_PER_VOLUME)
_NOT_DOSED = frozenset({"dose", "doses", "dosing", "daily", "total", "maximum", "minimum", "least", "about",
                        "approximately", "than", "over", "under", "every", "single", "initial", "starting", "bolus",
                        "weight", "intake"})


def _dosed_words(text: str) -> list[str]:
    if not _DIGIT_RE.search(text):  # most sentences state no number
        return []
    return [m.group(1) for m in _DOSED_RE.finditer(text) if m.group(1).lower() not in _NOT_DOSED]


def names_drug(text: str) -> bool:
    return names_drug_by_form(text) or (_may_name_drug(text) and bool(DRUG_RE.search(text))) or bool(_dosed_words(text))


def _first_words(alternatives: str) -> frozenset[str]:
    """The words a match of one of `alternatives` can start with: "estrogens?" -> estrogen, estrogens; "peg-?ifn" ->
    peg, pegifn; "folic acid" -> folic."""
    depth, start, out = 0, 0, set()
    for i, ch in enumerate(alternatives + "|"):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            alt = alternatives[start:i]
            start = i + 1
            word = re.match(r"[a-z]+", alt).group(0)
            rest = alt[len(word):]
            out.add(word)
            if rest.startswith("?"):  # its last letter optional
                out.add(word[:-1])
            elif rest.startswith("-?"):  # a hyphen that may be left out
                out.add(word + re.match(r"[a-z]+", rest[2:]).group(0))
    return frozenset(out)


_DRUG_FIRST_WORDS = _first_words(_DRUG_NAMES)
_TOKEN_RE = re.compile(r"[a-z0-9]+")


def _may_name_drug(text: str) -> bool:
    """A cheap test DRUG_RE can only pass if this does (a match starts a word that begins some drug's name): the
    regex of a hundred names is slow on the many sentences that name none."""
    return not _DRUG_FIRST_WORDS.isdisjoint(_TOKEN_RE.findall(text.lower()))


_GENERIC_DRUG = frozenset({concept_of("vitamin")})


# "tranexamic acid", "zoledronic acid": an acid given as a drug, not one measured ("uric acid", "lactic acid").
_ACID_DRUG_RE = re.compile(r"\b(?!(?:uric|lactic|amino|nucleic|fatty|bile|gastric|hydrochloric|acetic)\b)[a-z]{4,}ic acid\b",
                           re.I)


@vocabulary_cache(maxsize=4096)
def named_drugs(text: str) -> frozenset[str]:
    """The concepts of the drugs a text names ("adrenaline", "vitamin D" -> vitd, not the "vitamin" that vitamin A
    shares), for telling a dose of the drug asked about from another's."""
    names = [m.group(0) for m in DRUG_RE.finditer(text)]
    names += [w for w in WORD_RE.findall(text) if names_drug_by_form(w)] + _dosed_words(text)
    if "acid" in text:
        names += [m.group(0) for m in _ACID_DRUG_RE.finditer(text)]
    out: set[str] = set()
    for name in names:
        found = concepts(name)
        out |= (found - _GENERIC_DRUG) or found
    return frozenset(out)


# Units of time (in days), of size (in mm: a nodule, a stone) and percentages: the kinds of quantity a range can be
# compared in.
_UNITS = {"year": 365.25, "yr": 365.25, "y": 365.25, "month": 30.44, "mo": 30.44, "week": 7.0, "wk": 7.0, "day": 1.0,
          "d": 1.0, "hour": 1 / 24, "h": 1 / 24, "hr": 1 / 24}
_SIZES = {"mm": 1.0, "cm": 10.0}
_UNIT = r"(years?|yrs?|y|months?|mos?|weeks?|wks?|days?|d|hours?|hrs?|h|mm|cm|%)(?![A-Za-z])"
_NUM = r"(\d+(?:\.\d+)?)"
_AGE_WORDS_RE = re.compile(r"\b(ages?d?|old|older|younger|children|child|infants?|adults?|born|birth|newborns?|"
                           r"adolescents?|girls?|boys?|women|men|persons|people|patients)\b", re.I)
_RANGES = [  # (pattern, which bound the first number is, which the second)
    (re.compile(_NUM + r"\s*" + r"(?:" + _UNIT + r")?\s*(?:to|-|–|—|and)\s*" + _NUM + r"\s*" + _UNIT, re.I), "between"),
    (re.compile(r"(?:(?P<open>>|\bover|\babove|\bmore than|\bolder than|\bgreater than|\bexceeding)|≥|>=|\bat least)\s*" + _NUM
                + r"\s*" + _UNIT, re.I), "above"),
    (re.compile(_NUM + r"\s*" + _UNIT + r"(?:\s+of age)?\s+(?:or|and)\s+(?:older|over|above|more|greater|higher)\b", re.I), "above"),
    (re.compile(r"(?:(?P<open><|\bunder|\bbelow|\bless than|\byounger than)|≤|<=|\bup to)\s*" + _NUM + r"\s*" + _UNIT, re.I),
     "below"),
    (re.compile(_NUM + r"\s*" + _UNIT + r"(?:\s+of age)?\s+(?:or|and)\s+(?:younger|under|below|less|lower)\b", re.I), "below"),
]
_DIGIT_RE = re.compile(r"\d")
# A patient's age, which is no duration of care: "aged 40 to 75 years", "age ≤60 years", "65 years and older".
_AGE_SPAN_RE = re.compile(r"\b(?:ages?d?|older than|younger than|(?:over|under) the age of)\s*(?:[≤≥<>]=?\s*)?\d+"
                          r"(?:\s*(?:to|-|–|and)\s*\d+)?\s*(?:years?|months?)?|\b\d+\s*(?:years?|months?)\s+(?:of age|"
                          r"and (?:older|over|younger|under)|or (?:older|younger))|\b\d+[- ](?:years?|months?)[- ]olds?\b", re.I)


def without_ages(text: str) -> str:
    return _AGE_SPAN_RE.sub(" ", text) if _DIGIT_RE.search(text) else text


_QUESTION_TIME_RE = re.compile(r"\b" + _NUM + r"\s?-?\s?" + _UNIT, re.I)


_GROUP_AGE_RE = re.compile(r"\b(?:women|men|adults|patients|people|persons|individuals|girls|boys)\s+(?:over|under|older than|"
                           r"younger than|above|below|aged)\s+(\d{1,3})(?:\s*(?:years?|yrs?)(?: of age| old)?)?\b"
                           r"(?!\s*(?:%|\.\d|kg|mg|g\b|cm|mm|ml|min|bpm|lbs?|months?|mos?|weeks?|wks?|days?))", re.I)


@dataclass(frozen=True)
class Quantity:
    value: float  # in days, or a percentage
    unit: str  # "time", "size" or "%"
    age: bool  # a patient's age, not a time since or a duration


def _unit(word: str) -> tuple[str, float]:
    """("time", days per unit), ("size", mm per unit) or ("%", 1)."""
    if word == "%":
        return "%", 1.0
    if word.lower() in _SIZES:
        return "size", _SIZES[word.lower()]
    return "time", _UNITS.get(word.lower().rstrip("s"), 1.0)


def question_quantities(text: str) -> list[Quantity]:
    """The patient's age and the times and percentages a question states."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in AGE_RE.finditer(text):
        _, factor = _unit(m.group("y") or m.group("m") or "years")
        out.append(Quantity(float(m.group("n")) * factor, "time", True))
        taken.append(m.span())
    for m in _GROUP_AGE_RE.finditer(text):  # "women over 30": an age, though no unit says so
        if any(a < m.end() and m.start(1) < b for a, b in taken):
            continue
        out.append(Quantity(float(m.group(1)) * _UNITS["year"], "time", True))
        taken.append(m.span())
    for m in _QUESTION_TIME_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        kind, factor = _unit(m.group(2))
        out.append(Quantity(float(m.group(1)) * factor, kind, False))
    return out


_TOLERANCE = 1.02  # a unit's conversion (12 months, 1 year) is not exact
_OPEN = _TOLERANCE * 1.001  # an open bound moved past the tolerance, so the number itself falls outside


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float
    unit: str
    age: bool


def sentence_ranges(text: str) -> list[Range]:
    """Ranges a sentence states ("aged 6 to 23 months", "≥40%", "65 years or older", "96–120 hours")."""
    out: list[Range] = []
    if not _DIGIT_RE.search(text):  # every range has a number
        return out
    for pattern, kind in _RANGES:
        for m in pattern.finditer(text):
            if kind == "between":
                a, unit_a, b, unit = m.groups()
                unit_kind, factor = _unit(unit)
                lo, hi = float(a) * (_unit(unit_a)[1] if unit_a else factor), float(b) * factor
            else:
                n, unit = m.group(m.re.groups - 1), m.group(m.re.groups)
                unit_kind, factor = _unit(unit)
                lo, hi = (float(n) * factor, float("inf")) if kind == "above" else (0.0, float(n) * factor)
                # "less than 55 years" is not for a 55-year-old, though "up to 55 years" is.
                open_end = "open" in m.re.groupindex and m.group("open") is not None
                lo, hi = (lo * _OPEN, hi) if open_end and kind == "above" else (lo, hi / _OPEN) if open_end else (lo, hi)
            if lo > hi:
                continue
            around = text[max(0, m.start() - 40): m.end() + 20]
            out.append(Range(lo, hi, unit_kind, unit_kind == "time" and bool(_AGE_WORDS_RE.search(around))))
    return out


def quantity_fit(asked: list[Quantity], text: str) -> float:
    """+1: a quantity of the question lies in a range the sentence states; -1: the sentence states ranges of that
    kind and all exclude it; 0: nothing to compare."""
    return ranges_fit(asked, sentence_ranges(text)) if asked else 0.0


def ranges_fit(asked: list[Quantity], ranges: list[Range] | tuple[Range, ...]) -> float:
    """quantity_fit over ranges already read."""
    verdict = 0.0
    for q in asked:
        same = [r for r in ranges if r.unit == q.unit and (r.age == q.age or q.unit == "%")]
        if not same:
            continue
        if any(r.lo / _TOLERANCE <= q.value <= r.hi * _TOLERANCE for r in same):
            return 1.0
        # An age outside a recommendation's band puts the patient outside it; a saturation or a risk the threshold
        # does not reach is still the rule that answers ("give oxygen if persistently less than 92%" for 93%).
        if q.unit != "%":
            verdict = -1.0
    return verdict


_CONDITION_RE = re.compile(r"^(?:recommendation[^:]{0,20}:\s*)?(?:in|for|among|if|when|where)\b([^,;:]{3,200})[,;:]", re.I)
_CONDITION_STARTS = ("in ", "for ", "among ", "if ", "when ", "where ", "recommendation")


def leading_condition(text: str) -> str | None:
    """"In patients with X and Y, ..." -> "patients with X and Y": whom a recommendation is for."""
    if not text[:16].lower().startswith(_CONDITION_STARTS):  # the regex backtracks through a sentence without one
        return None
    m = _CONDITION_RE.match(text)
    return m.group(1) if m else None


_N = r"\b(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"
# The quantity itself, not the word for it ("the optimal dose ... has not been determined"), nor a citation's year.
QUANTITY_RE = {
    # "30 mCi", "2 mEq/kg", and a change by a share ("a dosage increase of about 50%").
    "dose": re.compile(_N + r"\s?(?:mg|mcg|µg|μg|g|units?|iu|ml|mmol|meq|gy|mci|mbq|gbq|mg/kg\w*)\b" + NOT_PER_VOLUME +
                       r"|\bdos(?:e|age|ing)\b[^.;]{0,40}\b\d+\s?%", re.I),
    "duration": re.compile(_N + r"(?:\s?(?:to|-|–|or)\s?\d+)?(?: consecutive| more| additional| further)?[- ]?"
                           r"(?:hours?|h|hrs?|days?|d|weeks?|wks?|months?|mos?|years?|yrs?)\b"
                           r"|\b(?:indefinite\w*|extended|long[- ]term|lifelong)\b", re.I),
}


# "12 years or older", "aged 65 and over": an age bound, not the word for older adults.
_AGE_BOUND_RE = re.compile(r"\b\d+\s*(?:years?|months?)(?:\s+of age)?\s+(?:or|and)\s+(?:older|over|younger)\b", re.I)


# "(for neonates see recommendation below)" points elsewhere: not whom the sentence is for.
_POINTER_RE = re.compile(r"\([^()]*\bsee\b[^()]*\)", re.I)


# "... continued until the completion of breastfeeding": when care ends, not whom it is for.
_UNTIL_RE = re.compile(r"\buntil\s+(?:the\s+)?(?:(?:end|completion|cessation|stop)\s+of\s+)?\w+", re.I)


# "Protocols ... for children and adolescents should be used in preference to ... an adult treatment protocol": the
# other arm of a preference is not whom the sentence is for.
_OTHER_ARM_RE = re.compile(r"\b(?:in preference to|rather than|instead of|as opposed to)\b[^.;()]*", re.I)


def stated_populations(text: str) -> frozenset[str]:
    if "see" in text:
        text = _POINTER_RE.sub(" ", text)
    if "until" in text:
        text = _UNTIL_RE.sub(" ", text)
    text = _OTHER_ARM_RE.sub(" ", text)
    found = populations(_AGE_BOUND_RE.sub(" ", text))
    adults, elderly = grown_up()
    return found | {elderly} if adults in found and elderly not in found and _reaches_old_age(text) else found


_ADULT_AGE, _OLDER_AGE = 18 * _UNITS["year"], 65 * _UNITS["year"]


def _reaches_old_age(text: str) -> bool:
    """Adults of an age band that starts past 18 and reaches 65 are older adults too: "adults aged 60 to 69 years"
    are for a 65-year-old. (From 18 up the band is all adults, which names no group of its own.)"""
    return ("age" in text or "year" in text) and any(
        r.age and _ADULT_AGE < r.lo < _OLDER_AGE <= r.hi for r in sentence_ranges(text))


def whom(stated: frozenset[str], title: frozenset[str]) -> frozenset[str]:
    """Whom a sentence is for: the groups it names, with its guideline title's when it names only a care setting
    ("... to all patients with community-acquired pneumonia who are admitted to hospital" in "Pneumonia in adults")."""
    return stated if stated - care_settings() else stated | title


@vocabulary_cache(maxsize=1)
def care_settings() -> frozenset[str]:
    return frozenset(concept_of(w) for w in ("outpatient", "inpatient"))


@vocabulary_cache(maxsize=1)
def grown_up() -> tuple[str, str]:
    """The concepts of adults and of older adults."""
    return concept_of("adults"), concept_of("elderly")


@vocabulary_cache(maxsize=1)
def _young() -> frozenset[str]:
    return frozenset(concept_of(w) for w in ("children", "newborn"))


def population_conflict(asked: set[str] | frozenset[str], stated: frozenset[str]) -> bool:
    """The text is for other patients only: it names none of the groups asked about, and each group it names
    excludes one that is (children for an adult; a newborn and an infant are not told apart)."""
    if not asked or not stated or asked & stated:
        return False
    clash = conflicting(set(asked), stated)
    return bool(clash) and not (asked | stated) <= _young()


def condition_populations(text: str) -> frozenset[str] | None:
    """The patient groups a sentence's leading condition names; None without a leading condition."""
    cond = leading_condition(text)
    return stated_populations(cond) if cond else None


def condition_conflict(text: str, asked: set[str] | frozenset[str]) -> bool:
    """The sentence's leading condition names a patient group that excludes the one asked about."""
    groups = condition_populations(text)
    return groups is not None and population_conflict(asked, groups)


# "penicillin-allergic", "allergic to penicillin", "a penicillin allergy": what the patient must not be given.
_ALLERGY_RE = re.compile(r"\ballergic to (?:an? )?([a-z][\w-]*)|\b([a-z][\w]*)-allergic\b|\b([a-z][\w-]*) allergy\b", re.I)
# "he's penicillin allergic": a drug's name before "allergic" ("she is allergic", "very allergic" name none).
_DRUG_ALLERGIC_RE = re.compile(r"\b([a-z][a-z]{3,}) allergic\b(?!\s+to\b)", re.I)


@vocabulary_cache(maxsize=1024)
def allergens(text: str) -> frozenset[str]:
    named = [g for m in _ALLERGY_RE.finditer(text) for g in m.groups() if g]
    named += [w for w in _DRUG_ALLERGIC_RE.findall(text) if named_drugs(w) or concepts(w) & drug_class_concepts()]
    return frozenset(concepts(" ".join(named))) - {concept_of("drug"), concept_of("food"), concept_of("patient")}


# Asked which has the best evidence; how strong a statement says its evidence is, 1 the strongest (AAN's classes and
# levels: "Based on consistent Class I evidence, pregabalin is established as effective", "probably effective").
BEST_EVIDENCE_RE = re.compile(r"\b(?:best|strongest|most|highest[- ]quality) evidence\b", re.I)
_STRENGTHS = (
    (re.compile(r"\bclass I\b(?! ?I)|\blevel A\b|\bestablished as effective\b|\bhigh[- ]quality evidence\b", re.I), 1),
    (re.compile(r"\bclass II\b(?!I)|\blevel B\b|\bprobably effective\b|\bmoderate[- ]quality evidence\b", re.I), 2),
    (re.compile(r"\bclass III\b|\blevel C\b|\bpossibly effective\b|\blow[- ]quality evidence\b", re.I), 3))


def evidence_strength(text: str) -> int:
    return min((rank for pattern, rank in _STRENGTHS if pattern.search(text)), default=4)


# What a target is a value of: "what BP target?" is not answered by "a target HbA1c of ~7.0%".
_MEASURES = {
    "blood pressure": re.compile(r"\b(?:bp|blood pressures?|systolic|diastolic|mm ?hg)\b", re.I),
    "glycaemia": re.compile(r"\b(?:hb\s?)?a\s?1\s?c\b|\bglyc(?:at)?ed h(?:a)?emoglobin\b|\bglyc(?:a)?emic\b|\bglucose\b|"
                            r"\bblood sugars?\b", re.I),
    "lipids": re.compile(r"\bldl(?:-c)?\b|\bcholesterol\b|\bnon-hdl\b|\blipids?\b", re.I),
    "inr": re.compile(r"\binr\b|\binternational normali[sz]ed ratio\b", re.I),
    "haemoglobin": re.compile(r"\b(?:hb|hgb)\b(?!\s?a\s?1)|\bh(?:a)?emoglobin\b(?!\s+a\s?1\s?c)|\btransfusion (?:threshold|trigger)\b", re.I),
    "oxygen": re.compile(r"\b(?:oxygen )?saturations?\b|\bspo2\b|\bsats?\b|\bpao2\b", re.I),
    "urate": re.compile(r"\burate\b|\buric acid\b", re.I),
    "heart rate": re.compile(r"\bheart rate\b|\bventricular rate\b|\bresting rate\b|\bpulse rate\b", re.I),
}


def measures(text: str) -> frozenset[str]:
    """The measures `text` names a value of (blood pressure, glycaemia, lipids, INR, ...)."""
    return frozenset(name for name, pattern in _MEASURES.items() if pattern.search(text))


def measure_fits(measured: frozenset[str], text: str, heading: str) -> bool:
    """The sentence (or its sub-heading) names a measure of `measured`, or names none."""
    named = measures(text) or measures(heading)
    return not named or bool(named & measured)
