"""Word documents written by python-docx in the test: headings, lists, tables, core properties."""

from __future__ import annotations

import datetime as dt
import io

import docx

from rag.corpus.files.docx_file import read_docx


def _document(author: str = "Infection Control Team") -> bytes:
    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.created = "Catheter care", author, dt.datetime(2021, 6, 1)
    document.add_paragraph("Front matter before any heading.")
    document.add_heading("Insertion", level=1)
    document.add_paragraph("Use aseptic technique.")
    document.add_paragraph("sterile gloves", style="List Bullet")
    document.add_paragraph("sterile drape", style="List Bullet")
    document.add_heading("Details", level=4)
    table = document.add_table(rows=2, cols=2)
    for row, (a, b) in zip(table.rows, [("Size", "Use"), ("12 Fr", "Adults")]):
        row.cells[0].text, row.cells[1].text = a, b
    merged = document.add_table(rows=1, cols=3)
    merged.rows[0].cells[0].merge(merged.rows[0].cells[1]).text = "Merged"
    merged.rows[0].cells[2].text = "Last"
    document.add_heading("Removal", level=2)
    document.add_paragraph("Remove as soon as possible.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_sections_lists_tables_and_properties():
    content = read_docx(_document())
    assert (content.meta.title, content.meta.source, content.meta.year) == ("Catheter care", "Infection Control Team", 2021)
    assert content.heading == "Insertion"
    assert [(s.title, s.text) for s in content.sections] == [
        ("", "Front matter before any heading."),
        ("Insertion", "Use aseptic technique.\n\n• sterile gloves\n• sterile drape\n\nDetails\n\nSize | Use\n"
                      "12 Fr | Adults\nMerged | Last"),
        ("Removal", "Remove as soon as possible."),
    ]


def test_a_tool_name_is_not_an_issuing_body():
    assert read_docx(_document(author="python-docx")).meta.source is None
