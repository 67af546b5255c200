"""Follow-up questions -> standalone retrieval queries (deterministic).

"What about in children?" means nothing to a retriever on its own. When a
question reads as a follow-up (a leading cue such as "what about", a pronoun
standing for the earlier topic, or too few content words to stand alone), it
is attached to the previous turn's standalone question. A short question with no
such cue ("at what level should phototherapy start?") is attached when the index
finds it with the earlier topic (Pipeline.related).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.answering.cues import named_drugs
from rag.negation import affirmed_text, negations
from rag.populations import AGE_RE, asked_populations, conflicting, population_keys
from rag.clauses import clauses
from rag.question import (
    FINDING_RE,
    FOLLOW_UP_CONTEXT_RE,
    TEST_NAMED_RE,
    asked_words,
    progress_words,
    topic_concepts,
)
from rag.settings import Settings
from rag.text import ANAPHORA, WORD_RE, content_stems, content_words
from rag.types import Turn
from rag.vignette import relative_had
from rag.vocabulary import concept_of, concepts, drug_class_concepts, vocabulary_cache

_CUE_RE = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+|^\s*(?:and\s+)?what\s+(?=if\s)|^\s*and\s+(?:in|for|with|during|after|before)?\s*|^\s*(?:also|same)\s+(?:(?:question|thing|again|answer)\s+)?(?:for|in)\s+",
    re.I,
)
_PERSONAL = {"she", "he", "her", "him", "his", "she's", "he's", "hers"}
_PERSON_RE = re.compile(r"\b(patients?|pts?|wom[ae]n|m[ae]n|child(ren)?|kids?|boys?|girls?|bab(y|ies)|infants?|neonates?|"
                        r"newborns?|adults?|mothers?|mums?|moms?|fathers?|persons?|someone|veterans?|adolescents?|teens?|"
                        r"teenagers?|toddlers?|athletes?|smokers?|lady|gentleman|individuals?)\b", re.I)
# "and if instead she had ...": the follow-up replaces the one before it rather than adding to it.
_DANGLING_RE = re.compile(r"\b(an?|the|in|for)\s+(?=(with|in|for|and|or|who|where|[,.?!]|$))", re.I)
# Or about the case: "it's now 5 hours since the injury".
_PATIENT_START_RE = re.compile(r"^\s*(he|she|they|he's|she's|they're|pt|patient|the (pt|patient)|his|her|their|"
                               r"it's|it is|it was|that's|this is)(?!\w)", re.I)
_DANGLING_TAIL_RE = re.compile(r"(?:[\s,]*\b(?:but|and|or|with)|\s*,)$", re.I)
_INSTEAD_RE = re.compile(r"\binstead\b|\brather\b", re.I)
# Someone else, or another time: "she had a previous baby with a neural tube defect", "her son", "in her last
# pregnancy" name no new patient group for the patient asked about.
_OTHER_PERSON_RE = re.compile(r"\b(?:(?:her|his|their|a|an|the)\s+)?(?:previous|prior|last|earlier|first|older|younger|other|"
                              r"another|elder)\s+(?:bab(?:y|ies)|child(?:ren)?|kids?|sons?|daughters?|infants?|newborns?|"
                              r"pregnanc(?:y|ies))\b|\b(?:her|his|their)\s+(?:bab(?:y|ies)|child(?:ren)?|kids?|sons?|daughters?|"
                              r"infants?|newborns?|mother|father|parents?)\b", re.I)

_HER_BABY_RE = re.compile(r"\bthe\s+(?:bab(?:y|ies)|newborns?|infants?|neonates?|fetus(?:es)?)\b", re.I)
_PREGNANT = concept_of("antenatal")  # rag.populations' key for pregnancy


def is_follow_up(question: str) -> bool:
    words = WORD_RE.findall(question.lower())
    if _CUE_RE.match(question) or FOLLOW_UP_CONTEXT_RE.search(question):
        return True
    if any(w in ANAPHORA for w in words) and len(content_words(question)) <= 4:
        return True
    # "she's just found out she's pregnant - how often ...?": a patient named only by a pronoun is the earlier one.
    if any(w in _PERSONAL for w in words) and not _PERSON_RE.search(question) and not AGE_RE.search(question):
        return True
    # "should we give salbutamol?", "how long should the steroid course be?": a drug, and no condition of its own; it
    # is asked of the earlier one.
    # So is a class of drug: "should I add an antiviral?" after a Bell's palsy question.
    # So is the patient's reaction to one ("penicillin allergic?", "statin intolerant - what next?") and how they are
    # doing on it ("not improving after 3 salbutamol nebs").
    drugs = named_drugs(question) | (concepts(question) & (drug_class_concepts() | _given_like_drugs()))
    reaction = concepts(" ".join(m.group(0) for m in _REACTION_RE.finditer(question)
                                 if len(content_words(question)) <= 2 or not m.group("noun")))
    if drugs and not topic_concepts(question) - drugs - _course_words() - reaction - progress_words() - \
            asked_words(question):
        return True
    # "should I use compression?": whether to do one thing, with no condition to do it for, is asked of the earlier one.
    if _SHORT_WHETHER_RE.match(question) and len(content_words(question)) <= 2:
        return True
    # "which drug is first line?", "how long for?", "is an MRI needed?": what it asks, or a test, and no subject of its
    # own.
    # So is "how soon after injury?": the event it times from is no subject.
    # So is "what BP target?": a measure and its goal, with no condition, are the earlier patient's.
    tests = concepts(" ".join(m.group(0) for r in (TEST_NAMED_RE, _MEASURE_RE) for m in r.finditer(question)))
    events = concepts(" ".join(m.group(1) for m in _TIMED_EVENT_RE.finditer(question)))
    # Nor is whom it asks for: "CHA2DS2-VASc of 1 in a man?".
    # Nor is a kind of care: "when should I refer for surgery?" after a carpal tunnel question.
    # Nor how the patient is doing on it: "first line failed", "no improvement after 2 weeks".
    if not topic_concepts(question) - asked_words(question) - _course_words() - _care_words() - progress_words() - \
            tests - events - population_keys():
        return True
    # "he can't have dexamethasone": a statement about the patient, not a question, adds to the question before it.
    # So does a finding ("eosinophils are high"), a fragment ("in an 80 year old with dementia?") and a condition on
    # the plan ("if diet fails, what medication?").
    if "?" not in question and (_PATIENT_START_RE.match(question) or FINDING_RE.search(question)):
        return True
    # "father had colon cancer at 45": a relative's disease is the patient's family history.
    if relative_had(question, opening=True) and \
            len(content_words(question)) <= _MAX_FRAGMENT_WORDS:
        return True
    if (_FRAGMENT_RE.match(question) or (_IF_RE.match(question) and not _PERSON_RE.search(question))) and \
            len(content_words(question)) <= _MAX_FRAGMENT_WORDS:
        return True
    return len(content_words(question)) <= 1


def is_note(question: str) -> bool:
    """"high bleeding risk", "second recurrence", "ABPI is 0.6": a note on the case, which neither asks nor names a
    kind of answer ("hypertension management" asks for one). It adds to the question before it when the index holds
    the two together ("gout flare" after a C. difficile question is a new topic). A result may take a word more:
    "iron studies show ferritin 30"."""
    words = content_words(question)
    return "?" not in question and not _ASKS_ANYTHING_RE.search(question) and \
        len([w for w in words if not w.isdigit()]) <= _MAX_NOTE_WORDS + any(w.isdigit() for w in words)


def may_follow(question: str) -> bool:
    """Short, about one thing and no patient of its own: "at what level should phototherapy start?" may be asked of
    the earlier topic (neonatal jaundice), which only the index can tell."""
    words = topic_concepts(question) - asked_words(question)
    return 0 < len(words) <= _MAX_FOLLOW_WORDS and not AGE_RE.search(question) and not _PERSON_RE.search(question) \
        and not _new_patient(question)


_MAX_FOLLOW_WORDS = 3
_MAX_FRAGMENT_WORDS = 5
_MAX_NOTE_WORDS = 3
# What makes a message a request of its own, even with no question mark: "treatment of scabies", "tell me about ...".
_ASKS_ANYTHING_RE = re.compile(r"\b(?:what|which|how|when|why|who|where|whether|should|can|could|would|tell|explain|"
                               r"list|for|describe|manag\w*|treat\w*|therap(?:y|ies)|guidelines?|recommend\w*|screen\w*|"
                               r"diagnos\w*|dos(?:e|es|ing)|work-?up|approach|options?|prophyla\w*|prevent\w*)\b", re.I)
# No verb of its own: "in an 80 year old with dementia?", "for a 5 year old?", "with CKD stage 4?".
_FRAGMENT_RE = re.compile(r"^\W*(?:in|for|with|on|during|after)\s+(?!.*\b(?:what|which|how|when|who|should|is|are|does|do|"
                          r"can|could|would|will)\b)", re.I)
_IF_RE = re.compile(r"^\W*(?:and\s+|but\s+)?if\b", re.I)
# "how long after hip replacement?": the operation names the event, no condition.
_TIMED_EVENT_RE = re.compile(r"\b(?:after|before|since|from|of|following)\s+(?:the\s+|an?\s+|his\s+|her\s+)?"
                             r"((?:[\w-]+\s+)?(?:replacement|arthroplasty|operation|procedure|repair)|injury|delivery|birth|"
                             r"surgery|diagnosis|admission|discharge|exposure|onset|conception|presentation)\b", re.I)
_MEASURE_RE = re.compile(r"\b(?:bp|blood pressures?|systolic|diastolic|(?:hb)?a1c|inr|ldl(?:-c)?|heart rate|targets?|"
                         r"goals?|thresholds?|cut-?offs?|scores?|cha2?ds2?(?:-?vasc)?|has-?bled|curb-?65|centor|abcd2?|"
                         r"wells|e?gfr|crcl|creatinine(?: clearance)?|potassium|sodium|platelets?|neutrophils?|anc)\b", re.I)
_SHORT_WHETHER_RE = re.compile(r"^\W*(?:should|can|could|do|would|shall)\s+(?:i|we|you)\s+(?:use|give|add|start|try|offer|do|"
                               r"order|stop|continue|switch|recommend|prescribe|apply)\b", re.I)


@vocabulary_cache(maxsize=1)
def _given_like_drugs() -> frozenset[str]:
    """What is given as a drug is, and names no condition: "what fluid and how much?" after a sepsis question."""
    return frozenset(concepts("fluid fluids crystalloid crystalloids colloid colloids oxygen transfusion dextrose glucose "
                              "saline"))


@vocabulary_cache(maxsize=1)
def _course_words() -> frozenset[str]:
    """How or when a drug is given, which names no condition: "the steroid course", "the insulin regimen", "should
    antibiotics be given prophylactically?", "what strength of steroid?", "salbutamol nebs"."""
    return frozenset(concepts("course courses regimen regimens taper tablets injections infusion schedule prophylaxis "
                              "strength potency neb nebs nebulised nebuliser nebulisers "
                              "prophylactic prophylactically empiric empirical empirically routine routinely adjunctive "
                              "long-term maintenance intravenous iv oral topical line lines second third"))


