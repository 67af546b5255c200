"""Read a PDF into sections with page numbers and its own metadata, or refuse it with a reason."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from rag.corpus.files.meta import Extracted, FileMeta, FileRejected
from rag.corpus.files.pdf_clean import Cleaned, drop_running, paragraphs
from rag.corpus.files.pdf_layout import Page, read_page
from rag.corpus.files.pdf_order import Line, page_lines
from rag.corpus.files.pdf_sections import (
    OutlineEntry,
    outline_sections,
    typography_sections,
    usable_outline,
)
from rag.corpus.files.pdf_tables import find_tables
from rag.corpus.files.tidy import clean_chars, vocabulary

_MIN_CHARS = 20  # fewer characters in the whole file: no text layer (a scan), whatever a stamp or logo says
_DATE_RE = re.compile(r"^D?:?((?:19|20)\d\d)")
_COPYRIGHT_RE = re.compile(r"^©\s*(?:copyright\s+)?([A-Z][A-Za-z&.,' -]{3,80}?)[,\s]+((?:19|20)\d\d)\b")
_JUNK_TITLE_RE = re.compile(r"^(microsoft (word|powerpoint) - |untitled|document\d*$|slide \d+$)|\.(docx?|pdf|indd|qxd)$", re.I)
_PASSWORD = 4  # PDFium's FPDF_ERR_PASSWORD
# PDFium is not thread-safe: the API reads uploads in worker threads, so one PDF at a time goes through it.
_PDFIUM = threading.Lock()
_SECURITY = 5  # FPDF_ERR_SECURITY: an encryption scheme PDFium does not support


@dataclass
class PdfContent(Extracted):
    """A PDF's extraction, plus what the extraction-quality measurement looks at."""

    outline: list[OutlineEntry] = field(default_factory=list)  # the usable entries the sections follow
    removed_lines: int = 0  # running headers, footers and page numbers dropped


def _pypdf_pages(data: bytes) -> int | None:
    """Pages pypdf finds, None when it cannot tell (encrypted or damaged). PDFium refuses a PDF with an empty
    page tree as if it were damaged or encrypted; pypdf tells them apart."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return None if reader.is_encrypted else len(reader.pages)
    except Exception:  # noqa: BLE001 - pypdf raises many types for a damaged file: it cannot tell
        return None


def _open(data: bytes) -> pdfium.PdfDocument:
    if b"%%EOF" not in data[-4096:]:
        raise FileRejected("truncated PDF: the file ends before the PDF's end-of-file marker (an incomplete download "
                           "or copy?)")
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if _pypdf_pages(data) == 0:
            raise FileRejected("the PDF has no pages") from None
        if code == _PASSWORD:
            raise FileRejected("encrypted PDF: guideqa cannot read password-protected files") from None
        if code == _SECURITY:
            raise FileRejected("encrypted PDF with an unsupported security scheme: guideqa cannot read it") from None
        raise FileRejected(f"damaged PDF: it cannot be read ({exc})") from None
    if len(pdf) == 0:
        pdf.close()
        raise FileRejected("the PDF has no pages")
    return pdf


def _outline(pdf: pdfium.PdfDocument) -> list[OutlineEntry]:
    entries = []
    try:
        for bookmark in pdf.get_toc(max_depth=4):
            dest = bookmark.get_dest()
            index = dest.get_index() if dest is not None else None
            if index is not None:
                entries.append(OutlineEntry(bookmark.get_title() or "", index + 1, bookmark.level))
    except pdfium.PdfiumError:
        return []  # a broken outline is no outline: headings come from typography
    return entries


def _info(pdf: pdfium.PdfDocument) -> FileMeta:
    info = pdf.get_metadata_dict(skip_empty=True)
    title = clean_chars(info.get("Title", "")).strip()
    if _JUNK_TITLE_RE.search(title) or len(title) < 4:
        title = ""  # a word processor's file name, not the document's title
    year = None
    for key in ("CreationDate", "ModDate"):
        m = _DATE_RE.match(info.get(key, "").strip())
        if m:
            year = int(m.group(1))
            break
    return FileMeta(title=title or None, source=clean_chars(info.get("Author", "")).strip() or None, year=year)


def _first_heading(lines: list[Line]) -> str | None:
    """The run of largest text on the first page with text (a cover title), as one line."""
    if not lines:
        return None
    first_page = lines[0].page
    page = [ln for ln in lines if ln.page == first_page and not ln.row]
    if not page:
        return None
    largest = max(ln.size for ln in page)
    start = next(i for i, ln in enumerate(page) if ln.size >= 0.9 * largest)
    run = []
    for ln in page[start:]:
        if ln.size < 0.9 * largest:
            break
        run.append(clean_chars(ln.text).strip())
    title = " ".join(t for t in run if t)
    return title if 3 <= len(title) <= 250 and any(ch.isalpha() for ch in title) else None


def _copyright(lines: list[Line]) -> FileMeta:
    """'© World Health Organization 2016' on the first pages: the issuing body and year when the info has none."""
    for line in lines:
        if line.page > 4:
            break
        m = _COPYRIGHT_RE.match(clean_chars(line.text).strip())
        if m:
            return FileMeta(source=m.group(1).strip(" ,."), year=int(m.group(2)))
    return FileMeta()


def _read_pages(pdf: pdfium.PdfDocument) -> list[Page]:
    pages = []
    for index in range(len(pdf)):
        try:
            page = pdf[index]
        except pdfium.PdfiumError as exc:
            raise FileRejected(f"damaged PDF: page {index + 1} cannot be read ({exc})") from None
        try:
            pages.append(read_page(page, index + 1))
        finally:
            page.close()
    return pages


def read_pdf(data: bytes, use_outline: bool = True) -> PdfContent:
    """Sections from the outline when it has one (else from headings found by typography), each knowing the pages
    its text starts on; running headers and footers, page numbers and hyphenation removed."""
    with _PDFIUM:
        pdf = _open(data)
        try:
            info, outline = _info(pdf), _outline(pdf)
            pages = _read_pages(pdf)
        finally:
            pdf.close()
    chars = sum(len(s.text) for page in pages for s in page.segments)
    if chars < _MIN_CHARS:
        raise FileRejected("no text layer: the PDF holds only images (a scan?) and guideqa does not run OCR")
    vocab = vocabulary([s.text for page in pages for s in page.segments])
    by_page: dict[int, list[Line]] = {}
    block = 0
    for page in pages:
        tables, rest = find_tables(page.segments, page.rules, vocab)
        by_page[page.number] = page_lines(rest, tables, page.number, block)
        block = max((ln.block for ln in by_page[page.number]), default=block) + 1
    entries = usable_outline(outline) if use_outline else []
    cleaned: Cleaned = drop_running(by_page, {p.number: p.height for p in pages}, [e.title for e in entries])
    paras = paragraphs(cleaned.lines, vocab)
    sections = outline_sections(paras, entries) if entries else typography_sections(paras)
    if not sections:
        raise FileRejected("no text found in the PDF once headers, footers and page numbers were removed")
    notes = []
    blank = [p.number for p in pages if not p.segments]
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (" …" if len(blank) > 10 else "")
        notes.append(f"{len(blank)} of {len(pages)} pages have no text layer (images only) and were skipped: {shown}")
    all_lines = [ln for number in sorted(by_page) for ln in by_page[number]]
    meta = info.model_copy(update={k: v for k, v in _copyright(all_lines).model_dump().items()
                                   if v is not None and getattr(info, k) is None})
    return PdfContent(meta, sections, _first_heading(all_lines), notes, len(pages), entries, cleaned.removed)
