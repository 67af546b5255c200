from rag.text import sentence_spans, split_sentences


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
