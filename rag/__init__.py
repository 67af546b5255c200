"""guideqa: guideline-grounded follow-up question answering."""
