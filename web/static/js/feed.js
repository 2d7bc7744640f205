// The one live-feed client (docs/LIVE-FEEDS.md): snapshot, change, heartbeat, resync; resumes
// with `after` from the last position applied, reconnecting with backoff and jitter.

const QUIET_LIMIT_MS = 40000; // heartbeats come every 15 s: this long silent means a dead link
const BACKOFF_FIRST_MS = 500;
const BACKOFF_CAP_MS = 15000;

export class Feed {
  // path: "/ws/negotiations/ID/?feed=session&session_id=…"; after: the position the page was
  // rendered at (its changes follow without a snapshot), or null to start from a snapshot.
  constructor(path, { after = null, onSnapshot, onChange, onState } = {}) {
    this.path = path;
    this.position = after;
    this.onSnapshot = onSnapshot || (() => {});
    this.onChange = onChange || (() => {});
    this.onState = onState || (() => {});
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
    this.state = "connecting";
    this._timer = null;
    this._quiet = null;
    addEventListener("online", () => this._connectSoon(0));
  }

  start() {
    this.stopped = false;
    this._connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this._timer);
    clearTimeout(this._quiet);
    if (this.socket) this.socket.close();
  }

  _url() {
    const url = new URL(this.path, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (this.position !== null) url.searchParams.set("after", String(this.position));
    return url.href;
  }

  _setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }

  _connect() {
    clearTimeout(this._timer);
    if (this.stopped) return;
    const socket = new WebSocket(this._url());
    this.socket = socket;
    // Open is live: resuming from a position, nothing may come until the next change.
    socket.onopen = () => socket === this.socket && (this._heard(), this._setState("live"));
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this._heard();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this._receive(message);
    };
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.socket = null;
      clearTimeout(this._quiet);
      if (this.stopped) return;
      this._setState("reconnecting");
      // Full jitter: a room of phones dropped at once does not come back at once.
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
      this.attempt += 1;
      this._connectSoon(ceiling / 2 + Math.random() * (ceiling / 2));
    };
  }

  _connectSoon(delay) {
    if (this.stopped || this.socket) return; // already connected or connecting
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._connect(), delay);
  }

  _heard() {
    clearTimeout(this._quiet);
    const socket = this.socket;
    this._quiet = setTimeout(() => socket && socket.close(), QUIET_LIMIT_MS);
  }

  _receive(message) {
    if (message.type === "snapshot") {
      this.position = message.position;
      this.onSnapshot(message.parts, message.position);
      this._live();
    } else if (message.type === "change") {
      // Positions only grow; one at or below ours was already applied (never twice).
      if (this.position !== null && message.position <= this.position) return;
      this.position = message.position;
      this.onChange(message.set || {}, message.remove || [], message.position);
      this._live();
    } else if (message.type === "heartbeat") {
      this._live();
    } else if (message.type === "resync") {
      this.socket && this.socket.close(); // reconnect with `after`: the server sends what we lack
    }
  }

  _live() {
    this.attempt = 0;
    this._setState("live");
  }
}

// The visible connection state of several feeds: "live" only when every one is.
export function showConnection(element, feeds, labels) {
  const render = () => {
    const live = feeds.every((feed) => feed.state === "live");
    element.dataset.state = live ? "live" : "reconnecting";
    element.textContent = live ? labels.live : labels.reconnecting;
  };
  for (const feed of feeds) {
    const previous = feed.onState;
    feed.onState = (state) => {
      previous(state);
      render();
    };
  }
  render();
}
