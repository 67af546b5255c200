"""The sentence ranker puts the sentence that answers above one that only shares the topic."""

import pytest

from rag.answering.candidates import Candidate
from rag.answering.rank import FEATURES, feature_matrix, rerank, sentence_profile
from rag.question import analyse
from rag.settings import RankSettings
from rag.types import Chunk, Hit
from rag.vocabulary import concepts


def _cand(text: str, doc: str = "ngc-1", section: str = "Major Recommendations", relevance: float = 0.6, score: float = 1.0):
    chunk = Chunk(id=f"{doc}#0:0-{len(text)}", doc_id=doc, kind="guideline", section_index=0, section=section,
                  start=0, end=len(text), text=text, n_tokens=10)
    return Candidate(text=text, hit=Hit(chunk=chunk, score=score), relevance=relevance)


TITLES = {"ngc-1": "Pharmacological treatment of patients with alcohol use disorder"}


def test_the_recommendation_asked_for_outranks_advice_against_something_else():
    focus = analyse("Which medications are recommended for moderate to severe alcohol use disorder?")
    against = _cand("APA recommends that antidepressants not be used for alcohol use disorder unless depression is present.", relevance=0.66)
    answer = _cand("APA recommends that naltrexone or acamprosate be offered to patients with moderate to severe alcohol use disorder.", relevance=0.62)
    rerank([against, answer], focus, TITLES, RankSettings())
    assert answer.score > against.score


def test_a_follow_up_constraint_lifts_the_sentence_that_states_it():
    focus = analyse("How long should anticoagulation continue after a PE if the patient has cancer?",
                    follow_up="what if the patient has cancer?")
    general = _cand("In patients with a PE, we recommend anticoagulation for 3 months.", relevance=0.7)
    cancer = _cand("In patients with PE and active cancer, we recommend extended anticoagulant therapy.", relevance=0.6)
    rerank([general, cancer], focus, TITLES, RankSettings())
    assert cancer.score > general.score


def test_what_a_first_question_s_patient_has_beside_its_condition_lifts_the_sentence_that_states_it():
    focus = analyse("Which anticoagulant for zorbitis in a patient with a quibble valve?")
    assert focus.qualifier == set(concepts("quibble valve")) and not focus.constraint
    general = _cand("In patients with zorbitis, flarbomab can be considered as an alternative to warfarin.", relevance=0.7)
    valve = _cand("Patients with a quibble valve should receive warfarin.", relevance=0.6)
    rerank([general, valve], focus, TITLES, RankSettings())
    assert valve.score > general.score
    # Not when it is all the question is about.
    assert not analyse("How is a patient with zorbitis treated?").qualifier


def test_features_are_one_row_per_candidate_and_set_coverage():
    focus = analyse("Which medications are recommended for moderate to severe alcohol use disorder?")
    cands = [_cand("Offer naltrexone."), _cand("Refer to a specialist.", doc="ngc-2")]
    x = feature_matrix(cands, focus, TITLES)
    assert x.shape == (2, len(FEATURES))
    assert cands[0].coverage > cands[1].coverage  # the first one's guideline title states the topic


def test_a_recommendation_for_a_subgroup_the_question_does_not_name_is_marked():
    focus = analyse("How long should a first PE be anticoagulated?")
    sub = _cand("In patients with PE and active cancer, we recommend extended anticoagulant therapy.")
    plain = _cand("We recommend anticoagulation for 3 months after a first PE.")
    x = feature_matrix([sub, plain], focus, TITLES)
    col = FEATURES.index("unasked_condition")
    assert x[0, col] > 0 and x[1, col] == 0


def test_a_sentence_that_restates_the_question_adds_less_than_one_that_answers():
    focus = analyse("Which mucoactive agent first in cystic fibrosis?")
    restates = _cand("Offer a mucoactive agent in cystic fibrosis.")
    answers = _cand("Offer dornase alfa as the first choice of mucoactive agent; hypertonic saline if response is inadequate.")
    x = feature_matrix([restates, answers], focus, TITLES)
    col = FEATURES.index("novelty")
    assert x[1, col] > x[0, col]


