"""The bottom line: read alone, stating what was asked, a recommendation for something, for the setting asked about."""

import pytest

from rag.answering.rank import rerank
from rag.answering.selection import select_statements
from rag.question import analyse
from rag.settings import RankSettings, Settings
from tests.rag.answering.test_extractive import _cand


def _picked(question: str, cands, settings: Settings | None = None) -> list[str]:
    """The guideline statements an answer quotes, in order (the first is its bottom line)."""
    focus = analyse(question)
    focus.document_coverage = 1.0
    return [c.text for c in select_statements(question, cands, settings or Settings(), focus=focus).groups[0][1]]


def test_asked_what_to_do_the_bottom_line_is_a_recommendation_for_something():
    against = _cand("Regimens of 3 days or fewer are not recommended for uncomplicated gonorrhea.", 0.9, 0)
    positive = _cand("Uncomplicated gonorrhea should be treated with ceftriaxone for 7 days.", 0.8, 1)
    for question, first in [("How should uncomplicated gonorrhea be treated?", positive),
                            ("Should uncomplicated gonorrhea be treated for 3 days?", against)]:
        assert _picked(question, [against, positive])[0] == first.text, question


def test_the_bottom_line_is_not_an_addition_to_a_sentence_it_leaves_out():
    also = _cand("Azithromycin is also an acceptable agent for uncomplicated gonorrhea.", 0.9, 0)
    first = _cand("Uncomplicated gonorrhea should be treated with ceftriaxone.", 0.8, 1)
    question = "Which antibiotic for uncomplicated gonorrhea?"
    assert _picked(question, [also, first]) == [first.text, also.text]
    extra = _cand("For adults, azithromycin is an additional option for uncomplicated gonorrhea.", 0.9, 2)
    assert _picked(question, [extra, first])[0] == first.text
    other = _cand("Other treatment options for uncomplicated gonorrhea may be appropriate on an individual basis.", 0.9, 3)
    assert _picked(question, [other, first])[0] == first.text
    unlike = _cand("Other than in pregnancy, uncomplicated gonorrhea should be treated with ceftriaxone.", 0.9, 4)
    assert _picked(question, [unlike, first])[0] == unlike.text
    # Alone, the addition is still quoted: it is the best evidence there is.
    assert _picked(question, [also]) == [also.text]


def test_the_bottom_line_does_not_lean_on_the_sentence_before_it():
    so = _cand("When doing so, the panel suggests that validated outcomes be used for zorbitis.", 0.9, 3)
    assert _picked("How often should patients with zorbitis have a surveillance colonoscopy?",
                   [so, _cand("Patients with zorbitis should have a surveillance colonoscopy every year.", 0.8, 4)])[0] != so.text
    refers = _cand("This interval will depend on the findings of the previous colonoscopy.", 0.9, 0)
    tail = _cand("every year in patients with zorbitis, whatever the earlier findings.", 0.9, 1)
    whole = _cand("Patients with zorbitis should have a surveillance colonoscopy every year.", 0.8, 2)
    question = "How often should patients with zorbitis have a surveillance colonoscopy?"
    assert _picked(question, [refers, tail, whole])[0] == whole.text
    # Alone, it is still quoted.
    assert _picked(question, [refers]) == [refers.text]
    these = _cand("For these patients a yearly surveillance colonoscopy is warranted.", 0.9, 5)
    assert _picked(question, [these, whole])[0] == whole.text


def test_the_bottom_line_is_not_a_glossary_entry():
    entry = _cand("Recurrent zorbitis: Recurrent symptoms and a positive test within 8 weeks of a prior episode.", 0.9, 0)
    advice = _cand("Treat a first episode of zorbitis with quibbloxin for 10 days.", 0.8, 1)
    question = "How long should I treat a first episode of zorbitis, and with what?"
    assert _picked(question, [entry, advice])[0] == advice.text
    # A recommendation under a label is no glossary entry.
    labelled = _cand("Recommendation 3: Treat zorbitis with quibbloxin for 10 days.", 0.9, 2)
    assert _picked(question, [labelled, advice])[0] == labelled.text


def test_the_bottom_line_is_for_the_care_setting_asked_about():
    admitted = _cand("Offer antibiotics within 4 hours to patients with gonorrhea who are admitted to hospital.", 0.9, 0)
    community = _cand("Offer ceftriaxone to outpatients with uncomplicated gonorrhea.", 0.8, 1)
    for question, first in [("How should gonorrhea be treated in an outpatient?", community),
                            ("How should gonorrhea be treated in hospitalised patients?", admitted),
                            ("How should gonorrhea be treated?", admitted)]:
        assert _picked(question, [admitted, community])[0] == first.text, question


def test_the_bottom_line_is_not_a_remark_on_a_recommendation_scope():
    scope = _cand("Remarks : These recommendations apply to adults with gonorrhea in every setting.", 0.9, 0)
    first = _cand("Uncomplicated gonorrhea should be treated with ceftriaxone.", 0.8, 1)
    authors = _cand("The guideline authors recommend ceftriaxone for uncomplicated gonorrhea.", 0.8, 2)
    question = "How should uncomplicated gonorrhea be treated?"
    # Asked what to do, a remark is not quoted beside an answer; asked whether to, "no recommendation can be made"
    # is what the guideline says.
    assert _picked(question, [scope, first]) == [first.text]
    no_rec = _cand("No recommendation can be made regarding test of cure for uncomplicated gonorrhea.", 0.9, 4)
    assert no_rec.text in _picked("Should I do a test of cure after treating uncomplicated gonorrhea?", [no_rec, first])
    # Nor a pointer elsewhere, no recommendation, or a grade's wording alone.
    for remark in ["For recommendations on gonorrhea in pregnancy, see the summary of the prenatal care guideline.",
                   "No recommendation can be made regarding test of cure for uncomplicated gonorrhea.",
                   "Strong recommendation based on high-quality randomized controlled trials of gonorrhea treatment.",
                   "Uncomplicated gonorrhea is defined as infection of the cervix, urethra or rectum without spread.",
                   "Uncomplicated gonorrhea refers to an infection of the cervix, urethra or rectum.",
                   "Testing for gonorrhea in women at increased risk is required to implement this recommendation.",
                   "The Committee considered that the threshold for treating gonorrhea should reflect local resistance.",
                   "†The Guideline Development Group (GDG) searched for evidence on gonorrhea and did not set targets.",
                   "The GDG set out a range of treatment targets for uncomplicated gonorrhea.",
                   "Recommendations about gonorrhea treatment have been removed from the update of this guideline.",
                   "Testing for gonorrhea at a clinic visit is not considered screening and is not the focus of this "
                   "recommendation."]:
        assert _picked(question, [_cand(remark, 0.9, 3), first])[0] == first.text, remark
    # "The guideline authors recommend ..." is a recommendation, not a remark about one.
    assert _picked(question, [authors, scope])[0] == authors.text


