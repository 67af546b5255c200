"""Small PDFs written by hand for the tests: text in the standard fonts, ruled lines, pages, outline, password."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf

WIDTH, HEIGHT = 612, 792


@dataclass
class Text:
    x: float
    top: float  # from the top of the page, as the reader measures
    text: str
    size: float = 10
    bold: bool = False


@dataclass
class Rule:
    x0: float
    top0: float
    x1: float
    top1: float


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(items: list) -> bytes:
    ops = []
    for item in items:
        if isinstance(item, Text):
            font = "F2" if item.bold else "F1"
            ops.append(f"BT /{font} {item.size} Tf {item.x} {HEIGHT - item.top - item.size} Td "
                       f"({_escape(item.text)}) Tj ET")
        else:
            ops.append(f"0.6 w {item.x0} {HEIGHT - item.top0} m {item.x1} {HEIGHT - item.top1} l S")
    return "\n".join(ops).encode("latin-1")


def pdf_bytes(pages: list[list], title: str | None = None, author: str | None = None,
              created: str | None = None) -> bytes:
    """A PDF with one page per item list (Helvetica and Helvetica-Bold), and an info dictionary when given."""
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [5 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Count {n_pages} /Kids [{' '.join(f'{i} 0 R' for i in page_ids)}] >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    for i, items in enumerate(pages):
        stream = _content(items)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] /Contents {page_ids[i] + 1} 0 R "
                       f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>".encode())
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    info = {"Title": title, "Author": author, "CreationDate": created}
    info_id = None
    if any(info.values()):
        objects.append(("<< " + " ".join(f"/{k} ({_escape(v)})" for k, v in info.items() if v) + " >>").encode("latin-1"))
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info_id} 0 R" if info_id else "") + " >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _rewrite(data: bytes, change) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def with_outline(data: bytes, entries: list[tuple[str, int]]) -> bytes:
    """The PDF with a bookmark outline: (title, 0-based page index) entries."""
    return _rewrite(data, lambda w: [w.add_outline_item(title, page) for title, page in entries])


def encrypted(data: bytes, user: str, owner: str = "owner") -> bytes:
    """The PDF encrypted (RC4, no extra package needed); an empty user password opens without one."""
    return _rewrite(data, lambda w: w.encrypt(user_password=user, owner_password=owner))


def blank_pdf(pages: int = 1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(WIDTH, HEIGHT)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
