"""The patient is an animal: a question on gout in a cat is for a veterinary source, not for guidelines on people."""

from __future__ import annotations

import re

# The patient is an animal: "gout in a cat", "my dog's dose". A bite or an allergy to one is human medicine.
_ANIMALS = (r"(cats?|kittens?|dogs?|pupp(?:y|ies)|horses?|ponies|pony|foals?|cattle|cows?|calves|pigs?|sheep|goats?|"
            r"rabbits?|hamsters?|guinea pigs?|ferrets?|parrots?|budgies?|labradors?|retrievers?|spaniels?|terriers?)\b")
_ANIMAL_RE = re.compile(
    r"\b(?:in|for|my|our|does|do|is|has|treat(?:ing|ed)?|giv(?:e|ing))\s+(?:(?:a|an|the|my|our|his|her|their)\s+)?"
    r"(?:[\w-]+\s+){0,2}?" + _ANIMALS + r"(?!['\u2019]?s?\s+(?:bites?|scratch\w*|dander|hair|saliva|allerg\w*))"
    r"|^\s*(?:[\w-]+\s+){0,3}?" + _ANIMALS.replace("(cats", "(?P<lead>cats", 1) + r"\s*[:,\u2013\u2014-]"
    # "Puppy with parvo - ...": an animal opening the question with what it has is the patient.
    r"|^\s*(?:(?:a|an|the|my|our)\s+)?(?:[\w-]+\s+){0,2}?" + _ANIMALS + r"(?:\s+(?:with|has|had|ate|is|was|got)\b[^.?!;]*)"
    r"|\b(veterinar\w*)\b", re.I)


_HUMAN_EXPOSURE_RE = re.compile(r"\b(allerg\w*|bit(e|es|ten)|(?<!a )bit(?! of)|scratch\w*|exposed|contact)\b", re.I)


def animal_patient(text: str) -> str | None:
    m = _ANIMAL_RE.search(text)
    if not m or _HUMAN_EXPOSURE_RE.search(m.group(0)):
        return None
    return next((g.lower() for g in m.groups() if g), None)
