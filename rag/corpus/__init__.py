"""Corpus sources: the manifest, fetching, text repair and one loader per source."""
