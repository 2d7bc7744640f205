// The producer's overlay controls: each graphic's state and its show / hide control, the
// speaker lower third taken to air or cleared. The state shown is always the overlay feed's
// (what every open overlay shows), never a guess: a cue's answer only clears its refusal.

import { Feed, showConnection } from "./feed.js";
import { _, page } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const base = `/api/negotiations/${page.negotiation_id}`;
let sessionId = $("session-line").dataset.session || null;

function render(o) {
  sessionId = o.session_id;
  const running = ["open", "recessed"].includes(o.session_status);
  $("session-line").dataset.session = o.session_id || "";
  $("session-line").textContent = running
    ? _("Session %(number)s is running: cues go on air now.", { number: o.session_number })
    : _("No session is running: graphics can be hidden or shown; a speaker goes on air while a session runs.");
  for (const item of document.querySelectorAll("li[data-graphic]")) {
    const shown = !(o.hidden || []).includes(item.dataset.graphic);
    item.dataset.shown = String(shown);
    item.querySelector(".state").textContent = shown ? _("On air") : _("Hidden");
    item.querySelector("button.toggle").textContent = shown ? _("Hide") : _("Show");
  }
  const now = $("speaker-now");
  now.dataset.onAir = String(Boolean(o.speaker_name));
  now.textContent = o.speaker_name
    ? _("On air: %(name)s", { name: o.speaker_name }) + (o.speaker_title ? ` — ${o.speaker_title}` : "")
    : _("No speaker on air.");
  document.body.dataset.position = String(feed.position);
}

function refusalOf(control) {
  return control.closest(".control").querySelector(".refusal");
}

// One cue to the JSON API from this page's own origin; a refusal shows next to its control.
async function cue(control, url, body) {
  const place = refusalOf(control);
  place.hidden = true;
  place.textContent = "";
  control.disabled = true;
  try {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body || {}),
      });
    } catch {
      throw new Error(_("No connection to the server: nothing was recorded. Try again."));
    }
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new Error(data.detail || _("That did not go through. Try again."));
    }
  } catch (error) {
    place.textContent = error.message;
    place.hidden = false;
  } finally {
    control.disabled = false;
  }
}

// No session has opened yet: nothing to put a speaker on air in (said here, not sent).
function noSession(control) {
  if (sessionId) return false;
  const place = refusalOf(control);
  place.textContent = _("No session is running: a speaker goes on air while a session runs.");
  place.hidden = false;
  return true;
}

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("button.toggle");
  if (toggle) {
    const shown = toggle.closest("li").dataset.shown === "true";
    cue(toggle, `${base}/overlays/${toggle.dataset.graphic}/${shown ? "hide" : "show"}`);
  } else if (event.target.closest("#speaker-clear")) {
    if (noSession($("speaker-clear"))) return;
    cue($("speaker-clear"), `${base}/sessions/${sessionId}/speaker/clear`);
  }
});

$("speaker-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector("button[type=submit]");
  if (noSession(button)) return;
  // What was typed stays in the form, refused or not: the producer may take it again.
  cue(button, `${base}/sessions/${sessionId}/speaker`, {
    name: form.elements.name.value,
    title: form.elements.title.value,
  });
});

const feed = new Feed(`/ws/negotiations/${page.negotiation_id}/?feed=overlay`, {
  after: page.position,
  onSnapshot: (parts) => parts.overlay && render(parts.overlay),
  onChange: (set) => set.overlay && render(set.overlay),
});
showConnection(document.querySelector(".connection"), [feed], { live: _("live"), reconnecting: _("reconnecting…") });
feed.start();
window.producerFeed = feed;
