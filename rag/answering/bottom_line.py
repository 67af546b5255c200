"""Which picked statement leads an answer as its bottom line: one read alone, stating what was asked, a
recommendation for something, for the care setting asked about.

The diversity pass (rag/answering/selection.py) picks the statements; these rules only reorder them, each promoting
the ranker's best-scored statement that fits when the current lead does not, of those that keep most of what the
rules before it made the lead be.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.answering.candidates import Candidate
from rag.answering.cues import (
    BEST_EVIDENCE_RE,
    QUANTITY_RE,
    allergens,
    care_settings,
    evidence_strength,
    population_conflict,
    question_quantities,
    without_ages,
)
from rag.answering.first_choice import FIRST_ASKED_RE, RETEST_RE, asked_first_choice, names_first_choice, reports_failure
from rag.answering.kinds import of_other_kind, opposite_kinds
from rag.answering.rank import (
    AFTER_FAILURE_RE,
    SentenceProfile,
    contradicts,
    from_harms,
    gives_excluded,
    sentence_profile,
)
from rag.answering.reads_alone import reads_alone
from rag.clauses import asking_clauses
from rag.question import (
    AGAINST_RE,
    RECOMMENDATION_RE,
    QuestionFocus,
    severity_concepts,
    states,
    topic_concepts,
)
from rag.vocabulary import concept_of, concepts, vocabulary_cache, with_kinds, with_parts

Prior = list[Callable[[Candidate], bool]]
SPECIFIC_ASKS = ("dose", "duration", "interval")  # numbers a sentence states reliably; drug names it may not
# What a bottom line must state when asked: those, and a value to aim for (not required of the answer, selection.py).
_LEAD_ASKS = SPECIFIC_ASKS + ("target",)


def bottom_line_first(picked: list[Candidate], focus: QuestionFocus | None) -> list[Candidate]:
    prior: Prior = []  # what the rules so far made the lead be: a later rule's new lead keeps it when one can
    picked = _lead_with(prior, picked, reads_alone, lambda c: True)
    if focus is None:
        return picked
    picked = _asked_first(picked, focus, prior)
    if not focus.against_ok and focus.open:
        picked = _recommendation_first(picked, focus, prior)
        picked = _firm_first(picked, focus, prior)
    elif not focus.open:
        picked = _recommends_first(picked, focus, prior)
    picked = _first_step_first(picked, focus, prior)
    picked = _first_line_first(picked, focus, prior)
    picked = _drug_named_first(picked, focus, prior)
    picked = _strongest_evidence_first(picked, focus, prior)
    picked = _default_patient_first(picked, focus, prior)
    picked = _severity_first(picked, focus, prior)
    picked = _not_excluded_first(picked, focus, prior)
    picked = _not_contradicted_first(picked, focus, prior)
    picked = _setting_first(picked, focus, prior)  # a recommendation for the other setting answers nothing
    return _not_allergen_first(_constraint_first(picked, focus, prior), focus, prior)


def _constraint_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """A follow-up's new constraint leads: "what if she's pregnant?" after a statin question opens with "Statins are
    contraindicated in pregnancy", not with the first answer's bottom line again."""
    if not focus.constraint and not focus.ruled_out:
        return picked
    # From a guideline on the conversation's subject: "For children, no more than ... of lidocaine with epinephrine"
    # (a dermatology guideline) does not answer "and for a child?" after an anaphylaxis question.
    covered = _ON_SUBJECT * max((c.document_coverage for c in picked if c.hit.chunk.kind == "guideline"), default=0.0)
    # A statement of a guideline whose other picked statements state the subject is on it too, though it names the
    # subject otherwise: "Because 131 I is cleared by the kidneys, the dose should be reduced ..." under "RAI dose".
    on_subject = {c.hit.chunk.doc_id for c in picked if c.hit.chunk.kind == "guideline" and c.subject_coverage > 0}

    asked = concepts(focus.text)

    def states_it(c: Candidate) -> bool:
        return states_constraint(c, focus) and c.document_coverage >= covered and \
            (c.subject_coverage > 0 or c.hit.chunk.doc_id in on_subject and not _for_another(c, asked))
    # Asked about, it outweighs what the rules before made the lead be; `states_it` reads the subject itself.
    return _lead_with(prior, picked, states_it, states_it, keep_prior=False, on_subject=False)


