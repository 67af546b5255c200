from rag.clauses import asking_clause, asking_clauses, clauses


def test_an_initial_or_an_abbreviation_ends_no_clause():
    assert clauses("Which antibiotic for C. diff (e.g. after S. aureus)? In pregnancy?")[0] == [
        "Which antibiotic for C. diff (e.g. after S. aureus)?", "In pregnancy?"]


def test_the_clause_that_asks_is_the_last_one_with_a_question_mark_or_word():
    q = "Keen gardener, hands sore after pruning - which glove material is best?"
    assert asking_clause(q) == "which glove material is best?"
    assert asking_clause("Which glove material is best?") == "Which glove material is best?"
    assert asking_clauses("Sore hands. Which gloves? Any cream?") == "Which gloves? Any cream?"
    assert asking_clauses("sore hands after pruning") == "sore hands after pruning"
