"""The corpus manifest (``corpus/sources.toml``) and where the files it names are read from.

It names each source, its files (path, public URL, sha256), its loader and loader options;
``[index.NAME]`` presets pick sources and override options.
"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from rag.settings import Settings
from rag.types import Kind

LoaderName = Literal["ngc", "pubmedqa", "medquad"]
FETCH_COMMAND = "guideqa corpus fetch"


class CorpusError(RuntimeError):
    """A corpus file is missing or wrong, or the manifest is invalid."""


class SourceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="Path relative to data_dir / the mirror.")
    url: str = Field(default="", description="Public download address ('' for files only the mirror has).")
    sha256: str

    @field_validator("path")
    @classmethod
    def _relative(cls, v: str) -> str:
        # The path is joined to data_dir: refuse anything that could escape it.
        p = PurePosixPath(v)
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise ValueError(f"file path must be relative and inside the corpus folder: {v!r}")
        return v

    @field_validator("sha256")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", v.lower()):
            raise ValueError(f"sha256 must be 64 hex digits: {v!r}")
        return v.lower()


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    kind: Kind
    loader: LoaderName
    license: str = ""
    upstream: str = ""
    files: list[SourceFile]
    options: dict[str, Any] = Field(default_factory=dict)


class IndexPreset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    sources: list[str]
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Per-source option overrides.")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: dict[str, Source]
    indexes: dict[str, IndexPreset] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _presets_resolve(self) -> "Manifest":
        for preset in self.indexes.values():
            unknown = [s for s in [*preset.sources, *preset.options] if s not in self.sources]
            if unknown:
                raise ValueError(f"index preset {preset.name!r} names unknown sources: {unknown}")
            stray = [s for s in preset.options if s not in preset.sources]
            if stray:
                raise ValueError(f"index preset {preset.name!r} sets options for sources it omits: {stray}")
        return self

    def source_names(self, names: list[str] | None) -> list[str]:
        """The named sources (default every source), without repeats; CorpusError for an unknown name."""
        names = list(self.sources) if names is None else names
        unknown = [n for n in names if n not in self.sources]
        if unknown:
            raise CorpusError(f"unknown sources {unknown}; known: {', '.join(self.sources)}")
        return list(dict.fromkeys(names))


def load_manifest(settings: Settings) -> Manifest:
    """Read and validate ``settings.corpus.manifest``."""
    path = settings.corpus.manifest
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"sources manifest not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"sources manifest {path} is not valid TOML: {exc}") from None
    try:
        return Manifest(
            sources={name: Source(name=name, **body) for name, body in raw.get("source", {}).items()},
            indexes={name: IndexPreset(name=name, **body) for name, body in raw.get("index", {}).items()},
        )
    except (ValidationError, TypeError) as exc:
        raise CorpusError(f"sources manifest {path} is invalid: {exc}") from None


def corpus_file(settings: Settings, rel_path: str) -> Path:
    """Where to read a manifest file: data_dir if fetched, else the mirror."""
    fetched = settings.corpus.data_dir / rel_path
    if fetched.is_file():
        return fetched
    mirror = settings.corpus.mirror
    if mirror is not None and (mirror / rel_path).is_file():
        return mirror / rel_path
    where = f"{settings.corpus.data_dir}" + (f" or the mirror {mirror}" if mirror else " (no mirror configured)")
    raise CorpusError(f"corpus file {rel_path} not found in {where}; run `{FETCH_COMMAND}` first")


def source_files(settings: Settings, source: Source) -> list[Path]:
    """Where to read every file of a source; CorpusError if any is missing."""
    return [corpus_file(settings, f.path) for f in source.files]


def pick_file(paths: list[Path], pattern: str, source: str) -> Path:
    """The first of a source's files whose name matches the pattern."""
    for p in paths:
        if fnmatch(p.name, pattern):
            return p
    raise CorpusError(f"source {source!r} has no file matching {pattern!r} in the manifest")
