// The table console: follows the team's board feed, swaps in server-rendered pieces when it
// moves, sends commands to the JSON API and shows every refusal next to what was attempted.
// Nothing typed is lost: the editor's text stays in localStorage until it is saved or tabled.

import { Feed, showConnection } from "./feed.js";
import { _, page } from "./i18n.js";
import { wordDiff } from "./console-diff.js";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const nid = page.negotiation_id;
const api = `/api/negotiations/${nid}`;
const drafts = new Map(Object.entries(page.drafts || {})); // draft id → article id
const storeKey = (articleId) => `console:${nid}:${articleId}`;

// ------------------------------------------------------------------ pieces from the server
let chain = Promise.resolve();
// The position each part was last fetched at (the server renders at least that far). A
// command's own refresh and the feed's echo of it ask for the same part at the same
// position: the second fetch is skipped, it could bring nothing newer.
const fetchedAt = new Map();

function refresh(names, position) {
  const known = position !== null && position !== undefined;
  chain = chain.then(async () => {
    const wanted = [...new Set(names)].filter((name) => !(known && fetchedAt.get(name) >= position));
    if (!wanted.length) return;
    const query = new URLSearchParams({ names: wanted.join(","), lang: page.lang });
    if (known) query.set("after", String(position));
    let response;
    try {
      response = await fetch(`/console/${nid}/parts?${query}`);
    } catch {
      return; // the feed reconnects and brings a snapshot or the changes again
    }
    if (!response.ok) return;
    if (known) for (const name of wanted) fetchedAt.set(name, position);
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fragment = holder.querySelector("template").content;
    for (const node of $$("[data-part]", fragment)) swap(node);
  });
  return chain;
}

// What the server last sent for each part. A snapshot after a reconnect, and a session's
// change, which refetches every row, mostly bring markup the page already shows; replacing
// it anyway would swallow a click pressed as it lands (mousedown on the old button, mouseup
// on the new) and drop a refusal shown beside it.
const received = new Map();

function swap(node) {
  const name = node.dataset.part;
  const existing = document.querySelector(`[data-part="${CSS.escape(name)}"]`);
  const markup = node.outerHTML;
  if (existing && received.get(name) === markup) return;
  received.set(name, markup);
  if (!existing) {
    if (name.startsWith("article:")) $("#rows").append(node);
    return;
  }
  // A ticked package box, what is being typed in a form, or a focused button keeps its
  // state across the swap.
  for (const box of $$("input[type=checkbox][id]", existing)) {
    const twin = node.querySelector(`#${CSS.escape(box.id)}`);
    if (twin) twin.checked = box.checked;
  }
  for (const form of $$("form[data-act]", existing)) keepTyped(form, $$("form[data-act]", node).find((f) => f.dataset.act === form.dataset.act));
  const focused = existing.contains(document.activeElement) ? document.activeElement : null;
  const focusKey = focused && (focused.dataset.act || focused.dataset.edit || (focused === existing && "row"));
  existing.replaceWith(node);
  restoreForms(node);
  if (focusKey === "row") node.focus();
  else if (focusKey) {
    const again = $$("[data-act],[data-edit]", node).find((e) => (e.dataset.act || e.dataset.edit) === focusKey);
    (again || node).focus?.();
  }
  tick();
}

function keepTyped(form, twin) {
  if (!twin) return;
  for (const field of form.elements) {
    const other = field.name && twin.elements.namedItem(field.name);
    if (!other || other instanceof RadioNodeList) continue;
    if (field.type === "checkbox") {
      if (field.checked !== field.defaultChecked) other.checked = field.checked;
    } else if (field.tagName === "SELECT") {
      if ([...field.options].some((o) => o.selected !== o.defaultSelected)) {
        const chosen = new Set([...field.selectedOptions].map((o) => o.value));
        for (const option of other.options) option.selected = chosen.has(option.value);
      }
    } else if (field.value !== field.defaultValue) other.value = field.value;
  }
}

