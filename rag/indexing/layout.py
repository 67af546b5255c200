"""What an index folder holds: its file names and format versions.

indexes/<name> is a symlink to indexes/.builds/<name>-<stamp>/, which holds:

  manifest.json   what built it: model, dimensions, chunking, sources and counts,
                  corpus fingerprint, build time, software versions; the abbreviations
                  the documents define (rag.indexing.abbreviations)
  dense.faiss     FAISS inner-product index over normalised vectors (row = chunk row): flat by default,
                  or HNSW / IVF-PQ (rag.indexing.dense); vectors.npy beside IVF-PQ for exact re-scoring
  sentences.npy   float16 vectors of each chunk's quotable sentences, pooled from the chunk's own
                  forward pass, so answers score sentences without running the encoder
  bm25/           bm25s index (numpy arrays saved without pickle, JSON vocabulary)
  bm25_lengths.npy  each passage's BM25 length in tokens (a sharded index scores with global statistics)
  store.sqlite    documents and chunks (text, offsets, page, metadata)

A build writes a new folder and then swaps the symlink with os.replace, which
is atomic: a build killed halfway leaves the previous index serving.

Documents added or removed after the build (guideqa corpus add/remove) live beside it:
indexes/.updates/<name> is a symlink to indexes/.updates/<name>-<stamp>-<pid>/, which holds
(rag.indexing.delta):

  updates.json    generation, the added documents (with content hashes) and the removed ids
  documents.jsonl every added Document in full: the next build of <name> reads them too
  chunks.jsonl    the chunks of added documents not yet in the build (row = delta row)
  vectors.npy     their float32 chunk vectors; sentences.npy their float16 sentence vectors
  arrays.npz      sentence offsets and BM25 term counts (numpy, no pickle); terms.json the BM25 words
"""

FORMAT_VERSION = 3  # 2: sentence vectors (sentences.npy + sentences table); 3: chunks.page, BM25 avgdl in the manifest
READABLE_FORMATS = (1, 2, 3)  # format 1 has no sentence vectors: answers encode sentences at query time; before 3, no pages
MANIFEST = "manifest.json"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
VECTORS = "vectors.npy"  # full-precision chunk vectors beside an IVF-PQ dense.faiss, for exact re-scoring
BM25_DIR = "bm25"
BM25_LENGTHS = "bm25_lengths.npy"
STORE = "store.sqlite"
UPDATES = ".updates"
