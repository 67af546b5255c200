"""Concepts: an abbreviation and its expansion, synonyms, spellings and ward shorthand are one concept each."""

from rag.question import topic_concepts
from rag.vocabulary import concept_of, concepts, spelled_out, use_abbreviations, with_parts


def test_an_abbreviation_and_its_expansion_are_one_concept():
    assert concepts("moderate to severe AUD") & concepts("alcohol use disorders") == concepts("AUD")
    assert concepts("PE") == concepts("pulmonary embolism")
    assert concepts("C. diff colitis") & concepts("Clostridium difficile infection")
    # Two-letter abbreviations count only in capitals: "pe" and "ms" are words too.
    assert concepts("PE") != concepts("pe")


def test_everyday_words_meet_the_guidelines_words():
    assert concepts("kids") == concepts("children")
    assert concepts("pregnant") == concepts("pregnancy")
    assert concepts("kidney") == concepts("renal")
    assert concepts("heavy smoker") & concepts("tobacco use")
    assert concepts("a lymphoma treated in the past") & concepts("previously treated lymphoproliferative disorder")
    assert concepts("vori") == concepts("voriconazole")  # ward shorthand for a drug
    assert concepts("gout flare") == concepts("gout attack") == concepts("gout flares")
    assert concepts("COPD flares") == concepts("exacerbation of COPD")
    assert concepts("pre-op") == concepts("preop") == concepts("preoperative")
    assert concepts("ALS") == concepts("MND") == concepts("motor neurone disease")
    assert concepts("drooling") == concepts("sialorrhoea")
    assert concepts("coeliac") == concepts("celiac")
    assert concepts("Tylenol") == concepts("paracetamol") == concepts("acetaminophen")
    assert concepts("HbSS") == concepts("sickle cell")



def test_a_british_ise_is_the_american_ize():
    # NICE's "Generalised anxiety disorder" is the phrase American text writes with a "z".
    assert concepts("generalised anxiety disorder") == concepts("generalized anxiety disorder") == concepts("GAD")
    assert concepts("randomised") == concepts("randomized") and concepts("hospitalised") == concepts("hospitalized")
    # A word with no "-ize" form stays as it is.
    assert concepts("exercise") != concepts("exercize") and concepts("advised") == concepts("advise")


def test_a_drugs_british_and_american_names_are_one_concept():
    assert concepts("adrenaline") == concepts("epinephrine")
    assert concepts("salbutamol") == concepts("albuterol")
    assert concepts("rifampicin") == concepts("rifampin")
    assert concepts("ciclosporin") == concepts("cyclosporine")
    assert concepts("magnesium sulphate") == concepts("magnesium sulfate")
    assert concepts("sulphasalazine") == concepts("sulfasalazine")
    assert concepts("adrenaline") != concepts("noradrenaline")


def test_ward_shorthand_means_what_the_guidelines_spell_out():
    assert concepts("Hb") == concepts("hgb") == concepts("haemoglobin") == concepts("hemoglobin")
    assert concepts("TXA") == concepts("tranexamic acid")
    assert concepts("EF 30%") == concepts("ejection fraction")
    assert concepts("c-section") == concepts("caesarean")
    assert concepts("psych ward") >= concepts("psychiatric")
    # A one-word expansion in a synonym set joins the set: "peds" meets "children", "APAP" meets "Tylenol".
    assert concepts("peds") == concepts("children")
    assert concepts("APAP") == concepts("Tylenol")
    assert concepts("abx") == concepts("antimicrobial")
    # "ca" is cancer only in lower case: "Ca 2.1" is calcium, "CA-125" a tumour marker.
    assert concepts("breast ca") == concepts("breast cancer")
    assert not concepts("Ca 2.1") & concepts("cancer")
    assert not concepts("CA-125") & concepts("cancer")
    assert not concepts("she can't take it") & concepts("cancer")  # "can't" is no "ca"
    assert not topic_concepts("he won't take it, she shan't")  # nor "won't" a "wo"
    assert concepts("ABPI") == concepts("ABI") == concepts("ankle-brachial index")
    assert concepts("sacral PU") == concepts("sacral pressure ulcer")
    assert not concepts("pu") & concepts("pressure ulcer")  # two letters: only in capitals
    assert concepts("AP/lat films") >= concepts("lateral")


