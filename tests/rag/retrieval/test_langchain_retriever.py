PDPH = "What needle type reduces the risk of post-dural puncture headache?"


def test_langchain_retriever(pipeline):
    from langchain_core.retrievers import BaseRetriever

    from rag.retrieval.langchain_retriever import GuideqaRetriever

    retriever = GuideqaRetriever(retriever=pipeline.retriever, k=6)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke(PDPH)
    assert len(docs) == 6
    assert {"doc_id", "chunk_id", "kind", "score", "title"} <= set(docs[0].metadata)
    assert "ngc-10908" in [d.metadata["doc_id"] for d in docs]


def test_langchain_retriever_applies_filters(pipeline):
    from rag.retrieval.langchain_retriever import GuideqaRetriever
    from rag.types import Filters

    retriever = GuideqaRetriever(retriever=pipeline.retriever, k=4, filters=Filters(kind=["research"]))
    docs = retriever.invoke(PDPH)
    assert len(docs) == 4 and {d.metadata["kind"] for d in docs} == {"research"}
