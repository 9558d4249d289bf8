const { installWx, signedIn, openPage, settle } = require("./support/wx.js");

let wx;
beforeEach(() => {
  wx = installWx();
  signedIn(wx);
  wx.on("GET /me", { name: "王奶奶", addresses: [] });
  wx.on("GET /orders", { orders: [{ order_id: "o1", status: "assigned" }, { order_id: "o2", status: "closed" }] });
});

test("spike", async () => {
  const page = openPage("home");
  page.instance.onShow();
  await settle();
  console.log(page.dom.innerHTML);
  const el = page.querySelector("#menu-emergency");
  console.log(el.dom.className, getComputedStyle(el.dom).minHeight, getComputedStyle(page.querySelector("#menu-emergency .menu-title") ? page.querySelector("#menu-emergency .menu-title").dom : el.dom).fontSize);
  el.dispatchEvent("tap");
  await settle();
  console.log(wx.calls.navigations, wx.calls.requests.map((r) => r.method + " " + r.url + " " + JSON.stringify(r.header)));
});
