"""Whether the retrieved documents are about the question: the share of its subject each states, and the rare words
none states."""

from rag.answering.rank import Idf
from rag.answering.support import topic_support
from rag.question import analyse
from rag.vocabulary import concepts
from tests.rag.answering.test_rank import _cand


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


def test_a_document_on_another_kind_of_the_qualified_condition_does_not_state_it():
    idf = lambda c: 8.0 if c in concepts("zorbitis") else 2.0  # noqa: E731
    idf.max = 9.5
    other_kind = _cand("Quibbloxin may be given for interstitial zorbitis if other treatments fail.", doc="ngc-1")
    title = {"ngc-1": "Diagnosis and treatment of interstitial zorbitis"}
    focus = analyse("Which antibiotic for uncomplicated zorbitis in women?", idf=idf)
    topic_support([other_kind], focus, title, idf, 0.9)
    assert other_kind.document_coverage < 1.0
    # A bare condition admits its kinds ...
    focus = analyse("How is zorbitis treated?", idf=idf)
    topic_support([other_kind], focus, title, idf, 0.9)
    assert other_kind.document_coverage == 1.0
    # ... and a document that also names it plainly states it.
    plain = _cand("Treatment of zorbitis in women, and of interstitial zorbitis, is set out below.", doc="ngc-1")
    focus = analyse("Which antibiotic for uncomplicated zorbitis in women?", idf=idf)
    topic_support([plain], focus, title, idf, 0.9)
    assert plain.document_coverage == 1.0


def test_a_word_another_subject_word_qualifies_is_not_stated_by_another_kind_of_it():
    # "dog bite" is not answered by a document on tick bites throughout ...
    idf = lambda c: 8.0  # noqa: E731
    idf.max = 9.5
    ticks = _cand("Offer quibbloxin prophylaxis for known tick bites.", doc="ngc-1")
    title = {"ngc-1": "Management of tick bites"}
    focus = analyse("Quibbloxin prophylaxis for a dog bite?", idf=idf)
    topic_support([ticks], focus, title, idf, 0.9)
    assert ticks.document_coverage <= 0.5
    # ... unless it names the qualifier too, which may qualify the word there in other words ("oocyte" and "embryo
    # freezing" for "egg freezing").
    dogs = _cand("Offer quibbloxin prophylaxis for known tick bites; dogs rarely carry ticks.", doc="ngc-1")
    focus = analyse("Quibbloxin prophylaxis for a dog bite?", idf=idf)
    topic_support([dogs], focus, title, idf, 0.9)
    assert dogs.document_coverage == 1.0


def test_a_course_or_stage_is_no_qualifier_of_a_longer_subject():
    # "acute zorbitis" is read by the kinds of a condition (rank.py), not as another kind named in a document: a
    # guideline on protracted zorbitis still states zorbitis.
    idf = lambda c: 8.0  # noqa: E731
    idf.max = 9.5
    q = "Treatment of acute zorbitis in an adult - is quibbloxin needed?"
    other = _cand("Treat protracted zorbitis with quibbloxin for 2 weeks.", doc="ngc-1")
    topic_support([other], analyse(q, idf=idf), {"ngc-1": "Management of protracted zorbitis"}, idf, 0.9)
    plain = _cand("Treat zorbitis with quibbloxin for 2 weeks.", doc="ngc-1")
    topic_support([plain], analyse(q, idf=idf), {"ngc-1": "Management of zorbitis"}, idf, 0.9)
    assert other.document_coverage == plain.document_coverage


def test_everyday_words_are_the_encoder_s_whole_words_not_acronyms():
    from rag.answering.support import everyday_concepts

    vocabulary = {"keen", "car", "all", "on", "chemoprevention"}
    assert everyday_concepts("41F keen on chemoprevention, vitiligo, ALL in the car", vocabulary) == \
        frozenset(concepts("keen chemoprevention car"))


def test_a_plain_act_done_again_is_not_a_topic_the_index_lacks():
    class Idf:  # "redo" is in no passage
        max = 9.5

        def __call__(self, c):
            return 9.5 if c in concepts("redo") else 2.0

    cands = [_cand("Estimate 10-year ASCVD risk every 4 to 6 years.", doc="ngc-5")]
    focus = analyse("ASCVD risk 3% - how often should I redo the risk estimate?", idf=Idf())
    assert topic_support(cands, focus, {"ngc-5": "Assessment of cardiovascular risk"}, Idf(), 0.9)[1] == []
