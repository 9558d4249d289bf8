// One order: extra charges decided line by line (each 同意 / 不同意 its own main button; one call with every
// line), big stars, live status, the subscription message's page opening it.
const { installWx, signedIn, openPage, settle, tap, byClass, text } = require("./support/wx.js");
const { declared, px } = require("./support/style.js");

let wx;
let order;
beforeEach(() => {
  wx = installWx();
  signedIn(wx);
  order = {
    order_id: "o-1", type: "emergency", category: "electrical", status: "awaiting_approval", resident_id: "res_wang",
    status_text: { zh: "等您确认额外项目", en: "Waiting for your consent" }, description: "灯不亮", order_code: "4821",
    quote: { free_service: false, low: 50, high: 80, cap: 120 }, timeline: [{ at: "2026-12-04T08:00:00Z", status: "submitted", actor: "res_wang" }],
    technician: { name: "赵师傅", company_name: "通元物业", credentials: { ok: true } },
    bill: [], extra_lines: [
      { line_id: "L1", name: "更换吸顶灯", name_en: "New ceiling lamp", amount: 120, cap: 150, reason: "灯座烧坏了", beyond_quote: true },
      { line_id: "L2", name: "更换开关", name_en: "New switch", amount: 30, cap: 40, reason: "开关松了", beyond_quote: true },
    ],
  };
  wx.on("GET /me", { user_id: "res_wang", name: "王奶奶" });
  wx.on("GET /orders/o-1", () => ({ data: order }));
});

async function orderPage() {
  const page = openPage("order");
  page.instance.onLoad({ id: "o-1" });
  await page.instance.onShow();
  await settle();
  return page;
}

test("each extra line shows its reason and price with its own agree and do-not-agree buttons at the main size", async () => {
  const page = await orderPage();
  expect(text(page, "#status-now")).toBe("等您确认额外项目");
  const lines = byClass(page, "extra-line");
  expect(lines.map((l) => l.querySelector(".main--h2").textContent)).toEqual(["更换吸顶灯", "更换开关"]);
  expect(lines[0].textContent).toContain("灯座烧坏了");
  expect(lines[0].textContent).toContain("市场价 120 元，上限 150 元");
  for (const id of ["approve-L1", "reject-L1", "approve-L2", "reject-L2"]) {
    const button = page.querySelector(`#${id}`).dom;
    expect(px(declared("order", button, "min-height"))).toBeGreaterThanOrEqual(60);
    expect(px(declared("order", button, "font-size"))).toBeGreaterThanOrEqual(18);
  }
});

test("approve one line and reject the other: POST /orders/{id}/approval with one decision per line", async () => {
  const page = await orderPage();
  wx.on("POST /orders/o-1/approval", (r) => {
    order = { ...order, status: "completed", status_text: { zh: "维修完成", en: "Repair done" }, extra_lines: [] };
    return { data: order };
  });
  await tap(page, "#approve-L1");
  await tap(page, "#reject-L2");
  expect(text(page, "#approve-L1")).toBe("✓ 同意");
  await tap(page, "#send-decisions");
  const posts = wx.calls.requests.filter((r) => r.method === "POST");
  expect(posts).toHaveLength(1);
  expect(posts[0].path).toBe("/orders/o-1/approval");
  expect(posts[0].data).toEqual({ lines: [{ line_id: "L1", decision: "approve" }, { line_id: "L2", decision: "reject" }] });
  expect(text(page, "#status-now")).toBe("维修完成");
});

test("rejecting a line sends reject for that line only", async () => {
  const page = await orderPage();
  wx.on("POST /orders/o-1/approval", { status: "completed" });
  await tap(page, "#reject-L1");
  await tap(page, "#approve-L2");
  await tap(page, "#send-decisions");
  const post = wx.calls.requests.find((r) => r.method === "POST");
  expect(post.data.lines).toEqual([{ line_id: "L1", decision: "reject" }, { line_id: "L2", decision: "approve" }]);
});

test("nothing is sent until every line is decided", async () => {
  const page = await orderPage();
  await tap(page, "#approve-L1");
  await tap(page, "#send-decisions");
  expect(wx.calls.requests.filter((r) => r.method === "POST")).toEqual([]);
  expect(text(page, "#error")).toBe("请对每一项选择“同意”或“不同意”");
});

test("a completed order is rated with big stars: POST /orders/{id}/rating", async () => {
  order = { ...order, status: "completed", extra_lines: [] };
  const page = await orderPage();
  const star = page.querySelector("#star-4").dom;
  expect(px(declared("order", star, "min-height"))).toBeGreaterThanOrEqual(60);
  expect(px(declared("order", star, "min-width"))).toBeGreaterThanOrEqual(60);
  wx.on("POST /orders/o-1/rating", (r) => {
    order = { ...order, status: "rated", rating_stars: r.data.stars };
    return { data: order };
  });
  await tap(page, "#star-4");
  expect(text(page, "#star-4")).toBe("★");
  expect(text(page, "#star-5")).toBe("☆");
  await tap(page, "#send-rating");
  const post = wx.calls.requests.find((r) => r.method === "POST");
  expect([post.path, post.data]).toEqual(["/orders/o-1/rating", { stars: 4, comment: "" }]);
  expect(text(page, "#rated")).toBe("您的评价：★★★★");
});

test("a family proxy cannot rate (only the resident rates)", async () => {
  order = { ...order, status: "completed", extra_lines: [], resident_id: "res_other" };
  const page = await orderPage();
  expect(page.querySelector("#rating")).toBeFalsy();
});

test("the status follows the live updates: a message for the order refreshes it at once", async () => {
  order = { ...order, status: "assigned", status_text: { zh: "师傅已接单", en: "Technician accepted" }, extra_lines: [] };
  const page = await orderPage();
  const socket = wx.calls.sockets[0];
  expect(socket.url).toBe("wss://api.test.example/live?token=access-1");
  socket.open();
  await settle();
  order = { ...order, status: "en_route", status_text: { zh: "师傅在路上", en: "Technician on the way" } };
  socket.send({ type: "message", message: { order_id: "o-1", kind: "order.en_route" } });
  await settle();
  expect(text(page, "#status-now")).toBe("师傅在路上");
  page.instance.onHide();
  expect(socket.closed).toBe(true);
});

test("a subscription message's page (pages/order/order?id=…) opened signed out goes to sign-in, then back to the order", async () => {
  wx.removeStorageSync("linli.session");
  const page = openPage("order");
  page.instance.onLoad({ id: "o-1" });
  await page.instance.onShow();
  await settle();
  expect(wx.calls.requests).toEqual([]);
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: `/pages/signin/signin?next=${encodeURIComponent("/pages/order/order?id=o-1")}` }]);
});