def test_asked_how_much_and_how_long_the_bottom_line_states_both():
    general = _cand("Daily iron supplementation is recommended for children with anaemia aged 6 to 23 months.", 0.9, 0)
    scheme = _cand("Suggested scheme for children with anaemia: 10 mg elemental iron daily for 3 consecutive months.", 0.8, 1)
    for question, first in [("Iron for a child with anaemia: what dose and for how long?", scheme),
                            ("Should a child with anaemia get iron?", general)]:
        assert _picked(question, [general, scheme])[0] == first.text, question
    # The word "dose" is not a dose: a sentence that says none is not preferred for it.
    vague = _cand("The optimal dose of iron for children with anaemia has not been determined.", 0.8, 1)
    assert _picked("Iron for a child with anaemia: what dose?", [general, vague])[0] == general.text


def test_a_dose_of_another_drug_does_not_lead_an_answer_on_the_dose_asked_for():
    question = "How much vitamin D should a breastfed infant get?"
    vitamin_a = _cand("Infants with measles should be given vitamin A 100,000 IU on admission.", 0.9, 0)
    vitamin_d = _cand("Breastfed infants should be given vitamin D 400 IU daily from birth.", 0.8, 1)
    focus = analyse(question)
    rerank([vitamin_a, vitamin_d], focus, {}, RankSettings())
    assert not vitamin_a.dose_of_asked and vitamin_d.dose_of_asked
    vitamin_a.score, vitamin_d.score = 0.9, 0.8  # the ranker's order kept: the lead rule alone decides
    assert _picked(question, [vitamin_a, vitamin_d])[0] == vitamin_d.text


def test_unless_a_treatment_failed_the_bottom_line_is_not_the_next_step_after_one():
    after = _cand("Minimal or absent responses suggest a need for a combination of agents for erythema migrans.", 0.9, 0)
    first = _cand("Initial therapy of erythema migrans should employ doxycycline 100 mg twice daily.", 0.8, 1)
    assert _picked("Which antibiotic for erythema migrans?", [after, first])[0] == first.text
    assert _picked("Erythema migrans with no response to doxycycline - what next?", [after, first])[0] == after.text
    # Said as clinicians say it: still active on the first drug, asking for the next step.
    initial = _cand("Methotrexate should be the preferred initial therapy for patients with early RA.", 0.9, 2)
    despite = _cand("For patients with moderate disease activity despite methotrexate, add a biologic.", 0.8, 3)
    assert _picked("RA still active on methotrexate - what's the next step?", [initial, despite])[0] == despite.text
    assert _picked("Which drug should I start for newly diagnosed RA?", [despite, initial])[0] == initial.text
    second = _cand("The second recurrence of CDI should be treated with a pulsed vancomycin regimen.", 0.9, 4)
    episode = _cand("Treat an initial episode of non-severe CDI with oral vancomycin.", 0.8, 5)
    assert _picked("First episode of CDI - which antibiotic?", [second, episode])[0] == episode.text
    recurrences = _cand("There is limited evidence for adjunct probiotics to decrease recurrences of CDI.", 0.9, 15)
    assert _picked("How is CDI treated?", [recurrences, episode])[0] == episode.text
    # Asked for the first-line drug after advice failed, the first drug is the answer.
    assert _picked("Erythema migrans despite rest and fluids - first-line antibiotic?", [after, first])[0] == first.text
    breakthrough = _cand("With virological breakthrough on entecavir, switch to another hepatitis B antiviral.", 0.9, 6)
    start = _cand("Offer hepatitis B antiviral treatment to adults with significant fibrosis.", 0.8, 7)
    assert _picked("Which patients with hepatitis B should get an antiviral?", [breakthrough, start])[0] == start.text
    # "who do not respond to", "have not responded to": a failure said another way.
    assess = _cand("Clinicians should assess the risks of quibbloxin for zorbitis pain.", 0.9, 8)
    trial = _cand("Clinicians may prescribe a trial of quibbloxin in patients with zorbitis pain who do not respond to "
                  "more conservative management.", 0.8, 9)
    assert _picked("Zorbitis pain despite physio and paracetamol - ok to try quibbloxin?", [assess, trial])[0] == trial.text
    # After which treatment: the step for the one that failed, not for another.
    other = _cand("Offer quibbloxin to adults with zorbitis that is uncontrolled with rest alone.", 0.9, 10)
    then = _cand("If zorbitis is uncontrolled in adults on quibbloxin, add zorbamab.", 0.8, 11)
    assert _picked("Adult still flaring on quibbloxin - next step?", [other, then])[0] == then.text
    assert _picked("Adult still flaring on rest alone - next step?", [other, then])[0] == other.text
    # In place of the next step, a recommendation leads, not a remark ranked above it.
    second_line = _cand("Offer second-line treatment for zorbitis haemorrhage if needed.", 0.9, 12)
    remark = _cand("Management of zorbitis haemorrhage may vary greatly among patients, depending on its cause.", 0.85, 13)
    agents = _cand("Zorbamab should be the first-line treatment for zorbitis haemorrhage.", 0.8, 14)
    assert _picked("What is first-line management of zorbitis haemorrhage?", [second_line, remark, agents])[0] == agents.text


