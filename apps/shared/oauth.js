// Signing in through Cognito's managed login (AWS only: SIGN_IN of /app/config.js; null in the sandbox).
// OAuth 2.0 authorization code with PKCE (RFC 7636, S256) for a public client: no secret in the browser.
// docs/apps.md#signing-in-in-aws, docs/security.md.
import { SIGN_IN } from "/app/config.js";

export const OAUTH_PENDING_KEY = "linli.oauth"; // sessionStorage: {state, verifier} of the sign-in under way
const ROLES = ["resident", "technician", "dispatcher", "supervisor"];

export function enabled() {
  return Boolean(SIGN_IN && SIGN_IN.domain && SIGN_IN.client_id);
}

function base64url(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes))); // 32 bytes → 43 characters
}

async function challengeOf(verifier) {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

/** Off to the managed login: a fresh code_verifier and state kept in this tab only, the S256 challenge sent. */
export async function startSignIn(language) {
  const verifier = randomText(32);
  const state = randomText(16);
  sessionStorage.setItem(OAUTH_PENDING_KEY, JSON.stringify({ state, verifier }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: SIGN_IN.client_id,
    redirect_uri: SIGN_IN.redirect_uri,
    scope: SIGN_IN.scopes.join(" "),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
    lang: language === "en" ? "en" : "zh-CN",
  });
  location.assign(`${SIGN_IN.domain}/oauth2/authorize?${query}`);
}

export class SignInError extends Error {
  constructor(code, zh, en) {
    super(en);
    this.code = code;
    this.zh = zh;
    this.en = en;
  }
}

/** The claims of a JWT (not verified here: the API verifies every token it receives). */
export function claims(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part + "=".repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

async function tokenRequest(fields) {
  let response;
  try {
    response = await fetch(`${SIGN_IN.domain}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: SIGN_IN.client_id, ...fields }),
    });
  } catch {
    throw new SignInError("network", "连不上登录服务，请检查网络后再试", "Cannot reach the sign-in service; check the network and try again.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new SignInError(body.error || "token_refused", "登录没有成功，请重新登录", "Signing in did not work; please sign in again.");
  }
  return body;
}

/** The session the apps keep (core.js): the access token for the API, the role from cognito:groups. */
function sessionFrom(tokens, previous = {}) {
  const access = claims(tokens.access_token);
  const id = tokens.id_token ? claims(tokens.id_token) : {};
  const groups = (access["cognito:groups"] || id["cognito:groups"] || []).filter((g) => ROLES.includes(g));
  if (groups.length !== 1) {
    throw new SignInError("no_role", "这个账号还没有开通，请联系社区或物业", "This account has not been set up yet; please contact the community office.");
  }
  return {
    token: tokens.access_token,
    refresh_token: tokens.refresh_token || previous.refresh_token,
    expires_at: Date.now() + (Number(tokens.expires_in) || 900) * 1000,
    user_id: access.sub || id.sub,
    role: groups[0],
    name: id.name || previous.name || id.phone_number || access.username || id["cognito:username"] || "",
  };
}

/** Back from the managed login with ?code&state (or ?error): the state must be the one this tab sent; then the code
 * is exchanged with the verifier. The pending sign-in is used once, whatever happens. → the session. */
export async function finishSignIn(params) {
  const pending = JSON.parse(sessionStorage.getItem(OAUTH_PENDING_KEY) || "null");
  sessionStorage.removeItem(OAUTH_PENDING_KEY);
  if (params.get("error")) {
    throw new SignInError(params.get("error"), "登录没有完成，请再试一次", "Signing in was not completed; please try again.");
  }
  if (!pending || !pending.state || params.get("state") !== pending.state) {
    throw new SignInError("state_mismatch", "这次登录不是从本页发起的，已拒绝。请重新登录", "This sign-in was not started from this page and was refused. Please sign in again.");
  }
  const tokens = await tokenRequest({
    grant_type: "authorization_code",
    code: params.get("code") || "",
    redirect_uri: SIGN_IN.redirect_uri,
    code_verifier: pending.verifier,
  });
  return sessionFrom(tokens);
}

/** New access and ID tokens from the refresh token (Cognito keeps the refresh token unless it rotates it). */
export async function refresh(current) {
  const tokens = await tokenRequest({ grant_type: "refresh_token", refresh_token: current.refresh_token });
  return sessionFrom(tokens, current);
}

/** Signing out: the refresh token revoked (best effort), then Cognito's /logout ends the managed login's session
 * and sends the browser back to the sign-in screen. */
export async function signOutEverywhere(current) {
  if (current && current.refresh_token) {
    try {
      await fetch(`${SIGN_IN.domain}/oauth2/revoke`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: SIGN_IN.client_id, token: current.refresh_token }),
        keepalive: true,
      });
    } catch {
      // Signing out goes on: the tokens are gone from this browser and the access token expires within minutes.
    }
  }
  const query = new URLSearchParams({ client_id: SIGN_IN.client_id, logout_uri: SIGN_IN.logout_uri });
  location.assign(`${SIGN_IN.domain}/logout?${query}`);
}
