"""The concepts of a text: its content words, stemmed, with clinical abbreviations merged with their expansions
("AUD" and "alcohol use disorder" are one concept), everyday words with the guidelines' ("kids" -> children) and
British spellings with American. A question and a sentence meet when they share a concept.

The vocabulary itself is plain data in rag/lexicon.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from rag.lexicon import (
    ABBREVIATIONS,
    CAPITALS_ONLY,
    CASELESS_SHORT,
    CONDITION_KINDS,
    DRUG_CLASSES,
    LAY_TERMS,
    LOWER_ONLY,
    SYNONYMS,
    TREATED_BY,
)
from rag.text import STOPWORDS, stem

F = TypeVar("F", bound=Callable)
_CACHES: list[Callable] = []  # every vocabulary_cache, cleared together
# The abbreviations the serving index's documents define (rag.indexing.abbreviations), short form as written ->
# expansion, beside the hand-written ones, which win where both have one.
_defined: Mapping[str, str] = {}


def vocabulary_cache(maxsize: int | None) -> Callable[[F], F]:
    """functools.lru_cache for what is read through the vocabulary: cleared when the index's abbreviations change."""
    def wrap(f: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(f)
        _CACHES.append(cached)
        return cached  # type: ignore[return-value]
    return wrap


def use_abbreviations(table: Mapping[str, str]) -> None:
    """Read `table` (an index's defined abbreviations) from now on, in this process. Cheap when it is unchanged,
    as it is on every question an index serves. The vocabulary is one per process: a second pipeline over another
    index switches it on its next question (the API and the CLI hold one)."""
    global _defined
    if table is _defined or table == _defined:
        return
    _defined = table
    for cached in _CACHES:
        cached.cache_clear()


@functools.lru_cache(maxsize=1)
def _synonym_index() -> dict[str, str]:
    """Stem -> concept key: members of one synonym set share the set's first sorted stem. Of a phrase, only its
    last word joins the set: "blood thinner" makes "thinner" an anticoagulant, not every "blood" test."""
    out: dict[str, str] = {}
    for group in SYNONYMS:
        stems = sorted({_stem_lower(phrase.split()[-1]) for phrase in group})
        for s in stems:
            out.setdefault(s, stems[0])
    return out


@functools.lru_cache(maxsize=65536)
def concept_of(word: str) -> str:
    s = _stem_lower(word)
    return _synonym_index().get(s, s)




def expansion_of(token: str) -> list[str]:
    """The stems a token stands for ('zzpulmonaryembolism' -> ['pulmonari', 'embol'])."""
    return list(_expansions().get(token, ()))


@vocabulary_cache(maxsize=1)
def _expansions() -> dict[str, tuple[str, ...]]:
    """Token -> the stems of the abbreviation expansion it stands for."""
    return {token: tuple(_stem_lower(w) for w in full.split()) for token, full in _full_forms().items()
            if token.startswith("zz")}


def token_of(expansion: str) -> str:
    """The key an abbreviation and its expansion share; a synonym set's own ("peds" is "children")."""
    if any(expansion in group for group in SYNONYMS):
        return concept_of(expansion)
    return "zz" + re.sub(r"[^a-z0-9]", "", expansion)


# Expansions by their first word's stem: [(length, {expansion stems: [(token, word)]})], longest first.
_ByLength = list[tuple[int, dict[tuple[str, ...], list[tuple[str, str | None]]]]]
_Expansions = dict[str, _ByLength]


@vocabulary_cache(maxsize=1)
def _phrases() -> tuple[dict[str, str], dict[str, str], _Expansions]:
    """(cased abbreviations, caseless abbreviations, first stem -> [(length, {expansion stems: [(token, word)]})],
    longest first): either form of an abbreviation becomes one token, e.g. 'PE' and 'pulmonary embolism' ->
    'zzpulmonaryembolism'. `word`: a one-word expansion whose stem is a synonym's too is matched by that word
    ("hepatitis", not "hepatic", which is liver). By length, so a text's words are looked up, not compared with
    every phrase that starts alike (37 start with "nation")."""
    cased, caseless, expansions = {}, {}, {}

    def expands(full: str, token: str) -> None:
        if token.startswith("zz"):  # else the expansion is its own concept already
            stems = tuple(_stem_lower(w) for w in full.split())
            word = full if len(stems) == 1 and stems[0] in _synonym_index() else None
            expansions.setdefault(stems[0], []).append((stems, token, word))

    for abbr, full in ABBREVIATIONS.items():
        token = token_of(full)
        key = re.sub(r"[^a-z0-9 ]", "", abbr)
        if key in LOWER_ONLY:
            cased[key] = token
        elif (len(key) <= 2 and key not in CASELESS_SHORT) or abbr in CAPITALS_ONLY:
            cased[key.upper()] = token
        else:
            caseless[key] = token
        expands(full, token)
    for short, full in _index_only().items():  # only as written: "ALL" is a leukaemia, "all" is not
        cased[short] = _index_token(full)
        if " " in full:
            expands(full, cased[short])
    for lay, term in LAY_TERMS.items():  # read as the term's concepts, looked up when met (_lay_concepts)
        stems = tuple(_stem_lower(w) for w in lay.split())
        expansions.setdefault(stems[0], []).append((stems, _LAY + term, None))
    by_length: _Expansions = {}
    for first, group in expansions.items():
        lengths: dict[int, dict[tuple[str, ...], list[tuple[str, str | None]]]] = {}
        for stems, token, word in group:  # in the order written: the first that fits wins
            lengths.setdefault(len(stems), {}).setdefault(stems, []).append((token, word))
        by_length[first] = sorted(lengths.items(), key=lambda kv: -kv[0])  # longest phrase first
    return cased, caseless, by_length


_WORDS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9']*")
_DIGIT_RE = re.compile(r"\d")
_CODE_RE = re.compile(r"^[a-z]+\d[a-z0-9]*$")  # letters first: "b12", "her2", "g4t", not "10mg", "58f", "2nd"
# "post-dural" is also written "postdural": a prefix joins its word; other hyphens join words of a phrase.
_PREFIXED_RE = re.compile(r"\b(post|pre|non|anti|co|re|sub|inter|intra|over|under|peri|trans|multi|extra|hyper|hypo|"
                          r"intra|neo|para|pseudo|semi|ultra)-(?=(?-i:[a-z]))", re.I)  # "post-OHCA" stays two words


def _join_prefix(m: re.Match) -> str:
    """"post-dural" -> "postdural"; "CO-oximeter" keeps its abbreviation apart ("CO oximeter")."""
    prefix = m.group(1)
    return prefix + " " if len(prefix) > 1 and prefix.isupper() else prefix


_C_DIFF_RE = re.compile(r"\bc\.?\s?diff(icile)?\b", re.I)
# "It came back 3 weeks later", "the pain is back": the guidelines say it recurred.
# Not a result: "IGRA just came back positive".
_BACK_RE = re.compile(r"\b(?:came|comes?|coming|is|are|was|were)\s+back\b(?!\s+(?:positive|negative|normal|abnormal|clear|"
                      r"elevated|raised|high|low|showing|with|as|from)\b)", re.I)
# "vitamin D" is not "vitamin A": a one-letter word is no concept, so the letter joins a token of its own. Nor is
# vitamin B12 vitamin D: the B vitamins' numbers join too, and "B12" alone is vitamin B12.
_VITAMIN_RE = re.compile(r"\bvitamin\s+([ACDEK](?:\s?[23])?|B\s?(?:12|6|1|9))\b|\b(B\s?12)\b", re.I)


def _vitamin(m: re.Match) -> str:
    letter = (m.group(1) or m.group(2)).lower().replace(" ", "")
    return f"vit{letter[0] if letter[0] in 'acdek' else letter}"


_SPELLING = [(re.compile(p), r) for p, r in (
    (r"isation", "ization"), (r"^oe", "e"), (r"aem", "em"), (r"paed", "ped"), (r"aest", "est"), (r"oesoph", "esoph"),
    (r"^foet", "fet"), (r"^coeli", "celi"), (r"ouri?tis$", "oritis"), (r"rrhoea", "rrhea"), (r"pnoea", "pnea"), (r"^caes", "ces"),
    (r"ynaec", "ynec"), (r"sulph", "sulf"),
    # "-ise" where the "-ize" word is what American text writes (not "exercise", "advise": none to meet).
    (r"^(general|random|hospital|immun|character|categor|standard|individual|stabil|sensit|desensit|priorit|normal|"
     r"util|summar|author|visual|mobil|optim|minim|recogn|local|catheter|steril|metastas|special|personal|emphas|"
     r"maxim|neutral|anaesthet|anesthet|hypnot|synchron)is(e|ed|es|ing|er|ers)$", r"\1iz\2"),
    (r"(?<=[a-z]{3})our(s?)$", r"or\1"), (r"(?<=[a-z]{3})tre(s?)$", r"ter\1"), (r"amme(s?)$", r"am\1"))]
_ANY_SPELLING_RE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _SPELLING))  # most words need none
# Words that may be spelled the British way: what american_spelling() reads (the rest pass untouched).
_BRITISH_WORD_RE = re.compile(r"\b[A-Za-z]*(?:isation|ae|oe|our|tre|amme|is|sulph)[a-z]*\b")


