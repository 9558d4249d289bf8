// The sign-in screen (docs/apps.md#signing-in): the platform signs people in itself.
// - 手机验证码登录: phone number → POST /auth/sms/code, then the code from the text → POST /auth/sms/verify.
// - 微信登录: residents sign in with WeChat in the mini program (wx.login()'s code → POST /auth/wechat); in the
//   sandbox this screen offers it too, with a demo resident's code (wx-demo:<openid>) through the fake WeChat server.
// - the sandbox's demo picker (GET /dev/personas, POST /dev/login).
// The session (access and refresh tokens) is kept in this tab's sessionStorage (shared/core.js).
import { APP_FOR_ROLE, ApiError, api, clearError, h, header, render, saveSession, t } from "/app/shared/core.js";
import * as auth from "/app/shared/auth.js";

const ROLES = [
  ["resident", "居民", "Residents", "三个大按钮：预约、报事、应急维修", "Three big buttons: booking, public-area report, emergency repair"],
  ["technician", "维修师傅", "Technicians", "接单、上门、记账单、完工", "Offers, visits, itemised bills, completion"],
  ["dispatcher", "物业公司后台", "Company back office", "准入申请、师傅登记、本公司订单、派单、信用、Webhook、API 密钥", "Admission, registering technicians, the company's orders, dispatch, credit, webhooks, API keys"],
  ["supervisor", "监管人员", "Supervisors", "全部订单、执行历史和审计链、准入审核、信用排名、统计、争议", "All orders, execution history and audit chain, vetting, credit ranking, statistics, disputes"],
];

let personas = []; // the sandbox's demo people (empty in AWS: GET /dev/personas does not exist there)
const sms = { phone: "", code: "", sent: null }; // the SMS sign-in under way

function signInError(err) {
  if (!(err instanceof auth.SignInError) && !(err instanceof ApiError)) console.error(err);
  const box = document.getElementById("alert");
  const zh = err.zh || "登录没有成功，请再试一次";
  const en = err.en || "Signing in did not work; please try again.";
  render(box, h("p", { "data-error": err.code || "error" }, t(zh, en)));
  box.hidden = false;
  box.focus();
}

/** Signed in: keep the session in this tab and open the role's app (the role read from the account by /me). */
function enter(session) {
  if (!APP_FOR_ROLE[session.role]) {
    throw new auth.SignInError(403, { error: { code: "no_role", message: "这个账号还没有开通，请联系社区或物业", message_en: "This account has not been set up yet; please contact the community office." } });
  }
  saveSession(session);
  location.href = APP_FOR_ROLE[session.role];
}

async function run(button, work) {
  clearError();
  if (button) button.disabled = true;
  try {
    await work();
  } catch (err) {
    signInError(err);
  } finally {
    if (button) button.disabled = false;
  }
}

