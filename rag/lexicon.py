"""The clinical vocabulary the question analysis reads: abbreviations, synonym sets and generic words.

Plain data, kept apart from the code that uses it (rag/question.py) so either can grow on its own.
"""

# How an abbreviation is written when it means what it abbreviates. Short ones (two letters) count only in capitals
# ("pe", "ms" are words), as do these; these count in any case (no English word); these only in lower case ("breast
# ca" is a cancer; "Ca" and "CA-125" are calcium and a tumour marker).
CAPITALS_ONLY = {"cap", "pad", "aaa"}
CASELESS_SHORT = {"nl", "dx", "tx", "hx", "sx", "rx", "xr", "wk", "hb", "fx", "sz", "bx"}
LOWER_ONLY = {"ca"}

# Clinical abbreviations and their expansions (either form in a question or a sentence matches the other).
ABBREVIATIONS = {
    "aaa": "abdominal aortic aneurysm", "abi": "ankle brachial index", "abpi": "ankle brachial index",
    "pu": "pressure ulcer", "lat": "lateral",
    "acs": "acute coronary syndrome", "adhd": "attention deficit hyperactivity disorder",
    "af": "atrial fibrillation", "afib": "atrial fibrillation", "aki": "acute kidney injury", "aom": "acute otitis media",
    "aud": "alcohol use disorder", "bp": "blood pressure", "bph": "benign prostatic hyperplasia", "bmd": "bone mineral density",
    "cabg": "coronary artery bypass", "cad": "coronary artery disease", "cap": "community acquired pneumonia",
    "cdi": "clostridium difficile", "chf": "heart failure", "ckd": "chronic kidney disease",
    "copd": "chronic obstructive pulmonary disease", "cvd": "cardiovascular disease", "dka": "diabetic ketoacidosis",
    "dvt": "deep vein thrombosis", "ecg": "electrocardiogram", "ekg": "electrocardiogram", "ed": "emergency department",
    "egfr": "glomerular filtration rate", "gerd": "gastroesophageal reflux disease", "gdm": "gestational diabetes",
    "gi": "gastrointestinal", "hbv": "hepatitis b", "hcv": "hepatitis c", "hf": "heart failure", "hiv": "hiv",
    "hpv": "human papillomavirus", "htn": "hypertension", "ibd": "inflammatory bowel disease", "ibs": "irritable bowel syndrome",
    "icu": "intensive care", "iud": "intrauterine device", "lmwh": "low molecular weight heparin", "lp": "lumbar puncture",
    "mdd": "major depressive disorder", "mi": "myocardial infarction", "ms": "multiple sclerosis",
    "nsaid": "nonsteroidal anti-inflammatory", "nsaids": "nonsteroidal anti-inflammatory", "oa": "osteoarthritis",
    "osa": "obstructive sleep apnea", "pad": "peripheral artery disease", "pcos": "polycystic ovary syndrome",
    "pe": "pulmonary embolism", "pid": "pelvic inflammatory disease", "ppi": "proton pump inhibitor",
    "ptsd": "posttraumatic stress disorder", "ra": "rheumatoid arthritis", "sle": "systemic lupus erythematosus",
    "ssri": "selective serotonin reuptake inhibitor", "sti": "sexually transmitted infection", "std": "sexually transmitted",
    "t1dm": "type 1 diabetes", "t2dm": "type 2 diabetes", "t2d": "type 2 diabetes", "tb": "tuberculosis",
    "tia": "transient ischemic attack", "uti": "urinary tract infection", "vte": "venous thromboembolism",
    "doac": "direct oral anticoagulant", "noac": "oral anticoagulant", "tka": "total knee arthroplasty",
    "tha": "total hip arthroplasty", "cs": "cesarean", "ivf": "in vitro fertilization", "nicu": "neonatal intensive care",
    "c diff": "clostridium difficile", "c. diff": "clostridium difficile", "c. difficile": "clostridium difficile",
    "clostridioides difficile": "clostridium difficile",  # its name since 2016
    "abx": "antibiotic", "hep": "hepatitis", "epi": "epinephrine", "bili": "bilirubin", "bilis": "bilirubin",
    "chemo": "chemotherapy", "spo2": "oxygen saturation", "sats": "oxygen saturation", "sat": "oxygen saturation",
    "o2": "oxygen", "hay fever": "allergic rhinitis", "addison": "adrenal insufficiency",
    "addisons": "adrenal insufficiency", "ocp": "oral contraceptive", "hrt": "hormone replacement therapy",
    "uri": "upper respiratory tract infection", "sob": "dyspnea", "abg": "arterial blood gas", "cbc": "blood count",
    "inr": "international normalized ratio", "mri": "magnetic resonance imaging", "ct": "computed tomography",
    # Clinicians' shorthand: a word no guideline spells this way must not read as a topic the index lacks.
    "wk": "weeks", "wks": "weeks", "yr": "years", "yrs": "years", "mos": "months", "tx": "treatment", "dx": "diagnosis",
    "hx": "history", "fhx": "family history", "sx": "symptoms", "rx": "prescription", "nl": "normal", "xr": "radiograph",
    "resp": "respiratory", "phos": "phosphate", "pgx": "pharmacogenomic", "lap": "laparoscopic",
    "ohca": "out of hospital cardiac arrest", "lyse": "thrombolysis", "mets": "metastases", "dm": "diabetes mellitus",
    "pci": "percutaneous coronary intervention", "stemi": "st elevation myocardial infarction", "ics": "inhaled corticosteroid",
    "saba": "short acting beta agonist", "laba": "long acting beta agonist", "niv": "noninvasive ventilation",
    "cpap": "continuous positive airway pressure", "cf": "cystic fibrosis", "hcc": "hepatocellular carcinoma",
    "crc": "colorectal cancer", "psa": "prostate specific antigen", "tbi": "traumatic brain injury",
    "arb": "angiotensin receptor blocker", "acei": "angiotensin converting enzyme inhibitor", "ttm": "targeted temperature management",
    "us": "ultrasound", "cxr": "chest radiograph", "lft": "liver function", "lfts": "liver function",
    "tsh": "thyroid stimulating hormone", "hba1c": "hemoglobin a1c", "a1c": "hemoglobin a1c", "bmi": "body mass index",
    "ich": "intracranial hemorrhage", "sah": "subarachnoid hemorrhage", "gbs": "group b streptococcus", "gbp": "gallbladder polyp",
    "ivig": "intravenous immunoglobulin", "ssti": "skin and soft tissue infection", "rsv": "respiratory syncytial virus",
    "edd": "estimated due date", "lmp": "last menstrual period", "sono": "ultrasound",
    "co": "carbon monoxide", "rt": "radiotherapy", "xrt": "radiotherapy", "preop": "preoperative",
    "postop": "postoperative", "periop": "perioperative", "intraop": "intraoperative", "als": "motor neuron disease",
    "mnd": "motor neuron disease", "hbss": "sickle cell", "hbsc": "sickle cell",
    # Ward and clinic shorthand for tests, findings and settings.
    "hb": "hemoglobin", "hgb": "hemoglobin", "abd": "abdominal", "abdo": "abdominal", "etoh": "alcohol",
    "pmn": "polymorphonuclear", "tm": "tympanic membrane", "po": "oral", "im": "intramuscular", "ef": "ejection fraction",
    "lvef": "left ventricular ejection fraction", "tvus": "transvaginal ultrasound", "ogtt": "oral glucose tolerance test",
    "avr": "aortic valve replacement", "uc": "ulcerative colitis", "mvc": "motor vehicle collision",
    "txa": "tranexamic acid", "bmp": "basic metabolic panel", "ua": "urinalysis", "picu": "pediatric intensive care",
    "ng": "nasogastric", "mca": "middle cerebral artery", "hrs": "hours", "bun": "blood urea nitrogen",
    "dlbcl": "diffuse large b cell lymphoma", "epo": "erythropoietin", "esa": "erythropoiesis stimulating agent",
    "tsat": "transferrin saturation", "snri": "serotonin norepinephrine reuptake inhibitor",
    "cbt": "cognitive behavioral therapy", "gad": "generalized anxiety disorder", "fbc": "blood count",
    "tpn": "parenteral nutrition", "fx": "fracture", "orif": "open reduction internal fixation",
    "acl": "anterior cruciate ligament", "tte": "transthoracic echocardiography", "tee": "transesophageal echocardiography",
    "echo": "echocardiography", "eeg": "electroencephalogram", "ppx": "prophylaxis", "c section": "cesarean",
    "psych": "psychiatric", "peds": "pediatric", "ccb": "calcium channel blocker", "esrd": "end stage renal disease",
    "pph": "postpartum hemorrhage", "pprom": "preterm prelabor rupture of membranes", "iugr": "fetal growth restriction",
    "hfref": "heart failure with reduced ejection fraction", "ssi": "surgical site infection", "asa": "aspirin",
    "apap": "acetaminophen", "pcn": "penicillin", "dmard": "disease modifying antirheumatic drug",
    "dmards": "disease modifying antirheumatic drug", "ugib": "upper gastrointestinal bleeding", "sz": "seizure",
    "ca": "cancer", "hep b": "hepatitis b", "hep c": "hepatitis c", "k": "potassium",
    "pwid": "people who inject drugs",
    # "Her mum had breast cancer at 44" is a family history. ("Mother" and "sister" are also the patient herself or
    # another patient: "the mother is HBsAg positive", "her sister's genotype says ...".)
    "mum": "family history", "mom": "family history", "dad": "family history", "aunt": "family history",
    "uncle": "family history", "grandmother": "family history", "grandfather": "family history",
    "cousin": "family history",
    # Drug names as they are said on the ward.
    "vori": "voriconazole", "vanc": "vancomycin", "vanco": "vancomycin", "amox": "amoxicillin", "cipro": "ciprofloxacin",
    "mtx": "methotrexate", "hctz": "hydrochlorothiazide", "tmp-smx": "trimethoprim sulfamethoxazole",
    # Ward shorthand for tests, findings and people.
    "tele": "telemetry", "trop": "troponin", "trops": "troponin", "bx": "biopsy", "bcx": "blood culture",
    "bcxs": "blood culture", "rhc": "right heart catheterization", "ams": "altered mental status", "thal": "thalassemia",
    "ld": "learning disability", "script": "prescription", "psc": "primary sclerosing cholangitis",
    "ivdu": "people who inject drugs",
}
# A bacterium by its genus's initial, as clinicians write it ("H. pylori", "E coli"). Not where the species is also
# the disease's name ("M. tuberculosis", "N. gonorrhoeae", "B. pertussis"): the token would hide the disease's word.
ABBREVIATIONS.update({f"{genus[0]} {species}": f"{genus} {species}" for genus, species in (
    ("helicobacter", "pylori"), ("escherichia", "coli"), ("staphylococcus", "aureus"), ("streptococcus", "pneumoniae"),
    ("streptococcus", "pyogenes"), ("haemophilus", "influenzae"), ("pseudomonas", "aeruginosa"),
    ("klebsiella", "pneumoniae"), ("mycoplasma", "pneumoniae"), ("borrelia", "burgdorferi"), ("treponema", "pallidum"))})
