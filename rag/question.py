"""What a question asks: its topic concepts, the kind of answer it wants, and a follow-up's new constraint.

Cosine similarity finds sentences *about* a question's topic; it does not tell a
recommendation from background, or an antibiotic from a diagnostic test. These
cues do, and they are cheap: every one is a regex or a set lookup.

- Concepts (rag/vocabulary.py): the question's content words, with clinical
  abbreviations expanded ("AUD" -> alcohol use disorder) and everyday words mapped
  to the guideline's ("kids" -> children); here, less the generic ones ("treatment").
- Asks: what the answer must state (a drug, a dose, a duration, an interval, a
  value to aim for, a test, who, a harm or contraindication), each with a pattern
  that finds a sentence stating it.
- Constraint: the words a follow-up adds ("what if the patient has cancer?").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rag.animals import animal_patient
from rag.clauses import asking_clause, asking_clauses, clauses
from rag.lexicon import ABBREVIATIONS, GENERIC
from rag.negation import affirmed_text, negated_text
from rag.populations import asked_populations, population_keys
from rag.vignette import aged_sex, contraindicated_words, implied_aliases, patient_has, with_family_history
from rag.vocabulary import (
    class_names,
    classes_of,
    concept_of,
    concepts,
    drug_class_concepts,
    phrase_parts,
    token_of,
    treating_classes,
    vocabulary_cache,
)

# What the question asks for -> (question cue, sentence pattern that states it).
# A drug's name by its stem's suffix ("-mab", "-pril", "-cillin"), or a drug class's abbreviation. Matched word by
# word: one regex of \w+ followed by ninety alternatives backtracks through every word of every sentence.
DRUG_SUFFIXES = (
    "mab", "nib", "pril", "sartan", "olol", "azole", "cillin", "mycin", "floxacin", "cycline", "statin", "gliflozin",
    "gliptin", "glutide", "dipine", "prazole", "xaban", "gatran", "parin", "vir", "tidine", "setron", "triptan", "oxacin",
    "dronate", "lukast", "zepam", "zolam", "profen", "fenac", "coxib", "sone", "olone", "amine", "azine", "idine", "pine",
    "oxetine", "aline", "amide", "tide", "ulin", "penem", "mide", "amate", "osate", "exone", "afil", "terol", "tropium",
    "sonide", "asone", "lol", "parib", "limus", "trexate", "platin", "taxel", "rubicin", "micin", "abalin", "glitazone",
    "apine", "idone",
)
_DRUG_CLASS_RE = re.compile(r"\bcef\w+|\b(ICS|LABA|SABA|LAMA|LMWH|DOACs?|NSAIDs?|SSRIs?|SNRIs?|PPIs?|ACE inhibitors?|ARBs?|"
                            r"vitamin [A-K]\d?)\b", re.I)
_WORD_RE = re.compile(r"[a-z]+")

_NOT_DRUGS = frozenset({"spine", "spines", "supine", "examine", "reexamine", "famine", "alkaline"})  # "-pine", "-amine"


def names_drug_by_form(text: str) -> bool:
    """A word ending in a drug stem's suffix (with more before it), or a drug class's abbreviation."""
    if any(len(w) > 4 and w.endswith(DRUG_SUFFIXES) and w not in _NOT_DRUGS for w in _WORD_RE.findall(text.lower())):
        return True
    return bool(_DRUG_CLASS_RE.search(text))


# A concentration ("2.5 mg/dL", "6.0 mmol/litre") is a level measured or a fluid's make-up, not a dose given.
NOT_PER_VOLUME = r"(?!\s?/\s?(?:d?l|litre|liter)\b)"
ASKS = {
    # A named class of drug is asked for; "what is the best treatment" may be a procedure, so it is "treat".
    # A drug class by its form, "anti-" and a class ending: antifibrotic, antiplatelet, antihypertensives (not an
    # antibody or antigen, which are tested for).
    "drug": (re.compile(r"\b(drugs?|medications?|medicines?|meds?|abx|anti-?[a-z]+(?:tics?|ics?|ants?|als?|ives?|ines?|lets?)|"
                        r"agents?|pharmacotherap\w*|pharmacologic\w*|regimens?|inhalers?|"
                        r"prescribe)\b|\bdrug of choice\b", re.I),
             re.compile(r"\b(antibiotic|therapy with|treatment with|agents?|inhibitors?|antagonists?|agonists?|blockers?)\b", re.I)),
    "treat": (re.compile(r"\b(treat\w*|therap\w*|manag\w*|first[- ]line|of choice)\b", re.I),
              re.compile(r"\b(treat\w*|therap\w*|offer\w*|prescri\w*|administ\w*|procedure|intervention|"
                                         r"surgery|surgical|repositioning|referr?\w*|initiat\w*|start\w*|use of|using|manage|(?:may|should) use)\b", re.I)),
    "dose": (re.compile(r"(?<!high-)(?<!low-)(?<!high )(?<!low )\bdos(e|es|ing|age)\b|\bhow much\b|\bmg\b|"
                        r"\b(?:what|which) (?:infusion )?rate\b|\binfusion rate\b", re.I),
             re.compile(r"\b\d+(\.\d+)?\s?(mg|mcg|µg|g|units?|iu|ml|mg/kg|mg/day|gy|mmol|mg/kg/d(ay)?)\b" + NOT_PER_VOLUME + "|"
                        r"\bdos(e|es|ing|age)\b", re.I)),
    "duration": (re.compile(r"\bhow long\b|\bduration\b|\bhow many (days|weeks|months|years)\b|\bwhen (to|should\b[^?]*) stop\b|\bcontinue\b", re.I),
                 re.compile(r"\b(\d+|one|two|three|four|five|six|twelve)[- ](days?|weeks?|months?|years?)\b|\bindefinite\w*|\bextended\b|\b(at least|up to|for)\s\d+|\bduration\b|\blong[- ]term\b|\bdiscontinu\w+|\bstop\w*\b", re.I)),
    "interval": (re.compile(r"\bhow often\b|\binterval\b|\bfrequency\b|\bhow frequently\b|\brepeat\w*\b", re.I),
                 re.compile(r"\bevery\s\w+|\b(annual|annually|yearly|biennial\w*|triennial\w*|monthly|weekly|daily|once|twice|"
                            r"one[- ]time|times a (day|week|month|year))\b|\binterval|\brepeat\w*\b|\bper (day|week|month|year)\b", re.I)),
    "when": (re.compile(r"^\s*when\b|\bat what age\b|\bwhat age\b|\bhow soon\b|\btiming\b|\bwithin how\b", re.I),
             # A time, or an event to time from ("after delivery"); a bare "after" says nothing of when.
             re.compile(r"\b(age[sd]?|aged)\s\d+|\b\d+\s(to|-)\s\d+\s(years|weeks)|\bwithin\s\d+|"
                        r"\b(?:before|after|until|by|from|beginning at|starting at|at(?=\s(?:the\s)?[a-z]))\s(?:the\s)?(?:age|\d|birth|delivery|"
                        r"conception|pregnancy|diagnosis|surgery|discharge|admission|onset|puberty|menopause|exposure|injury|"
                        r"symptoms?)\b|\b\d+\s(hours?|days?|weeks?|months?|years?)\b|"
                        # Or the threshold to act at: "when to anticoagulate" is answered by "a score of 2 or above".
                        # "a fasting plasma glucose of 7.0 mmol/litre or above"
                        r"\b\d+(?:\.\d+)?\s?(?:%|[a-zµμ]+/[a-z]+)?\s(?:or|and)\s(?:above|more|greater|higher|over|below|less|lower)\b|"
                        r"\b(?:above|below|greater than|less than|at or above|at or below|falls? below|rises? above)\s\d", re.I)),
    # A value to aim for or act at: "target INR", "what sat should I aim for", "Hb trigger", "what trough level".
    # Not the patient's state: "A1c above target", "not at goal".
    "target": (re.compile(r"(?<!above )(?<!below )(?<!at )(?<!on )(?<!off )(?<!to )(?<!near )(?<!reach )(?<!reached )"
                          r"\b(?:target|goal)s?\b|\baim(?:ing)? (?:for|at)\b|\bthreshold\b|\btrigger\b|\bcut-?off\b|"
                          r"\bwhat (?:\w+ )?(?:level|range)\b", re.I),
               re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|mm ?hg|mmol/l|mg/l|mg/dl|g/l|g/dl|µg/ml|μg/ml|mcg/ml|mg\W?l\W?1|ng/ml|pmol/l|"
                          r"iu/l|miu/l|kpa)(?!\w)|\b(?:inr|ratio|saturation|spo2|sats?)\b[^.;]{0,30}?\b\d+(?:\.\d+)?\b|"
                          r"(?:\b(?:below|above|under|less than|greater than|at least|at or above|at or below)\s|[<>≤≥]\s?)\d|"
                          r"\b(?:reference|normal|target|therapeutic) range\b", re.I)),
    "who": (re.compile(r"\bwho\b|\bwhich (patients|people|women|men|adults|children|groups?|population)\b|\bin whom\b|"
                       r"\bindications? (?:for|of)\b", re.I),
            re.compile(r"\b(patients|persons|people|adults|women|men|children|adolescents|individuals|those)\s(with|who|at|aged|older|younger)\b|\bage[sd]?\s\d+", re.I)),
    # "How is it diagnosed?" asks for a test; "newly diagnosed", "diagnosed with" say who the patient is.
    "test": (re.compile(r"\b(test|tests|testing|imaging|scan|investigat\w*|"
                        r"(?<!newly )(?<!recently )(?<!already )(?<!just )(?<!been )(?<!was )(?<!were )diagnos(?!ed with\b)\w*|screen\w*|work-?up|confirm\w*|detect\w*|modality|biopsy|measure\w*|genes|genetic)\b", re.I),
             re.compile(r"\b(ultrasound|ultrasonography|sonograph\w*|ct|mri|magnetic resonance|computed tomography|radiograph\w*|x-ray|test\w*|assay|biopsy|"
                        r"culture|serolog\w*|pcr|measure\w*|ecg|electrocardiogra\w*|echocardiogra\w*|endoscop\w*|colonoscop\w*|imaging|scan\w*|"
                        r"examination|screening|mammogra\w*|cytology|level|panel|angiograph\w*|scintigraph\w*|dxa|genetic)\b", re.I)),
    # "risk" asks about harms ("any risks with ...?"), not when it grades the patient ("favourable risk", "low-risk",
    # "at high risk", "risk factors").
    "harm": (re.compile(r"\b(contraindicat\w*|avoid\w*|safe\w*|harms?|side effects?|adverse|interaction\w*|caution|not (be )?(used|given))\b"
                        r"|(?<!-)(?<!\bhigh )(?<!\blow )(?<!average )(?<!standard )(?<!elevated )(?<!increased )(?<!moderate )"
                        r"(?<!\bvery )(?<!\bat )(?<!favourable )(?<!favorable )(?<!intermediate )\brisks?\b(?!\s*(?:factors?|groups?|scores?|categor\w+|"
                        r"assessment|stratif\w*|levels?|profiles?|calculat\w*))", re.I),
             re.compile(r"\b(contraindicat\w*|avoid\w*|should not|not recommended|risks?|harms?|adverse|caution\w*|bleeding|toxicity|side effects?|safety|safe)\b", re.I)),
}
# Tests by name: asked for when the clause that asks names one (analyse).
TEST_NAMED_RE = re.compile(r"\b(?:mri|ct|cxr|x-?rays?|radiographs?|ultrasound|echo|echocardiogra\w*|ecg|ekg|eeg|"
                           r"colonoscopy|endoscopy|mammogra\w*|dxa|dexa|serolog\w*|bloods|labs|neuroimaging|"
                           r"(?:ct|pet|bone|mri) scans?|lumbar puncture|lp)\b", re.I)
_DRUG_ASKS = ("drug", "treat")  # asks a drug's name states
# A graded or directive recommendation, as guidelines phrase it.
RECOMMENDATION_RE = re.compile(
    r"^\W*recommendations?\b[\s\d.]*:"  # a label: "Recommendation 2.10 : Clinicians may prescribe ..."
    r"|\b((?<!-)recommend(?:s|ed)?\b|(?<!data )(?<!evidence )(?<!studies )(?<!results )(?<!responses )(?<!findings )"
    r"(?<!trials )(?<!this )(?<!these )suggests?|should\b|offer|consider(?!abl)|is indicated|are indicated|first[- ]line|preferred|"
    r"is appropriate|are appropriate|usually appropriate|strong recommendation|weak recommendation|"
    # A task force's "I statement" is its recommendation: "The USPSTF concludes that the current evidence is
    # insufficient to assess the balance of benefits and harms of screening ...".
    r"concludes that (?:the )?(?:current )?evidence is insufficient|"
    r"(level|grade|class) [a-d1-4i]+\b)|\[[a-d]\]|\(\s*(level|grade|class)\b"
    # An instruction, as NICE writes them: "Give oxygen supplementation to children with ...".
    r"|^\W*(?:give|start|treat|refer|prescribe|administer|perform|measure|monitor|arrange|admit|"
    r"repeat|reassess|vaccinate|immuni[sz]e|continue|stop|discontinue|use(?! of\b)|obtain|ensure|advise|tell|discuss|explain|"
    r"avoid|encourage|provide|inform|reassure)\b", re.I)
# "The committee recommends that clinicians not use imatinib", "... cannot be recommended", "is not indicated".
# "Do not offer ...", "and do not ...", "the authors do not recommend ...": not "people whose symptoms do not impact".
AGAINST_RE = re.compile(r"\b(recommends? against|suggests? against|should not|not recommended|not be (used|offered|given)|"
                        r"insufficient evidence|(?:(?<![\w,)] )|(?<=\band )|(?<=\bbut ))do not|no evidence|not routinely|"
                        r"do not (?:recommend|suggest|advise|endorse|support|use|offer|give|prescribe|perform|routinely)|"
                        r"avoid(?:ed|ing)?|cannot be recommended|(?:cannot|can ?not) recommend(?! for or against)|"
                        r"(?:is|are) not indicated|"
                        r"(?:recommends?|suggests?|recommended|suggested) (?:that )?(?:\w+ ){0,2}not (?:us(?:e|ing)|give|offer|prescribe|"
                        r"perform|administer|start|initiate|add|screen|treat|routinely))\b", re.I)
DIAGNOSIS_RE = re.compile(r"\b(diagnos\w*|differentiat\w*|evaluat\w*|work-?up|screen(?:ed|ing)?)\b", re.I)
STEP_RE = re.compile(r"^\s*(first|then|next|initially|subsequently|finally|step \d|after\b|before\b|if\b[^.]{0,80}\bthen\b|"
                     r"once\b|begin\b|start\b)", re.I)


@dataclass
class QuestionFocus:
    """The parsed question: what it is about, what it asks for, what a follow-up added."""

    text: str
    latest: str = ""  # the message asked last: the follow-up itself, when `text` is a rewritten one
    topic: set[str] = field(default_factory=set)  # concept keys of the topic words
    weights: dict[str, float] = field(default_factory=dict)  # concept -> informativeness (idf)
    asks: list[str] = field(default_factory=list)
    constraint: set[str] = field(default_factory=set)  # concepts a follow-up added
    new: set[str] = field(default_factory=set)  # those the question it follows did not state (else all)
    ruled_out: set[str] = field(default_factory=set)  # what a follow-up says the patient cannot have or has not
    qualifier: set[str] = field(default_factory=set)  # what a first question's patient has ("a patient with ...")
    against_ok: bool = False  # the question itself is about harms / what not to do
    populations: set[str] = field(default_factory=set)  # population concepts the question names (children, pregnancy...)
    document_coverage: float = 1.0  # best share of the topic that one retrieved document states
    clause_coverage: float = 0.0  # the same for the words of the clause that asks, when the question has others
    unknown: list[str] = field(default_factory=list)  # rare topic words no retrieved document states
    uncovered: list[str] = field(default_factory=list)  # topic words the best-covering document lacks, weightiest first
    animal: str | None = None  # the animal a veterinary question is about ("cat" in "gout in a cat")
    clause: set[str] = field(default_factory=set)  # topic concepts of the clause that asks (asking_clause)
    aliases: dict[str, str] = field(default_factory=dict)  # "ulipristal (ellaOne)": ellaon -> uliprist
    classes: dict[str, str] = field(default_factory=dict)  # the class of a drug the question names: ACEI -> lisinopril
    open: bool = False  # asks what to do ("which antibiotic ...?"), not whether to ("should ... get imaging?")
    answer_class: set[str] = field(default_factory=set)  # the kind of answer wanted ("which antifibrotic drugs")
    drug_kind: set[str] = field(default_factory=set)  # the drug class asked for: "antibiotics" in "do I need antibiotics?"
    # What it is about, less who it is for, what a follow-up added and the words that ask ("Chagas disease" of "How is
    # Chagas disease treated in pregnancy?"): another condition's guideline that speaks of pregnancy does not answer.
    subject: set[str] = field(default_factory=set)
    excluded: set[str] = field(default_factory=set)  # what the patient does not have ("without CKD", "no mets")
    has: set[str] = field(default_factory=set)  # topic concepts no part of the question excludes
    # Its phrases a sentence may state word by word ("heart failure and reduced ejection fraction" for HFrEF); not
    # one that names a patient group: "pre-existing diabetes in pregnancy" is no gestational diabetes.
    phrases: dict[str, frozenset[str]] = field(default_factory=dict)

    def named(self, found: set[str]) -> set[str]:
        """`found` with each name of the question's alias pairs that the other name stands for, and the question's
        drug where its class is named and no other drug of the class is ("LMWH" alone, not "dalteparin ... LMWH")."""
        if not self.aliases and not self.classes:
            return found
        out = (set(found) | {name for alias, name in self.aliases.items() if alias in found}
               | {alias for alias, name in self.aliases.items() if name in found})
        for cls, name in self.classes.items():
            if cls in found and not any(c != name and cls in classes_of(c, whole=True) for c in found):
                out.add(name)
        return out

    def with_classes(self, keys: set[str]) -> set[str]:
        """The concepts and the classes of the drugs among them: "he is on omeprazole" is stated by a sentence on
        proton pump inhibitors ("a 2-week washout period after PPI use")."""
        return keys | {cls for cls, name in self.classes.items() if name in keys}

    def coverage(self, covered: set[str], without: set[str] | frozenset[str] = frozenset(),
                 weights: dict[str, float] | None = None) -> float:
        """Informativeness-weighted share of the topic (less `without`) covered by `covered`; a name and its alias
        count once. `weights`: other weights than the question's own."""
        covered, weights = self.named(covered), self.weights if weights is None else weights
        topic = [c for c in self.topic if c not in self.aliases and c not in without]
        total = sum(weights.get(c, 1.0) for c in topic)
        if not total:
            return 1.0
        phrases = self.phrases
        return sum(weights.get(c, 1.0) for c in topic
                   if c in covered or (c in phrases and phrases[c] <= covered)) / total