def _for_another(c: Candidate, asked: frozenset[str]) -> bool:
    """Its leading condition is mostly what was not asked: "If initial treatment for healing severe oesophagitis
    fails, ..." in a dyspepsia guideline is not for H. pylori whose first line failed."""
    condition = sentence_profile(c.text).condition
    return bool(condition) and 2 * len(condition - asked) >= len(condition)


# Its document states at least this share of what the best picked one states of the question's subject. Chosen on
# the tuning half: 1.0 lost a lead whose guideline states a little less of a long vignette's words; 0.75 did not.
_ON_SUBJECT = 0.75


def states_constraint(c: Candidate, focus: QuestionFocus) -> bool:
    """The statement or its sub-heading ("Infants ...") states what the follow-up adds to the question before it
    ("severe" in "admitted with severe PID - does the IUD come out?", not the IUD asked about already): "not use
    melatonin" states melatonin; "and no cancer" does not state cancer."""
    p, h = sentence_profile(c.text), sentence_profile(c.heading)
    # Or what it rules out: "methotrexate contraindicated" is stated by "... for people who cannot take methotrexate".
    # What is said of a broader condition is said of the patient's kind of it ("acute coronary syndrome" of an NSTEMI).
    stated = with_kinds((with_parts(p.own) - p.excluded) | (with_parts(h.own) - h.excluded))
    return bool(focus.with_classes(focus.new) & stated or focus.ruled_out & p.excluded)


def _default_patient_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """The bottom line is not for a narrower group the question never mentions when another recommendation is for
    the patient asked about: "In patients with DVT ... and no cancer" leads over "... and cancer" for an otherwise
    healthy 50-year-old, and a statin recommendation for anyone over "For people 85 or older, consider ..."."""
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not guideline:
        return picked
    asked = concepts(focus.text) | focus.has
    lead = sentence_profile(guideline[0].text)
    narrower = lead.condition - asked
    # Whom it is for: its leading condition's groups ("In children with ..."), else any it names ("clinicians treat
    # children and adolescents with ...").
    stated = lead.condition_populations if lead.condition_populations is not None else lead.populations
    asked_groups = _asked_groups(focus)
    # "pregnant or breastfeeding women" is for the breastfeeding patient asked about, not a narrower group.
    groups = stated - asked_groups if not stated & focus.populations else frozenset()
    aged = not focus.populations and not question_quantities(focus.text) and _age_band(lead)
    if not narrower and not groups and not aged:
        return picked

    def fits(c: Candidate) -> bool:
        p = sentence_profile(c.text)
        # Asked whether to, one against answers ("Pt wants melatonin - ok?"); asked what to do, it does not.
        if focus.open and not focus.against_ok and AGAINST_RE.search(c.text) or c.coverage < guideline[0].coverage:
            return False
        if narrower & p.excluded:  # its sibling: "... and no cancer"
            return True
        if not groups and not aged:
            return False
        if aged and _age_band(p):
            return False
        if p.condition_populations is None:
            return bool(RECOMMENDATION_RE.search(c.text)) and not (p.populations - asked_groups)
        return not (p.condition_populations - asked_groups)
    # The lead is for a narrower group: any that fits.
    return _lead_with(prior, picked, lambda c: False, fits, _advice(focus))


