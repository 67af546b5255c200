"""The web page's rendering of an answer, run in Node against a tiny stand-in DOM (no browser needed).

The browser tests (test_web_page.py) need Debian's chromium; this checks what app.js writes for a reference's
revision year and status, for a note and for the pages and sections a reference cites, from the same JSON the API
returns.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from api.schemas import AnswerOut
from tests.rag.test_types import NEW, OLD, answer

APP_JS = Path(__file__).resolve().parents[2] / "api" / "static" / "app.js"
NODE = shutil.which("node")

# Just enough DOM for app.js: elements with children, text, classes and listeners.
HARNESS = r"""
const fs = require("fs"), vm = require("vm");
class Node {
  constructor(tag) { this.tagName = tag; this.children = []; this.className = ""; this.dataset = {}; this.attrs = {}; }
  append(...cs) { for (const c of cs) this.children.push(typeof c === "string" ? { text: c } : c); }
  replaceChildren(...cs) { this.children = []; this.append(...cs); }
  setAttribute(k, v) { this.attrs[k] = v; }
  addEventListener() {}
  focus() {}
  get childElementCount() { return this.children.filter((c) => c instanceof Node).length; }
  get textContent() { return this.children.map((c) => (c instanceof Node ? c.textContent : c.text)).join(""); }
  set textContent(v) { this.children = [{ text: String(v) }]; }
  all(cls) { return [this.className === cls ? [this] : [], ...this.children.filter((c) => c instanceof Node).map((c) => c.all(cls))].flat(); }
}
const byId = {};
const document = { createElement: (t) => new Node(t), getElementById: (id) => (byId[id] ||= new Node("div")),
                   body: { classList: { toggle() {} } } };
const ctx = vm.createContext({ document, fetch: async () => ({}), console });
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), ctx);
const answer = JSON.parse(fs.readFileSync(0, "utf8"));
const turn = ctx.renderAnswer(answer);
const texts = (cls) => turn.all(cls).map((n) => n.textContent);
process.stdout.write(JSON.stringify({ status: texts("ref-status"), meta: texts("ref-meta"), notes: texts("note"),
                                      place: texts("ref-place"), unstated: texts("unstated"),
                                      cites: turn.all("note").flatMap((n) => n.all("cite")).map((n) => n.textContent) }));
"""


def render(payload: dict) -> dict:
    out = subprocess.run([NODE, "-e", HARNESS, str(APP_JS)], input=json.dumps(payload), capture_output=True,
                         text=True, timeout=60, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_page_shows_revision_year_status_and_notes():
    payload = AnswerOut.from_answer(answer(NEW, OLD), "0" * 32, 1).model_dump()
    shown = render(payload)
    assert shown["status"] == ["Revised 2016 (first released 2009) · current release, reaffirmed 2016. ",
                               "Released 2012 · current release. "]
    assert shown["meta"] == ["Example Society. ", "Other Body. "]  # the year moved to the status line
    assert shown["notes"] == ["Note: An older guideline (2012) [2] differs (opposite recommendation).",
                              "Note: A newer guideline (2016) [1] differs (opposite recommendation)."]
    assert shown["cites"] == ["[2]", "[1]"]  # the [n] in a note open the evidence like any citation


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_page_shows_an_old_indexs_reference_as_before():
    payload = AnswerOut.from_answer(answer(NEW.model_copy(update={"status": None, "first_released": None}), OLD),
                                    "0" * 32, 1).model_dump()
    shown = render(payload)
    assert shown["meta"][0] == "Example Society, 2016. " and len(shown["status"]) == 1


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_page_shows_the_cited_pages_and_sections():
    paged = NEW.model_copy(update={"pages": [12], "chunk_ids": ["ngc-2#3:0-10"]})
    payload = AnswerOut.from_answer(answer(paged, OLD.model_copy(update={"pages": [3, 12]})), "0" * 32, 1,
                                    lambda chunk_id: "Recommendations" if chunk_id == "ngc-2#3:0-10" else None).model_dump()
    assert payload["references"][0]["section_titles"] == ["Recommendations"]
    shown = render(payload)
    assert shown["place"] == ["p. 12 · Recommendations. ", "pp. 3, 12. "]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_reference_without_pages_or_sections_shows_no_place():
    assert render(AnswerOut.from_answer(answer(NEW, OLD), "0" * 32, 1).model_dump())["place"] == []


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_page_says_what_no_statement_gives():
    said = "None of the statements found gives a dose; the full source may."
    shown = render(AnswerOut.from_answer(answer(NEW, OLD).model_copy(update={"unstated": said}), "0" * 32, 1).model_dump())
    assert shown["unstated"] == [said]
    assert render(AnswerOut.from_answer(answer(NEW, OLD), "0" * 32, 1).model_dump())["unstated"] == []
