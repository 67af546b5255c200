"""Text as every stage reads it: words, stems, sentence spans, which sentences are quotable, and one
normalisation key.

The leaf of the package: the corpus, the index, retrieval and answering all use these, so it imports none
of them. Sentence offsets index into the original text, so chunks and statements stay verbatim; lines are
split first (guideline text is full of bullet lists and headings with no final period), then `sentencex`
segments each line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import sentencex

# Words that carry no topic: question words, function words, and pronouns that point back to an earlier turn.
ANAPHORA = {"it", "its", "this", "that", "these", "those", "they", "them", "their", "same", "such", "there",
            "she", "he", "her", "him", "his", "she's", "he's"}  # "what if she's pregnant?" is about the earlier patient
STOPWORDS = {
    "a", "an", "the", "is", "are", "was", "were", "be", "do", "does", "did", "can", "could", "should", "would",
    "will", "what", "which", "who", "whom", "how", "when", "where", "why", "in", "on", "of", "for", "to", "with",
    "and", "or", "about", "at", "by", "from", "as", "any", "there", "than", "then", "so", "if", "also", "still",
    "ok", "okay", "please", "tell", "me", "more", "else", "instead", "patients", "patient", "after", "before",
    "during", "while", "not", "no", "they", "we", "you", "i", "my", "our", "wo", "sha",  # "won't", "shan't"
    # BM25's own stopwords, which its index never holds: read as concepts, they weighed as the rarest words
    "but", "into",
} | ANAPHORA
WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")

@functools.lru_cache(maxsize=1)
def stemmer():
    """The one Snowball stemmer: BM25 indexes with it, so idf lookups find the concepts' stems."""
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    return stemmer().stemWord(word)


def content_words(text: str) -> list[str]:
    return [w for w in WORD_RE.findall(text.lower()) if w not in STOPWORDS]


def content_stems(text: str) -> set[str]:
    """Stemmed content words, so 'punctures' and 'puncture' count as one term."""
    return {stem(w) for w in content_words(text)}


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


