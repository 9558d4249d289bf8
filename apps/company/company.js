// The company back office: the company's orders and technicians, public-area reports to assign,
// its credit record, call tasks, webhook settings with the delivery log, API keys for the company's own system.
import { api, attempt, h, header, render, requireRole, router, showError, t, time } from "/app/shared/core.js";
import { auditPanel, creditPanel, dispatchForm, orderSummary, ordersTable, tabs, technicianChoices } from "/app/shared/staff.js";

requireRole("dispatcher");
const view = () => document.getElementById("view");
const TABS = [["#/", "待派公区报事", "Public-area reports"], ["#/orders", "本公司订单", "Our orders"], ["#/technicians", "师傅", "Technicians"], ["#/credit", "信用", "Credit"], ["#/calls", "电话任务", "Call tasks"], ["#/webhook", "Webhook", "Webhook"], ["#/keys", "API 密钥", "API keys"]];
let company = null;

async function companyId() {
  if (!company) company = (await api("GET", "/me")).company_id;
  return company;
}

function frame(title, ...content) {
  document.title = `${title} · ${t("邻里物业后台", "Linli back office")}`;
  render(document.getElementById("header"), header(t("邻里 · 物业后台", "Linli · Back office"), () => start()));
  render(view(), tabs(TABS, t("后台功能", "Sections")), h("h1", {}, title), ...content);
  return document.getElementById("panel"); // this screen's own panel: a late answer never paints another screen
}


