"""Performance benchmarks: `guideqa bench …` prints tables and writes JSON (numbers, not pass/fail)."""