function namesFor(set, remove) {
  const names = [];
  for (const [name, part] of Object.entries(set)) {
    if (name.startsWith("article:")) {
      names.push(name, "packages");
      // A new subject also joins the session's agenda choices.
      if (!document.querySelector(`[data-part="${CSS.escape(name)}"]`)) names.push("session");
    }
    else if (name.startsWith("draft:")) {
      drafts.set(name.slice(6), part.article_id);
      names.push(`article:${part.article_id}`, "packages");
    } else if (name.startsWith("note:")) names.push("notes");
    else if (name.startsWith("session:")) names.push("session", ...allRows());
    else if (name === "negotiation") names.push("negotiation", "team");
    else if (name === "ground_rules") names.push(page.party ? "team" : "rules"); // the facilitator's: read only
  }
  for (const name of remove) {
    if (name.startsWith("draft:") && drafts.has(name.slice(6))) names.push(`article:${drafts.get(name.slice(6))}`, "packages");
    else if (name.startsWith("article:")) $(`[data-part="${CSS.escape(name)}"]`)?.remove();
  }
  return names;
}

const allRows = () => $$("#rows [data-part]").map((r) => r.dataset.part);
const everything = () => ["negotiation", "session", "notes", "packages", "team", "rules", ...allRows()];

// ------------------------------------------------------------------ commands
function refusalOf(control) {
  return control.closest(".control")?.querySelector(".refusal") || $("#editor-refusal");
}

function showRefusal(control, error, retry) {
  const place = refusalOf(control);
  place.textContent = error.detail || _("That did not go through. Try again.");
  place.hidden = false;
  place.dataset.rule = error.rule || "";
  if (error.rule === "stale_write" && retry) {
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = _("Reload and retry");
    again.addEventListener("click", async () => {
      await refresh(everything(), null);
      retry();
    });
    place.append(" ", again);
  }
}

function clearRefusal(control) {
  const place = refusalOf(control);
  place.hidden = true;
  place.textContent = "";
}

// One request to the JSON API from this page's own origin; answers the body or throws the
// domain's {rule, detail}.
async function send(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
  } catch {
    throw { rule: "offline", detail: _("No connection to the server: nothing was recorded. Try again.") };
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw { rule: data.rule, detail: data.detail || _("That did not go through. Try again.") };
  return data;
}

async function act(control, method, url, body, retry) {
  clearRefusal(control);
  try {
    const done = await send(method, url, body);
    const kept = control.closest("form[data-remember]");
    if (kept) localStorage.removeItem(formKey(kept)); // recorded: nothing left to keep
    if (control.tagName === "FORM" && !control.dataset.keep) control.reset(); // before its part is swapped
    const part = control.closest("[data-part]");
    await refresh(part ? [part.dataset.part] : [], done.position);
    return done;
  } catch (error) {
    showRefusal(control, error, retry);
    return null;
  }
}

function formBody(form) {
  const body = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    const type = field.dataset.type;
    if (type === "list") body[field.name] = [...field.selectedOptions].map((o) => o.value);
    else if (type === "bool") body[field.name] = field.checked;
    else if (field.value === "") continue;
    else if (type === "csv") body[field.name] = field.value.split(",").map((v) => v.trim()).filter(Boolean);
    else if (type === "int") body[field.name] = Number(field.value);
    else if (type === "datetime") body[field.name] = new Date(field.value).toISOString();
    else body[field.name] = field.value;
  }
  return body;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-act]");
  if (button) {
    const run = () => act(button, button.dataset.method, button.dataset.act, JSON.parse(button.dataset.body || "{}"), run);
    run();
    return;
  }
  const edit = event.target.closest("button[data-edit]");
  if (edit) openEditor(edit.closest("tr"), edit.dataset.edit);
});

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (form.matches("[data-package]")) return tablePackage(event, form);
  if (!form.dataset.act) return;
  event.preventDefault();
  const run = async () => {
    const done = await act(form, form.dataset.method, form.dataset.act, formBody(form), run);
    if (done && form.id === "note-form") { form.text.value = ""; localStorage.removeItem(storeKey("note")); }
    else if (done && form.id === "bulletin-form") { localStorage.removeItem(storeKey("bulletin")); }
    else if (done && form.id !== "bulletin-form") form.reset();
  };
  run();
});

