import pytest

from rag.conversation import is_follow_up, is_note, may_follow, standalone_question
from rag.settings import Settings
from rag.types import Turn

S = Settings()
FIRST = Turn(question="Which garden tools need oiling before winter?", standalone_question="Which garden tools need oiling before winter?")


@pytest.mark.parametrize("q", ["what about in children?", "And in pregnancy?", "How about for older adults?", "Is it safe?", "why?"])
def test_follow_ups_are_detected(q):
    assert is_follow_up(q)


# Said only after an earlier message: the same case, what has changed since, or whether the answer still holds.
@pytest.mark.parametrize("q", ["Same pt but the hedge is now 3 m tall - different shears?",
                               "Now rusting badly despite the oil - next step?", "Forgot to say the blades are ceramic - same oil?",
                               "The shed floods every spring - does that change it?", "Linseed oil from the shop instead?",
                               "No hardware shop within 300 km - alternatives?", "Her sister just wants to oil a bike - same advice?",
                               # What came of it since: a result back, news, the earlier answer's product or target.
                               "Same picture but the shears are 40 years old - does age change whether to oil them?",
                               "Soil test came back acidic. How long do I keep using it?", "Results back: pH 5.1. Anything to add on top of the oil?",
                               "Blades now showing pitting along the edge. Does the interval change?",
                               "Different case - a damp north-facing shed. Still worth oiling?",
                               "Rain gauge picked up 90 mm last week. Same schedule?", "The spray is sold out - can I swap in grease?",
                               # A statement about the case, not a question.
                               "it's now 5 hours since the frost", "that's after a wet autumn",
                               "Same size kid but she is left-handed?"])
def test_follow_ups_that_lean_on_the_earlier_message_are_detected(q):
    assert is_follow_up(q)
    assert standalone_question(q, [FIRST], S) == f"Which garden tools need oiling before winter? {q}"


# A test, or what is given by a drip, with no condition to do it for, is asked of the earlier one.
@pytest.mark.parametrize("q", ["is an MRI needed?", "when is neuroimaging needed?", "is a CT scan indicated?",
                               "Should I order an LP?", "when should IV dextrose be given?", "should we give IV glucose?",
                               # what it asks of a drug, or the event it times from, is no subject either
                               "what rate of insulin?", "how soon after injury?",
                               # a measure and its goal, with no condition of their own
                               "what BP target?", "HbA1c goal?", "what is the INR target?",
                               # or a value of the patient's, which a dose depends on
                               "what dose if eGFR 25?", "potassium is 5.9", "CrCl 20 - same dose?",
                               # the patient's reaction to a drug
                               "penicillin allergic?", "statin intolerant - what next?", "penicillin allergy?",
                               # how it is given, or how the patient is doing on it
                               "what strength of steroid?", "not improving after 3 salbutamol nebs",
                               "tranexamic acid dose?",
                               # a score for whom it is asked, a finding, a fragment, a condition on the plan
                               "CHA2DS2-VASc of 1 in a man?", "eosinophils are high", "in an 80 year old with dementia?",
                               "for a 5 year old?", "if diet fails, what medication?",
                               # a relative's disease, an operation timed from
                               "father had zorbitis at 45", "how long after hip replacement?"])
def test_a_test_or_drip_with_no_subject_of_its_own_is_a_follow_up(q):
    assert is_follow_up(q)


@pytest.mark.parametrize("q", ["Which fertiliser suits acid soil best?", "How often should lawn mower blades be sharpened?",
                               "Should I use linseed oil instead of mineral oil on spades?", "Is mineral oil still the best for spades?",
                               "Gardener just finished pruning the roses. Which oil for the secateurs?",
                               "Is a CT scan needed for zorbitis of the knee?",
                               "How soon after zorbitis surgery should quibbloxin start?",
                               "What is the management of penicillin allergy?",
                               "What strength of steroid cream for zorbitis in infants?",
                               "If a woman has zorbitis, when should quibbloxin be started?",
                               "In children, what is the treatment of zorbitis?",
                               "Father had zorbitis at 50 - should my 40 year old patient start quibbloxin?"])
def test_standalone_questions_are_left_alone(q):
    assert not is_follow_up(q)
    assert standalone_question(q, [FIRST], S) == q


