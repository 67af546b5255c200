
from rag.indexing.chunking import Chunker, embed_prefix
from rag.settings import Settings
from rag.types import Chunk, DocSection, Document


def _chunker(embedder, **chunking) -> Chunker:
    return Chunker(Settings(chunking=chunking), embedder.count_tokens_batch, embedder.max_tokens)


def test_no_chunk_exceeds_the_embedder_limit_on_real_guidelines(embedder, real_docs):
    chunker = _chunker(embedder)
    chunks = [c for d in real_docs for c in chunker.chunk(d)]
    titles = {d.id: d.title for d in real_docs}
    assert len(chunks) > 100
    # Re-measure the exact text the index embeds, independently of the chunker's own bookkeeping.
    measured = embedder.count_tokens_batch(
        [embed_prefix(titles[c.doc_id], c.section, chunker.prefix) + c.text for c in chunks]
    )
    assert max(measured) <= embedder.max_tokens == 256
    assert measured == [c.n_tokens for c in chunks]


def test_small_cap_is_respected_even_for_a_giant_sentence(embedder):
    doc = Document(id="x", kind="guideline", title="T", source="S",
                   sections=[DocSection(title="S1", text=" ".join(["word"] * 900) + ".")])
    chunks = _chunker(embedder, max_tokens=64, target_tokens=48).chunk(doc)
    assert len(chunks) > 10
    assert max(c.n_tokens for c in chunks) <= 64
    # Nothing lost: the pieces cover every word.
    assert sum(c.text.count("word") for c in chunks) == 900


def test_offsets_ids_and_sections(embedder, real_docs):
    chunker = _chunker(embedder)
    for doc in real_docs[:20]:
        for c in chunker.chunk(doc):
            section = doc.sections[c.section_index]
            assert section.text[c.start:c.end] == c.text
            assert c.section == section.title
            assert c.id == Chunk.make_id(doc.id, c.section_index, c.start, c.end)
            assert c.doc_id == doc.id and c.kind == doc.kind


def test_chunk_ids_are_stable(embedder, real_docs):
    a = [c.id for c in _chunker(embedder).chunk(real_docs[0])]
    b = [c.id for c in _chunker(embedder).chunk(real_docs[0])]
    assert a == b and len(set(a)) == len(a)


def test_chunks_respect_sentences(embedder):
    text = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(60))
    doc = Document(id="y", kind="research", title="T", source="S", sections=[DocSection(title="", text=text)])
    for c in _chunker(embedder, target_tokens=40).chunk(doc):
        assert c.text.startswith("Sentence") and c.text.endswith(".")


def test_overlap_repeats_sentences(embedder):
    text = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(30))
    doc = Document(id="z", kind="research", title="T", source="S", sections=[DocSection(title="", text=text)])
    chunks = _chunker(embedder, target_tokens=40, overlap_sentences=1).chunk(doc)
    for left, right in zip(chunks, chunks[1:]):
        assert right.start < left.end


def test_prefix_can_be_disabled():
    assert embed_prefix("Practice guidelines for sheds: an updated report by a task force", "Advice") == "Practice guidelines for sheds — Advice: "
    assert embed_prefix("Title", "Section", "none") == ""
    assert embed_prefix("Title", "Section") == "Title — Section: "
    assert embed_prefix("Title", "") == "Title: "
    assert embed_prefix("Title", "Section", "section") == "Section: "
    assert embed_prefix("Title", "", "section") == ""


def test_chunks_carry_the_page_they_start_on(embedder):
    text = " ".join(f"Sentence number {i} says something about page layout." for i in range(60))
    starts = [(0, 1), (len(text) // 3, 2), (2 * len(text) // 3, 5)]
    doc = Document(id="x", kind="guideline", title="T", source="S",
                   sections=[DocSection(title="S1", text=text, page_starts=starts), DocSection(title="S2", text="No pages here.")])
    chunks = _chunker(embedder, target_tokens=64).chunk(doc)
    paged = [c for c in chunks if c.section_index == 0]
    assert len(paged) > 3 and [c.page for c in paged] == [doc.sections[0].page_at(c.start) for c in paged]
    assert {c.page for c in paged} == {1, 2, 5} and paged[0].page == 1
    assert [c.page for c in chunks if c.section_index == 1] == [None]


def test_a_list_s_intro_starts_the_chunk_of_its_items(embedder):
    # Sentences, then a list's intro that falls at a chunk's end: it goes with its items, not without them.
    lead = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(6))
    text = lead + "\n\nOffer zorbamab to adults with zorbitis who have:\n\n- a fever\n\n- a rash\n\n- a cough"
    doc = Document(id="w", kind="guideline", title="T", source="S", sections=[DocSection(title="", text=text)])
    chunks = _chunker(embedder, target_tokens=68).chunk(doc)  # the intro would end the first chunk
    assert len(chunks) > 1
    holding = [c for c in chunks if "who have:" in c.text]
    assert len(holding) == 1 and "- a fever" in holding[0].text
    assert not any(c.text.rstrip().endswith(":") for c in chunks)
    # Nothing lost or repeated.
    assert "".join(c.text for c in chunks).count("Sentence number") == 6