async function tablePackage(event, form) {
  event.preventDefault();
  const items = $$("input[type=checkbox]:checked", form).map((box) => ({
    article_id: box.value,
    text: box.dataset.text,
    ...(box.dataset.answers ? { answers: box.dataset.answers } : {}),
    ...(box.dataset.revises ? { revises: box.dataset.revises } : {}),
  }));
  await act(form, "POST", `${api}/packages`, { items });
}

// ------------------------------------------------------------------ the editor
const editor = {
  section: $("#editor"), text: $("#editor-text"), row: null, articleId: null, answers: null, revises: null,
};

function side(row, party) {
  const cell = row.querySelector(`td.side[data-party="${party}"]`);
  return cell && cell.dataset.proposal
    ? { id: cell.dataset.proposal, version: cell.dataset.version, status: cell.dataset.status, text: cell.dataset.text }
    : null;
}
const other = page.party === "union" ? "employer" : "union";
const partyName = (party) => (party === "union" ? page.union_name : page.employer_name);

function openEditor(row, mode) {
  if (!row || !editor.section) return; // the facilitator's console has no editor
  const articleId = row.dataset.article;
  const ours = side(row, page.party), theirs = side(row, other);
  const draft = row.querySelector(".draft");
  editor.row = row;
  editor.articleId = articleId;
  // The draft as this editor saw it: a teammate's revision meanwhile is a stale write to be
  // reloaded, never overwritten in silence.
  editor.draft = draft ? { id: draft.dataset.draft, revision: Number(draft.dataset.revision), text: draft.dataset.text } : null;
  editor.answers = theirs && theirs.status === "live" ? theirs : null;
  editor.revises = !editor.answers && ours && ours.status === "live" ? ours : null;
  const start = mode === "counter" && theirs ? theirs.text
    : draft ? draft.dataset.text : ours ? ours.text : row.dataset.current;
  editor.text.value = localStorage.getItem(storeKey(articleId)) ?? start;
  $("#editor-article").textContent = row.querySelector("th").textContent.trim().replace(/\s+/g, " ");
  $("#editor-answering").textContent = editor.answers
    ? _("Counter answering %(party)s v%(version)s", { party: partyName(other), version: editor.answers.version })
    : editor.revises ? _("Revision of our v%(version)s", { version: editor.revises.version })
    : _("A new proposal");
  $("#editor-refusal").hidden = true;
  $("#editor-retry").hidden = true;
  $("#editor-saved").textContent = "";
  editor.section.hidden = false;
  editor.text.focus();
  redlines();
}

function redlines() {
  if (!editor.row) return;
  const row = $(`[data-part="article:${CSS.escape(editor.articleId)}"]`) || editor.row;
  const theirs = side(row, other);
  $("#redline-theirs").innerHTML = wordDiff(theirs ? theirs.text : row.dataset.current, editor.text.value);
  $("#redline-current").innerHTML = wordDiff(row.dataset.current, editor.text.value);
}

let pending = 0;
editor.text?.addEventListener("input", () => {
  if (editor.articleId) localStorage.setItem(storeKey(editor.articleId), editor.text.value);
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(redlines);
});

function editorFailed(error) {
  showRefusal(editor.text, error, null);
  $("#editor-retry").hidden = !["stale_write", "must_answer_latest_proposal", "not_latest_version"].includes(error.rule);
}

