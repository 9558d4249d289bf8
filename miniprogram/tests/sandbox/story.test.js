// 王奶奶 orders an emergency repair from the mini-program's pages against the running sandbox; 赵师傅 (over plain
// HTTP) accepts and bills two lines beyond the quote; she approves one and rejects the other on the order page.
// What the pages send and read is the real API's. Her session is a sandbox token (/dev/login). A new resident
// signs in with the mini-program's own code (lib/auth.js, lib/api.js): wx.login's code → POST /auth/wechat, answered
// by the sandbox's fake WeChat server, the phone button's code, an authorised call, then the token's renewal.
const http = require("http");
const { installWx, openPage, settle, tap, text, byClass } = require("../support/wx.js");
const { signIn, bindPhone } = require("../../app/lib/auth.js");
const { api, renew, session } = require("../../app/lib/api.js");

const BASE = process.env.LINLI_SANDBOX_URL;

/** One HTTP call to the sandbox → {status, data}. */
function call(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, BASE);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) headers["content-length"] = payload.length;
    const req = http.request(url, { method, headers, timeout: 30000 }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const textBody = Buffer.concat(chunks).toString("utf8");
        let data = textBody;
        try {
          data = textBody ? JSON.parse(textBody) : null;
        } catch (err) {
          // not JSON: kept as text
        }
        resolve({ status: res.statusCode, data });
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const login = async (userId) => (await call("POST", "/dev/login", { user_id: userId })).data.access_token;

async function waitFor(check, what, seconds = 60) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const found = await check();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`gave up waiting for ${what}`);
}

let wx;
beforeEach(() => {
  wx = installWx();
  // wx.request over real HTTP to the sandbox (recorded like the stand-in's)
  wx.request = (options) => {
    const url = options.url.slice(BASE.length);
    const auth = (options.header || {}).Authorization;
    wx.calls.requests.push({ method: options.method, path: url.split("?")[0], data: options.data });
    call(options.method || "GET", url, options.data, auth ? auth.replace(/^Bearer /, "") : undefined).then(
      (res) => options.success({ statusCode: res.status, data: res.data }),
      () => options.fail({ errMsg: "request:fail" }),
    );
  };
  wx.connectSocket = () => ({ onOpen() {}, onMessage() {}, onClose() {}, onError() {}, close() {} }); // polling fallback
});