def test_cue_follow_up_is_attached_to_the_topic():
    assert standalone_question("what about in children?", [FIRST], S) == (
        "Which garden tools need oiling before winter in children?"
    )


def test_pronoun_follow_up_keeps_the_question():
    out = standalone_question("Is it needed every year?", [FIRST], S)
    assert out.startswith("Which garden tools need oiling before winter?") and out.endswith("Is it needed every year?")


def test_chained_follow_ups_use_the_latest_standalone_question():
    second = Turn(question="what about in spring?", standalone_question="Which garden tools need oiling before winter in spring?")
    assert standalone_question("and for pruning shears?", [FIRST, second], S).startswith(
        "Which garden tools need oiling before winter in spring"
    )


def test_no_history_means_no_rewrite():
    assert standalone_question("what about in children?", [], S) == "what about in children?"


def test_history_can_be_switched_off():
    s = Settings(conversation={"max_history_turns": 0})
    assert standalone_question("what about in children?", [FIRST], s) == "what about in children?"


def _turn(q: str, history=()) -> Turn:
    return Turn(question=q, standalone_question=standalone_question(q, list(history), S))


def test_a_follow_up_population_replaces_the_earlier_one():
    first = _turn("Which bicycle helmet should an adult wear for commuting?")
    out = standalone_question("and for kids?", [first], S)
    assert "kids" in out and "adult" not in out.lower() and "helmet" in out


def test_a_stated_age_counts_as_a_population():
    first = _turn("Which bicycle helmet for a 45 year old commuter?")
    out = standalone_question("what about a 6 year old?", [first], S)
    assert "6 year old" in out and "45" not in out


def test_a_new_population_goes_back_past_the_follow_up_it_replaces():
    first = _turn("How often should an adult's bicycle tyres be checked?")
    kids = _turn("and for kids?", [first])
    out = standalone_question("what if she's pregnant?", [first, kids], S)
    assert "pregnant" in out and "kids" not in out and "adult" in out


def test_instead_replaces_the_previous_follow_up():
    first = _turn("Which lock suits a city bicycle?")
    second = _turn("what if it is parked overnight?", [first])
    out = standalone_question("and if instead it is a cargo bike?", [first, second], S)
    assert "cargo" in out and "overnight" not in out


def test_a_patient_named_only_by_a_pronoun_is_the_earlier_patient():
    first = _turn("What helmet size fits a commuter with a large head?")
    q = "she's just bought a new bike - how often should she replace her helmet?"
    assert is_follow_up(q)
    assert standalone_question(q, [first], S).startswith("What helmet size fits a commuter")
    assert not is_follow_up("A patient says she wants a new bike - which helmet fits best?")


def test_a_statement_about_the_patient_adds_to_the_question_before_it():
    first = _turn("Which saddle suits a long-distance cyclist?")
    assert is_follow_up("he has a bad back")
    assert standalone_question("he has a bad back", [first], S).endswith("he has a bad back")
    assert not is_follow_up("saddle height for a road bike")  # a new topic typed without a question mark


def test_a_new_age_replaces_the_earlier_one_even_in_the_same_age_group():
    first = _turn("Which bicycle suits a 7 year old?")
    out = standalone_question("what about a 4 year old?", [first], S)
    assert "4 year old" in out and "7 year old" not in out


def test_a_follow_up_about_a_group_the_question_excluded_drops_the_exclusion():
    first = _turn("Which bicycle helmet for a non-pregnant woman?")
    out = standalone_question("and if she's pregnant?", [first], S)
    assert "non-pregnant" not in out and "pregnant" in out


def test_someone_else_or_another_time_is_not_a_new_patient_group():
    first = Turn(question="How much folic acid should a woman take before conception?",
                 standalone_question="How much folic acid should a woman take before conception?")
    for follow_up in ["she had a previous baby with a neural tube defect", "her son has spina bifida",
                      "she had GDM in her last pregnancy"]:
        assert "a woman" in standalone_question(follow_up, [first], Settings()), follow_up
    assert "woman" not in standalone_question("and for a baby?", [first], Settings())