# A plain-words name of a condition, read as the term guidelines use ("high blood pressure" in JNC 8's title; a
# clinician asks about "strep throat" or "shingles" too). Singular; a plural "s" is read as well. Not where guidelines
# use the plain words themselves ("kidney stones", "gallstones"): read as "nephrolithiasis", a question would no
# longer meet ACR's "stone disease". And an episode's other name: "acute gout" is a gout flare, ACR's "gout attack".
LAY_TERMS = {"acute gout": "gout attack", "acute asthma": "asthma attack", "acute migraine": "migraine attack",
             "high blood pressure": "hypertension", "heart attack": "myocardial infarction",
             "mini stroke": "transient ischemic attack", "acid reflux": "gastroesophageal reflux disease",
             "bladder infection": "urinary tract infection", "blood clot in the leg": "deep vein thrombosis",
             "blood clot in the lung": "pulmonary embolism", "strep throat": "streptococcal pharyngitis",
             "pink eye": "conjunctivitis", "shingles": "herpes zoster", "chickenpox": "varicella",
             "chicken pox": "varicella", "whooping cough": "pertussis", "cold sore": "herpes labialis",
             "athlete's foot": "tinea pedis", "bed sore": "pressure ulcer", "pressure sore": "pressure ulcer", "lazy eye": "amblyopia",
             "underactive thyroid": "hypothyroidism", "overactive thyroid": "hyperthyroidism",
             "water pill": "diuretic", "ear infection": "otitis media", "swimmer's ear": "otitis externa",
             "stomach flu": "gastroenteritis", "glandular fever": "infectious mononucleosis",
             "german measles": "rubella", "lockjaw": "tetanus", "tennis elbow": "lateral epicondylitis",
             "frozen shoulder": "adhesive capsulitis", "high cholesterol": "hypercholesterolemia",
             "low blood sugar": "hypoglycemia", "morning sickness": "nausea and vomiting of pregnancy",
             "hives": "urticaria", "nosebleed": "epistaxis", "bedwetting": "enuresis",
             "flat head": "positional plagiocephaly", "tongue tie": "ankyloglossia", "slipped disc": "disc herniation",
             # Not treating yet, as guidelines call it: "offer observation with close follow-up".
             "watchful waiting": "observation", "wait and see": "observation", "wait-and-see": "observation"}