def test_the_bottom_line_is_not_for_patients_with_what_the_patient_does_not_have():
    ckd = _cand("In the population with CKD and hypertension, initial treatment should include an ACEI or ARB.", 0.9, 0)
    black = _cand("In the general black population, initial treatment should include a thiazide-type diuretic or CCB.", 0.8, 1)
    assert _picked("Hypertension in a Black adult without CKD - which drug first?", [ckd, black])[0] == black.text
    assert _picked("Hypertension in a Black adult with CKD - which drug first?", [ckd, black])[0] == ckd.text


def test_the_bottom_line_is_for_the_patient_asked_about_not_a_narrower_group():
    narrower = _cand("In patients with zorbitis and cancer, the panel suggests quibbloxin over warfarin.", 0.9, 0)
    default = _cand("In patients with zorbitis and no cancer, the panel suggests plimzan over warfarin.", 0.8, 1)
    assert _picked("Which anticoagulant for zorbitis in a healthy 50yo?", [narrower, default])[0] == default.text
    assert _picked("Which anticoagulant for zorbitis with active cancer?", [narrower, default])[0] == narrower.text
    oldest = _cand("For people 85 years or older consider quibbloxin 20 mg for zorbitis.", 0.9, 2)
    anyone = _cand("Quibbloxin therapy is recommended for adults with zorbitis.", 0.8, 3)
    assert _picked("Which quibbloxin dose for zorbitis?", [oldest, anyone])[0] == anyone.text
    assert _picked("Which quibbloxin dose for zorbitis in a 90 yo?", [oldest, anyone])[0] == oldest.text
    # Another recommendation that does not name the asked topic as fully does not lead instead.
    other = _cand("Plimzan is recommended for adults with zorbitis.", 0.8, 1)
    other.coverage = 0.5  # as the ranker sets it: quibbloxin is not named
    assert _picked("Which quibbloxin dose for zorbitis?", [oldest, other])[0] == oldest.text


def test_the_bottom_line_is_for_the_severity_asked_about():
    severe = _cand("In cases of severe zorbitis, removing the IUD can be considered after antibiotics.", 0.9, 0)
    mild = _cand("In treating mild to moderate zorbitis, it is not necessary to remove the IUD.", 0.8, 1)
    assert _picked("Mild zorbitis in a woman with an IUD - remove it?", [severe, mild])[0] == mild.text
    assert _picked("Severe zorbitis in a woman with an IUD - remove it?", [severe, mild])[0] == severe.text
    assert _picked("Zorbitis in a woman with an IUD - remove it?", [severe, mild])[0] == severe.text
    # Asked what to do, a recommendation takes the lead's place rather than a finding ranked above it.
    finding = _cand("The task force found adequate evidence that the harms of quibbloxin for zorbitis are small.", 0.85, 2)
    offer = _cand("In mild zorbitis, offer quibbloxin for 14 days.", 0.8, 3)
    assert _picked("What is the treatment for mild zorbitis?", [severe, finding, offer])[0] == offer.text


def test_the_bottom_line_is_not_for_a_patient_group_the_question_never_names():
    children = _cand("The panel suggests that clinicians treat children and adolescents with zorbitis with melatonin.", 0.9, 0)
    anyone = _cand("The panel suggests that clinicians not use melatonin as a treatment for zorbitis.", 0.8, 1)
    assert _picked("Pt with zorbitis wants melatonin - ok?", [children, anyone])[0] == anyone.text
    assert _picked("9 yo with zorbitis wants melatonin - ok?", [children, anyone])[0] == children.text


WITHOUT_ABPA = "Do not use antifungal agents in adults with severe zorbitis without ABPA."
WITH_ABPA = "Suggest antifungal agents in adults with severe zorbitis and recurrent ABPA."


def _picked_after(question: str, follow_up: str, cands) -> list[str]:
    """As _picked, for a follow-up rewritten as `question`."""
    focus = analyse(question, follow_up)
    focus.document_coverage = 1.0
    return [c.text for c in select_statements(question, cands, Settings(), focus=focus).groups[0][1]]


def _lead_after(earlier: str, follow_up: str, cands):
    """The bottom line of `follow_up` asked after `earlier`, rewritten as the two joined."""
    question = f"{earlier} {follow_up}"
    focus = analyse(question, follow_up, earlier=earlier)
    focus.document_coverage = 1.0
    return select_statements(question, cands, Settings(), focus=focus).groups[0][1][0]


def test_the_bottom_line_is_not_for_patients_without_what_the_patient_has():
    cands = [_cand(WITHOUT_ABPA, 0.9, 0), _cand(WITH_ABPA, 0.8, 1)]
    assert _picked("Severe zorbitis and confirmed ABPA - antifungals?", cands)[0] == WITH_ABPA
    assert _picked("Severe zorbitis, no ABPA - antifungals?", cands)[0] == WITHOUT_ABPA


def test_the_bottom_line_is_not_for_patients_with_what_the_patient_does_not_have_wherever_it_names_them():
    diabetic = _cand("Quibbloxin is the treatment of choice in zorbitic patients with type 2 diabetes.", 0.9, 0)
    anyone = _cand("Begin therapy with quibbloxin or flarbomab for almost all patients with zorbitis.", 0.8, 1)
    assert _picked("Zorbitis, no diabetes. Which drug first?", [diabetic, anyone])[0] == anyone.text
    # Those it also includes are not whom it is for.
    including = _cand("In the general population, including those with diabetes, start quibbloxin for zorbitis.", 0.9, 2)
    assert _picked("Zorbitis, no diabetes. Which drug first?", [including, anyone])[0] == including.text


