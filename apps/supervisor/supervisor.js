// The supervisor console: all orders, any order with its execution history beside its audit chain,
// escalated and overdue orders, the vetting queue, the credit ranking with each company's record,
// statistics with charts, disputes, dead letters; onboarding: compounds imported from a CSV, each compound's
// contracted company and free-service period.
import { ApiError, api, apiAll, attempt, categoryName, download, h, header, messageList, oneByOne, render, requireRole, router, scrollBox, showError, t, time, typeName } from "/app/shared/core.js";
import { CERTIFICATES, STATUSES, ableFirst, auditPanel, creditPanel, dispatchForm, historyPanel, orderSummary, ordersTable, statusPill, tabs, technicianChoices } from "/app/shared/staff.js";
import { barsChart, columnsChart, stackedColumns } from "/app/shared/charts.js";

requireRole("supervisor");
const view = () => document.getElementById("view");
const TABS = [
  ["#/", "全部订单", "All orders"],
  ["#/escalated", "升级与超时", "Escalated & overdue"],
  ["#/vetting", "准入审核", "Vetting"],
  ["#/credit", "信用排名", "Credit ranking"],
  ["#/stats", "统计", "Statistics"],
  ["#/disputes", "争议", "Disputes"],
  ["#/dead-letters", "死信", "Dead letters"],
  ["#/messages", "消息", "Messages"],
  ["#/compounds", "小区", "Compounds"],
];

function frame(title, ...content) {
  document.title = `${title} · ${t("邻里监管", "Linli supervision")}`;
  render(document.getElementById("header"), header(t("邻里 · 监管", "Linli · Supervision"), () => start()));
  render(view(), tabs(TABS, t("监管功能", "Sections")), h("h1", {}, title), ...content);
  return view().querySelector("#list, #detail, #stats, #vetting, #credit"); // this screen's own panel: a late answer never paints another
}

const loading = () => t("正在加载…", "Loading…");
const hashParams = () => new URLSearchParams(location.hash.split("?")[1] || "");

/** A panel that could not load says so in place, without hiding the rest of the page. */
function failed(err) {
  return h("section", { class: "card" }, h("p", { class: "verdict bad" }, err instanceof ApiError ? err.words : t("加载失败", "Could not load this part.")));
}

/** Minutes in words: 45 分钟, 3 小时 20 分, 2 天 4 小时. */
function duration(minutes) {
  const m = Math.round(minutes);
  if (m < 60) return t(`${m} 分钟`, `${m} min`);
  if (m < 1440) return t(`${Math.floor(m / 60)} 小时 ${m % 60} 分`, `${Math.floor(m / 60)} h ${m % 60} min`);
  return t(`${Math.floor(m / 1440)} 天 ${Math.floor((m % 1440) / 60)} 小时`, `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`);
}

// ---------------------------------------------------------------- orders
async function orders() {
  const status = hashParams().get("status") || "";
  const panel = frame(t("全部订单", "All orders"), h("div", { id: "list" }, loading()));
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
  const panel = frame(t("订单详情", "Order"), h("div", { id: "detail" }, loading()));
  const paint = async () => {
    try {
      const o = await api("GET", `/orders/${orderId}`);
      const parts = [orderSummary(o)];
      if (o.status === "escalated") parts.push(h("section", { class: "card emph" }, h("h2", {}, t("人工派单", "Manual dispatch")), dispatchForm(orderId, await technicianChoices(o.category), paint, attempt)));
      if (o.match && o.match.reason) {
        const r = o.match.reason;
        parts.push(h("section", { class: "card" }, h("h2", {}, t("匹配原因", "Why this technician")),
          h("p", {}, t(`第 ${r.round} 轮，半径 ${r.radius_m} 米，排名 ${r.rank}，总分 ${r.total}`, `Round ${r.round}, radius ${r.radius_m} m, rank ${r.rank}, score ${r.total}`)),
          h("ul", {}, Object.entries(r.terms || {}).map(([k, v]) => h("li", {}, `${k}: ${v.value ?? "—"} ${v.unit || ""} → ${v.points} (${t("权重", "weight")} ${v.weight})`)))));
      }
      if (o.dispute) parts.push(h("section", { class: "card" }, h("h2", {}, t("争议", "Dispute")), h("p", {}, disputeKind(o.dispute), " · ", o.dispute.reason), h("p", {}, o.dispute.status, o.dispute.outcome ? ` · ${o.dispute.outcome}` : "")));
      if (!["completed", "rated", "closed", "cancelled"].includes(o.status)) {
        parts.push(h("p", {}, h("button", { type: "button", class: "danger", onclick: async (e) => {
          if (!window.confirm(t("确定取消这个订单？", "Cancel this order?"))) return;
          await attempt(e.currentTarget, async () => { await api("POST", `/orders/${orderId}/cancel`, { reason: "supervisor" }); await paint(); });
        } }, t("取消订单", "Cancel the order"))));
      }
      // The execution history (what Step Functions did) beside the audit chain (what the platform recorded).
      const [history, audit] = await Promise.all([historyPanel(orderId).catch(failed), auditPanel(orderId).catch(failed)]);
      parts.push(h("div", { class: "side-by-side" }, history, audit));
      render(panel, parts);
    } catch (err) {
      showError(err);
    }
  };
  await paint();
}

