// The record lookup: a voter's tracking code, sent in a POST body (never in an address), found
// or not among the election record's ballots.

import { _, page, number } from "./i18n.js";
import { call } from "./vote-api.js";

const form = document.getElementById("lookup");
const result = document.getElementById("lookup-result");

async function lookUp() {
  result.hidden = true;
  try {
    const found = await call(page.lookup, { method: "POST", body: { code: form.code.value.trim() } });
    result.textContent = found.found
      ? _("Found: your ballot is number %(n)s of the %(total)s ballots in the election record, still encrypted.", { n: number(found.number), total: number(found.ballots) })
      : _("This tracking code is not in the election record. Check it digit by digit; if it is right, tell your election officials.");
  } catch (error) {
    result.textContent = error.message;
  }
  result.hidden = false;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  lookUp();
});

// From the ballot's receipt: the code comes in the fragment, which browsers never send.
const fromReceipt = new URLSearchParams(location.hash.slice(1)).get("code");
if (fromReceipt) {
  form.code.value = fromReceipt;
  history.replaceState(null, "", location.pathname + location.search);
  lookUp();
}
