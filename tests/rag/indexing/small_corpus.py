"""Small invented documents and settings for building throwaway indexes in a test's tmp_path."""

from rag.settings import Settings
from rag.types import DocSection, Document


def _settings(base: Settings, tmp_path, **over) -> Settings:
    data = base.model_dump()
    data["index"] = {"dir": tmp_path, "name": "t"}
    data["embedding"]["cache_dir"] = tmp_path / "cache"  # a fresh embedding cache: every build embeds
    for key, value in over.items():
        data[key] = {**data[key], **value}
    return Settings(**data)


def _docs(n: int = 3) -> list[Document]:
    # Invented, non-medical text: enough to exercise the index machinery.
    return [
        Document(id=f"user:doc{i}", kind="guideline", title=f"Garden note {i}", source="Test Society", year=2010 + i,
                 sections=[DocSection(title="Advice", text=f"Water the tomato plants in bed {i} every morning. "
                                                           f"Prune the roses in row {i} during early spring.")])
        for i in range(n)
    ]
