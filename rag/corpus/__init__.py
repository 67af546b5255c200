"""The corpus: its manifest, fetching, text repair, one loader per source, and iterating Documents."""
