// Shared by every Linli app: the session, the API client, language, and a tiny safe DOM builder.
// Plain ES modules, no build step, nothing fetched from other sites (but the API).
import { API_BASE_URL, PUSH_URL } from "/app/config.js";
import * as auth from "/app/shared/auth.js";

const SESSION_KEY = "linli.session";
const LANG_KEY = "linli.lang";

export const APP_FOR_ROLE = {
  resident: "/app/resident/",
  technician: "/app/technician/",
  dispatcher: "/app/company/",
  supervisor: "/app/supervisor/",
};

// ---- language: Chinese first, English on request (remembered) ----
export function lang() {
  return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
}

export function setLang(value) {
  localStorage.setItem(LANG_KEY, value === "en" ? "en" : "zh");
  document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
}

/** The words in the chosen language: t("你好", "Hello"). */
export function t(zh, en) {
  return lang() === "en" ? en : zh;
}

/** A bilingual object from the API ({zh, en}, or name/name_en style). */
export function pick(obj, zhKey = "zh", enKey = "en") {
  if (!obj) return "";
  return (lang() === "en" ? obj[enKey] : obj[zhKey]) || obj[zhKey] || obj[enKey] || "";
}

// ---- session: this tab's only (sessionStorage), gone when the tab is closed ----
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

export function saveSession(value) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
}

export async function signOut() {
  const s = session();
  sessionStorage.removeItem(SESSION_KEY);
  await auth.logout(s); // POST /auth/logout: the refresh token is revoked
  location.href = "/app/";
}

// The access token lives at most 15 minutes: it is renewed with the refresh token (POST /auth/refresh) shortly before
// it expires, one renewal at a time however many calls are waiting. A refused refresh ends the session: sign in
// again. (The sandbox's demo sign-in, POST /dev/login, gives no refresh token: its token lasts the demo.)
export const RENEW_BEFORE_MS = 120_000;
let renewing = null;

async function freshSession() {
  const s = session();
  if (!s || !s.refresh_token || !(s.expires_at - RENEW_BEFORE_MS < Date.now())) return s;
  if (!renewing) {
    renewing = auth
      .refresh(s)
      .then((renewed) => {
        saveSession(renewed);
        return renewed;
      })
      .catch(() => {
        sessionStorage.removeItem(SESSION_KEY);
        location.replace("/app/?next=" + encodeURIComponent(s.role));
        return null;
      })
      .finally(() => {
        renewing = null;
      });
  }
  return renewing;
}

/** The signed-in user if they have this role; otherwise back to the sign-in screen. */
export function requireRole(role) {
  const s = session();
  if (!s || s.role !== role) {
    location.replace("/app/?next=" + encodeURIComponent(role));
    throw new Error("not signed in");
  }
  return s;
}

// ---- API ----
export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message_en || `HTTP ${status}`);
    this.status = status;
    this.body = err; // the whole error (some carry more, e.g. an import's report)
    this.code = err.code || "http_" + status;
    this.zh = err.message || "操作没有成功，请稍后再试";
    this.en = err.message_en || "That did not work; please try again later.";
  }
  get words() {
    return t(this.zh, this.en);
  }
}

