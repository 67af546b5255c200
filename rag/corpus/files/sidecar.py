"""Metadata beside a file (`<file name>.yaml`, `.yml` or `.json`) and the precedence that merges every source of it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from rag.corpus.files.meta import FileMeta, FileRejected

SIDECAR_SUFFIXES = (".yaml", ".yml", ".json")


def sidecar_for(path: Path) -> Path | None:
    """`guide.pdf.yaml` (or .yml, .json) beside `guide.pdf`: the whole file name plus the suffix, so guide.pdf and
    guide.docx can each have their own."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: Path) -> bool:
    """A metadata file of another file that sits beside it (not a document to read)."""
    return path.suffix.lower() in SIDECAR_SUFFIXES and path.with_suffix("").is_file()


def read_sidecar(path: Path) -> FileMeta:
    """The sidecar's fields (title, source, year, url, kind, license, identifiers); FileRejected when it is not a
    mapping of those, so a typo cannot silently drop a field."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FileRejected(f"its metadata file {path.name} cannot be read: {exc}") from None
    if data is None:
        return FileMeta()
    if not isinstance(data, dict):
        raise FileRejected(f"its metadata file {path.name} must hold a mapping of fields (title, source, year, …)")
    try:
        return FileMeta.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
        raise FileRejected(f"its metadata file {path.name} has invalid fields ({problems}); allowed: "
                           f"{', '.join(FileMeta.model_fields)}") from None


def merge(*layers: FileMeta | None) -> FileMeta:
    """Highest precedence first: each field from the first layer that gives it; identifiers merged key by key."""
    values: dict = {}
    identifiers: dict[str, str] = {}
    for layer in reversed([m for m in layers if m is not None]):
        given = layer.model_dump(exclude_none=True)
        identifiers.update(given.pop("identifiers", {}))
        values.update(given)
    if identifiers:
        values["identifiers"] = identifiers
    return FileMeta.model_validate(values)
