// A stand-in for the WeChat runtime the pages talk to: storage, wx.request (answered by routes the test sets,
// every call recorded), wx.login, navigation, subscription requests and sockets, all recorded.
const path = require("path");
const simulate = require("miniprogram-simulate");

const APP = path.join(__dirname, "..", "..", "app");
const BASE = "https://api.test.example";

function fakeWx() {
  const storage = new Map();
  const calls = { requests: [], navigations: [], logins: 0, subscribeAsks: [], sockets: [], toasts: [], modals: [] };
  const routes = new Map(); // "METHOD /path" -> (request) => {status, data} | data
  const fake = {
    calls,
    storage,
    routes,
    /** Answer `METHOD /path` with `answer` (an object: 200 with it; a function of the request: its {status, data}). */
    on(route, answer) {
      routes.set(route, answer);
    },
    loginCode: "wx-code-1",
    subscribeAnswer: {},
    modalConfirm: true,
    getStorageSync: (key) => (storage.has(key) ? JSON.parse(storage.get(key)) : ""),
    setStorageSync: (key, value) => storage.set(key, JSON.stringify(value)),
    removeStorageSync: (key) => storage.delete(key),
    request(options) {
      const url = options.url.startsWith(BASE) ? options.url.slice(BASE.length) : options.url;
      const record = { method: options.method || "GET", url, path: url.split("?")[0], data: options.data, header: options.header || {}, timeout: options.timeout };
      calls.requests.push(record);
      const handler = routes.get(`${record.method} ${record.path}`);
      setTimeout(() => {
        if (!handler) return options.success({ statusCode: 404, data: { error: { code: "route_not_found", message: "没有这个地址", message_en: "No such route" } } });
        if (handler === "network") return options.fail({ errMsg: "request:fail timeout" });
        const out = typeof handler === "function" ? handler(record) : { status: 200, data: handler };
        return options.success({ statusCode: out.status || 200, data: out.data });
      }, 0);
      return { abort() {} };
    },
    login(options) {
      calls.logins += 1;
      setTimeout(() => (global.wx.loginCode ? options.success({ code: global.wx.loginCode, errMsg: "login:ok" }) : options.fail({ errMsg: "login:fail" })), 0);
    },
    requestSubscribeMessage(options) {
      calls.subscribeAsks.push(options.tmplIds);
      setTimeout(() => options.success({ errMsg: "requestSubscribeMessage:ok", ...global.wx.subscribeAnswer }), 0);
    },
    connectSocket(options) {
      const handlers = {};
      const task = {
        url: options.url,
        header: options.header,
        onOpen: (fn) => { handlers.open = fn; },
        onMessage: (fn) => { handlers.message = fn; },
        onClose: (fn) => { handlers.close = fn; },
        onError: (fn) => { handlers.error = fn; },
        close: () => { task.closed = true; },
        open: () => handlers.open && handlers.open({}),
        send: (data) => handlers.message && handlers.message({ data: JSON.stringify(data) }),
        drop: () => handlers.close && handlers.close({ code: 1006 }),
      };
      calls.sockets.push(task);
      return task;
    },
    navigateTo: (o) => calls.navigations.push({ how: "navigateTo", url: o.url }),
    redirectTo: (o) => calls.navigations.push({ how: "redirectTo", url: o.url }),
    reLaunch: (o) => calls.navigations.push({ how: "reLaunch", url: o.url }),
    navigateBack: () => calls.navigations.push({ how: "navigateBack" }),
    showToast: (o) => calls.toasts.push(o.title),
    showModal: (o) => {
      calls.modals.push(o);
      setTimeout(() => o.success({ confirm: global.wx.modalConfirm, cancel: !global.wx.modalConfirm }), 0);
    },
    showLoading: () => {},
    hideLoading: () => {},
  };
  return fake;
}

/** Replaces the runtime's wx with a fresh fake (kept on global.wx for the pages). */
function installWx() {
  const fake = fakeWx();
  global.wx = Object.assign(global.wx || {}, fake);
  global.getCurrentPages = () => [];
  return global.wx;
}

/** A signed-in resident: tokens in storage, the access token valid for `seconds`. */
function signedIn(wxFake, { seconds = 900, access = "access-1", refresh = "refresh-1" } = {}) {
  wxFake.setStorageSync("linli.session", { access_token: access, refresh_token: refresh, expires_at: Date.now() + seconds * 1000, needs_phone: false });
}

const opened = [];
// Pages left open stop listening (live updates, timers) after each test, as WeChat unloads them.
afterEach(() => {
  for (const page of opened.splice(0)) if (page.instance.onUnload) page.instance.onUnload();
});

const loaded = {}; // jest keeps a page's module once required: load each page once per test file

/** Load and attach a page → the simulate component. Its WXML is compiled by WeChat's own compiler (wcc, from the
 * miniprogram-compiler package; MP_COMPILER=simulate for the pure-JS one). */
function openPage(name) {
  if (!loaded[name]) loaded[name] = simulate.load(path.join(APP, "pages", name, name), { rootPath: APP, compiler: process.env.MP_COMPILER || "official" });
  const id = loaded[name];
  const page = simulate.render(id);
  opened.push(page);
  const parent = document.createElement("parent-wrapper");
  page.attach(parent);
  return page;
}

/** Let the pending callbacks and promises run. */
const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** Tap an element (by selector) as a finger would, and let what it started run. */
async function tap(page, selector) {
  const el = page.querySelector(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  el.dispatchEvent("tap");
  await settle();
}

/** The rendered DOM elements with a class (simulate prefixes classes with the page's tag). */
const byClass = (page, name) => [...page.dom.querySelectorAll(`.main--${name}`)];
const text = (page, selector) => {
  const el = page.querySelector(selector);
  return el ? el.dom.textContent.trim() : null;
};

module.exports = { installWx, signedIn, openPage, settle, tap, byClass, text, APP, BASE };