def test_a_follow_up_that_rules_a_drug_out_leads_with_what_is_for_patients_who_cannot_have_it():
    earlier = "Best initial treatment for zorbitis?"
    follow_up = "quibbloxin contraindicated"
    gives = _cand("Quibbloxin should be the preferred initial therapy for most patients with zorbitis.", 0.9, 0)
    later = _cand("Continue zorbitis treatment only if there is a response at 6 months.", 0.85, 1)
    instead = _cand("Flarbomab can be used for people with zorbitis who cannot take quibbloxin.", 0.8, 2)
    assert _lead_after(earlier, follow_up, [gives, later, instead]) is instead


def test_the_bottom_line_is_not_for_another_kind_of_patient():
    bioprosthetic = _cand("Patients with a bioprosthetic zorbic valve should receive three months of quibbloxin.", 0.9, 0)
    anyone = _cand("Long term quibbloxin should be considered in patients with zorbic valve disease.", 0.8, 1)
    assert _picked("Which drug for a patient with a mechanical zorbic valve?", [bioprosthetic, anyone])[0] == anyone.text


def test_a_follow_up_that_affirms_what_the_question_excluded_changes_the_bottom_line():
    cands = [_cand(WITHOUT_ABPA, 0.9, 0), _cand(WITH_ABPA, 0.8, 1)]
    question = "Severe zorbitis, no ABPA - antifungals? Work-up now confirms ABPA - same answer?"
    assert _picked_after(question, "Work-up now confirms ABPA - same answer?", cands)[0] == WITH_ABPA


def test_a_follow_up_leads_with_what_it_adds_not_with_what_it_repeats():
    earlier = "Mild zorbitis in a pt with a copper IUD. Do I need to pull the IUD?"
    follow_up = "She's admitted with severe zorbitis - does the IUD come out?"
    counsel = _cand("All women requesting an IUD should be counselled about the small risk of zorbitis.", 0.9, 0)
    severe = _cand("In cases of severe zorbitis, removing the IUD can be considered after antibiotics.", 0.8, 1)
    assert _lead_after(earlier, follow_up, [counsel, severe]) is severe


def test_a_follow_up_s_new_constraint_leads():
    general = _cand("Offer quibbloxin 20 mg for primary prevention of zorbitis in adults aged 40 to 75.", 0.9, 0)
    pregnancy = _cand("Quibbloxin is contraindicated in pregnancy and breastfeeding.", 0.7, 1)
    question, follow_up = "Quibbloxin for primary prevention of zorbitis in a 45 yo? what if she's pregnant?", "what if she's pregnant?"
    assert _picked_after(question, follow_up, [general, pregnancy])[0] == pregnancy.text
    # Said as what the patients do not have, it is not the constraint stated.
    without = _cand("In women who are not pregnant, offer quibbloxin 20 mg.", 0.7, 2)
    assert _picked_after(question, follow_up, [general, without])[0] == general.text


def test_a_firm_recommendation_does_not_displace_the_follow_up_s_constraint():
    may = _cand("Quibbloxin may be considered for select patients with zorbitis and active cancer.", 0.9, 0)
    firm = _cand("In patients with an unprovoked zorbitis, the panel recommends quibbloxin for at least 3 months.", 0.85, 1)
    preferred = _cand("Flarbomab is preferred over quibbloxin for the patient with zorbitis and cancer.", 0.8, 2)
    question = "Which drug for a first unprovoked zorbitis? what if the patient has cancer?"
    follow_up = "what if the patient has cancer?"
    # The cancer statements are of a guideline that states less of the first question ("unprovoked").
    may.document_coverage, preferred.document_coverage, firm.document_coverage = 0.1, 0.1, 0.25
    # The firm one that states the cancer leads; one that leaves it out does not.
    assert _picked_after(question, follow_up, [may, firm, preferred])[0] == preferred.text
    assert _picked_after(question, follow_up, [may, firm])[0] == may.text


def test_a_follow_up_s_constraint_leads_only_from_a_guideline_on_the_conversation_s_subject():
    question, follow_up = "What dose of quibbloxin for zorbitis? and for a child?", "and for a child?"
    general = _cand("In patients with zorbitis, give quibbloxin 0.5 mg, repeated at least 5 minutes apart.", 0.9, 0)
    other = _cand("For children, no more than 2 mg/kg of lidocaine with quibbloxin should be given.", 0.8, 1)
    other.document_coverage = 0.5  # a guideline that states half of the subject (quibbloxin, not zorbitis)
    assert _picked_after(question, follow_up, [general, other])[0] == general.text
    other.document_coverage = 0.9
    assert _picked_after(question, follow_up, [general, other])[0] == other.text


def test_a_follow_up_s_constraint_leads_only_from_a_statement_on_the_subject():
    # "and pregnant women?" after a hepatitis C screening question: not a hepatitis B guideline's pregnancy statement,
    # though that guideline mentions hepatitis C somewhere.
    question, follow_up = "When should adults be screened for zorbitis C? and pregnant women?", "and pregnant women?"
    general = _cand("Offer one-time screening for zorbitis C to adults born between 1945 and 1965.", 0.9, 0)
    other = _cand("Refer pregnant women who are positive for zorbitis B to a hepatologist.", 0.8, 1)
    assert _picked_after(question, follow_up, [general, other])[0] == other.text
    other.subject_coverage = 0.0  # neither it, its title, section nor sub-heading states zorbitis C
    other.hit = other.hit.model_copy(update={"chunk": other.hit.chunk.model_copy(update={"doc_id": "ngc-2"})})
    assert _picked_after(question, follow_up, [general, other])[0] == general.text


