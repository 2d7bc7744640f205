// A livestream overlay: one graphic driven by the overlay feed; recovers by itself after a
// network drop or a server restart (the feed client reconnects and resumes).

import { Feed } from "./feed.js";
import { _, clockTime, number, page } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let overlay = null;
const MOVES = {
  tabled: () => _("Proposal tabled"),
  countered: () => _("Counterproposal tabled"),
  revised: () => _("Proposal revised"),
  withdrawn: () => _("Proposal withdrawn"),
  signed: () => _("TA signed"),
  agreed: () => _("Tentatively agreed"),
  reopened: () => _("Article reopened"),
  opened: () => _("Article opened"),
};

// Shown when it has something to show and the producer has not taken it off air.
// (Before the first change: as the page was rendered.)
let offAir = page.hidden || [];
function show(graphic, something) {
  graphic.hidden = !something || offAir.includes(page.graphic);
}

function render(o) {
  overlay = o;
  offAir = o.hidden || [];
  const graphic = $("graphic");
  if (page.graphic === "lower-third") {
    show(graphic, o.article_number);
    $("article").textContent = o.article_number
      ? `${_("Art. %(number)s", { number: o.article_number })} — ${o.article_title}` : "";
    const move = o.last_move ? (MOVES[o.last_move] || (() => o.last_move))() : "";
    $("move").textContent = move && o.last_move_party_name ? `${move} · ${o.last_move_party_name}` : move;
  } else if (page.graphic === "ta-counter") {
    show(graphic, true);
    $("ta-count").textContent = `${number(o.ta_count)} / ${number(o.articles_total)}`;
  } else if (page.graphic === "caucus") {
    show(graphic, o.caucus_party);
    $("caucus-party").textContent = o.caucus_party_name || "";
    $("caucus-since").textContent = o.caucus_since ? _("since %(time)s", { time: clockTime(o.caucus_since) }) : "";
  } else if (page.graphic === "clock") {
    show(graphic, ["open", "recessed"].includes(o.session_status));
    $("clock-label").textContent = o.session_status === "recessed" ? _("Recess")
      : _("Session %(number)s", { number: o.session_number ?? "" });
    const clock = $("clock");
    clock.dataset.opened = o.opened_at || "";
    clock.dataset.recessStarted = o.session_status === "recessed" ? o.recess_started_at || "" : "";
    clock.dataset.recessSeconds = String(o.recess_seconds || 0);
    tick();
  } else if (page.graphic === "speaker") {
    show(graphic, o.speaker_name);
    $("speaker-name").textContent = o.speaker_name || "";
    $("speaker-title").textContent = o.speaker_title || "";
  } else if (page.graphic === "reactions") {
    show(graphic, reactions);
  }
  document.body.dataset.position = String(feed.position);
}

function tick() {
  const clock = $("clock");
  if (!clock || !clock.dataset.opened) return;
  const end = clock.dataset.recessStarted ? Date.parse(clock.dataset.recessStarted) : Date.now();
  const seconds = Math.max(0, Math.floor((end - Date.parse(clock.dataset.opened)) / 1000
    - Number(clock.dataset.recessSeconds || 0)));
  const pad = (n) => String(n).padStart(2, "0");
  clock.textContent = `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

// The reaction meter: the overlay feed's `reactions` part (absent: nothing to react to).
let reactions = $("graphic").dataset.live === "1" ? {} : null;
function renderReactions(r) {
  if (page.graphic !== "reactions") return;
  reactions = r;
  show($("graphic"), r);
  $("red-count").textContent = number(r ? r.red : 0);
  $("green-count").textContent = number(r ? r.green : 0);
  document.body.dataset.counts = r ? `${r.red}:${r.green}` : "";
}

// The public's view, as the page was rendered, even in a browser signed in to a team.
const feed = new Feed(`/ws/negotiations/${page.negotiation_id}/?feed=overlay&audience=public`, {
  after: page.position,
  onSnapshot: (parts) => {
    if (parts.overlay) render(parts.overlay);
    renderReactions(parts.reactions || null);
  },
  onChange: (set, remove) => {
    if (set.overlay) render(set.overlay);
    if (set.reactions) renderReactions(set.reactions);
    else if (remove.includes("reactions")) renderReactions(null);
  },
  onState: (state) => (document.body.dataset.feed = state),
});
feed.start();
window.overlayFeed = feed;
tick();
setInterval(tick, 1000);
