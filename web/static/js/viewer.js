// The live viewer of a session: applies the session and board feeds to the first paint
// (markup mirrors web/templates/_macros.html and viewer.html).

import { Cards } from "./cards.js";
import { Feed, showConnection } from "./feed.js";
import { _, localClockTime, localizeTimes, number, page } from "./i18n.js";

const $ = (selector, root = document) => root.querySelector(selector);
const base = `/ws/negotiations/${page.negotiation_id}/`;
let negotiation = { articles_agreed: 0, articles_total: 0 };

function partyName(party) {
  if (party === "union") return page.union_name;
  if (party === "employer") return page.employer_name;
  return _("the facilitator");
}
const other = (party) => (party === "union" ? "employer" : "union");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function articleStatus(a) {
  if (a.status === "open") return _("Open");
  if (a.status === "proposed") return _("Proposed by %(party)s", { party: partyName(a.proposed_by) });
  if (a.status === "countered")
    return _("Countered by %(party)s", { party: partyName(a.last_move_party || a.proposed_by) });
  if (a.status === "agreed") return _("Tentatively agreed");
  if (a.status === "withdrawn") return _("Withdrawn");
  return a.status;
}

function whoseMove(a) {
  if (a.status === "proposed") return _("%(party)s to answer", { party: partyName(other(a.proposed_by)) });
  if (a.status === "countered" && a.last_move_party)
    return _("%(party)s to answer", { party: partyName(other(a.last_move_party)) });
  return "";
}

function articleRow(a) {
  const href = `/negotiations/${page.negotiation_id}/articles/${a.article_id}?lang=${page.lang}`;
  return el(
    "li",
    { "data-part": `article:${a.article_id}`, class: `article status-${a.status}` },
    el("a", { href }, el("span", { class: "num" }, _("Art. %(number)s", { number: a.number })), " ",
      el("span", { class: "title" }, a.title)),
    " ", el("span", { class: "status" }, articleStatus(a)),
    " ", el("span", { class: "move" }, whoseMove(a)),
  );
}

const TIMELINE = {
  article_opened: () => _("Article opened"),
  tabled: () => _("Proposal tabled"),
  countered: () => _("Counterproposal tabled"),
  revised: () => _("Proposal revised"),
  agreed: () => _("Tentatively agreed"),
  package_withdrawn: () => _("Package withdrawn"),
  proposal_withdrawn: () => _("Proposal withdrawn"),
  article_withdrawn: () => _("Article withdrawn"),
  ta_signed: () => _("TA signed"),
  article_reopened: () => _("Article reopened"),
  session_opened: () => _("Session opened"),
  session_recessed: () => _("Recess"),
  session_resumed: () => _("Back from recess"),
  session_closed: () => _("Session closed"),
  article_on_table: () => _("Brought to the table"),
  caucus_called: () => _("Caucus called"),
  caucus_ended: () => _("Caucus over"),
  reaction_totals: () => _("Card totals closed"),
};
const SESSION_STATUS = {
  scheduled: () => _("Scheduled"),
  open: () => _("In session"),
  recessed: () => _("In recess"),
  closed: () => _("Ended"),
};

function timelineItem(name, t) {
  const item = el("li", { "data-part": name },
    el("time", { datetime: t.at, "data-clock": "" }, localClockTime(t.at)), " ",
    el("span", { class: "what" }, (TIMELINE[t.kind] || (() => t.kind))()));
  if (t.party) item.append(" · ", el("span", { class: "who" }, partyName(t.party)));
  const row = t.article_id && $(`[data-part="article:${t.article_id}"] .num`);
  if (row) item.append(" · ", el("span", { class: "article-ref" }, row.textContent));
  return item;
}

// ------------------------------------------------------------------ parts → page
// Timeline parts are named by position: keep them newest first. Articles keep the board's
// order, where a new subject comes last.
function setKeyed(container, name, node, byName) {
  const existing = container.querySelector(`[data-part="${CSS.escape(name)}"]`);
  if (existing) return existing.replaceWith(node);
  const before = byName ? [...container.children].find((c) => c.dataset.part < name) : null;
  container.insertBefore(node, before || null);
}

function renderTaCounter() {
  const counter = $("#ta-counter");
  if (counter) counter.textContent = _("%(agreed)s of %(total)s articles tentatively agreed", {
    agreed: number(negotiation.articles_agreed), total: number(negotiation.articles_total) });
}

function renderClock(c) {
  const clock = $("#clock");
  if (!clock) return;
  clock.dataset.opened = c.opened_at || "";
  clock.dataset.closed = c.closed_at || "";
  clock.dataset.recessStarted = c.status === "recessed" ? c.recess_started_at || "" : "";
  clock.dataset.recessSeconds = String(c.recess_seconds || 0);
  tick();
  const banner = $("#caucus");
  banner.hidden = !c.caucus_party;
  banner.textContent = c.caucus_party
    ? _("In caucus: %(party)s, since %(time)s", { party: partyName(c.caucus_party), time: localClockTime(c.caucus_since) })
    : "";
  document.body.classList.toggle("in-caucus", Boolean(c.caucus_party));
}

