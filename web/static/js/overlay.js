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

function render(o) {
  overlay = o;
  const graphic = $("graphic");
  if (page.graphic === "lower-third") {
    graphic.hidden = !o.article_number;
    $("article").textContent = o.article_number
      ? `${_("Art. %(number)s", { number: o.article_number })} — ${o.article_title}` : "";
    const move = o.last_move ? (MOVES[o.last_move] || (() => o.last_move))() : "";
    $("move").textContent = move && o.last_move_party_name ? `${move} · ${o.last_move_party_name}` : move;
  } else if (page.graphic === "ta-counter") {
    $("ta-count").textContent = `${number(o.ta_count)} / ${number(o.articles_total)}`;
  } else if (page.graphic === "caucus") {
    graphic.hidden = !o.caucus_party;
    $("caucus-party").textContent = o.caucus_party_name || "";
    $("caucus-since").textContent = o.caucus_since ? _("since %(time)s", { time: clockTime(o.caucus_since) }) : "";
  } else {
    graphic.hidden = !["open", "recessed"].includes(o.session_status);
    $("clock-label").textContent = o.session_status === "recessed" ? _("Recess")
      : _("Session %(number)s", { number: o.session_number ?? "" });
    const clock = $("clock");
    clock.dataset.opened = o.opened_at || "";
    clock.dataset.recessStarted = o.session_status === "recessed" ? o.recess_started_at || "" : "";
    clock.dataset.recessSeconds = String(o.recess_seconds || 0);
    tick();
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

const feed = new Feed(`/ws/negotiations/${page.negotiation_id}/?feed=overlay`, {
  after: page.position,
  onSnapshot: (parts) => parts.overlay && render(parts.overlay),
  onChange: (set) => set.overlay && render(set.overlay),
  onState: (state) => (document.body.dataset.feed = state),
});
feed.start();
window.overlayFeed = feed;
tick();
setInterval(tick, 1000);