@vocabulary_cache(maxsize=1)
def _care_words() -> frozenset[str]:
    """A kind of care, which names no condition to give it for: "is surgery better?", "when to refer?"."""
    return frozenset(concepts("surgery surgical operation operative refer referral referred specialist physiotherapy "
                              "physiotherapist rehabilitation admission admit admitted hospitalisation"))


# How the patient reacts to a drug, which names no condition to treat: "penicillin allergic?". The noun only in a
# question as short ("penicillin allergy?"): "what is the management of penicillin allergy?" asks about the allergy.
_REACTION_RE = re.compile(r"\b(?:allergic|intolerant|hypersensitive|(?P<noun>allerg(?:y|ies)|intolerance))\b", re.I)


# Whether the index holds the short question and the earlier one's topic together (Pipeline.related, for a short
# question; Pipeline.together, for a note on the case).
Related = Callable[[str, str], bool]


def standalone_question(question: str, history: Sequence[Turn], settings: Settings, related: Related | None = None,
                        together: Related | None = None) -> str:
    """The query to retrieve with: the question itself, or the question joined to the earlier topic. `related`: for
    a short question no cue marks as a follow-up, whether what it is about goes with the earlier topic; `together`:
    for a note on the case, whether a guideline states it with the earlier topic."""
    question = " ".join(question.split())
    turns = list(history)[-settings.conversation.max_history_turns :] if settings.conversation.max_history_turns else []
    if not turns:
        return question
    if not _follows(question, turns[-1].standalone_question or turns[-1].question, related, together):
        return question
    previous = " ".join(_base(turns, question).split()).rstrip(" ?.!")
    cue = _CUE_RE.match(question)
    if cue:
        tail = question[cue.end() :].strip().rstrip(" ?.!")
        return f"{previous} {tail}?" if tail else f"{previous}?"
    return f"{previous}? {question}"


