import pytest
from rag.text import not_content, sentence_spans, split_sentences


def test_offsets_are_verbatim_and_bullets_dropped():
    text = "Intro line\n - First point here. Second point, e.g. an example.\n2. Numbered item [A].\n"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Intro line",
        "First point here.",
        "Second point, e.g. an example.",
        "Numbered item [A].",
    ]


def test_abbreviations_do_not_split():
    assert split_sentences("Dr. Smith et al. reported it vs. baseline. Then more.") == [
        "Dr. Smith et al. reported it vs. baseline.",
        "Then more.",
    ]


def test_empty_text():
    assert sentence_spans("") == []
    assert sentence_spans("\n\n  \n") == []


def test_a_table_legend_or_a_line_of_grades_is_not_content():
    assert not_content("HLA-B, human leukocyte antigen-B; SCAR, severe cutaneous adverse reaction.")
    assert not_content("CNS = central nervous system; NSAIDs = nonsteroidal anti-inflammatory drugs.")
    assert not_content("NHLBI Grade: B (Moderate); ACC/AHA COR: IIa; ACC/AHA LOE: A")
    # A strength's definition in a grading key.
    assert not_content("The vast majority of well-informed patients would most likely not choose this patient-care "
                       "strategy, compared to alternative patient-care strategies or no treatment.")
    assert not not_content("Well-informed patients with OSA should be offered CPAP as initial therapy.")
    # A rating's definition; a recommendation that opens with its level is content.
    assert not_content("Level A rating (established as effective, ineffective, or harmful) requires at least one "
                       "convincing class I study or at least two consistent, convincing class II studies.")
    assert not not_content("Level A recommendation: offer alteplase within 3 hours of onset.")
    # A clinical variant's case.
    assert not_content("30-year-old man with clinical stage IA DLBCL, presenting with 7-cm mass in the left axilla.")
    assert not not_content("A 30-year-old man with a first seizure should have an EEG.")
    # Semicolons in a statement do not make it a legend.
    assert not not_content("Allopurinol is contraindicated in HLA-B*58:01 carriers; use febuxostat instead.")
    assert not not_content("ACE inhibitors: start low; titrate every 2 weeks to the target dose.")


def test_editorial_notes_are_not_content_where_they_stand():
    assert not_content("Note: the doses below are for adults with normal renal function.")
    assert not_content("Relevant Resources :\n\n- Postmenopausal women with osteoporosis: Eriksen et al., 2014; Miller et "
                       "al., 2012")
    assert not_content("Definitions for the strength of evidence (Class I-III) and strength of recommendations (Level A-C) "
                       "are repeated at the end of the Major Recommendations.")
    assert not_content("Strong recommendation based on high-quality randomized controlled trials with a preponderance of "
                       "benefit over harm .")
    assert not not_content("Recommendations for statins are based on 10-year cardiovascular risk in adults.")
    assert not_content("Variant 1: Average-risk individual, age 50 years or older.")
    assert not_content("Definitions of the grades are provided at the end of the \"Major Recommendations\" field.")
    assert not_content("The USPSTF recommends the service for adults aged 50 to 75 years.")
    # What a grade asks of clinicians, from a grading key.
    assert not_content("Clinicians should follow a strong recommendation unless a clear and compelling rationale for "
                       "an alternative approach is present.")
    assert not_content("Clinicians should also generally follow a recommendation but should remain alert to new "
                       "information and sensitive to patient preferences.")
    assert not not_content("Clinicians should offer amoxicillin unless the child is allergic to penicillin.")
    assert not_content("For full details of adverse reactions and contraindications, see the summary of product "
                       "characteristics.")
    # NICE's arrangement for people already on a drug, in every technology appraisal: about funding, not care.
    assert not_content("People whose treatment with apremilast was funded by the NHS before this guidance was "
                       "published should be able to continue treatment until they and their NHS clinician consider "
                       "it appropriate to stop.")
    # A grading key's line, with a colon or a dash; a range of grades inside a recommendation is content.
    assert not_content("Level C — Recommendations are based primarily on consensus and expert opinion.")
    assert not_content("Class II - Four of five technical criteria are satisfied.")
    assert not_content("II-3 : Evidence obtained from multiple time series with or without the intervention.")
    assert not_content("2++ : High quality systematic reviews of case control or cohort studies.")
    assert not not_content("D - In patients with heart failure, beta-blockers should be started at a low dose.")
    assert not not_content("Grade II–IV GVHD after transplant should be treated with systemic corticosteroids.")
    # A field name inside a sentence is not a field label; a recommendation is content.
    assert not not_content("Clinicians should take note: the doses below are for adults with normal renal function.")
    assert not not_content("Offer atorvastatin 20 mg to adults with a 10% or greater 10-year risk of CVD.")


