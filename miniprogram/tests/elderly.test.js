// Elderly first on every page, as rendered with data: text ≥ 18 px, main buttons ≥ 60 px tall, every other
// target ≥ 44 px, contrast ≥ 4.5:1 (sizes from the WXSS at a 375-px-wide screen, tests/support/style.js).
const { installWx, signedIn, openPage, settle, tap } = require("./support/wx.js");
const { declared, px, contrast, background } = require("./support/style.js");

let wx;
beforeEach(() => {
  wx = installWx();
  signedIn(wx);
  wx.on("GET /me", { user_id: "res_wang", name: "王奶奶", addresses: [{ address_id: "a1", label: "西营前街5号楼" }], acting_for: [{ resident_id: "res_mum", name: "张妈妈", relation: "女儿", addresses: [] }] });
  wx.on("GET /orders", { orders: [{ order_id: "o-1", type: "emergency", category: "electrical", status: "assigned", resident_id: "res_wang", description: "灯不亮" }] });
  wx.on("GET /orders/o-1", {
    order_id: "o-1", type: "emergency", category: "electrical", status: "awaiting_approval", resident_id: "res_wang", order_code: "4821", description: "灯不亮",
    technician: { name: "赵师傅", company_name: "通元物业", credentials: { ok: false } }, timeline: [{ at: "2026-12-04T08:00:00Z", status: "submitted" }],
    bill: [{ name: "接线", amount: 20 }], bill_total: 20, extra_lines: [{ line_id: "L1", name: "更换吸顶灯", amount: 120, cap: 150, reason: "灯座烧坏了" }],
  });
  wx.on("GET /me/proxies", { acting_for: [{ resident_id: "res_mum", resident_name: "张妈妈", relation: "女儿" }], proxies: [{ proxy_id: "res_lili", proxy_name: "李丽", relation: "社区工作者" }] });
  wx.on("POST /quotes", { free_service: false, low: 50, high: 80, cap: 120, items: [{ name: "接线", typical_price: 20 }], note_zh: "按市场价", note_en: "" });
});

async function rendered(name) {
  const page = openPage(name);
  if (name === "order") page.instance.onLoad({ id: "o-1" });
  if (name === "order-new") {
    await page.instance.onLoad({ type: "emergency" });
    await settle();
    await tap(page, "#category-electrical");
    await tap(page, "#problem-0");
    await tap(page, "#get-quote");
  } else if (name === "signin") {
    page.instance.onLoad({});
  }
  if (page.instance.onShow) await page.instance.onShow();
  await settle();
  return page;
}

test.each(["home", "signin", "order-new", "orders", "order", "family"])("%s: text ≥ 18 px, targets ≥ 44 px, main buttons ≥ 60 px, contrast ≥ 4.5:1", async (name) => {
  const page = await rendered(name);
  const texts = [...page.dom.querySelectorAll("wx-text, wx-button, wx-view")].filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  expect(texts.length).toBeGreaterThan(3);
  for (const el of texts) {
    const size = px(declared(name, el, "font-size"));
    expect({ text: el.textContent.trim(), ok: size >= 18 }).toEqual({ text: el.textContent.trim(), ok: true });
    const ratio = contrast(declared(name, el, "color"), background(name, el));
    expect({ text: el.textContent.trim(), ok: ratio >= 4.5 }).toEqual({ text: el.textContent.trim(), ok: true });
  }
  const targets = [...page.dom.querySelectorAll("wx-button, .main--target, .main--link, wx-input, wx-textarea, [class*=order]")].filter((el) => el.tagName !== "WX-VIEW" || el.className.match(/target|link|order/));
  expect(targets.length).toBeGreaterThan(0);
  for (const el of targets) {
    const min = el.className.match(/main--btn|main--menu-item/) ? 60 : 44;
    const height = Math.max(px(declared(name, el, "min-height")), px(declared(name, el, "height")));
    expect({ target: el.id || el.className, ok: height >= min }).toEqual({ target: el.id || el.className, ok: true });
  }
});