def _follows(question: str, earlier: str, related: Related | None, together: Related | None) -> bool:
    if is_follow_up(question):
        return True
    if is_note(question):
        return together is None or together(question, earlier)
    return related is not None and may_follow(question) and related(question, earlier)


def _rewritten(turn: Turn) -> bool:
    return bool(turn.standalone_question) and " ".join(turn.standalone_question.split()) != " ".join(turn.question.split())


def _base(turns: Sequence[Turn], question: str) -> str:
    """The earlier standalone question a follow-up builds on, without what the follow-up replaces.

    "and in kids?" after an adult's question drops the adult; "what if she's pregnant?" after "and in kids?"
    goes back to the question before the children; "and if instead ..." replaces the follow-up before it.
    """
    new = asked_populations(_OTHER_PERSON_RE.sub(" ", question))
    # Asked of a pregnant patient, "the baby" is hers ("HCV positive at booking ..." + "and when do we test the baby?").
    earlier = turns[-1].standalone_question or turns[-1].question
    if _PREGNANT in asked_populations(earlier):
        new = asked_populations(_HER_BABY_RE.sub(" ", _OTHER_PERSON_RE.sub(" ", question)))
    instead = bool(_INSTEAD_RE.search(question))
    i = len(turns) - 1
    while i > 0 and _rewritten(turns[i]) and (instead or conflicting(asked_populations(turns[i].question), new)):
        instead = False  # "instead" replaces one earlier follow-up, not the whole conversation
        i -= 1
    base = turns[i].standalone_question or turns[i].question
    # What the patient now has is no longer excluded: "... a Black adult without CKD?" + "and if he has CKD?",
    # "... in a non-pregnant woman" + "and if she's pregnant?".
    now = topic_concepts(affirmed_text(question))
    for start, items in reversed(negations(base)):
        if any(topic_concepts(base[a:b]) & now for a, b in items):
            head, tail = base[:start].rstrip(), base[items[-1][1]:].lstrip()
            if not tail or tail[0] in ",.;?!-–—":  # "..., no DM/CKD, lifestyle ...", "... but no ABPA.", ", no CKD - ..."
                head = _DANGLING_TAIL_RE.sub("", head)
            base = f"{head} {tail}" if tail and (tail[0].isalnum() or tail[0] in "-–—") else head + tail
    if _new_patient(question):
        # "Different pt: T2DM, already on losartan - still yearly ACR?": the earlier patient's description goes, what
        # was asked stays.
        parts, _ = clauses(base)
        kept = " ".join(p for p in parts if not AGE_RE.search(p))
        # Unless what stays no longer says what was asked about ("Which drug first?").
        base = kept if kept != " ".join(parts) and len(topic_concepts(kept)) >= 2 else base
    gone = conflicting(asked_populations(base), new)
    new_age = bool(AGE_RE.search(question))  # "what about a 4 year old?" replaces "a 7 year old", though both are children
    return _drop_populations(base, gone, new_age) if gone or new_age else base