@vocabulary_cache(maxsize=1)
def _generic() -> frozenset[str]:
    # Shorthand for a generic word ("tx" -> treatment, "dx" -> diagnosis) merges with it into one token: generic too.
    tokens = {token_of(full) for full in ABBREVIATIONS.values() if all(w in GENERIC for w in full.split())}
    return frozenset({concept_of(w) for w in GENERIC} | GENERIC | tokens)


# Words that only make sense after an earlier message: "Same pt but ...", "Now tiring ... - next step?", "Forgot to
# say ...", "... - same dose?", "... instead?".
FOLLOW_UP_CONTEXT_RE = re.compile(
    r"^\W*(?:(?:same|different|other|another)\s+(?:\w+\s+)?(?:pt|patient|person|case|child|kid|baby|woman|lady|man|guy|"
    r"picture|scenario|story|situation)\b|now\b|still\b|then\b|but\b|actually\b|turns out\b|forgot to\b|also\b|"
    r"(?:labs?|results?|bloods?)\s+(?:are\s+)?back\b|ok(?:ay)?\b,?\s*(?:and|but|so|now)\b)"
    r"|\b(?:what now|now what|what next|next step|(?:any )?alternatives?|(?:any )?other options?|same\s+\w+(?:\s+\w+){0,3}|"
    r"still (?:ok|okay|safe|fine)|instead)\W*$"
    # A result of what was asked about, news of the patient, the earlier answer's drug or target.
    r"|\b(?:came|comes?|coming)\s+back\b|\bnow\s+(?:\w+ing|\w+ed|shows?|says?|mentions?|wants?)\b"
    r"|\bdoes\s+(?:that|this|it|the\s+\w+|\w+)\s+change\b|\bon top of\b|\banything\s+(?:else\s+)?to\s+add\b|\bswap\b",
    re.I)


