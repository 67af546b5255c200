"""Whether a guideline sentence reads alone, as advice, and so may be an answer's bottom line.

Not an addition to a choice stated before it, a remark on a recommendation's scope, a definition, a step leaning
on the sentence before it, a study's report, or how a service is run (rag/answering/bottom_line.py leads with it).
"""

from __future__ import annotations

import re

from rag.answering.candidates import Candidate
from rag.answering.rank import sentence_profile


def reads_alone(cand: Candidate) -> bool:
    """Read alone, as advice: not an addition to a first choice stated before it ("Azithromycin is also an acceptable
    agent"), nor a remark on a recommendation ("Remarks : These recommendations do not apply to ...", "For
    recommendations on ..., see ..."), nor what a term means ("An uncomplicated UTI is classified as ..."), nor a
    trial's report."""
    profile = sentence_profile(cand.text)
    return (not profile.addition and not profile.scope and not profile.definition
            and not _REFERS_BACK_RE.search(cand.text) and not study_report(cand.text)
            and not _SERVICE_RE.match(cand.text) and not _POINTS_ELSEWHERE_RE.search(cand.text)
            and not _FOOTNOTE_RE.match(cand.text) and not _EQUIPMENT_RE.search(cand.text))


# How a machine is kept right, not the patient's care: "Perform periodic ... body composition QC scans for any DXA
# system as an independent assessment of system calibration."
_EQUIPMENT_RE = re.compile(r"\b(?:QC|quality[- ]control|calibration|phantom scans?)\b", re.I)


# A footnote to a word in another recommendation: "8 Clinical assessment should be carried out by a medically
# qualified practitioner ...", "5 Critical care means an intensivist ...".
_FOOTNOTE_RE = re.compile(r"^\d{1,2}\s+[A-Z][a-z]")


# Advice to follow advice given elsewhere: "Ensure people working in the settings follow the recommendations about
# testing and treatments (see "Latent TB," ... sections above)".
# Or a sentence that only sends the reader elsewhere: "See the General Medical Council's Good practice in prescribing
# ... for further information."
_POINTS_ELSEWHERE_RE = re.compile(r"\bfollow (?:the )?(?:[\w-]+ )?recommendations? (?:in|about|on|for|of)\b|"
                                  r"\(see\b[^()]*\bsections?\b[^()]*\b(?:above|below)\)|"
                                  r"^\W*(?:see|refer to)\b[^.;]*\bfor (?:further|more) "
                                  r"(?:information|details|guidance)\b", re.I)


# How a service is run, not the patient's care: "Multidisciplinary TB teams should implement strategies ...",
# "All maternity units should have a written policy ...", "Health care facilities ... should have a protocol".
_SERVICE_RE = re.compile(r"^\W*(?:all\s+|each\s+|every\s+)?(?:[\w-]+\s+){0,3}(?:teams?|services?|commissioners?|trusts?|"
                         r"hospitals?|units?|facilities|organi[sz]ations?|departments?|centres?|centers?|programmes?|"
                         r"programs?|systems?)\b(?!\s+of\b)(?:[^.;]{0,80}?)\s(?:should|must)\s+(?:implement|have|ensure|"
                         r"provide|develop|establish|make|audit|monitor|designate)\b", re.I)


