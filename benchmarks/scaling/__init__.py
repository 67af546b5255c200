"""`guideqa bench scaling`: how query latency and memory grow with index size, and when to leave IndexFlatIP."""