async function saveDraft() {
  const draft = editor.draft;
  $("#editor-refusal").hidden = true;
  try {
    const done = draft
      ? await send("PUT", `${api}/drafts/${draft.id}`, { text: editor.text.value, expected_revision: draft.revision })
      : await send("POST", `${api}/drafts`, { article_id: editor.articleId, text: editor.text.value });
    if (draft) draft.revision += 1;
    else editor.draft = { id: done.id, revision: 1, text: editor.text.value };
    editor.draft.text = editor.text.value;
    localStorage.removeItem(storeKey(editor.articleId));
    $("#editor-saved").textContent = _("Saved as a team draft.");
    await refresh([`article:${editor.articleId}`, "packages"], done.position);
    return done;
  } catch (error) {
    editorFailed(error);
    return null;
  }
}

async function tableIt() {
  if (!editor.articleId) return;
  const received = $("#editor-received").checked;
  const row = $(`[data-part="article:${CSS.escape(editor.articleId)}"]`);
  const draft = editor.draft;
  const answer = editor.answers ? { answers: editor.answers.id } : editor.revises ? { revises: editor.revises.id } : {};
  $("#editor-refusal").hidden = true;
  try {
    let done;
    if (received) {
      // The other side's proposal from paper: it answers our live one, or revises theirs.
      const ours = side(row, page.party), theirs = side(row, other);
      const link = ours && ours.status === "live" ? { answers: ours.id } : theirs && theirs.status === "live" ? { revises: theirs.id } : {};
      done = await send("POST", `${api}/articles/${editor.articleId}/proposals`, { text: editor.text.value, as_received: true, ...link });
    } else if (draft) {
      if (draft.text !== editor.text.value) {
        await send("PUT", `${api}/drafts/${draft.id}`, { text: editor.text.value, expected_revision: draft.revision });
        draft.revision += 1;
        draft.text = editor.text.value;
      }
      done = await send("POST", `${api}/drafts/${draft.id}/table`, answer);
    } else {
      done = await send("POST", `${api}/articles/${editor.articleId}/proposals`, { text: editor.text.value, ...answer });
    }
    localStorage.removeItem(storeKey(editor.articleId));
    $("#editor-saved").textContent = _("Tabled.");
    await refresh([`article:${editor.articleId}`, "packages"], done.position);
    editor.section.hidden = true;
    const tabled = $(`[data-part="article:${CSS.escape(editor.articleId)}"]`);
    editor.articleId = null;
    tabled?.focus();
  } catch (error) {
    editorFailed(error);
  }
}

$("#editor-save")?.addEventListener("click", saveDraft);
$("#editor-table")?.addEventListener("click", tableIt);
$("#editor-close")?.addEventListener("click", () => { editor.section.hidden = true; editor.row?.focus(); });
$("#editor-retry")?.addEventListener("click", async () => {
  await refresh(everything(), null);
  const row = $(`[data-part="article:${CSS.escape(editor.articleId)}"]`);
  const text = editor.text.value;
  openEditor(row, editor.answers ? "counter" : "draft");
  editor.text.value = text; // the typed text stays; only what it answers is brought up to date
  redlines();
});
$("#editor-start-current")?.addEventListener("click", () => {
  const row = $(`[data-part="article:${CSS.escape(editor.articleId)}"]`);
  editor.text.value = row.dataset.current;
  editor.text.dispatchEvent(new Event("input"));
});
$("#editor-start-theirs")?.addEventListener("click", () => {
  const row = $(`[data-part="article:${CSS.escape(editor.articleId)}"]`);
  const theirs = side(row, other);
  if (theirs) { editor.text.value = theirs.text; editor.text.dispatchEvent(new Event("input")); }
});
editor.text?.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") { event.preventDefault(); tableIt(); }
  else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") { event.preventDefault(); saveDraft(); }
  else if (event.key === "Escape") { editor.section.hidden = true; editor.row?.focus(); }
});

// ------------------------------------------------------------------ forms in live parts keep their text too
// A form marked data-remember (ground rules, a late article) keeps what is typed in it in
// localStorage: across a swap of its part by the feed, a refusal and a reload.
const formKey = (form) => storeKey(`form:${form.id}`);