def test_a_phrase_in_a_synonym_set_lends_it_only_its_last_word():
    # "blood thinner" is an anticoagulant; a blood test, blood sugar or blood loss is not.
    assert concepts("on a blood thinner") >= concepts("anticoagulation")
    assert not concepts("which blood test") & concepts("anticoagulation")
    assert not concepts("blood loss") & concepts("anticoagulant")


def test_clinicians_shorthand_means_what_the_guideline_spells_out():


    assert concepts("hoarse for 2 wks") == concepts("hoarse for 2 weeks")
    assert concepts("CXR nl") == concepts("chest radiograph normal")
    assert concepts("post-OHCA") >= concepts("out of hospital cardiac arrest")


def test_abbreviations_are_spelled_out_for_the_retrievers():
    assert spelled_out("first episode of C. diff?") == "first episode of C. diff (Clostridium difficile)?"
    assert spelled_out("CKD stage 4") == "CKD (chronic kidney disease) stage 4"
    assert spelled_out("chronic kidney disease (CKD) stage 4") == "chronic kidney disease (CKD) stage 4"  # already there
    assert spelled_out("is it safe?") == "is it safe?"


def test_a_clinicians_word_and_the_guidelines_variant_are_one_concept():


    assert concepts("retinal exams") == concepts("retinopathy examinations")


def test_an_abbreviation_before_a_hyphen_is_not_a_prefix():


    assert concepts("pulse CO-oximeter") == concepts("pulse CO oximeter")
    assert "zzcarbonmonoxide" in concepts("CO-oximeter")
    assert concepts("post-dural") == concepts("postdural")  # a real prefix still joins its word
    assert concepts("co-trimoxazole") == concepts("cotrimoxazole")


def test_a_noun_and_its_adjective_are_one_concept():
    for a, b in [("pericarditis", "pericardial"), ("neuropathy", "neuropathic"), ("allergy", "allergic"),
                 ("arthritis", "arthritic")]:
        assert concepts(a) == concepts(b), (a, b)
    assert concepts("colitis") != concepts("colonic")


def test_it_came_back_is_a_recurrence():
    assert concepts("the rash came back 3 weeks later") & concepts("the first recurrence")
    assert concepts("pain is back") & concepts("recurrent pain")
    assert not concepts("back pain") & concepts("recurrence")
    assert topic_concepts("It came back again later - what now?") == topic_concepts("recurrence")
    # Recurs, recurred, recurrent and recurrence are one concept; a result that came back is no recurrence.
    assert concepts("what if it recurs?") == concepts("recurrence") == concepts("recurrent")
    assert not concepts("IGRA just came back positive") & concepts("recurrence")


def test_a_relatives_illness_is_a_family_history():
    assert concepts("her mum had it at 44") & concepts("a family history of it")
    assert concepts("maternal aunt and uncle") & concepts("family history")
    assert not concepts("the relatively rare related form") & concepts("family history")


def test_a_phrase_stated_as_one_token_also_states_its_words():
    from rag.vocabulary import with_parts

    sentence = concepts("adults at average risk of colorectal cancer")
    assert not concepts("colorectal ca") <= sentence  # "colorectal cancer" is one token, like "CRC"
    assert concepts("colorectal ca") <= with_parts(sentence)
    assert with_parts(concepts("CRC")) >= concepts("colorectal") | concepts("CRC")
    # And the shorter phrases its words hold.
    assert concepts("heart failure") <= with_parts(concepts("heart failure with reduced ejection fraction"))


def test_hep_c_is_hepatitis_c_not_hepatitis_b_and_k_is_potassium():
    assert concepts("Hep C positive") & concepts("hepatitis C virus") == concepts("HCV")
    assert not concepts("hep B") & concepts("hep C")
    assert concepts("serum K 6.8") & concepts("potassium")
    assert not concepts("vitamin K") & concepts("potassium")
    assert spelled_out("vitamin K") == "vitamin K"


def test_hepatic_is_the_liver_not_hepatitis():
    assert concepts("hepatic impairment") == concepts("liver impairment")
    assert not concepts("hepatic impairment") & concepts("hepatitis")
    assert concepts("hep") == concepts("hepatitis")
    assert concepts("hepatitis B") == concepts("hep B") and concepts("Hepatitis C virus") >= concepts("HCV")


