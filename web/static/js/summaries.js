// The union chief's summaries of the ratification document: each saved on its own, a refusal
// said beside the summary it refused, and what was typed left as it was.

import { _, page } from "./i18n.js";
import { call } from "./vote-api.js";

for (const form of document.querySelectorAll(".summary-form")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const refusal = form.querySelector("[role=alert]");
    const saved = form.querySelector(".saved");
    const button = form.querySelector("button");
    refusal.hidden = true;
    saved.textContent = "";
    button.disabled = true;
    const body = { text: form.querySelector("textarea").value };
    if (form.dataset.article) body.article_id = form.dataset.article;
    try {
      const done = await call(`${page.api}/summary`, { method: "PUT", body });
      document.getElementById("document-hash").textContent = done.document_hash;
      saved.textContent = _("Saved. The document has a new hash.");
    } catch (error) {
      refusal.textContent = error.message;
      refusal.hidden = false;
    } finally {
      button.disabled = false;
    }
  });
}
