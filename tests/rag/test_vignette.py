"""What a vignette says without naming it: family history, who the patient is, hypertension, a drug ruled out."""

from rag.vignette import aged_sex, contraindicated_words, implied_aliases, patient_has, relative_had, with_family_history
from rag.vocabulary import concepts


def test_a_relative_s_disease_is_family_history():
    assert with_family_history("his father had zorbitis at 50").endswith("(family history)")
    assert with_family_history("he had zorbitis at 50") == "he had zorbitis at 50"
    assert relative_had("father had zorbitis at 45") and not relative_had("he had zorbitis at 45")


def test_a_sex_beside_an_age_is_who_the_patient_is():
    assert aged_sex("45 year old man with BP 150/95") == concepts("man")
    assert aged_sex("a 30-year-old woman") == concepts("woman")
    assert aged_sex("screening for zorbitis in men") == frozenset()


def test_what_is_contraindicated_is_read_as_written():
    assert contraindicated_words("Best initial treatment? methotrexate contraindicated") == ["methotrexate"]
    assert contraindicated_words("quibbloxin is contra-indicated") == ["quibbloxin"]


def test_a_reading_at_or_over_140_90_is_stated_by_hypertension_and_its_drugs():
    bp = next(iter(concepts("BP")))
    assert set(implied_aliases("BP 150/95 twice", set(concepts("BP")))) == set(concepts("hypertension antihypertensive"))
    assert all(name == bp for name in implied_aliases("bp 132/94", set()).values())
    assert implied_aliases("BP 128/78", set()) == {}


def test_what_the_patient_has_is_read_after_a_patient_with():
    assert patient_has("Which anticoagulant for AF in a patient with a mechanical mitral valve?") == ["mechanical mitral valve"]
    assert patient_has("How is zorbitis treated?") == []


def test_a_class_named_in_more_than_one_word_is_contraindicated_whole():
    assert contraindicated_words("beta blocker contraindicated") == ["beta blocker"]
    assert contraindicated_words("calcium channel blocker contraindicated") == ["calcium channel blocker"]
    assert contraindicated_words("pt with zorbitis, quibbloxin is contraindicated") == ["quibbloxin"]