def _follow_up_content(text: str) -> str:
    """The follow-up less its ties to the earlier message; "alternatives?" is what it asks for, so it stays. A
    finding's level is no topic: "eosinophils are high" adds eosinophils."""
    text = FINDING_RE.sub(lambda m: m.group(0) if m.group("sign") else " ", text)
    return FOLLOW_UP_CONTEXT_RE.sub(lambda m: m.group(0) if _ASKED_TAIL_RE.search(m.group(0)) else " ", text)


_ASKED_TAIL_RE = re.compile(r"\balternatives?\b|\boptions?\b", re.I)
# A finding: "eosinophils are high", "troponin came back positive" (a sign, which says what was found: "HBsAg positive").
FINDING_RE = re.compile(r"\b(?:is|are|was|were|came back|comes back)\s+(?:very\s+|still\s+|now\s+)?(?:high|low|raised|"
                       r"elevated|normal|abnormal|increased|decreased|(?P<sign>positive|negative))\b", re.I)


@vocabulary_cache(maxsize=1)
def _units() -> frozenset[str]:
    return concepts("mm cm kg ml mmol mcg")


@vocabulary_cache(maxsize=1)
def progress_words() -> frozenset[str]:
    """How the patient is doing on a treatment, which names no condition: "not improving after 3 salbutamol nebs"."""
    return frozenset(concepts("improving improved improvement better worse worsening responding response deteriorating "
                              "deteriorated failed failing despite"))