# A drug's brand name, as US clinicians say it, read as what guidelines call it ("send her home on Tylenol #3").
BRAND_NAMES = {"tylenol #3": "acetaminophen with codeine", "tylenol 3": "acetaminophen with codeine",
               "tylenol with codeine": "acetaminophen with codeine", "tylenol": "acetaminophen",
               "advil": "ibuprofen", "motrin": "ibuprofen", "aleve": "naproxen", "lasix": "furosemide",
               "coumadin": "warfarin", "zofran": "ondansetron", "keppra": "levetiracetam",
               "augmentin": "amoxicillin clavulanate", "bactrim": "trimethoprim sulfamethoxazole",
               "lipitor": "atorvastatin", "crestor": "rosuvastatin", "zocor": "simvastatin",
               "miralax": "polyethylene glycol", "eliquis": "apixaban", "xarelto": "rivaroxaban",
               "pradaxa": "dabigatran", "plavix": "clopidogrel", "brilinta": "ticagrelor", "synthroid": "levothyroxine",
               "glucophage": "metformin", "ventolin": "salbutamol", "proair": "albuterol", "flonase": "fluticasone",
               "benadryl": "diphenhydramine", "tamiflu": "oseltamivir", "depakote": "valproate",
               "lamictal": "lamotrigine", "tegretol": "carbamazepine", "dilantin": "phenytoin", "narcan": "naloxone",
               "suboxone": "buprenorphine naloxone", "ozempic": "semaglutide", "victoza": "liraglutide",
               "jardiance": "empagliflozin", "farxiga": "dapagliflozin", "januvia": "sitagliptin",
               "lantus": "insulin glargine", "humira": "adalimumab", "prozac": "fluoxetine", "zoloft": "sertraline",
               "lexapro": "escitalopram", "celexa": "citalopram", "paxil": "paroxetine", "effexor": "venlafaxine",
               "cymbalta": "duloxetine", "wellbutrin": "bupropion", "xanax": "alprazolam", "ativan": "lorazepam",
               "valium": "diazepam", "klonopin": "clonazepam", "ambien": "zolpidem", "seroquel": "quetiapine",
               "zyprexa": "olanzapine", "risperdal": "risperidone", "haldol": "haloperidol",
               "adderall": "amphetamine", "ritalin": "methylphenidate", "neurontin": "gabapentin",
               "lyrica": "pregabalin", "flomax": "tamsulosin", "nexium": "esomeprazole", "prilosec": "omeprazole",
               "protonix": "pantoprazole", "imodium": "loperamide", "cipro": "ciprofloxacin",
               "levaquin": "levofloxacin", "zithromax": "azithromycin", "keflex": "cephalexin",
               "rocephin": "ceftriaxone", "flagyl": "metronidazole", "diflucan": "fluconazole",
               "valtrex": "valacyclovir", "zovirax": "acyclovir", "decadron": "dexamethasone",
               "toradol": "ketorolac", "dilaudid": "hydromorphone", "percocet": "oxycodone with acetaminophen",
               "vicodin": "hydrocodone with acetaminophen", "norco": "hydrocodone with acetaminophen"}
