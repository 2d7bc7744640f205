// The vote pages' calls to the ratification API: JSON in, JSON out, refusals as sentences.

import { _, lang } from "./i18n.js";

// Refusal rules (docs/RATIFICATION-API.md) in the reader's language; else the server's sentence.
const REFUSALS = {
  not_on_roll: () => _("This voting code is not on the roll, or it was replaced by a new one. Check the code, or ask your election officials for a new one."),
  second_ballot: () => _("A ballot was already cast with this voting code. Each member votes once."),
  outside_window: () => _("Voting is not open right now: see the times above."),
  invalid_ballot: () => _("The encrypted ballot did not check out, so it was not counted. Reload the page and try again."),
  copied_ballot: () => _("This ballot copies another one, so it was not counted."),
  not_official: () => _("Only the election officials of this vote can do this."),
  ceremony_incomplete: () => _("The key ceremony is not finished yet."),
  not_permitted: () => _("You are not allowed to do this."),
};

export class Refusal extends Error {
  constructor(rule, sentence, detail = "") {
    super(sentence);
    this.rule = rule;
    this.detail = detail; // the server's own sentence (English)
  }
}

/** fetch → the decoded body; a 4xx becomes a Refusal whose message a person reads. */
export async function call(url, { method = "GET", body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Refusal("offline", _("Could not reach the server. Check your connection and try again."));
  }
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (response.ok) return data;
  throw refusal(response.status, data);
}

/** A refused answer's body → the Refusal to show (callers not using `call`, e.g. an upload). */
export function refusal(status, data) {
  const rule = (data && data.rule) || "error";
  const sentence = (data && data.detail) || "";
  const words = REFUSALS[rule];
  if (words) return new Refusal(rule, words(), sentence);
  // The server's own sentence is English: other languages get ours, less precise but readable.
  const detail = lang === "en" && sentence;
  return new Refusal(rule, detail || (status < 500
    ? _("This step cannot be taken at this stage of the vote.") : _("Something went wrong. Try again.")), sentence);
}

export const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
export const unb64 = (text) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
export const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