async function reports() {
  const panel = frame(t("待派的公区报事", "Public-area reports to assign"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const all = (await api("GET", "/orders")).orders;
    const open = all.filter((o) => o.type === "public_area" && o.status === "submitted");
    const techs = await technicianChoices(await companyId());
    render(panel, open.length
      ? open.map((o) => h("article", { class: "card report", "data-order": o.order_id },
          h("h2", {}, o.place || "", " · ", o.description),
          h("p", {}, o.address_label, " · ", time(o.created_at)),
          dispatchForm(o.order_id, techs, reports, attempt)))
      : h("p", {}, t("没有待派的公区报事。", "No public-area reports waiting.")));
  } catch (err) {
    showError(err);
  }
}

let lastReports = "";
async function refreshReports() {
  try {
    const ids = (await api("GET", "/orders")).orders.filter((o) => o.type === "public_area" && o.status === "submitted").map((o) => o.order_id).join();
    if (lastReports && ids !== lastReports) reports();
    lastReports = ids;
  } catch {
    /* shown on the next full load */
  }
}

async function orders() {
  const panel = frame(t("本公司订单", "Our orders"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    render(panel, ordersTable([...(await api("GET", "/orders")).orders].reverse()));
  } catch (err) {
    showError(err);
  }
}

async function order(orderId) {
  const panel = frame(t("订单详情", "Order"), h("div", { id: "panel" }));
  try {
    const o = await api("GET", `/orders/${orderId}`);
    render(panel, orderSummary(o), await auditPanel(orderId).catch(() => null));
  } catch (err) {
    showError(err);
  }
}

async function technicians() {
  const panel = frame(t("本公司师傅", "Our technicians"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const [techs, list] = [await technicianChoices(await companyId()), (await api("GET", "/orders")).orders];
    render(panel,
      h("p", { class: "muted" }, t("（沙盒：名单来自演示账号）", "(Sandbox: the list comes from the demo accounts.)")),
      h("div", { class: "table-wrap" }, h("table", {},
        h("thead", {}, h("tr", {}, [t("师傅", "Technician"), t("进行中的订单", "Jobs in progress"), t("已完成", "Done")].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, techs.map((p) => {
          const mine = list.filter((o) => o.technician && o.technician.technician_id === p.user_id);
          const done = mine.filter((o) => ["completed", "rated", "closed"].includes(o.status)).length;
          return h("tr", {}, h("th", { scope: "row" }, `${p.name} (${p.user_id})`), h("td", {}, String(mine.length - done - mine.filter((o) => o.status === "cancelled").length)), h("td", {}, String(done)));
        })))));
  } catch (err) {
    showError(err);
  }
}

async function credit() {
  const panel = frame(t("本公司信用", "Our credit record"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    render(panel,
      h("p", {}, t("信用分由居民评分、按时率和投诉率算出，影响派单排名；低于暂停线时暂停接单，由监管部门恢复。", "The score combines residents' ratings, deadlines met and complaints, and counts in matching; below the suspension line the company is suspended until the supervisors reinstate it.")),
      creditPanel(await api("GET", "/companies/me/credit")));
  } catch (err) {
    showError(err);
  }
}

async function calls() {
  const panel = frame(t("需要打的电话", "Calls to make"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const list = (await api("GET", "/call-tasks")).call_tasks;
    render(panel, list.length
      ? list.map((c) => h("article", { class: "card" }, h("h2", {}, `${c.resident_name} · ${c.phone}`), h("p", {}, time(c.created_at)), h("p", {}, t("请这样说：", "Say: "), t(c.text_zh, c.text_en))))
      : h("p", {}, t("没有电话任务。", "No calls to make.")));
  } catch (err) {
    showError(err);
  }
}

async function webhook() {
  const panel = frame("Webhook", h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  let current = null;
  try {
    current = await api("GET", "/companies/me/webhook");
  } catch (err) {
    if (err.status !== 404) showError(err);
  }
  let deliveries = [];
  try {
    deliveries = (await api("GET", "/companies/me/webhook/deliveries")).deliveries;
  } catch (err) {
    showError(err);
  }
  const secretBox = h("div", { id: "secret", "aria-live": "polite" });
  const showSecret = (result) => result && result.secret && render(secretBox, h("p", { class: "card emph" }, t("签名密钥（只显示这一次，请保存）：", "Signing secret (shown once; keep it): "), h("code", {}, result.secret)));
  render(panel,
    h("form", { class: "card", onsubmit: async (e) => {
      e.preventDefault();
      await attempt(e.currentTarget.querySelector("button"), async () => {
        showSecret(await api("PUT", "/companies/me/webhook", { url: document.getElementById("hook-url").value, enabled: document.getElementById("hook-on").checked }));
      });
    } },
      h("h2", {}, t("回调地址", "Endpoint")),
      h("p", {}, h("label", { for: "hook-url" }, "URL"), h("input", { id: "hook-url", type: "url", required: true, value: current ? current.url : "", placeholder: "https://" })),
      h("p", {}, h("input", { id: "hook-on", type: "checkbox", checked: current ? current.enabled : true, style: "width:1.5rem;height:1.5rem" }), " ", h("label", { for: "hook-on" }, t("启用", "Enabled"))),
      current ? h("p", { class: "muted" }, t("事件：", "Events: "), current.events.join(", ")) : null,
      h("p", { class: "row" }, h("button", { type: "submit" }, t("保存", "Save")),
        current ? h("button", { type: "button", class: "quiet", onclick: async (e) => attempt(e.currentTarget, async () => showSecret(await api("POST", "/companies/me/webhook/secret", {}))) }, t("更换签名密钥", "Rotate the secret")) : null),
    ),
    secretBox,
    h("h2", {}, t("投递记录", "Delivery log")),
    deliveries.length
      ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, [t("时间", "When"), t("事件", "Event"), t("订单", "Order"), t("状态", "Status"), t("次数", "Attempts"), ""].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, deliveries.map((d) => h("tr", {}, h("td", {}, time(d.updated_at)), h("td", {}, d.event_type), h("td", {}, d.order_id || "—"), h("td", {}, d.status), h("td", {}, String(d.attempts.length)),
            h("td", {}, h("button", { type: "button", class: "quiet", onclick: async (e) => attempt(e.currentTarget, async () => { await api("POST", `/companies/me/webhook/deliveries/${d.delivery_id}/replay`, {}); await webhook(); }) }, t("重发", "Replay"))))))))
      : h("p", {}, t("还没有投递。", "Nothing delivered yet.")),
  );
}

async function keys() {
  const panel = frame(t("API 密钥", "API keys"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const list = (await api("GET", "/companies/me/api-keys")).api_keys;
    const fresh = h("div", { "aria-live": "polite" });
    render(panel,
      h("p", {}, t("贵公司系统用密钥签名调用 /partner 接口，详见对接文档。", "Your company's system signs /partner calls with a key; see the integrators' guide.")),
      h("form", { class: "row card", onsubmit: async (e) => {
        e.preventDefault();
        await attempt(e.currentTarget.querySelector("button"), async () => {
          const key = await api("POST", "/companies/me/api-keys", { label: document.getElementById("key-label").value });
          await keys();
          render(document.querySelector("#panel [aria-live]"), h("p", { class: "card emph" }, t("新密钥（只显示这一次）：", "New key (shown once): "), h("code", {}, `${key.key_id} / ${key.secret}`)));
        });
      } }, h("label", { for: "key-label" }, t("用途", "Used by")), h("input", { id: "key-label", type: "text", required: true, style: "max-width:20rem" }), h("button", { type: "submit" }, t("新建密钥", "Create a key"))),
      fresh,
      list.length
        ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, [t("密钥", "Key"), t("用途", "Label"), t("创建", "Created"), t("状态", "State"), ""].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, list.map((k) => h("tr", {}, h("td", {}, h("code", {}, k.key_id)), h("td", {}, k.label), h("td", {}, `${time(k.created_at)} · ${k.created_by}`), h("td", {}, k.revoked_at ? t("已作废", "revoked") : t("有效", "active")),
              h("td", {}, k.revoked_at ? null : h("button", { type: "button", class: "danger", onclick: async (e) => attempt(e.currentTarget, async () => { await api("DELETE", `/companies/me/api-keys/${encodeURIComponent(k.key_id)}`); await keys(); }) }, t("作废", "Revoke"))))))))
        : h("p", {}, t("还没有密钥。", "No keys yet.")),
    );
  } catch (err) {
    showError(err);
  }
}

const start = router(
  [
    [/^#\/orders$/, () => orders()],
    [/^#\/order\/([\w-]+)$/, (m) => order(m[1])],
    [/^#\/technicians$/, () => technicians()],
    [/^#\/credit$/, () => credit()],
    [/^#\/calls$/, () => calls()],
    [/^#\/webhook$/, () => webhook()],
    [/^#\/keys$/, () => keys()],
  ],
  () => {
    lastReports = "";
    reports();
    return { poll: () => (document.activeElement && document.activeElement.closest("form") ? null : refreshReports()) };
  },
);
start();