def test_a_follow_up_s_constraint_leads_from_the_guideline_that_answered_though_it_names_the_subject_otherwise():
    # "on hemodialysis?" after a radioactive iodine dose: "131 I ... reduced for ... end-stage renal disease", from the
    # guideline whose "The RAI dose is usually 30 mCi" answered, though it never says "radioactive iodine".
    question = "Usual zorbine dose for remnant ablation? she's on hemodialysis for ESRD - does that change it?"
    usual = _cand("The zorbine dose is usually 30 mCi for low-risk disease.", 0.9, 0)
    renal = _cand("Because 131 Z is cleared by the kidneys, the dose should be reduced in end-stage renal disease.", 0.8, 1)
    renal.subject_coverage = 0.0
    follow_up = "she's on hemodialysis for ESRD - does that change it?"
    assert _picked_after(question, follow_up, [usual, renal])[0] == renal.text
    # From another guideline, it does not lead.
    renal.hit = renal.hit.model_copy(update={"chunk": renal.hit.chunk.model_copy(update={"doc_id": "ngc-2"})})
    assert _picked_after(question, follow_up, [usual, renal])[0] == usual.text


def test_asked_what_to_do_the_bottom_line_is_not_a_recommendation_against_in_other_words():
    # "recommends that clinicians not use ..." is against, as "should not" is.
    against = _cand("The committee recommends that clinicians not use quibbloxin in patients with zorbitis.", 0.9, 0)
    positive = _cand("The committee suggests that clinicians use flarbomab in patients with zorbitis.", 0.8, 1)
    assert _picked("Which drug should I start for zorbitis?", [against, positive])[0] == positive.text


def test_asked_what_to_do_the_bottom_line_does_not_leave_it_open():
    open_ = _cand("Clinicians may or may not use iontophoresis for zorbitis. (Grade D)", 0.9, 0)
    firm = _cand("Clinicians should use manual therapy for zorbitis. (Grade A)", 0.8, 1)
    assert _picked("What is the first-line treatment for zorbitis?", [open_, firm])[0] == firm.text
    # Nor one that cannot recommend, or is unable to: "The work group cannot recommend using hyaluronic acid ...".
    cannot = _cand("The work group cannot recommend using quibbloxin for zorbitis.", 0.9, 0)
    unable = _cand("The work group is unable to recommend flarbomab for zorbitis.", 0.9, 0)
    for lead in (cannot, unable):
        assert _picked("What is the first-line treatment for zorbitis?", [lead, firm])[0] == firm.text


def test_asked_what_to_do_a_firm_recommendation_leads_a_permissive_one():
    may = _cand("Clinicians may prescribe stretching exercises for zorbitis. (Grade F)", 0.9, 0)
    should = _cand("Clinicians should prescribe night splints for zorbitis. (Grade B)", 0.8, 1)
    assert _picked("What is the first-line treatment for zorbitis?", [may, should])[0] == should.text
    # Asked whether to, the ranker's order stands.
    assert _picked("Can I prescribe stretching exercises for zorbitis?", [may, should])[0] == may.text
    # "may offer" is permissive: "offer" is firm only as an instruction ("Offer ...").
    may_offer = _cand("Clinicians may offer quibbloxin in addition to flarbomab for zorbitis.", 0.9, 2)
    assert _picked("What is the treatment of zorbitis?", [may_offer, should])[0] == should.text
    offer = _cand("Offer quibbloxin to people with zorbitis.", 0.8, 3)
    assert _picked("What is the treatment of zorbitis?", [may, offer])[0] == offer.text
    # Not over one that states what was asked while it does not.
    keep = _cand("Quibbloxin may be used to keep systolic blood pressure at 130 to 155 mmHg in zorbitis.", 0.9, 4)
    measure = _cand("Blood pressure should be measured daily in zorbitis.", 0.8, 5)
    assert _picked("What BP target in zorbitis?", [keep, measure])[0] == keep.text


def test_asked_what_to_do_the_bottom_line_is_not_a_note_on_harms_that_advises_nothing():
    note = _cand("The majority of adverse reactions to quibbloxin in zorbitis are mild and resolve.", 0.9, 0)
    note.hit.chunk = note.hit.chunk.model_copy(update={"section": "Potential Harms"})
    advice = _cand("Quibbloxin is recommended as an option for treating zorbitis.", 0.8, 1)
    assert _picked("How should zorbitis be treated?", [note, advice])[0] == advice.text
    # One that advises is advice, whichever section holds it.
    switch = _cand("Patients with a cough due to quibbloxin for zorbitis should be switched to flarbomab.", 0.9, 2)
    switch.hit.chunk = switch.hit.chunk.model_copy(update={"section": "Potential Harms"})
    assert _picked("How should zorbitis be treated?", [switch, advice])[0] == switch.text


def test_a_pregnant_patient_is_a_woman_not_a_narrower_group():
    pregnancy = _cand("Ginger is recommended for the relief of zorbitis nausea in pregnancy, based on a woman's "
                      "preferences.", 0.9, 0)
    chemo = _cand("Adult patients treated with quibbloxin may be offered flarbomab for zorbitis nausea.", 0.8, 1)
    assert _picked("Which antiemetic for zorbitis nausea in pregnancy?", [pregnancy, chemo])[0] == pregnancy.text


def test_asked_what_to_do_the_bottom_line_is_a_recommendation_that_states_what_was_asked():
    against = _cand("Do not routinely offer a steroid to patients with zorbitis.", 0.9, 0)
    advise = _cand("Advise patients with zorbitis to consult their doctor if their condition is deteriorating.", 0.85, 1)
    course = _cand("Offer a 5-day course of a single antibiotic to patients with low-severity zorbitis.", 0.8, 2)
    assert _picked("How should zorbitis be treated?", [against, advise, course])[0] == course.text


def test_asked_which_drug_the_bottom_line_names_one():
    cls = _cand("In patients with a zorbitis clot, the panel recommends treatment with anticoagulation for at least "
                "3 months.", 0.9, 0)
    named = _cand("In patients with a zorbitis clot, the panel suggests dabigatran or apixaban over warfarin.", 0.8, 1)
    assert _picked("Which anticoagulant is preferred after a zorbitis clot?", [cls, named])[0] == named.text
    # A first choice named by its class stays.
    first = _cand("Consider a trial of an antimuscarinic medicine as the first-line treatment for zorbitis drooling.",
                  0.9, 0)
    later = _cand("If first-line treatment for zorbitis drooling is not effective, consider botulinum toxin A.", 0.8, 1)
    assert _picked("Zorbitis drooling despite positioning advice. First-line drug?", [first, later])[0] == first.text