def topic_concepts(text: str) -> set[str]:
    generic = _generic()
    if FINDING_RE.search(text):  # "ferritin is low": the finding is ferritin's, "low" no topic of its own
        text = FINDING_RE.sub(lambda m: m.group(0) if m.group("sign") else " ", text)
    return {c for c in concepts(text) if c not in generic and len(c) > 1 and not c.isdigit()}


def asked_words(question: str, but: tuple[str, ...] = ()) -> frozenset[str]:
    """The concepts of the words that say what is asked ("which drug", "first line", "how long"), less `but`'s."""
    return concepts(" ".join(m.group(0) for name, (cue, _) in ASKS.items() if name not in but
                             for m in cue.finditer(question)))


_DOSE_AS_TIME_RE = re.compile(r"\b(?:before|after|since|until|at|with) (?:the|his|her|their|each|every) (?:(?:first|last|next|"
                              r"initial|second|final) )?(?:[\w-]+ )?dos(?:e|es|ing)\b", re.I)
_WHICH_CLASS_RE = re.compile(r"\b(?:which|what|best|preferred|first[- ]line)\s+([\w-]+)", re.I)


def analyse(question: str, follow_up: str | None = None, idf=None, earlier: str | None = None) -> QuestionFocus:
    """`follow_up`: the latest message when `question` is a rewritten follow-up, `earlier` the question it follows;
    `idf(concept) -> float`."""
    # What the patient does not have ("without CKD") is neither the topic nor who the patient is.
    plain, plain_follow_up = (with_family_history(affirmed_text(t)) for t in (question, follow_up or ""))
    focus = QuestionFocus(text=question, topic=topic_concepts(plain), clause=topic_concepts(asking_clause(plain)),
                          latest=follow_up or question)
    # "methotrexate contraindicated": what the patient cannot have.
    contraindicated = set().union(*map(topic_concepts, contraindicated_words(question)))
    focus.topic -= contraindicated
    focus.clause -= contraindicated
    negated = topic_concepts(negated_text(question + "\n" + (follow_up or ""))) | contraindicated
    focus.excluded = negated - focus.topic
    # "45 year old man with BP 150/95": his sex is who he is (a population), not what the guideline must be about.
    sex = aged_sex(plain)
    focus.topic -= sex
    focus.clause -= sex
    # "First episode of C. difficile": no recurrence, and "episode" says which, not what the guideline is about.
    if _FIRST_EPISODE_RE.search(plain) and not concepts(plain_follow_up) & _recurrence():  # not once "it recurs"
        focus.topic -= _episode()
        focus.clause -= _episode()
        focus.excluded |= _recurrence() - focus.topic
    # What the patient has: the topic, less what any part of the question also excludes ("no retinopathy ... retinal
    # screening", "African American ... and if it were a non-African pt?"), unless the follow-up now affirms it
    # ("no ABPA ..." then "work-up now confirms ABPA").
    focus.has = focus.topic - (negated - topic_concepts(plain_follow_up)) if follow_up else focus.topic - negated
    # What the clauses that ask want, not the vignette's words ("never injected drugs. Should I screen him for hep C?").
    # "... before the first rituximab dose?" asks nothing about a dose: the dose says when.
    asked, whole = (_DOSE_AS_TIME_RE.sub(" ", t) for t in (asking_clauses(follow_up or question), question))
    focus.asks = [name for name, (cue, _) in ASKS.items() if cue.search(asked)] or \
                 [name for name, (cue, _) in ASKS.items() if cue.search(whole)]
    # A test by name in the clause that asks ("is MRI needed?", "need a CXR?"); a vignette's ("CT shows ...") asks none.
    if "test" not in focus.asks and TEST_NAMED_RE.search(asked):
        focus.asks.append("test")
    # "Which statin and what dose?": a drug class named by its stem asks which drug as "which drug" does.
    if "drug" not in focus.asks and any(names_drug_by_form(m.group(1)) for m in _WHICH_CLASS_RE.finditer(asked)):
        focus.asks.insert(0, "drug")
    focus.drug_kind = _drug_kind(asked) if "drug" in focus.asks else set()
    # "is quinine still ok for leg cramps? any alternatives?": whether it is ok, then what instead; "avoid" answers it.
    asking = clauses(asked)[1]
    focus.against_ok = "harm" in focus.asks or (len(asking) > 1 and bool(_WHETHER_OK_RE.match(asking[0])) and
                                                 bool(_OTHER_CHOICES_RE.search(asking[-1])))
    focus.open = _asks_what_to_do(asked, question)
    focus.populations = set(asked_populations(plain + " " + plain_follow_up))
    focus.animal = animal_patient(question + " " + (follow_up or ""))
    if follow_up:  # what the follow-up adds, not the words that tie it to the earlier message ("Same picture but")
        focus.ruled_out = focus.excluded & (topic_concepts(negated_text(follow_up)) | contraindicated)
        # Not a unit ("it's 8 mm" adds a size, no statement states by its unit alone), nor how the treatment went
        # ("not improving after 3 months": a step after failure answers it, whatever its words).
        focus.constraint = topic_concepts(_follow_up_content(plain_follow_up)) & focus.topic - _units() - progress_words()
        # "are antibiotics needed?": the class of drug asked about is what it adds, though it is no topic word.
        focus.constraint = focus.constraint or set(concepts(plain_follow_up) & drug_class_concepts())
        # "admitted with severe PID - does the IUD come out?": severe is new, the IUD was asked about before.
        focus.new = (focus.constraint - topic_concepts(affirmed_text(earlier or ""))) or focus.constraint
    else:  # "AF in a patient with a mechanical mitral valve": what the patient has beside the condition asked about
        has = set().union(*map(topic_concepts, patient_has(plain))) & focus.topic
        focus.qualifier = has if focus.topic - has else set()
    focus.aliases = _aliases(question, focus.topic) | implied_aliases(plain, focus.topic)
    focus.answer_class = answer_class_concepts(question)
    # Words that ask, which are no subject; not a target's words, which name what it is of ("target estradiol levels").
    cues = asked_words(question, but=("target",))
    if idf is not None:
        # An acronym no indexed passage spells in the vignette ("starting RIPE today. Do I add a steroid?") is the
        # asker's shorthand, not a topic the index lacks: it neither counts for coverage nor makes a gap. In the
        # clause that asks ("outpatient treatment for COVID-19?") it is the topic, and the index lacks it.
        unseen = getattr(idf, "max", None)
        if unseen is not None:
            shorthand = {c for c in _acronyms(question) if idf(c) >= unseen}
            focus.topic -= shorthand - focus.clause
        focus.weights = {c: idf(c) for c in focus.topic}
        # "Positive Dix-Hallpike on the right - what's the treatment of choice for BPPV?": the vignette's details
        # count half; the clause that asks says what the answer must be about.
        vignette = focus.topic - focus.clause
        if vignette != focus.topic:
            focus.weights.update({c: focus.weights[c] * VIGNETTE_WEIGHT for c in vignette})
        # "Which antifibrotic drugs ...": the kind of answer wanted, which a guideline that answers may never name.
        focus.weights.update({c: focus.weights[c] * VIGNETTE_WEIGHT for c in focus.answer_class & focus.topic})
        for alias, name in focus.aliases.items():  # the pair weighs as its more telling name
            focus.weights[name] = max(focus.weights[name], focus.weights.get(alias, 0.0))
    # A statement on the drug's class is on the drug: "cough due to ACEI" for "a dry cough on lisinopril". Not when
    # the question names two of the class ("hydrocortisone ... can we use dexamethasone?"): it compares them.
    members = Counter(cls for name in focus.topic for cls in classes_of(name, whole=True))
    focus.classes = {cls: name for name in sorted(focus.topic) for cls in classes_of(name, whole=True) - focus.topic
                     if members[cls] == 1}
    # "moderate to severe", "uncomplicated" say how bad, not what: a perinatal guideline's "moderate to severe
    # depression" is not about "moderate to severe alcohol use disorder".
    focus.subject = focus.topic - focus.populations - focus.new - cues - severity_concepts()
    focus.phrases = {c: parts for c in focus.topic if c.startswith("zz") and (parts := phrase_parts(c))
                     and not parts & population_keys()}
    return focus