/** A call to the API (API_BASE_URL + path) with the session's token; a network failure as an ApiError. */
async function call(method, path, body) {
  const s = await freshSession();
  const headers = {};
  if (s && s.token) headers.authorization = "Bearer " + s.token;
  // A file (a Blob: a CSV to import) goes as it is, with its own type; anything else as JSON.
  const file = typeof Blob !== "undefined" && body instanceof Blob;
  if (body !== undefined) headers["content-type"] = file ? body.type : "application/json";
  try {
    return await fetch(API_BASE_URL + path, { method, headers, body: body === undefined ? undefined : file ? body : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, {
      error: { code: "network", message: "连不上服务器，请检查网络后再试", message_en: "Cannot reach the server; check the network and try again." },
    });
  }
}

/** GET a file from the API (e.g. a CSV export) and save it under `filename`. */
export async function download(path, filename) {
  const response = await call("GET", path);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

export async function api(method, path, body) {
  const s = session();
  const response = await call(method, path, body);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.status === 401 && s) {
    // The sign-in has expired: back to the sign-in screen, which then opens this app again.
    sessionStorage.removeItem(SESSION_KEY);
    location.replace("/app/?next=" + encodeURIComponent(s.role));
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A whole list of a paged route: GET `path` 100 a page, following `next_cursor` (at most `maxPages` pages), each
 * array of the answer joined across the pages (GET /vetting answers companies and technicians side by side). */
export async function apiAll(path, maxPages = 20) {
  const joined = {};
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const query = `limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const data = await api("GET", `${path}${path.includes("?") ? "&" : "?"}${query}`);
    for (const [key, value] of Object.entries(data)) {
      if (Array.isArray(value)) joined[key] = [...(joined[key] || []), ...value];
      else if (!(key in joined)) joined[key] = value;
    }
    cursor = data.next_cursor;
    if (!cursor) break;
  }
  joined.next_cursor = cursor;
  return joined;
}

/** fn(item) for each item, one after the other (not all at once). Once a workaround for a sandbox that mixed up
 * concurrent requests (fixed: docs/apps.md); kept for the short lists it serves, gentle on the API. */
export async function oneByOne(items, fn) {
  const results = [];
  for (const item of items) results.push(await fn(item));
  return results;
}

// ---- photos (docs/api.md#photos): uploaded straight to storage through a pre-signed URL ----
export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

/** Uploads one image for `purpose` (fault, work, profile): POST /photos, then PUT the file to the signed URL.
 * Checked here first (type, 5 MB) in the API's own words; the API and storage check again. → the photo id. */
export async function uploadPhoto(file, purpose) {
  if (!PHOTO_TYPES.includes(file.type)) {
    throw new ApiError(415, { error: { code: "photo_type_not_allowed", message: "只能上传 JPEG、PNG 或 WebP 格式的照片", message_en: "Only JPEG, PNG or WebP photos can be uploaded." } });
  }
  if (file.size > PHOTO_MAX_BYTES) {
    throw new ApiError(413, { error: { code: "photo_too_large", message: "照片太大（最大 5 MB），请换一张或压缩后再试", message_en: "The photo is too large (5 MB at most); choose a smaller one." } });
  }
  const upload = await api("POST", "/photos", { purpose, content_type: file.type, size: file.size });
  let response;
  try {
    response = await fetch(upload.upload_url, { method: upload.method, headers: upload.headers, body: file });
  } catch {
    response = null;
  }
  if (!response || !response.ok) {
    throw new ApiError(502, { error: { code: "photo_upload_failed", message: "照片没有传上去，请再试一次", message_en: "The photo did not upload; please try again." } });
  }
  return upload.photo_id;
}

const photoLinks = new Map(); // "<order>/<photo>" -> {url, until}: the same URL while it is valid (no re-download)

/** A short-lived link to one of an order's photos (GET /orders/{id}/photos/{photo}), reused until it nearly expires. */
export async function photoLink(orderId, photoId) {
  const key = `${orderId}/${photoId}`;
  const known = photoLinks.get(key);
  if (known && known.until > Date.now()) return known.url;
  const link = await api("GET", `/orders/${orderId}/photos/${photoId}`);
  photoLinks.set(key, { url: link.url, until: Date.now() + (link.expires_in - 30) * 1000 });
  return link.url;
}

/** An <img> of an order's photo, its source filled in once the link arrives. */
export function orderPhoto(orderId, photoId, alt, attrs = {}) {
  const img = h("img", { class: "photo", alt, "data-photo": photoId, ...attrs });
  photoLink(orderId, photoId).then((url) => { img.src = url; }, () => { img.replaceWith(h("p", { class: "muted" }, t("照片暂时打不开", "The photo cannot be shown right now"))); });
  return img;
}

/** A labelled file input for photos; each chosen image is uploaded, then onUploaded(photoId, previewUrl). */
export function photoPicker({ id, label, purpose, multiple = false, onUploaded, onBusy }) {
  const input = h("input", {
    id, type: "file", class: "photo-input", accept: PHOTO_TYPES.join(","), multiple,
    onchange: async (e) => {
      const files = [...e.target.files];
      e.target.value = "";
      clearError();
      if (onBusy) onBusy(true);
      try {
        for (const file of files) onUploaded(await uploadPhoto(file, purpose), URL.createObjectURL(file));
      } catch (err) {
        showError(err);
      } finally {
        if (onBusy) onBusy(false);
      }
    },
  });
  return h("div", { class: "photo-picker" }, h("label", { for: id }, label), input);
}

/** A technician's profile photo and a file input to change it (GET/PUT /technicians/{id}/photo), drawn into `box`:
 * his own app and his company's back office. `before` goes above the photo (a heading); `words` = {alt, none, label}. */
export async function profilePhotoEditor(box, technicianId, words, { before = null, imgId = null, inputId = `photo-${technicianId}`, busy = false } = {}) {
  let photo = null;
  try {
    photo = (await api("GET", `/technicians/${technicianId}/photo`)).photo;
  } catch (err) {
    return showError(err);
  }
  const again = (on) => profilePhotoEditor(box, technicianId, words, { before, imgId, inputId, busy: on });
  render(box, before,
    photo ? h("img", { class: "photo portrait", id: imgId, src: photo.url, alt: words.alt }) : h("p", { class: "muted" }, words.none),
    busy
      ? h("p", { role: "status" }, t("正在上传…", "Uploading…"))
      : photoPicker({
          id: inputId, label: words.label(Boolean(photo)), purpose: "profile",
          onBusy: (on) => { if (on) again(true); },
          onUploaded: async (photoId) => {
            try {
              await api("PUT", `/technicians/${technicianId}/photo`, { photo_id: photoId });
            } catch (err) {
              showError(err);
            }
            again(false);
          },
        }));
}

// ---- DOM ----
/** h("button", {class: "big", onclick: fn}, "text", child…): text is always text, never HTML. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A wide table in a box that scrolls sideways on a narrow screen, reachable by keyboard to scroll it. */
export function scrollBox(label, table) {
  return h("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": label }, table);
}

export function render(target, ...children) {
  target.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

/** Show an error (the API's own words) in the page's alert region. */
export function showError(err) {
  const box = document.getElementById("alert");
  const words = err instanceof ApiError ? err.words : t("出了点问题，请稍后再试", "Something went wrong; please try again.");
  if (!box) return alert(words);
  render(box, h("p", {}, words));
  box.hidden = false;
  box.focus();
  if (!(err instanceof ApiError)) console.error(err);
}

export function clearError() {
  const box = document.getElementById("alert");
  if (box) {
    box.hidden = true;
    box.replaceChildren();
  }
}

/** Run an action, showing its error in plain words; the button is disabled meanwhile. */
export async function attempt(button, action) {
  clearError();
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (err) {
    showError(err);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function time(iso, withDate = true) {
  if (!iso) return "";
  const d = new Date(iso);
  const opts = { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false };
  if (withDate) Object.assign(opts, { month: "numeric", day: "numeric" });
  return d.toLocaleString(lang() === "en" ? "en-GB" : "zh-CN", opts);
}

const CHANNELS = { sms: ["短信", "SMS"], wechat: ["微信", "WeChat"], push: ["通知", "Notification"], phone_call: ["电话", "Phone call"] };

/** A person's messages (their outbox, `GET /messages`), newest first: what they received and on which channel.
 * In the sandbox nothing is sent, so this is what each person would have received. */
export function messageList(list, orderLink = (id) => `#/order/${id}`) {
  if (!list.length) return h("p", {}, t("还没有消息。", "No messages yet."));
  const newestFirst = [...list].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  return h("ul", { class: "messages", style: "list-style:none;padding:0" }, newestFirst.map((m) =>
    h("li", { class: "card" },
      h("p", { class: "muted" }, time(m.created_at), " · ", CHANNELS[m.channel] ? t(...CHANNELS[m.channel]) : m.channel),
      h("p", {}, pick(m, "text_zh", "text_en")),
      m.order_id && orderLink ? h("a", { href: orderLink(m.order_id) }, t("查看订单", "Open the order")) : null,
    ),
  ));
}

/** Beijing wall-clock time to the millisecond (for execution histories): 19:38:27.260. */
export function seconds(iso) {
  return iso ? new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().slice(11, 23) : "";
}

export function money(value) {
  const n = Number(value || 0);
  return t(`${n.toFixed(n % 1 ? 2 : 0)} 元`, `CNY ${n.toFixed(n % 1 ? 2 : 0)}`);
}

export const CATEGORIES = {
  electrical: ["电路 / 灯", "Electrics / lights"],
  plumbing: ["水管 / 下水", "Water / drains"],
  locks: ["门锁", "Locks"],
  appliances: ["家电", "Appliances"],
  other: ["其他", "Other"],
};

export function categoryName(key) {
  const c = CATEGORIES[key];
  return c ? t(c[0], c[1]) : key;
}

export const TYPES = {
  emergency: ["应急维修", "Emergency repair"],
  booking: ["服务预约", "Service booking"],
  public_area: ["公区报事", "Public-area report"],
};

export function typeName(key) {
  const c = TYPES[key];
  return c ? t(c[0], c[1]) : key;
}

/** The header every app shares: title, who is signed in, language switch, sign out. */
export function header(title, onLangChange) {
  const s = session();
  const langButton = h(
    "button",
    {
      type: "button",
      class: "lang-switch",
      lang: lang() === "en" ? "zh-CN" : "en",
      onclick: () => {
        setLang(lang() === "en" ? "zh" : "en");
        onLangChange();
      },
    },
    lang() === "en" ? "中文" : "English",
  );
  return h(
    "header",
    { class: "top" },
    h("p", { class: "brand" }, h("a", { href: "#/" }, title)),
    h(
      "div",
      { class: "top-actions" },
      s ? h("span", { class: "who" }, s.name) : null,
      langButton,
      s ? h("button", { type: "button", class: "quiet", onclick: signOut }, t("退出", "Sign out")) : null,
    ),
  );
}

// ---- live updates: web push over a WebSocket (docs/apps.md#live-updates) ----
// Each new message for the signed-in person arrives on the socket the moment it is sent; the screen shown
// refreshes itself then. Only while the socket cannot connect does a screen poll, slowly.
export const FALLBACK_POLL_MS = 30000;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60000;
export const live = { connected: false, socket: null, retryMs: RETRY_FIRST_MS, messages: 0 };
const liveListeners = new Set();

/** fn(event) for each live event: {type: "message", message}, {type: "connected"} or {type: "disconnected"}. */
export function onLive(fn) {
  liveListeners.add(fn);
  return () => liveListeners.delete(fn);
}

function tellLive(event) {
  for (const fn of [...liveListeners]) {
    try {
      fn(event);
    } catch (err) {
      console.error(err);
    }
  }
}

/** The WebSocket API's stage: config.js's PUSH_URL (the stack's, in AWS), else the same host's /live (the
 * sandbox). The token goes in the query: a browser's socket sends no header. */
export function pushUrl(token) {
  const base = PUSH_URL || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/live`;
  return `${base}?token=${encodeURIComponent(token)}`;
}

/** Open the socket once signed in; reconnect with a doubling wait (1 s … 60 s) whenever it closes. */
export function connectLive() {
  const s = session();
  if (!s || !s.token || live.socket || typeof WebSocket === "undefined") return;
  let socket;
  try {
    socket = new WebSocket(pushUrl(s.token));
  } catch {
    scheduleReconnect();
    return;
  }
  live.socket = socket;
  socket.addEventListener("open", () => {
    live.connected = true;
    live.retryMs = RETRY_FIRST_MS;
    tellLive({ type: "connected" });
  });
  socket.addEventListener("message", (e) => {
    let data = null;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    if (data && data.type === "message" && data.message) {
      live.messages += 1;
      tellLive({ type: "message", message: data.message });
    }
  });
  socket.addEventListener("close", () => {
    const was = live.connected;
    live.socket = null;
    live.connected = false;
    if (was) tellLive({ type: "disconnected" });
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  const wait = live.retryMs;
  live.retryMs = Math.min(live.retryMs * 2, RETRY_MAX_MS);
  setTimeout(connectLive, wait);
}

/** A hash router: routes = [[/^#\/order\/(.+)$/, fn(match)], …]; the first match renders. A screen that returns
 * {poll} is refreshed by poll() on each live message (and when the socket comes back after a gap), and every
 * FALLBACK_POLL_MS only while the socket is down; {tick} runs every second, for local clocks (countdowns). */
export function router(routes, fallback) {
  let timers = [];
  let unsubscribe = null;
  const run = () => {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    if (unsubscribe) unsubscribe();
    unsubscribe = null;
    clearError();
    const hash = location.hash || "#/";
    const found = routes.find(([pattern]) => pattern.test(hash));
    const result = found ? found[1](hash.match(found[0])) : fallback();
    if (result && typeof result.poll === "function") {
      unsubscribe = onLive((event) => {
        if (event.type !== "disconnected") result.poll(event.message);
      });
      timers.push(setInterval(() => live.connected || result.poll(), FALLBACK_POLL_MS));
    }
    if (result && typeof result.tick === "function") timers.push(setInterval(result.tick, 1000));
  };
  window.addEventListener("hashchange", run);
  connectLive();
  return run;
}

document.documentElement.lang = lang() === "en" ? "en" : "zh-CN";
