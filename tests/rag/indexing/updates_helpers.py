"""What the update tests share: a private copy of the session's real index, and invented documents to add."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from rag.indexing.build_folders import BUILDS
from rag.indexing.layout import MANIFEST
from rag.settings import Settings
from rag.types import DocSection, Document


def copy_index(index_settings: Settings, root: Path, name: str = "u", **embedding) -> Settings:
    """A copy of the session's small real index under `root`, named `name`, that tests may change; it reloads its
    updates on every question (reload_check_s=0)."""
    source = (index_settings.index.dir / index_settings.index.name).resolve()
    folder = root / BUILDS / source.name.replace(f"{index_settings.index.name}-", f"{name}-", 1)
    shutil.copytree(source, folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    (folder / MANIFEST).write_text(json.dumps(manifest | {"name": name}))
    (root / name).symlink_to(os.path.relpath(folder, root))
    data = index_settings.model_dump()
    data["index"] = {"dir": root, "name": name, "reload_check_s": 0}
    data["embedding"] |= embedding
    return Settings(**data)


def shed_doc(text: str = "Oil the hinges of the shed door twice a year to stop squeaking. "
                         "Paint the shed walls with linseed paint every five years.", doc_id: str = "user:shed") -> Document:
    # Invented, non-medical text no corpus document holds; two pages, so chunks carry a page.
    return Document(id=doc_id, kind="guideline", title="Shed care", source="Shed Society", year=2021,
                    sections=[DocSection(title="Maintenance", text=text, page_starts=[(0, 3), (len(text) // 2, 4)])])


def uniform_docs(words: list[tuple[str, str]], start: int = 0) -> list[Document]:
    """Single-chunk documents whose BM25 texts all have the same number of tokens (so the mean length is the same
    whichever of them an index holds), differing in two words each."""
    return [Document(id=f"user:u{start + i}", kind="guideline", title=f"Garden note {start + i}", source="Test Society",
                     year=2010 + i % 5,
                     sections=[DocSection(title="Advice", text=f"Water the {a} plants every morning. Prune the {b} shrubs "
                                                               "during early spring.")])
            for i, (a, b) in enumerate(words)]