def test_another_patient_leaves_the_earlier_patient_s_description_and_keeps_what_was_asked():
    first = _turn("63M, 40 pack-yrs, quit 6 yrs ago, no lung disease. Bicycle helmet fitting - which size and how often?")
    for follow_up in ["Different pt: 49F, never smoked - same?", "His wife is 49 with 15 pack-yrs and wants one too - ok?"]:
        out = standalone_question(follow_up, [first], S)
        assert "63M" not in out and "no lung disease" not in out and "helmet fitting" in out and follow_up in out, out
    # A relative who only comes along is no new patient; nor is another patient when nothing asked would be left.
    out = standalone_question("His daughter is with him this time and noticed changes - a form for her?", [first], S)
    assert "63M" in out
    bare = _turn("45M, Black, no CKD, newly diagnosed. Which drug first?")
    assert "45M" in standalone_question("His brother is 50 with CKD - same?", [bare], S)


def test_what_the_follow_up_says_the_patient_has_is_no_longer_excluded():
    first = _turn("Adult gardener without zorbitis, no rust allergy. Which glove material is best?")
    out = standalone_question("and if he has zorbitis?", [first], S)
    assert "without" not in out and "no rust allergy" in out and "zorbitis" in out, out
    first = _turn("Severe zorbitis, skin prick + to rust but no ABPA. Would gloves help?")
    out = standalone_question("Work-up now confirms ABPA - same answer?", [first], S)
    assert out.startswith("Severe zorbitis, skin prick + to rust. Would gloves help?"), out
    # Dropped before a dash, it leaves no stray comma: "Severe zorbitis - gloves?", not "Severe zorbitis,- gloves?".
    out = standalone_question("Work-up now confirms ABPA - same answer?", [_turn("Severe zorbitis, no ABPA - gloves?")], S)
    assert out.startswith("Severe zorbitis - gloves?"), out


# A drug and at most one other word of substance: asked of the earlier question's condition.
@pytest.mark.parametrize("q", ["should we give salbutamol?", "how long should the steroid course be?",
                               "how long should bisphosphonates be continued?", "What is the dose of amoxicillin?",
                               # or a class of drug
                               "should I add an antiviral?", "Do I need antibiotics?",
                               # and how or when it is given
                               "should antibiotics be given prophylactically?", "do we need long-term anticoagulation?",
                               # or whether at all
                               "are antibiotics always needed?", "are steroids really necessary?",
                               "is empirical antibiotic therapy needed?",
                               # or what is given as a drug is
                               "what fluid and how much?", "should we give oxygen?"])
def test_a_question_that_names_only_a_drug_is_a_follow_up(q):
    assert is_follow_up(q)
    assert standalone_question(q, [FIRST], S) == f"Which garden tools need oiling before winter? {q}"


@pytest.mark.parametrize("q", ["Is salbutamol safe for asthma in pregnancy?", "Amoxicillin dose for acute otitis media?",
                               "Should I add an antiviral for Bell's palsy?", "Which fluid for resuscitation in sepsis?"])
def test_a_drug_asked_of_a_condition_stands_alone(q):
    assert not is_follow_up(q)


@pytest.mark.parametrize("q", ["Should I use compression stockings for a venous leg ulcer?",
                               "Should I screen for diabetes?"])
def test_whether_to_do_something_for_a_condition_stands_alone(q):
    assert not is_follow_up(q)


@pytest.mark.parametrize("q", ["which drug is first line?", "what is the target?", "which test first?",
                               # whether to do one thing, for no condition of its own
                               "should I use compression?", "can we try NIV?"])
def test_a_question_that_asks_without_a_subject_of_its_own_is_a_follow_up(q):
    assert is_follow_up(q)
    assert standalone_question(q, [FIRST], S) == f"Which garden tools need oiling before winter? {q}"


def test_what_if_keeps_its_if():
    first = _turn("Does a rusty bicycle chain need replacing?")
    assert standalone_question("what if it still turns freely?", [first], S) == \
        "Does a rusty bicycle chain need replacing if it still turns freely?"