def test_c_difficile_s_new_name_is_the_same_organism():
    assert concepts("Clostridioides difficile") == concepts("Clostridium difficile") == concepts("C. diff")


def test_a_drug_states_its_classes():
    from rag.vocabulary import classes_of, with_parts

    assert concepts("statin") <= with_parts(concepts("Offer atorvastatin 20 mg"))
    assert concepts("ACEI") <= with_parts(concepts("lisinopril")) and concepts("ACE inhibitor") <= with_parts(concepts("ramipril"))
    assert concepts("corticosteroids") <= with_parts(concepts("betamethasone 12 mg IM"))
    # Words that only look like a drug's stem name no class.
    assert not classes_of(next(iter(concepts("nystatin")))) and not classes_of(next(iter(concepts("April"))))
    assert not with_parts(concepts("cephalic vein")) & concepts("cephalosporin")
    # A class named by one concept, for a question's drug to be named by it; "inhibitor" alone names nothing.
    assert classes_of(next(iter(concepts("lisinopril"))), whole=True) == concepts("ACEI")


def test_a_drug_class_is_of_its_wider_class():
    from rag.vocabulary import classes_of, drug_class_concepts

    for name in ("LMWH", "heparin", "DOAC", "warfarin"):
        assert concepts("anticoagulant") <= classes_of(next(iter(concepts(name)))), name
    assert concepts("antiviral") <= classes_of(next(iter(concepts("tenofovir"))))
    assert concepts("antiemetic") <= classes_of(next(iter(concepts("aprepitant"))))
    assert concepts("statin") | concepts("antiplatelet") | concepts("antibiotic") <= drug_class_concepts()
    assert not concepts("drug") & drug_class_concepts()


def test_ward_shorthand_for_tests_findings_and_people():
    assert concepts("tele") == concepts("telemetry") and concepts("trop I") >= concepts("troponin")
    assert concepts("BCx") == concepts("blood cultures") and concepts("bx") == concepts("biopsy")
    assert concepts("beta thal") >= concepts("thalassemia") and concepts("PSC") == concepts("primary sclerosing cholangitis")
    assert concepts("moderate LD") >= concepts("learning disabilities") and concepts("IVDU") == concepts("PWID")
    assert concepts("the ld was") != concepts("LD")  # two letters count only in capitals


def test_a_condition_s_plain_name_is_the_guidelines_term():
    assert concepts("high blood pressure") == concepts("hypertension") == concepts("HTN")
    assert concepts("heart attack") == concepts("MI")
    # The term's own words are its parts, not the plain name's: "MI" states no "heart" and no "attack".
    assert "heart" not in with_parts(concepts("MI")) and concepts("blood pressure") != concepts("hypertension")
    # Lay names of one word or several, singular or plural, read as the term guidelines use, in any text.
    assert concepts("Preferred antibiotic for strep throat?") >= concepts("streptococcal pharyngitis")
    assert concepts("shingles") == concepts("herpes zoster") and concepts("Bed sores") == concepts("pressure ulcers")
    assert concepts("swimmer's ear") == concepts("otitis externa") and concepts("ear infections") == concepts("otitis media")
    assert concepts("whooping cough") == concepts("pertussis") and concepts("cough") != concepts("pertussis")
    # An episode by its other name: ACP's "acute gout" is a gout flare.
    assert concepts("acute gout") == concepts("gout flare") == concepts("gout attacks")
    assert concepts("acute asthma") == concepts("asthma exacerbation") and concepts("acute pain") != concepts("pain attack")


def test_a_drug_s_brand_name_is_its_generic_name():
    assert concepts("send her home on Tylenol #3?") >= concepts("acetaminophen with codeine")
    assert concepts("Lasix") == concepts("furosemide") and concepts("Coumadin") == concepts("warfarin")
    assert spelled_out("on Keppra") == "on Keppra (levetiracetam)"


def test_a_lay_name_is_spelled_out_for_the_embedding_not_for_bm25():
    # Patient pages use the lay words: BM25 finds them as written (LiveQA hybrid nDCG@10 fell 0.506 -> 0.466 with both).
    assert spelled_out("Preferred antibiotic for strep throat?") == \
        "Preferred antibiotic for strep throat (streptococcal pharyngitis)?"
    assert spelled_out("Preferred antibiotic for strep throat?", index_defined=False) == "Preferred antibiotic for strep throat?"
    assert spelled_out("shingles (herpes zoster) vaccine") == "shingles (herpes zoster) vaccine"  # already there


