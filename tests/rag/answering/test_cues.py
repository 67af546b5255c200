"""The ranker's finer cues: naming a drug, numbers that fit the patient, recommendations for other patients."""

import pytest

from rag.answering.cues import (
    DRUG_RE,
    _may_name_drug,
    condition_conflict,
    names_drug,
    population_conflict,
    quantity_fit,
    question_quantities,
    sentence_ranges,
    stated_populations,
)
from rag.populations import asked_populations


def test_an_acid_given_as_a_drug_is_a_drug_and_one_measured_is_not():
    from rag.answering.cues import named_drugs

    assert named_drugs("Give tranexamic acid 1 g IV.") and named_drugs("zoledronic acid yearly")
    assert not named_drugs("Check uric acid and lactic acid.")


def test_naming_a_drug_is_not_naming_a_kind_of_therapy():
    assert names_drug("The panel recommends entecavir or tenofovir as preferred initial therapy.")
    assert names_drug("Offer aspirin.")  # a drug without a telling suffix
    assert not names_drug("The panel recommends antiviral therapy for adults with active disease.")


@pytest.mark.parametrize("text", [
    "Start a statin.", "Give STATINS to adults.", "Oestrogen is contraindicated.", "Use PEG-IFN weekly.",
    "Use pegIFN weekly.", "Offer folic acid 400 mcg.", "Give magnesium sulphate.", "Vitamin D3 daily.",
    "Aromatase inhibitors are preferred.", "Steroid injections for trigger finger.", "Give adrenaline 0.5 mg IM."])
def test_the_quick_test_passes_every_text_the_drug_names_match(text):
    # The quick test only decides whether the regex of drug names runs: it must pass wherever that regex matches.
    assert DRUG_RE.search(text) and _may_name_drug(text) and names_drug(text)


def test_most_sentences_skip_the_regex_of_drug_names():
    assert not _may_name_drug("Refer patients with red-flag symptoms for urgent assessment.")
    assert not _may_name_drug("The statement applies to adults.")  # "statement" starts no drug's name


@pytest.mark.parametrize("question, sentence, fit", [
    ("Iron for a 9-month-old?", "Recommended in infants and young children aged 6 to 23 months.", 1.0),
    ("Iron for a 9-month-old?", "Recommended in school-age children aged 60 months and older.", -1.0),
    ("Unprotected sex about 100 hours ago: which pill?", "Consider it for intercourse 96–120 hours ago.", 1.0),
    ("Where prevalence is over 40%?", "In settings where anaemia is highly prevalent (≥40% prevalence).", 1.0),
    ("A 58F with osteoporosis", "Screen women aged 65 years or older.", -1.0),
    ("A 58F with osteoporosis", "Screen women with risk factors.", 0.0),
    ("Which drug for gout?", "Treat patients aged 18 to 65 years.", 0.0),
    # A bound said strictly excludes the number itself; one said inclusively keeps it.
    ("55M asking for a PSA test", "For men aged less than 55 years, do not screen.", -1.0),
    ("55M asking for a PSA test", "For men aged 55-69 years, do not screen.", 1.0),
    ("A 65 year old woman", "Screen women older than 65 years.", -1.0),
    ("A 65 year old woman", "Screen women aged at least 65 years.", 1.0),
    ("A 1 year old child", "In children younger than 12 months, avoid honey.", -1.0),
    # A group's age, with no unit ("women over 30"); a weight or a dose is no age.
    ("Cervical screening in women over 30?", "For women aged 25–29 years, screen every 3 years.", -1.0),
    ("Cervical screening in women over 30?", "For women aged 30–69 years, screen every 3 years.", 1.0),
    ("Dosing in adults over 50 kg?", "For women aged 25–29 years, screen every 3 years.", 0.0),
    ("An 11 month old", "In children younger than 12 months, avoid honey.", 1.0),
    # Sizes, in one unit: a nodule, a stone (and "patients" near a size does not make it an age).
    ("6 mm solid lung nodule in a 60 yo", "For a solid nodule that measures >8 mm, rescan at 3 months.", -1.0),
    ("6 mm solid lung nodule in a 60 yo", "For a solid nodule that measures ≤8 mm, rescan at 12 months.", 1.0),
    ("A 6 mm ureteral stone", "Patients with stones of 1-2 cm should be offered ureteroscopy.", -1.0),
    ("A 6 mm ureteral stone", "Patients with stones ≤10 mm should be offered observation.", 1.0),
    # A saturation or a risk the threshold does not reach: the rule still answers (no oxygen yet at 93%).
    ("Infant with sats 93-94% on air", "Give oxygen if the saturation is persistently less than 92%.", 0.0),
    ("QRISK 14%", "Offer a statin to people with a 10% or greater 10-year risk.", 1.0),
])
def test_a_quantity_of_the_question_fits_or_misses_the_range_a_sentence_states(question, sentence, fit):
    assert quantity_fit(question_quantities(question), sentence) == fit


def test_ranges_read_their_bounds_in_one_unit():
    (r,) = sentence_ranges("children aged 6 to 23 months")
    assert r.age and r.unit == "time" and r.lo == pytest.approx(6 * 30.44) and r.hi == pytest.approx(23 * 30.44)
    (r,) = sentence_ranges("patients 12 years or older")
    assert r.lo == pytest.approx(12 * 365.25) and r.hi == float("inf")
    assert sentence_ranges("Give 2 doses.") == []


