"""The sentence ranker puts the sentence that answers above one that only shares the topic."""

import pytest

from rag.answering.candidates import Candidate
from rag.answering.rank import FEATURES, feature_matrix, rerank, sentence_profile, topic_support
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


def test_features_are_one_row_per_candidate_and_set_coverage():
    focus = analyse("Which medications are recommended for moderate to severe alcohol use disorder?")
    cands = [_cand("Offer naltrexone."), _cand("Refer to a specialist.", doc="ngc-2")]
    x = feature_matrix(cands, focus, TITLES)
    assert x.shape == (2, len(FEATURES))
    assert cands[0].coverage > cands[1].coverage  # the first one's guideline title states the topic


def test_a_rare_word_no_document_mentions_is_reported():
    focus = analyse("How should an acute gout flare be treated in cats?", idf=lambda c: 9.5 if c in concepts("cats") else 2.0)
    cands = [_cand("Treat an acute gout flare with colchicine or an NSAID.", doc="ngc-3")]
    class Idf:  # as rag.answering.rank.Idf: 9.5 for a word no passage holds
        max = 9.5

        def __call__(self, c):
            return 9.5 if c in concepts("cats") else 2.0

    idf = Idf()

    coverage, unknown = topic_support(cands, focus, {"ngc-3": "Management of acute gout"}, idf, 0.9)
    assert unknown == sorted(concepts("cats"))
    assert 0 < coverage < 1
    coverage, unknown = topic_support(cands + [_cand("Gout in cats is rare.", doc="vet-1")], focus, {}, idf, 0.9)
    assert unknown == []


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


def test_only_what_the_asking_clause_is_about_can_be_missing_from_the_index():
    class Idf:  # every question word is rare; the retrieved guideline holds meningitis, tuberculosis and steroids
        max = 9.5

        def __call__(self, c):
            return 9.5

    idf = Idf()
    focus = analyse("Adult with TB meningitis, starting RIPE today. Do I add a steroid for the meningitis?", idf=idf)
    cands = [_cand("Offer adjunctive steroids to adults with tuberculous meningitis.", doc="ngc-7")]
    _, unknown = topic_support(cands, focus, {"ngc-7": "Tuberculosis"}, idf, 0.9)
    assert unknown == []  # "RIPE" is the vignette's shorthand
    focus = analyse("Which antifibrotic drugs are recommended for IPF?", idf=idf)
    cands = [_cand("The committee suggests that clinicians use pirfenidone in patients with IPF.", doc="ngc-8")]
    _, unknown = topic_support(cands, focus, {"ngc-8": "Idiopathic pulmonary fibrosis"}, idf, 0.9)
    assert unknown == []  # the kind of drug asked for, not the topic
    focus = analyse("What is the treatment for COVID-19 pneumonia?", idf=idf)
    cands = [_cand("Treat community-acquired pneumonia with amoxicillin.", doc="ngc-9")]
    _, unknown = topic_support(cands, focus, {"ngc-9": "Pneumonia"}, idf, 0.9)
    assert unknown  # the asking clause's own topic is missing


def test_a_follow_up_s_constraint_is_checked_apart_from_whether_the_index_holds_the_topic():
    class Idf:
        max = 9.5

        def __call__(self, c):
            return 9.5 if c in concepts("lisinopril") else 2.0

    idf = Idf()
    question = "CKD with albuminuria: which antihypertensive class? He's developed a dry cough on lisinopril - what now?"
    focus = analyse(question, follow_up="He's developed a dry cough on lisinopril - what now?", idf=idf)
    assert concepts("lisinopril") <= focus.constraint
    cands = [_cand("In CKD with albuminuria, offer an ACE inhibitor as the antihypertensive class.", doc="ngc-10")]
    coverage, unknown = topic_support(cands, focus, {"ngc-10": "Chronic kidney disease"}, idf, 0.9)
    # The CKD guideline holds the conversation's topic; whether it says anything on the cough is the constraint check's.
    assert unknown == [] and coverage == 1.0


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


