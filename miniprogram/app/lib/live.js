// Live updates: the platform's web push (docs/integrators.md "Web push"), a WebSocket on which each message the
// resident is sent arrives the moment it is sent. A page listens while it is shown (listen/unlisten); only while
// the socket is down does it poll, every FALLBACK_POLL_MS. The socket is retried after 1 s, 2 s, 4 s … 60 s.
const { settings } = require("./settings.js");
const { session } = require("./api.js");

const FALLBACK_POLL_MS = 30000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60000;
const CONNECT_TIMEOUT_MS = 10000;

const state = { connected: false, task: null, retryMs: RETRY_FIRST_MS, timer: null };
const listeners = new Set();

/** The web-push URL: PUSH_URL, else the API's host with ws(s) and /live (the sandbox). The short-lived access
 * token goes in the query as the push API expects it (and in the header too, where WeChat sends one). */
function pushUrl(token) {
  const base = settings().pushUrl || `${settings().apiBase.replace(/^http/, "ws")}/live`;
  return `${base}?token=${encodeURIComponent(token)}`;
}

function tell(event) {
  for (const fn of [...listeners]) {
    try {
      fn(event);
    } catch (err) {
      console.error(err);
    }
  }
}

function connect() {
  const s = session();
  if (state.task || !listeners.size || !s || typeof wx.connectSocket !== "function") return;
  const task = wx.connectSocket({ url: pushUrl(s.access_token), header: { Authorization: `Bearer ${s.access_token}` }, timeout: CONNECT_TIMEOUT_MS });
  state.task = task;
  task.onOpen(() => {
    state.connected = true;
    state.retryMs = RETRY_FIRST_MS;
    tell({ type: "connected" });
  });
  task.onMessage((res) => {
    let data = null;
    try {
      data = JSON.parse(res.data);
    } catch (err) {
      return;
    }
    if (data && data.type === "message" && data.message) tell({ type: "message", message: data.message });
  });
  const closed = () => {
    if (state.task !== task) return;
    const was = state.connected;
    state.task = null;
    state.connected = false;
    if (was) tell({ type: "disconnected" });
    if (listeners.size) {
      const wait = state.retryMs;
      state.retryMs = Math.min(state.retryMs * 2, RETRY_MAX_MS);
      state.timer = setTimeout(connect, wait);
    }
  };
  task.onClose(closed);
  task.onError(closed);
}

/** fn(event) for each live event ({type: "message", message} | "connected" | "disconnected"); → unlisten(). */
function listen(fn) {
  listeners.add(fn);
  connect();
  return () => {
    listeners.delete(fn);
    if (!listeners.size) {
      clearTimeout(state.timer);
      const task = state.task;
      state.task = null;
      state.connected = false;
      if (task) task.close({});
    }
  };
}

/** refresh() on every live message and reconnection, and every FALLBACK_POLL_MS while the socket is down. */
function follow(refresh) {
  const unlisten = listen((event) => {
    if (event.type !== "disconnected") refresh(event.message);
  });
  const timer = setInterval(() => {
    if (!state.connected) refresh();
  }, FALLBACK_POLL_MS);
  return () => {
    unlisten();
    clearInterval(timer);
  };
}

module.exports = { listen, follow, pushUrl, state, FALLBACK_POLL_MS };
