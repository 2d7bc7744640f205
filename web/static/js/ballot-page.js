// The member's ballot: choose, confirm, encrypt in this browser (with proofs), cast, show the receipt.

import { _, page, number, lang } from "./i18n.js";
import { call, unb64, sameBytes } from "./vote-api.js";
import {
  contextHash, encryptBallot, ballotProblems, ballotToWire, pointFromBytes, randomSeed,
} from "./ballot-crypto.js";

const form = document.getElementById("choose");
const confirmBox = document.getElementById("confirm");
const confirmText = document.getElementById("confirm-text");
const working = document.getElementById("working");
const refusal = document.getElementById("refusal");
const receipt = document.getElementById("receipt");
const credentialInput = document.getElementById("credential");

// The credential comes in the link's fragment, which browsers never send to a server.
const fromLink = new URLSearchParams(location.hash.slice(1)).get("credential");
if (fromLink) {
  credentialInput.value = fromLink;
  history.replaceState(null, "", location.pathname + location.search);
}

const label = (option) => page.labels[option] || option;

function refuse(message) {
  working.textContent = "";
  refusal.textContent = message;
  refusal.hidden = false;
}

const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });

/** Members see the turnout too (never a choice), with their credential in place of an account. */
async function showTurnout(credential) {
  try {
    const t = await call(`${page.api}/turnout`, { headers: { "x-credential": credential } });
    document.getElementById("turnout").textContent = _("%(voted)s of %(roll)s members have voted (%(share)s).", {
      voted: number(t.voted), roll: number(t.roll), share: percent.format(t.share),
    });
  } catch {
    // Turnout is a courtesy here: the ballot works without it.
  }
}

/** The articles this page could not show to whoever asked for it (agreed in a session closed to
 * the public), filled in from the document the credential opens: a member reads all they vote on. */
let documentShown = false;
async function showDocument(credential) {
  if (documentShown || !document.querySelector(".ta-article .withheld")) return;
  let full;
  try {
    full = await call(`${page.api}/document`, { method: "POST", body: { credential } });
  } catch {
    return; // a code not on the roll is refused by its own check (checkStatus)
  }
  documentShown = true;
  const summarize = (box, text) => {
    const block = box.querySelector(".plain-summary");
    block.querySelector(".text").textContent = text;
    block.hidden = !text;
  };
  summarize(document.getElementById("overall-summary"), full.overall_summary);
  for (const article of full.articles) {
    const box = document.querySelector(`.ta-article[data-article="${article.article_id}"]`);
    if (!box || article.withheld) continue;
    box.querySelector(".withheld")?.remove();
    summarize(box, article.summary);
    const text = box.querySelector(".redline");
    text.innerHTML = article.redline_html; // marked up (and escaped) by the server
    text.hidden = false;
    document.querySelector(`[data-changes="${article.article_id}"]`).textContent = article.unchanged
      ? _("no change")
      : _("%(added)s words added, %(removed)s removed", {
        added: number(article.words_inserted), removed: number(article.words_deleted),
      });
  }
  document.getElementById("withheld-note")?.remove();
  document.getElementById("document-differs").hidden = full.matches;
  showPdf(credential);
}

/** The PDF link, for the whole document the credential opens (made by POST: no address holds
 * the credential), as a file this page hands over. */
async function showPdf(credential) {
  const link = document.getElementById("document-pdf");
  const name = link.pathname.split("/").pop();
  try {
    const response = await fetch(link.pathname + link.search, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ credential }),
    });
    if (!response.ok) return; // the link keeps the document as the page showed it
    link.href = URL.createObjectURL(await response.blob());
    link.download = name;
  } catch {
    // Offline: the link stays as it was.
  }
}

async function checkStatus() {
  const credential = credentialInput.value.trim();
  if (!credential) return;
  showTurnout(credential);
  showDocument(credential);
  try {
    const status = await call(`${page.api}/my-status`, { method: "POST", body: { credential } });
    if (status.voted) {
      form.hidden = true;
      refuse(_("A ballot was already cast with this voting code. Each member votes once."));
    }
  } catch (error) {
    if (error.rule === "not_on_roll") refuse(error.message);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  refusal.hidden = true;
  const chosen = form.querySelector("input[name=choice]:checked");
  if (!credentialInput.value.trim()) {
    refuse(_("Enter the voting code from your letter, email or text."));
    credentialInput.focus();
    return;
  }
  if (!chosen) {
    refuse(_("Choose one answer first."));
    return;
  }
  confirmText.textContent = _("You chose: %(choice)s. Cast this ballot?", { choice: label(page.options[Number(chosen.value)]) });
  form.hidden = true;
  confirmBox.hidden = false;
  confirmText.focus();
});

document.getElementById("change").addEventListener("click", () => {
  confirmBox.hidden = true;
  form.hidden = false;
  form.querySelector("input[name=choice]:checked")?.focus();
});

/** The election context from the server, re-hashed here: we encrypt only to what we checked. */
async function electionContext() {
  const view = await call(`${page.api}/ballot`);
  const ctx = {
    electionId: view.election_id,
    documentHash: unb64(view.document_hash),
    rollHash: unb64(view.roll_hash),
    publicKey: pointFromBytes(unb64(view.public_key)),
    options: view.options,
  };
  if (!sameBytes(contextHash(ctx), unb64(view.context_hash))) {
    throw new Error(_("The election's key does not match its description: do not vote now, and tell your election officials."));
  }
  return ctx;
}

document.getElementById("cast").addEventListener("click", async () => {
  const cast = document.getElementById("cast");
  cast.disabled = true;
  refusal.hidden = true;
  working.textContent = _("Encrypting your ballot on this device…");
  try {
    const ctx = await electionContext();
    const choice = Number(form.querySelector("input[name=choice]:checked").value);
    const ballot = encryptBallot(ctx, choice, randomSeed());
    if (ballotProblems(ctx, ballot).length) throw new Error(_("Your browser made a ballot that does not check out. Try another browser."));
    working.textContent = _("Sending your encrypted ballot…");
    const done = await call(`${page.api}/ballots`, {
      method: "POST",
      body: { credential: credentialInput.value.trim(), ballot: ballotToWire(ballot) },
    });
    working.textContent = "";
    confirmBox.hidden = true;
    document.getElementById("tracking-code").textContent = done.display_code;
    // In the fragment: the results page looks it up by POST, so no address carries it.
    document.getElementById("record-link").hash = `code=${done.display_code}`;
    receipt.hidden = false;
    document.getElementById("receipt-h").focus();
    showTurnout(credentialInput.value.trim());
  } catch (error) {
    cast.disabled = false;
    confirmBox.hidden = true;
    form.hidden = error.rule === "second_ballot";
    refuse(error.message);
  }
});

credentialInput.addEventListener("change", checkStatus);
checkStatus();