def test_an_age_bound_is_not_the_word_for_older_adults():
    assert stated_populations("patients 12 years or older") == frozenset()
    assert stated_populations("older adults") != frozenset()


def test_adults_of_a_band_reaching_65_are_older_adults_too():
    older = asked_populations("should a 65 year old take it?")
    assert not population_conflict(older, stated_populations("Offer zorbex to adults aged 60 to 69 years with a high risk."))
    assert population_conflict(older, stated_populations("Offer zorbex to adults aged 50 to 59 years."))
    # From 18 up a band is every adult: no group of its own.
    assert stated_populations("adults 18 years or older") == stated_populations("adults")


def test_a_recommendation_for_other_patients_conflicts_with_the_one_asked_about():
    adult = asked_populations("usual dose for an adult with Addison's disease")
    assert condition_conflict("In children with PAI, the Task Force suggests hydrocortisone in three doses.", adult)
    assert not condition_conflict("In adults with PAI, the Task Force suggests hydrocortisone.", adult)
    assert not condition_conflict("The Task Force suggests hydrocortisone in two or three doses.", adult)


def test_a_text_naming_the_asked_group_among_others_does_not_conflict():
    breastfeeding = asked_populations("first-line options for depression if she's breastfeeding?")
    assert not population_conflict(breastfeeding, stated_populations("pregnant or breastfeeding women"))
    # A newborn and an infant are not told apart.
    baby = asked_populations("a 6 week old baby with sepsis")
    assert not population_conflict(baby, stated_populations("children younger than 3 months"))


def test_a_child_of_a_stated_age_is_no_newborn():
    neonates = stated_populations("Treat neonates who present with community acquired sepsis with ceftriaxone.")
    assert population_conflict(asked_populations("10yo with suspected sepsis - which abx?"), neonates)
    # "a child" or an infant in months may be one.
    assert not population_conflict(asked_populations("a child with suspected sepsis - which abx?"), neonates)
    assert not population_conflict(asked_populations("a 6 week old baby with suspected sepsis"), neonates)


def test_a_pointer_to_another_group_is_not_whom_a_statement_is_for():
    text = "For people with suspected sepsis (for children see recommendation below) give a broad-spectrum antibiotic."
    assert not population_conflict(asked_populations("a 45-year-old with suspected sepsis"), stated_populations(text))
    assert population_conflict(asked_populations("a 45-year-old with suspected sepsis"),
                               stated_populations("For children with suspected sepsis give a broad-spectrum antibiotic."))


def test_when_care_ends_is_not_whom_it_is_for():
    text = "At 12 weeks the dose of folic acid should be reduced, and continued until the completion of breastfeeding."
    assert stated_populations(text) == frozenset()
    assert stated_populations("Folic acid should be offered to breastfeeding women.")


def test_a_concentration_is_no_dose():
    from rag.answering.cues import QUANTITY_RE
    assert QUANTITY_RE["dose"].search("Give 10 ml/kg of 0.9% sodium chloride.")
    assert not QUANTITY_RE["dose"].search("Oral phosphate for hypophosphatemia (1.5 mg/dL to 2.5 mg/dL).")
    assert not QUANTITY_RE["dose"].search("Fluids with 40 mmol/litre potassium chloride.")


def test_a_word_given_at_a_dose_is_a_drug():
    from rag.answering.cues import named_drugs, names_drug
    assert names_drug("The Committee suggests a 3-month trial of quibbloxil (100 mg twice daily).")
    from rag.vocabulary import concepts
    assert named_drugs("a trial of quibbloxil (100 mg twice daily)") == concepts("quibbloxil")
    assert not names_drug("Give a total of 20 mg.") and not names_drug("A serum level of 2.5 mg/dL.")


def test_the_other_arm_of_a_preference_is_not_whom_a_sentence_is_for():
    adults = asked_populations("a treatment for adults?")
    text = ("Protocols designed for children and adolescents should be used in preference to attempting to modify an "
            "adult treatment protocol.")
    assert population_conflict(adults, stated_populations(text))
    assert population_conflict(adults, stated_populations("Give zorbex to children rather than to adults."))
    assert not population_conflict(adults, stated_populations("Give zorbex to adults and children with zorbitis."))


def test_the_measures_a_target_is_a_value_of():
    from rag.answering.cues import measure_fits, measures

    assert measures("what BP target in CKD?") == {"blood pressure"}
    assert measures("a target hemoglobin A 1c (HbA 1c ) of ~7.0%") == {"glycaemia"}
    assert measures("Hb trigger for transfusion?") == {"haemoglobin"}
    assert measures("target INR 2.5") == {"inr"}
    assert not measure_fits(frozenset({"blood pressure"}), "a target HbA1c of 7%", "")
    assert measure_fits(frozenset({"blood pressure"}), "aim for 120 to 129", "Blood pressure targets")


def test_a_drug_named_before_allergic_is_an_allergen():
    from rag.answering.cues import allergens
    from rag.vocabulary import concepts

    assert allergens("what if he's penicillin allergic?") == concepts("penicillin")
    assert allergens("she is allergic to penicillin") == concepts("penicillin")
    # Not a word that names no drug: "he's allergic", "very allergic".
    assert not allergens("he's allergic") and not allergens("a very allergic child")
