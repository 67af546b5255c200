"""Read Markdown or plain text (optional YAML front matter) into sections at '#'/'##' headings."""

from __future__ import annotations

import frontmatter
import yaml
from pydantic import ValidationError

from rag.corpus.files.meta import Extracted, FileMeta, FileRejected
from rag.corpus.files.tidy import clean_chars
from rag.corpus.user_files import markdown_sections

_META_KEYS = set(FileMeta.model_fields)


def _decode(data: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, "replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRejected("the text is not UTF-8 encoded: save it as UTF-8 and add it again") from None


def read_text(data: bytes) -> Extracted:
    """Sections as the user-folder loader splits Markdown ('#'/'##'); front matter keys title, source, year,
    url, kind, license and identifiers are the file's own metadata (others are ignored)."""
    try:
        post = frontmatter.loads(_decode(data))
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise FileRejected(f"the front matter (the '---' block at the top) is not valid YAML: {exc}") from None
    fields = {k: v for k, v in post.metadata.items() if k in _META_KEYS}
    try:
        meta = FileMeta.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise FileRejected(f"the front matter has invalid values ({problems})") from None
    heading, sections = markdown_sections(clean_chars(post.content))
    return Extracted(meta, sections, heading)