def test_a_bracketed_grade_on_its_own_is_not_content():
    assert not_content("(Strong Recommendation: evidence quality X, validating studies cannot be performed, and C, "
                       "observational studies and expert opinion; preponderance of benefit over harm.)")
    assert not_content("(Strong recommendation: evidence quality B; 1 randomized control trial (RCT) showing improved "
                       "outcomes; preponderance of benefit over harm.)")
    assert not_content("(Level B; moderate-quality evidence from several randomised trials of adults with asthma.)")
    # A bracketed recommendation that carries a grade is content, as is one graded at its end.
    assert not not_content("(In adults, metformin should be started at diagnosis of type 2 diabetes [A].)")
    assert not not_content("Metformin should be started at diagnosis of type 2 diabetes (Strong recommendation).")


def test_a_list_of_capitalised_items_is_quoted_whole_with_its_intro():
    from rag.text import quotable_spans

    text = ("Offer a low-cost zorbitor to people with zorbitis and:\n\n"
            "- Diabetes and a zorb ratio of 3 mg/mmol or more (zorb category A2 or A3)\n\n"
            "- Hypertension and a zorb ratio of 30 mg/mmol or more (zorb category A3)\n\n"
            "- A zorb ratio of 70 mg/mmol or more (irrespective of hypertension or cardiovascular disease).\n\n"
            "Do not offer two zorbitors together to people with zorbitis.")
    quoted = [text[a:b] for a, b in quotable_spans(text)]
    assert quoted == [text[:text.index(").") + 2], "Do not offer two zorbitors together to people with zorbitis."]
    # A long capitalised bullet after the items is a sentence of its own, not another item.
    text = ("Side effects of:\n\n- Topical estrogen therapy in girls\n\n- Topical steroid therapy\n\n"
            "- When compared in randomized controlled trials with estrogen tablets or with the estrogen ring, estrogen "
            "cream was found to be associated with adverse effects, including bleeding and breast pain.")
    assert not any(text[a:b].startswith("Side effects of") and "compared" in text[a:b] for a, b in quotable_spans(text))


def test_a_sentence_whose_value_was_lost_as_markup_is_not_content():
    # The summary's "<140/90" read as a tag: the grade follows the word that needed the number.
    assert not_content("For patients without zorbitis, target of BP for - Age [IA] - Age ≥60 years is [IB]")
    assert not_content("The society in general recommends an A1c goal of [IIB] ; however a less stringent goal of [IIB] .")
    assert not_content("The RRL for the adult procedure is .")
    assert not_content("Aim for a quibble level target goal of (Grade 1, Level B) .")
    # A grade after a word that needs no number, or a value that is there, is content.
    assert not not_content("Provide appropriate education to women with zorbitis of childbearing age ( Level 3 ).")
    assert not not_content("Insulin should be used to control hyperglycemia to a 140 mg/dL to 180 mg/dL target ( Grade D ).")
    assert not not_content("Treat to a systolic blood pressure below 140 mm Hg in adults with zorbitis [IA] .")


def test_news_of_guidance_in_development_is_not_content():
    assert not_content("NICE is developing diagnostics guidance on self-monitoring in people who take quibbloxin.")
    assert not not_content("The clinician is developing a plan for zorbitis treatment with the patient.")


def test_an_editor_s_note_on_the_document_is_not_content():
    assert not_content("Note from the Quibble Society (QS) : The following is a summary of the recommendations of the "
                       "QS guideline on zorbitis.")
    assert not_content("Note from the National Guideline Clearinghouse (NGC) : This guideline was developed by the "
                       "Zorbitis Centre on behalf of the Quibble Institute.")
    # A note that says something of care is content.
    assert not not_content("Note from the Zorbitis Network : Following its approval in 2013, quibbloxin can be used to "
                           "prevent zorbitis.")


@pytest.mark.parametrize("text", [
    "The focus of research should not be restricted to outcomes only, but should also include cost-effectiveness.",
    "For children with chronic zorbitis, the panel suggests that randomized controlled trials on the efficacy of "
    "different durations of quibbloxin be undertaken in various clinical settings.",
    "Further research is needed to define the role of quibbloxin.",
    "A strong recommendation in favor (against) was considered when the panel was confident that benefits outweigh harms.",
    "Final recommendations were either strong or weak.",
    # What a table of the full document holds.
    "Tables 9, 10 and 11 in the original guideline document provide a list of the approved zorbitis drugs.",
    # One patient's case.
    "One report described a 57-year-old woman who had been treated with quibbloxin for 7 years and sustained a fracture.",
    "A recent case report described severe zorbitis after quibbloxin in a patient on dialysis.",
])
def test_an_agenda_for_research_or_a_grading_rule_is_not_content(text):
    assert not_content(text)


@pytest.mark.parametrize("text", [
    "A strong recommendation was made for early surgery in patients with zorbitis.",
    "Research participants with zorbitis should be offered quibbloxin after the trial ends.",
    "Clinicians should offer quibbloxin to adults with zorbitis.",
    "Reports of atypical fractures on quibbloxin should be discussed with patients.",
    "Offer quibbloxin to a 57-year-old woman with zorbitis.",
])
def test_a_recommendation_for_care_is_content(text):
    assert not not_content(text)