def test_an_index_s_own_abbreviations_are_one_concept_with_their_expansions():
    assert not concepts("IPF") & concepts("idiopathic pulmonary fibrosis")  # not in the hand-written lexicon
    use_abbreviations({"IPF": "idiopathic pulmonary fibrosis", "CrCl": "creatinine clearance",
                       "PE": "physical examination"})
    assert concepts("antifibrotics for IPF") & concepts("idiopathic pulmonary fibrosis") == concepts("IPF")
    assert concepts("CrCl 25") & concepts("creatinine clearance") == concepts("CrCl")
    assert "idiopathic pulmonary fibrosis" in spelled_out("IPF treatment")
    assert spelled_out("IPF treatment", index_defined=False) == "IPF treatment"  # BM25 finds it as written
    assert concepts("ipf") != concepts("IPF")  # only as the documents write it
    assert concepts("PE") == concepts("pulmonary embolism")  # the hand-written lexicon wins
    use_abbreviations({})
    assert not concepts("IPF") & concepts("idiopathic pulmonary fibrosis")


def test_a_condition_and_its_adjective_are_one_concept():
    assert concepts("thrombosis") == concepts("thrombotic events") - concepts("events")
    assert concepts("antibiotic prophylaxis") == concepts("prophylactic antibiotics")
    assert concepts("thrombolysis") == concepts("thrombolytic")
    assert concepts("psychoses") == concepts("psychotic")
    # and its adverb: antibiotics given prophylactically are prophylaxis
    assert concepts("prophylactically") == concepts("prophylaxis")
    assert concepts("clinically") == concepts("clinical")


def test_a_bacterium_by_its_genus_initial_is_the_bacterium():
    full = concepts("Helicobacter pylori infection")
    for written in ("H. pylori infection", "H pylori infection", "H.pylori infection"):
        assert concepts(written) == full, written
    assert concepts("E. coli") == concepts("Escherichia coli")
    # "H. influenzae" is a bacterium, not the flu.
    assert not concepts("H. influenzae") & concepts("influenza")
    assert spelled_out("Regimen for H. pylori?") == "Regimen for H. pylori (helicobacter pylori)?"
    assert spelled_out("Helicobacter pylori (H. pylori) test") == "Helicobacter pylori (H. pylori) test"


def test_a_condition_states_its_kinds_for_what_a_statement_is_about():
    from rag.vocabulary import with_kinds, with_parts

    vte, dvt = concepts("venous thromboembolism"), concepts("DVT")
    assert dvt <= with_kinds(vte) and concepts("pulmonary embolism") <= with_kinds(concepts("VTE"))
    assert not vte <= with_kinds(dvt)  # a DVT statement is not on every kind of VTE
    assert not dvt <= with_parts(vte)  # nor, for ranking's coverage, is a VTE statement a DVT one


def test_a_condition_in_ia_and_its_adjective_in_ic_are_one_concept():
    for noun, adjective in [("asplenia", "asplenic"), ("anaemia", "anemic"), ("hypoxia", "hypoxic"),
                            ("neutropenia", "neutropenic"), ("ischemia", "ischemic")]:
        assert concepts(noun) == concepts(adjective), noun
    # Not where the adjective is of something else: "systemic" of a system, "pathogenic" of a pathogen.
    assert concepts("systemic") == concepts("system") and concepts("pathogenic") == concepts("pathogen")
    assert concepts("toxic") == concepts("toxicity")


def test_a_named_vitamin_is_its_own_concept_and_not_another():
    assert concepts("vitamin B12 deficiency") & concepts("B12 injections") == concepts("vitamin B12")
    assert not concepts("vitamin B12 deficiency") & concepts("vitamin D")
    assert concepts("vitamin D3") == concepts("vitamin D")


def test_a_relapse_is_a_recurrence():
    # "what if it relapses after stopping?" is answered by "patients with recurrence of symptoms following ...".
    assert concepts("what if it relapses?") == concepts("relapsed") == concepts("recurrence")


def test_a_flat_head_is_positional_plagiocephaly():
    assert concepts("plagiocephaly") <= concepts("baby with a flat head")
