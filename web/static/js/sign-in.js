// The member sign-in form: the API sets the session cookie, then back to the page asked for.

import { _ } from "./i18n.js";

const form = document.getElementById("sign-in");
const error = document.getElementById("sign-in-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  let response;
  try {
    response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: form.username.value, password: form.password.value }),
    });
  } catch {
    response = null;
  }
  if (response && response.ok) {
    location.assign(form.dataset.next || "/");
    return;
  }
  error.textContent =
    response && response.status === 401 ? _("Wrong username or password.")
    : response && response.status === 429 ? _("Too many failed sign-ins: try again in a few minutes.")
    : _("Could not sign in just now. Try again.");
  error.hidden = false;
});
