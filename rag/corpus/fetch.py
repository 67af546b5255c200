"""Fetching: place verified copies of the manifest's files in ``settings.corpus.data_dir``.

A file comes from the local mirror when it has one, else from its public URL; it is kept only
if its sha256 matches the manifest.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from rag.corpus.manifest import CorpusError, SourceFile, load_manifest
from rag.settings import Settings

log = logging.getLogger(__name__)

FetchStatus = Literal["present", "copied from mirror", "downloaded"]
Progress = Callable[[str, int, int | None], None]
_CHUNK = 1 << 20


class FetchResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    path: str = Field(description="Path relative to data_dir.")
    status: FetchStatus
    sha256: str
    size: int


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _write_verified(
    dest: Path, chunks: Iterable[bytes], expected: str, origin: str, on_bytes: Callable[[int], None]
) -> int:
    """Stream chunks to a temp file beside dest, check sha256, then move into place (no partial files)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                on_bytes(size)
        actual = digest.hexdigest()
        if actual != expected:
            raise CorpusError(
                f"checksum mismatch for {dest.name} from {origin}: expected sha256 {expected}, got {actual}; "
                "the file was not kept"
            )
        os.replace(tmp, dest)
        return size
    finally:
        tmp.unlink(missing_ok=True)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def _download_chunks(url: str, total: list[int | None]) -> Iterator[bytes]:
    try:
        with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0, read=120.0)) as client:
            with client.stream("GET", url) as response:
                response.raise_for_status()
                length = response.headers.get("content-length")
                total[0] = int(length) if length and length.isdigit() else None
                yield from response.iter_bytes(_CHUNK)
    except httpx.HTTPError as exc:
        raise CorpusError(f"download of {url} failed: {exc}") from None


def _fetch_file(settings: Settings, source: str, f: SourceFile, progress: Progress | None) -> FetchResult:
    dest = settings.corpus.data_dir / f.path
    if dest.is_file():
        if sha256_file(dest) == f.sha256:
            return FetchResult(source=source, path=f.path, status="present", sha256=f.sha256, size=dest.stat().st_size)
        log.warning("%s has the wrong checksum; fetching it again", dest)
    mirror = settings.corpus.mirror
    if mirror is not None and (mirror / f.path).is_file():
        origin = mirror / f.path
        total: list[int | None] = [origin.stat().st_size]
        chunks: Iterable[bytes] = _file_chunks(origin)
        status: FetchStatus = "copied from mirror"
    elif f.url:
        origin, total, status = f.url, [None], "downloaded"
        chunks = _download_chunks(f.url, total)
    else:
        why = "no mirror is configured" if mirror is None else f"{mirror} lacks it"
        raise CorpusError(
            f"{f.path} ({source}) is a derived file with no public download of its own: it is only "
            f"available from the corpus mirror, and {why} (set GUIDEQA_CORPUS__MIRROR)"
        )
    size = _write_verified(dest, chunks, f.sha256, str(origin), lambda n: progress and progress(f.path, n, total[0]))
    return FetchResult(source=source, path=f.path, status=status, sha256=f.sha256, size=size)


def fetch(settings: Settings, sources: list[str] | None = None, progress: Progress | None = None) -> list[FetchResult]:
    """Place every manifest file of the sources (default all) in data_dir, verified by sha256.

    Order of preference: already present and valid; copied from the mirror; downloaded from its URL.
    ``progress(path, bytes_done, bytes_total_or_None)`` is called as bytes arrive.
    """
    manifest = load_manifest(settings)
    names = manifest.source_names(sources)
    return [_fetch_file(settings, n, f, progress) for n in names for f in manifest.sources[n].files]