function restoreForms(root) {
  for (const form of $$("form[data-remember][id]", root)) {
    const saved = JSON.parse(localStorage.getItem(formKey(form)) || "null");
    if (!saved) continue;
    for (const field of form.elements) {
      if (!field.name || !(field.name in saved)) continue;
      if (field.type === "checkbox") field.checked = saved[field.name];
      else field.value = saved[field.name];
    }
  }
}

function rememberForm(event) {
  const form = event.target.closest?.("form[data-remember][id]");
  if (!form) return;
  const saved = {};
  for (const field of form.elements) {
    if (field.name) saved[field.name] = field.type === "checkbox" ? field.checked : field.value;
  }
  localStorage.setItem(formKey(form), JSON.stringify(saved));
}
document.addEventListener("input", rememberForm);
document.addEventListener("change", rememberForm);
restoreForms(document);

// ------------------------------------------------------------------ notes and bulletin keep their text too
for (const [id, key] of [["note-text", "note"], ["bulletin-text", "bulletin"]]) {
  const area = document.getElementById(id);
  if (!area) continue;
  area.value = localStorage.getItem(storeKey(key)) ?? area.value;
  area.addEventListener("input", () => localStorage.setItem(storeKey(key), area.value));
}
$("#bulletin-generate")?.addEventListener("click", async (event) => {
  const button = event.currentTarget;
  clearRefusal(button);
  try {
    const response = await fetch(button.dataset.draft);
    const data = await response.json();
    if (!response.ok) throw data;
    $("#bulletin-text").value = data.text;
    localStorage.setItem(storeKey("bulletin"), data.text);
  } catch (error) {
    showRefusal(button, error, null);
  }
});

// ------------------------------------------------------------------ keyboard
const currentRow = () => document.activeElement?.closest?.("#rows tr")
  || $(`#rows tr:has(.on-table-mark)`) || $("#rows tr");

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select")) return;
  const rows = $$("#rows tr");
  const row = currentRow();
  const key = event.key;
  if (key === "j" || key === "k") {
    const index = rows.indexOf(document.activeElement?.closest?.("#rows tr"));
    const next = rows[Math.max(0, Math.min(rows.length - 1, index + (key === "j" ? 1 : -1)))];
    next?.focus();
  } else if (key === "e") openEditor(row, "draft");
  else if (key === "c") openEditor(row, "counter");
  else if (key === "t") { if (editor.articleId) tableIt(); else openEditor(row, "draft"); }
  else if (key === "a") row?.querySelector("button.ta")?.click();
  else if (key === "u") $("button.caucus-toggle")?.click();
  else if (key === "n") $("#note-text")?.focus();
  else return;
  event.preventDefault();
});

// ------------------------------------------------------------------ clocks
function tick() {
  const clock = $("#clock");
  if (clock && clock.dataset.opened) {
    const recess = Number(clock.dataset.recessSeconds || 0) * 1000;
    const paused = clock.dataset.recessStarted ? Date.now() - Date.parse(clock.dataset.recessStarted) : 0;
    const ms = Math.max(0, Date.now() - Date.parse(clock.dataset.opened) - recess - paused);
    const minutes = Math.floor(ms / 60000);
    clock.textContent = `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
  }
  for (const since of $$("time.since")) {
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since.dateTime)) / 60000));
    since.textContent = _("%(minutes)s min", { minutes });
  }
}
setInterval(tick, 15000);
tick();

// ------------------------------------------------------------------ the feed
const feed = new Feed(`/ws/negotiations/${nid}/?feed=board`, {
  after: page.position,
  onSnapshot: (_parts, position) => refresh(everything(), position),
  onChange: (set, remove, position) => refresh(namesFor(set, remove), position),
});
showConnection($(".connection"), [feed], { live: _("live"), reconnecting: _("reconnecting…") });
feed.start();
window.consoleFeed = feed;
window.consoleSettled = () => chain; // resolves once every refresh asked for so far is on the page