LAY_TERMS |= BRAND_NAMES
# A condition and its kinds: a statement on venous thromboembolism is one on a DVT, not the other way round.
CONDITION_KINDS = {
    "venous thromboembolism": ("deep vein thrombosis", "pulmonary embolism"),
    # What is said of coronary or cardiovascular disease is said of a patient with an NSTEMI.
    "acute coronary syndrome": ("myocardial infarction", "NSTEMI", "STEMI", "unstable angina"),
    "coronary artery disease": ("acute coronary syndrome", "myocardial infarction", "NSTEMI", "STEMI", "angina"),
    "cardiovascular disease": ("coronary artery disease", "acute coronary syndrome", "myocardial infarction", "NSTEMI",
                               "STEMI", "angina"),
}
# Everyday words -> the guideline's words (each side's stems are one concept).
SYNONYMS = [
    {"kid", "kids", "child", "children", "paediatric", "pediatric", "infant", "infants", "adolescent", "adolescents", "youth",
     "toddler", "toddlers"},
    {"pregnant", "pregnancy", "pregnancies", "antenatal", "prenatal", "gestation", "gestational", "obstetric",
     "conceive", "conceiving", "preconception", "periconception", "periconceptional"},
    {"breastfeeding", "breastfeed", "lactation", "lactating", "nursing", "breast-feeding"},
    {"elderly", "older", "geriatric"},
    {"adult", "adults"},
    {"teen", "teens", "teenager", "teenagers", "adolescent", "adolescents"},
    {"snorer", "snorers", "snoring", "snore"},
    {"exam", "exams", "examination", "examinations"},
    {"mammogram", "mammograms", "mammography", "mammographic"},
    {"retinal", "retina", "retinopathy"},
    # The organ, not its replacement: "kidney stones" are no dialysis question.
    {"kidney", "renal", "nephropathy", "egfr"},
    {"dialysis", "haemodialysis", "hemodialysis"},
    {"liver", "hepatic"},
    {"heart", "cardiac"},
    {"cancer", "malignancy", "malignant", "tumor", "tumour", "neoplasm", "oncology"},
    {"antibiotic", "antibiotics", "antimicrobial", "antibacterial"},
    {"blood thinner", "anticoagulant", "anticoagulation", "anticoagulants"},
    {"drug", "drugs", "medication", "medications", "medicine", "pharmacologic", "pharmacological", "pharmacotherapy"},
    {"surgery", "surgical", "operative", "operation"},
    {"stroke", "cerebrovascular"},
    {"women", "woman", "female", "females"},
    {"men", "man", "male", "males"},
    {"baby", "babies", "newborn", "newborns", "neonate", "neonates", "neonatal"},
    {"diabetes", "diabetic"},
    {"smoker", "smokers", "smoking", "tobacco", "cigarette", "cigarettes"},
    {"lymphoma", "lymphomas", "lymphoproliferative"},
    {"drooling", "drool", "sialorrhoea", "sialorrhea", "hypersalivation"},
    {"acetaminophen", "paracetamol", "tylenol"},
    # A drug's British (INN) and American names: "adrenaline" in a European guideline, "epinephrine" in a US one.
    {"adrenaline", "epinephrine"}, {"noradrenaline", "norepinephrine"}, {"salbutamol", "albuterol"},
    {"rifampicin", "rifampin"}, {"lignocaine", "lidocaine"}, {"frusemide", "furosemide"},
    {"ciclosporin", "cyclosporine", "cyclosporin"}, {"pethidine", "meperidine"}, {"glibenclamide", "glyburide"},
    {"aciclovir", "acyclovir"}, {"valaciclovir", "valacyclovir"}, {"amoxycillin", "amoxicillin"},
    {"cephalexin", "cefalexin"}, {"colecalciferol", "cholecalciferol"}, {"chlorphenamine", "chlorpheniramine"},
    {"mesalazine", "mesalamine"}, {"hyoscine", "scopolamine"}, {"phenobarbitone", "phenobarbital"},
    {"beclometasone", "beclomethasone"}, {"clomifene", "clomiphene"}, {"torasemide", "torsemide"},
    {"isoprenaline", "isoproterenol"}, {"dosulepin", "dothiepin"}, {"tetracosactide", "cosyntropin"},
    # A condition worsening for a while: a gout "flare" is a guideline's "acute attack", COPD's "exacerbation".
    {"flare", "flares", "flare-up", "flare-ups", "attack", "attacks", "exacerbation", "exacerbations"},
    # The care setting, which decides a regimen as much as the patient group does.
    {"outpatient", "outpatients", "ambulatory"},
    # Snowball splits them; a relapse is what guidelines call a recurrence ("who recur after discontinuation").
    {"recur", "recurs", "recurred", "recurring", "recurrence", "recurrences", "recurrent", "relapse", "relapses",
     "relapsed", "relapsing"},
    {"inpatient", "inpatients", "hospitalised", "hospitalized", "admitted"},
    # British and American names of one symptom.
    {"flush", "flushes", "flushing", "flash", "flashes"},
]
# Question words that say what is asked, not what about: they never count as topic concepts.
GENERIC = {
    "recommend", "recommended", "recommendation", "recommendations", "treatment", "treat", "treated", "treating",
    "therapy", "manage", "managed", "management", "best", "first-line", "first", "line", "option", "options", "use",
    "used", "using", "give", "given", "start", "started", "choice", "preferred", "approach", "indicated", "indication",
    "offer", "offered", "role", "evidence", "guideline", "guidelines", "suggest", "advice", "considered", "consider",
    "need", "needs", "needed", "get", "take", "taking", "effective", "work", "help", "appropriate", "routine",
    "routinely", "people", "person", "someone", "adult", "adults", "have", "has", "having", "long", "often",
    "much", "many", "dose", "dosing", "dosage", "duration", "interval", "frequency", "time", "should", "must",
    "check", "done", "do", "does", "doing", "go", "going", "now", "one", "two", "type", "types", "kind", "way", "ways",
    "whom", "who", "which", "what", "when", "age", "ages", "today", "lot", "lots", "mean", "means", "enough", "like",
    "asking", "ask", "reasonable", "worried", "otherwise", "healthy", "well", "but", "only", "too", "once", "am", "post", "pre", "year", "years", "old", "new", "case", "cases", "confirmed",
    "suspected", "diagnosed", "newly", "risk", "initial", "initially", "next", "step", "steps", "safe", "safely", "ok", "okay",
    "agent", "agents", "drug", "drugs", "medication", "medications", "medicine", "medicines", "screen", "screened",
    "screening", "test", "tests", "testing", "diagnose", "diagnosis", "workup", "evaluate", "evaluation",
    "assess", "assessment", "avoid", "avoided", "contraindicated", "contraindication", "contraindications",
    "antibiotic", "antibiotics", "zzantibiotic", "continue", "continued", "stop", "stopping", "stopped", "prescribe",
    "prescribed", "prescribing", "about", "also", "instead", "patient's", "recommendation", "based",
    "just", "want", "wants", "already", "keep", "right", "pt", "pts", "aim", "read", "reading", "show", "shows",
    "say", "says", "tell", "know", "think", "sure", "still", "usually", "really", "actually", "ok", "fine", "okay",
    "can", "could", "would", "i", "we", "me", "my", "our", "us", "add", "switch", "strongest", "better", "good", "most", "least", "more", "less",
    "choose", "pick", "plan", "worth", "anything", "something", "else", "yes", "whether", "without", "within",
    "she", "he", "her", "him", "his", "hers", "whose", "yo", "own", "together", "max", "maximum", "minimum", "min",
    "med", "meds", "usual", "typical", "ideal", "best", "safest", "right", "correct", "proper", "exactly",
    "ago", "had", "was", "were", "been", "found", "out", "possible", "possibly", "give", "giving", "gave", "does",
    "hour", "hours", "day", "days", "week", "weeks", "month", "months", "seen", "see", "noted", "presents",
    "presenting", "presented", "comes", "came", "using", "taking", "takes", "on",
    # How a clinician puts a choice ("can I swap in carboplatin?", "what should parents buy?"): no topic of its own.
    "swap", "swapped", "swapping", "buy", "buying", "purchase", "try", "tried", "trying", "change", "changing",
    # A vignette's framing: "... is now the main complaint despite ...", "forgot to say ...", "her brother".
    "despite", "main", "complaint", "complaints", "forgot", "forget", "mention", "mentioned", "brother", "sister", "mo",
    "later", "earlier", "again", "now", "though", "although", "anyway", "km", "mile", "miles", "away", "quite", "very",
    "fairly", "pretty", "rather", "repeat", "repeated", "reading", "readings", "tolerate",
    # A follow-up's story, not what it adds: "took antibiotics last month", "his wife wants to bring ...".
    "took", "last", "got", "went", "maybe", "thing", "things", "hope", "hoping", "colleague", "colleagues", "wife",
    "husband", "anywhere", "realistically", "some", "all", "another", "because", "put", "bring", "brought",
    "notice", "noticed", "look", "looks", "looking", "settled", "big", "bit", "little", "bad", "badly", "up",
    # "a history of falls", "no hx of clots": what the patient had is the topic, not that they had it ("family
    # history" is a concept of its own).
    "history", "hx", "zzhistory",
    "non",  # what is left of "non-diabetic" once the excluded word is blanked (rag.negation)
    # Whether at all: "are antibiotics always needed?", "are steroids really necessary?".
    "always", "ever", "necessary", "necessarily",
    # When, not what: "how soon should surgery happen?".
    "soon", "sooner", "happen", "happens", "happened", "happening",
    # Why, not what: "since HRT is out", "as she's allergic".
    "since",
}

