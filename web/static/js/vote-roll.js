// The officials' roll and credentials: a CSV import with its progress and the report of every
// rejected row, certifying the roll, issuing the credentials (a CSV saved from this answer: the
// platform keeps only hashes), reissuing a lost one with its QR code for the letter, and the
// printable letters made from the saved credentials CSV, in parts of at most lettersPerPart.

import { _, page, number, lang } from "./i18n.js";
import { call, refusal } from "./vote-api.js";

const POLL_MS = 250;
const percent = new Intl.NumberFormat(lang, { style: "percent" });
const $ = (id) => document.getElementById(id);

// The store's reasons (negotiation/voting/store.py) in the reader's language.
const REASONS = {
  "duplicate member id": () => _("the same member id is on an earlier line"),
  "missing member_id": () => _("no member id"),
  "missing name": () => _("no name"),
  "no email or phone": () => _("no email or phone to reach the member"),
  "bad email": () => _("the email address is not valid"),
  "bad phone": () => _("the phone number is not valid"),
  "good_standing must be yes or no": () => _("good_standing must be yes or no"),
  "a field is too long or holds a NUL": () => _("a field is too long or holds a forbidden character"),
};

/** A refusal next to its control: the server's sentence in English, ours (by rule) otherwise. */
function show(id, error, ours = {}) {
  const mine = ours[error.rule];
  const text = lang === "en" && error.detail ? error.detail : (mine ? mine() : error.message);
  $(id).textContent = text;
  $(id).hidden = false;
}

const FROZEN = { roll_frozen: () => _("The roll is frozen: the vote has opened, or its credentials were issued.") };