def _american_word(word: str) -> str:
    """A lower-case word in its American spelling."""
    if _ANY_SPELLING_RE.search(word):
        for pattern, repl in _SPELLING:
            word = pattern.sub(repl, word)
    return word


def _american(m: re.Match) -> str:
    low = m.group(0).lower()
    word = _american_word(low)
    return m.group(0) if word == low else word


def american_spelling(text: str) -> str:
    """The text with British spellings made American ("anaemia" -> "anemia", "generalised" -> "generalized"), for
    lexical matching: NICE writes one, the USPSTF the other."""
    return _BRITISH_WORD_RE.sub(_american, text)


# A condition or process and its adjective are one concept: "thrombosis" / "thrombotic", "prophylaxis" /
# "prophylactic", "thrombolysis" / "thrombolytic" (Snowball stems each pair apart).
_ADJECTIVE_RE = re.compile(r"(?<=[a-z]{3})(?:o(?:sis|ses|tic|tics)|ax(?:is|es)|act(?:ic|ics)|ly(?:sis|ses|tic|tics))$")
# And a condition in "-ia" and its adjective in "-ic": "asplenia" / "asplenic", "anaemia" / "anaemic", "hypoxia" /
# "hypoxic", "neutropenia" / "neutropenic", "arrhythmia" / "arrhythmic".
# (Not "systemic", nor "-genic": "pathogenic" is of a pathogen.)
_IA_ADJECTIVE_RE = re.compile(r"(?<=[a-z]{2})((?<!syst)em|ox|(?<!g)en|ythm|alg|ex)ics?$")
_CONTRACTION_RE = re.compile(r"'(s|re|ve|ll|d|m)$|(?<!ca)n't$|(?<=can)'t$")  # "can't" is "can", not "ca" (cancer)


