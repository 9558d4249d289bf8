// Signing in with WeChat: wx.login → POST /auth/wechat {code}; the phone number with the phone-number button's
// code → POST /auth/wechat/phone; signing out revokes the refresh token (best effort) and forgets the session.
const { settings } = require("./settings.js");
const { ApiError, request, saveTokens, session, updateSession, clearSession } = require("./api.js");

const LOGIN_TIMEOUT_MS = 10000;

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout: LOGIN_TIMEOUT_MS,
      success: (res) => (res.code ? resolve(res.code) : reject(loginFailed())),
      fail: () => reject(loginFailed()),
    });
  });
}

const loginFailed = () =>
  new ApiError(0, { error: { code: "wechat_login_failed", message: "微信登录没有成功，请再试一次", message_en: "WeChat sign-in did not work; please try again." } });

/** → {needs_phone}: the tokens are kept in storage. (The sandbox's demo code, when configured, replaces wx.login's.) */
async function signIn() {
  const code = settings().devLoginCode || (await wxLogin());
  const answer = await request("POST", "/auth/wechat", { code }, { auth: false });
  saveTokens(answer);
  return { needs_phone: Boolean(answer.needs_phone) };
}

/** The event of <button open-type="getPhoneNumber">: its one-time code goes to the API, never the number itself. */
async function bindPhone(detail) {
  if (!detail || !detail.code) {
    throw new ApiError(400, {
      error: { code: "phone_not_shared", message: "没有拿到手机号。请点按钮，再点“允许”", message_en: "No phone number was shared. Press the button, then Allow." },
    });
  }
  const answer = await request("POST", "/auth/wechat/phone", { code: detail.code });
  updateSession({ needs_phone: false, phone_masked: answer.phone_masked || "" });
  return answer;
}

async function signOut() {
  const s = session();
  try {
    if (s) await request("POST", "/auth/logout", { refresh_token: s.refresh_token });
  } catch (err) {
    // best effort: the session is forgotten here whatever the API said
  }
  clearSession();
  wx.reLaunch({ url: "/pages/signin/signin" });
}

/** Pages other than sign-in call this first: false (and to sign-in) without a usable session. */
function requireSignIn(back) {
  const s = session();
  if (s && !s.needs_phone) return true;
  wx.reLaunch({ url: `/pages/signin/signin${back ? `?next=${encodeURIComponent(back)}` : ""}` });
  return false;
}

module.exports = { signIn, bindPhone, signOut, requireSignIn };
