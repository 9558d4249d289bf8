// The sign-in screen. In AWS (SIGN_IN in /app/config.js): one big button to Cognito's managed login, and the way back
// with the authorization code (shared/oauth.js). In the sandbox: pick a demo persona (GET /dev/personas, POST /dev/login).
import { APP_FOR_ROLE, api, attempt, clearError, h, header, lang, render, saveSession, showError, t } from "/app/shared/core.js";
import * as oauth from "/app/shared/oauth.js";

const ROLES = [
  ["resident", "居民", "Residents", "三个大按钮：预约、报事、应急维修", "Three big buttons: booking, public-area report, emergency repair"],
  ["technician", "维修师傅", "Technicians", "接单、上门、记账单、完工", "Offers, visits, itemised bills, completion"],
  ["dispatcher", "物业公司后台", "Company back office", "准入申请、师傅登记、本公司订单、派单、信用、Webhook、API 密钥", "Admission, registering technicians, the company's orders, dispatch, credit, webhooks, API keys"],
  ["supervisor", "监管人员", "Supervisors", "全部订单、执行历史和审计链、准入审核、信用排名、统计、争议", "All orders, execution history and audit chain, vetting, credit ranking, statistics, disputes"],
];

let personas = [];

async function signIn(button, persona) {
  await attempt(button, async () => {
    const result = await api("POST", "/dev/login", { user_id: persona.user_id });
    saveSession({ token: result.access_token, user_id: persona.user_id, role: result.role, name: persona.name });
    location.href = APP_FOR_ROLE[result.role];
  });
}

function view() {
  render(document.getElementById("header"), header(t("邻里 · 登录", "Linli · Sign in"), view));
  document.title = t("邻里 · 登录", "Linli · Sign in");
  const next = new URLSearchParams(location.search).get("next");
  const groups = ROLES.map(([role, zh, en, dzh, den]) => {
    const people = personas.filter((p) => p.role === role);
    return h(
      "section",
      { class: "card", "aria-labelledby": "role-" + role, "data-role": role },
      h("h2", { id: "role-" + role }, t(zh, en)),
      h("p", { class: "muted" }, t(dzh, den)),
      h(
        "ul",
        { class: "row", style: "list-style:none;padding:0" },
        people.map((p) =>
          h("li", {}, h("button", { type: "button", "data-user": p.user_id, onclick: (e) => signIn(e.currentTarget, p) }, p.name)),
        ),
      ),
    );
  });
  if (next && ROLES.some(([r]) => r === next)) groups.sort((a) => (a.dataset.role === next ? -1 : 0));
  render(
    document.getElementById("view"),
    h("h1", {}, t("请选择演示账号登录", "Choose a demo user to sign in")),
    h(
      "p",
      {},
      t(
        "这是本地沙盒：不需要密码。正式环境使用手机号登录。",
        "This is the local sandbox: no password needed. The real service signs in by phone number.",
      ),
    ),
    groups,
  );
}

// ---- AWS: Cognito's managed login ----
function signInError(err) {
  const box = document.getElementById("alert");
  if (!(err instanceof oauth.SignInError)) return showError(err);
  render(box, h("p", { "data-error": err.code }, t(err.zh, err.en)));
  box.hidden = false;
  box.focus();
}

function cognitoView() {
  render(document.getElementById("header"), header(t("邻里 · 登录", "Linli · Sign in"), cognitoView));
  document.title = t("邻里 · 登录", "Linli · Sign in");
  render(
    document.getElementById("view"),
    h("h1", {}, t("欢迎使用邻里上门维修", "Welcome to Linli home repair")),
    h("p", {}, t("请用手机号和密码登录。忘记密码可以在登录页找回，或请社区工作人员帮忙。", "Sign in with your phone number and password. If you forgot it, the sign-in page can reset it, or ask the community office.")),
    h(
      "button",
      {
        type: "button",
        id: "sign-in",
        class: "sign-in",
        onclick: (e) => attempt(e.currentTarget, () => oauth.startSignIn(lang())),
      },
      t("登录", "Sign in"),
    ),
  );
}

async function cognito() {
  const params = new URLSearchParams(location.search);
  cognitoView();
  if (!params.has("code") && !params.has("error") && !params.has("state")) return;
  history.replaceState(null, "", location.pathname); // the code is used once: not kept in the address or history
  clearError();
  try {
    const session = await oauth.finishSignIn(params);
    saveSession(session);
    location.replace(APP_FOR_ROLE[session.role]);
  } catch (err) {
    signInError(err);
  }
}

if (oauth.enabled()) {
  await cognito();
} else {
  try {
    personas = (await api("GET", "/dev/personas")).personas;
  } catch (err) {
    showError(err);
  }
  view();
}
