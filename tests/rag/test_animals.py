"""Whether the patient asked about is an animal."""

import pytest

from rag.animals import animal_patient


@pytest.mark.parametrize("q, animal", [
    ("How should an acute gout flare be treated in a cat?", "cat"),
    ("How much water does a horse drink per day?", "horse"),
    ("Newly diagnosed diabetic cat: which insulin should I start?", "cat"),
    ("Treatment of a dog bite to the hand?", None),
    ("Patient allergic to dogs - which antihistamine?", None),
    ("pregnant woman with a cat: toxoplasmosis advice?", None),
    ("Puppy with parvo - what's the standard treatment protocol?", "puppy"),
    ("12-week-old kitten has ringworm: which antifungal?", "kitten"),
    ("Dog with rabies bit my patient's hand - PEP?", None),
    ("Dog with parvo, a bit lethargic today - fluids?", "dog"),
    ("Horse riding accident with a pelvic fracture - binder?", None),
])
def test_a_question_whose_patient_is_an_animal_is_recognised(q, animal):
    assert animal_patient(q) == animal
