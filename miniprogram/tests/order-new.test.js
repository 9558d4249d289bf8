// Ordering: the quote, then the order; the same tap asks WeChat for the order's next one-time subscription
// messages and the platform is told which templates were asked and which the resident accepted.
const { installWx, signedIn, openPage, settle, tap, text } = require("./support/wx.js");
const subscribe = require("../app/lib/subscribe.js");

let wx;
beforeEach(() => {
  wx = installWx();
  signedIn(wx);
  wx.on("GET /me", { user_id: "res_wang", name: "王奶奶", addresses: [{ address_id: "addr_wang_home", label: "西营前街5号楼 2单元 301", compound_id: "c1" }], acting_for: [] });
  wx.on("POST /quotes", { free_service: true, low: 0, high: 0, cap: 0, items: [], note_zh: "试点小区免费", note_en: "Free in the pilot" });
  wx.on("POST /orders", (r) => ({ status: 201, data: { order_id: "o-new", status: "submitted", timeline: [{ status: "submitted" }], order_code: "1234" } }));
  wx.on("POST /me/wechat/subscriptions", (r) => ({ status: 200, data: { recorded: r.data.accepted.length } }));
});

async function emergencyForm() {
  const page = openPage("order-new");
  await page.instance.onLoad({ type: "emergency" });
  await settle();
  await tap(page, "#category-electrical");
  await tap(page, "#problem-0");
  return page;
}

test("the price, then the order; the subscription step posts the ids asked and those accepted", async () => {
  wx.subscribeAnswer = { "tmpl-accepted": "accept", "tmpl-en-route": "reject", "tmpl-done": "accept" };
  const page = await emergencyForm();
  await tap(page, "#get-quote");
  const quote = wx.calls.requests.find((r) => r.path === "/quotes");
  expect(quote.data).toEqual({ category: "electrical", description: "灯不亮", address_id: "addr_wang_home" });
  expect(text(page, "#quote-price")).toBe("免费");

  await tap(page, "#confirm-order");
  await settle();
  expect(wx.calls.subscribeAsks).toEqual([["tmpl-accepted", "tmpl-en-route", "tmpl-done"]]);
  const order = wx.calls.requests.find((r) => r.path === "/orders");
  expect(order.data).toEqual({ type: "emergency", category: "electrical", description: "灯不亮", address_id: "addr_wang_home" });
  const consents = wx.calls.requests.find((r) => r.path === "/me/wechat/subscriptions");
  expect(consents.method).toBe("POST");
  expect(consents.data).toEqual({ template_ids: ["tmpl-accepted", "tmpl-en-route", "tmpl-done"], accepted: ["tmpl-accepted", "tmpl-done"] });
  expect(wx.calls.requests.map((r) => r.path).slice(-2)).toEqual(["/orders", "/me/wechat/subscriptions"]);
  expect(wx.calls.navigations).toEqual([{ how: "redirectTo", url: "/pages/order/order?id=o-new" }]);
});

test("all refused: the platform is told none was accepted, and the order is placed all the same", async () => {
  wx.subscribeAnswer = { "tmpl-accepted": "reject", "tmpl-en-route": "reject", "tmpl-done": "reject" };
  const page = await emergencyForm();
  await tap(page, "#get-quote");
  await tap(page, "#confirm-order");
  await settle();
  const consents = wx.calls.requests.find((r) => r.path === "/me/wechat/subscriptions");
  expect(consents.data).toEqual({ template_ids: ["tmpl-accepted", "tmpl-en-route", "tmpl-done"], accepted: [] });
  expect(wx.calls.navigations[0].url).toBe("/pages/order/order?id=o-new");
});

test("a public-area report asks for its own templates", async () => {
  wx.subscribeAnswer = { "tmpl-public": "accept" };
  const page = openPage("order-new");
  await page.instance.onLoad({ type: "public_area" });
  await settle();
  await tap(page, "#place-0"); // 楼道
  await tap(page, "#category-electrical");
  await tap(page, "#problem-0");
  await tap(page, "#get-quote");
  await tap(page, "#confirm-order");
  await settle();
  expect(wx.calls.subscribeAsks).toEqual([["tmpl-accepted", "tmpl-public", "tmpl-escalation"]]);
  const order = wx.calls.requests.find((r) => r.path === "/orders");
  expect(order.data).toMatchObject({ type: "public_area", place: "楼道" });
  expect(wx.calls.requests.find((r) => r.path === "/me/wechat/subscriptions").data.accepted).toEqual(["tmpl-public"]);
});

test("without a kind of problem nothing is sent and the form says what is missing", async () => {
  const page = openPage("order-new");
  await page.instance.onLoad({ type: "emergency" });
  await settle();
  await tap(page, "#get-quote");
  expect(wx.calls.requests.map((r) => r.path)).toEqual(["/me"]);
  expect(text(page, "#error")).toBe("请先选择问题类别");
});

test("the templates follow what the order will say next, three at most, only configured ones", () => {
  expect(subscribe.templatesFor("booking", "assigned")).toEqual(["tmpl-en-route", "tmpl-extra", "tmpl-done"]);
  expect(subscribe.templatesFor("emergency", "awaiting_approval")).toEqual(["tmpl-done", "tmpl-rating"]);
  expect(subscribe.templatesFor("emergency", "completed")).toEqual(["tmpl-rating"]);
  expect(subscribe.templatesFor("emergency", "closed")).toEqual([]);
  for (const status of ["submitted", "assigned", "en_route", "escalated"]) expect(subscribe.templatesFor("emergency", status).length).toBeLessThanOrEqual(3);
});

test("the order page's 提醒我 asks for the next messages and records the answer", async () => {
  wx.on("GET /orders/o-2", { order_id: "o-2", type: "emergency", category: "plumbing", status: "assigned", resident_id: "res_wang", timeline: [], extra_lines: [] });
  wx.subscribeAnswer = { "tmpl-en-route": "accept", "tmpl-extra": "accept", "tmpl-done": "ban" };
  const page = openPage("order");
  page.instance.onLoad({ id: "o-2" });
  await page.instance.onShow();
  await settle();
  await tap(page, "#remind");
  await settle();
  expect(wx.calls.subscribeAsks).toEqual([["tmpl-en-route", "tmpl-extra", "tmpl-done"]]);
  expect(wx.calls.requests.find((r) => r.path === "/me/wechat/subscriptions").data).toEqual({ template_ids: ["tmpl-en-route", "tmpl-extra", "tmpl-done"], accepted: ["tmpl-en-route", "tmpl-extra"] });
});
