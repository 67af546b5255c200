"""PDF extraction quality: sections against the outline, words against pdftotext, running headers left."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from rag.corpus.files.pdf_file import PdfContent, read_pdf
from rag.corpus.files.pdf_sections import OutlineEntry
from rag.settings import Settings
from rag.types import DocSection
from rag.versions import package_versions

REPEAT_PAGES = 3  # a line on this many pages or more is a running header or footer
_MARGIN_LINES = 2  # pdftotext lines at the top and bottom of a page that may be headers or footers
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DIGITS_RE = re.compile(r"\d+")
_PAGE_NUMBER_RE = re.compile(r"^(page\s*)?([0-9]{1,4}|[ivxlc]{1,6})(\s*(of|/)\s*[0-9]{1,4})?$", re.I)
PACKAGES = ("guideqa", "pypdfium2", "pypdf")


def words(text: str) -> Counter[str]:
    """Lower-cased word multiset; hyphens dropped so 'high-level', 'high-\\nlevel' and 'highlevel' agree."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("-", "").replace("\u00ad", "")
    return Counter(_TOKEN_RE.findall(text))


def _key(line: str) -> str:
    return " ".join(_DIGITS_RE.sub("#", line.casefold()).split())


def pdftotext_pages(path: Path) -> list[str] | None:
    """pdftotext's text of each page (poppler-utils), or None when pdftotext is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    out = subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=300)
    return out.stdout.decode("utf-8", "replace").split("\f")


def running_reference(pages: list[str]) -> tuple[set[str], Counter[str]]:
    """(keys of pdftotext's running header/footer lines, the reference word multiset without them and without
    page numbers). Running lines: among a page's first or last two, repeating (numbers masked) on a quarter of
    the pages or more (real sub-headings near a page top repeat far less); dropped wherever pdftotext put them on
    a page. Words hyphenated at a line end are joined."""
    per_page = [[ln.strip() for ln in page.splitlines() if ln.strip()] for page in pages]
    seen: dict[str, set[int]] = defaultdict(set)
    for number, lines in enumerate(per_page):
        for line in lines[:_MARGIN_LINES] + lines[-_MARGIN_LINES:]:
            seen[_key(line)].add(number)
    needed = max(REPEAT_PAGES, len(per_page) // 4)
    running = {k for k, where in seen.items() if len(where) >= needed and k != "#"}
    reference: Counter[str] = Counter()
    for lines in per_page:
        margin = set(range(min(_MARGIN_LINES, len(lines)))) | set(range(max(len(lines) - _MARGIN_LINES, 0), len(lines)))
        kept = [ln for i, ln in enumerate(lines)
                if not (_key(ln) in running or (i in margin and _PAGE_NUMBER_RE.match(ln)))]
        reference.update(words(re.sub(r"(?<=[A-Za-z])-\n(?=[a-z])", "", "\n".join(kept))))
    return running, reference


def our_words(sections: list[DocSection]) -> Counter[str]:
    out: Counter[str] = Counter()
    for section in sections:
        out.update(words(section.title))
        out.update(words(section.text))
    return out


def running_left(sections: list[DocSection], running: set[str]) -> dict:
    """Header/footer text still in our output: each of pdftotext's running lines found (inside a line for the long
    ones, as a whole line for short ones) on REPEAT_PAGES pages or more; lines that are only a page number; and our
    own lines (paragraphs, items, table rows) that repeat, numbers masked, on REPEAT_PAGES pages or more."""
    lines: dict[str, set[int]] = defaultdict(set)
    found: dict[str, set[int]] = defaultdict(set)
    numbers = 0
    for section in sections:
        offset = 0
        for line in section.text.split("\n"):
            key = _key(line)
            if key:
                page = section.page_at(offset) or 0
                lines[key].add(page)
                numbers += bool(_PAGE_NUMBER_RE.match(line.strip()))
                for k in running:
                    if k == key or (len(k) >= 20 and k in key):
                        found[k].add(page)
            offset += len(line) + 1
    left = sorted(k for k, pages in found.items() if len(pages) >= REPEAT_PAGES)
    repeated = sorted(k for k, pages in lines.items() if len(pages) >= REPEAT_PAGES)
    return {"running_lines": sorted(running), "running_left": left, "page_number_lines_left": numbers,
            "repeated_lines": len(repeated), "repeated_examples": repeated[:12]}


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.casefold())


def _title_matches(entry: OutlineEntry, title: str) -> bool:
    want = _tokens(entry.title)
    for part in title.split(" — "):
        got = _tokens(part)
        k = min(6, len(want))
        if k and got[:k] == want[:k]:
            return True
    return False


def outline_match(entries: list[OutlineEntry], sections: list[DocSection]) -> dict:
    """How many outline entries became a section with a matching title that starts on the entry's page."""
    hits, misses = 0, []
    for entry in entries:
        if any(_title_matches(entry, s.title) and s.page_starts and s.page_starts[0][1] == entry.page for s in sections):
            hits += 1
        else:
            misses.append(f"{entry.title} (p. {entry.page})")
    return {"entries": len(entries), "matched": hits, "missed": misses}


def measure_pdf(path: Path) -> dict:
    """Every number for one PDF: time, pages, sections, outline match (outline and typography-only), word recall
    and precision against pdftotext, header/footer lines left."""
    data = path.read_bytes()
    start = time.perf_counter()
    content: PdfContent = read_pdf(data)
    seconds = time.perf_counter() - start
    typography = read_pdf(data, use_outline=False)
    result: dict = {
        "file": path.name, "pages": content.pages, "seconds": round(seconds, 2), "sections": len(content.sections),
        "sections_from": "outline" if content.outline else "typography", "removed_margin_lines": content.removed_lines,
        "outline": outline_match(content.outline, content.sections),
        "typography_only": {"sections": len(typography.sections),
                            **(outline_match(content.outline, typography.sections) if content.outline else {})},
    }
    pages = pdftotext_pages(path)
    if pages is None:
        result["pdftotext"] = "not installed: apt-get install -y poppler-utils (word recall and running lines skipped)"
        return result
    running, reference = running_reference(pages)
    ours = our_words(content.sections)
    common = sum((ours & reference).values())
    result["words"] = {
        "pdftotext": sum(reference.values()), "ours": sum(ours.values()),
        "recall": round(common / max(sum(reference.values()), 1), 4),
        "precision": round(common / max(sum(ours.values()), 1), 4),
    }
    result["running"] = running_left(content.sections, running)
    return result


def default_pdfs(settings: Settings) -> list[Path]:
    mirror = settings.corpus.mirror
    return sorted((mirror / "pdf").glob("*.pdf")) if mirror else []


def run_extraction(pdfs: list[Path], out: Path | None) -> dict:
    report = {
        "kind": "extraction", "pdfs": [measure_pdf(p) for p in pdfs],
        "pdftotext": shutil.which("pdftotext") is not None,
        "versions": package_versions(PACKAGES),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "extraction.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report
