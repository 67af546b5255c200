"""A file's real format from its first bytes (magic numbers), checked against its name's extension."""

from __future__ import annotations

import io
import re
import zipfile

from rag.corpus.files.meta import FileKind, FileRejected

# Extension -> the format a file so named must hold.
SUPPORTED_SUFFIXES: dict[str, FileKind] = {
    ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".docx": "docx",
    ".md": "markdown", ".markdown": "markdown", ".txt": "text",
}
_NAMES: dict[str, str] = {"pdf": "a PDF", "html": "an HTML page", "docx": "a Word (.docx) document",
                               "markdown": "Markdown text", "text": "plain text"}
_DAMAGED_ZIP = "a damaged or truncated ZIP archive"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Formats guideqa recognises only to say why it cannot read them.
_FOREIGN = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "a legacy Office file (Word 97-2003 .doc or similar); save it as .docx"),
    (b"{\\rtf", "an RTF document; save it as .docx"), (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"Rar!", "a RAR archive"), (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]
_HTML_RE = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)


def suffix_of(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def supported_list() -> str:
    return ", ".join(SUPPORTED_SUFFIXES)


def _zip_kind(data: bytes) -> FileKind | str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return _DAMAGED_ZIP
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    if "mimetype" in names and "META-INF/container.xml" in names:
        return "an EPUB book or OpenDocument file"
    return "a ZIP archive"


def _text_kind(data: bytes) -> FileKind | str:
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):] if bom == b"\xef\xbb\xbf" else head.decode("utf-16", "ignore").encode("utf-8")
            break
    else:
        if b"\x00" in head:
            return "a binary file"
    if _HTML_RE.match(head):
        return "html"
    return "text"


def detect(data: bytes) -> FileKind | str:
    """The format the bytes hold: one guideqa reads ('pdf', 'docx', 'html', 'text'), or a description of another.
    A password-protected Word document is an OLE container holding an 'EncryptedPackage': FileRejected."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_OLE) and "EncryptedPackage".encode("utf-16-le") in data:
        raise FileRejected("encrypted Office document: guideqa cannot read password-protected files")
    for magic, name in _FOREIGN:
        if data.startswith(magic):
            return name
    return _text_kind(data)


def file_kind(name: str, data: bytes) -> FileKind:
    """The format to read `name` as, after checking its bytes agree with its extension; FileRejected otherwise."""
    suffix = suffix_of(name)
    expected = SUPPORTED_SUFFIXES.get(suffix)
    if not data:
        raise FileRejected("the file is empty")
    found = detect(data)
    if expected is None:
        what = f" (it holds {_NAMES.get(found, found)})"
        raise FileRejected(f"unsupported file type '{suffix or name}'{what}: guideqa reads {supported_list()}")
    if found == "text" and expected in ("markdown", "text", "html"):
        return expected  # a page without an <html> tag is still HTML when its name says so
    if found == "html" and expected in ("markdown", "text"):
        raise FileRejected(f"the file holds an HTML page but its name ends in {suffix}; rename it to .html")
    if found == expected:
        return expected
    if expected == "docx" and found == _DAMAGED_ZIP:
        raise FileRejected("damaged or truncated Word document: its ZIP container cannot be opened")
    if found in _NAMES:
        right = next(s for s, k in SUPPORTED_SUFFIXES.items() if k == found)
        raise FileRejected(f"the file holds {_NAMES[found]} (found from its content) but its name ends in "
                           f"{suffix}; rename it to {right}")
    raise FileRejected(f"the file is {found}, not {_NAMES[expected]} as its name ({suffix}) says")
