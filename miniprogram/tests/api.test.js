// The API client: the bearer token, renewal before expiry, exactly one renewal on a 401, sign-out.
const { installWx, signedIn, settle } = require("./support/wx.js");
const { api, session } = require("../app/lib/api.js");
const { signOut } = require("../app/lib/auth.js");

let wx;
beforeEach(() => {
  wx = installWx();
});

const calls = () => wx.calls.requests.map((r) => `${r.method} ${r.path} ${r.header.Authorization || "-"}`);

test("a 401 triggers exactly one refresh, then the call is sent again with the new token", async () => {
  signedIn(wx, { access: "old", refresh: "ref-1" });
  wx.on("GET /orders", (r) => (r.header.Authorization === "Bearer new" ? { status: 200, data: { orders: [] } } : { status: 401, data: { error: { code: "invalid_token" } } }));
  wx.on("POST /auth/refresh", (r) => ({ status: 200, data: { access_token: "new", refresh_token: "ref-2", expires_in: 900, token_type: "Bearer" } }));
  await expect(api.get("/orders")).resolves.toEqual({ orders: [] });
  expect(calls()).toEqual(["GET /orders Bearer old", "POST /auth/refresh -", "GET /orders Bearer new"]);
  expect(wx.calls.requests[1].data).toEqual({ refresh_token: "ref-1" });
  expect(session()).toMatchObject({ access_token: "new", refresh_token: "ref-2" });
});

test("a second 401 after the refresh is not refreshed again: the session ends and sign-in opens", async () => {
  signedIn(wx, { access: "old" });
  wx.on("GET /orders", () => ({ status: 401, data: { error: { code: "invalid_token", message: "请重新登录", message_en: "Please sign in again." } } }));
  wx.on("POST /auth/refresh", { access_token: "new", refresh_token: "ref-2", expires_in: 900 });
  await expect(api.get("/orders")).rejects.toMatchObject({ status: 401, code: "invalid_token" });
  expect(calls()).toEqual(["GET /orders Bearer old", "POST /auth/refresh -", "GET /orders Bearer new"]);
  expect(session()).toBeNull();
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/signin/signin" }]);
});

test("calls waiting on a 401 together share one refresh", async () => {
  signedIn(wx, { access: "old" });
  wx.on("GET /orders", (r) => (r.header.Authorization === "Bearer new" ? { data: { orders: [] } } : { status: 401, data: {} }));
  wx.on("GET /me", (r) => (r.header.Authorization === "Bearer new" ? { data: { user_id: "res_wang" } } : { status: 401, data: {} }));
  wx.on("POST /auth/refresh", { access_token: "new", refresh_token: "ref-2", expires_in: 900 });
  await Promise.all([api.get("/orders"), api.get("/me")]);
  expect(calls().filter((c) => c.startsWith("POST /auth/refresh"))).toHaveLength(1);
});

test("an access token about to expire is renewed before the call", async () => {
  signedIn(wx, { access: "old", seconds: 60 });
  wx.on("POST /auth/refresh", { access_token: "new", refresh_token: "ref-2", expires_in: 900 });
  wx.on("GET /me", { user_id: "res_wang" });
  await api.get("/me");
  expect(calls()).toEqual(["POST /auth/refresh -", "GET /me Bearer new"]);
});

test("a refused refresh ends the session and opens sign-in", async () => {
  signedIn(wx, { access: "old", seconds: 10 });
  wx.on("POST /auth/refresh", () => ({ status: 401, data: { error: { code: "invalid_refresh_token" } } }));
  await expect(api.get("/me")).rejects.toMatchObject({ status: 401 });
  expect(session()).toBeNull();
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/signin/signin" }]);
  expect(calls()).toEqual(["POST /auth/refresh -"]);
});

test("no network: a plain-words error, with the request's timeout set", async () => {
  signedIn(wx);
  wx.on("GET /me", "network");
  await expect(api.get("/me")).rejects.toMatchObject({ status: 0, code: "network", zh: "连不上服务器，请检查网络后再试" });
  expect(wx.calls.requests[0].timeout).toBe(15000);
});

test("sign-out revokes the refresh token at POST /auth/logout and forgets the session, even if the API fails", async () => {
  signedIn(wx, { access: "acc", refresh: "ref-9" });
  wx.on("POST /auth/logout", () => ({ status: 500, data: {} }));
  await signOut();
  await settle();
  expect(calls()).toEqual(["POST /auth/logout Bearer acc"]);
  expect(wx.calls.requests[0].data).toEqual({ refresh_token: "ref-9" });
  expect(session()).toBeNull();
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/signin/signin" }]);
});

test("a 401 with no refresh token kept ends the session and opens sign-in", async () => {
  wx.setStorageSync("linli.session", { access_token: "old", refresh_token: "", expires_at: Date.now() + 600e3 });
  wx.on("GET /me", () => ({ status: 401, data: {} }));
  await expect(api.get("/me")).rejects.toMatchObject({ status: 401 });
  expect(session()).toBeNull();
  expect(wx.calls.navigations).toEqual([{ how: "reLaunch", url: "/pages/signin/signin" }]);
});