def test_a_sentence_that_excludes_the_follow_ups_constraint_does_not_state_it():
    focus = analyse("How long should a PE be anticoagulated if the patient has cancer?", follow_up="what if the patient has cancer?")
    states_it = _cand("In patients with PE and active cancer, we suggest extended anticoagulation.")
    excludes_it = _cand("In patients with PE and no cancer, we suggest a DOAC for 3 months.")
    x = feature_matrix([states_it, excludes_it], focus, TITLES)
    col = FEATURES.index("constraint")
    assert x[0, col] > 0 and x[1, col] == 0


def test_a_treatment_question_prefers_the_sentence_under_a_treatment_heading():
    focus = analyse("What's the treatment of choice for BPPV?", idf=lambda c: 5.0)
    text = "Clinicians should offer patients with BPPV the maneuver described below."
    under_diagnosis, under_treatment = _cand(text, doc="ngc-5"), _cand(text, doc="ngc-5")
    under_diagnosis.heading, under_treatment.heading = "Diagnosis of BPPV", "Repositioning Procedures as Initial Therapy"
    profile = _cand(text, doc="ngc-5")
    profile.heading = "Action Statement Profile"
    rerank([under_diagnosis, under_treatment, profile], focus, {"ngc-5": "Clinical practice guideline: BPPV"}, RankSettings())
    assert under_treatment.score > under_diagnosis.score
    assert under_treatment.score > profile.score


def test_words_rare_within_a_document_tell_its_sentences_apart():
    from rag.answering.rank import local_share

    cands = [_cand("Aim at 94 to 98% in most poisonings."), _cand("In carbon monoxide poisoning aim at 100%."),
             _cand("Aim at 94 to 98% in acute illness.")]
    stated = [concepts(c.text) for c in cands]
    share = local_share(cands, stated, set(concepts("carbon monoxide poisoning target")))
    assert share[1] > share[0] > share[2] == 0


def test_a_sentence_leaning_on_the_one_before_it_ranks_below_the_same_advice_standing_alone():
    focus = analyse("How should secondary syphilis be treated in pregnancy?", idf=lambda c: 5.0)
    alone = _cand("Treat pregnant women with secondary syphilis with benzathine penicillin.", doc="ngc-6")
    leaning = _cand("Therefore treat pregnant women with secondary syphilis with benzathine penicillin.", doc="ngc-6")
    rerank([alone, leaning], focus, {"ngc-6": "Syphilis in pregnancy"}, RankSettings())
    assert alone.score > leaning.score


def test_a_condition_that_excludes_something_unasked_is_not_another_subgroup():
    from rag.answering.rank import sentence_profile

    asked = concepts("Which anticoagulant for the first 3 months of a proximal DVT in a patient?")
    no_cancer = sentence_profile("In patients with DVT and no cancer, the panel suggests dabigatran.")
    cancer = sentence_profile("In patients with DVT and active cancer, the panel suggests LMWH.")
    assert not no_cancer.condition - asked
    assert cancer.condition - asked
    assert sentence_profile("The panel suggests LMWH.").condition_populations is None


def test_the_lower_case_tail_of_a_split_sentence_is_dangling():
    from rag.answering.rank import DANGLING_RE

    assert DANGLING_RE.match("ceftriaxone (with the latter two used alone) is preferred.")
    assert DANGLING_RE.match("Conversely, the risk rises with age.")
    assert not DANGLING_RE.match("Offer amoxicillin for 5 days.")
    assert not DANGLING_RE.match("d At the time of publication, it had no licence.")  # a footnote's letter
    # A list's later items without its intro; a question is none.
    assert DANGLING_RE.match("Who cannot use the device needed to inject insulin or")
    assert DANGLING_RE.match("or who have had a previous stroke.")
    assert not DANGLING_RE.match("Who should be screened for zorbitis?")


def test_a_recommendation_for_what_the_patient_does_not_have_ranks_below_one_for_patients_without_it():
    focus = analyse("Unprovoked PE in a patient without cancer - how long should anticoagulation continue?")
    cancer = _cand("In patients with PE and active cancer, the panel recommends extended anticoagulant therapy.", relevance=0.7)
    no_cancer = _cand("In patients with PE and no cancer, the panel recommends anticoagulation for 3 months.", relevance=0.6)
    other = _cand("In patients with PE, anticoagulation for 3 months is recommended.", relevance=0.6)
    x = feature_matrix([cancer, no_cancer, other], focus, TITLES)[:, FEATURES.index("excluded")]
    assert list(x) == [1.0, -1.0, 0.0]
    rerank([cancer, no_cancer], focus, TITLES, RankSettings())
    assert no_cancer.score > cancer.score


