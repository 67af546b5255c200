"""What an index folder holds: its file names and format versions.

indexes/<name> is a symlink to indexes/.builds/<name>-<stamp>/, which holds:

  manifest.json   what built it: model, dimensions, chunking, sources and counts,
                  corpus fingerprint, build time, software versions
  dense.faiss     FAISS inner-product index over normalised vectors (row = chunk row)
  sentences.npy   float16 vectors of each chunk's quotable sentences, pooled from the chunk's own
                  forward pass, so answers score sentences without running the encoder
  bm25/           bm25s index (numpy arrays saved without pickle, JSON vocabulary)
  store.sqlite    documents and chunks (text, offsets, metadata)

A build writes a new folder and then swaps the symlink with os.replace, which
is atomic: a build killed halfway leaves the previous index serving.
"""

FORMAT_VERSION = 2  # 2: sentence vectors (sentences.npy + sentences table)
READABLE_FORMATS = (1, 2)  # format 1 has no sentence vectors: answers encode sentences at query time
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
BM25_DIR = "bm25"
STORE = "store.sqlite"