def _noun_ending(m: re.Match) -> str:
    ending = m.group(0)
    return "osis" if ending[0] == "o" else "lysis" if ending.startswith("ly") else "axis"


@functools.lru_cache(maxsize=262144)
def _stem_lower(word: str) -> str:
    word = _american_word(_CONTRACTION_RE.sub("", word.lower()))  # British and American spellings are one concept
    if word.endswith("ically") and len(word) > 9:  # "prophylactically" is given as prophylaxis is
        word = word[:-4]
    if word.endswith(("s", "c")):  # most words end otherwise
        word = _IA_ADJECTIVE_RE.sub(r"\1ia", _ADJECTIVE_RE.sub(_noun_ending, word))
    s = stem(word)
    # Snowball keeps a final "i" on some nouns and not on their adjectives: "pericarditis" / "pericardial",
    # "neuropathy" / "neuropathic", "allergy" / "allergic", "diagnosis" / "diagnose" are one concept each.
    return s[:-1] if len(s) >= 6 and s.endswith("i") else s


_PAIR_STARTS = frozenset(k.split()[0] for k in ABBREVIATIONS if " " in re.sub(r"[^a-z0-9 ]", "", k))


@vocabulary_cache(maxsize=262144)
def _word(word: str) -> tuple[str, str | None, str, str | None]:
    """(lower-cased word, its abbreviation token, its stem, its concept; None for a stopword or a number)."""
    cased, caseless, _ = _phrases()
    bare = _CONTRACTION_RE.sub("", word) if "'" in word else word  # "isn't" -> "is", "she's" -> "she"
    low = bare.lower()
    plain = low[:-1] if low.endswith("s") and len(low) > 3 else low
    token = (cased.get(bare) or cased.get(bare[:-1] if bare.endswith("s") else bare) or caseless.get(low)
             or caseless.get(plain) or (token_of("clostridium difficile") if low == "cdiff" else None))
    if not low or low in STOPWORDS:
        concept = None
    elif _DIGIT_RE.search(low):  # a number, a dose or an age is no concept; a code is ("B12", "HER2", "CD4", "G4T")
        concept = low if _CODE_RE.match(low) else None
    else:
        concept = concept_of(low)
    return low, token, _stem_lower(word), concept