def test_each_statement_knows_how_much_of_the_question_s_subject_its_document_states():
    # Invented condition names: the subject is the condition, not the patient group or what the follow-up added.
    idf = lambda c: 8.0 if c in concepts("zorbitis") else 2.0  # noqa: E731
    focus = analyse("How is zorbitis treated in pregnancy?", follow_up="what about in pregnancy?", idf=idf)
    assert focus.subject == concepts("zorbitis")
    on_topic = _cand("Treat zorbitis with rest.", doc="ngc-1")
    other = _cand("Treat quibblosis in pregnant women with fluids.", doc="ngc-2")
    idf.max = 9.5
    topic_support([on_topic, other], focus, {"ngc-1": "Zorbitis", "ngc-2": "Quibblosis"}, idf, 0.9)
    assert on_topic.document_coverage == 1.0 and other.document_coverage == 0.0


def test_a_recommendation_for_what_the_patient_does_not_have_ranks_below_one_for_patients_without_it():
    focus = analyse("Unprovoked PE in a patient without cancer - how long should anticoagulation continue?")
    cancer = _cand("In patients with PE and active cancer, the panel recommends extended anticoagulant therapy.", relevance=0.7)
    no_cancer = _cand("In patients with PE and no cancer, the panel recommends anticoagulation for 3 months.", relevance=0.6)
    other = _cand("In patients with PE, anticoagulation for 3 months is recommended.", relevance=0.6)
    x = feature_matrix([cancer, no_cancer, other], focus, TITLES)[:, FEATURES.index("excluded")]
    assert list(x) == [1.0, -1.0, 0.0]
    rerank([cancer, no_cancer], focus, TITLES, RankSettings())
    assert no_cancer.score > cancer.score


def test_a_known_act_done_again_is_not_a_topic_the_index_lacks():
    class Idf:  # "rescan" and "tirzepatide" are in no passage; "scan" is
        max = 9.5

        def __call__(self, c):
            return 9.5 if c in concepts("rescan tirzepatide") else 2.0

    cands = [_cand("Offer CT surveillance scans to people with nodules of 5 mm or more.", doc="ngc-4")]
    focus = analyse("6 mm solid lung nodule - when to rescan?", idf=Idf())
    assert topic_support(cands, focus, {"ngc-4": "Pulmonary nodules"}, Idf(), 0.9)[1] == []
    focus = analyse("lung nodule - dose of tirzepatide?", idf=Idf())
    assert topic_support(cands, focus, {"ngc-4": "Pulmonary nodules"}, Idf(), 0.9)[1] == sorted(concepts("tirzepatide"))


def test_a_score_named_without_its_version_is_not_a_topic_the_index_lacks():
    class Idf:  # passages spell "zorbrisk2"; "zorbrisk" alone and "plimzan" are in none
        max = 9.5
        vocab = {"zorbrisk2": 0}

        def __call__(self, c):
            return 9.5 if c in ("zorbrisk", "plimzan") else 2.0

    cands = [_cand("Offer quibbloxin to adults with a 10-year risk of 10% or more.", doc="ngc-4")]
    focus = analyse("Quibbloxin in a 55M with a ZORBRISK of 12%?", idf=Idf())
    assert topic_support(cands, focus, {"ngc-4": "Risk assessment"}, Idf(), 0.9)[1] == []
    focus = analyse("Quibbloxin in a 55M on plimzan?", idf=Idf())
    assert topic_support(cands, focus, {"ngc-4": "Risk assessment"}, Idf(), 0.9)[1] == sorted(concepts("plimzan"))


def test_a_vignettes_details_weigh_less_than_what_guidelines_are_about():
    # Both words equally rare; only one is a word that indexed documents' titles use.
    focus = analyse("Zorbitis flagged twice at the clinic - which drug?", idf=lambda c: 5.0)
    cands = [_cand("Offer quibbloxin for zorbitis.", doc="ngc-1")]
    titles = {"ngc-1": "Zorbitis in adults"}
    idf = type("Idf", (), {"max": 9.0, "__call__": lambda self, c: 5.0})()
    plain, _ = topic_support(cands, focus, titles, idf, 0.9)
    weighed, _ = topic_support(cands, focus, titles, idf, 0.9, frozenset(concepts("zorbitis clinic")), 0.5)
    assert weighed > plain
    assert focus.weights == analyse("Zorbitis flagged twice at the clinic - which drug?", idf=lambda c: 5.0).weights


