"""Text tidying every file format shares: ligatures, invisible characters, bullets, and joining wrapped lines."""

from __future__ import annotations

import re

from rag.corpus.repair import fix_ligatures

# PDFium's mark for a hyphen it found at a line end (U+FFFE in its extracted text).
LINE_END_HYPHEN = "\x02"
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x00-\x01\x03-\x08\x0b\x0c\x0e-\x1f]")
_SPACES_RE = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Bullet glyphs as PDFs and Word documents write them (Symbol/Wingdings map some into private use).
BULLETS = "•●○◦▪▫■□❑❒❏➢➤►▶‣⁃›∙·\x9f\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8\uf06e\uf0a4\u2219\u25aa\u25cf\u25e6\u2023\u2043"
_BULLET_RE = re.compile(f"^\\s*[{re.escape(BULLETS)}]\\s*")
_NUMBERED_RE = re.compile(r"^\s*(\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\)|[ivx]{1,4}\.)\s+\S")
_URL_REST_RE = re.compile(r"^[\w%~-]*([/=?&#_]|\.[a-z]{2,5}\b)[\w/.=?&#%~-]*$")
_FILE_TYPES = {"html", "htm", "pdf", "aspx", "asp", "php", "jsp", "cfm", "shtml", "xml"}
_VOCAB_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_WORD_END_RE = re.compile(r"([A-Za-z]+)$")
_WORD_START_RE = re.compile(r"^([A-Za-z]+)")


def clean_chars(text: str) -> str:
    """Ligatures decomposed, soft hyphens and control characters dropped, odd spaces made plain; the object
    replacement character (an inline image) becomes a space."""
    text = fix_ligatures(text).replace("\ufffc", " ")
    text = _INVISIBLE_RE.sub("", text)
    return _SPACES_RE.sub(" ", text)


def bullet_line(text: str) -> str | None:
    """'• item' for a line starting with any bullet glyph, else None."""
    m = _BULLET_RE.match(text)
    if m is None:
        return None
    rest = text[m.end():].strip()
    return f"• {rest}" if rest else None


def starts_item(text: str) -> bool:
    """A bulleted or numbered list item ('• ...', '1. ...', 'a) ...', '(ii) ...')."""
    return bool(_BULLET_RE.match(text) or _NUMBERED_RE.match(text))


def join_lines(lines: list[str], vocabulary: set[str] | frozenset[str] = frozenset()) -> str:
    """Lines of one paragraph as one line (see join_with_starts)."""
    return join_with_starts(lines, vocabulary)[0]


def join_with_starts(lines: list[str], vocabulary: set[str] | frozenset[str] = frozenset()) -> tuple[str, list[int]]:
    """Lines of one paragraph as one line, and where each line starts in it. A word hyphenated at a line end is
    joined without its hyphen unless the document writes it hyphenated, or both halves are words of their own
    ('long-' + 'term'), or the next line starts in upper case ('Healthcare-' + 'Associated'); URLs keep theirs.
    'effec -' + 'tive' (a spaced hyphen) is joined only when the document spells the whole word elsewhere."""
    out = ""
    starts = []
    for raw_line in lines:
        line = raw_line.strip()
        if not out:
            starts.append(0)
            out = line
            continue
        if not line:
            starts.append(len(out))
            continue
        if out.endswith((" -", " " + LINE_END_HYPHEN)) and _whole(out[:-2], line) in vocabulary:
            out = out[:-2] + line
        elif out.endswith((LINE_END_HYPHEN, "-")) and not out.endswith((" -", " " + LINE_END_HYPHEN)):
            out = out[:-1] + _hyphen_join(out[:-1], line, vocabulary)
        else:
            out = f"{out}{'' if _url_goes_on(out, line) else ' '}{line}"
        starts.append(len(out) - len(line))
    return out.replace(LINE_END_HYPHEN, "-"), starts


def _url_goes_on(text: str, line: str) -> bool:
    """A URL broken at the line end goes on without a space into a line that starts with more of it: a path
    ('am/10665/…', 'index.html') or, after a dot, a file type ('html')."""
    last = text.rsplit(" ", 1)[-1]
    if not ("://" in last or last.startswith("www.")):
        return False
    first = line.split(" ", 1)[0].rstrip(".,;:)]")
    return bool(_URL_REST_RE.match(first)) or (last.endswith(".") and first in _FILE_TYPES)


def _whole(before: str, after: str) -> str:
    head = _WORD_END_RE.search(before)
    tail = _WORD_START_RE.match(after)
    return (head.group(1) + tail.group(1)).lower() if head and tail else ""


def _hyphen_join(before: str, after: str, vocabulary: set[str] | frozenset[str]) -> str:
    head = _WORD_END_RE.search(before)
    tail = _WORD_START_RE.match(after)
    last_token = before.rsplit(" ", 1)[-1]
    if head is None or tail is None or not after[0].islower() or "/" in last_token or "www" in last_token:
        return "-" + after
    first, second = head.group(1).lower(), tail.group(1).lower()
    if first + second in vocabulary:
        return after
    compound = len(first) >= 3 and len(second) >= 3 and first in vocabulary and second in vocabulary
    return "-" + after if f"{first}-{second}" in vocabulary or compound else after


def vocabulary(texts: list[str]) -> set[str]:
    """Lower-cased words and hyphenated compounds of the document, for hyphen joining. A line's first and its
    hyphenated last word are left out: they may be halves of a word broken across lines."""
    words: set[str] = set()
    for text in texts:
        found = _VOCAB_RE.findall(text)
        if text.rstrip().endswith(("-", LINE_END_HYPHEN)):
            found = found[:-1]
        words.update(w.lower() for w in found[1:])
    for w in list(words):
        if "-" in w:
            words.update(w.split("-"))
    return words