function tick() {
  const clock = $("#clock");
  if (!clock || !clock.dataset.opened) return;
  const end = clock.dataset.closed ? Date.parse(clock.dataset.closed)
    : clock.dataset.recessStarted ? Date.parse(clock.dataset.recessStarted) : Date.now();
  const seconds = Math.max(0, Math.floor((end - Date.parse(clock.dataset.opened)) / 1000
    - Number(clock.dataset.recessSeconds || 0)));
  const pad = (n) => String(n).padStart(2, "0");
  clock.textContent = `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

function renderDetail(d) {
  const attendance = $("#attendance");
  if (!attendance) return;
  attendance.textContent = d.attendance === null ? _("not counted yet")
    : d.capacity ? _("%(count)s of %(capacity)s", { count: number(d.attendance), capacity: number(d.capacity) })
    : number(d.attendance);
}

function renderSummary(s) {
  const status = $("#session-status");
  status.dataset.status = s.status;
  status.textContent = (SESSION_STATUS[s.status] || (() => s.status))();
  // Visibility changed under us (a session opened up, or closed): the page's sections differ.
  if (Boolean($("#hidden-notice")) === s.details_visible) location.reload();
}

async function markUp(before, after) {
  const response = await fetch("/pages/redline", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ before, after }),
  });
  if (!response.ok) throw new Error(`redline: ${response.status}`);
  return (await response.json()).html;
}

let onTableVersion = 0;
async function renderOnTable(t) {
  const version = ++onTableVersion;
  const current = t.current_language || "";
  const sides = [t.union, t.employer].filter(Boolean);
  const marks = {};
  const jobs = sides.map(async (side) => {
    marks[`current:${side.party}`] = await markUp(current, side.text);
  });
  if (sides.length === 2) {
    const [earlier, later] = [...sides].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    jobs.push(markUp(earlier.text, earlier.text).then((h) => (marks[`sides:${earlier.party}`] = h)));
    jobs.push(markUp(earlier.text, later.text).then((h) => (marks[`sides:${later.party}`] = h)));
  }
  await Promise.all(jobs);
  if (version !== onTableVersion) return; // a newer change is being drawn
  $("#on-table-article").textContent = t.article_id
    ? `${_("Art. %(number)s", { number: t.number })} — ${t.title}` : _("Nothing is on the table right now.");
  for (const party of ["union", "employer"]) {
    const side = t[party];
    const column = $(`#sides [data-party="${party}"]`);
    const heading = column.querySelector("h3");
    column.replaceChildren(heading);
    if (!side) {
      column.append(el("p", { class: "meta none" }, _("No proposal yet.")));
      continue;
    }
    const meta = el("p", { class: "meta" }, _("Version %(version)s", { version: side.version }), " · ",
      el("time", { datetime: side.at, "data-clock": "" }, localClockTime(side.at)));
    if (side.status === "agreed") meta.append(` · ${_("Tentatively agreed")}`);
    column.append(meta);
    for (const mode of ["sides", "current"]) {
      const text = el("div", { class: "text redline", "data-mode": mode });
      text.innerHTML = marks[`${mode}:${party}`] ?? marks[`current:${party}`]; // server-escaped
      column.append(text);
    }
  }
}

function applySession(set, remove) {
  for (const name of remove) $(`#timeline [data-part="${CSS.escape(name)}"]`)?.remove();
  if (remove.includes("reactions")) cards?.render(null);
  for (const [name, part] of Object.entries(set)) {
    if (name === "summary") renderSummary(part);
    else if (name === "clock") renderClock(part);
    else if (name === "detail") renderDetail(part);
    else if (name === "on_table") renderOnTable(part).catch(() => {});
    else if (name === "reactions") cards?.render(part);
    else if (name.startsWith("timeline:") && $("#timeline")) setKeyed($("#timeline"), name, timelineItem(name, part), true);
  }
}

function applyBoard(set, remove) {
  for (const name of remove) $(`#articles [data-part="${CSS.escape(name)}"]`)?.remove();
  for (const [name, part] of Object.entries(set)) {
    if (name === "negotiation") {
      negotiation = part;
      renderTaCounter();
    } else if (name.startsWith("article:")) {
      setKeyed($("#articles"), name, articleRow(part), false);
    }
  }
}

// ------------------------------------------------------------------ wiring
const session = new Feed(`${base}?feed=session&session_id=${page.session_id}`, {
  after: page.position,
  onSnapshot: (parts) => {
    $("#timeline")?.replaceChildren();
    applySession(parts, []);
    if (!parts.reactions) cards?.render(null);
  },
  onChange: applySession,
});
const board = new Feed(`${base}?feed=board`, {
  after: page.position,
  onSnapshot: (parts) => {
    $("#articles").replaceChildren();
    applyBoard(parts, []);
  },
  onChange: applyBoard,
});
const cards = $("#cards") ? new Cards($("#cards"), session) : null;
showConnection($(".connection"), [session, board], { live: _("live"), reconnecting: _("reconnecting…") });
// The first paint's times were UTC: shown now in the reader's own time zone.
localizeTimes();
const caucusBanner = $("#caucus");
if (caucusBanner && caucusBanner.dataset.since) {
  caucusBanner.textContent = _("In caucus: %(party)s, since %(time)s", {
    party: caucusBanner.dataset.party, time: localClockTime(caucusBanner.dataset.since),
  });
}
session.start();
board.start();
window.viewerFeeds = { session, board, cards }; // for tests and the curious

for (const radio of document.querySelectorAll('input[name="compare"]')) {
  radio.addEventListener("change", () => {
    $("#on-table").classList.toggle("mode-current", radio.value === "current" && radio.checked);
    $("#on-table").classList.toggle("mode-sides", radio.value === "sides" && radio.checked);
  });
}
tick();
setInterval(tick, 1000);