function randomTail() {
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function wechatSignIn(button, openid) {
  // Every wx.login() gives a new, single-use code; the sandbox's fake WeChat takes wx-demo:<openid>:<anything>.
  await run(button, async () => enter(await auth.withWeChat(`wx-demo:${openid}:${randomTail()}`)));
}

async function demoSignIn(button, persona) {
  await run(button, async () => {
    const result = await api("POST", "/dev/login", { user_id: persona.user_id });
    enter({ token: result.access_token, user_id: persona.user_id, role: result.role, name: persona.name });
  });
}

function smsSection() {
  const phoneInput = h("input", {
    type: "tel",
    id: "sms-phone",
    inputmode: "numeric",
    autocomplete: "tel",
    value: sms.phone,
    oninput: (e) => {
      sms.phone = e.target.value;
    },
  });
  const codeInput = h("input", {
    type: "text",
    id: "sms-code",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    maxlength: "6",
    value: sms.code,
    oninput: (e) => {
      sms.code = e.target.value;
    },
  });
  return h(
    "section",
    { class: "card signin-way", "aria-labelledby": "sms-title" },
    h("h2", { id: "sms-title" }, t("手机验证码登录", "Sign in with a code by SMS")),
    h("label", { for: "sms-phone" }, t("手机号", "Mobile number")),
    phoneInput,
    h(
      "button",
      {
        type: "button",
        id: "sms-send",
        class: sms.sent ? "quiet" : "primary-action",
        onclick: (e) =>
          run(e.currentTarget, async () => {
            if (!sms.phone.trim()) throw new auth.SignInError(400, { error: { code: "phone_required", message: "请输入手机号", message_en: "Please enter your mobile number." } });
            sms.sent = await auth.sendCode(sms.phone.trim());
            view();
            document.getElementById("sms-code").focus();
          }),
      },
      sms.sent ? t("重新发送验证码", "Send the code again") : t("发送验证码", "Send me a code"),
    ),
    sms.sent
      ? h(
          "div",
          {},
          h("p", { role: "status" }, t(`验证码已发送，${Math.max(1, Math.round((sms.sent.expires_in || 300) / 60))} 分钟内有效。`, `A code was sent; it is valid for ${Math.max(1, Math.round((sms.sent.expires_in || 300) / 60))} minutes.`)),
          h("label", { for: "sms-code" }, t("短信里的验证码", "The code in the text message")),
          codeInput,
          h(
            "button",
            {
              type: "button",
              id: "sms-verify",
              class: "primary-action",
              onclick: (e) => run(e.currentTarget, async () => enter(await auth.withSmsCode(sms.phone.trim(), sms.code.trim()))),
            },
            t("登录", "Sign in"),
          ),
        )
      : null,
  );
}

function wechatSection() {
  const residents = personas.filter((p) => p.role === "resident" && p.wechat_openid);
  if (!residents.length) return null;
  return h(
    "section",
    { class: "card signin-way", "aria-labelledby": "wechat-title" },
    h("h2", { id: "wechat-title" }, t("微信登录", "Sign in with WeChat")),
    h("p", { class: "muted" }, t("居民在邻里小程序里一键微信登录。沙盒里请选择一位演示居民（经模拟微信服务器）：", "Residents sign in with WeChat in the Linli mini program. In the sandbox, choose a demo resident (through the fake WeChat server):")),
    h(
      "ul",
      { class: "signin-buttons" },
      residents.map((p) =>
        h("li", {}, h("button", { type: "button", class: "wechat", "data-openid": p.wechat_openid, onclick: (e) => wechatSignIn(e.currentTarget, p.wechat_openid) }, t(`微信登录：${p.name}`, `WeChat: ${p.name}`))),
      ),
    ),
  );
}

function demoSection() {
  if (!personas.length) return null;
  const next = new URLSearchParams(location.search).get("next");
  const groups = ROLES.map(([role, zh, en, dzh, den]) =>
    h(
      "section",
      { class: "card", "aria-labelledby": "role-" + role, "data-role": role },
      h("h3", { id: "role-" + role }, t(zh, en)),
      h("p", { class: "muted" }, t(dzh, den)),
      h(
        "ul",
        { class: "row", style: "list-style:none;padding:0" },
        personas.filter((p) => p.role === role).map((p) => h("li", {}, h("button", { type: "button", "data-user": p.user_id, onclick: (e) => demoSignIn(e.currentTarget, p) }, p.name))),
      ),
    ),
  );
  if (next && ROLES.some(([r]) => r === next)) groups.sort((a) => (a.dataset.role === next ? -1 : 0));
  return h(
    "section",
    { "aria-labelledby": "demo-title", class: "demo-picker" },
    h("h2", { id: "demo-title" }, t("演示账号（本地沙盒）", "Demo people (local sandbox)")),
    h("p", {}, t("这是本地沙盒：点一下名字就能登录，不需要验证码。", "This is the local sandbox: tap a name to sign in, no code needed.")),
    groups,
  );
}

function view() {
  render(document.getElementById("header"), header(t("邻里 · 登录", "Linli · Sign in"), view));
  document.title = t("邻里 · 登录", "Linli · Sign in");
  render(
    document.getElementById("view"),
    h("h1", {}, t("欢迎使用邻里上门维修", "Welcome to Linli home repair")),
    wechatSection(),
    smsSection(),
    demoSection(),
  );
}

try {
  personas = (await api("GET", "/dev/personas")).personas || [];
} catch {
  personas = []; // not the sandbox
}
view();
