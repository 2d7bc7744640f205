// The officials' roll and credentials: a CSV import with its progress and the report of every
// rejected row, certifying the roll, issuing the credentials (a CSV saved from this answer: the
// platform keeps only hashes) and reissuing a lost one with its QR code for the letter.

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
    link.focus();
  } catch (error) {
    show("issue-error", error, {
      vote_step_refused: () => _("Certify the roll (again, if it was imported since) before issuing the credentials."),
    });
  }
});

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