def _severity_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Nor is it for another severity: "In cases of severe PID, ... removing the IUD" does not answer for mild PID
    when "In treating mild to moderate PID, it is not necessary to remove the IUD" is picked."""
    scale = severity_concepts()
    asked = (focus.new & scale) or (concepts(focus.text) & scale)  # a follow-up's "now severe" replaces "mild"
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not asked or not guideline:
        return picked
    stated = sentence_profile(guideline[0].text).condition & scale
    if not stated or stated & asked:
        return picked

    def fits(c: Candidate) -> bool:
        said = sentence_profile(c.text).condition & scale
        return (not said or bool(said & asked)) and c.coverage >= guideline[0].coverage and \
            (focus.against_ok or not AGAINST_RE.search(c.text))
    return _lead_with(prior, picked, lambda c: False, fits, _advice(focus))


def _age_band(p: SentenceProfile) -> bool:
    """The sentence is for the oldest or youngest only: "For people 85 years or older", "children under 5"."""
    return any(r.age and (r.lo >= 65 * 365.25 or r.hi <= 18 * 365.25) for r in p.ranges)


@vocabulary_cache(maxsize=1)
def _anyone() -> frozenset[str]:
    """Words for patients in general, which narrow no recommendation."""
    return frozenset(concept_of(w) for w in ("adults", "patients", "people", "persons", "individuals"))


def _asked_groups(focus: QuestionFocus) -> frozenset[str]:
    """The patient groups asked about, those they belong to (a pregnant or breastfeeding patient is a woman: "relief
    of nausea in early pregnancy, based on a woman's preferences" is for her), and patients in general."""
    women = focus.populations & {concept_of("pregnancy"), concept_of("breastfeeding")}
    return frozenset(focus.populations) | _anyone() | ({concept_of("women")} if women else frozenset())


def _not_excluded_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """The bottom line is not for patients with what the question's patient does not have ("In the population ...
    with CKD and hypertension, ..." for a Black adult without CKD)."""
    if not focus.excluded:
        return picked

    def fits(c: Candidate) -> bool:
        p = sentence_profile(c.text)
        return bool(focus.excluded & p.excluded) or not focus.excluded & (p.condition | p.populations | p.patients_with) \
            and not gives_excluded(focus.excluded, p)

    def for_them(c: Candidate) -> bool:  # "... if the patient is unable to take beta-blockers": what the asker needs
        p = sentence_profile(c.text)
        return bool(focus.excluded & p.excluded) and (advises(c) or bool(p.drug) and not p.against)
    if focus.ruled_out and any(for_them(c) for c in picked if c.hit.chunk.kind == "guideline"):
        return _lead_with(prior, picked, for_them, for_them, keep_prior=False)
    return _lead_with(prior, picked, fits, fits, _advice(focus))


def _not_contradicted_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Nor is it for patients without what the question's patient has ("severe asthma without ABPA" once ABPA is
    confirmed), nor for another kind of patient ("a bioprosthetic valve in the mitral position" for a mechanical
    mitral valve)."""
    kinds = opposite_kinds(focus.text)
    topic = with_parts(frozenset(focus.topic)) if kinds else frozenset()

    def fits(c: Candidate) -> bool:
        p = sentence_profile(c.text)
        return not contradicts(p, focus.has) and not (kinds and of_other_kind(kinds, p.affirmed, topic))
    return _lead_with(prior, picked, fits, fits, _advice(focus))


def _lead_with(prior: Prior, picked: list[Candidate], leads: Callable[[Candidate], bool],
               could_lead: Callable[[Candidate], bool],
               prefer: Callable[[Candidate], bool] | None = None, keep_prior: bool = True,
               on_subject: bool = True) -> list[Candidate]:
    """The picked statements, led by the best-scored guideline statement that `could_lead` and reads alone, unless
    the first one `leads` already (or none could). Of those that could, the ones that also keep what the rules before
    made the lead be (`prior`), when there are any: "not a step after a failed treatment" still holds when a later
    rule replaces a lead for the allergic. A lead that states the question's subject is replaced only by one that does
    too (`on_subject`; not where the lead would give the patient what they are allergic to): "pink eye in a child"
    kept its allergic conjunctivitis step, not the rhinitis guideline's spray list "for adults and children". What
    this rule made the lead be joins `prior`."""
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not guideline:
        return picked
    if leads(guideline[0]):
        prior.append(leads)
        return picked
    fitting = [c for c in guideline if could_lead(c) and reads_alone(c)]
    if on_subject and guideline[0].subject_coverage > 0:
        fitting = [c for c in fitting if c.subject_coverage > 0]
    if not fitting:
        return picked
    if keep_prior and prior:  # those that keep most of it
        kept = {id(c): sum(rule(c) for rule in prior) for c in fitting}
        most = max(kept.values())
        fitting = [c for c in fitting if kept[id(c)] == most]
    if prefer is not None:  # of those that fit, the ones that are what was asked for, when there are any
        fitting = [c for c in fitting if prefer(c)] or fitting
    lead = max(fitting, key=lambda c: c.rank_score)  # the ranker's choice, not the diversity pass's order
    prior.append(could_lead)
    return [lead] + [c for c in picked if c is not lead]


def _recommendation_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked what to do, the bottom line is the best recommendation *for* something, not one against ("regimens of
    20 or fewer days ... are not recommended" before "initial antibiotic therapy should employ ...") nor one that
    leaves it open ("Clinicians may or may not use iontophoresis ..."), nor a note on harms that advises nothing ("The
    majority of gastrointestinal adverse reactions are graded as mild ..."); of those, one that states what was asked
    ("Offer a 5-day course of a single antibiotic ..." before "Advise patients ... to consult their healthcare
    professional if ..." for how to treat pneumonia)."""
    def asked(c: Candidate) -> bool:
        return any(sentence_profile(c.text).states(a) for a in focus.asks)

    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    # Asked how to treat, "Clinicians should diagnose ... when ..." advises, but not what was asked.
    any_asked = bool(focus.asks) and any(asked(c) and advises(c) and reads_alone(c) for c in guideline)

    def leads(c: Candidate) -> bool:  # a harms section advises too: "Patients with cough due to ACEI should be ..."
        return not AGAINST_RE.search(c.text) and not _EQUIVOCAL_RE.search(c.text) and \
            (not from_harms(c) or advises(c)) and (asked(c) or not any_asked)
    return _lead_with(prior, picked, leads, advises, asked if focus.asks else None)