def test_a_short_question_with_no_cue_follows_only_when_the_index_relates_it_to_the_earlier_topic():
    q = "at what level should quibbling start?"
    assert not is_follow_up(q) and may_follow(q)
    assert standalone_question(q, [FIRST], S, related=lambda question, earlier: True) == \
        f"Which garden tools need oiling before winter? {q}"
    assert standalone_question(q, [FIRST], S, related=lambda question, earlier: False) == q
    # A patient of its own, or a longer question, is its own topic.
    assert not may_follow("at what level should quibbling start in a 40 year old?")
    assert not may_follow("Which quibbling for zorbitis of the knee and hip?")
    # Three words of its own may still follow: "rate or rhythm control?" after an atrial fibrillation question.
    assert may_follow("quibble or zorble control?")



@pytest.mark.parametrize("q", ["high bleeding risk", "second recurrence", "prosthetic joint", "ABPI is 0.6",
                               "on warfarin", "zorbitis stage 4"])
def test_a_note_on_the_case_adds_to_the_question_before_it(q):
    assert is_note(q)
    assert standalone_question(q, [FIRST], S) == f"Which garden tools need oiling before winter? {q}"


def test_a_note_follows_only_when_the_index_holds_it_with_the_earlier_topic():
    asked = []

    def together(note, earlier):
        asked.append((note, earlier))
        return note == "second recurrence"
    first = "Which garden tools need oiling before winter?"
    assert standalone_question("second recurrence", [FIRST], S, together=together) == f"{first} second recurrence"
    assert standalone_question("zorbitis flare", [FIRST], S, together=together) == "zorbitis flare"
    assert asked == [("second recurrence", first), ("zorbitis flare", first)]


@pytest.mark.parametrize("q", ["zorbitis management", "treatment of zorbitis", "quibbloxin dose for zorbitis",
                               "tell me about zorbitis of the knee", "zorbitis prophylaxis in children", "quibble height for a road bike",
                               # a question mark, or more than a note's words, makes it a question
                               "zorbitis of the knee in cats?", "a very long description of zorbitis with knee and hip pain"])
def test_a_request_or_a_question_of_its_own_stands_alone(q):
    assert not is_follow_up(q) and not is_note(q)


def test_a_note_s_numbers_are_not_counted_as_words():
    assert is_note("3 small tubular quibbles")
    assert not is_note("3 small tubular quibbles near the zorbic valve")
    # A result may take a word more.
    assert is_note("quibble studies show zorbin 30")
    assert not is_note("quibble studies show zorbin levels")


# A kind of care and no condition to give it for: asked of the earlier question's condition. With a condition, it
# is a question of its own.
@pytest.mark.parametrize("q", ["when should I refer for surgery?", "is surgery better?", "should she be admitted?",
                               "when to refer to a specialist?"])
def test_a_question_that_names_only_a_kind_of_care_is_a_follow_up(q):
    assert is_follow_up(q)
    assert standalone_question(q, [FIRST], S) == f"Which garden tools need oiling before winter? {q}"


@pytest.mark.parametrize("q", ["physiotherapy for knee osteoarthritis?", "surgery for zorbitis?"])
def test_a_kind_of_care_with_its_own_condition_is_its_own_question(q):
    assert not is_follow_up(q)


# How the patient is doing on the treatment asked about, and no subject of its own.
@pytest.mark.parametrize("q", ["first line failed", "second line?", "no improvement after 2 weeks"])
def test_how_the_treatment_went_is_a_follow_up(q):
    assert is_follow_up(q)


def test_asked_of_a_pregnant_patient_the_baby_is_hers():
    first = _turn("pregnant 29F, zorbitis positive at booking. Can she still breastfeed?")
    out = standalone_question("and when do we test the baby?", [first], S)
    assert out.startswith("pregnant 29F, zorbitis positive") and out.endswith("when do we test the baby?"), out
    # Asked of anyone else, the baby is a new patient, and the earlier one's description goes.
    adult = _turn("29F with zorbitis. Which drug first?")
    out = standalone_question("and for the baby?", [adult], S)
    assert "29F" not in out and not out.startswith(","), out


def test_the_same_question_for_someone_else_is_a_follow_up():
    first = _turn("27F with loose stools - which stool test tells zorbitis from quibblitis?")
    out = standalone_question("same question for a 12 yo with suspected zorbitis?", [first], S)
    assert "27F" not in out and "which stool test tells" in out and out.endswith("a 12 yo with suspected zorbitis?"), out
