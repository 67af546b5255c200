"""HTML pages: sections at h1-h3, meta tags, and scripts never indexed."""

from __future__ import annotations

from rag.corpus.files.html_file import read_html

PAGE = """<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><html><head>
<meta charset="utf-8"><title>Hand hygiene | Example site</title>
<meta name="DC.Publisher" content="Ministry of Health"><meta name="citation_publication_date" content="2019/03/01">
<link rel="canonical" href="https://example.org/hh"><script>alert('x')</script><style>p { color: red }</style></head>
<body onload="track()"><nav>Home | About</nav>
<h1>Hand hygiene guideline</h1><p>Intro <b>text</b> here.<br>Second line.</p><!-- not text -->
<h2>Recommendations</h2><ul><li>Wash hands <a href="javascript:go()">before</a> care.</li><li>Use ﬁve moments.</li></ul>
<table><tr><th>Product</th><th>Strength</th></tr><tr><td>Chlorhexidine</td><td>2%</td></tr></table>
<h4>Remarks</h4><p>Last words.</p><noscript>Enable JavaScript</noscript><script>var secret = 1;</script></body></html>"""


def test_sections_text_and_metadata():
    content = read_html(PAGE.encode("utf-8"))
    meta = content.meta
    assert (meta.title, meta.source, meta.year, meta.url) == (
        "Hand hygiene | Example site", "Ministry of Health", 2019, "https://example.org/hh")
    assert content.heading == "Hand hygiene guideline"
    assert [(s.title, s.text) for s in content.sections] == [
        ("Hand hygiene guideline", "Intro text here.\nSecond line."),
        ("Recommendations", "• Wash hands before care.\n• Use five moments.\n\nProduct | Strength\n"
                            "Chlorhexidine | 2%\n\nRemarks\n\nLast words."),
    ]


def test_scripts_styles_and_event_handlers_are_removed_and_noted():
    content = read_html(PAGE.encode("utf-8"))
    text = " ".join(s.text for s in content.sections)
    for code in ("alert", "secret", "color: red", "track", "go()", "JavaScript", "Home | About", "not text"):
        assert code not in text
    assert content.notes == ["removed 2 <script> elements and 2 event handlers (on… attributes, javascript: links): "
                             "code is never indexed"]


def test_encoding_from_meta_charset_and_no_title_tag():
    html = '<html><head><meta charset="windows-1252"></head><body><p>caf\u00e9</p></body></html>'.encode("cp1252")
    content = read_html(html)
    assert content.sections[0].text == "caf\u00e9" and content.meta.title is None and content.notes == []
