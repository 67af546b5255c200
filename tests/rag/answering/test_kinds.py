"""Another kind of patient or aim: the opposite side of a qualifier the question states."""

import pytest

from rag.answering.kinds import of_other_kind, opposite_kinds, prevents_asked, screens_for_had, asks_no_test, treating
from rag.answering.rank import FEATURES, feature_matrix, rerank
from rag.question import analyse
from rag.settings import RankSettings
from rag.vocabulary import concepts, with_parts
from tests.rag.answering.test_rank import TITLES, _cand


def _other(question: str, sentence: str) -> bool:
    return of_other_kind(opposite_kinds(question), concepts(sentence))


def test_a_sentence_on_the_opposite_kind_only_is_for_other_patients():
    assert _other("How many days of opioids for acute pain?", "Opioids are not first-line therapy for chronic pain.")
    assert _other("Incidental gallbladder polyp, asymptomatic 45M - follow-up?",
                  "Symptomatic patients with gallbladder polyp should undergo cholecystectomy.")
    assert _other("First unprovoked PE - how long to anticoagulate?", "For a provoked DVT, treat for 3 months.")
    # A mechanical valve is no bioprosthetic one, and AF with a valve is no "nonvalvular AF".
    question = "Which anticoagulant for AF with a mechanical mitral valve?"
    assert _other(question, "Patients with a bioprosthetic mitral valve should receive warfarin for three months.")
    assert _other(question, "Quibbloxin is an option for preventing stroke in people with nonvalvular AF.")
    assert not _other(question, "Quibbloxin should not be used in patients with mechanical valve prostheses.")


def test_a_sentence_on_both_kinds_or_neither_is_not():
    question = "How many days of opioids for acute pain?"
    assert not _other(question, "Opioids for acute pain should not be prescribed as if for chronic pain.")
    assert not _other(question, "Prescribe no more than 3 days of opioids.")
    # A question on both kinds sets no side.
    assert not _other("Acute on chronic pain - which opioid?", "Opioids for chronic pain ...")


def test_asked_for_an_attack_s_treatment_preventive_treatment_is_another_aim_and_the_other_way_round():
    preventive = "Clinicians may prescribe prophylactic treatment for patients with migraine."
    acute = "Clinicians should consider a triptan as acute therapy for a migraine attack."
    assert _other("What is the acute treatment for migraine?", preventive)
    assert not _other("What is the acute treatment for migraine?", acute)
    assert _other("Which drugs prevent migraine?", acute)
    assert not _other("Which drugs prevent migraine?", preventive)
    # The treatment of an attack itself is its acute treatment.
    assert _other("What is the first-line treatment for zorbitis attacks?", "Offer prophylactic quibbloxin for zorbitis.")
    # "Acute" naming the condition's kind asks no aim: preventing acute pancreatitis's complications is on it.
    assert not _other("Acute pancreatitis - which fluids?", "Give fluids to prevent organ failure in pancreatitis.")


def test_asked_how_to_treat_a_sentence_on_preventing_it_is_another_aim():
    question = "What is the first-line treatment for a zorbitis attack in a patient with CKD?"
    focus = analyse(question)
    assert treating(question, focus.asks)
    assert prevents_asked("In patients with CKD, colchicine for prophylaxis of new zorbitis attacks may be used.", focus.has)
    assert prevents_asked("Zorbitis prophylaxis with colchicine is not recommended in CKD.", focus.has)
    # Not preventing something else, nor a drug given to prevent.
    assert not prevents_asked("Anticoagulation to prevent stroke is recommended.", focus.has)
    assert not prevents_asked("Antibiotic prophylaxis is not recommended for zorbitis.", focus.has)
    assert not prevents_asked("Colchicine can reduce the severity of a zorbitis attack in CKD.", focus.has)
    # Asked how to prevent it, prevention is the aim asked for.
    assert not treating("Which drugs prevent zorbitis attacks?", analyse("Which drugs prevent zorbitis attacks?").asks)


def test_screening_for_what_the_patient_has_is_for_other_patients_unless_a_test_is_asked_for():
    focus = analyse("What blood pressure target in a 75 year old with zorbitis?")
    assert asks_no_test(focus.asks)
    assert screens_for_had("Individuals with mean BP >135/80 should be screened for zorbitis.", focus.has)
    assert not screens_for_had("Screen people with zorbitis for retinopathy every year.", focus.has)
    assert not asks_no_test(analyse("Who should be tested for zorbitis?").asks)
    assert not asks_no_test(analyse("How often should I screen for zorbitis?").asks)


@pytest.mark.parametrize(("question", "other", "asked"), [
    ("How many days of opioids should I prescribe for acute pain?",
     "Clinicians should prescribe opioids for chronic pain only after nonopioid therapy.",
     "Clinicians should prescribe no more than 3 days of opioids for acute pain."),
    ("What is the first-line treatment for a zorbitis attack?",
     "Colchicine should be used for prophylaxis of zorbitis attacks.",
     "Colchicine should be used to treat a zorbitis attack."),
    ("What blood pressure target in a 75 year old with zorbitis?",
     "Individuals with mean BP >135/80 should be screened for zorbitis.",
     "In people with zorbitis, aim for a blood pressure below 140/90."),
])
def test_the_ranker_counts_another_kind_or_aim_as_it_counts_what_the_patient_does_not_have(question, other, asked):
    focus = analyse(question)
    other_c, asked_c = _cand(other, relevance=0.7), _cand(asked, relevance=0.6)
    x = feature_matrix([other_c, asked_c], focus, TITLES)[:, FEATURES.index("excluded")]
    assert list(x) == [1.0, 0.0]
    rerank([other_c, asked_c], focus, TITLES, RankSettings())
    assert asked_c.score > other_c.score


def test_a_phrase_read_as_one_concept_states_its_kind_word_when_the_rest_is_what_is_asked():
    # "chronic kidney disease" is one concept (CKD); its "chronic" is the other kind for acute kidney disease ...
    question = "How is acute kidney disease managed?"
    kinds, topic = opposite_kinds(question), with_parts(frozenset(analyse(question).topic))
    sentence = concepts("In chronic kidney disease, quibbloxin should be stopped.")
    assert of_other_kind(kinds, sentence, topic)
    assert not of_other_kind(kinds, sentence)  # what the phrase hides, read without the question's topic
    # ... but not for an acute gout flare, which it does not qualify.
    question = "How is an acute gout flare treated?"
    kinds, topic = opposite_kinds(question), with_parts(frozenset(analyse(question).topic))
    assert not of_other_kind(kinds, sentence, topic)