# What a sentence must be to be quoted as a statement.
_MIN_CHARS = 30
_MIN_WORDS = 5
# A summary's own editorial notes and grading keys, not the guideline's content, are never a statement. Checked at the
# start of a sentence only (a search would try each of them at every position): a summary's notes and grading keys
# ("Class I : ...", "Level C — ...", "Strong : ..."), a statement profile's fields ("Intentional vagueness: ...",
# "Benefits: ..."), ACR's scenario labels ("Variant 1: ..."), pointers to advice held elsewhere, and the grades'
# definitions, word for word the same in every statement ("There is high certainty that the net benefit is
# substantial.", "Any estimate of effect is very uncertain.", "The work group is confident that ...").
_BOILERPLATE_START_RE = re.compile(
    r"^(note|notes|key|abbreviations?|definitions?|(relevant )?resources|references?)\s*:"
    # An editor's note on the document: "Note from the AAOS : The following is a summary of ...", "Note from the
    # National Guideline Clearinghouse (NGC) : This guideline was developed by ..."
    r"|^\W*note from\b[^:]{0,160}:\s*(?:this (?:guideline|summary|document|review|update)|the following is|"
    r"for a description)\b"
    r"|^\W*for (full )?details of [^.]{0,80}\bsee the summary of product characteristics\b"  # NICE's pointer
    r"|^\s*(class|level|grade|category)\s+([IVX]+|[A-D])(-[1-3]|[a-c+-])?(\s*:\s|\s+[—–-]+\s*)"  # "Level C — ..."
    r"|^\s*(strong|weak|conditional)\s*:\s"
    # What a grade rests on, on a line of its own: "Strong recommendation based on high-quality randomized controlled
    # trials with a preponderance of benefit over harm.", "Option based on RCTs with minor limitations ...".
    r"|^\W*((strong|weak|conditional|moderate)\s+)?(recommendation|option|standard|guideline)s?\s+based\s+on\b"
    # A bare level's definition: "II-3 : Evidence obtained from ...", "III : Opinions of respected authorities ...",
    # "2++ : High quality systematic reviews ...". A bare letter is not read: "D - In patients with ..." recommends.
    r"|^\W*(I{1,3}|IV|V|[1-4])(-[1-3]|\+\+|\+|-)?\s*[:—–-]\s*(evidence (obtained )?from|opinions? of respected"
    r"|(high[- ]quality|well[- ]conducted) (meta|systematic|case|cohort|randomi)|case[- ]control|non-?analytic|expert opinion"
    r"|randomi[sz]ed controlled trials?\b|clinical practice guidelines?\b)"
    r"|^\s*(intentional vagueness|role of patient preferences?|policy level|differences of opinion|quality improvement opportunit(y|ies)|aggregate evidence quality|level of confidence in (the )?evidence|benefits?[- ]harms? assessment|benefits?|risks?,? harms?,? (and )?costs?|value judgm?ents?|exclusions?)\s*:"
    r"|^\s*variant\s+\d+\s*:"
    # A clinical variant's case: "30-year-old man with clinical stage IA DLBCL, presenting with 7-cm mass ...".
    r"|^\W*\d{1,3}-year-old (?:man|woman|male|female|boy|girl|patient|child)\b"
    # A rating's definition: "Level A rating (established as effective, ...) requires at least one convincing class I
    # study ...".
    r"|^\W*(level|grade|class)\s+([A-DU]|[IVX]+|[1-4])\s+(rating|recommendations?|evidence)?\s*(\([^)]*\)\s*)?"
    r"(requires|is based on|means|indicates)\b"
    r"|^\s*(the )?(recommendations|guidance|guidelines|information|details)\b[^.;]{0,80}\b(are|is) available (from|at|in|on)\b"
    r"|^\W*(please )?(refer to|see) (the )?(evidence sections?|appendix|appendices|original guideline|full guideline)\b"
    r"|^\W*there is (high|at least moderate|moderate|low) certainty that the net benefit is [a-z ]{2,40}\W*$"
    r"|^\W*evidence is lacking, of poor quality, or conflicting, and the balance of benefits and harms cannot be determined\b"
    r"|^\W*read the clinical considerations section\b"
    r"|^\s*an? (weak|strong|conditional) recommendation (implies|means|indicates)\b"
    r"|^\s*(weak|strong|conditional) recommendations (result|are made|are given) when\b"
    r"|^\W*(the estimate or )?any estimate of effect is (very )?uncertain\b"
    r"|^\W*the work group (is confident|feels|recognizes)\b[^.]{0,120}\b(outweighs?|benefits?)\b", re.I)
# Anywhere in a sentence: NGC's "Refer to the ... field" pointers, USPSTF's grade table ("Offer/provide this
# service") and Web-site notes, GRADE's keys to what a grade means ("Other alternatives may be equally
# reasonable."), NICE's notes on guidance to come.
_BOILERPLATE_ANY_RE = re.compile(
    # NICE's arrangement for people already on a drug ("... was funded by the NHS before this guidance was published
    # should be able to continue treatment until they and their NHS clinician consider it appropriate to stop").
    r"\bbefore this guidance was published\b|\buntil they and their NHS clinician consider it appropriate to stop\b"
    # What a grade asks of clinicians, from a grading key: "Clinicians should follow a strong recommendation unless a
    # clear and compelling rationale for an alternative approach is present."
    r"|\bfollow(?:ed)? (?:a |this )?(?:strong )?(?:recommendation )?unless (?:a |there is a )?clear (?:and compelling )?rationale\b"
    r"|\bgenerally follow (?:a|this) recommendation,? but (?:should )?remain alert\b"
    # A strength's definition in a grading key: "The vast majority of well-informed patients would most likely choose
    # this patient-care strategy ...", "All well-informed patients would choose such a treatment ...".
    r"|\bwell-informed patients would\b"
    r"|\b(refer to|see) the [\"“]?[A-Z][^.]*[\"”]? field\b"
    r"|\b(are|is|can be) (provided|defined|given|listed|described|found) (at the end of|in) the [\"“]?[A-Z][^.]*[\"”]? field\b"
    r"|\b(are|is|can be) (provided|defined|given|listed|described|found|repeated|presented|located) at the end of the "
    r"[\"“]?Major Recommendations\b"
    r"|\brecommends (against )?the service\b"
    r"|\b(available|can be found) (on|at) the [A-Z]+ web ?site\b"
    r"|\ball readers of this summary\b"
    r"|\b(discourage the use of|offer(ing)? this service|provid(e|ing) this service)\b"
    r"|\brefer to the NGC summary\b"
    r"|\bgrades its recommendations\b"
    r"|\bmore information may allow (an )?estimation of effects\b"
    r"|\bthe magnitude or direction of the observed effect could change\b"
    r"|\bare likely to result in a (weak|strong|conditional) recommendation\b"
    r"|\b(can|may) apply to most patients in (most|many) circumstances\b"
    r"|\bbest action may differ depending on circumstances\b"
    r"|\bother alternatives may be equally reasonable\b"
    r"|\balternative approaches (are |will )?likely (to )?be better for some patients\b"
    r"|\b(further|future|higher-quality) research (is|will|may)( very| probably| well)? (unlikely|likely|have|change)\b[^.]{0,60}\bconfidence in\b"
    r"|\bthere is (high|moderate|low|minimal) support that benefits (clearly outweigh|are closely balanced)\b"
    r"|\bdesirable effects (are closely balanced with|clearly outweigh) (the )?undesirable effects and there is room\b"
    r"|\ba close or uncertain balance as to whether the evidence is high quality\b"
    r"|\b(is|are) in development and (is|are) due to be published\b"
    r"|\bis (?:currently )?developing (?:[\w-]+ )?guidance on\b", re.I)
