from rag.lexicon import ABBREVIATIONS, GENERIC, SYNONYMS
from rag.vocabulary import concept_of, concepts


def test_abbreviations_are_lower_case_and_stand_for_words():
    for short, full in ABBREVIATIONS.items():
        assert short == short.lower() and full == full.lower() and full.strip(), short


def test_each_synonym_set_is_one_concept():
    for group in SYNONYMS:
        keys = {concept_of(w) for phrase in group for w in phrase.split() if " " not in phrase}
        assert len(keys) <= 1, group


def test_generic_words_are_never_a_topic():
    from rag.question import topic_concepts

    assert not topic_concepts(" ".join(sorted(GENERIC)))
    assert concepts("kids") == concepts("children")


def test_an_organ_is_not_its_replacement_therapy():
    # "kidney stones" ask nothing of dialysis; renal and kidney are one word.
    assert concepts("kidney") == concepts("renal")
    assert not concepts("kidney stones") & concepts("dialysis")


def test_obstetric_shorthand_expands_to_what_guidelines_write():
    from rag.vocabulary import concepts

    assert concepts("set the EDD") >= concepts("estimated due date")
    assert concepts("LMP") == concepts("last menstrual period")


def test_a_symptom_s_british_and_american_names_are_one_concept_and_since_is_no_topic():
    from rag.question import topic_concepts
    from rag.vocabulary import concepts

    assert concepts("hot flushes") == concepts("hot flashes")
    assert topic_concepts("since HRT is out") == topic_concepts("HRT is out")


def test_watchful_waiting_is_what_guidelines_call_observation():
    from rag.vocabulary import concepts

    assert concepts("antibiotics or watchful waiting?") >= concepts("observation")
    assert concepts("wait-and-see approach") >= concepts("observation")
