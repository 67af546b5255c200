"""A bottom line reads alone, as advice: not a study's report, a step leaning on the one before, or a service's
running. (How a lead is chosen among those that do is tested in test_bottom_line.py.)"""

import pytest

from rag.answering.reads_alone import reads_alone
from tests.rag.answering.test_extractive import _cand


@pytest.mark.parametrize("text", [
    "A retrospective study of 169 patients with zorbitis who received zorbitol and quibble suppression therapy found "
    "a benefit with zorbectomy.",
    "The time to zorbectomy in the zorbitol group was 1 day greater than for the quibbloxin group.",
    "The task force found 4 trials of zorbitol for primary prevention of zorbitis.",
    "Indeed, the CISNET models suggest that most of the benefit of screening for zorbitis comes by age 45.",
    "During this period offer zorbitol for zorbitis rate control as appropriate.",
    "Multidisciplinary zorbitis teams should implement strategies to encourage people to follow the treatment plan.",
    "All maternity units should have a written policy for the management of zorbitis in babies.",
    "Another series that included 2,706 patients with zorbitis showed that one third had normal radiographs.",
    "Researchers developed a prediction rule for the use of radiographs in zorbitis.",
    "Quibbloxin may be less efficacious compared to others in this group and should be used twice a day.",
    "If patients in this population are treated with quibbloxin, switch to flarbomab.",
    "8 Clinical assessment of zorbitis should be carried out by a medically qualified practitioner.",
    "Perform periodic (at least once per week) QC scans for any zorbitometer as an assessment of system calibration.",
    # Advice given elsewhere.
    'Ensure people in prisons follow the recommendations about testing and treatments (see "Latent zorbitis" and '
    '"Active zorbitis" sections above).',
    "See the Quibble Council's Good practice in prescribing zorbitol for further information.",
    # "It" is what the sentence before named.
    "It is both highly sensitive and specific for zorbitis and should be the first imaging technique.",
    "It has a high false-positive rate in zorbitis.",
])
def test_a_report_a_leaning_step_or_a_service_s_running_does_not_read_alone(text):
    assert not reads_alone(_cand(text, 0.9, 0))


@pytest.mark.parametrize("text", [
    "For people with latent zorbitis, offer 3 months of zorbitol and quibbloxin.",
    "Hospitals without zorbectomy facilities should offer zorbitol within 30 minutes.",
    "Units of blood should be transfused to keep the quibble level above 70 g/L.",
    "Offer zorbitol with a PPI (see Table 3 in Appendix A in the original guideline document).",
    "2 doses of zorbitol should be given a week apart.",
    "Seek specialist advice on zorbitis for further assessment if the rash spreads.",
    # The "it" of "it is recommended that ..." names nothing before it.
    "It is recommended that patients with zorbitis receive zorbitol.",
    "It is reasonable to offer zorbitol to adults with zorbitis.",
    "It should be noted that zorbitol is first line for zorbitis.",
])
def test_advice_reads_alone(text):
    assert reads_alone(_cand(text, 0.9, 0))