# Apart from the two above (joined to them, they made every check twice as slow): what says nothing of care.
# A grading key's rule for a strength, not a recommendation: "A strong recommendation in favor (against) was
# considered when ...", "Final recommendations were either strong or weak ...". An agenda for research, not for care:
# "The focus of research should not be restricted to ...", "Further research is needed", "the Expert Panel suggests
# that randomized controlled trials on ... be undertaken".
_NO_CARE_RE = re.compile(
    r"^\W*(?:an? |the |final )?(?:(?:strong|weak|conditional) )?recommendations?\b[^.]{0,40}\b(?:was|were|is|are) "
    r"(?:either\b|(?:considered|made|rated|graded|classified)\b(?=[^.]{0,30}\b(?:when|if|either|as (?:strong|weak))))"
    r"|^\W*(?:the focus of |future |further |more )?research (?:should|is (?:needed|required|warranted)|needs)\b"
    r"|^\W*(?:further|more|additional|future) (?:research|studies|trials) (?:is|are|will be) (?:needed|required|warranted)\b"
    # What a table of the full document holds: "Tables 9, 10 and 11 in the original guideline document provide a list
    # of the FDA-approved intranasal steroids ...".
    r"|^\W*(?:see )?(?:tables?|figures?|appendi(?:x|ces)|boxe?s?)\s+[\w.]+(?:(?:,|,? and|,? or)\s+[\w.]+)*\s+(?:in|of) the "
    r"(?:original|full)\b[^.;]{0,40}\b(?:provides?|lists?|shows?|gives?|summari[sz]es?|describes?|presents?|contains?)\b"
    # One patient's case: "One report described a 57-year-old Argentine woman who had been treated ...".
    r"|^\W*(?:another |one |a |an |the |two |several )?(?:[\w-]+ ){0,2}?(?:case )?reports? (?:described|describes|documented)\b",
    re.I)
_TO_BE_UNDERTAKEN_RE = re.compile(r"\b(?:trials|studies|research)\b[^.;]{0,160}\bbe (?:undertaken|conducted|performed)\b",
                                  re.I)

# Evidence grades as guideline text writes them: "[A]", "(Level B)", "Grade C", "Strong recommendation ...".
GRADE_RES = [
    re.compile(r"\(\s*(?:Level|Grade|Category|Class|Strength of (?:the )?recommendation|Quality of evidence|Evidence)[^()]{0,60}\)", re.I),
    re.compile(r"\[(?:[A-D]|I{1,3}|IV|[1-4][a-c+-]?|[A-D][+-]?|[A-C]-[A-Z]{1,3}|(?:Strong|Weak|Conditional)[^\]]{0,40})\]"),
    re.compile(r"\b(?:Strong|Weak|Conditional|Moderate) recommendation(?:[;,] [a-z -]{0,40}evidence)?", re.I),
    re.compile(r"\bLevel (?:of evidence:? )?(?:[A-D]|I{1,3}|IV|[1-4][a-c]?)\b"),
    re.compile(r"\bGrade (?:[1-3][A-C]|[A-D]|I{1,3})\b"),
]