def test_a_dose_of_another_drug_does_not_answer_what_dose_of_the_drug_asked_about():
    focus = analyse("What is the dose of intramuscular adrenaline for anaphylaxis in adults?")
    fluids = _cand("Intravenous fluids should be given as boluses of 20 ml/kg to patients with anaphylaxis and "
                   "cardiovascular instability.", relevance=0.7)
    adrenaline = _cand("Give intramuscular epinephrine 0.5 mg to adults with anaphylaxis.", relevance=0.6)
    rerank([fluids, adrenaline], focus, TITLES, RankSettings())
    assert adrenaline.score > fluids.score
    assert not fluids.dose_of_asked and adrenaline.dose_of_asked
    asks = FEATURES.index("asks")
    rows = feature_matrix([fluids, adrenaline], focus, TITLES)
    assert rows[0, asks] == 0 and rows[1, asks] == 1
    # The drug in its guideline's title is the drug of every dose the guideline states.
    implied = _cand("In African Americans a dose reduction of 10% to 25% is recommended.", doc="ngc-2")
    warfarin = analyse("African American patient starting warfarin: do I change the dose?")
    feature_matrix([implied], warfarin, {"ngc-2": "Pharmacogenetics guideline for warfarin dosing"})
    assert implied.dose_of_asked
    feature_matrix([implied], warfarin, {"ngc-2": "Pharmacogenetics guideline for clopidogrel"})
    assert not implied.dose_of_asked


def test_a_class_asked_a_dose_of_is_dosed_by_its_members_not_by_another_drug():
    focus = analyse("Diuretic doses for zorbitic ascites?")
    other = _cand("Oral ofloxacin (400 mg twice per day) can be considered in zorbitic ascites.", relevance=0.7)
    member = _cand("Start spironolactone 100 mg daily in zorbitic ascites.", relevance=0.6)
    named = _cand("Diuretics are given at 100 mg daily in zorbitic ascites.", relevance=0.6)
    feature_matrix([other, member, named], focus, TITLES)
    assert not other.dose_of_asked and member.dose_of_asked and named.dose_of_asked


def test_how_much_of_the_subject_a_sentences_document_states_is_a_cue():
    focus = analyse("What dose of epinephrine should be given for anaphylaxis in a child?")
    on, off = _cand("Give epinephrine to children.", doc="ngc-1"), _cand("Give epinephrine to children.", doc="ngc-2")
    on.document_coverage, off.document_coverage = 1.0, 0.5
    rows = feature_matrix([on, off], focus, TITLES)
    assert list(rows[:, FEATURES.index("document_coverage")]) == [1.0, 0.5]
    assert RankSettings().document_coverage > 0


def test_each_statement_knows_how_much_of_the_question_s_subject_it_and_its_title_state():
    focus = analyse("When should adults be screened for alcohol use disorder? and pregnant women?", follow_up="and pregnant women?")
    titled = _cand("Screen pregnant women at the first antenatal visit.")  # its guideline's title states the subject
    other = _cand("Refer pregnant women who are HBsAg positive to a hepatologist.", doc="ngc-2")
    feature_matrix([titled, other], focus, TITLES)
    assert titled.subject_coverage == 1.0 and other.subject_coverage == 0.0
    # A guideline on venous thromboembolism is on a DVT question's subject, though it never says "DVT".
    focus = analyse("How long should I treat a first unprovoked DVT if he has active cancer?",
                    follow_up="and if he has active cancer?")
    vte = _cand("Anticoagulation beyond the initial 6 months may be considered for patients with active cancer.")
    feature_matrix([vte], focus, {"ngc-1": "Venous thromboembolism treatment in patients with cancer"})
    assert vte.subject_coverage > 0


@pytest.mark.parametrize("text, after", [
    ("Add the other drug if the target is not reached with dual therapy.", True),
    ("If blood pressure is not reduced to the agreed target with first-line therapy, add a diuretic.", True),
    ("If metformin has not continued to control HbA1c, consider dual therapy.", True),
    ("For refractory disease, consider surgery.", True),
    ("Offer metformin as the initial drug treatment.", False),
    ("Consider opioids only in patients who have failed the aforementioned treatments.", True),
    ("Clinicians should explain that the first treatment failed in few trials.", False),
    ("Begin antibiotic therapy if the child worsens or fails to improve within 48 to 72 hours.", True),
    # When to stop is a step after the treatment, too.
    ("Treatment with quibbloxin should be discontinued if there is evidence of zorbitis progression.", True),
    ("Quibbloxin can be stopped if the rash clears.", True),
])
def test_a_step_after_a_first_treatment_failed(text, after):
    assert sentence_profile(text).after_failure is after


