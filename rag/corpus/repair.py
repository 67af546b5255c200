"""Text repair for loaded records: undo mojibake, drop invisible characters, tidy whitespace.

NGC's summaries hold UTF-8 that was once read as latin-1/cp1252 ("ï¬\\x81" for "ﬁ"), mixed with clean text.
"""

from __future__ import annotations

import re
import unicodedata

from ftfy.fixes import decode_inconsistent_utf8

_INVISIBLE_RE = re.compile("[\u00ad\u200b]")
_LIGATURES_RE = re.compile("[\ufb00-\ufb06]")


def fix_ligatures(text: str) -> str:
    """'ﬁ' -> 'fi': compatibility-decompose the ligature code points only (NFKC on all text would also
    rewrite superscripts, fractions and full-width characters). A quoted 'ﬁrst' reads oddly and defeats search."""
    return _LIGATURES_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def repair_text(text: str) -> str:
    """Undo UTF-8 read as latin-1/cp1252 ("ï¬\\x81" -> "ﬁ" -> "fi"), drop soft hyphens and zero-width spaces."""
    # A mis-decoded no-break space whose second byte was later turned into a plain space; done first,
    # or ftfy would restore the no-break space.
    text = text.replace("\u00c2 ", " ")
    if not text.isascii():
        # Only the mis-decoded UTF-8 runs, not ftfy.fix_text: that also re-reads whole lines holding C1
        # controls as cp1252, which turns an undecodable run into a different garble.
        text = fix_ligatures(decode_inconsistent_utf8(text))
    return _INVISIBLE_RE.sub("", text) if "\u00ad" in text or "\u200b" in text else text


def normalise_whitespace(text: str) -> str:
    """Collapse runs of spaces within lines; keep line breaks and blank-line paragraph breaks."""
    paragraphs = re.split(r"\n[ \t\r\f\v]*\n\s*", text.strip())
    out = []
    for para in paragraphs:
        lines = [" ".join(line.split()) for line in para.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)