def _drug_kind(asked: str) -> set[str]:
    """The drug classes the asking clauses name where they ask for a drug ("antibiotics", "which statin"); none for
    "which drug" or "what medication"."""
    words = [m.group(0) for m in ASKS["drug"][0].finditer(asked)] + [m.group(1) for m in _WHICH_CLASS_RE.finditer(asked)]
    return set(concepts(" ".join(words))) & drug_class_concepts()


_FIRST_EPISODE_RE = re.compile(r"\b(?:first|initial|single|index)\s+(?:\w+\s+)?episodes?\b", re.I)


@vocabulary_cache(maxsize=1)
def _episode() -> frozenset[str]:
    return concepts("episode")


@vocabulary_cache(maxsize=1)
def _recurrence() -> frozenset[str]:
    return concepts("recurrence relapse")


@vocabulary_cache(maxsize=1)
def severity_concepts() -> frozenset[str]:
    return concepts("mild moderate severe severity uncomplicated complicated")


VIGNETTE_WEIGHT = 0.5  # chosen on the tuning half (0.3 abstained on fewer gaps, first statement lower)
# "Which antifibrotic drugs ...", "what oral antibiotic ...": the words before the asked-for noun name the kind
# of answer wanted, not the topic; a guideline that answers may never use them.
_ANSWER_CLASS_RE = re.compile(r"\b(?:which|what|any|best|preferred|first[- ]line)\s+((?:[\w-]+\s+){1,2}?)"
                              r"(?:drugs?|medications?|meds|agents?|antibiotics?|therap(?:y|ies)|treatments?|inhalers?|options?)\b", re.I)


