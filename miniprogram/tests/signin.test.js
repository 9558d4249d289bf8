// Signing in: wx.login → POST /auth/wechat {code}; the tokens kept; a new resident binds the phone with the
// phone-number button's code → POST /auth/wechat/phone; then the page she came for opens.
const fs = require("fs");
const path = require("path");
const { installWx, openPage, settle, tap, text, APP } = require("./support/wx.js");

let wx;
beforeEach(() => {
  wx = installWx();
});

const tokens = (extra = {}) => ({ access_token: "acc-A", refresh_token: "ref-A", expires_in: 900, token_type: "Bearer", needs_phone: false, ...extra });

test("wx.login, then POST /auth/wechat with its code (no token); the tokens are stored; home opens", async () => {
  wx.loginCode = "code-from-wechat";
  wx.on("POST /auth/wechat", tokens());
  const page = openPage("signin");
  page.instance.onLoad({});
  const before = Date.now();
  await tap(page, "#sign-in");
  expect(wx.calls.logins).toBe(1);
  expect(wx.calls.requests).toHaveLength(1);
  const call = wx.calls.requests[0];
  expect([call.method, call.path, call.data]).toEqual(["POST", "/auth/wechat", { code: "code-from-wechat" }]);
  expect(call.header.Authorization).toBeUndefined();
  expect(call.timeout).toBeGreaterThan(0);
  const stored = wx.getStorageSync("linli.session");
  expect(stored.access_token).toBe("acc-A");
  expect(stored.refresh_token).toBe("ref-A");
  expect(stored.expires_at).toBeGreaterThanOrEqual(before + 900 * 1000);
  expect(stored.expires_at).toBeLessThanOrEqual(Date.now() + 900 * 1000);
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/home/home" }]);
});

test("needs_phone: the phone-number button's code goes to POST /auth/wechat/phone with the new token, then the page asked for", async () => {
  wx.on("POST /auth/wechat", tokens({ needs_phone: true }));
  wx.on("POST /auth/wechat/phone", { phone_masked: "138****0001" });
  const page = openPage("signin");
  page.instance.onLoad({ next: encodeURIComponent("/pages/order/order?id=o-9") });
  await tap(page, "#sign-in");
  expect(wx.calls.navigations).toEqual([]);
  expect(page.querySelector("#bind-phone")).toBeTruthy();
  expect(wx.getStorageSync("linli.session").needs_phone).toBe(true);

  await page.instance.onPhone({ detail: { code: "phone-code-1", errMsg: "getPhoneNumber:ok" } });
  await settle();
  const call = wx.calls.requests[1];
  expect([call.method, call.path, call.data, call.header.Authorization]).toEqual(["POST", "/auth/wechat/phone", { code: "phone-code-1" }, "Bearer acc-A"]);
  expect(wx.getStorageSync("linli.session").needs_phone).toBe(false);
  expect(text(page, "#done")).toBe("✓ 已绑定手机 138****0001");
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/order/order?id=o-9" }]);
});

test("the phone button is WeChat's own getPhoneNumber button, bound to the page's handler", () => {
  const wxml = fs.readFileSync(path.join(APP, "pages/signin/signin.wxml"), "utf8");
  expect(wxml).toMatch(/<button id="bind-phone"[^>]*open-type="getPhoneNumber"[^>]*bindgetphonenumber="onPhone"/);
});

test("a refused phone dialog sends nothing and says what to do", async () => {
  wx.on("POST /auth/wechat", tokens({ needs_phone: true }));
  const page = openPage("signin");
  page.instance.onLoad({});
  await tap(page, "#sign-in");
  await page.instance.onPhone({ detail: { errMsg: "getPhoneNumber:fail user deny" } });
  await settle();
  expect(wx.calls.requests.map((r) => r.path)).toEqual(["/auth/wechat"]);
  expect(text(page, "#error")).toBe("没有拿到手机号。请点按钮，再点“允许”");
});

test("a code WeChat refuses is shown in the API's words and nothing is stored", async () => {
  wx.on("POST /auth/wechat", () => ({ status: 401, data: { error: { code: "wechat_code_invalid", message: "微信登录已过期，请再试一次", message_en: "The WeChat sign-in expired; please try again." } } }));
  const page = openPage("signin");
  page.instance.onLoad({});
  await tap(page, "#sign-in");
  expect(text(page, "#error")).toBe("微信登录已过期，请再试一次");
  expect(wx.getStorageSync("linli.session")).toBe("");
  expect(wx.calls.navigations).toEqual([]);
});

test("a next page from elsewhere than this mini-program is not followed", async () => {
  wx.on("POST /auth/wechat", tokens());
  const page = openPage("signin");
  page.instance.onLoad({ next: encodeURIComponent("https://evil.example/") });
  await tap(page, "#sign-in");
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/home/home" }]);
});

test("the sandbox's demo code, when configured, is sent instead of wx.login's", async () => {
  const { settings } = require("../app/lib/settings.js");
  settings().devLoginCode = "wx-demo:res_wang";
  try {
    wx.on("POST /auth/wechat", tokens());
    const page = openPage("signin");
    page.instance.onLoad({});
    await tap(page, "#sign-in");
    expect(wx.calls.logins).toBe(0);
    expect(wx.calls.requests[0].data).toEqual({ code: "wx-demo:res_wang" });
  } finally {
    settings().devLoginCode = "";
  }
});
