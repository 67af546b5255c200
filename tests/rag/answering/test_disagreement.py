"""When two guideline statements disagree: narrow on purpose, so that a note saying so is never wrong."""

import pytest

from rag.answering.disagreement import disagreement, intervals, polarity

FOR = "Antibiotic prophylaxis with cefazolin is recommended before dental procedures in patients with prosthetic joints."
AGAINST = "Cefazolin prophylaxis should not be given before dental procedures in patients with prosthetic joints."


def test_polarity():
    assert polarity(FOR) == "for" and polarity(AGAINST) == "against"
    assert polarity("Offer supervised exercise to avoid falls in older adults.") == "for"  # 'avoid' is no 'against'
    assert polarity("There is insufficient evidence to recommend for or against cefazolin prophylaxis.") is None
    assert polarity("Hyaluronic acid injections are, therefore, not recommended for ankle osteoarthritis.") == "against"
    assert polarity("The task force does not suggest that haloperidol be given to prevent delirium.") == "against"
    assert polarity("Cefazolin was given to 40 patients with prosthetic joints.") is None  # no recommendation


def test_intervals_in_months():
    assert intervals("Repeat colonoscopy every 10 years.") == [(120, 120)]
    assert intervals("Screen every 3 to 5 years, or annually if at high risk.") == [(36, 60), (12, 12)]
    assert intervals("Every year, offer influenza vaccination.") == [(12, 12)]


@pytest.mark.parametrize("a,b,reason", [
    (FOR, AGAINST, "opposite recommendation"),
    ("Colonoscopy screening is recommended every 10 years for average-risk adults.",
     "Colonoscopy screening is recommended every 5 years for average-risk adults.", "a different interval"),
    # Overlapping intervals, one polarity: no dispute.
    ("Colonoscopy screening is recommended every 5 to 10 years for average-risk adults.",
     "Colonoscopy screening is recommended every 10 years for average-risk adults.", None),
    # Another topic.
    (FOR, "Aspirin should not be given to children with fever from a viral illness.", None),
    # Patient groups that exclude each other are two recommendations, not a dispute.
    ("In children, codeine should not be used for acute cough.", "In adults, codeine is recommended for acute cough.",
     None),
    # Neither takes a side.
    (FOR, "There is insufficient evidence for or against cefazolin before dental procedures with prosthetic joints.",
     None),
])
def test_disagreement(a, b, reason):
    assert disagreement(a, b) == reason and disagreement(b, a) == reason
