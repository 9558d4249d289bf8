// The supervisor console: all orders with filters, any order with its execution-history timeline,
// escalated orders with manual dispatch, disputes, dead letters; issue-5 panels when that API exists.
import { ApiError, api, attempt, h, header, pick, render, requireRole, router, showError, t, time } from "/app/shared/core.js";
import { STATUSES, dispatchForm, historyPanel, orderSummary, ordersTable, tabs, technicianChoices } from "/app/shared/staff.js";

requireRole("supervisor");
const view = () => document.getElementById("view");
const TABS = [["#/", "全部订单", "All orders"], ["#/escalated", "升级订单", "Escalated"], ["#/disputes", "争议", "Disputes"], ["#/dead-letters", "死信", "Dead letters"], ["#/stats", "统计与信用", "Statistics & credit"]];

function frame(title, ...content) {
  document.title = `${title} · ${t("邻里监管", "Linli supervision")}`;
  render(document.getElementById("header"), header(t("邻里 · 监管", "Linli · Supervision"), () => start()));
  render(view(), tabs(TABS, t("监管功能", "Sections")), h("h1", {}, title), ...content);
  return view().querySelector("#list, #detail, #stats"); // this screen's own panel: a late answer never paints another
}

async function orders() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const status = params.get("status") || "";
  const panel = frame(t("全部订单", "All orders"), h("div", { id: "list" }, t("正在加载…", "Loading…")));
  const filter = h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); const v = document.getElementById("status-filter").value; location.hash = v ? `#/?status=${v}` : "#/"; } },
    h("label", { for: "status-filter" }, t("按状态筛选", "Filter by status")),
    h("select", { id: "status-filter", style: "max-width:16rem" }, h("option", { value: "" }, t("全部", "All")), STATUSES.map((s) => h("option", { value: s, selected: s === status }, s))),
    h("button", { type: "submit" }, t("筛选", "Filter")),
  );
  try {
    const list = (await api("GET", status ? `/orders?status=${status}` : "/orders")).orders;
    render(panel, filter, h("p", {}, t(`共 ${list.length} 个`, `${list.length} orders`)), ordersTable([...list].reverse()));
  } catch (err) {
    showError(err);
  }
}

async function order(orderId) {
  const panel = frame(t("订单详情", "Order"), h("div", { id: "detail" }, t("正在加载…", "Loading…")));
  const paint = async () => {
    try {
      const o = await api("GET", `/orders/${orderId}`);
      const parts = [orderSummary(o)];
      if (o.status === "escalated") parts.push(h("section", { class: "card emph" }, h("h2", {}, t("人工派单", "Manual dispatch")), dispatchForm(orderId, await technicianChoices(), paint, attempt)));
      if (o.match && o.match.reason) {
        const r = o.match.reason;
        parts.push(h("section", { class: "card" }, h("h2", {}, t("匹配原因", "Why this technician")),
          h("p", {}, t(`第 ${r.round} 轮，半径 ${r.radius_m} 米，排名 ${r.rank}，总分 ${r.total}`, `Round ${r.round}, radius ${r.radius_m} m, rank ${r.rank}, score ${r.total}`)),
          h("ul", {}, Object.entries(r.terms || {}).map(([k, v]) => h("li", {}, `${k}: ${v.value ?? "—"} ${v.unit || ""} → ${v.points} (${t("权重", "weight")} ${v.weight})`)))));
      }
      if (o.dispute) parts.push(h("section", { class: "card" }, h("h2", {}, t("争议", "Dispute")), h("p", {}, o.dispute.reason), h("p", {}, o.dispute.status, o.dispute.outcome ? ` · ${o.dispute.outcome}` : "")));
      if (!["completed", "rated", "closed", "cancelled"].includes(o.status)) {
        parts.push(h("p", {}, h("button", { type: "button", class: "danger", onclick: async (e) => {
          if (!window.confirm(t("确定取消这个订单？", "Cancel this order?"))) return;
          await attempt(e.currentTarget, async () => { await api("POST", `/orders/${orderId}/cancel`, { reason: "supervisor" }); await paint(); });
        } }, t("取消订单", "Cancel the order"))));
      }
      parts.push(await historyPanel(orderId));
      render(panel, parts);
    } catch (err) {
      showError(err);
    }
  };
  await paint();
}

const OVERDUE_HOURS = 2; // an emergency still open this long after it was placed, or a booking past its slot

function overdue(o) {
  if (["completed", "rated", "closed", "cancelled", "escalated", "awaiting_approval"].includes(o.status)) return false;
  const limit = o.slot ? new Date(o.slot.end).getTime() : new Date(o.created_at).getTime() + OVERDUE_HOURS * 3600e3;
  return Date.now() > limit;
}