def _recommends_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked whether to ("Screening for cognitive impairment in a 75 year old - is it recommended?"), a bottom line
    that recommends nothing ("Blood tests ... are not currently used as screening tests") gives way to a graded
    recommendation, for or against, that states as much of the question itself."""
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not guideline:
        return picked
    said = focus.coverage(sentence_profile(guideline[0].text).covers)

    def recommends(c: Candidate) -> bool:
        p = sentence_profile(c.text)
        return (p.graded or bool(_BODY_RECOMMENDS_RE.search(c.text))) and bool(RECOMMENDATION_RE.search(c.text)) and \
            not _EQUIVOCAL_RE.search(c.text) and focus.coverage(p.covers) >= said

    def says(c: Candidate) -> bool:  # "it is not necessary to remove the IUD", "Do not use ..." answer whether to
        return bool(RECOMMENDATION_RE.search(c.text) or AGAINST_RE.search(c.text) or _NOT_NEEDED_RE.search(c.text))
    return _lead_with(prior, picked, says, recommends)


# A body's recommendation, graded elsewhere: "The USPSTF recommends initiating low-dose aspirin use ...".
_BODY_RECOMMENDS_RE = re.compile(r"\b(?:USPSTF|task force|panel|work group|committee|GDG|we)\s+(?:strongly\s+)?(?:recommends?|suggests?)\b", re.I)
_NOT_NEEDED_RE = re.compile(r"\b(?:is|are) (?:not )?(?:necessary|needed|required|unnecessary)\b", re.I)


def advises(cand: Candidate) -> bool:
    """A recommendation for something."""
    return bool(RECOMMENDATION_RE.search(cand.text)) and not AGAINST_RE.search(cand.text) \
        and not _EQUIVOCAL_RE.search(cand.text)


# Neither for nor against: "may or may not use", "no recommendation for or against", "the evidence is inconclusive".
_EQUIVOCAL_RE = re.compile(r"\b(?:may or may not|for or against|neither for nor against|no recommendation|inconclusive|"
                          r"(?:unable|not able) to (?:make a )?recommend\w*|"
                          r"(?:is|are|remains?) (?:unclear|uncertain))\b", re.I)


def _advice(focus: QuestionFocus) -> Callable[[Candidate], bool] | None:
    """Asked what to do, a rule that replaces the lead prefers a recommendation for something: "Uterotonic agents
    should be the first-line treatment ..." rather than "Management may vary greatly among patients" in place of
    "Offer second-line treatment ...", "Offer treatment to ..." rather than a finding on harms."""
    return advises if focus.open and not focus.against_ok else None


def _first_step_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Unless the question says a treatment failed, the bottom line is not the next step after one ("Minimal or absent
    responses suggest ..." for a new erythema migrans rash); when it does ("still active on methotrexate"), it is."""
    # "... despite positioning advice. First-line drug?" asks the first step; "AS - first line?" + "NSAIDs didn't work" not.
    failed = bool(AFTER_FAILURE_RE.search(focus.text) or _NEXT_STEP_RE.search(focus.text)) and \
        not FIRST_ASKED_RE.search(focus.latest or focus.text)
    against_ok = focus.against_ok or not focus.open

    # "Still waking at night on low-dose ICS - next step?": the step after *that* failed ("uncontrolled ... on a low
    # dose of ICS"), not after another ("uncontrolled with a SABA alone").
    tried = set().union(*(topic_concepts(m.group(1)) for m in _TRIED_RE.finditer(focus.text))) if failed else set()
    after_it = bool(tried) and any(tried & _failed_on(c.text) for c in picked if c.hit.chunk.kind == "guideline")

    def fits(c: Candidate) -> bool:
        return bool(tried & _failed_on(c.text)) if after_it else sentence_profile(c.text).after_failure == failed
    # A follow-up's new constraint outweighs this ("and if she had a lymphoma?"), unless it failed ("NSAIDs didn't work").
    constraint = set() if failed and reports_failure(focus) else focus.constraint
    def leads(c: Candidate) -> bool:
        return fits(c) or bool(constraint & sentence_profile(c.text).affirmed)

    def could_lead(c: Candidate) -> bool:
        return fits(c) and (against_ok or not AGAINST_RE.search(c.text))
    return _lead_with(prior, picked, leads, could_lead, _advice(focus))