@functools.lru_cache(maxsize=65536)  # the same documents' sentences come back question after question
def not_content(sentence: str) -> bool:
    """Editorial boilerplate, or a grade standing alone ("( Grade: strong recommendation, high-quality evidence ).",
    split off its recommendation by the sentence splitter): never a statement."""
    if _BOILERPLATE_START_RE.match(sentence) or _BOILERPLATE_ANY_RE.search(sentence):
        return True
    if _NO_CARE_RE.match(sentence) or " be " in sentence and _TO_BE_UNDERTAKEN_RE.search(sentence):
        return True
    if _bracketed_grade(sentence) or _legend(sentence) or _STRIPPED_VALUE_RE.search(sentence):
        return True
    for pattern in GRADE_RES:
        sentence = pattern.sub(" ", sentence)
    return len(re.findall(r"[A-Za-z]{2,}", sentence)) < _MIN_WORDS


# A value lost where the summary's "<" was read as markup: "target of BP for - Age [IA] - Age ≥60 years is [IB]", "an
# A1c goal of [IIB]", "The RRL for the adult procedure is .". Quoted, it reads as advice with its number missing.
_GRADE_BRACKET = r"\[\s*(?:I{1,3}|IV|V)\s*,?\s*[A-D]?\s*\]"
_STRIPPED_VALUE_RE = re.compile(rf"\b(?:is|are|was|were|be|of|than|below|under|to)\s+(?:{_GRADE_BRACKET}|"
                                rf"\(\s*(?:grade|level|loe|le|gr)\b|\.(?:\s|$))|"
                                rf"(?<!of )(?<!any )\bage\s+{_GRADE_BRACKET}", re.I)


# One entry of a table's legend or a grading line: "HLA-B, human leukocyte antigen-B", "CNS = central nervous system",
# "ACC/AHA COR: IIa", "Relevant Resources : Accurso & Rastegar, 2016".
_LEGEND_ENTRY_RE = re.compile(r"^\s*(?:abbreviations?\s*:\s*)?[A-Z0-9][\w*:/+.-]*(?:\s[A-Z0-9][\w*:/+.-]*){0,2}\s*[,=:]\s+\S[^;]*$")


def _legend(sentence: str) -> bool:
    """A table's legend or a line of grades, as entries between semicolons ("HLA-B, human leukocyte antigen-B; SCAR,
    severe cutaneous adverse reaction."): it defines terms and says nothing of care."""
    entries = [e for e in sentence.rstrip(". ").split(";") if e.strip()]
    return len(entries) >= 2 and all(len(e.split()) <= 12 and _LEGEND_ENTRY_RE.match(e) for e in entries)


_BRACKETED_RE = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)[\s.]*")  # "(... 1 randomized control trial (RCT) ...)"


def _bracketed_grade(sentence: str) -> bool:
    """A grade on a line of its own, all in brackets and opening with the grade: "(Strong Recommendation: evidence
    quality X, ...; preponderance of benefit over harm.)" grades the recommendation above it and says nothing alone."""
    if not _BRACKETED_RE.fullmatch(sentence):
        return False
    grade = find_grade(sentence)
    return grade is not None and sentence.lstrip(" (").startswith(grade.lstrip(" ("))


def find_grade(text: str) -> str | None:
    for pattern in GRADE_RES:
        m = pattern.search(text)
        if m:
            return m.group().strip()
    return None


# Cut before a sentence is quoted, not part of what it says: a footnote's mark ("a In the event that ...", "† Adults
# ..."), or a list's preamble.
QUOTE_PREFIX_RE = re.compile(r"^(?:[a-z]|[*†‡§¶]+)\s+(?=[A-Z0-9])"
                              # A footnote's number: "6 A 'clinician' should be ...", "10 This should be by ...".
                              r"|^\d{1,2}\s+(?=(?:A|An|The|This|These|That|See|For|If|In)\b)"
                              # A list's preamble on what its items rest on, before the first item: the item is the
                              # statement ("The following recommendations are based on ... (Level A) :\n\n- For ...").
                              r"|^\W*(?i:the following (?:(?:recommendations?|statements?|conclusions?)(?: and )?){1,2} (?:are|is|were|was) based)\b"
                              r"[^:\n]{0,200}:\s*\n\s*(?:[-•*]\s+)?(?=\S)")
