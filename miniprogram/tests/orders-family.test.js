// My orders (live status, family orders apart) and the family screen (link with the resident's code, revoke).
const { installWx, signedIn, openPage, settle, tap, byClass, text } = require("./support/wx.js");
const live = require("../app/lib/live.js");

let wx;
beforeEach(() => {
  wx = installWx();
  signedIn(wx);
  wx.on("GET /me", { user_id: "res_wang_son", name: "王先生" });
});

describe("my orders", () => {
  let orders;
  beforeEach(() => {
    orders = [
      { order_id: "o-1", type: "emergency", category: "electrical", status: "assigned", resident_id: "res_wang_son", status_text: { zh: "师傅已接单", en: "Technician accepted" }, description: "灯不亮", created_at: "2026-12-04T08:00:00Z" },
      { order_id: "o-2", type: "booking", category: "plumbing", status: "submitted", resident_id: "res_wang", status_text: { zh: "已提交", en: "Submitted" }, description: "水龙头滴水", created_at: "2026-12-04T09:00:00Z" },
    ];
    wx.on("GET /orders", () => ({ data: { orders } }));
  });

  test("own orders and the family's apart, each with its status in words; a tap opens the order", async () => {
    const page = openPage("orders");
    await page.instance.onShow();
    await settle();
    const cards = byClass(page, "order");
    expect(cards.map((c) => c.querySelector(".main--status").textContent)).toEqual(["师傅已接单", "已提交"]);
    expect(page.dom.textContent).toContain("家人的订单");
    await tap(page, "#order-o-2");
    expect(wx.calls.navigations).toEqual([{ how: "navigateTo", url: "/pages/order/order?id=o-2" }]);
  });

  test("a live message refreshes the statuses; with the socket down it polls every 30 s, not faster", async () => {
    jest.useFakeTimers();
    try {
      const page = openPage("orders");
      page.instance.onShow();
      await jest.advanceTimersByTimeAsync(10);
      const socket = wx.calls.sockets[0];
      socket.open();
      await jest.advanceTimersByTimeAsync(10);
      orders[0] = { ...orders[0], status: "en_route", status_text: { zh: "师傅在路上", en: "On the way" } };
      socket.send({ type: "message", message: { order_id: "o-1" } });
      await jest.advanceTimersByTimeAsync(10);
      expect(byClass(page, "status")[0].textContent).toBe("师傅在路上");

      const before = wx.calls.requests.filter((r) => r.path === "/orders").length;
      await jest.advanceTimersByTimeAsync(60000); // connected: no polling
      expect(wx.calls.requests.filter((r) => r.path === "/orders").length).toBe(before);
      socket.drop();
      await jest.advanceTimersByTimeAsync(29000);
      expect(wx.calls.requests.filter((r) => r.path === "/orders").length).toBe(before);
      await jest.advanceTimersByTimeAsync(1500);
      expect(wx.calls.requests.filter((r) => r.path === "/orders").length).toBe(before + 1);
      expect(wx.calls.sockets.length).toBeGreaterThan(1); // reconnecting, with a growing wait
      expect(live.state.retryMs).toBeGreaterThan(1000);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("family", () => {
  beforeEach(() => {
    wx.on("GET /me/proxies", { acting_for: [], proxies: [{ proxy_id: "res_lili", proxy_name: "李丽", relation: "社区工作者", relation_en: "community worker" }] });
  });

  test("link to act for a resident: her number and the relation, then the code she tells", async () => {
    wx.on("POST /proxy-requests", { request_id: "req-1", phone_masked: "138****0001", message_zh: "验证码已发给 138****0001", message_en: "A code was sent" });
    wx.on("POST /proxy-requests/req-1/confirm", { resident_id: "res_wang", resident_name: "王奶奶", relation: "儿子" });
    const page = openPage("family");
    await page.instance.onShow();
    await settle();
    page.instance.onPhone({ detail: { value: "13800000001" } });
    await tap(page, "#relation-0");
    await tap(page, "#send-code");
    expect(text(page, "#code-sent")).toBe("验证码已发给 138****0001");
    page.instance.onCode({ detail: { value: "123456" } });
    await tap(page, "#confirm-code");
    const posts = wx.calls.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => [r.path, r.data])).toEqual([
      ["/proxy-requests", { phone: "13800000001", relation: "儿子", relation_en: "son" }],
      ["/proxy-requests/req-1/confirm", { code: "123456" }],
    ]);
    expect(text(page, "#link-done")).toBe("✓ 现在您可以为王奶奶代办了");
  });

  test("revoking a proxy asks first, then DELETE /me/proxies/{id}; saying no sends nothing", async () => {
    wx.on("DELETE /me/proxies/res_lili", { acting_for: [], proxies: [] });
    const page = openPage("family");
    await page.instance.onShow();
    await settle();
    wx.modalConfirm = false;
    await tap(page, "#revoke-res_lili");
    expect(wx.calls.requests.filter((r) => r.method === "DELETE")).toEqual([]);
    wx.modalConfirm = true;
    await tap(page, "#revoke-res_lili");
    await settle();
    expect(wx.calls.modals[1].content).toBe("确定取消李丽的代办吗？");
    expect(wx.calls.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/me/proxies/res_lili"]);
  });
});
