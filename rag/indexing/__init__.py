"""Documents -> a self-describing index folder: chunks, vectors, BM25 and the store."""