def test_asked_for_a_class_of_drug_a_drug_of_another_class_names_none():
    drug = FEATURES.index("names_drug")
    whether = analyse("Uncomplicated zorbitis - do I need antibiotics?")
    other = _cand("The panel recommends against the use of mesalamine after uncomplicated zorbitis.")
    asked = _cand("The panel suggests that antibiotics should be used selectively in uncomplicated zorbitis.")
    rows = feature_matrix([other, asked], whether, TITLES)
    assert rows[0, drug] == 0 and rows[1, drug] == 1
    # Asked which one, the class alone names none; a drug of it, or one of no class the lexicon knows, does.
    which = analyse("Which antibiotic for uncomplicated zorbitis?")
    member = _cand("Treat uncomplicated zorbitis with amoxicillin for 5 days.")
    unknown = _cand("Treat uncomplicated zorbitis with zorbacillin for 5 days.")
    rows = feature_matrix([asked, member, other, unknown], which, TITLES)
    assert list(rows[:, drug]) == [0, 1, 0, 1]
    # Asked for any drug, any drug is named.
    assert feature_matrix([other], analyse("Which drug for zorbitis?"), TITLES)[0, drug] == 1


def test_a_footnote_on_a_quoted_term_is_a_definition():
    assert sentence_profile("A 'clinician' should be a medically qualified practitioner who can prescribe.").definition
    assert sentence_profile("A 'senior decision maker' for adults should be someone who is authorised to prescribe.").definition
    assert not sentence_profile("A clinician should prescribe zorbitol within 1 hour.").definition


@pytest.mark.parametrize("text, diagnostic", [
    ("Individuals with mean BP >135/80 should be screened for diabetes.", True),
    ("Screening for diabetes is recommended in adults with hypertension.", True),
    ("Evaluate patients with new hypertension for end organ damage.", True),
    ("The recommended target blood pressure is 140/90 mm Hg or less.", False),
    # Whom it is for, not a diagnosis to make.
    ("Clinicians should recommend intranasal steroids for patients with a clinical diagnosis of zorbitis.", False),
    ("Offer zorbitol to adults newly diagnosed with zorbitis.", False),
])
def test_a_sentence_about_testing_or_screening_is_diagnostic(text, diagnostic):
    # Unless a test is asked for, a ranker cue counts it down: "what BP target with diabetes?" is not answered by
    # whom to screen for diabetes.
    assert sentence_profile(text).diagnostic is diagnostic


def test_an_advising_sentence_gives_a_class_named_in_more_than_one_word():
    from rag.answering.rank import sentence_profile
    assert {"beta", "blocker"} <= sentence_profile("For relief of zorbitis, prescribe beta-blockers first line.").given_drugs
    assert not {"inhibitor"} & sentence_profile("Prescribe a proton pump inhibitor for zorbitis.").given_drugs


def test_asked_for_a_dose_a_sentence_that_gives_one_outranks_one_that_only_names_the_word():
    focus = analyse("What dose of quibbloxin for zorbitis prevention?")
    word = _cand("For zorbitis prevention, the dosage of quibbloxin varied across studies.", relevance=0.7)
    amount = _cand("For zorbitis prevention, the dosage of quibbloxin was 60 to 150 mg/d across studies.", relevance=0.7)
    rerank([word, amount], focus, TITLES, RankSettings())
    assert amount.score > word.score
    assert sentence_profile(amount.text).gives("dose") == 1.0 and sentence_profile(word.text).gives("dose") == 0.5


@pytest.mark.parametrize("text", ["If zorbitis is not improving after 3 months, add quibbloxin.",
                                  "Seek advice if eradication of zorbitis is not successful.",
                                  "If topical zorbex is not working, offer quibbloxin."])
def test_a_step_after_a_treatment_that_did_not_work_is_after_failure(text):
    assert sentence_profile(text).after_failure
