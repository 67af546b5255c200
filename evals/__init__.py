"""Evaluation of guideqa retrieval and answers."""