def test_asked_which_has_the_best_evidence_the_strongest_stated_leads():
    weaker = _cand("Risperidone (2 Class II studies, 1 Class III study) is probably effective in reducing zorbitis.", 0.9, 0)
    stronger = _cand("Based on 1 Class I study, clonazepam is probably effective in decreasing zorbitis.", 0.8, 1)
    assert _picked("Zorbitis on haloperidol - which drug has the best evidence?", [weaker, stronger])[0] == stronger.text
    assert _picked("Which drug for zorbitis?", [weaker, stronger])[0] == weaker.text


def test_asked_whether_any_drug_helps_the_bottom_line_names_one():
    exercise = _cand("The Committee recommends home-based exercise with 30 minutes of walking for zorbitis.", 0.95, 0)
    drug = _cand("In patients with zorbitis, the Committee suggests a 3-month trial of quibbloxil (100 mg twice daily).",
                 0.8, 1)
    assert _picked("68M with zorbitis, normal EF. Any drug worth trying for walking distance?",
                   [exercise, drug])[0] == drug.text


def test_asked_how_long_an_age_is_no_duration():
    aged = _cand("In women age ≤60 years, serum estradiol should be measured before adjuvant zorbitol.", 0.9, 0)
    holiday = _cand("Some recommendations allow a holiday from zorbitol after 3 to 5 years of treatment.", 0.8, 1)
    assert _picked("How long should zorbitol be continued in postmenopausal women?", [aged, holiday])[0] == holiday.text


def test_asked_how_to_treat_a_recommendation_on_diagnosis_does_not_lead_one_on_treatment():
    diagnose = _cand("Clinicians should diagnose posterior zorbitis when vertigo is provoked by the Plimpton "
                     "maneuver.", 0.9, 0)
    treat = _cand("Clinicians should treat patients with posterior zorbitis with a repositioning procedure.", 0.8, 1)
    assert _picked("Positive Plimpton - what's the treatment of choice for posterior zorbitis?",
                   [diagnose, treat])[0] == treat.text
    # Asked how to diagnose it, the first stays.
    assert _picked("How is posterior zorbitis diagnosed?", [diagnose, treat])[0] == diagnose.text


def test_the_bottom_line_does_not_give_the_patient_what_they_are_allergic_to():
    everyone = _cand("Offer people with zorbitis a 7-day course of a PPI and amoxicillin.", 0.9, 0)
    allergic = _cand("Offer people with zorbitis who are allergic to penicillin a PPI and clarithromycin.", 0.8, 1)
    for question in ("Zorbitis regimen for a penicillin-allergic patient?", "Zorbitis, and she is allergic to penicillin?",
                     "Zorbitis in a pt with a PCN allergy - which drugs?"):
        assert _picked(question, [everyone, allergic])[0] == allergic.text, question
    assert _picked("Which zorbitis regimen?", [everyone, allergic])[0] == everyone.text
    # "... or the child is not allergic to penicillin" gives the drug to those who are not.
    unless = _cand("Prescribe amoxicillin for zorbitis unless the child is not allergic to penicillin.", 0.9, 2)
    assert _picked("Zorbitis, and she is allergic to penicillin?", [unless, allergic])[0] == allergic.text


def test_asked_for_the_first_choice_the_bottom_line_names_one():
    add_on = _cand("Add quibbloxin if the zorbitis target is not reached with dual therapy.", 0.9, 0)
    bp = _cand("Offer a calcium-channel blocker to people with zorbitis and high blood pressure.", 0.85, 2)
    initial = _cand("Offer flarbomab as the initial drug treatment for adults with zorbitis.", 0.8, 1)
    assert _picked("First-line drug for zorbitis?", [add_on, bp, initial])[0] == initial.text
    assert _picked("Which drug is preferred for zorbitis?", [add_on, bp, initial])[0] == initial.text
    # A first choice of treatment names a treatment: not a diagnostic criterion that is "preferred".
    criterion = _cand("Increased specificity is preferred even as sensitivity is lowered in zorbitis.", 0.7, 3)
    assert _picked("What is the first-line treatment for zorbitis?", [bp, criterion])[0] == bp.text
    # Nor the first choice of another class for another condition that the guideline covers too; one of the class
    # for the condition asked about is.
    other = _cand("First-line antihypertensive drug treatment should be a once-daily ACE inhibitor.", 0.9, 4)
    assert _picked("What is the first-line treatment for zorbitis?", [other, bp, initial])[0] == initial.text
    of_it = _cand("Quibbloxin is the first-line antibiotic for zorbitis.", 0.7, 5)
    assert _picked("What is the first-line treatment for zorbitis?", [bp, of_it])[0] == of_it.text


def test_a_rule_that_replaces_the_lead_keeps_what_the_rules_before_made_it():
    allergic = _cand("In the event of allergy to flarbomab, quibbloxin is the first-line therapy for zorbitis.", 0.9, 0)
    failed = _cand("Treat zorbitis that is unresponsive to flarbomab with zentamab.", 0.85, 1)
    first = _cand("Offer flarbomab for zorbitis.", 0.8, 2)
    # Not for the allergic, and still not the step after a failed first treatment.
    assert _picked("Which drug for zorbitis?", [allergic, failed, first])[0] == first.text


def test_a_lead_on_the_subject_is_not_replaced_by_one_off_it():
    # "Pink eye in a child": the allergic conjunctivitis step leads, not the rhinitis guideline's spray list for children.
    step = _cand("Offer quibbloxin drops for zorbitis in people who cannot tolerate an oral antihistamine.", 0.9, 0)
    sprays = _cand("Generic nasal sprays for adults and children are fluticasone and mometasone.", 0.8, 1)
    step.subject_coverage, sprays.subject_coverage = 1.0, 0.0
    assert _picked("What is the treatment for zorbitis in a child?", [step, sprays])[0] == step.text
    first = _cand("Offer flarbomab drops for zorbitis.", 0.8, 1)  # on the subject: it does replace the step
    assert _picked("What is the treatment for zorbitis in a child?", [step, first])[0] == first.text


