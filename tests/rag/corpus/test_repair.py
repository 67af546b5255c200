"""Text repair: mojibake undone, invisible characters dropped, clean text untouched."""

from __future__ import annotations

from rag.corpus.repair import repair_text


def test_repair_text_undoes_mojibake_and_keeps_clean_text() -> None:
    assert repair_text("the \u00ef\u00ac\u0081rst dose") == "the first dose"  # latin-1 reading of U+FB01, then unligatured
    assert repair_text("a \ufb01rst e\ufb00ect") == "a first effect"
    assert repair_text("caf\u00c3\u00a9 and \u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d") == "caf\u00e9 and \u201cquoted\u201d"
    assert repair_text("38\u00c2\u00b0C") == "38\u00b0C"
    assert repair_text("level\u00c2 two") == "level two"
    assert repair_text("co-\u00c2\u00adinfection") == "co-infection"
    clean = "na\u00efve, fa\u00e7ade, 5\u201310 mg \u2014 na\u00efve"
    assert repair_text(clean) == clean
