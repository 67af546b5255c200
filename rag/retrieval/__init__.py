"""A question -> ranked chunks from one index: dense, BM25, fusion and filters."""
