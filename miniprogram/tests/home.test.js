// The home page: exactly the three big menus at the elderly sizes, each opening its order form.
const fs = require("fs");
const path = require("path");
const { installWx, signedIn, openPage, settle, tap, byClass, text, APP } = require("./support/wx.js");
const { declared, px, followsSystemFont, contrast, background } = require("./support/style.js");

let wx;
beforeEach(() => {
  wx = installWx();
  signedIn(wx);
  wx.on("GET /me", { user_id: "res_wang", name: "王奶奶", addresses: [] });
  wx.on("GET /orders", { orders: [{ order_id: "o1", status: "assigned" }, { order_id: "o2", status: "closed" }] });
});

async function home() {
  const page = openPage("home");
  await page.instance.onShow();
  await settle();
  return page;
}

const MENUS = [
  ["booking", "服务预约"],
  ["public_area", "公区报事"],
  ["emergency", "应急维修"],
];

test("the home page shows exactly the three menus, in order, with the resident's name and her active orders", async () => {
  const page = await home();
  expect(byClass(page, "menu-item").map((b) => b.querySelector(".main--menu-title").textContent)).toEqual(MENUS.map(([, words]) => words));
  expect(text(page, "#greeting")).toBe("王奶奶，您好");
  expect(text(page, "#link-orders")).toBe("我的订单（1 个进行中）");
  expect(wx.calls.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /me", "GET /orders"]);
  expect(wx.calls.requests.every((r) => r.header.Authorization === "Bearer access-1")).toBe(true);
});

test.each(MENUS)("pressing %s opens its order form", async (type) => {
  const page = await home();
  await tap(page, `#menu-${type}`);
  expect(wx.calls.navigations).toEqual([{ how: "navigateTo", url: `/pages/order-new/order-new?type=${type}` }]);
});

test("the links open my orders and the family screen", async () => {
  const page = await home();
  await tap(page, "#link-orders");
  await tap(page, "#link-family");
  expect(wx.calls.navigations.map((n) => n.url)).toEqual(["/pages/orders/orders", "/pages/family/family"]);
});

test("the menus are at the elderly sizes: ≥ 120 px tall, 38-px words, contrast ≥ 4.5:1, and grow with WeChat's font size", async () => {
  const page = await home();
  for (const [type] of MENUS) {
    const button = page.querySelector(`#menu-${type}`).dom;
    const title = button.querySelector(".main--menu-title");
    const sub = button.querySelector(".main--menu-sub");
    expect(px(declared("home", button, "min-height"))).toBeGreaterThanOrEqual(120);
    expect(px(declared("home", title, "font-size"))).toBeGreaterThanOrEqual(38);
    expect(px(declared("home", sub, "font-size"))).toBeGreaterThanOrEqual(18);
    expect(followsSystemFont(declared("home", title, "font-size"))).toBe(true);
    expect(followsSystemFont(declared("home", sub, "font-size"))).toBe(true);
    for (const el of [title, sub]) {
      expect(contrast(declared("home", el, "color"), background("home", el))).toBeGreaterThanOrEqual(4.5);
    }
  }
});

test("every other text is at least 18 px, every other target at least 44 px, all at contrast ≥ 4.5:1", async () => {
  const page = await home();
  const texts = [...page.dom.querySelectorAll("wx-text, .main--link, wx-button")];
  expect(texts.length).toBeGreaterThan(8);
  for (const el of texts) {
    expect([el.textContent, px(declared("home", el, "font-size"))]).toEqual([el.textContent, expect.any(Number)]);
    expect(px(declared("home", el, "font-size"))).toBeGreaterThanOrEqual(18);
    expect(contrast(declared("home", el, "color"), background("home", el))).toBeGreaterThanOrEqual(4.5);
  }
  for (const el of page.dom.querySelectorAll(".main--link, .main--small")) {
    expect(px(declared("home", el, "min-height"))).toBeGreaterThanOrEqual(44);
  }
});

test("every page starts with page-meta root-font-size=system, so the resident's WeChat font size applies", () => {
  const pages = JSON.parse(fs.readFileSync(path.join(APP, "app.json"), "utf8")).pages;
  expect(pages[0]).toBe("pages/home/home");
  for (const p of pages) {
    const wxml = fs.readFileSync(path.join(APP, `${p}.wxml`), "utf8");
    expect(wxml.trimStart().startsWith('<page-meta root-font-size="system"></page-meta>')).toBe(true);
  }
});

test("without a session the home page sends the resident to sign in, and calls nothing", async () => {
  wx.removeStorageSync("linli.session");
  const page = openPage("home");
  await page.instance.onShow();
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/signin/signin" }]);
  expect(wx.calls.requests).toEqual([]);
});
