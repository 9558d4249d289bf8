// Pieces shared by the staff apps (supervisor console, company back office).
import { api, h, pick, seconds, t, time, typeName, categoryName } from "/app/shared/core.js";

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
  return h("div", { class: "table-wrap" }, h("table", { class: "orders" },
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
    h("ol", { class: "timeline" }, o.timeline.map((e) => h("li", {}, h("strong", {}, time(e.at)), ` ${e.status} · ${e.actor}`, e.note ? ` · ${e.note}` : ""))),
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
    h("div", { class: "table-wrap" }, h("table", { class: "history" },
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

/** Technicians to dispatch to. The sandbox lists its demo staff; elsewhere the id is typed in. */
export async function technicianChoices(companyId) {
  try {
    const personas = (await api("GET", "/dev/personas")).personas;
    return personas.filter((p) => p.role === "technician" && (!companyId || p.company_id === companyId));
  } catch {
    return [];
  }
}

export function dispatchForm(orderId, technicians, onDone, attempt) {
  const inputId = `tech-${orderId}`;
  const control = technicians.length
    ? h("select", { id: inputId, class: "dispatch-tech" }, technicians.map((p) => h("option", { value: p.user_id }, `${p.name} (${p.user_id})`)))
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
