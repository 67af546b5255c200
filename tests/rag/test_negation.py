"""What a text says the patient does not have is read off it, item by item, and nothing else is."""

import pytest

from rag.negation import affirmed_text, negated_text


@pytest.mark.parametrize(("text", "excluded"), [
    ("Hypertension in a Black adult without CKD - which drug?", ["CKD"]),
    ("average risk, no polyps or FHx: when do I start?", ["polyps", "FHx"]),
    ("58M smoker, no resp symptoms — worth doing spirometry?", ["resp symptoms"]),
    ("T2DM with no retinopathy on all previous eye exams", ["retinopathy"]),
    ("T2DM not on prandial insulin with A1c 8.2?", ["prandial insulin"]),
    ("STEMI at a non-PCI hospital, transfer time over 2 h", ["PCI"]),
    ("no known history of seizures", ["seizures"]),
    ("within range, without ≥grade 2 adverse events, maintain the dose", ["adverse events"]),
    ("in the absence of delirium, haloperidol should not be used", ["delirium"]),
    ("she is not pregnant", ["pregnant"]),
    ("or the child is not allergic to penicillin", ["penicillin"]),
    ("with HIE and not treated with therapeutic hypothermia", ["therapeutic hypothermia"]),
    ("Treat an initial episode of non-severe CDI with oral vancomycin.", ["severe"]),
    ("Patients with anemia other than iron deficiency anemia should be evaluated.", ["iron deficiency anemia"]),
    # Whom a statement is not for: "people who do not have ..., and are not being offered ...".
    ("Advise people who do not have zorbitis and are not being offered quibbloxin.", ["zorbitis", "quibbloxin"]),
    ("If the child does not have a fever, review in 2 days.", ["fever"]),
    # A drug the patient cannot have.
    ("T2DM, can't take metformin", ["metformin"]), ("intolerant of statins", ["statins"]),
    ("children who cannot receive dexamethasone for CINV prophylaxis", ["dexamethasone"]),
])
def test_what_is_excluded(text, excluded):
    assert negated_text(text).split("\n") == excluded


@pytest.mark.parametrize("text", [
    "high-dose methylprednisolone for severe TBI - yes or no?",
    "HbA1c is not improving on metformin",
    "no response to metformin after 3 months",
    "give no more than 2 days of opioids",
    "an 80 yo who has never been screened",
    "treatment may be with or without MTX",
    "other than that, give fluids",
])
def test_negation_words_that_exclude_no_condition(text):
    assert negated_text(text) == ""


def test_the_affirmed_text_blanks_only_the_excluded_items():
    text = "Black adult without CKD, on amlodipine"
    plain = affirmed_text(text)
    assert len(plain) == len(text)
    assert "CKD" not in plain and "without" in plain and "amlodipine" in plain



def test_a_search_query_leaves_out_what_is_excluded_but_keeps_a_non_name_whole():
    from rag.negation import query_text

    text = "Black adult without CKD, no DM, non-muscle invasive bladder cancer"
    plain = query_text(text)
    assert "CKD" not in plain and "DM" not in plain and "non-muscle invasive bladder cancer" in plain

def test_each_negation_starts_at_its_cue():
    from rag.negation import negations

    text = "Adult, no polyps or FHx, not on aspirin."
    (a, items), (b, more) = negations(text)
    assert text[a:].startswith("no polyps") and [text[s:e] for s, e in items] == ["polyps", "FHx"]
    assert text[b:].startswith("not on") and [text[s:e] for s, e in more] == ["aspirin"]