def test_clause_coverage_is_the_share_of_what_the_asking_clause_is_about():
    idf = lambda c: 2.0  # noqa: E731
    idf.max = 9.5
    question = "Polytrauma after a motorbike crash, hypotensive, suspected pelvic bleed. Should we be giving TXA?"
    txa = _cand("Use intravenous tranexamic acid as soon as possible in patients with major trauma and active bleeding.")
    focus = analyse(question, idf=idf)
    coverage, _ = topic_support([txa], focus, {"ngc-1": "Major trauma"}, idf, 0.9)
    assert focus.clause_coverage == 1.0 and coverage < 0.5
    other = _cand("Apply a pelvic binder to patients with suspected pelvic fracture and hypotension.", doc="ngc-2")
    focus = analyse(question, idf=idf)
    topic_support([other], focus, {"ngc-2": "Pelvic fractures"}, idf, 0.9)
    assert focus.clause_coverage == 0.0
    # Words that only ask ("what's the first imaging test?") are not what the clause is about.
    focus = analyse("45F calf swelling, D-dimer positive. What's the first imaging test?", idf=idf)
    topic_support([_cand("Order an ankle MRI for chronic ankle pain.")], focus, {"ngc-1": "Ankle pain"}, idf, 0.9)
    assert focus.clause_coverage == 0.0


def test_a_rare_drug_whose_class_the_evidence_states_is_no_gap():
    idf = lambda c: 9.0 if c in concepts("ramipril") else 2.0  # noqa: E731
    idf.max = 9.5
    focus = analyse("Dry cough on ramipril - what now?", idf=idf)
    # The class is stated, though with another drug of it: the index knows the class, if not this drug.
    _, missing = topic_support([_cand("Patients with cough due to an ACEI such as enalapril should be switched to an ARB.")], focus,
                               {"ngc-1": "Chronic cough"}, idf, 0.9)
    assert missing == []
    focus = analyse("Dry cough on ramipril - what now?", idf=idf)
    _, missing = topic_support([_cand("Patients with chronic cough should be reassessed.")], focus, {"ngc-1": "Chronic cough"}, idf, 0.9)
    assert missing == list(concepts("ramipril"))


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


def test_a_pointer_to_another_guideline_does_not_make_its_topic_this_ones():
    # A social anxiety guideline names generalised anxiety disorder only where it says where its advice came from.
    idf = lambda c: 9.0  # noqa: E731
    idf.max = 9.5
    pointer = _cand("This recommendation is adapted from the NICE clinical guideline Zorbitis disorder in adults.")
    advice = _cand("Offer flarbomab to adults with quibbling disorder.")
    focus = analyse("First-line drug for zorbitis disorder?", idf=idf)
    best, missing = topic_support([pointer, advice], focus, {"ngc-1": "Quibbling disorder"}, idf, 0.9)
    assert best < 1.0
    stated = _cand("Offer flarbomab to adults with zorbitis disorder.")
    focus = analyse("First-line drug for zorbitis disorder?", idf=idf)
    assert topic_support([pointer, stated], focus, {"ngc-1": "Quibbling disorder"}, idf, 0.9)[0] == 1.0


def test_a_footnote_on_a_quoted_term_is_a_definition():
    assert sentence_profile("A 'clinician' should be a medically qualified practitioner who can prescribe.").definition
    assert sentence_profile("A 'senior decision maker' for adults should be someone who is authorised to prescribe.").definition
    assert not sentence_profile("A clinician should prescribe zorbitol within 1 hour.").definition


@pytest.mark.parametrize("text, diagnostic", [
    ("Individuals with mean BP >135/80 should be screened for diabetes.", True),
    ("Screening for diabetes is recommended in adults with hypertension.", True),
    ("Evaluate patients with new hypertension for end organ damage.", True),
    ("The recommended target blood pressure is 140/90 mm Hg or less.", False),
])
def test_a_sentence_about_testing_or_screening_is_diagnostic(text, diagnostic):
    # Unless a test is asked for, a ranker cue counts it down: "what BP target with diabetes?" is not answered by
    # whom to screen for diabetes.
    assert sentence_profile(text).diagnostic is diagnostic
