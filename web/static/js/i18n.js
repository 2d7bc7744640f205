// Translations for page scripts: the page embeds its language's messages (from the same .po
// catalogs as the templates); %(name)s placeholders as in the templates.

const data = JSON.parse(document.getElementById("page-data").textContent);
export const page = data;
export const lang = data.lang;

export function _(message, values = {}) {
  const text = (data.messages && data.messages[message]) || message;
  return text.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
}

const numbers = new Intl.NumberFormat(lang);
export const number = (n) => numbers.format(n);
const times = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit", timeZone: "UTC" });
export const clockTime = (iso) => (iso ? times.format(new Date(iso)) : "");

// The reader's own time zone (the server cannot know it, so its pages say UTC until this runs):
// a page marks such times <time datetime="…" data-clock> and calls localizeTimes().
const localTimes = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" });
export const localClockTime = (iso) => (iso ? localTimes.format(new Date(iso)) : "");
// A date with its time inside a sentence (the server's `when` filter, by its style) is marked
// <time datetime="…" data-when="short|long"> (templates' local_when) and shown the same way.
const localWhens = Object.fromEntries(["short", "long"].map((style) =>
  [style, new Intl.DateTimeFormat(lang, { dateStyle: style, timeStyle: style })]));
export function localizeTimes(root = document) {
  for (const time of root.querySelectorAll("time[datetime][data-clock]")) {
    time.textContent = localClockTime(time.dateTime);
  }
  for (const time of root.querySelectorAll("time[datetime][data-when]")) {
    const format = localWhens[time.dataset.when];
    if (format) time.textContent = format.format(new Date(time.dateTime));
  }
}
