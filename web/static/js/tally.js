// The officials' desk after the ceremony: turnout as it grows, closing, this browser's partial
// decryption of the encrypted total (from the key file), and certifying the count.

import { _, page, number, lang } from "./i18n.js";
import { call, b64, unb64, sameBytes } from "./vote-api.js";
import { ristretto255 } from "../vendor/noble-curves/ed25519.js";
import {
  contextHash, partialDecrypt, pointFromBytes, unlockKeyFile, ciphertextFromJSON, hex, randomSeed,
} from "./ballot-crypto.js";

const Fn = ristretto255.Point.Fn;
const TURNOUT_MS = 5000;
const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
const day = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }); // a day, no time
const problem = document.getElementById("tally-error");
const say = (id, text) => { document.getElementById(id).textContent = text; };

function fail(message) {
  problem.textContent = message;
  problem.hidden = false;
}

function rows(tableId, groups) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(...groups.map((g) => {
    const tr = document.createElement("tr");
    for (const cell of [g.group, number(g.voted), number(g.roll)]) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    return tr;
  }));
}

async function turnout() {
  try {
    const t = await call(`${page.api}/turnout`);
    say("turnout-total", _("%(voted)s of %(roll)s members have voted (%(share)s).", {
      voted: number(t.voted), roll: number(t.roll), share: percent.format(t.share),
    }));
    rows("by-worksite", t.by_worksite);
    rows("by-classification", t.by_classification);
    const who = await call(`${page.api}/participation`);
    say("participation-count", `(${number(who.length)})`);
    say("not-voted-count", _("%(n)s members have not voted yet.", { n: number(t.roll - t.voted) }));
    document.querySelector("#participation tbody").replaceChildren(...who.map((p) => {
      const tr = document.createElement("tr");
      for (const cell of [p.member_id, p.name, p.worksite, p.classification, day.format(new Date(p.voted_on))]) {
        const td = document.createElement("td");
        td.textContent = cell;
        tr.append(td);
      }
      return tr;
    }));
  } catch (error) {
    say("turnout-total", error.message);
  }
}

document.getElementById("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  problem.hidden = true;
  try {
    await call(`${page.api}/close`, { method: "POST", body: { reason: event.target.reason.value.trim() } });
    say("close-state", _("The vote is closed. Guardians can now count the votes."));
    say("vote-status", _("Closed: counting"));
  } catch (error) {
    fail(error.rule === "invalid_request" ? _("Give a reason to close before the set closing time.") : error.message);
  }
});

/** The election context as every ballot was encrypted to, checked against the server's hash. */
async function contextQ() {
  const view = await call(`${page.api}/ballot`);
  const q = contextHash({
    electionId: view.election_id, documentHash: unb64(view.document_hash), rollHash: unb64(view.roll_hash),
    publicKey: pointFromBytes(unb64(view.public_key)), options: view.options,
  });
  if (!sameBytes(q, unb64(view.context_hash))) throw new Error(_("The election's description does not match its key: stop and tell the other officials."));
  return q;
}

document.getElementById("decrypt-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  problem.hidden = true;
  const file = document.getElementById("keyfile").files[0];
  const passphrase = document.getElementById("decrypt-passphrase").value;
  if (!file) return fail(_("Choose your key file first."));
  say("decrypt-state", _("Opening your key file…"));
  const bytes = new Uint8Array(await file.arrayBuffer());
  // The password hashing holds the page a few seconds: let the status paint first.
  await new Promise((resolve) => setTimeout(resolve, 50));
  let key;
  try {
    key = unlockKeyFile(bytes, passphrase);
  } catch {
    say("decrypt-state", "");
    return fail(_("The passphrase is wrong, or this is not a key file."));
  }
  if (key.electionId !== page.voteId || key.guardian !== page.me) {
    say("decrypt-state", "");
    return fail(_("This key file belongs to another vote or another guardian."));
  }
  try {
    const q = await contextQ();
    const tally = await call(`${page.api}/tally`);
    const totals = tally.tally.map((c) => ciphertextFromJSON({ alpha: hex(unb64(c.alpha)), beta: hex(unb64(c.beta)) }));
    const share = partialDecrypt(q, key.guardian, key.secretShare, totals, randomSeed());
    await call(`${page.api}/decryptions`, {
      method: "POST",
      body: {
        guardian: share.guardian,
        shares: share.shares.map((p) => b64(p.toBytes())),
        proofs: share.proofs.map((p) => ({ c: b64(Fn.toBytes(p.c)), v: b64(Fn.toBytes(p.v)) })),
      },
    });
    say("decrypt-state", _("Your part of the count is in, with its proof (%(n)s ballots).", { n: number(tally.ballots) }));
  } catch (error) {
    say("decrypt-state", "");
    fail(error.message);
  }
});

document.getElementById("certify").addEventListener("click", async () => {
  problem.hidden = true;
  try {
    const r = await call(`${page.api}/certify`, { method: "POST" });
    const counts = Object.entries(r.counts).map(([o, n]) => `${page.labels[o] || o}: ${number(n)}`).join(", ");
    say("certify-state", _("Results certified: %(counts)s.", { counts }));
    say("vote-status", _("Results certified"));
  } catch (error) {
    fail(error.rule === "vote_step_refused" || error.rule === "ceremony_incomplete"
      ? _("Not enough guardians have decrypted their part yet.") : error.message);
  }
});

turnout();
if (page.status === "open") setInterval(turnout, TURNOUT_MS);