def spelled_out(text: str, index_defined: bool = True) -> str:
    """The text with each clinical abbreviation followed by what it stands for, for the retrievers: the embedding
    model and BM25 know "Clostridium difficile" far better than "C. diff". `index_defined=False`: only the
    hand-written lexicon's, for BM25: the index's documents write the abbreviations they define, so BM25 finds them
    as written, and their spelled-out words ("food and drug administration") only dilute the query."""
    full_of = _full_forms() if index_defined else _hand_written_forms()
    low = text.lower()

    def word(m: re.Match) -> str:
        w = m.group(0)
        if len(w) == 1 and m.string[:m.start()].lower().endswith("vitamin "):  # "vitamin K" is no potassium
            return w
        token = _word(w)[1] if w.lower() not in STOPWORDS else None
        full = full_of.get(token or "")
        return f"{w} ({full})" if full and full not in low and full != w.lower() else w

    text = _C_DIFF_RE.sub(lambda m: m.group(0) if "difficile" in low else f"{m.group(0)} (Clostridium difficile)", text)
    text = _INITIAL_PAIR_RE.sub(lambda m: _pair_spelled(m, low), text)
    if index_defined:  # not for BM25: consumer questions find patient pages by their lay words (LiveQA 0.506 -> 0.466)
        text = _LAY_RE.sub(lambda m: _lay_spelled(m, low), text)
    return _WORDS_RE.sub(word, text)


# A lay name for the embedding's query (spelled_out), singular or plural.
_LAY_RE = re.compile(r"\b(?:" + "|".join(r"\s+".join(re.escape(w) for w in lay.split()) + "s?"
                                         for lay in sorted(LAY_TERMS, key=len, reverse=True)) + r")\b", re.I)


def _lay_spelled(m: re.Match, low: str) -> str:
    key = " ".join(m.group(0).lower().split())
    term = LAY_TERMS[key if key in LAY_TERMS else key[:-1]]
    return m.group(0) if term in low else f"{m.group(0)} ({term})"


# A two-word abbreviation that starts with an initial ("H. pylori"), with or without its full stop.
_INITIAL_PAIRS = {k: v for k, v in ((re.sub(r"[^a-z ]", "", k), v) for k, v in ABBREVIATIONS.items())
                  if re.fullmatch(r"[a-z] [a-z]{4,}", k) and not k.startswith("c ")}  # C. diff: _C_DIFF_RE
_INITIAL_PAIR_RE = re.compile(r"\b(?:" + "|".join(rf"{k[0]}\.?\s?{k[2:]}" for k in _INITIAL_PAIRS) + r")\b", re.I)


def _pair_spelled(m: re.Match, low: str) -> str:
    letters = re.sub(r"[^a-z]", "", m.group(0).lower())
    full = _INITIAL_PAIRS[f"{letters[0]} {letters[1:]}"]
    return m.group(0) if full in low else f"{m.group(0)} ({full})"


@vocabulary_cache(maxsize=1)
def _full_forms() -> dict[str, str]:
    return _hand_written_forms() | {_index_token(full): full for full in _index_only().values()}


def _index_token(full: str) -> str:
    """An index's abbreviation of one word ("CBZ": carbamazepine) reads as that word, which every other text keeps
    reading as it did: a mined "TST" -> "test" must not turn every "test" into a token of its own."""
    return token_of(full) if " " in full else concept_of(full)