# A trial's report inside a guideline, whose follow-up time is no duration of care: "Over a median of 4.6 years, 2,207
# patients ... were randomized to either PCI plus OMT, or OMT alone."
# Or a study's finding: "A nonrandomized trial with historical controls reported a reduction in ...".
_STUDY_REPORT_RE = re.compile(
    r"\b(?:were|was)\s+(?:randomi[sz]ed|enrolled|recruited)\b|\brandomi[sz]ed\s+(?:to|into|between)\b|"
    # "Two of the 3 CISNET models found ...", "The first of the 2 rituximab-era trials, MInT, indirectly addressed ..."
    # "Indeed, the CISNET models suggest that most of the benefit ..."
    r"^\W*(?:(?:indeed|however|moreover|furthermore|in addition|additionally|similarly|overall),?\s+)?"
    r"(?:an?|the|one|two|three|several|\d+)\s+(?:[\w-]+\s+){0,5}(?:trials?|stud(?:y|ies)|meta-analys[ie]s|reviews?|"
    r"models?|analys[ie]s|cohorts?)\b[^.;]{0,120}?\b(?:reported|found|showed|demonstrated|addressed|evaluated|examined|"
    r"assessed|compared|investigated|suggest(?:s|ed)?)\b|"
    # A comparison of a study's arms: "The time to surgery in the bone scan group was 1 day greater than ..."
    r"\b(?:the|both|two|2)\s+(?:[\w-]+\s+){0,3}groups?\b[^.;]{0,40}?\b(?:was|were|had|showed|averaged|did)\b|"
    r"^\W*based on (?:the|these|those|their|its) (?:findings|results|data)\b[^.;]{0,20}\b(?:it|they) (?:was|were)\b|"
    # "The USPSTF found 4 trials of statin use ..."
    r"\b(?:found|identified|reviewed|included)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|several|few|"
    r"no)\s+(?:[\w-]+\s+){0,2}(?:trials?|stud(?:y|ies)|RCTs?|reviews?)\b|"
    # "Another series that included 2,706 patients ...", "Researchers developed a prediction rule ..."
    r"^\W*(?:another|one|a|the|in an?)\s+(?:[\w-]+\s+){0,2}series\b|^\W*(?:the\s+)?(?:researchers|investigators)\s+"
    r"(?:developed|found|reported|showed|compared|evaluated|studied|examined)\b", re.I)


def study_report(text: str) -> bool:
    """A trial's or study's report, which advises nothing."""
    return bool(_STUDY_REPORT_RE.search(text))


# Its subject is in the sentence before it: "This interval will depend on ...", "For these patients ...", or it is
# the tail of a sentence split in two. ("It is not recommended for CrCl < 30" under a risedronate question may lead.)
_REFERS_BACK_RE = re.compile(
    r"^\W*(?:(?:for|in|among|of) (?:these|those|such|this|that|both) (?:patients|people|persons|"
    r"women|men|children|individuals|groups?|populations?|cases?)\b|"
    r"this|these|those|such|(?:when|in|if) doing so|if so|in (?:this|that|such) cases?|"
    r"(?:if|when|once|after) (?:this|these|that|such)(?! (?:patients|people|women|men|children))|"
    # "During this period offer rate control ...", "Examples might be an infant with ..."
    r"(?:during|within|over|throughout|at|by) (?:this|that|these|those|such) (?:period|time|phase|stage|point|interval|"
    r"window)|examples? (?:might|may|would|could|include)|for example)\b"
    r"|^(?-i:[a-z]{2,})\b"
    # Anywhere: "As in the study mentioned above, ...", "Women using Mirena for this purpose must ..."
    r"|\b(?:stud(?:y|ies)|trials?|reviews?) (?:mentioned|described|discussed|cited) above\b"
    r"|\b(?:for|with) (?:this|that|these|those|such) (?:purposes?|indications?)\b"
    # "Losartan may be less efficacious compared to others in this group ...": the group is named before it.
    r"|\b(?:others?|agents?|drugs?) (?:in|of|from) (?:this|that|the same) (?:group|class)\b"
    # "If patients in this population are treated with a TNFi ..."
    r"|\b(?:patients|people|those) in (?:this|that|these|such) (?:populations?|groups?)\b"
    # "It is both highly sensitive and specific ... and should be the first imaging technique": "it" is the test named
    # before. Not the "it" of "It is recommended that ...", "It is reasonable to ...".
    r"|^\W*it (?:is|was|has|can|may|should|must|will|does|provides|offers|remains|allows|requires)\b"
    r"(?!(?: also| generally| therefore| thus)?(?: not)? (?:recommended|suggested|advised|advisable|important|essential|"
    r"reasonable|appropriate|necessary|unclear|uncertain|unknown|known|possible|impossible|likely|unlikely|preferable|"
    r"critical|prudent|imperative|crucial|vital|desirable|helpful|useful|best|good practice|clear|difficult|"
    r"acceptable|advantageous|beneficial|sensible|wise|mandatory|required|the (?:responsibility|role)|"
    r"be (?:recommended|suggested|advised|noted|assumed|argued|necessary|reasonable|appropriate|useful|"
    r"helpful|difficult|important|possible))\b)", re.I)