// ------------------------------------------------------------------ import
/** POST the CSV with the upload's own progress; resolves to [status, body]. */
function upload(text, onSent) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${page.api}/roll.csv`);
    xhr.setRequestHeader("content-type", "application/json");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress(event.loaded / event.total,
        _("Sending the file: %(share)s", { share: percent.format(event.loaded / event.total) }));
    });
    xhr.upload.addEventListener("load", onSent);
    xhr.addEventListener("load", () => resolve([xhr.status, xhr.response]));
    xhr.addEventListener("error", () => resolve([0, null]));
    xhr.send(JSON.stringify({ csv: text }));
  });
}

function progress(share, text) {
  $("roll-progress").hidden = false;
  $("roll-progress").value = Math.round(100 * share);
  $("roll-progress-text").textContent = text;
}

function report(result) {
  $("roll-report").hidden = false;
  $("roll-summary").textContent = _("%(accepted)s rows imported (%(eligible)s members in good standing), %(rejected)s rejected.", {
    accepted: number(result.accepted), eligible: number(result.eligible), rejected: number(result.rejected.length),
  });
  $("roll-count").textContent = _("Eligible members on the roll: %(n)s.", { n: number(result.eligible) });
  $("roll-certified").hidden = true; // a new roll is certified anew
  const table = $("rejected");
  table.hidden = result.rejected.length === 0;
  table.tBodies[0].replaceChildren(...result.rejected.map((row) => {
    const tr = document.createElement("tr");
    const reason = REASONS[row.reason];
    for (const cell of [number(row.line), row.member_id, reason ? reason() : row.reason]) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    return tr;
  }));
  $("roll-summary").focus();
}

$("roll-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("roll-file").files[0];
  const button = event.target.querySelector("button");
  $("roll-error").hidden = true;
  if (!file) return;
  button.disabled = true;
  let polling = null;
  try {
    const text = await file.text();
    progress(0, _("Sending the file: %(share)s", { share: percent.format(0) }));
    // Once the file is sent, the server checks and saves its rows: its count is polled.
    const poll = async () => {
      try {
        const p = await call(`${page.api}/roll/progress`);
        if (!p.done && p.rows_total) progress(p.rows_done / p.rows_total, _("Checking and saving the rows: %(done)s of %(total)s", {
          done: number(p.rows_done), total: number(p.rows_total),
        }));
      } catch { /* the answer to the import says what happened */ }
    };
    const [status, body] = await upload(text, () => {
      progress(0, _("Checking the rows…"));
      polling = setInterval(poll, POLL_MS);
    });
    clearInterval(polling);
    if (status === 0) throw new Error(_("Could not reach the server. Check your connection and try again."));
    if (status >= 400) {
      show("roll-error", refusal(status, body), {
        ...FROZEN,
        invalid_request: () => _("The file needs a header row with the columns listed above."),
      });
      $("roll-progress").hidden = true;
      $("roll-progress-text").textContent = "";
      return;
    }
    progress(1, _("Import finished."));
    report(body);
  } catch (error) {
    clearInterval(polling);
    $("roll-error").textContent = error.message;
    $("roll-error").hidden = false;
  } finally {
    button.disabled = false;
  }
});

// ------------------------------------------------------------------ certify
$("certify-roll")?.addEventListener("click", async () => {
  $("certify-roll-error").hidden = true;
  try {
    const done = await call(`${page.api}/roll/certify`, { method: "POST" });
    $("roll-hash").textContent = done.roll_hash;
    $("roll-certified").hidden = false;
    $("roll-count").textContent = _("Roll certified: %(n)s eligible members.", { n: number(done.eligible) });
  } catch (error) {
    show("certify-roll-error", error, {
      ...FROZEN,
      vote_step_refused: () => _("There is no eligible member on the roll to certify."),
    });
  }
});

// ------------------------------------------------------------------ credentials
$("issue-credentials")?.addEventListener("click", async (event) => {
  $("issue-error").hidden = true;
  try {
    const text = await call(`${page.api}/credentials`, { method: "POST" });
    const link = $("credentials-link");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    link.download = `credentials-${page.voteId}.csv`;
    $("credentials-ready").hidden = false;
    $("credentials-issued").hidden = false;
    event.target.hidden = true;
    for (const control of document.querySelectorAll("#roll-form, #certify-roll")) control.hidden = true;
    $("reissue-form").hidden = false;
    $("letters-form").hidden = false;
    link.focus();
  } catch (error) {
    show("issue-error", error, {
      vote_step_refused: () => _("Certify the roll (again, if it was imported since) before issuing the credentials."),
    });
  }
});

let reissued = null; // the last reissued credential, for its letter

function dataUrl(blob) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.addEventListener("load", () => resolve(reader.result));
    reader.readAsDataURL(blob);
  });
}

$("reissue-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const member = event.target.member_id.value.trim();
  $("reissue-error").hidden = true;
  if (!member) return;
  try {
    const done = await call(`${page.api}/credentials/${encodeURIComponent(member)}/reissue`, { method: "POST" });
    $("reissued-member").textContent = done.member_id;
    $("reissued-code").textContent = done.code;
    $("reissued-link").textContent = done.link;
    reissued = done;
    $("reissued-letter").hidden = false;
    $("reissued-letter-item").querySelector("a")?.remove();
    const qr = await fetch(`${page.api}/credentials/qr`, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ link: done.link }),
    });
    if (qr.ok) $("reissued-qr").src = await dataUrl(await qr.blob()); // the page's CSP allows data: images
    $("reissued").hidden = false;
    $("reissued").focus();
  } catch (error) {
    show("reissue-error", error, {
      second_ballot: () => _("This member has already voted: their credential cannot be reissued."),
      not_on_roll: () => _("No eligible member on the roll has this member id."),
      vote_step_refused: () => _("Credentials can be reissued only after they are issued and until the vote closes."),
    });
  }
});

// ------------------------------------------------------------------ letters
/** The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes, line breaks). */
function csvRecords(text) {
  const records = [];
  let record = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { record.push(field); field = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i += 1;
      record.push(field); records.push(record); record = []; field = "";
    } else field += ch;
  }
  if (field || record.length) { record.push(field); records.push(record); }
  return records.filter((r) => r.some((f) => f !== ""));
}

const csvField = (value) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const csvText = (records) => records.map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";

/** The saved CSV in parts of at most lettersPerPart rows, by worksite then name (so a part is
 * one worksite's letters, or a few whole worksites' where they are small). */
function parts(text) {
  const [header = [], ...rows] = csvRecords(text.replace(/^\ufeff/, ""));
  const column = (name) => header.map((h) => h.trim()).indexOf(name);
  const [site, name] = [column("worksite"), column("name")];
  const key = (row, i) => (i < 0 ? "" : (row[i] || "").trim());
  rows.sort((a, b) => key(a, site).localeCompare(key(b, site), lang) || key(a, name).localeCompare(key(b, name), lang));
  const size = page.lettersPerPart;
  const out = [];
  for (let first = 0; first < rows.length; first += size) {
    const chunk = rows.slice(first, first + size);
    const sites = [key(chunk[0], site), key(chunk[chunk.length - 1], site)];
    out.push({ first: first + 1, last: first + chunk.length, sites, csv: csvText([header, ...chunk]) });
  }
  return out;
}

function partLabel(part) {
  const [from, to] = part.sites;
  const where = from === to ? from : `${from} – ${to}`;
  const which = _("Letters %(first)s to %(last)s", { first: number(part.first), last: number(part.last) });
  return where ? `${which} (${where})` : which;
}

const LETTERS = {
  invalid_request: () => _("These are not letters this vote can print: use the credentials CSV saved when they were issued, as it was saved (a row's member, code or link does not match this vote's roll)."),
  vote_step_refused: () => _("Issue the credentials first, then make the letters from the CSV you saved."),
};

/** POST one part's CSV; the PDF becomes a link (saveText) beside the button, or the refusal
 * shows with the form (errorId). */
async function makeLetters(csv, item, button, saveText, filename, errorId = "letters-error") {
  $(errorId).hidden = true;
  button.disabled = true;
  try {
    const response = await fetch(`${page.api}/credentials/letters.pdf`, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ csv }),
    });
    if (!response.ok) {
      const type = response.headers.get("content-type") || "";
      throw refusal(response.status, type.includes("json") ? await response.json() : null);
    }
    const link = item.querySelector("a") || item.appendChild(document.createElement("a"));
    link.href = URL.createObjectURL(await response.blob());
    link.download = filename;
    link.textContent = saveText;
    link.hidden = false;
    button.hidden = true;
    link.focus();
  } catch (error) {
    show(errorId, error, LETTERS);
  } finally {
    button.disabled = false;
  }
}

const makePart = (part, item, button) => makeLetters(part.csv, item, button,
  _("Save %(part)s (PDF)", { part: partLabel(part) }), `letters-${page.voteId}-${part.first}-${part.last}.pdf`);

$("letters-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("letters-file").files[0];
  $("letters-error").hidden = true;
  if (!file) return;
  const made = parts(await file.text());
  $("letters").hidden = true;
  if (!made.length) {
    $("letters-error").textContent = _("This file holds no member: choose the credentials CSV you saved.");
    $("letters-error").hidden = false;
    return;
  }
  const members = number(made[made.length - 1].last);
  $("letters-summary").textContent = made.length === 1
    ? _("Members with a letter: %(n)s.", { n: members })
    : _("Members with a letter: %(n)s, in %(parts)s parts: make and save each one.", { n: members, parts: number(made.length) });
  $("letters-parts").replaceChildren(...made.map((part) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = _("Make %(part)s", { part: partLabel(part) });
    button.addEventListener("click", () => makePart(part, item, button));
    item.append(button);
    return item;
  }));
  $("letters").hidden = false;
  if (made.length === 1) await makePart(made[0], $("letters-parts").firstChild, $("letters-parts").querySelector("button"));
  else $("letters-summary").focus();
});

// The letter of a reissued credential (the saved CSV still holds the old code, refused).
$("reissued-letter")?.addEventListener("click", (event) => {
  const header = ["member_id", "name", "email", "phone", "language", "worksite", "code", "link"];
  const row = header.map((column) => (column in reissued ? reissued[column] : ""));
  makeLetters(csvText([header, row]), $("reissued-letter-item"), event.target,
    _("Save this member's letter (PDF)"), `letter-${page.voteId}-${reissued.member_id}.pdf`, "reissued-letter-error");
});