# Another patient: "Different pt: ...", "His wife is 49 with ...", "Her healthy 35yo sister ..." (a relative with an
# age or history of their own; "His daughter is with him this time" is still about him).
_OTHER_PATIENT_RE = re.compile(r"^\W*(?:a\s+)?(?:different|another|other|new|next)\s+(?:pt|patient|person|case)\b", re.I)
_RELATIVE_RE = re.compile(r"^\W*(?:(?:his|her|their|my|the)\s+)?(?:\w+\s+){0,2}?(?:wife|husband|partner|sister|brother|"
                          r"daughter|son|mother|father|mum|mom|dad|friend|colleague|twin|cousin)\b(?!\s+(?:is|was)\s+with\b)",
                          re.I)
_OWN_DETAILS_RE = re.compile(r"\b(?:is|was)\s+\d{1,3}\b|\b(?:with|has|had)\b", re.I)


def _new_patient(question: str) -> bool:
    return bool(_OTHER_PATIENT_RE.match(question)) or (
        bool(_RELATIVE_RE.match(question)) and bool(AGE_RE.search(question) or _OWN_DETAILS_RE.search(question)))


def _drop_populations(text: str, gone: set[str], every_age: bool = False) -> str:
    """The text without the words (and stated ages) that name the populations in `gone`."""
    def age(m: re.Match) -> str:
        return "" if every_age or asked_populations(m.group(0)) & gone else m.group(0)

    text = AGE_RE.sub(age, text)
    text = WORD_RE.sub(lambda m: "" if concept_of(m.group(0).lower()) in gone else m.group(0), text)
    for _ in range(2):  # the article or preposition left before a dropped word ("for an adult with" -> "with")
        text = _DANGLING_RE.sub("", text)
    # Nor a clause's comma left at the start ("29F, HCV positive ..." less the adult).
    return re.sub(r"\s+([,.?!])", r"\1", " ".join(text.split())).lstrip(" ,;")


def llm_standalone_question(question: str, history: Sequence[Turn], settings: Settings, chat) -> tuple[str, str, str | None]:
    """(query, how, why not the LLM): the chat model condenses the conversation, the rules are the fallback."""
    from rag.answering.chat_model import invoke_with_timeout
    from rag.answering.prompts import rewrite_messages

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