test("order, extra charges line by line, against the sandbox", async () => {
  const wang = await login("res_wang");
  const zhao = await login("tech_zhao");
  wx.setStorageSync("linli.session", { access_token: wang, refresh_token: "", expires_at: Date.now() + 3600e3, needs_phone: false });
  const duty = await call("PUT", "/technicians/me/availability", { on_duty: true, lat: 39.9061, lng: 116.658 }, zhao);
  expect(duty.status).toBe(200);

  const home = openPage("home");
  await home.instance.onShow();
  await waitFor(() => text(home, "#greeting") === "王奶奶，您好", "the greeting", 20);

  const form = openPage("order-new");
  await form.instance.onLoad({ type: "emergency" });
  await waitFor(() => form.querySelector("#category-electrical"), "the form", 20);
  await tap(form, "#category-electrical");
  await tap(form, "#problem-0");
  await tap(form, "#get-quote");
  await waitFor(() => form.querySelector("#quote-price"), "the quote", 20);
  wx.subscribeAnswer = { "tmpl-accepted": "accept" };
  await tap(form, "#confirm-order");
  const redirect = await waitFor(() => wx.calls.navigations.find((n) => n.how === "redirectTo"), "the order", 30);
  const orderId = redirect.url.split("id=")[1];
  const placed = await call("GET", `/orders/${orderId}`, undefined, wang);
  expect(placed.data).toMatchObject({ type: "emergency", category: "electrical", description: "灯不亮", resident_id: "res_wang" });

  const offer = await waitFor(async () => (await call("GET", "/offers", undefined, zhao)).data.offers.find((o) => o.order_id === orderId), "the offer to 赵师傅");
  expect((await call("POST", `/offers/${offer.offer_id}/accept`, undefined, zhao)).status).toBe(200);
  await call("POST", `/orders/${orderId}/progress`, { status: "on_site" }, zhao);
  const done = await call("POST", `/orders/${orderId}/completion`, {
    lines: [
      { item_id: "elec_wire_reconnect", parts: [{ part_id: "wire_connector", quantity: 2 }] },
      { item_id: "elec_ceiling_lamp", parts: [{ part_id: "led_ceiling_lamp", quantity: 1 }], reason: "灯具老化" },
      { item_id: "elec_switch_socket", parts: [{ part_id: "switch_panel", quantity: 1 }], reason: "开关松动" },
    ],
  }, zhao);
  expect(done.data.status).toBe("awaiting_approval");

  const page = openPage("order");
  page.instance.onLoad({ id: orderId });
  await page.instance.onShow();
  await waitFor(() => byClass(page, "extra-line").length === 2, "the two extra lines", 20);
  expect(byClass(page, "extra-line").map((l) => l.textContent)).toEqual([expect.stringContaining("灯具老化"), expect.stringContaining("开关松动")]);
  await tap(page, "#approve-L2");
  await tap(page, "#reject-L3");
  await tap(page, "#send-decisions");
  await waitFor(async () => (await call("GET", `/orders/${orderId}`, undefined, wang)).data.status === "completed", "the order completed", 30);
  await settle();
  const final = (await call("GET", `/orders/${orderId}`, undefined, wang)).data;
  expect(Object.fromEntries(final.extra_lines.map((l) => [l.line_id, l.decision]))).toEqual({ L2: "approved", L3: "rejected" });
  await waitFor(() => /完成/.test(text(page, "#status-now") || ""), "the page showing the repair done", 20);
});

test("a new resident signs in with WeChat through the mini-program's own code, against the sandbox", async () => {
  const openid = `mp-e2e-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  wx.loginCode = `wx-demo:${openid}`; // what wx.login answers; the sandbox's fake WeChat server knows it
  await expect(signIn()).resolves.toEqual({ needs_phone: true });
  expect(wx.calls.logins).toBe(1);
  expect(wx.calls.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /auth/wechat"]);
  expect(wx.calls.requests[0].data).toEqual({ code: `wx-demo:${openid}` });
  const first = session();
  expect(first.access_token).toBeTruthy();
  expect(first.refresh_token).toBeTruthy();
  expect(first.expires_at).toBeGreaterThan(Date.now());

  // the same WeChat code again is refused by WeChat (40163): nothing replaces her session
  await expect(signIn()).rejects.toMatchObject({ status: expect.any(Number) });
  expect(session().access_token).toBe(first.access_token);

  const phone = `139${String(Date.now()).slice(-8)}`;
  const bound = await bindPhone({ code: `wx-phone:${phone}` });
  expect(bound.phone_masked.endsWith(phone.slice(-4))).toBe(true);
  expect(bound.phone_masked).not.toContain(phone);
  expect(session().needs_phone).toBe(false);

  const me = await api.get("/me");
  expect(me.role).toBe("resident");
  expect(me.user_id).toBeTruthy();

  const renewed = await renew();
  expect(wx.calls.requests[wx.calls.requests.length - 1]).toMatchObject({ method: "POST", path: "/auth/refresh" });
  expect(renewed.access_token).toBeTruthy();
  expect(renewed.access_token).not.toBe(first.access_token);
  expect(session().access_token).toBe(renewed.access_token);
  await expect(api.get("/me")).resolves.toMatchObject({ user_id: me.user_id });
  const last = wx.calls.requests[wx.calls.requests.length - 1];
  expect(`${last.method} ${last.path}`).toBe("GET /me");
});
