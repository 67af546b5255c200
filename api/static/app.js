// guideqa web page: ask, follow up in the same conversation, open the evidence behind each [n].
"use strict";

const state = { conversationId: null, busy: false };
const $ = (id) => document.getElementById(id);
const KIND_TITLES = { guideline: "Guidelines", research: "Research", patient: "Patient information" };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const child of children) node.append(child);
  return node;
}

function setBusy(busy) {
  state.busy = busy;
  $("submit").disabled = busy;
  $("question").disabled = busy;
  $("status").textContent = busy ? "Searching the guidelines and research…" : "";
  document.body.classList.toggle("loading", busy);
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

async function ask(question) {
  const body = { question };
  if (state.conversationId) body.conversation_id = state.conversationId;
  const kind = $("kind").value;
  if (kind) body.filters = { kind: [kind] };
  const response = await fetch("/v1/answers", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) {
    throw new Error((data && data.message) || `The server answered ${response.status}.`);
  }
  return data;
}

function renderAnswer(answer) {
  const turn = el("article", { class: "turn", "data-turn": String(answer.turn) });
  turn.append(el("h2", { class: "question" }, answer.question));
  if (answer.standalone_question !== answer.question) {
    turn.append(el("p", { class: "searched" }, "Searched for: ", el("em", {}, answer.standalone_question)));
  }
  if (answer.degraded && answer.degraded.length) {
    turn.append(el("p", { class: "degraded" }, "Part of the index did not answer in time, so this answer may miss " +
      "evidence. Ask again in a moment."));
  }
  if (answer.abstained) {
    turn.append(el("p", { class: "abstention" }, answer.abstention));
  }
  if (answer.unstated) {
    turn.append(el("p", { class: "unstated" }, answer.unstated));
  }
  for (const section of answer.sections) {
    const block = el("section", { class: `answer-section kind-${section.kind}` }, el("h3", {}, section.title));
    let list = el("ul");
    let group = null;
    for (const st of section.statements) {
      if (st.group && st.group !== group) {
        if (list.childElementCount) block.append(list);
        group = st.group;
        block.append(el("h4", { class: "group" }, group));
        list = el("ul");
      }
      const item = el("li", {}, st.text + " ");
      for (const n of st.citations) item.append(citeButton(n, answer));
      if (st.role === "bottom_line") {
        const ref = answer.references.find((r) => r.n === st.citations[0]);
        const body = ref ? [ref.source, ref.year].filter(Boolean).join(", ") : "";
        const grade = (st.grade || "").replace(/^[\s(\[]+|[\s)\]]+$/g, "").replace(/\s+/g, " ");
        const note = [grade, body].filter(Boolean).join(" · ");
        if (note) item.append(el("span", { class: "attribution" }, ` (${note})`));
      }
      if (st.verified === false) item.append(el("span", { class: "unverified" }, " (not verified against the cited source)"));
      if (st.note) item.append(renderNote(st.note, answer));
      list.append(item);
    }
    block.append(list);
    turn.append(block);
  }
  const writer = answer.writer;
  if (writer && writer.name === "llm" && writer.fallback) {
    turn.append(el("p", { class: "writer-note" }, `The LLM's answer was not used (${writer.fallback}); these are verbatim source sentences.`));
  }
  turn.append(renderReferences(answer));
  turn.append(el("p", { class: "disclaimer" }, answer.disclaimer));
  return turn;
}

function citeButton(n, answer) {
  const ref = answer.references.find((r) => r.n === n);
  const button = el("button", { type: "button", class: "cite", title: ref ? ref.title : "" }, `[${n}]`);
  button.addEventListener("click", () => openEvidence(ref));
  return button;
}

// guideqa's own remark on a statement (an older guideline differs); its [n] open the evidence like any citation.
function renderNote(note, answer) {
  const span = el("span", { class: "note" }, "Note: ");
  note.split(/(\[\d+\])/).forEach((part, i) => {
    if (i % 2) span.append(citeButton(Number(part.slice(1, -1)), answer));
    else if (part) span.append(part);
  });
  return span;
}

// Mirrors rag/types.py recency(): "Revised 2016 (first released 2009) · current release".
function recency(r) {
  if (r.kind !== "guideline" || !(r.status || r.first_released)) return "";
  let when = "";
  if (r.year) {
    const first = r.first_released;
    when = first === r.year ? `Released ${r.year}` : `Revised ${r.year}` + (first && first < r.year ? ` (first released ${first})` : "");
  }
  return [when, r.status].filter(Boolean).join(" · ");
}

// Mirrors rag/types.py format_reference(): "p. 12" or "pp. 3, 12" for a paged source.
function pagesLabel(pages) {
  if (!pages || !pages.length) return "";
  return (pages.length === 1 ? "p. " : "pp. ") + pages.join(", ");
}

// Where in the source the cited passages are: "p. 12 · Recommendations".
function citedPlace(r) {
  return [pagesLabel(r.pages), (r.section_titles || []).join("; ")].filter(Boolean).join(" · ");
}

function renderReferences(answer) {
  const wrap = el("section", { class: "references" }, el("h3", {}, "References"));
  for (const kind of ["guideline", "research", "patient"]) {
    const refs = answer.references.filter((r) => r.kind === kind);
    if (!refs.length) continue;
    const list = el("ol", { class: "ref-list" });
    for (const r of refs) {
      const dated = recency(r);
      const meta = [r.source, dated ? null : r.year].filter(Boolean).join(", ");
      const item = el("li", { value: r.n, id: `ref-${answer.turn}-${r.n}` }, el("span", { class: "ref-title" }, r.title), " ");
      if (meta) item.append(el("span", { class: "ref-meta" }, meta + ". "));
      if (dated) item.append(el("span", { class: "ref-status" }, dated + ". "));
      const place = citedPlace(r);
      if (place) item.append(el("span", { class: "ref-place" }, place + ". "));
      if (r.grade) item.append(el("span", { class: "ref-grade" }, `Evidence grade: ${r.grade}. `));
      if (r.pmid) item.append(el("span", {}, `PMID ${r.pmid}. `));
      if (r.url) item.append(el("a", { href: r.url, target: "_blank", rel: "noopener" }, "link"));
      list.append(item);
    }
    wrap.append(el("h4", {}, KIND_TITLES[kind]), list);
  }
  return wrap;
}

async function openEvidence(ref) {
  if (!ref) return;
  const panel = $("evidence");
  const body = $("evidence-body");
  body.replaceChildren(el("p", { class: "status" }, "Loading the cited passage…"));
  panel.hidden = false;
  const query = ref.chunk_ids.map((c) => `chunk=${encodeURIComponent(c)}`).join("&");
  try {
    const response = await fetch(`/v1/sources/${encodeURIComponent(ref.doc_id)}?${query}`);
    const data = await response.json();
    if (!response.ok) throw new Error(data.message || `The server answered ${response.status}.`);
    const meta = [data.source, data.year].filter(Boolean).join(", ");
    body.replaceChildren(
      el("h3", {}, `[${ref.n}] ${data.title}`),
      el("p", { class: "ref-meta" }, meta),
      ...data.passages.map((p) => {
        const where = [p.section, p.page ? `p. ${p.page}` : ""].filter(Boolean).join(" · ");
        return el("blockquote", { class: "passage" }, el("strong", {}, where ? where + ": " : ""), p.text);
      }),
    );
    if (data.url) body.append(el("a", { href: data.url, target: "_blank", rel: "noopener" }, "Open the source"));
  } catch (err) {
    body.replaceChildren(el("p", { class: "error" }, `Could not load the passage: ${err.message}`));
  }
}

$("close-evidence").addEventListener("click", () => { $("evidence").hidden = true; });

$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (state.busy) return;
  const question = $("question").value.trim();
  if (!question) { showError("Please type a question."); return; }
  showError("");
  setBusy(true);
  try {
    const answer = await ask(question);
    state.conversationId = answer.conversation_id;
    $("thread").append(renderAnswer(answer));
    $("question").value = "";
    $("ask-label").textContent = "Have a follow-up question?";
    $("new").hidden = false;
    $("thread").dataset.conversation = answer.conversation_id;
  } catch (err) {
    showError(err.message);
  } finally {
    setBusy(false);
    $("question").focus();
  }
});

$("new").addEventListener("click", () => {
  state.conversationId = null;
  $("thread").replaceChildren();
  delete $("thread").dataset.conversation;
  $("ask-label").textContent = "Ask a clinical question";
  $("new").hidden = true;
  showError("");
});