# What the patient is on or has had: "on low-dose ICS", "despite methotrexate", "after 2 courses of".
_TRIED_RE = re.compile(r"\b(?:on|despite|after|taking)\s+((?:[\w-]+\s*){1,4})", re.I)
_FAILURE_CLAUSE_RE = re.compile(r"(?:\b(?:uncontrolled|not (?:adequately |well )?controlled|inadequately controlled)\b|"
                                + AFTER_FAILURE_RE.pattern + r")[^.;]{0,60}", re.I)


@vocabulary_cache(maxsize=4096)
def _failed_on(text: str) -> frozenset[str]:
    """The concepts of what a sentence says failed: the words after "uncontrolled", "despite", "not responded to"."""
    return frozenset().union(*(topic_concepts(m.group(0)) for m in _FAILURE_CLAUSE_RE.finditer(text)))


# How a clinician says the first treatment did not work.
_NEXT_STEP_RE = re.compile(r"\b(?:still|next[- ](?:step|line)|uncontrolled|not (?:well )?controlled|inadequate\w*|progressing|"
                           r"no better|not improv\w*|not working|isn't working|failed|what(?:'s| is)? next)\b", re.I)


def _asked_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked how much, how long, how often or what value to aim for, the bottom line states it: "Daily iron
    supplementation is recommended ..." leads no one to a dose that a statement below it gives ("30 mg elemental iron
    given daily for 3 months").
    Counted over everything asked. An age is no duration ("in women age ≤60 years")."""
    asked = [k for k in focus.asks if k in _LEAD_ASKS]
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not asked or len(guideline) < 2:
        return picked

    # A dose of another drug than the one asked about states no dose: "boluses of 20 ml/kg" of fluids under "what
    # dose of adrenaline?", vitamin A's under "how much vitamin D?".
    def stated(c: Candidate) -> int:
        return sum(bool(QUANTITY_RE[k].search(without_ages(c.text) if k == "duration" else c.text)) and
                   (k != "dose" or c.dose_of_asked) if k in QUANTITY_RE
                   else states(k, c.text) and (k != "target" or c.target_of_asked) for k in asked)

    most = max(stated(c) for c in guideline[1:])
    return _lead_with(prior, picked, lambda c: stated(c) >= most,
                      lambda c: stated(c) == most and (focus.against_ok or not sentence_profile(c.text).against))


def _setting_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """The bottom line is for the care setting asked about: not "... who are admitted to hospital" for an outpatient,
    when another statement is not for the other setting. (Age bands are left to the ranker: "adults aged 60 or
    older" is for a 72-year-old, though "adults" and "older adults" are told apart.)"""
    asked = focus.populations & care_settings()
    if not asked:
        return picked
    return _lead_with(prior, picked, lambda c: not _other_setting(c, asked), lambda c: not _other_setting(c, asked),
                      _advice(focus))


def _other_setting(cand: Candidate, asked: set[str]) -> bool:
    return population_conflict(asked, sentence_profile(cand.text).populations & care_settings())


def _firm_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked what to do, a firm recommendation ("Clinicians should use manual therapy ...") leads over a permissive
    one ("Clinicians may prescribe strengthening exercises ...") that states no more of the question, nor a follow-up's
    constraint it leaves out ("... may be considered for select patients with active cancer" stays)."""
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline"]
    if not guideline:
        return picked
    lead = guideline[0]
    keeps = bool(focus.constraint) and states_constraint(lead, focus)
    # Nor what was asked that it leaves out: "may be used to keep systolic blood pressure at 130 to 155 mmHg" stays
    # for "what BP target?" before "Blood pressure should be measured ...".
    asks = [a for a in focus.asks if a in _LEAD_ASKS]
    asked = sum(states(a, lead.text) for a in asks)
    return _lead_with(prior, picked, lambda c: not _PERMISSIVE_RE.search(c.text) or bool(_FIRM_RE.search(c.text)),
                      lambda c: advises(c) and bool(_FIRM_RE.search(c.text)) and c.coverage >= lead.coverage and
                      (not keeps or states_constraint(c, focus)) and sum(states(a, c.text) for a in asks) >= asked)


# "Offer ..." as an instruction, not "Clinicians may offer ...".
_FIRM_RE = re.compile(r"\b(?:should|must|recommends?|recommended|is indicated|are indicated|first[- ]line|"
                      r"(?:is|are) preferred)\b|"
                      r"^\W*(?:[A-D]\s*-\s*)?offer\b", re.I)
_PERMISSIVE_RE = re.compile(r"\b(?:may|might|could|can be (?:considered|used)|(?:is|are) (?:an? )?(?:options?|alternatives?)|"
                            r"reasonable)\b", re.I)


def _not_allergen_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """The bottom line does not give the patient what they are allergic to: for a penicillin-allergic patient, not
    a regimen with amoxicillin (a penicillin, by its class) when a picked statement is for the allergic."""
    named = allergens(focus.text)
    allergic = concept_of("allergic")
    if not named:
        # Nor, for a patient with no allergy named, one for the allergic ("In the event of allergy to amoxicillin,
        # azithromycin ..." under "what dose of amoxicillin?").
        def for_others(c: Candidate) -> bool:
            return allergic not in sentence_profile(c.text).condition
        return _lead_with(prior, picked, for_others, for_others, _advice(focus))

    def gives_it(c: Candidate) -> bool:
        p = sentence_profile(c.text)
        return bool(named & p.covers) and allergic not in p.affirmed  # "... or the child is not allergic to"
    return _lead_with(prior, picked, lambda c: not gives_it(c),
                      lambda c: not gives_it(c) and allergic in sentence_profile(c.text).affirmed, on_subject=False)


def _strongest_evidence_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked which has the best evidence, the bottom line is the statement that states the strongest: "Based on 1
    Class I study, clonazepam is probably effective ..." before "Risperidone (2 Class II studies, ...) is probably
    effective"."""
    if not BEST_EVIDENCE_RE.search(focus.text):
        return picked
    guideline = [c for c in picked if c.hit.chunk.kind == "guideline" and reads_alone(c)]
    best = min((evidence_strength(c.text) for c in guideline if not sentence_profile(c.text).against), default=4)
    if best == 4:
        return picked

    def strongest(c: Candidate) -> bool:
        return evidence_strength(c.text) == best
    return _lead_with(prior, picked, strongest, strongest, keep_prior=False)


# "Any drug worth trying?" asks which.
_ANY_DRUG_RE = re.compile(r"\bany\s+(?:drugs?|meds?|medications?|medicines?)\b", re.I)


def _drug_named_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked which drug, the bottom line names one of the kind asked for: "... the panel suggests dabigatran,
    rivaroxaban, apixaban, or edoxaban over VKA therapy", not "... recommends treatment with anticoagulation for at
    least 3 months" for which anticoagulant to use after a DVT."""
    if "drug" not in focus.asks or not (focus.open or _ANY_DRUG_RE.search(focus.text)):
        return picked

    def names_one(c: Candidate) -> bool:
        return sentence_profile(c.text).names_drug_of(focus.drug_kind, False)

    # Replaced only when it names no drug, or the class asked about and none of it. A first choice named by its class
    # stays ("Consider a trial of antimuscarinic medicine as the first-line ..."), and so does another remedy ("Ginger
    # is recommended for the relief of nausea in pregnancy" for which antiemetic).
    def leads(c: Candidate) -> bool:
        return names_one(c) or names_first_choice(c, focus) or \
            bool(focus.drug_kind) and not focus.drug_kind & sentence_profile(c.text).own
    return _lead_with(prior, picked, leads, lambda c: names_one(c) and advises(c))


def _first_line_first(picked: list[Candidate], focus: QuestionFocus, prior: Prior) -> list[Candidate]:
    """Asked for the first choice, the bottom line is a statement that names one ("... as the initial drug treatment
    for adults with type 2 diabetes"), not a step after it failed."""
    kind = asked_first_choice(focus)
    if not kind:
        return picked

    def names_one(c: Candidate) -> bool:
        return names_first_choice(c, focus)
    picked = _lead_with(prior, picked, names_one, names_one)
    if kind == "test":  # and, naming none, no retest: "Perform retesting for H pylori ..."
        picked = _lead_with(prior, picked, lambda c: not RETEST_RE.search(c.text),
                            lambda c: not RETEST_RE.search(c.text) and states("test", c.text))
    return picked