@functools.lru_cache(maxsize=1)
def _hand_written_forms() -> dict[str, str]:
    """Token -> expansion, of the hand-written lexicon's abbreviations."""
    return {token_of(full): full for full in ABBREVIATIONS.values()}


@vocabulary_cache(maxsize=1)
def _index_only() -> dict[str, str]:
    """The index's defined abbreviations that the hand-written lexicon does not have."""
    known = {re.sub(r"[^a-z0-9 ]", "", short) for short in ABBREVIATIONS} | CASELESS_SHORT | LOWER_ONLY
    return {short: full for short, full in _defined.items() if short.lower() not in known}


@vocabulary_cache(maxsize=65536)
def concepts(text: str) -> frozenset[str]:
    """Concept keys of a text's content words (abbreviations merged with their expansions, synonyms merged)."""
    caseless, expansions = _phrases()[1:]
    low = text.lower()  # each rewrite only where its word occurs: most sentences need none
    if "diff" in low:
        text = _C_DIFF_RE.sub(" cdiff ", text)
    if "vitamin" in low or "b12" in low or "b 12" in low:
        text = _VITAMIN_RE.sub(_vitamin, text)
    if "back" in low:
        text = _BACK_RE.sub(" recurrence ", text)
    if "-" in text:
        text = _PREFIXED_RE.sub(_join_prefix, text)
    words = [_word(w) for w in _WORDS_RE.findall(text)]
    stems = tuple(w[2] for w in words)  # sliced against each phrase that may start at a word
    out: set[str] = set()
    i = 0
    while i < len(words):
        low, token, stem_, concept = words[i]
        if low in _PAIR_STARTS and i + 1 < len(words) and f"{low} {words[i + 1][0]}" in caseless:  # "hay fever"
            out.add(caseless[f"{low} {words[i + 1][0]}"])
            i += 2
            continue
        if token and low not in STOPWORDS:
            out.add(token)
            i += 1
            continue
        found = _expansion_at(expansions.get(stem_), stems, i, low)
        if found is None:
            if concept:
                out.add(concept)
            i += 1
            continue
        length, tok = found
        if tok.startswith(_LAY):
            out.update(_lay_concepts(tok))
        else:
            out.add(tok)
        i += length
    return frozenset(out)


def _expansion_at(group: _ByLength | None, stems: tuple[str, ...], i: int, low: str) -> tuple[int, str] | None:
    """(length, token) of the longest expansion written at word i, or None."""
    for length, phrases in group or ():
        for tok, word in phrases.get(stems[i:i + length], ()):
            if word is None or low in (word, word + "s"):
                return length, tok
    return None


# A lay name ("strep throat", "shingles") reads as the term guidelines use: a text of either states it.
_LAY = "lay:"


@vocabulary_cache(maxsize=256)
def _lay_concepts(token: str) -> frozenset[str]:
    """The concepts of the term a lay name stands for ("lay:herpes zoster" -> herp, zoster): several, unlike an
    abbreviation's one token, so looked up when met rather than while the phrase table is built."""
    return concepts(token.removeprefix(_LAY))


@vocabulary_cache(maxsize=1)
def _drug_classes() -> list[tuple[re.Pattern, list[tuple[str, frozenset[str]]]]]:
    """(pattern, [(class as written, its concepts)]) per entry of DRUG_CLASSES."""
    return [(re.compile(p), [(c, concepts(c)) for c in classes.split("; ")]) for p, classes in DRUG_CLASSES]


@functools.lru_cache(maxsize=1)
def _any_drug() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p, _ in DRUG_CLASSES))


def _classes(concept: str) -> list[tuple[str, frozenset[str]]]:
    name = concept.removeprefix("zz")
    if not _any_drug().fullmatch(name):  # most words name no drug: one match, not one per class
        return []
    return [cls for pattern, classes in _drug_classes() if pattern.fullmatch(name) for cls in classes]


@vocabulary_cache(maxsize=65536)
def classes_of(concept: str, whole: bool = False) -> frozenset[str]:
    """The concepts of a drug's classes ("atorvastatin" -> statin); empty for anything else. `whole`: only the
    classes named by one concept ("ACEI", not the "inhibitor" of "ACE inhibitor")."""
    return frozenset(k for _, cls in _classes(concept) if not whole or len(cls) == 1 for k in cls)


