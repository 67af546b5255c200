"""Abbreviations mined from the indexed documents: kept when the documents defining one agree on it."""

from rag.indexing.abbreviations import mine_abbreviations
from rag.types import DocSection, Document


def _doc(i: int, *lines: str) -> Document:
    return Document(id=f"user:d{i}", kind="guideline", title=f"Note {i}", source="Test Society",
                    sections=[DocSection(title="Advice", text="\n".join(lines))])


def test_each_short_form_the_documents_define_is_kept_with_its_expansion():
    docs = [_doc(1, "Offer the garden watering schedule (GWS) in spring."),
            _doc(2, "A garden watering schedule (GWS) suits most beds."),
            _doc(3, "Rotate the seed tray rotation plan (STRP) weekly.")]
    assert mine_abbreviations(docs) == {"GWS": "garden watering schedule", "STRP": "seed tray rotation plan"}


def test_a_short_form_defined_two_ways_keeps_the_usual_one_or_none():
    usual = [_doc(i, "Use the leaf mould blend (LMB) on clay.") for i in range(3)]
    usual.append(_doc(9, "Try the light mulch base (LMB) first."))
    assert mine_abbreviations(usual) == {"LMB": "leaf mould blend"}
    split = [_doc(1, "Use the leaf mould blend (LMB)."), _doc(2, "Use the leaf mould blend (LMB)."),
             _doc(3, "Try the light mulch base (LMB)."), _doc(4, "Try the light mulch base (LMB).")]
    assert mine_abbreviations(split) == {}


def test_plurals_hyphens_and_unusable_forms():
    docs = [_doc(i, "Two raised-bed planters (RBPs) were built.",  # plural and hyphen: "RBP", "raised bed planters"
                 "Plants per square metre 4 (PSM4) vary.",  # an expansion with a number is no reading of it
                 "Ask the information team (IT) first.")  # "it" is a word
            for i in range(2)]
    assert mine_abbreviations(docs) == {"RBP": "raised bed planters"}


def test_documents_without_definitions_give_an_empty_table():
    assert mine_abbreviations([_doc(1, "Water the roses (daily)."), _doc(2, "Nothing to define here.")]) == {}


def test_a_two_letter_short_form_needs_two_documents():
    one = [_doc(1, "Keep the seed bank (SB) dry.")]
    assert mine_abbreviations(one) == {}
    assert mine_abbreviations(one + [_doc(2, "A seed bank (SB) lasts years.")]) == {"SB": "seed bank"}
