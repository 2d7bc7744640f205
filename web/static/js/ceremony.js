// An official's part of the key ceremony, in this browser: make the guardian's secrets, announce
// their commitments, seal a share for each guardian, check the shares received (confirm them, or
// challenge one that fails; reveal a share of ours another guardian challenged), lock the key file.

import { _, page } from "./i18n.js";
import { call, b64, unb64 } from "./vote-api.js";
import { ristretto255 } from "../vendor/noble-curves/ed25519.js";
import {
  deriveNonce, proveSchnorr, verifySchnorr, sealShare, openShare, shareMatches, pointFromBytes,
  lockKeyFile, randomSeed,
} from "./ballot-crypto.js";

const Point = ristretto255.Point;
const Fn = Point.Fn;
const state = document.getElementById("ceremony-state");
const start = document.getElementById("ceremony-start");
const keyForm = document.getElementById("keyfile-form");
const problem = document.getElementById("ceremony-error");
const POLL_MS = 1500;

let secrets = null; // {coefficients, transport}: only in this page's memory, never sent
// (kept until the key is published: a challenged share is revealed from the coefficients)
let secretShare = null;
let sharesSent = false;

const proofWire = (p) => ({ c: b64(Fn.toBytes(p.c)), v: b64(Fn.toBytes(p.v)) });
const proofFrom = (p) => ({ c: Fn.fromBytes(unb64(p.c)), v: Fn.fromBytes(unb64(p.v)) });
const evaluate = (coefficients, x) => coefficients.reduceRight((acc, a) => Fn.add(Fn.mul(acc, BigInt(x)), a), 0n);

function fail(message) {
  problem.textContent = message;
  problem.hidden = false;
}

// The seed of this guardian's secrets stays in this tab (sessionStorage) from the announcement
// until the election key is published, so a reload mid-ceremony does not strand the ceremony
// and a challenged share can still be revealed; it never leaves the browser.
const SEED_KEY = `ceremony-seed:${page.voteId}:${page.me}`;

function fromSeed(seed, quorum) {
  const coefficients = [];
  for (let j = 0; j < quorum; j++) coefficients.push(deriveNonce(seed, "coefficient", j));
  return { seed, coefficients, transport: deriveNonce(seed, "transport") };
}

function announce(view) {
  const seed = randomSeed();
  const ceremony = unb64(view.ceremony_hash);
  secrets = fromSeed(seed, view.quorum);
  sessionStorage.setItem(SEED_KEY, b64(seed));
  const { coefficients, transport } = secrets;
  return {
    index: view.me,
    commitments: coefficients.map((a) => b64(Point.BASE.multiply(a).toBytes())),
    coefficient_proofs: coefficients.map((a, j) => proofWire(proveSchnorr(ceremony, [view.me, j], a, deriveNonce(seed, "schnorr-u", j)))),
    transport_key: b64(Point.BASE.multiply(transport).toBytes()),
    transport_proof: proofWire(proveSchnorr(ceremony, [view.me, "transport"], transport, deriveNonce(seed, "schnorr-u", "transport"))),
  };
}

/** Every guardian's commitments and transport key must carry valid proofs before we send shares. */
function checkedAnnouncements(view) {
  const ceremony = unb64(view.ceremony_hash);
  return view.announcements.map((a) => {
    const commitments = a.commitments.map((k) => pointFromBytes(unb64(k)));
    const transport = pointFromBytes(unb64(a.transport_key));
    const ok = commitments.every((k, j) => verifySchnorr(ceremony, [a.index, j], k, proofFrom(a.coefficient_proofs[j])))
      && verifySchnorr(ceremony, [a.index, "transport"], transport, proofFrom(a.transport_proof));
    if (!ok) throw new Error(_("Guardian %(n)s's ceremony data does not check out: stop and tell the other officials.", { n: a.index }));
    return { index: a.index, commitments, transport };
  });
}

function sealedShares(view, announcements) {
  const ceremony = unb64(view.ceremony_hash);
  return announcements.map((a) => {
    const s = sealShare(ceremony, view.me, a.index, a.transport, evaluate(secrets.coefficients, a.index),
      deriveNonce(randomSeed(), "share-ephemeral"), globalThis.crypto.getRandomValues(new Uint8Array(24)));
    return { recipient: a.index, ephemeral: b64(s.ephemeral.toBytes()), nonce: b64(s.nonce), sealed: b64(s.sealed) };
  });
}

/** Open and check every share sent to us (a revealed one in place of a challenged one):
 *  {total, failed} with the senders whose share does not match their commitments. */
function openShares(view, announcements) {
  const ceremony = unb64(view.ceremony_hash);
  let total = 0n;
  const failed = [];
  for (const s of view.shares_for_me) {
    const sender = announcements.find((a) => a.index === s.sender);
    const answer = view.challenges.find((c) => c.accuser === view.me && c.accused === s.sender && c.revealed);
    let value;
    try {
      value = answer ? Fn.fromBytes(unb64(answer.revealed)) : openShare(ceremony, secrets.transport, {
        sender: s.sender, recipient: s.recipient, ephemeral: pointFromBytes(unb64(s.ephemeral)),
        nonce: unb64(s.nonce), sealed: unb64(s.sealed),
      });
    } catch {
      value = null;
    }
    if (value === null || !shareMatches(sender.commitments, view.me, value)) failed.push(s.sender);
    else total = Fn.add(total, value);
  }
  return { total, failed };
}