@vocabulary_cache(maxsize=1)
def drug_class_concepts() -> frozenset[str]:
    """Every drug class named by one concept ("statin", "antiplatelet", "PPI"): the kinds of drug one may ask for."""
    return frozenset(k for _, classes in _drug_classes() for _, cls in classes if len(cls) == 1 for k in cls)


@vocabulary_cache(maxsize=1)
def drug_class_phrases() -> tuple[frozenset[str], ...]:
    """Every drug class named by more than one concept ("beta blocker"): a sentence names it when it states them all."""
    return tuple(dict.fromkeys(cls for _, classes in _drug_classes() for _, cls in classes if len(cls) > 1))


def class_written(concept: str) -> str | None:
    """How the lexicon writes a drug class named by one concept ("antivir" -> "antiviral")."""
    return next((w for _, classes in _drug_classes() for w, cls in classes if cls == {concept}), None)


def class_names(concept: str) -> list[str]:
    """How a drug's classes are written ("ACE inhibitor", "ACEI" for "ramipril")."""
    return [written for written, _ in _classes(concept)]


@vocabulary_cache(maxsize=4096)
def phrase_parts(token: str) -> frozenset[str]:
    """The concepts of a phrase token's words ("heart failure with reduced ejection fraction": heart, failure,
    reduced, ejection, fraction), which a sentence may state without the phrase; empty for a token that is no
    phrase, or has a word too short to tell apart ("hepatitis C": "C" is in too many sentences)."""
    full = _full_forms().get(token)
    if not full:
        return frozenset()
    words = [w for w in _WORDS_RE.findall(full.lower()) if w not in STOPWORDS]
    if len(words) < 2 or any(len(w) < 3 for w in words):
        return frozenset()
    return frozenset(concept_of(w) for w in words)


@vocabulary_cache(maxsize=4096)
def _sub_phrases(token: str) -> frozenset[str]:
    """The shorter phrases a phrase token's words hold: "systolic blood pressure" states "blood pressure", "heart
    failure with reduced ejection fraction" states "heart failure"."""
    words = _WORDS_RE.findall((_full_forms().get(token) or "").lower())
    spans = (" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 2, len(words) + (i > 0)))
    return frozenset(k for span in spans for k in concepts(span) if k.startswith("zz") and k != token)


@vocabulary_cache(maxsize=65536)
def with_parts(found: frozenset[str]) -> frozenset[str]:
    """Concepts a text states, with the words of each phrase it states as one token: a sentence's "colorectal cancer"
    (one token, as "CRC" is) also states "colorectal" and "cancer", as a question's "colorectal ca" does; and a
    drug's classes: "atorvastatin" states "statin"."""
    parts = {_synonym_index().get(s, s) for c in found if c.startswith("zz") for s in expansion_of(c)}
    parts |= {k for c in found if c.startswith("zz") for k in _sub_phrases(c)}
    parts |= {k for c in found for k in classes_of(c)}
    return found | parts if parts else found


def with_kinds(found: frozenset[str] | set[str]) -> frozenset[str]:
    """Concepts with the kinds of each condition among them: what a statement on venous thromboembolism is about
    includes a DVT (CONDITION_KINDS). Not for ranking's coverage, where a DVT question is better met by DVT's own
    statements than by every VTE guideline's."""
    kinds = _condition_kinds()
    return frozenset(found).union(*(kinds[c] for c in found if c in kinds))


@vocabulary_cache(maxsize=1)
def _condition_kinds() -> dict[str, frozenset[str]]:
    """A condition's concept -> its kinds' concepts (CONDITION_KINDS)."""
    return {c: frozenset().union(*(concepts(k) for k in ks))
            for name, ks in CONDITION_KINDS.items() for c in concepts(name)}


@vocabulary_cache(maxsize=1)
def treating_classes() -> dict[str, frozenset[str]]:
    """A condition's concept -> the concepts of the drug classes named for treating it (TREATED_BY)."""
    out: dict[str, frozenset[str]] = {}
    for name, classes in TREATED_BY.items():
        for c in concepts(name):
            out[c] = out.get(c, frozenset()) | (concepts(classes) - {c})
    return out