def test_asked_for_a_value_to_aim_for_the_bottom_line_states_one():
    depends = _cand("The target INR in zorbitis should depend upon the type and position of the valve.", 0.9, 0)
    value = _cand("Anticoagulation is indicated to achieve an INR of 3.0 in patients with zorbitis.", 0.8, 1)
    assert _picked("Target INR for zorbitis?", [depends, value])[0] == value.text


# Leads that are no advice: a trial's report (its follow-up time is no duration of care), a study's finding, a step
# that leans on the one before. (text, score) of each, ahead of the advice, and the question.
_NO_ADVICE = [
    ([("Zorbitol should be given to patients with a zorbectomy for zorbitis.", 0.95),
      ("Over a median of 4.6 years, 2,207 patients with zorbitis were randomized to zorbectomy plus zorbitol "
       "or zorbitol alone.", 0.9)],
     "In patients who have had a zorbectomy, continue zorbitol for at least 12 months.",
     "How long should zorbitol continue after a zorbectomy for zorbitis?"),
    ([("A nonrandomized trial with historical controls reported fewer zorbs after zorbectomy.", 0.95),
      ("If this assessment is negative, offer them zorbitol for latent zorbitis.", 0.9)],
     "For adults with latent zorbitis, offer 3 months of zorbitol.",
     "What is the treatment of latent zorbitis?"),
    ([("The task force found 4 trials of zorbitol for primary prevention of zorbitis.", 0.95)],
     "The task force recommends that adults with a zorbitis risk factor start zorbitol for primary prevention.",
     "When should zorbitol be started for primary prevention of zorbitis?"),
    ([("Two of the 3 simulation models found that zorbitol screening every 3 years yields fewer life-years.", 0.95)],
     "The task force recommends screening adults for zorbitis starting at age 50 years.",
     "When should zorbitis screening start?"),
    ([("A retrospective study of 169 patients with zorbitis who received zorbitol and quibble suppression therapy found "
       "a benefit with zorbectomy.", 0.95),
      ("The time to zorbectomy in the zorbitol group was 1 day greater than for the quibbloxin group.", 0.9)],
     "Offer zorbitol to adults with zorbitis and a quibble level above 10.",
     "45F with zorbitis, quibble level 7. Treat?"),
    ([("Multidisciplinary zorbitis teams should implement strategies to encourage people to follow the treatment plan.",
       0.95),
      ("All maternity units should have a written policy for the management of zorbitis in babies.", 0.9)],
     "For people with latent zorbitis, offer 3 months of zorbitol and quibbloxin.",
     "What is the treatment of latent zorbitis?"),
    ([("Examples might be an infant with severe zorbitis or a child with a progressive zorbitic condition.", 0.95)],
     "Infants with severe zorbitis should ordinarily not undergo dialysis.",
     "Infant with severe zorbitis, kidneys failing - is dialysis indicated?"),
    ([("As in the study mentioned above, they recommend a CT scan for zorbitis with serious comorbidities.", 0.95)],
     "Chest radiography is not routinely indicated for zorbitis in adults with normal vital signs.",
     "Adult with zorbitis, normal vitals - need a CXR?"),
    ([("The first of the 2 zorbitol-era trials, ZINT, indirectly addressed the role of zorbitol in zorbitis.", 0.95),
      ("Based on the findings, it was estimated that fewer zorbitis scans were needed over time.", 0.9)],
     "Test all patients for zorbitis virus before starting zorbitol.",
     "Starting zorbitol for zorbitis next week - which tests do I need first?"),
    ([("Women using the zorbitol coil for this purpose must have the device changed every 5 years.", 0.95)],
     "Extended use of the zorbitol coil for contraception is supported until the age of 55 if inserted at 45.",
     "46F had a zorbitol coil inserted at 45 for contraception. Does it need changing at 5 years?"),
    ([("During this period offer zorbitol for zorbitis rate control as appropriate.", 0.95)],
     "Offer a standard zorbitol as initial monotherapy for zorbitis rate control.",
     "What is the recommended management of zorbitis rate control?"),
]


@pytest.mark.parametrize(("before", "advice", "question"), _NO_ADVICE)
def test_a_report_a_finding_or_a_step_leaning_on_the_one_before_does_not_lead(before, advice, question):
    cands = [_cand(text, score, i) for i, (text, score) in enumerate(before, 1)] + [_cand(advice, 0.8, 0)]
    assert _picked(question, cands)[0] == advice


def test_a_recommendation_for_the_asked_group_or_another_is_not_for_a_narrower_group():
    either = _cand("For pregnant or breastfeeding women with zorbitis, offer a talking therapy as first-line treatment.",
                   0.9, 0)
    anyone = _cand("Offer support and information about zorbitis to all patients and their families.", 0.8, 1)
    assert _picked("First-line treatment for zorbitis in a breastfeeding woman?", [either, anyone])[0] == either.text


def test_a_follow_up_that_rules_out_a_route_does_not_lead_with_what_is_given_by_it():
    earlier = "What is the treatment of zorbic iron deficiency in pregnancy?"
    follow_up = "she can't tolerate oral iron"
    oral = _cand("Treatment of zorbic iron deficiency in pregnancy includes oral iron tablets and diet.", 0.9, 0)
    other = _cand("Intravenous iron can be given for zorbic iron deficiency during pregnancy.", 0.8, 1)
    assert _lead_after(earlier, follow_up, [oral, other]) is other


