// Red and green cards on the viewer: a two-button toggle (aria-pressed) sent over the session
// feed, and the live meter from its `reactions` part (docs/LIVE-FEEDS.md).

import { _, number } from "./i18n.js";

export class Cards {
  constructor(root, feed) {
    this.root = root;
    this.feed = feed;
    this.held = null; // the card this browser holds: "red", "green" or null
    this.turn = null; // `${session}:${turn}` the held card is for
    for (const button of root.querySelectorAll("button[data-card]")) {
      button.addEventListener("click", () => this.toggle(button.dataset.card));
    }
    const initial = root.dataset.reactions ? JSON.parse(root.dataset.reactions) : null;
    this.render(initial);
  }

  toggle(card) {
    const next = this.held === card ? null : card;
    if (!this.feed.send({ type: "card", card: next })) return; // offline: nothing changes
    this.held = next;
    this.renderButtons();
  }

  // A meter reading; a new article on the table (or a new turn) puts every card down.
  render(part) {
    this.root.hidden = !part;
    if (!part) return;
    const turn = `${part.session_id}:${part.turn}`;
    if (turn !== this.turn) {
      this.turn = turn;
      this.held = null;
    }
    this.root.querySelector(".meter-red").textContent = number(part.red);
    this.root.querySelector(".meter-green").textContent = number(part.green);
    this.root.querySelector(".meter").dataset.counts = `${part.red}:${part.green}`;
    this.renderButtons();
  }

  renderButtons() {
    for (const button of this.root.querySelectorAll("button[data-card]")) {
      button.setAttribute("aria-pressed", String(button.dataset.card === this.held));
    }
    const held = this.root.querySelector(".held");
    held.textContent = this.held === "red" ? _("You hold a red card.")
      : this.held === "green" ? _("You hold a green card.") : _("You hold no card.");
  }
}