# "ulipristal (ellaOne)", "ketorolac (Toradol)": one thing named twice; a source names one of them.
_ALIAS_RE = re.compile(r"\b([A-Za-z][\w-]{2,})\s+\(([A-Za-z][\w-]{2,})\)")


def _aliases(question: str, topic: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ALIAS_RE.finditer(question):
        name, alias = concepts(m.group(1)), concepts(m.group(2))
        if len(name) == 1 and len(alias) == 1 and name != alias and name <= topic and alias <= topic:
            out[next(iter(alias))] = next(iter(name))
    # A class named for treating a condition names the condition: "antihypertensive therapy" for hypertension.
    treating = treating_classes()
    out |= {cls: c for c in sorted(topic) for cls in treating.get(c, ()) if cls not in topic}
    return out


# "Which antifibrotic should I start?", "which statin is safest?": the word that "which" asks about, before its verb.
_WHICH_BEFORE_VERB_RE = re.compile(r"\bwhich\s+([\w-]+)\s+(?=(?:should|would|do|does|is|are|can|to)\b)", re.I)


def answer_class_concepts(question: str) -> set[str]:
    return {c for pattern in (_ANSWER_CLASS_RE, _WHICH_BEFORE_VERB_RE) for m in pattern.finditer(question)
            for c in concepts(m.group(1))}


_OPEN_QUESTION_RE = re.compile(
    r"^\W*(what|which|how|when|who|where)\b|[,;]\s*(?:what|how|when)\b(?=[^,;]*\?)"  # "Pregnant ..., how should I treat her?"
    # Clipped, as clinicians type them: "best initial med?", "first-line regimen?", "next step?", "usual RAI dose for
    # ...?", "second line options?", "imaging test of choice for ...?" ask what to do as "what is ...?" does.
    r"|^\W*(?:the\s)?(?:best|first|first-line|initial|preferred|next|next-line|second|second-line|third-line|alternative|"
    r"standard|usual|max|maximum|starting|optimal)\b"
    r"|^\W*(?:[\w-]+\s){0,2}(?:dose|doses|dosing|target|regimen)\b|\b(?:options?|alternatives?|of choice)\b"
    # A topic to act on, typed as a heading: "Treatment of knee osteoarthritis?", "Chancroid treatment?".
    r"|^\W*(?:the\s)?(?:treatment|management|therapy|treating|managing|approach)\b(?![^?]*\b(?:should|can|could|would|is|are|does|do)\b)"
    r"|^[^?,;]{0,60}\b(?:treatment|management)\W*$", re.I)
# "What if ...", "what about ...", "and for ...": a new case for the question before, which it asks again, unless
# it asks whether to ("..., would you put them on NIV?").
_WHETHER_OK_RE = re.compile(r"^\W*(?:is|are|can|could|should|would|does|do)\b", re.I)
_OTHER_CHOICES_RE = re.compile(r"\b(?:alternatives?|options?|instead|else)\b", re.I)
_NEW_CASE_RE = re.compile(r"^\W*(what if|what about|how about|and if|and for|and in|and)\b", re.I)
_WHETHER_RE = re.compile(r"\b(would|should|can|could|do|does|will|is it|are they)\s+(you|i|we|they|he|she|it|them)\b", re.I)


def _asks_what_to_do(asked: str, question: str) -> bool:
    """`asked`: the latest message; `question`: the standalone question it makes."""
    new_case = _NEW_CASE_RE.match(asked)
    if new_case:
        return not _WHETHER_RE.search(asked[new_case.end():]) and bool(_OPEN_QUESTION_RE.search(question))
    return bool(_OPEN_QUESTION_RE.search(asking_clause(asked)))


_ACRONYM_RE = re.compile(r"\b[A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")


def _acronyms(text: str) -> set[str]:
    return {concept_of(m.group(0).lower()) for m in _ACRONYM_RE.finditer(text)}


def with_rare_drug_classes(question: str, idf, rare: float) -> str:
    """The query to retrieve with: a drug few indexed passages name (idf >= `rare`) is also searched for by its
    classes ("ramipril" as "ACE inhibitor", "ACEI" too): the index may hold its class's guidance all the same."""
    extra = [name for c in sorted(concepts(question)) if classes_of(c) and idf(c) >= rare for name in class_names(c)]
    return f"{question} ({', '.join(dict.fromkeys(extra))})" if extra else question


# "An uncomplicated UTI is classified as a UTI without ...": what a term means, not what to do.
# "Severe hypertension should be defined, in any setting, as a systolic BP of ≥160 mmHg" too.
DEFINITION_RE = re.compile(r"^[^,;:]{0,80}?\b(?:is|are|should be) (?:defined|classified|characteri[sz]ed|described)"
                           r"(?:,[^,;:]{1,30},)? as\b"
                           r"|^[^,;:]{0,60}?\b(?:refers?|is a term used) to (?:describe|denote|a|an|the)\b"
                           # A footnote on a quoted term: "A 'clinician' should be a medically qualified practitioner".
                           r"|^\W*(?:an?\s+|the\s+)?['‘\"“][^'’\"”]{2,60}['’\"”]\s+(?:[\w-]+\s+){0,8}?"
                           r"(?:should be|is|are|means)\s+(?:an?|the|someone|anyone|any)\b", re.I)


def states(ask: str, text: str) -> bool:
    if ask == "target" and DEFINITION_RE.search(text):  # what a condition is, no value to aim for
        return False
    return bool(ASKS[ask][1].search(text)) or (ask in _DRUG_ASKS and names_drug_by_form(text))
