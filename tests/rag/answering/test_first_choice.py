"""Asked for the first choice of a treatment or of a test, the statement that names it joins the answer and leads."""

from rag.answering.first_choice import asked_first_choice, names_first_choice
from rag.question import analyse
from rag.settings import Settings
from tests.rag.answering.test_bottom_line import _picked
from tests.rag.answering.test_extractive import _cand


def test_which_first_choice_a_question_asks_for():
    for question, kind in [("What is first-line medication for zorbitis?", "treatment"),
                           ("Which drug is preferred for zorbitis?", "treatment"),
                           ("Sudden zorbitis 1 hr ago. first scan for ?zorbitis", "test"),
                           ("Best first-line imaging for suspected zorbitis?", "test"),
                           ("Zorbogram of choice for suspected zorbitis?", None),
                           ("Imaging test of choice for suspected zorbitis?", "test"),
                           ("Best test to diagnose zorbitis?", "test"),
                           ("How long should zorbitis be treated?", None),
                           # Asked how to treat it, the first choice is what is asked for.
                           ("How is zorbitis treated in the emergency department?", "treatment"),
                           ("What is the recommended management of zorbitis?", "treatment"),
                           ("Zorbitis with lung disease - which mucoactive agent first?", "treatment"),
                           ("?zorbitis. Which blood test do I send first?", "test")]:
        assert asked_first_choice(analyse(question)) == kind, question


def test_a_preferred_way_of_giving_a_drug_is_no_first_choice():
    focus = analyse("What is the treatment for a zorbitis exacerbation?")
    assert names_first_choice(_cand("Zorbitol is the first-line treatment for zorbitis exacerbations.", 0.9, 0), focus)
    assert not names_first_choice(_cand("Metered-dose inhalers are the preferred delivery method for zorbitol.", 0.9, 0),
                                  focus)


def test_a_statement_names_the_first_test_not_the_first_test_s_result():
    focus = analyse("What is the first imaging test for suspected zorbitis?")
    for text, names in [("The first investigation is a zorbogram without contrast.", True),
                        ("A zorbogram is the imaging modality of choice for zorbitis.", True),
                        ("Ultrasound should be the first imaging consideration for zorbitis.", True),
                        ("If the initial imaging is negative, a zorbogram should be performed.", False),
                        ("A zorbogram is the preferred test to follow an inconclusive ultrasound.", False),
                        ("The initial test results were normal in most patients with zorbitis.", False),
                        ("Flarbomab is the first line treatment for zorbitis.", False)]:
        assert names_first_choice(_cand(text, 0.5, 0), focus) == names, text
    # "in preference to" states a first choice: NICE's way of saying it.
    assert names_first_choice(_cand("Consider flarbomab in preference to quibbloxin for mild zorbitis.", 0.5, 0),
                              analyse("Mild zorbitis - first-line drug?"))
    # A first test is no first treatment.
    treatment = analyse("Which drug is preferred for zorbitis?")
    assert not names_first_choice(_cand("A zorbogram remains the preferred first choice for zorbitis imaging.", 0.5, 0),
                                  treatment)
    assert names_first_choice(_cand("Flarbomab is the preferred first choice for zorbitis.", 0.5, 0), treatment)
    # Whom a first choice is for, or when to leave it, is no first choice.
    for text in ("For people having first-line chemotherapy for zorbitis:\n\n- Carry out regular monitoring and\n\n"
                 "- Stop first-line chemotherapy if there is excessive toxicity",
                 "Offer flarbomab to people with detectable zorbs after first-line treatment with quibbloxin."):
        assert not names_first_choice(_cand(text, 0.5, 0), analyse("Zorbitis. First-line chemo?")), text


def test_asked_for_the_first_test_the_statement_that_names_it_leads():
    cta = _cand("CT angiography may be appropriate in zorbitis, especially if a bleed is seen on a plain zorbogram.", 0.9, 0)
    then = _cand("If the zorbogram is negative, a lumbar puncture should be performed for zorbitis.", 0.85, 1)
    choice = _cand("In zorbitis a noncontrast zorbogram is the imaging modality of choice.", 0.8, 2)
    assert _picked("Sudden zorbitis 1 hr ago, worst ever. first scan for ?zorbitis", [cta, then, choice])[0] == choice.text
    # Asked which tests, not which first: it need not lead.
    assert _picked("Which tests for suspected zorbitis?", [cta, then, choice])[0] != choice.text


def test_asked_for_the_best_test_a_retest_does_not_lead():
    retest = _cand("Perform retesting for Z. zorbii using a zorb breath test.", 0.9, 0)
    test = _cand("Test for Z. zorbii using a zorb breath test or a stool zorb test.", 0.85, 1)
    assert _picked("Best test to diagnose Z. zorbii?", [retest, test])[0] == test.text
    # Asked when to retest, it may.
    assert _picked("When should I retest for Z. zorbii after treatment?", [retest, test])[0] == retest.text


def test_asked_for_the_first_choice_a_statement_of_the_same_guideline_that_names_it_joins_and_leads():
    picks = [_cand("Offer parent training for children with zorbitis.", 0.9, 0),
             _cand("Other drugs may be used for zorbitis depending on comorbidity.", 0.88, 1),
             _cand("Quibbloxin is a secondary choice for zorbitis.", 0.86, 2)]
    stimulants = _cand("Flarbomab is the first line treatment and has proven benefit.", 0.5, 3)
    # Only "is the first line": "For people having first-line flarbomab, monitor" says whom, not which.
    monitor = _cand("For people having first-line flarbomab for zorbitis, monitor the liver.", 0.5, 3)
    question, three = "What is first-line medication for zorbitis?", Settings(answer={"max_statements": 3})
    texts = _picked(question, picks + [stimulants], three)
    assert texts[0] == stimulants.text and len(texts) == 3
    assert monitor.text not in _picked(question, picks + [monitor], three)




def test_asked_for_the_first_test_a_statement_of_the_same_guideline_that_names_it_joins():
    picks = [_cand("Zorbitis can present with a sudden severe headache.", 0.9, 0),
             _cand("Zorbitis must be excluded in every patient with a sudden headache.", 0.88, 1),
             _cand("A lumbar puncture is needed when the zorbogram is negative.", 0.86, 2)]
    first = _cand("The first investigation is a zorbogram without contrast.", 0.5, 3)
    question, three = "first scan for suspected zorbitis?", Settings(answer={"max_statements": 3})
    texts = _picked(question, picks + [first], three)
    assert texts[0] == first.text and len(texts) == 3
    # Not for a question that asks which tests, not which first.
    assert first.text not in _picked("Which tests for suspected zorbitis?", picks + [first], three)
