// Signing in to the platform's own token issuer (docs/apps.md#signing-in): WeChat (the mini program's login code;
// in the sandbox a demo code through its fake WeChat server), or a one-time code by SMS; then the short-lived access
// token is renewed with the refresh token (rotated on every use) before it expires, and signing out revokes it.
// Plain fetch, no dependency on core.js (which imports this module).
import { API_BASE_URL } from "/app/config.js";

export class SignInError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message_en || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || (status ? "http_" + status : "network");
    this.zh = err.message || (status ? "登录没有成功，请再试一次" : "连不上服务器，请检查网络后再试");
    this.en = err.message_en || (status ? "Signing in did not work; please try again." : "Cannot reach the server; check the network and try again.");
  }
}

async function post(path, body, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = "Bearer " + token;
  let response;
  try {
    response = await fetch(API_BASE_URL + path, { method: "POST", headers, body: JSON.stringify(body) });
  } catch {
    throw new SignInError(0, null);
  }
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw new SignInError(response.status, data);
  return data;
}

/** The profile behind an access token (the role comes from the account, never from the token). */
async function me(token) {
  let response;
  try {
    response = await fetch(API_BASE_URL + "/me", { headers: { authorization: "Bearer " + token } });
  } catch {
    throw new SignInError(0, null);
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new SignInError(response.status, data);
  return data;
}

/** The session the apps keep (core.js) from a token answer: {access_token, refresh_token, expires_in, needs_phone}. */
async function sessionFrom(tokens, previous = null) {
  const profile = previous && previous.role ? previous : await me(tokens.access_token);
  return {
    token: tokens.access_token,
    refresh_token: tokens.refresh_token,
    expires_at: Date.now() + (Number(tokens.expires_in) || 900) * 1000,
    needs_phone: Boolean(tokens.needs_phone),
    user_id: profile.user_id,
    role: profile.role,
    name: profile.name || "",
  };
}

/** POST /auth/wechat {code}: a WeChat login code (wx.login() in the mini program; wx-demo:<openid> in the sandbox). */
export async function withWeChat(code) {
  return sessionFrom(await post("/auth/wechat", { code }));
}

/** POST /auth/sms/code {phone}: a one-time code is texted to the number → {expires_in, retry_after}. */
export function sendCode(phone) {
  return post("/auth/sms/code", { phone });
}

/** POST /auth/sms/verify {phone, code}: the code from the text message. */
export async function withSmsCode(phone, code) {
  return sessionFrom(await post("/auth/sms/verify", { phone, code }));
}

/** POST /auth/refresh {refresh_token}: a new access token and a new refresh token (the old one is spent). */
export async function refresh(current) {
  return sessionFrom(await post("/auth/refresh", { refresh_token: current.refresh_token }), current);
}

/** POST /auth/logout (Bearer) {refresh_token}: the session's refresh tokens are revoked. Best effort: the tokens are
 * gone from this tab anyway, and the access token expires within minutes. */
export async function logout(current) {
  if (!current || !current.refresh_token || !current.token) return;
  try {
    await post("/auth/logout", { refresh_token: current.refresh_token }, current.token);
  } catch {
    // signing out goes on
  }
}