TRAILING_MARKS_RE = re.compile(r"(\s*(\[[^\]]{0,40}\]|\([^)]{0,60}\)|[\"”’)\]]))+$")


def quotable(sentence: str, complete: bool = True) -> bool:
    if len(sentence) < _MIN_CHARS or len(sentence.split()) < _MIN_WORDS:
        return False
    if not_content(sentence):
        return False
    # Only complete sentences: a list fragment quoted alone reads as a claim it never made.
    if complete and not TRAILING_MARKS_RE.sub("", sentence).rstrip().endswith((".", "!", "?")):
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    return letters >= 0.5 * len(sentence)


# A recommendation that introduces a list ("... be offered to patients who:" / "... with") is quoted with its items.
_LIST_LEAD_RE = re.compile(r"(:|\b(who|whom|with|if|when|and|or|that|including|includes?|are|is|to|for|of|following|in))\s*$", re.I)
_BULLET_LINE_RE = re.compile(r"(^|\n)[ \t]*(?:[-*\u2022]|\d+[.)])[ \t]+$")
_MAX_LIST_ITEMS = 8
_MAX_LIST_CHARS = 700


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of `text` worth quoting (the index stores a vector for each).

    A lead-in that introduces a bulleted list is one span with its items, up to the item that ends the
    sentence: "offer naltrexone or acamprosate to patients who" says nothing quoted alone."""
    spans = sentence_spans(text)
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        a, b = spans[i]
        end = _list_end(text, spans, i) if _LIST_LEAD_RE.search(text[a:b]) else None
        if end is not None and quotable(text[a:spans[end][1]], complete=False):
            out.append((a, spans[end][1]))
            i = end + 1
            continue
        if quotable(text[a:b]):
            out.append((a, b))
        i += 1
    return out


_SENTENCE_WORDS = 20  # a capitalised bullet this long after capitalised items is a sentence of its own

_CONNECTOR_RE = re.compile(r"([,;:]|\b(and|or|and/or|but))\s*$", re.I)


def _is_item(text: str, span: tuple[int, int]) -> bool:
    line_start = text.rfind("\n", 0, span[0]) + 1
    return bool(_BULLET_LINE_RE.search(text[max(line_start - 1, 0):span[0]]))


def _list_end(text: str, spans: list[tuple[int, int]], lead: int) -> int | None:
    """Index of the bulleted item that closes the lead-in's sentence, or None when no list follows.

    The list goes on while an item ends with a connector ("," "or" "and"); it ends at an item with a full
    stop, before a bullet that starts a new sentence of its own, or where the bullets stop."""
    start = spans[lead][0]
    last = None
    for j in range(lead + 1, min(len(spans), lead + 1 + _MAX_LIST_ITEMS)):
        a, b = spans[j]
        if b - start > _MAX_LIST_CHARS or not _is_item(text, spans[j]):
            return last
        item = TRAILING_MARKS_RE.sub("", text[a:b]).rstrip()
        if item.endswith((".", "!", "?")):
            return j
        last = j
        if not _CONNECTOR_RE.search(text[a:b]):
            following = spans[j + 1] if j + 1 < len(spans) else None
            if following is None or not _is_item(text, following):
                return j
            nxt = text[following[0]:following[1]]
            # A new recommendation, not another item; unless the items are capitalised too ("Offer ... to people
            # with CKD and:\n- Diabetes and an ACR of ...\n- Hypertension and an ACR of ...", as NICE writes them).
            if nxt[:1].isupper() and len(nxt.split()) >= (_SENTENCE_WORDS if text[a:b][:1].isupper() else 8):
                return j
    return None


def text_key(text: str) -> str:
    """Comparison key for de-duplicating documents: whitespace- and case-insensitive."""
    return " ".join(text.split()).casefold()


_PUNCTUATION_TO_SPACE = str.maketrans({ch: " " for ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u201c\u201d\u2018\u2019\u2013\u2014"})


@functools.lru_cache(maxsize=65536)
def sentence_key(sentence: str) -> str:
    """Two copies of one sentence that differ only in case, spacing or punctuation are one candidate."""
    return text_key(sentence.translate(_PUNCTUATION_TO_SPACE))