/** Reveal, in the clear, each share of ours that another guardian challenged (the server
 *  checks it against our commitments, as everyone can). */
async function answerChallenges(view) {
  for (const c of view.challenges) {
    if (c.accused !== view.me || c.revealed || secrets === null) continue;
    const share = b64(Fn.toBytes(evaluate(secrets.coefficients, c.accuser)));
    await call(`${page.api}/ceremony/reveal`, { method: "POST", body: { recipient: c.accuser, share } });
    state.textContent = _("Guardian %(n)s challenged the share your browser sent them; your browser revealed it for everyone to check.", { n: c.accuser });
  }
}

function finished() {
  secrets = null;
  sessionStorage.removeItem(SEED_KEY);
  const done = document.getElementById("ceremony-done");
  done.textContent = _("The ceremony is finished: the election key is ready.");
  done.hidden = false;
  return "stop";
}

/** One look at the ceremony and the next move; "poll" to look again shortly, "stop" when done. */
async function step() {
  const view = await call(`${page.api}/ceremony`);
  if (view.disqualified.length) {
    state.textContent = "";
    fail(_("Guardian %(n)s was disqualified: the share they revealed does not match their commitments. The union chief must appoint the officials again, without them, to restart the key ceremony.", { n: view.disqualified[0] }));
    return "stop";
  }
  const mine = view.announcements.some((a) => a.index === view.me);
  const kept = sessionStorage.getItem(SEED_KEY);
  if (mine && secrets === null && secretShare === null && kept) secrets = fromSeed(unb64(kept), view.quorum);
  if (!mine && secrets === null) {
    if (view.public_key) return finished();
    state.textContent = _("Make your guardian key to begin.");
    start.hidden = false;
    return "stop";
  }
  if (mine && secrets === null && secretShare === null) {
    if (view.public_key) return finished();
    state.textContent = _("Your key was made in another window. Finish the ceremony there.");
    return "stop";
  }
  if (view.announcements.length < view.guardians) {
    state.textContent = _("Waiting for the other guardians: %(done)s of %(n)s have made their keys.", { done: view.announcements.length, n: view.guardians });
    return "poll";
  }
  const announcements = checkedAnnouncements(view);
  if (!sharesSent && !view.shares_posted_by.includes(view.me)) {
    await call(`${page.api}/ceremony/shares`, { method: "POST", body: { shares: sealedShares(view, announcements) } });
    sharesSent = true;
    return "poll";
  }
  if (view.shares_for_me.length < view.guardians) {
    state.textContent = _("Waiting for sealed shares: %(done)s of %(n)s received.", { done: view.shares_for_me.length, n: view.guardians });
    return "poll";
  }
  await answerChallenges(view);
  if (secretShare === null) {
    const { total, failed } = openShares(view, announcements);
    if (failed.length) {
      for (const sender of failed) {
        if (!view.challenges.some((c) => c.accuser === view.me && c.accused === sender)) {
          await call(`${page.api}/ceremony/challenge`, { method: "POST", body: { sender } });
        }
      }
      state.textContent = _("The share from guardian %(n)s does not check out: your browser challenged it. Waiting for guardian %(n)s to reveal it.", { n: failed[0] });
      return "poll";
    }
    if (!view.confirmed.includes(view.me)) await call(`${page.api}/ceremony/confirm`, { method: "POST" });
    secretShare = total;
    state.textContent = _("Every share you received checks out. Now lock your key with a passphrase.");
    keyForm.hidden = false;
  }
  if (view.public_key) return finished();
  try {
    await call(`${page.api}/ceremony/key`, { method: "POST" });
  } catch {
    // Another guardian's browser made the key first; the next look shows it.
  }
  return "poll";
}

async function run() {
  try {
    while ((await step()) === "poll") await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  } catch (error) {
    fail(error.message);
  }
}

start.addEventListener("click", async () => {
  start.hidden = true;
  try {
    const view = await call(`${page.api}/ceremony`);
    await call(`${page.api}/ceremony/announcement`, { method: "POST", body: announce(view) });
  } catch (error) {
    fail(error.message);
    return;
  }
  run();
});

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  problem.hidden = true;
  const pass = document.getElementById("passphrase").value;
  if (pass.length < 12) return fail(_("The passphrase needs at least 12 characters."));
  if (pass !== document.getElementById("passphrase2").value) return fail(_("The two passphrases differ."));
  state.textContent = _("Locking your key file…");
  // Let the status paint before the password hashing holds the page for a few seconds.
  setTimeout(() => {
    const bytes = lockKeyFile({ electionId: page.voteId, guardian: page.me, secretShare }, pass, {
      salt: globalThis.crypto.getRandomValues(new Uint8Array(16)),
      nonce: globalThis.crypto.getRandomValues(new Uint8Array(24)),
    });
    const link = document.getElementById("keyfile-link");
    link.href = URL.createObjectURL(new Blob([bytes], { type: "application/json" }));
    link.download = `guardian-${page.me}-${page.voteId.slice(0, 8)}.key`;
    keyForm.hidden = true;
    document.getElementById("keyfile-ready").hidden = false;
    state.textContent = _("Your key file is ready. Save it somewhere safe: without it and its passphrase you cannot help count the votes.");
  }, 50);
});

run();
