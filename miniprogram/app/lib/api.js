// The API client: wx.request with a timeout, the session's bearer token, renewal of the access token shortly
// before it expires (one renewal however many calls wait), one renewal and one retry on a 401, errors in the
// API's own words (Chinese first, English available).
const { settings } = require("./settings.js");
const { t } = require("./i18n.js");

const SESSION_KEY = "linli.session";
const REQUEST_TIMEOUT_MS = 15000;
const RENEW_BEFORE_MS = 120000;
const SIGN_IN_PAGE = "/pages/signin/signin";

class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message_en || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || `http_${status}`;
    this.zh = err.message || "操作没有成功，请稍后再试";
    this.en = err.message_en || "That did not work; please try again later.";
  }

  get words() {
    return t(this.zh, this.en);
  }
}

const networkError = () =>
  new ApiError(0, {
    error: { code: "network", message: "连不上服务器，请检查网络后再试", message_en: "Cannot reach the server; check the network and try again." },
  });

// ---- the session: {access_token, refresh_token, expires_at (ms), needs_phone} in wx storage ----
function session() {
  try {
    const value = wx.getStorageSync(SESSION_KEY);
    return value && value.access_token ? value : null;
  } catch (err) {
    return null;
  }
}

/** Keep the tokens of a /auth/wechat or /auth/refresh answer (expires_in seconds → an instant). */
function saveTokens(answer, extra = {}) {
  const before = session() || {};
  const value = {
    access_token: answer.access_token,
    refresh_token: answer.refresh_token || before.refresh_token,
    expires_at: Date.now() + Number(answer.expires_in || 900) * 1000,
    needs_phone: answer.needs_phone === undefined ? Boolean(before.needs_phone) : Boolean(answer.needs_phone),
    ...extra,
  };
  wx.setStorageSync(SESSION_KEY, value);
  return value;
}

function updateSession(changes) {
  const s = session();
  if (s) wx.setStorageSync(SESSION_KEY, { ...s, ...changes });
}

function clearSession() {
  wx.removeStorageSync(SESSION_KEY);
}

/** One HTTP call → {status, data}; a network failure or timeout rejects with an ApiError. */
function send(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const header = { "content-type": "application/json" };
    if (token) header.Authorization = `Bearer ${token}`;
    wx.request({
      url: settings().apiBase + path,
      method,
      header,
      data: body === undefined ? undefined : body,
      dataType: "json",
      timeout: REQUEST_TIMEOUT_MS,
      success: (res) => resolve({ status: res.statusCode, data: res.data }),
      fail: () => reject(networkError()),
    });
  });
}

let renewing = null;

/** POST /auth/refresh with the refresh token: one at a time; a refused renewal ends the session. */
function renew() {
  if (renewing) return renewing;
  const s = session();
  if (!s || !s.refresh_token) {
    clearSession();
    toSignIn();
    return Promise.reject(new ApiError(401, null));
  }
  renewing = send("POST", "/auth/refresh", { refresh_token: s.refresh_token })
    .then(({ status, data }) => {
      if (status >= 200 && status < 300 && data && data.access_token) return saveTokens(data);
      if (status === 401 || status === 400 || status === 403) {
        clearSession();
        toSignIn();
      }
      throw new ApiError(status, data);
    })
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

function toSignIn() {
  const pages = typeof getCurrentPages === "function" ? getCurrentPages() : [];
  const here = pages.length ? pages[pages.length - 1] : null;
  if (here && here.route === SIGN_IN_PAGE.slice(1)) return;
  wx.reLaunch({ url: SIGN_IN_PAGE });
}

/** A call to the API; `auth: false` for the public sign-in routes. Resolves to the answer's JSON. */
async function request(method, path, body, { auth = true } = {}) {
  let s = auth ? session() : null;
  if (auth && !s) {
    toSignIn();
    throw new ApiError(401, { error: { code: "unauthenticated", message: "请先登录", message_en: "Please sign in first." } });
  }
  if (s && s.refresh_token && s.expires_at - RENEW_BEFORE_MS < Date.now()) s = await renew();
  let answer = await send(method, path, body, s && s.access_token);
  if (answer.status === 401 && s) {
    s = await renew(); // once: a second 401 is the answer
    answer = await send(method, path, body, s.access_token);
    if (answer.status === 401) {
      clearSession();
      toSignIn();
    }
  }
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(answer.status, answer.data);
  return answer.data;
}

const api = {
  get: (path) => request("GET", path),
  post: (path, body = {}) => request("POST", path, body),
  del: (path) => request("DELETE", path),
};

module.exports = { ApiError, api, request, session, saveTokens, updateSession, clearSession, renew, SESSION_KEY, REQUEST_TIMEOUT_MS, RENEW_BEFORE_MS };
