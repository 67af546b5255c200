"""Read an HTML page into sections at its h1-h3 headings, with its <title> and <meta> tags; scripts never indexed."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from rag.corpus.files.meta import Extracted, FileMeta, FileRejected
from rag.corpus.files.text_sections import Block, blocks_to_sections
from rag.corpus.files.tidy import clean_chars

# Never text: code, styling, embedded objects, form controls and site navigation.
_DROP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "button",
         "select", "textarea", "input", "nav", "head"}
_BLOCK = {"p", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "li", "dl", "dt",
          "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "figure", "figcaption", "address", "hr", "details", "summary", "caption", "body",
          "center", "fieldset"}
_BR = "\ue000"  # a <br> in the buffer: source newlines are only whitespace
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_YEAR_RE = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_TITLE_KEYS = ("citation_title", "dc.title", "og:title")
_SOURCE_KEYS = ("citation_publisher", "dc.publisher", "publisher", "citation_journal_title", "author", "dc.creator",
                "citation_author", "og:site_name")
_DATE_KEYS = ("citation_publication_date", "citation_date", "dc.date.issued", "dc.date", "dcterms.issued",
              "article:published_time", "date", "citation_online_date")
_URL_KEYS = ("og:url", "citation_abstract_html_url", "citation_fulltext_html_url")


def _decode(data: bytes) -> str:
    """The page as text: a byte-order mark, else a <meta charset>, else UTF-8, else Windows-1252."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, "replace").lstrip("\ufeff")
    m = _CHARSET_RE.search(data[:4096])
    codecs = [m.group(1).decode("ascii")] if m else []
    for codec in (*codecs, "utf-8"):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace")


def _meta(root: lxml.html.HtmlElement) -> tuple[FileMeta, str | None]:
    tags: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        value = " ".join((el.get("content") or "").split())
        if key and value and key not in tags:
            tags[key] = value
    title_el = root.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    title = next((tags[k] for k in _TITLE_KEYS if k in tags), page_title) or None
    year = None
    for key in _DATE_KEYS:
        m = _YEAR_RE.search(tags.get(key, ""))
        if m:
            year = int(m.group(1))
            break
    canonical = next((el.get("href") for el in root.iter("link") if "canonical" in (el.get("rel") or "").lower()
                      and el.get("href", "").startswith(("http://", "https://"))), None)
    url = canonical or next((tags[k] for k in _URL_KEYS if tags.get(k, "").startswith(("http://", "https://"))), None)
    source = next((tags[k] for k in _SOURCE_KEYS if k in tags), None)
    return FileMeta(title=clean_chars(title) if title else None, source=source, year=year, url=url), page_title


def _strip_code(root: lxml.html.HtmlElement) -> list[str]:
    """Remove scripts, styles and other non-text elements and every event-handler attribute; say what went."""
    scripts = sum(1 for _ in root.iter("script"))
    handlers = 0
    for el in root.iter(etree.Element):
        for attr in [a for a in el.attrib if a.lower().startswith("on")]:
            del el.attrib[attr]
            handlers += 1
        href = el.get("href") or ""
        if href.strip().lower().startswith("javascript:"):
            del el.attrib["href"]
            handlers += 1
    for el in list(root.iter(*_DROP)):
        if el.getparent() is not None:
            el.drop_tree()
    parts = []
    if scripts:
        parts.append(f"{scripts} <script> element{'s' if scripts > 1 else ''}")
    if handlers:
        parts.append(f"{handlers} event handler{'s' if handlers > 1 else ''} (on… attributes, javascript: links)")
    return [f"removed {' and '.join(parts)}: code is never indexed"] if parts else []


class _Walker:
    """Block-level elements in document order as Blocks: headings, paragraphs, list items and table rows."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.prefix = ""

    def flush(self) -> None:
        lines = [" ".join(line.split()) for line in clean_chars("".join(self.buffer)).split(_BR)]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(Block("item" if self.prefix else "text", self.prefix + text))
            self.prefix = ""
        self.buffer.clear()

    def walk(self, el: lxml.html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _HEADINGS:
            self.flush()
            text = " ".join(clean_chars(el.text_content()).split())
            if text:
                self.blocks.append(Block("heading", text, _HEADINGS[tag]))
        elif tag == "table":
            self.flush()
            self._table(el)
        elif tag == "br":
            self.buffer.append(_BR)
        elif tag in _BLOCK:
            self.flush()
            if tag == "li":
                self.prefix = "• "
            self.buffer.append(el.text or "")
            for child in el:
                self.walk(child)
            self.flush()
        elif tag:
            self.buffer.append(el.text or "")
            for child in el:
                self.walk(child)
        # A comment or processing instruction: only its tail (below) is text.
        if el.tail:
            self.buffer.append(el.tail)

    def _table(self, table: lxml.html.HtmlElement) -> None:
        for tr in table.iter("tr"):
            cells = [" ".join(clean_chars(td.text_content()).split()) for td in tr if td.tag in ("td", "th")]
            cells = [c for c in cells if c]
            if cells:
                self.blocks.append(Block("row", " | ".join(cells)))


def read_html(data: bytes) -> Extracted:
    """Sections split at h1-h3 (h4-h6 stay in the text as lines of their own); title from the citation or
    Dublin Core meta tags, else <title>. Scripts, styles and event handlers are removed, never indexed."""
    text = _decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str that declares its own encoding
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise FileRejected(f"the HTML page cannot be parsed ({exc})") from None
    meta, page_title = _meta(root)
    notes = _strip_code(root)
    body = root.find("body")
    walker = _Walker()
    walker.walk(body if body is not None else root)
    walker.flush()
    heading = next((b.text for b in walker.blocks if b.kind == "heading"), None) or page_title or None
    return Extracted(meta, blocks_to_sections(walker.blocks, max_level=3), heading, notes)