// ---------------------------------------------------------------- escalated and overdue
async function escalated() {
  const panel = frame(t("升级和超时的订单", "Escalated and overdue orders"), h("div", { id: "list" }, loading()));
  try {
    const [list, stuck, techs] = await Promise.all([
      api("GET", "/orders?status=escalated").then((r) => r.orders),
      apiAll("/supervision/stuck").then((r) => r.orders.filter((o) => o.status !== "escalated")),
      technicianChoices(),
    ]);
    render(panel, h("h2", {}, t("需要人工派单", "Waiting for manual dispatch")), list.length
      ? list.map((o) => h("article", { class: "card", "data-order": o.order_id },
          h("h2", {}, h("a", { href: `#/order/${o.order_id}` }, o.description)),
          h("p", {}, o.address_label, " · ", time(o.created_at), " · ", o.escalation_reason || ""),
          dispatchForm(o.order_id, ableFirst(techs, o.category), escalated, attempt)))
      : h("p", {}, t("没有需要人工派单的订单。", "No escalated orders.")),
    h("h2", {}, t("超时未推进的订单", "Overdue orders")),
    h("p", { class: "muted" }, t("在当前状态停留超过时限的未完成订单（已提交/匹配中 30 分钟，已接单/在路上 2 小时，已到场/待确认 24 小时），最久的在前。", "Open orders in their status for longer than its limit (submitted/matching 30 min, assigned/on the way 2 h, on site/awaiting consent 24 h), oldest first.")),
    stuck.length
      ? scrollBox(t("超时订单", "Overdue orders"), h("table", { id: "stuck" },
          h("caption", { class: "visually-hidden" }, t("超时订单", "Overdue orders")),
          h("thead", {}, h("tr", {}, [t("订单", "Order"), t("类型", "Type"), t("状态", "Status"), t("小区", "Compound"), t("下单时间", "Placed"), t("已过", "Open for"), t("时限", "Limit")].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, stuck.map((o) => h("tr", { "data-order": o.order_id },
            h("th", { scope: "row" }, h("a", { href: `#/order/${o.order_id}` }, o.order_id)),
            h("td", {}, typeName(o.order_type)), h("td", {}, o.status), h("td", {}, o.compound_id), h("td", {}, time(o.created_at)),
            h("td", {}, h("strong", {}, duration(o.minutes_open))), h("td", {}, duration(o.limit_minutes))))),
        ))
      : h("p", {}, t("没有超时的订单。", "No overdue orders.")));
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- vetting
const VET_STATUSES = [["pending", "待审核", "Pending"], ["suspended", "已暂停", "Suspended"], ["admitted", "已准入 / 在岗", "Admitted / active"], ["rejected", "已驳回", "Rejected"]];
const DECISIONS = {
  approve: ["批准", "Approve", "good"],
  reject: ["驳回", "Reject", "danger"],
  suspend: ["暂停", "Suspend", "danger"],
  reinstate: ["恢复", "Reinstate", "good"],
};
const DECISIONS_FROM = { pending: ["approve", "reject"], rejected: ["approve"], admitted: ["suspend"], active: ["suspend"], suspended: ["reinstate"] };
const NEEDS_REASON = ["reject", "suspend"];

function decisionForm(kind, subject, name, onDone) {
  const reasonId = `reason-${subject.id}`;
  const decide = (decision) => async (e) => {
    const reason = document.getElementById(reasonId).value.trim();
    if (NEEDS_REASON.includes(decision) && !reason) {
      showError(new ApiError(400, { error: { message: "驳回或暂停须填写原因", message_en: "A rejection or suspension needs a reason." } }));
      return document.getElementById(reasonId).focus();
    }
    await attempt(e.currentTarget, async () => {
      const done = await api("POST", `/vetting/${kind === "company" ? "companies" : "technicians"}/${subject.id}/decision`, { decision, reason: reason || null });
      await onDone(`${t(...DECISIONS[decision].slice(0, 2))}：${name} → ${statusWords(done.status)}`);
    });
  };
  const choices = DECISIONS_FROM[subject.status] || [];
  return h("div", { class: "decision" },
    h("label", { for: reasonId }, t("原因（驳回和暂停必填，会告诉企业）", "Reason (needed to reject or suspend; the company is told)")),
    h("input", { id: reasonId, type: "text", maxlength: "500" }),
    h("div", { class: "row" }, choices.map((d) => h("button", { type: "button", class: `${DECISIONS[d][2]} decide-${d}`, onclick: decide(d) }, t(DECISIONS[d][0], DECISIONS[d][1])))),
  );
}

function statusWords(status) {
  const w = { pending: ["待审核", "pending"], admitted: ["已准入", "admitted"], active: ["在岗", "active"], rejected: ["已驳回", "rejected"], suspended: ["已暂停", "suspended"] }[status];
  return w ? t(w[0], w[1]) : status;
}

/** Pre-signed download links of the documents (GET /companies/{id}/documents/{doc}); null if not uploaded. */
async function documentLinks(companyId, ids) {
  return oneByOne(ids, (id) => api("GET", `/companies/${companyId}/documents/${id}`).catch(() => ({ document_id: id, download_url: null })));
}

function documentList(docs) {
  if (!docs.length) return h("p", { class: "muted" }, t("没有提交材料。", "No documents."));
  return h("ul", { class: "documents" }, docs.map((d) => h("li", {}, d.download_url
    ? h("a", { href: d.download_url, target: "_blank", rel: "noopener", "data-document": d.document_id }, `${d.filename || d.document_id}`, d.kind ? ` (${d.kind})` : "", t("（15 分钟内有效）", " (link valid 15 min)"))
    : h("span", {}, d.document_id, t("：文件尚未上传", ": file not uploaded")))));
}

async function vetting(message = "") {
  const status = hashParams().get("status") || "pending";
  const panel = frame(t("准入审核", "Vetting"), h("div", { id: "vetting" }, loading()));
  const statusNav = h("nav", { class: "tabs", "aria-label": t("审核状态", "Vetting status") }, VET_STATUSES.map(([s, zh, en]) =>
    h("a", { href: `#/vetting?status=${s}`, "aria-current": s === status ? "page" : null }, t(zh, en))));
  const result = h("p", { id: "vetting-result", role: "status", class: message ? "card emph" : null }, message);
  const again = (msg) => vetting(msg);
  try {
    // One call at a time: these are all served by the supervision function (see oneByOne).
    const queue = await apiAll(`/vetting?status=${status}`);
    const ranking = await apiAll("/credit/companies").then((r) => r.companies).catch(() => []);
    const names = Object.fromEntries([...ranking, ...queue.companies].map((c) => [c.company_id, c.name]));
    const companies = await oneByOne(queue.companies, async (c) => ({ c, docs: await documentLinks(c.company_id, c.documents || []) }));
    const technicians = await oneByOne(queue.technicians, async (tech) => {
      const ids = tech.certificates.map((c) => c.document_id).filter(Boolean);
      const docs = tech.company_id && ids.length ? await documentLinks(tech.company_id, ids) : [];
      return { tech, docs: Object.fromEntries(docs.map((d) => [d.document_id, d])) };
    });
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    render(panel, statusNav, result,
      h("h2", {}, t(`企业（${companies.length}）`, `Companies (${companies.length})`)),
      companies.length ? companies.map(({ c, docs }) => h("article", { class: "card vet", "data-company": c.company_id, "aria-labelledby": `vet-${c.company_id}` },
        h("h3", { id: `vet-${c.company_id}` }, c.name, c.name_en ? ` · ${c.name_en}` : "", " ", statusPill(c.status)),
        h("dl", { class: "facts" },
          h("dt", {}, t("统一社会信用代码", "Licence number")), h("dd", {}, c.licence_number || "—"),
          h("dt", {}, t("申请时间", "Applied")), h("dd", {}, c.applied_at ? time(c.applied_at) : "—"),
          c.status_reason ? [h("dt", {}, t("上次决定的原因", "Reason given")), h("dd", {}, c.status_reason)] : null,
          h("dt", {}, t("信用分", "Credit score")), h("dd", {}, String(c.credit_score))),
        h("h4", {}, t("资质材料", "Documents")), documentList(docs),
        decisionForm("company", { id: c.company_id, status: c.status }, c.name, again)))
      : h("p", {}, t("没有这个状态的企业。", "No companies in this status.")),
      h("h2", {}, t(`维修人员（${technicians.length}）`, `Technicians (${technicians.length})`)),
      technicians.length ? technicians.map(({ tech, docs }) => h("article", { class: "card vet", "data-technician": tech.user_id, "aria-labelledby": `vet-${tech.user_id}` },
        h("h3", { id: `vet-${tech.user_id}` }, tech.name, " ", statusPill(tech.status)),
        h("dl", { class: "facts" },
          h("dt", {}, t("所属企业", "Company")), h("dd", {}, names[tech.company_id] || tech.company_id || "—"),
          h("dt", {}, t("身份证号", "Identity number")), h("dd", {}, tech.id_number_masked || "—"),
          h("dt", {}, t("技能", "Skills")), h("dd", {}, tech.skills.map(categoryName).join("、") || "—",
            tech.suspended_skills.length ? [h("br"), t("因证书过期暂停：", "Suspended (certificate expired): "), tech.suspended_skills.map(categoryName).join("、")] : ""),
          h("dt", {}, t("登记时间", "Registered")), h("dd", {}, tech.registered_at ? time(tech.registered_at) : "—"),
          tech.status_reason ? [h("dt", {}, t("上次决定的原因", "Reason given")), h("dd", {}, tech.status_reason)] : null),
        tech.certificates.length ? scrollBox(t("证书", "Certificates"), h("table", {},
          h("caption", {}, t("证书", "Certificates")),
          h("thead", {}, h("tr", {}, [t("证书", "Certificate"), t("编号", "Number"), t("发证机关", "Issuer"), t("有效期至", "Valid through"), t("扫描件", "Scan")].map((x) => h("th", { scope: "col" }, x)))),
          h("tbody", {}, tech.certificates.map((c) => h("tr", {},
            h("th", { scope: "row" }, CERTIFICATES[c.kind] ? t(...CERTIFICATES[c.kind]) : c.kind),
            h("td", {}, c.number || "—"), h("td", {}, c.issuer || "—"),
            h("td", {}, c.expires_on, " ", c.expires_on >= today ? h("span", { class: "pill status-admitted" }, t("有效", "valid")) : h("span", { class: "pill status-suspended" }, t("已过期", "expired"))),
            h("td", {}, c.document_id ? documentList([docs[c.document_id] || { document_id: c.document_id }]) : "—")))))) : null,
        decisionForm("technician", { id: tech.user_id, status: tech.status }, tech.name, again)))
      : h("p", {}, t("没有这个状态的维修人员。", "No technicians in this status.")),
      status === "pending" ? await renewalSection(names, again) : null,
    );
  } catch (err) {
    showError(err);
  }
}

/** Certificate renewals waiting for a decision: approving one gives back the skills its certificate covers. */
async function renewalSection(names, again) {
  const renewals = (await apiAll("/vetting/renewals")).renewals;
  const scans = await oneByOne(renewals, (r) => documentLinks(r.company_id, [r.certificate.document_id]));
  const decide = (r, decision) => async (e) => {
    const reason = document.getElementById(`reason-${r.renewal_id}`).value.trim();
    if (decision === "reject" && !reason) {
      showError(new ApiError(400, { error: { message: "驳回须填写原因", message_en: "A refusal needs a reason." } }));
      return document.getElementById(`reason-${r.renewal_id}`).focus();
    }
    await attempt(e.currentTarget, async () => {
      await api("POST", `/technicians/${r.technician_id}/certificates/${r.renewal_id}/decision`, { decision, reason: reason || null });
      await again(decision === "approve" ? t(`换证已批准：${r.certificate.number}`, `Renewal approved: ${r.certificate.number}`) : t(`换证已驳回：${r.certificate.number}`, `Renewal refused: ${r.certificate.number}`));
    });
  };
  return [
    h("h2", {}, t(`换证申请（${renewals.length}）`, `Certificate renewals (${renewals.length})`)),
    renewals.length ? renewals.map((r, i) => {
      return h("article", { class: "card vet", "data-renewal": r.renewal_id, "aria-labelledby": `ren-${r.renewal_id}` },
        h("h3", { id: `ren-${r.renewal_id}` }, CERTIFICATES[r.certificate.kind] ? t(...CERTIFICATES[r.certificate.kind]) : r.certificate.kind, " · ", r.certificate.number),
        h("dl", { class: "facts" },
          h("dt", {}, t("师傅", "Technician")), h("dd", {}, r.technician_id),
          h("dt", {}, t("所属企业", "Company")), h("dd", {}, names[r.company_id] || r.company_id || "—"),
          h("dt", {}, t("发证机关", "Issuer")), h("dd", {}, r.certificate.issuer || "—"),
          h("dt", {}, t("有效期至", "Valid through")), h("dd", {}, r.certificate.expires_on),
          h("dt", {}, t("提交时间", "Submitted")), h("dd", {}, time(r.submitted_at))),
        h("h4", {}, t("新证书扫描件", "Scan of the new certificate")), documentList(scans[i]),
        h("div", { class: "decision" },
          h("label", { for: `reason-${r.renewal_id}` }, t("原因（驳回必填，会告诉企业和师傅）", "Reason (needed to refuse; the company and the technician are told)")),
          h("input", { id: `reason-${r.renewal_id}`, type: "text", maxlength: "500" }),
          h("div", { class: "row" },
            h("button", { type: "button", class: "good decide-renewal-approve", onclick: decide(r, "approve") }, t("批准换证", "Approve the renewal")),
            h("button", { type: "button", class: "danger decide-renewal-reject", onclick: decide(r, "reject") }, t("驳回", "Refuse")))));
    }) : h("p", {}, t("没有待审核的换证申请。", "No renewals waiting.")),
  ];
}

// ---------------------------------------------------------------- credit
async function creditRanking() {
  const panel = frame(t("企业信用排名", "Company credit ranking"), h("div", { id: "credit" }, loading()));
  try {
    const list = (await apiAll("/credit/companies")).companies;
    const exported = h("p", { id: "export-result", role: "status" });
    const save = (format) => async (e) => attempt(e.currentTarget, async () => {
      const name = `linli-credit-${new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)}.${format}`;
      await download(`/credit/export?format=${format}`, name);
      exported.textContent = t(`已下载 ${name}`, `Downloaded ${name}`);
    });
    render(panel,
      h("p", {}, t("信用分由居民评分、按时率和投诉率算出（详见监管文档）；点企业名看它的分数变化和每一条信用事件。", "The score combines residents' ratings, deadlines met and complaints; open a company for its score over time and every credit event.")),
      h("div", { class: "row card", id: "credit-export" },
        h("span", {}, t("导出全部企业的信用分和信用事件，供征信系统使用：", "Export every company's score and credit events for a credit-reporting system:")),
        h("button", { type: "button", id: "export-csv", onclick: save("csv") }, t("下载 CSV", "Download CSV")),
        h("button", { type: "button", class: "quiet", id: "export-json", onclick: save("json") }, t("下载 JSON", "Download JSON")),
        exported),
      list.length ? scrollBox(t("信用排名", "Credit ranking"), h("table", { id: "ranking" },
        h("caption", { class: "visually-hidden" }, t("信用排名", "Credit ranking")),
        h("thead", {}, h("tr", {}, [t("名次", "Rank"), t("企业", "Company"), t("状态", "Status"), t("信用分", "Score"), ""].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, list.map((c, i) => h("tr", { "data-company": c.company_id },
          h("td", {}, String(i + 1)),
          h("th", { scope: "row" }, h("a", { href: `#/credit/${c.company_id}` }, c.name)),
          h("td", {}, statusPill(c.status)),
          h("td", { class: "score" }, c.credit_score.toFixed(1)),
          h("td", { style: "width:40%" }, h("span", { class: "bar", style: `width:${c.credit_score}%`, "aria-hidden": "true" }))))),
      )) : h("p", {}, t("还没有准入的企业。", "No admitted companies yet.")));
  } catch (err) {
    showError(err);
  }
}

async function creditDetail(companyId) {
  const panel = frame(t("企业信用记录", "Company credit record"), h("div", { id: "credit" }, loading()));
  try {
    render(panel, h("p", {}, h("a", { href: "#/credit" }, t("← 返回信用排名", "← Back to the ranking"))), creditPanel(await api("GET", `/credit/companies/${companyId}`)));
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- statistics
const DAY = 86400e3;
const dayMs = (d) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10));
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const TYPE_COLOURS = [["emergency", "#a4001d"], ["booking", "#0a5c28"], ["public_area", "#7a3d00"]];

/** Columns of orders by type: one a day over the period (days without orders too), or a week, or a month when long. */
function orderColumns(byDay, from, to) {
  if (!byDay.length) return { columns: [], unit: "day" };
  const first = dayMs(from || byDay[0].day), last = dayMs(to || byDay[byDay.length - 1].day);
  const days = Math.round((last - first) / DAY) + 1;
  const unit = days <= 62 ? "day" : days <= 490 ? "week" : "month";
  const keyOf = (ms) => unit === "day" ? dayOf(ms) : unit === "week" ? dayOf(ms - ((new Date(ms).getUTCDay() + 6) % 7) * DAY) : dayOf(ms).slice(0, 7);
  const columns = new Map();
  for (let ms = first; ms <= last; ms += DAY) {
    const key = keyOf(ms);
    if (!columns.has(key)) columns.set(key, { label: key, short: unit === "month" ? key : key.slice(5), parts: {} });
  }
  for (const d of byDay) {
    const c = columns.get(keyOf(dayMs(d.day)));
    if (c) for (const [type, n] of Object.entries(d.by_type)) c.parts[type] = (c.parts[type] || 0) + n;
  }
  return { columns: [...columns.values()], unit };
}

function figure(key, words, value, sub) {
  return h("div", { "data-figure": key }, h("dt", {}, words), h("dd", {}, h("span", { class: "figure-value" }, value ?? "—"), sub ? [h("br"), h("span", { class: "muted" }, sub)] : null));
}

async function stats() {
  const params = hashParams();
  const panel = frame(t("统计", "Statistics"), h("div", { id: "stats" }, loading()));
  const query = new URLSearchParams();
  for (const key of ["company_id", "compound_id", "from", "to"]) if (params.get(key)) query.set(key, params.get(key));
  try {
    const data = await api("GET", `/stats${query.toString() ? `?${query}` : ""}`);
    const ranking = await apiAll("/credit/companies").then((r) => r.companies).catch(() => []); // the same function: after /stats
    const names = Object.fromEntries(ranking.map((c) => [c.company_id, c.name]));
    const o = data.orders;
    const form = h("form", { class: "card filters", onsubmit: (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      for (const key of ["company_id", "compound_id", "from", "to"]) {
        const v = document.getElementById(`stats-${key}`).value.trim();
        if (v) next.set(key, v);
      }
      location.hash = `#/stats${next.toString() ? `?${next}` : ""}`;
    } },
      h("div", {}, h("label", { for: "stats-company_id" }, t("企业", "Company")),
        h("select", { id: "stats-company_id" }, h("option", { value: "" }, t("全部企业", "Every company")), ranking.map((c) => h("option", { value: c.company_id, selected: c.company_id === params.get("company_id") }, c.name)))),
      h("div", {}, h("label", { for: "stats-compound_id" }, t("小区编号（可不填）", "Compound id (optional)")), h("input", { id: "stats-compound_id", type: "text", value: params.get("compound_id") || "", placeholder: "cp_649b5f256751" })),
      h("div", {}, h("label", { for: "stats-from" }, t("从（北京时间）", "From (Beijing date)")), h("input", { id: "stats-from", type: "date", value: params.get("from") || "" })),
      h("div", {}, h("label", { for: "stats-to" }, t("到", "To")), h("input", { id: "stats-to", type: "date", value: params.get("to") || "" })),
      h("div", {}, h("button", { type: "submit" }, t("查看", "Show"))),
    );
    const acc = o.time_to_acceptance, arr = o.time_to_arrival;
    const figures = h("dl", { class: "figures", id: "figures" },
      figure("orders", t("订单", "Orders"), String(o.orders)),
      data.residents !== null ? figure("residents", t("登记居民", "Registered residents"), String(data.residents)) : null,
      figure("service_staff", t("服务人员", "Service staff"), String(data.service_staff)),
      data.companies !== null && data.companies !== undefined ? figure("companies", t("准入企业", "Admitted companies"), String(data.companies)) : null,
      figure("completion_rate", t("完成率", "Completion rate"), o.completion_rate === null ? null : `${(o.completion_rate * 100).toFixed(1)}%`, t("已完成 ÷（已完成 + 已取消）", "finished ÷ (finished + cancelled)")),
      figure("average_rating", t("平均评分", "Average rating"), o.average_rating === null ? null : `${o.average_rating} ★`, t(`${o.ratings} 次评分`, `${o.ratings} ratings`)),
      figure("acceptance", t("接单用时（中位数）", "Time to acceptance (median)"), acc.median_minutes === null ? null : t(`${acc.median_minutes} 分钟`, `${acc.median_minutes} min`), acc.p90_minutes === null ? null : t(`90% 在 ${acc.p90_minutes} 分钟内`, `90% within ${acc.p90_minutes} min`)),
      figure("arrival", t("到场用时（中位数）", "Time to arrival (median)"), arr.median_minutes === null ? null : t(`${arr.median_minutes} 分钟`, `${arr.median_minutes} min`), arr.p90_minutes === null ? null : t(`90% 在 ${arr.p90_minutes} 分钟内`, `90% within ${arr.p90_minutes} min`)),
      figure("complaints", t("投诉（账单争议与服务投诉）", "Complaints (bill disputes and service complaints)"), String(o.complaints), t(`成立 ${o.complaints_upheld} 件`, `${o.complaints_upheld} upheld`)),
      figure("reworks", t("保修返修", "Re-work under warranty"), String(o.reworks ?? 0), t("居民申请的返修单", "asked for by residents")),
      figure("me_too", t("“我也遇到”", "\u201cMe too\u201ds"), String(o.me_too)),
    );
    const { columns, unit } = orderColumns(o.by_day, params.get("from"), params.get("to"));
    const per = { day: ["每天", "per day"], week: ["每周（周一起）", "per week (from Monday)"], month: ["每月", "per month"] }[unit];
    const bounds = o.acceptance_histogram;
    const deadline = bounds.findIndex((b) => b.up_to_minutes === 15);
    const charts = [
      columns.length
        ? stackedColumns({
            id: "chart-orders",
            title: t(`订单数（${per[0]}，按类型）`, `Orders ${per[1]}, by type`),
            note: t(`共 ${o.orders} 单`, `${o.orders} order${o.orders === 1 ? "" : "s"} in all`),
            columns,
            series: TYPE_COLOURS.map(([key, colour]) => [key, typeName(key), colour]),
          })
        : h("p", { class: "card" }, t("这个范围内没有订单。", "No orders in this scope and period.")),
      columnsChart({
        id: "chart-acceptance",
        title: t("接单用时分布（分钟）", "Time to acceptance (minutes)"),
        note: acc.count ? t(`${acc.count} 单：中位数 ${acc.median_minutes} 分钟，90% 在 ${acc.p90_minutes} 分钟内。虚线：应急维修的接单时限 15 分钟。`, `${acc.count} orders: median ${acc.median_minutes} min, 90% within ${acc.p90_minutes} min. Dashed: the 15-minute response deadline for emergencies.`) : t("还没有接单的订单。", "No accepted orders yet."),
        columns: bounds.map((b, i) => ({ label: b.up_to_minutes === null ? `>${bounds[i - 1].up_to_minutes}` : `≤${b.up_to_minutes}`, value: b.count })),
        marks: deadline >= 0 ? [{ at: deadline + 1, label: t("15 分钟", "15 min"), colour: "#a4001d" }] : [],
      }),
      o.by_company.length
        ? barsChart({
            id: "chart-satisfaction",
            title: t("各企业满意度（平均评分，满分 5 星）", "Satisfaction by company (average stars of 5)"),
            rows: o.by_company.map((c) => ({
              label: names[c.company_id] || c.company_id,
              value: c.average_rating || 0,
              text: c.average_rating === null ? t(`暂无评分 · ${c.orders} 单`, `no ratings · ${c.orders} orders`) : t(`${c.average_rating}★ · ${c.ratings} 次评分`, `${c.average_rating}★ · ${c.ratings} ratings`),
            })),
            max: 5,
            colour: "#6b5000",
            head: [t("企业", "Company"), t("平均评分", "Average rating")],
          })
        : null,
      Object.keys(o.by_status).length
        ? barsChart({
            id: "chart-status",
            title: t("订单状态", "Orders by status"),
            rows: Object.entries(o.by_status).map(([s, n]) => ({ label: s, value: n, text: String(n) })),
            head: [t("状态", "Status"), t("订单", "Orders")],
          })
        : null,
    ];
    // The orders of this compound (or the district) and period as CSV: the export takes no company filter.
    const exportQuery = new URLSearchParams();
    for (const key of ["compound_id", "from", "to"]) if (params.get(key)) exportQuery.set(key, params.get(key));
    const exported = h("p", { id: "orders-export-result", role: "status" });
    const exportOrders = h("div", { class: "row card", id: "orders-export" },
      h("span", {}, t("导出这个小区（或全区）、这段时间的订单明细：", "Export the orders of this compound (or the district) and period:")),
      h("button", { type: "button", id: "orders-export-csv", onclick: (e) => attempt(e.currentTarget, async () => {
        const name = `linli-orders-${params.get("from") || "all"}-${params.get("to") || "all"}.csv`;
        await download(`/supervision/orders/export${exportQuery.toString() ? `?${exportQuery}` : ""}`, name);
        exported.textContent = t(`已下载 ${name}`, `Downloaded ${name}`);
      }) }, t("下载订单 CSV", "Download the orders (CSV)")),
      exported);
    render(panel, form, exportOrders, figures, h("div", { class: "charts" }, charts));
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- disputes, dead letters
const disputeKind = (d) => (d.kind === "service" ? t("服务投诉", "Service complaint") : t("账单争议", "Bill dispute"));

async function disputes() {
  const panel = frame(t("争议", "Disputes"), h("div", { id: "list" }, loading()));
  try {
    const list = (await apiAll("/disputes?status=open")).disputes;
    render(panel, list.length
      ? list.map((d, i) => h("article", { class: "card", "data-order": d.order_id },
          h("h2", {}, h("a", { href: `#/order/${d.order_id}` }, d.order_id)),
          h("p", {}, time(d.opened_at), " · ", disputeKind(d), " · ", d.reason),
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

async function messages() {
  const panel = frame(t("我收到的消息", "My messages"), h("div", { id: "list" }, loading()));
  try {
    render(panel, messageList((await api("GET", "/messages")).messages));
  } catch (err) {
    showError(err);
  }
}

async function deadLetters() {
  const panel = frame(t("死信", "Dead letters"), h("div", { id: "list" }, loading()));
  try {
    const list = (await apiAll("/ops/dead-letters")).dead_letters;
    render(panel, list.length
      ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, ["queue", "message", t("次数", "receives"), "body"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, list.map((d) => h("tr", {}, h("td", {}, d.queue), h("td", {}, d.message_id), h("td", {}, String(d.receive_count ?? "")), h("td", {}, h("code", {}, d.body.slice(0, 300))))))))
      : h("p", {}, t("没有死信：每条事件都已送达。", "No dead letters: every event was delivered.")));
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- onboarding: compounds
const termsText = (c) => [
  c.contract && c.contract.company_id ? t(`合同物业：${c.contract.company_id}`, `Contracted: ${c.contract.company_id}`) : t("无合同物业", "No contracted company"),
  c.free_service ? t(`免费期 ${c.free_service.from} 至 ${c.free_service.to}（${c.free_service.funded_by}）`, `Free ${c.free_service.from} to ${c.free_service.to} (${c.free_service.funded_by})`) : t("正常收费", "Charged normally"),
].join(" · ");

async function compounds() {
  const panel = frame(t("小区", "Compounds"), h("p", {}, h("a", { href: "#/compounds/import", class: "button" }, t("导入小区（CSV）", "Import compounds (CSV)"))), h("div", { id: "list" }, loading()));
  try {
    const list = (await apiAll("/compounds")).compounds;
    render(panel, list.length
      ? h("div", { class: "table-wrap" }, h("table", {},
          h("thead", {}, h("tr", {}, [t("小区", "Compound"), t("区 / 街道", "District / street"), t("户数", "Households"), t("合同与免费期", "Contract and free period")].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, list.map((c) => h("tr", { "data-compound": c.compound_id },
            h("th", { scope: "row" }, h("a", { href: `#/compounds/${c.compound_id}` }, c.name)),
            h("td", {}, `${c.district} ${c.street}`), h("td", {}, String(c.households)), h("td", {}, termsText(c)))))))
      : h("p", {}, t("还没有导入任何小区。", "No compound has been imported yet.")));
  } catch (err) {
    showError(err);
  }
}

/** The import's report, row by row: each row accepted, or refused with its column and reason. */
function importReport(report) {
  const problems = (r) => r.problems.map((p) => `${p.column}：${t(p.reason, p.reason_en)}`).join("；");
  const where = (r) => (r.household ? `${r.household.building}-${r.household.unit}-${r.household.room}` : "");
  return h("section", { class: "card", id: "import-report" },
    h("p", { class: report.valid ? "verdict good" : "verdict bad", role: "status" },
      report.written
        ? t(`已导入：${report.rows_accepted} 行`, `Imported: ${report.rows_accepted} rows`)
        : report.valid
          ? t(`检查通过：${report.rows_accepted} 行可导入${report.dry_run ? "（试运行，未保存）" : "（没有变化）"}`, `Checked: ${report.rows_accepted} rows can be imported${report.dry_run ? " (dry run, nothing saved)" : " (nothing changed)"}`)
          : t(`${report.rows_refused} 行有误，整个文件未导入`, `${report.rows_refused} rows refused; nothing was imported`)),
    h("ul", {}, report.compounds.map((c) => h("li", {}, `${c.name}（${c.district}）：`, t({ created: "新建", updated: "更新", unchanged: "无变化" }[c.status], c.status), t(`，新增 ${c.households_new} 户`, `, ${c.households_new} new households`)))),
    scrollBox(t("逐行报告", "Row by row"), h("table", {},
      h("thead", {}, h("tr", {}, [t("行", "Row"), t("结果", "Result"), t("楼-单元-房间", "Building-unit-room"), t("原因", "Reason")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, report.rows.map((r) => h("tr", { "data-row": String(r.row), "data-status": r.status },
        h("td", {}, String(r.row)), h("td", {}, r.status === "accepted" ? t("可导入", "Accepted") : t("拒绝", "Refused")), h("td", {}, where(r)), h("td", {}, problems(r))))))));
}

function importCompounds() {
  const panel = frame(t("导入小区", "Import compounds"), h("div", { id: "detail" }));
  let file = null;
  const out = h("div", { id: "import-out" });
  const run = async (button, dryRun) => attempt(button, async () => {
    if (!file) throw new ApiError(400, { error: { message: "请先选择 CSV 文件", message_en: "Choose a CSV file first." } });
    const datum = document.getElementById("import-datum").value;
    const blob = new Blob([await file.arrayBuffer()], { type: "text/csv" });
    try {
      const report = await api("POST", `/compounds/import?dry_run=${dryRun}&datum=${datum}`, blob);
      render(out, importReport(report));
      document.getElementById("import-run").disabled = !(dryRun && report.valid); // import what was checked
    } catch (err) {
      if (err instanceof ApiError && err.body && err.body.report) render(out, importReport(err.body.report));
      throw err;
    }
  });
  render(panel,
    h("p", {}, h("a", { href: "#/compounds" }, t("← 返回小区列表", "← Back to the compounds"))),
    h("section", { class: "card" },
      h("p", {}, t("CSV 文件（Excel“CSV UTF-8”），列：小区名称、区、街道、楼号、单元、房间号、纬度、经度（可选：英文名称、坐标系）。", "A CSV file (Excel “CSV UTF-8”) with the columns name, district, street, building, unit, room, lat, lng (optional: name_en, datum).")),
      h("label", { for: "import-file" }, t("选择文件", "Choose a file")),
      h("input", { id: "import-file", type: "file", accept: ".csv,text/csv", onchange: (e) => { file = e.currentTarget.files[0] || null; document.getElementById("import-run").disabled = true; render(out); } }),
      h("label", { for: "import-datum" }, t("坐标系", "Datum")),
      h("select", { id: "import-datum" }, h("option", { value: "GCJ-02" }, t("GCJ-02（微信、国内地图）", "GCJ-02 (WeChat, Chinese maps)")), h("option", { value: "WGS-84" }, t("WGS-84（GPS，自动转换）", "WGS-84 (GPS, converted)"))),
      h("p", { class: "row" },
        h("button", { id: "import-check", type: "button", onclick: (e) => run(e.currentTarget, true) }, t("检查（试运行）", "Check (dry run)")),
        h("button", { id: "import-run", type: "button", disabled: true, onclick: (e) => run(e.currentTarget, false) }, t("导入", "Import")))),
    out);
}

async function compound(compoundId) {
  const panel = frame(t("小区", "Compound"), h("div", { id: "detail" }, loading()));
  try {
    const c = await api("GET", `/compounds/${compoundId}`);
    const save = (kind, body) => async (e) => {
      e.preventDefault();
      await attempt(e.currentTarget.querySelector("button"), async () => {
        await api("PUT", `/compounds/${compoundId}/${kind}`, body());
        await compound(compoundId);
      });
    };
    const value = (id) => document.getElementById(id).value.trim();
    render(panel,
      h("p", {}, h("a", { href: "#/compounds" }, t("← 返回小区列表", "← Back to the compounds"))),
      h("section", { class: "card" },
        h("h2", {}, c.name, c.name_en ? ` · ${c.name_en}` : ""),
        h("p", {}, `${c.district} ${c.street} · ${c.position.lat}, ${c.position.lng}（${c.position.datum}）`),
        h("p", { id: "compound-counts" }, t(`${c.counts.buildings} 栋楼，${c.counts.units} 个单元，${c.counts.households} 户`, `${c.counts.buildings} buildings, ${c.counts.units} units, ${c.counts.households} households`)),
        h("p", { id: "compound-terms" }, termsText(c))),
      h("form", { class: "card", id: "contract-form", onsubmit: save("contract", () => ({ company_id: value("contract-company"), from: value("contract-from"), to: value("contract-to") || null })) },
        h("h2", {}, t("合同物业", "Contracted company")),
        h("label", { for: "contract-company" }, t("物业公司编号", "Company id")), h("input", { id: "contract-company", type: "text", required: true, value: c.contract ? c.contract.company_id || "" : "" }),
        h("label", { for: "contract-from" }, t("开始日期", "From")), h("input", { id: "contract-from", type: "date", required: true, value: (c.contract && c.contract.from) || "" }),
        h("label", { for: "contract-to" }, t("结束日期（可不填）", "To (optional)")), h("input", { id: "contract-to", type: "date", value: (c.contract && c.contract.to) || "" }),
        h("p", {}, h("button", { type: "submit" }, t("保存合同", "Save the contract")))),
      h("form", { class: "card", id: "free-form", onsubmit: save("free-service", () => ({ from: value("free-from"), to: value("free-to"), funded_by: value("free-funder") })) },
        h("h2", {}, t("免费服务期", "Free-service period")),
        h("label", { for: "free-from" }, t("开始日期", "From")), h("input", { id: "free-from", type: "date", required: true, value: c.free_service ? c.free_service.from : "" }),
        h("label", { for: "free-to" }, t("结束日期", "To")), h("input", { id: "free-to", type: "date", required: true, value: c.free_service ? c.free_service.to : "" }),
        h("label", { for: "free-funder" }, t("出资方", "Funded by")), h("input", { id: "free-funder", type: "text", required: true, value: c.free_service ? c.free_service.funded_by : "" }),
        h("p", {}, h("button", { type: "submit" }, t("保存免费期", "Save the free period")))),
      h("section", { class: "card" }, h("h2", {}, t("变更记录", "Versions")),
        c.versions.length
          ? h("ol", { id: "compound-versions" }, c.versions.map((v) => h("li", {}, `v${v.version} · ${time(v.changed_at)} · ${v.changed_by} · `, v.kind === "contract" ? t(`合同：${v.value.company_id}，${v.value.from} 起`, `Contract: ${v.value.company_id} from ${v.value.from}`) : t(`免费期：${v.value.from} 至 ${v.value.to}（${v.value.funded_by}）`, `Free: ${v.value.from} to ${v.value.to} (${v.value.funded_by})`))))
          : h("p", {}, t("还没有变更。", "No changes yet."))),
      h("section", { class: "card" }, h("h2", {}, t("楼栋与单元", "Buildings and units")),
        h("ul", {}, c.buildings.map((b) => h("li", {}, t(`${b.building} 号楼：`, `Building ${b.building}: `), b.units.map((u) => t(`${u.unit} 单元 ${u.households} 户`, `unit ${u.unit}, ${u.households}`)).join("，"))))));
  } catch (err) {
    showError(err);
  }
}

const start = router(
  [
    [/^#\/order\/([\w-]+)$/, (m) => order(m[1])],
    [/^#\/escalated$/, () => escalated()],
    [/^#\/vetting(\?.*)?$/, () => vetting()],
    [/^#\/credit$/, () => creditRanking()],
    [/^#\/credit\/([\w-]+)$/, (m) => creditDetail(m[1])],
    [/^#\/stats(\?.*)?$/, () => stats()],
    [/^#\/disputes$/, () => disputes()],
    [/^#\/messages$/, () => (messages(), { poll: messages })],
    [/^#\/dead-letters$/, () => deadLetters()],
    [/^#\/compounds$/, () => compounds()],
    [/^#\/compounds\/import$/, () => importCompounds()],
    [/^#\/compounds\/([\w-]+)$/, (m) => compound(m[1])],
  ],
  () => orders(),
);
start();
