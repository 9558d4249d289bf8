// 王奶奶 orders an emergency repair from the mini-program's pages against the running sandbox; 赵师傅 (over plain
// HTTP) accepts and bills two lines beyond the quote; she approves one and rejects the other on the order page.
// What the pages send and read is the real API's. Her session is a sandbox token (/dev/login): the WeChat
// sign-in routes are tested against their contract in tests/signin.test.js.
const http = require("http");
const { installWx, openPage, settle, tap, text, byClass } = require("../support/wx.js");

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