def test_a_drug_ruled_out_leads_with_what_is_for_patients_unable_to_take_it():
    earlier = "What is the recommended management of stable zorbitis?"
    follow_up = "beta blocker contraindicated"
    first = _cand("For relief of zorbitis, prescribe beta-blockers as first line medication.", 0.9, 0)
    stop = _cand("Abrupt withdrawal of all beta-blockers should be avoided in zorbitis.", 0.85, 1)
    them = _cand("Calcium channel blockers may be an alternative for zorbitis if the patient is unable to take "
                 "beta-blockers.", 0.8, 2)
    assert _lead_after(earlier, follow_up, [first, stop, them]) is them


def test_asked_whether_a_bottom_line_that_recommends_nothing_gives_way_to_a_graded_recommendation():
    background = _cand("Blood tests are not currently used as screening tests for zorbitis in older adults.", 0.9, 0)
    graded = _cand("The task force recommends not screening older adults for zorbitis. ( Strong recommendation )", 0.8, 1)
    question = "Screening for zorbitis in a 75 year old - is it recommended?"
    assert _picked(question, [background, graded])[0] == graded.text
    # A lead that answers whether to stays: "it is not necessary to remove ...", "Do not use ...".
    for lead in ("In mild zorbitis it is not necessary to remove the quibble device.",
                 "Do not use quibble oximetry to diagnose zorbitis in older adults."):
        assert _picked(question, [_cand(lead, 0.9, 0), graded])[0] == lead
    # A task force's "I statement" is its recommendation.
    i_statement = _cand("The task force concludes that the current evidence is insufficient to assess the balance of "
                        "benefits and harms of screening for zorbitis in older adults. ( Grade: I statement )", 0.8, 1)
    assert _picked(question, [background, i_statement])[0] == i_statement.text


def test_a_follow_up_s_constraint_stated_for_another_condition_of_the_guideline_does_not_lead():
    # The zorbitis guideline is on the subject, but its statement on failure is for flarbitis.
    earlier, follow_up = "Treatment of zorbitis?", "first line failed"
    offer = _cand("Offer quibbloxin eradication therapy to people who have tested positive for zorbitis.", 0.9, 0)
    other = _cand("If initial treatment for healing severe flarbitis fails, consider a high dose of the initial PPI.",
                  0.8, 1)
    for c in (offer, other):
        c.subject_coverage = 0.0 if c is other else 1.0
    assert _lead_after(earlier, follow_up, [offer, other]) is offer


def test_told_the_first_choice_failed_the_next_step_leads_and_joins():
    earlier, follow_up = "Zorbitis - first line therapy?", "quibbloxin didn't work"
    first = _cand("In adults with active zorbitis, the authors strongly recommend treatment with quibbloxin.", 0.9, 0)
    any_ = _cand("The authors do not recommend any particular quibbloxin as the preferred choice.", 0.88, 1)
    often = _cand("The authors recommend continuous treatment with quibbloxin for zorbitis.", 0.87, 2)
    despite = _cand("In adults with active zorbitis despite treatment with quibbloxin, the authors recommend "
                    "treatment with zorbamab.", 0.8, 3)
    for c in (first, any_, often, despite):
        c.score = c.relevance
    # Asked first: the first choice.
    assert _picked(earlier, [first, any_, often, despite])[0] == first.text
    # Told it failed: the step after it, though the failed drug is what the follow-up names.
    assert _lead_after(earlier, follow_up, [first, any_, often, despite]) is despite
    # It joins when the first answer's statements fill the places (one statement a document).
    settings = Settings(answer={"max_statements": 2, "max_per_document": 2})
    question = f"{earlier} {follow_up}"
    focus = analyse(question, follow_up, earlier=earlier)
    focus.document_coverage = 1.0
    quoted = select_statements(question, [first, any_, often, despite], settings, focus=focus).groups[0][1]
    assert quoted[0] is despite


def test_a_target_of_another_measure_does_not_lead_an_answer_on_the_target_asked_for():
    question = "What BP target in zorbitis with proteinuria?"
    a1c = _cand("In zorbitis, the Work Group recommends a target hemoglobin A 1c (HbA 1c ) of ~7.0%.", 0.9, 0)
    bp = _cand("In zorbitis, aim to keep the systolic blood pressure below 130 mmHg.", 0.8, 1)
    focus = analyse(question)
    rerank([a1c, bp], focus, {}, RankSettings())
    assert not a1c.target_of_asked and bp.target_of_asked
    a1c.score, bp.score = 0.9, 0.8  # the ranker's order kept: the lead rule alone decides
    assert _picked(question, [a1c, bp])[0] == bp.text
    # Asked for the glycaemic target, the HbA1c target answers.
    rerank([a1c, bp], analyse("What HbA1c target in zorbitis?"), {}, RankSettings())
    assert a1c.target_of_asked and not bp.target_of_asked
    bp.score, a1c.score = 0.9, 0.8
    assert _picked("What HbA1c target in zorbitis?", [bp, a1c])[0] == a1c.text


def test_asked_whether_a_body_s_recommendation_graded_elsewhere_takes_the_place_of_a_remark():
    remark = _cand("The potential benefit of quibbloxin is probably lower in adults younger than 50 with zorbitis.", 0.9, 0)
    body = _cand("The USPSTF recommends initiating low-dose quibbloxin for zorbitis in adults aged 50 to 59 years.", 0.8, 1)
    question = "Should I start quibbloxin for zorbitis in a 50yo?"
    assert _picked(question, [remark, body])[0] == body.text
    # An author's report is no body's recommendation.
    report = _cand("Smith reports that quibbloxin for zorbitis was used in adults aged 50 to 59 years.", 0.8, 1)
    assert _picked(question, [remark, report])[0] == remark.text


def test_a_treatment_said_to_have_failed_asks_for_the_next_step():
    initial = _cand("Quibbloxin should be the preferred initial therapy for zorbitis.", 0.9, 0)
    after = _cand("Consider zorbamab if quibbloxin has failed in people with zorbitis.", 0.8, 1)
    assert _picked("Zorbitis, quibbloxin failed - what next?", [initial, after])[0] == after.text
    assert _picked("Zorbitis - which drug first?", [after, initial])[0] == initial.text
