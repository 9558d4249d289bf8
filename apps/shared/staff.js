// Pieces shared by the staff apps (supervisor console, company back office).
import { api, apiAll, h, pick, scrollBox, seconds, t, time, typeName, categoryName } from "/app/shared/core.js";
import { lineChart } from "/app/shared/charts.js";

export const STATUSES = ["submitted", "matching", "offered", "assigned", "en_route", "on_site", "awaiting_approval", "completed", "rated", "closed", "cancelled", "escalated"];

/** Tabs: [[hash, zh, en], …], the current one marked for screen readers. */
export function tabs(items, label) {
  const current = location.hash || "#/";
  return h("nav", { class: "tabs", "aria-label": label }, items.map(([href, zh, en]) =>
    h("a", { href, "aria-current": current === href || (href !== "#/" && current.startsWith(href)) ? "page" : null }, t(zh, en)),
  ));
}

export function ordersTable(orders, { link = (o) => `#/order/${o.order_id}` } = {}) {
  if (!orders.length) return h("p", {}, t("没有订单。", "No orders."));
  return scrollBox(t("订单", "Orders"), h("table", { class: "orders" },
    h("caption", { class: "visually-hidden" }, t("订单", "Orders")),
    h("thead", {}, h("tr", {}, [t("下单时间", "Placed"), t("类型", "Type"), t("问题", "Problem"), t("地址", "Address"), t("状态", "Status"), t("师傅", "Technician")].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, orders.map((o) => h("tr", { "data-order": o.order_id },
      h("td", {}, h("a", { href: link(o) }, time(o.created_at))),
      h("td", {}, typeName(o.type), " · ", categoryName(o.category)),
      h("td", {}, o.description),
      h("td", {}, o.address_label, o.place ? ` · ${o.place}` : ""),
      h("td", {}, pick(o.status_text)),
      h("td", {}, o.technician ? `${o.technician.name}（${o.technician.company_name || ""}）` : "—"),
    ))),
  ));
}

export function orderSummary(o) {
  return h("section", { class: "card", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, `${typeName(o.type)} · ${categoryName(o.category)}`),
    h("p", { class: "status-now" }, pick(o.status_text)),
    h("dl", {},
      h("dt", {}, t("订单号", "Order")), h("dd", {}, o.order_id),
      h("dt", {}, t("问题", "Problem")), h("dd", {}, o.description),
      h("dt", {}, t("地址", "Address")), h("dd", {}, o.address_label, o.place ? ` · ${o.place}` : ""),
      o.slot ? [h("dt", {}, t("预约时间", "Slot")), h("dd", {}, `${time(o.slot.start)}–${time(o.slot.end, false)}`)] : null,
      h("dt", {}, t("师傅", "Technician")), h("dd", {}, o.technician ? `${o.technician.name} · ${o.technician.company_name || ""}` : "—"),
      o.escalation_reason ? [h("dt", {}, t("升级原因", "Escalated because")), h("dd", {}, o.escalation_reason)] : null,
      o.bill_total !== null && o.bill_total !== undefined ? [h("dt", {}, t("账单合计", "Bill total")), h("dd", {}, String(o.bill_total))] : null,
      o.rating_stars ? [h("dt", {}, t("评分", "Rating")), h("dd", {}, "★".repeat(o.rating_stars))] : null,
    ),
    h("h3", {}, t("订单进展", "Order timeline")),
    h("ol", { class: "timeline" }, o.timeline.map((e) => h("li", {}, h("strong", {}, time(e.at)), ` ${e.status} · ${e.actor_name || e.actor}`, e.note ? ` · ${e.note}` : ""))),
  );
}

/** Each state of the Step Functions execution: entered and left, with times, from the event history. */
export function statesFromHistory(events) {
  const spans = [];
  const open = new Map();
  for (const e of events) {
    if (e.type.endsWith("StateEntered")) {
      const span = { state: e.state, kind: e.type.replace("StateEntered", ""), entered: e.timestamp, exited: null, notes: [] };
      spans.push(span);
      open.set(e.state, span);
    } else if (e.type.endsWith("StateExited")) {
      const span = open.get(e.state);
      if (span) {
        span.exited = e.timestamp;
        open.delete(e.state);
      }
    } else if (/Failed|TimedOut|Aborted/.test(e.type)) {
      const last = spans[spans.length - 1];
      if (last) last.notes.push(e.type);
    }
  }
  return spans;
}

export async function historyPanel(orderId) {
  const history = await api("GET", `/orders/${orderId}/history`);
  const spans = statesFromHistory(history.events);
  const start = spans.length ? new Date(spans[0].entered).getTime() : 0;
  const end = Math.max(start + 1, ...spans.map((s) => new Date(s.exited || Date.now()).getTime()));
  return h("section", { class: "card", "aria-labelledby": "history-title", id: "execution-history" },
    h("h2", { id: "history-title" }, t("执行历史（Step Functions）", "Execution history (Step Functions)")),
    h("p", {}, t("执行状态：", "Execution status: "), h("strong", { id: "execution-status" }, history.execution_status), ` · ${history.events.length} ${t("个事件", "events")}`),
    scrollBox(t("执行历史", "Execution history"), h("table", { class: "history" },
      h("caption", { class: "visually-hidden" }, t("每个状态的进入和离开时间", "Each state entered and left")),
      h("thead", {}, h("tr", {}, [t("状态", "State"), t("进入", "Entered"), t("离开", "Left"), t("用时", "Took"), t("时间线", "Timeline")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, spans.map((s) => {
        const a = new Date(s.entered).getTime();
        const b = s.exited ? new Date(s.exited).getTime() : Date.now();
        return h("tr", { "data-state": s.state },
          h("th", { scope: "row" }, s.state, h("br"), h("span", { class: "muted" }, s.kind), s.notes.length ? [h("br"), h("span", { class: "pill" }, s.notes.join(", "))] : null),
          h("td", {}, seconds(s.entered)),
          h("td", {}, s.exited ? seconds(s.exited) : t("进行中", "still here")),
          h("td", {}, `${((b - a) / 1000).toFixed(2)} s`),
          h("td", { style: "min-width:8rem" }, h("span", { class: "bar", style: `margin-left:${((a - start) / (end - start)) * 100}%;width:${Math.max(0.5, ((b - a) / (end - start)) * 100)}%`, "aria-hidden": "true" })),
        );
      })),
    )),
    h("details", {}, h("summary", {}, t("全部事件", "Every event")),
      h("ol", {}, history.events.map((e) => h("li", {}, `${seconds(e.timestamp)} ${e.type}${e.state ? " · " + e.state : ""}`)))),
  );
}

/** The order's hash-chained audit log (GET /orders/{id}/audit) and whether the chain verifies. */
export async function auditPanel(orderId) {
  const audit = await api("GET", `/orders/${orderId}/audit`);
  const v = audit.verification;
  const verdict = !v.length
    ? t("还没有审计记录（事件写入后几秒内出现）。", "No audit entries yet (they appear a few seconds after each event).")
    : v.valid
      ? t(`✓ 校验通过：${v.length} 条记录环环相扣，没有被改动、删除或插入`, `✓ Verified: ${v.length} ${v.length === 1 ? "entry" : "entries, each linked to the one before"}; none edited, removed or inserted`)
      : t(`✗ 校验不通过：从第 ${v.first_bad_seq} 条起记录有问题`, `✗ Does not verify: something is wrong from entry ${v.first_bad_seq}`);
  return h("section", { class: "card", "aria-labelledby": "audit-title", id: "audit-chain" },
    h("h2", { id: "audit-title" }, t("审计链", "Audit chain")),
    h("p", { class: `verdict ${v.valid ? "ok" : "bad"}`, id: "audit-verdict", "data-valid": String(v.valid), "data-length": v.length }, verdict),
    v.problems.length ? h("ul", { class: "problems-list" }, v.problems.map((p) => h("li", {}, p))) : null,
    audit.entries.length ? scrollBox(t("审计记录", "Audit entries"), h("table", { class: "audit" },
      h("caption", { class: "visually-hidden" }, t("审计记录，按顺序", "Audit entries in order")),
      h("thead", {}, h("tr", {}, ["#", t("时间", "When"), t("事件", "Event"), t("操作人", "By"), t("哈希", "Hash")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, audit.entries.map((e, i) => {
        const linked = i === 0 ? /^0+$/.test(e.prev_hash) : e.prev_hash === audit.entries[i - 1].hash;
        return h("tr", { "data-seq": e.seq },
          h("th", { scope: "row" }, String(e.seq)),
          h("td", {}, seconds(e.at)),
          h("td", {}, e.kind, Object.keys(e.detail || {}).length ? h("details", {}, h("summary", {}, t("详情", "Detail")), h("code", { class: "detail" }, JSON.stringify(e.detail))) : null),
          h("td", {}, e.actor),
          h("td", {}, h("code", { title: e.hash }, e.hash.slice(0, 10), "…"), " ", h("span", { class: linked ? "link-ok" : "link-bad" }, linked ? t("✓ 接上一条", "✓ linked") : t("✗ 断开", "✗ broken"))),
        );
      })),
    )) : null,
    h("p", { class: "muted" }, t("每条记录的哈希覆盖它的全部内容和上一条的哈希；服务器每次查看时重新计算整条链。", "Each entry's hash covers all of it and the previous entry's hash; the server recomputes the whole chain on every look.")),
  );
}

export const CREDIT_KINDS = {
  rating: ["居民评分", "Resident's rating"],
  response_deadline: ["接单时限", "Response deadline"],
  arrival_deadline: ["到场时限", "Arrival deadline"],
  ack_deadline_missed: ["公区报事未按时受理", "Public-area report not acknowledged in time"],
  resolve_deadline_missed: ["公区报事未按时解决", "Public-area report not resolved in time"],
  dispute_lost: ["账单争议成立", "Bill dispute upheld"],
  complaint_upheld: ["投诉成立", "Complaint upheld"],
  rework: ["返修", "Re-work"],
};

function creditValue(e) {
  if (e.kind === "rating") return "★".repeat(Math.round(e.value)) + ` ${e.value}`;
  if (e.kind.endsWith("_deadline")) return e.value >= 1 ? t("✓ 达标", "✓ met") : t("✗ 超时", "✗ missed");
  if (e.kind.endsWith("_missed")) return t("✗ 超时", "✗ missed");
  return t("计入投诉", "counts as a complaint");
}

export const COMPANY_STATUS = { not_applied: ["未申请", "Not applied"], pending: ["待审核", "Pending"], admitted: ["已准入", "Admitted"], rejected: ["已驳回", "Rejected"], suspended: ["已暂停", "Suspended"], active: ["在岗", "Active"] };
/** The certificates a skill may need (shared/qualifications.py): kind → [zh, en]. */
export const CERTIFICATES = { electrician_low_voltage: ["低压电工作业证", "Low-voltage electrician's certificate"], locksmith_registration: ["开锁备案", "Locksmith registration"] };
export function statusPill(status) {
  const w = COMPANY_STATUS[status];
  return h("span", { class: `pill status-${status}` }, w ? t(w[0], w[1]) : status);
}

/** A company's credit record (GET /credit/companies/{id} or /companies/me/credit): score, terms, history, events. */
export function creditPanel(c) {
  const b = c.breakdown;
  const pct = (v) => `${(v * 100).toFixed(1)}%`;
  const shown = 50;
  const row = (e) => h("tr", {}, h("td", {}, time(e.at)), h("td", {}, CREDIT_KINDS[e.kind] ? t(...CREDIT_KINDS[e.kind]) : e.kind), h("td", {}, creditValue(e)), h("td", {}, e.order_id), h("td", {}, e.note || ""));
  const head = h("thead", {}, h("tr", {}, [t("时间", "When"), t("项目", "What"), t("结果", "Result"), t("订单", "Order"), t("备注", "Note")].map((x) => h("th", { scope: "col" }, x))));
  return h("section", { class: "card credit", id: "credit-record", "aria-labelledby": "credit-title", "data-company": c.company_id },
    h("h2", { id: "credit-title" }, c.name, " ", statusPill(c.status)),
    h("p", { class: "score-line" }, t("信用分 ", "Credit score "), h("strong", { class: "score", id: "credit-score" }, c.credit_score.toFixed(1)),
      h("span", { class: "muted" }, t(` / 100（低于 ${c.threshold} 暂停接单）`, ` / 100 (below ${c.threshold} the company is suspended)`))),
    h("dl", { class: "figures" },
      h("div", {}, h("dt", {}, t("评分（贝叶斯平均）", "Rating (Bayesian average)")), h("dd", {}, `${b.bayesian_rating.toFixed(2)} ★`, h("br"), h("span", { class: "muted" }, t(`${b.ratings} 次评分，平均 ${b.rating_average ?? "—"}`, `${b.ratings} ratings, plain average ${b.rating_average ?? "—"}`)))),
      h("div", {}, h("dt", {}, t("按时率", "Deadlines met")), h("dd", {}, pct(b.deadline_rate), h("br"), h("span", { class: "muted" }, t(`${b.deadlines_met} / ${b.deadline_checks} 次`, `${b.deadlines_met} of ${b.deadline_checks}`)))),
      h("div", {}, h("dt", {}, t("投诉率", "Complaint rate")), h("dd", {}, pct(b.complaint_rate), h("br"), h("span", { class: "muted" }, t(`${b.complaints} 次投诉，${b.orders} 个订单`, `${b.complaints} complaints, ${b.orders} orders`)))),
    ),
    c.history.length ? lineChart({
      id: "credit-history",
      title: t("信用分变化（每天结束时）", "Credit score over time (at the end of each day)"),
      points: c.history.map((p) => ({ day: p.day, value: p.score })),
      threshold: c.threshold,
      thresholdLabel: t(`暂停线 ${c.threshold}`, `suspension line ${c.threshold}`),
    }) : null,
    h("h3", {}, t(`信用事件（${c.events.length} 条，最新的在前）`, `Credit events (${c.events.length}, newest first)`)),
    c.events.length
      ? scrollBox(t("信用事件", "Credit events"), h("table", { class: "credit-events" }, h("caption", { class: "visually-hidden" }, t("信用事件", "Credit events")), head, h("tbody", {}, c.events.slice(0, shown).map(row))),
          c.events.length > shown ? h("details", {}, h("summary", {}, t(`其余 ${c.events.length - shown} 条`, `The other ${c.events.length - shown}`)), h("table", { class: "credit-events" }, head.cloneNode(true), h("tbody", {}, c.events.slice(shown).map(row)))) : null)
      : h("p", {}, t("还没有信用事件：新公司的分数保持中性 50 分，直到第一个订单结束。", "No credit events yet: a new company keeps the neutral 50 until its first order ends.")),
  );
}

/** Technicians a supervisor may dispatch to: the admitted ones (GET /vetting); the API checks the choice again. */
export async function technicianChoices(category) {
  try {
    return ableFirst((await apiAll("/vetting?kind=technician&status=active")).technicians, category);
  } catch {
    return [];
  }
}

/** Those who may do the category (the skill, not suspended for an expired certificate) first. */
export function ableFirst(technicians, category) {
  if (!category) return technicians;
  const able = (p) => p.skills.includes(category) && !p.suspended_skills.includes(category);
  return [...technicians.filter(able), ...technicians.filter((p) => !able(p))];
}

export function dispatchForm(orderId, technicians, onDone, attempt) {
  const inputId = `tech-${orderId}`;
  const control = technicians.length
    ? h("select", { id: inputId, class: "dispatch-tech" }, technicians.map((p) => h("option", { value: p.user_id }, `${p.name} (${p.user_id}${p.company_id ? ` · ${p.company_id}` : ""})`)))
    : h("input", { id: inputId, class: "dispatch-tech", type: "text" });
  return h("form", { class: "row dispatch", onsubmit: async (e) => {
    e.preventDefault();
    const button = e.currentTarget.querySelector("button");
    await attempt(button, async () => {
      await api("POST", `/orders/${orderId}/dispatch`, { technician_id: document.getElementById(inputId).value });
      await onDone();
    });
  } },
    h("label", { for: inputId }, t("派给", "Dispatch to")), control, h("button", { type: "submit" }, t("派单", "Dispatch")),
  );
}