# A drug's classes, for a question that names the class and a sentence that names the drug ("which statin?" is
# answered by "Offer atorvastatin 20 mg ..."), or the other way round ("cough on lisinopril" by "cough due to ACEI").
# Each pattern is matched against a whole concept (a stem: "betamethason"), from the naming stems where they are
# reliable ("-gliflozin"), else by name. Each class is a phrase, read as the concepts it has.
_ABX = "antibiotic"
DRUG_CLASSES = [
    (r"(?:atorva|rosuva|simva|prava|fluva|lova|pitava)statin", "statin"),
    (r"\w{3,}pril(?:at)?", "ACE inhibitor; ACEI"),
    (r"\w{2,}sartan", "ARB"),
    (r"\w{3,}(?:olol|alol|dilol)", "beta blocker"),
    (r"\w{2,}prazol", "PPI"),
    (r"\w{3,}gliflozin", "SGLT2 inhibitor"),
    (r"\w{3,}gliptin", "DPP-4 inhibitor"),
    (r"\w{3,}glutid|exenatid", "GLP-1 receptor agonist"),
    (r"(?:alen|risen|iban|zole|pami)dron\w*", "bisphosphonate"),
    (r"\w{2,}floxacin", f"fluoroquinolone; {_ABX}"),
    (r"cef(?:triaxon|otaxim|uroxim|alexin|azolin|tazidim|epim|ixim|podoxim|adroxil|prozil|dinir|tarolin)\w*|cephalexin",
     f"cephalosporin; {_ABX}"),
    (r"(?:doxy|mino|tetra|tige)cyclin", f"tetracycline; {_ABX}"),
    (r"(?:azithro|clarithro|erythro)mycin", f"macrolide; {_ABX}"),
    (r"(?:amoxi|ampi|fluclox|diclox|piperaci|benzylpeni|phenoxymethylpeni|nafci|oxa)cillin|co-?amoxiclav", f"penicillin; {_ABX}"),
    (r"(?:genta|tobra)micin|amikacin", f"aminoglycoside; {_ABX}"),
    (r"(?:mero|imi|erta|dori)penem", f"carbapenem; {_ABX}"),
    (r"vancomycin|clindamycin|metronidazol|nitrofurantoin|trimethoprim|linezolid|fosfomycin|rifampicin|rifampin",
     _ABX),
    (r"\w{2,}(?:azepam|azolam)|chlordiazepoxid|clobazam", "benzodiazepine"),
    (r"\w{2,}dipin|diltiazem|verapamil", "CCB"),
    (r"\w{2,}triptan", "triptan"),
    (r"\w{2,}(?:xaban|gatran)", "DOAC; anticoagulant"),
    (r"(?:enoxa|dalte|tinza)parin", "LMWH; anticoagulant"),
    (r"warfarin|acenocoumarol|phenprocoumon", "VKA; anticoagulant"),
    (r"predniso(?:lo)?n|dexamethason|betamethason|hydrocortison|methylprednisolon|fluticason|budesonid|mometason|"
     r"beclo?methason|triamcinolon|ciclesonid", "corticosteroid; steroid"),
    (r"fluoxetin|sertralin|(?:es)?citalopram|paroxetin|fluvoxamin", "SSRI; antidepressant"),
    (r"venlafaxin|desvenlafaxin|duloxetin", "SNRI; antidepressant"),
    (r"amitriptylin|nortriptylin|imipramin|clomipramin|mirtazapin|bupropion", "antidepressant"),
    (r"ibuprofen|naproxen|diclofenac|ketorolac|celecoxib|indo?methacin|indometacin|meloxicam|etoricoxib|ketoprofen",
     "NSAID"),
    (r"morphin|oxycodon|codein|tramadol|fentanyl|hydromorphon|buprenorphin|methadon|tapentadol|hydrocodon", "opioid"),
    (r"haloperidol|olanzapin|quetiapin|risperidon|aripiprazol|clozapin|paliperidon|ziprasidon|lurasidon", "antipsychotic"),
    (r"cetirizin|loratadin|desloratadin|fexofenadin|chlorphenamin|chlorpheniramin|diphenhydramin", "antihistamine"),
    (r"hydrochlorothiazid|chlorthalidon|indapamid|bendroflumethiazid", "thiazide; diuretic"),
    (r"furosemid|bumetanid|torsemid", "loop diuretic"),
    (r"spironolacton|eplerenon|amilorid|triamteren", "potassium-sparing diuretic"),
    (r"clopidogrel|prasugrel|ticagrelor", "P2Y12 inhibitor; antiplatelet"),
    (r"glargin|detemir|degludec|lispro", "insulin"),
    (r"gliclazid|glipizid|glimepirid|glyburid|glibenclamid", "sulfonylurea"),
    (r"glycopyrrol\w*|oxybutynin|tolterodin|solifenacin|hyoscin|trospium", "antimuscarinic; anticholinergic"),
    (r"inflixim\w*|adalimum\w*|etanercept|certolizum\w*|golimum\w*", "TNF inhibitor"),
    (r"levetiracetam|valpro\w*|lamotrigin|carbamazepin|phenytoin|topiramat", "antiepileptic; anticonvulsant"),
    (r"(?:flucon|itracon|voricon|posacon|isavucon)azol", "azole; antifungal"),
    (r"ondansetron|granisetron|palonosetron|metoclopramid|prochlorperazin|aprepit\w*|fosaprepit\w*", "antiemetic"),
    (r"\w{3,}vir", "antiviral"),
    (r"mesalamin|mesalazin|sulfasalazin|balsalazid|olsalazin", "aminosalicylate"),
    # A class is of its wider class: "LMWH" is an anticoagulant as enoxaparin is.
    (r"heparin|lowmolecularweightheparin|vka|directoralanticoagulant|oralanticoagulant", "anticoagulant"),
    (r"selectiveserotoninreuptakeinhibitor|serotoninnorepinephrinereuptakeinhibitor|tca", "antidepressant"),
    (r"inhaledcorticosteroid", "corticosteroid; steroid"),
    (r"salbutamol|albuterol|terbutalin", "SABA"),
    (r"cyclobenzaprin|tizanidin|baclofen|methocarbamol|carisoprodol|metaxalon|orphenadrin", "muscle relaxant"),
    (r"salmeterol|formoterol|vilanterol", "LABA"),
]
# A condition and the drug class named for treating it (or made for it: triptans for migraine): "Initial antihypertensive therapy ... should be with
# nifedipine" is on how hypertension is treated, though it never says "hypertension".
TREATED_BY = {"hypertension": "antihypertensive antihypertensives", "depression": "antidepressant antidepressants",
              "epilepsy": "antiepileptic antiepileptics", "seizure": "anticonvulsant antiepileptic",
              "seizures": "anticonvulsant antiepileptic", "psychosis": "antipsychotic antipsychotics",
              "schizophrenia": "antipsychotic antipsychotics", "arrhythmia": "antiarrhythmic antiarrhythmics",
              "malaria": "antimalarial antimalarials", "hyperthyroidism": "antithyroid",
              "tuberculosis": "antituberculosis antituberculous", "HIV": "antiretroviral antiretrovirals",
              "nausea": "antiemetic antiemetics", "vomiting": "antiemetic antiemetics", "migraine": "triptan triptans"}
# A qualifier and its opposite: a sentence on chronic pain answers nothing on acute pain, one on provoked VTE
# nothing on an unprovoked PE (each side's words are read as concepts; a side a question states guards it).
# A mechanical valve is anticoagulated otherwise than a bioprosthetic one, and AF with a valve otherwise than
# "nonvalvular AF".
OPPOSITE_KINDS = [("acute", "chronic"), ("provoked", "unprovoked"), ("complicated", "uncomplicated"),
                  ("resectable", "unresectable"), ("symptomatic", "asymptomatic"),
                  ("mechanical", "bioprosthetic bioprosthesis"), ("valve valves valvular", "nonvalvular non-valvular")]
# The aims of a treatment: an attack's ("acute treatment", "abortive") and preventing attacks.
ACUTE_AIM = "acute abortive"
PREVENTIVE_AIM = "prevention preventive prophylaxis"
# How a drug is given: a patient who "can't tolerate oral iron" cannot have what a sentence gives by that route.
ROUTES = "oral intravenous intramuscular subcutaneous topical inhaled rectal transdermal"
