"""Who a question is about: the groups a text names, a stated age's group, and groups one patient cannot be in."""

import pytest

from rag.populations import OLDER_CHILD, asked_populations, conflicting
from rag.vocabulary import concepts


@pytest.mark.parametrize("vignette", ["58M with chest pain", "a 72 F on the ward", "woman aged 30", "age 45, no history"])
def test_a_vignettes_shorthand_age_is_a_stated_age(vignette):
    assert asked_populations(vignette) & (concepts("adults") | concepts("elderly"))


@pytest.mark.parametrize("said, group", [("And if she's 51, periods stopped?", "adults"), ("Same picture but the pt is 72 - "
                                         "does age change it?", "elderly"), ("if he were 9?", "children")])
def test_an_age_said_of_the_patient_is_a_stated_age(said, group):
    assert asked_populations(said) - {OLDER_CHILD} == concepts(group)
    assert (OLDER_CHILD in asked_populations(said)) is (group == "children")  # a 9-year-old is no newborn


def test_a_toddler_is_a_child_and_no_newborn():
    toddler = asked_populations("Toddler with a febrile seizure, now well - EEG?")
    assert toddler - {OLDER_CHILD} == concepts("children") and OLDER_CHILD in toddler
    # Months are a child's age too: 18 months old is no newborn, 3 months old may be.
    assert OLDER_CHILD in asked_populations("an 18 months old with a first febrile UTI")
    assert OLDER_CHILD not in asked_populations("a 3 months old with a first febrile UTI")


def test_planning_to_conceive_is_about_pregnancy():
    assert asked_populations("She's hoping to conceive next year - ok to keep her on it?") == concepts("pregnancy")


@pytest.mark.parametrize("text", ["a 14F catheter", "aged 6 months", "walk 10 m", "stage 4", "she's 33 wks",
                                  "he is 5 kg", "pt is 40+2", "she is 40-45"])
def test_sizes_and_stages_are_no_age(text):
    assert not asked_populations(text) & (concepts("adults") | concepts("elderly"))


def test_inpatient_and_outpatient_care_exclude_each_other():
    outpatient = asked_populations("CAP in an otherwise healthy outpatient?")
    admitted = asked_populations("patients admitted to hospital with CAP")
    assert outpatient and admitted and conflicting(outpatient, admitted) == set(outpatient)
    assert not conflicting(outpatient, asked_populations("community-acquired pneumonia in adults"))


def test_a_vignettes_shorthand_states_the_sex_of_an_adult():
    assert concepts("women") <= asked_populations("62F with new AF - anticoagulate?")
    assert concepts("men") <= asked_populations("58 M smoker, asymptomatic")
    assert not (concepts("women") | concepts("men")) & asked_populations("4F with a febrile UTI")


def test_a_trimester_is_a_pregnancy():
    assert concepts("pregnancy") <= asked_populations("flu vaccine in first trimester?")
