"""Uploaded files on disk: kept under the uploads folder by content hash, never under the client's file name."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
_SAVED = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,10})?")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SavedUpload:
    path: Path  # uploads folder / <sha256>[.<ext>]
    sha256: str
    size: int
    filename: str  # the client's name, cleaned: metadata for people, never used as a path
    new: bool  # False when the same content was already kept (an earlier upload's file)


def base_name(filename: str | None) -> str:
    """The last component of a client's file name, without control characters, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200]


def title_from(filename: str | None) -> str:
    """A title made from a client's file name ('hand_hygiene guide.pdf' -> 'hand hygiene guide')."""
    name = base_name(filename)
    stem = name[: -len(extension(name)) - 1] if extension(name) else name
    return re.sub(r"[_\s]+", " ", stem).strip()


def extension(filename: str | None) -> str:
    """The client's extension lower-cased ('pdf', 'md'), or '' when it has none made of letters and digits only."""
    stem, dot, ext = base_name(filename).rpartition(".")
    ext = ext.lower()
    return ext if dot and stem.strip(".") and _EXTENSION.fullmatch(ext) else ""


def save(stream: BinaryIO, filename: str | None, folder: Path) -> SavedUpload:
    """Copy `stream` into `folder` as <sha256>.<ext>. The name is made here, from the content and a checked
    extension, so no client name ("../../etc/passwd", "/abs/path", "C:\\x") can place a file elsewhere."""
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        ext = extension(filename)
        target = folder / (digest.hexdigest() + (f".{ext}" if ext else ""))
        if target.parent != folder:  # cannot happen with the name above; checked because the stakes are a write anywhere
            raise ValueError(f"refusing to write outside {folder}")
        new = not target.exists()
        os.replace(tmp, target)  # the same content twice is the same file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return SavedUpload(target, digest.hexdigest(), size, base_name(filename), new)


def discard(folder: Path, name: str) -> None:
    """Remove the saved upload `name` (as save() named it) from `folder`; any other name is ignored."""
    if _SAVED.fullmatch(name or ""):
        (Path(folder).resolve() / name).unlink(missing_ok=True)