async function escalated() {
  const panel = frame(t("升级和超时的订单", "Escalated and overdue orders"), h("div", { id: "list" }, t("正在加载…", "Loading…")));
  try {
    const list = (await api("GET", "/orders?status=escalated")).orders;
    const late = (await api("GET", "/orders")).orders.filter(overdue);
    const techs = await technicianChoices();
    render(panel, h("h2", {}, t("需要人工派单", "Waiting for manual dispatch")), list.length
      ? list.map((o) => h("article", { class: "card", "data-order": o.order_id },
          h("h2", {}, h("a", { href: `#/order/${o.order_id}` }, o.description)),
          h("p", {}, o.address_label, " · ", time(o.created_at), " · ", o.escalation_reason || ""),
          dispatchForm(o.order_id, techs, escalated, attempt)))
      : h("p", {}, t("没有需要人工派单的订单。", "No escalated orders.")),
    h("h2", {}, t(`超时未完成（超过 ${OVERDUE_HOURS} 小时或超过预约时间）`, `Overdue (open over ${OVERDUE_HOURS} h, or past the booked slot)`)),
    ordersTable(late));
  } catch (err) {
    showError(err);
  }
}

async function disputes() {
  const panel = frame(t("争议", "Disputes"), h("div", { id: "list" }, t("正在加载…", "Loading…")));
  try {
    const list = (await api("GET", "/disputes?status=open")).disputes;
    render(panel, list.length
      ? list.map((d, i) => h("article", { class: "card", "data-order": d.order_id },
          h("h2", {}, h("a", { href: `#/order/${d.order_id}` }, d.order_id)),
          h("p", {}, time(d.opened_at), " · ", d.reason),
          h("form", { onsubmit: async (e) => {
            e.preventDefault();
            await attempt(e.currentTarget.querySelector("button"), async () => {
              await api("POST", `/orders/${d.order_id}/dispute/resolution`, { outcome: document.getElementById(`outcome-${i}`).value, refund: Number(document.getElementById(`refund-${i}`).value || 0), note: document.getElementById(`note-${i}`).value });
              await disputes();
            });
          } },
            h("label", { for: `outcome-${i}` }, t("结论", "Outcome")), h("select", { id: `outcome-${i}` }, h("option", { value: "upheld" }, t("支持居民", "Upheld")), h("option", { value: "rejected" }, t("驳回", "Rejected"))),
            h("label", { for: `refund-${i}` }, t("退款（元）", "Refund (CNY)")), h("input", { id: `refund-${i}`, type: "number", min: "0", value: "0" }),
            h("label", { for: `note-${i}` }, t("说明", "Note")), h("input", { id: `note-${i}`, type: "text", required: true }),
            h("p", {}, h("button", { type: "submit" }, t("处理", "Resolve"))))))
      : h("p", {}, t("没有待处理的争议。", "No open disputes.")));
  } catch (err) {
    showError(err);
  }
}

async function deadLetters() {
  const panel = frame(t("死信", "Dead letters"), h("div", { id: "list" }, t("正在加载…", "Loading…")));
  try {
    const list = (await api("GET", "/ops/dead-letters")).dead_letters;
    render(panel, list.length
      ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, ["queue", "message", t("次数", "receives"), "body"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, list.map((d) => h("tr", {}, h("td", {}, d.queue), h("td", {}, d.message_id), h("td", {}, String(d.receive_count ?? "")), h("td", {}, h("code", {}, d.body.slice(0, 300))))))))
      : h("p", {}, t("没有死信：每条事件都已送达。", "No dead letters: every event was delivered.")));
  } catch (err) {
    showError(err);
  }
}

/** Statistics, credit ranking and the vetting queue come with issue 5: shown when its API answers. */
async function stats() {
  const panel = frame(t("统计与信用", "Statistics & credit"), h("div", { id: "stats" }, t("正在加载…", "Loading…")));
  const box = panel;
  let data;
  try {
    data = await api("GET", "/stats");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.code === "route_not_found")) {
      return render(box, h("p", { class: "card", id: "not-available" }, t("统计、信用排名和准入审核将在监管功能（第 5 项）上线后显示，目前还不可用。", "Statistics, credit ranking and the vetting queue arrive with the supervision features (issue 5): not available yet.")));
    }
    return showError(err);
  }
  render(box, Object.entries(data).map(([key, value]) => chart(key, value)));
}

function chart(key, value) {
  // A plain bar chart of any {label: number} map, or a list of {…, value} rows; anything else as JSON.
  const rows = Array.isArray(value) ? value.map((r) => [pick(r, "name", "name_en") || r.label || r.day || r.company_id || JSON.stringify(r), Number(r.value ?? r.count ?? r.score ?? 0)]) : value && typeof value === "object" ? Object.entries(value).filter(([, v]) => typeof v === "number") : [];
  if (!rows.length) return h("section", { class: "card" }, h("h2", {}, key), h("pre", {}, JSON.stringify(value, null, 2)));
  const max = Math.max(...rows.map(([, v]) => v), 1);
  return h("section", { class: "card" }, h("h2", {}, key), h("table", {}, h("tbody", {}, rows.map(([label, v]) =>
    h("tr", {}, h("th", { scope: "row" }, label), h("td", { style: "width:60%" }, h("span", { class: "bar", style: `width:${(v / max) * 100}%` })), h("td", {}, String(v)))))));
}

const start = router(
  [
    [/^#\/order\/([\w-]+)$/, (m) => order(m[1])],
    [/^#\/escalated$/, () => escalated()],
    [/^#\/disputes$/, () => disputes()],
    [/^#\/dead-letters$/, () => deadLetters()],
    [/^#\/stats$/, () => stats()],
  ],
  () => orders(),
);
start();
