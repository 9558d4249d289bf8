// Charts drawn by our own code as inline SVG: stacked columns, plain columns, horizontal bars, a line.
// Each chart is a <figure> with a caption, an SVG with role="img" and a spoken summary, and the numbers
// as a table under "数据表 / The numbers" (screen readers, and anyone who wants the exact values).
import { h, scrollBox, t } from "/app/shared/core.js";

const NS = "http://www.w3.org/2000/svg";
const INK = "#111111";
const GRID = "#c8ccd2";
const W = 540; // viewBox width; the SVG scales to its container (about 1:1 in a half-width panel)
let serial = 0;

/** An SVG element: s("rect", {x: 1, …}, child…); text children are text, never markup. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A value axis from 0: a round top and 3–6 ticks (whole numbers when the values are counts). */
export function axis(max, { integer = false } = {}) {
  const raw = Math.max(max, integer ? 1 : 1e-9) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw);
  if (integer) step = Math.max(1, Math.round(step));
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const ticks = [];
  for (let v = 0; v <= top + step / 1e6; v += step) ticks.push(Number(v.toFixed(6)));
  return { top, ticks };
}

function fmt(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function figure({ id, title, summary, legend, svg, table, note }) {
  const n = ++serial;
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", `chart-${n}-title chart-${n}-desc`);
  svg.prepend(s("desc", { id: `chart-${n}-desc` }, summary));
  return h("figure", { class: "chart", id },
    h("figcaption", { id: `chart-${n}-title` }, title),
    note ? h("p", { class: "chart-note" }, note) : null,
    svg,
    legend && legend.length ? h("ul", { class: "legend" }, legend.map(([words, colour]) => h("li", {}, h("span", { class: "swatch", style: `background:${colour}`, "aria-hidden": "true" }), words))) : null,
    h("details", {}, h("summary", {}, t("数据表", "The numbers")), table),
  );
}

function dataTable(head, rows) {
  return scrollBox(t("数据表", "The numbers"), h("table", {},
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows.map(([label, ...cells]) => h("tr", {}, h("th", { scope: "row" }, label), cells.map((c) => h("td", {}, c))))),
  ));
}

function valueGrid(svgParts, { left, top, plotW, plotH, ticks, max }) {
  for (const v of ticks) {
    const y = top + plotH - (v / max) * plotH;
    svgParts.push(s("line", { x1: left, x2: left + plotW, y1: y, y2: y, stroke: GRID, "stroke-width": 1 }));
    svgParts.push(s("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 14, fill: INK }, fmt(v)));
  }
}

/**
 * Stacked columns. columns: [{label, short, parts: {series key: value}}]; series: [[key, words, colour]].
 * Each column is a <g data-label data-total> so its numbers can be read back.
 */
export function stackedColumns({ id, title, note, columns, series }) {
  const left = 44, top = 24, plotW = W - left - 12, plotH = 180, height = top + plotH + 36;
  const totals = columns.map((c) => series.reduce((sum, [key]) => sum + (c.parts[key] || 0), 0));
  const { top: max, ticks } = axis(Math.max(0, ...totals), { integer: true });
  const parts = [];
  valueGrid(parts, { left, top, plotW, plotH, ticks, max });
  const step = plotW / Math.max(1, columns.length);
  const barW = Math.max(1, step * 0.8);
  const every = Math.max(1, Math.ceil(columns.length / 8));
  columns.forEach((c, i) => {
    const x = left + i * step + (step - barW) / 2;
    let y = top + plotH;
    const words = series.filter(([key]) => c.parts[key]).map(([key, name]) => `${name} ${c.parts[key]}`).join(", ");
    const g = s("g", { class: "column", "data-label": c.label, "data-total": totals[i] }, s("title", {}, `${c.label}: ${totals[i]}${words ? ` (${words})` : ""}`));
    for (const [key, , colour] of series) {
      const v = c.parts[key] || 0;
      if (!v) continue;
      const hgt = (v / max) * plotH;
      y -= hgt;
      g.append(s("rect", { x, y, width: barW, height: hgt, fill: colour, "data-series": key, "data-value": v }));
    }
    if (columns.length <= 16 && totals[i]) g.append(s("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", "font-size": 14, fill: INK, class: "total" }, totals[i]));
    parts.push(g);
    if (i % every === 0 || i === columns.length - 1) {
      parts.push(s("text", { x: left + i * step + step / 2, y: top + plotH + 18, "text-anchor": "middle", "font-size": 14, fill: INK }, c.short || c.label));
    }
  });
  parts.push(s("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, stroke: INK, "stroke-width": 1.5 }));
  const sum = totals.reduce((a, b) => a + b, 0);
  return figure({
    id, title, note,
    summary: t(`共 ${sum}，${columns.length} 列，最多的一列 ${Math.max(0, ...totals)}`, `${sum} in all over ${columns.length} columns; the highest ${Math.max(0, ...totals)}`),
    legend: series.map(([, words, colour]) => [words, colour]),
    svg: s("svg", { viewBox: `0 0 ${W} ${height}`, width: "100%", preserveAspectRatio: "xMidYMid meet" }, parts),
    table: dataTable([t("日期", "Date"), ...series.map(([, words]) => words), t("合计", "Total")],
      columns.map((c, i) => [c, totals[i]]).filter(([, total]) => total).map(([c, total]) => [c.label, ...series.map(([key]) => String(c.parts[key] || 0)), String(total)])),
  });
}

/** Plain columns (a histogram): [{label, value}], the value written above each column. */
export function columnsChart({ id, title, note, columns, colour = "#0b3d91", marks = [] }) {
  const left = 44, top = marks.length ? 40 : 24, plotW = W - left - 12, plotH = 170, height = top + plotH + 40;
  const { top: max, ticks } = axis(Math.max(0, ...columns.map((c) => c.value)), { integer: true });
  const parts = [];
  valueGrid(parts, { left, top, plotW, plotH, ticks, max });
  const step = plotW / Math.max(1, columns.length);
  const barW = step * 0.7;
  columns.forEach((c, i) => {
    const x = left + i * step + (step - barW) / 2;
    const hgt = (c.value / max) * plotH;
    parts.push(s("g", { class: "column", "data-label": c.label, "data-total": c.value },
      s("title", {}, `${c.label}: ${c.value}`),
      s("rect", { x, y: top + plotH - hgt, width: barW, height: hgt, fill: colour }),
      s("text", { x: x + barW / 2, y: top + plotH - hgt - 4, "text-anchor": "middle", "font-size": 14, fill: INK, class: "total" }, c.value)));
    parts.push(s("text", { x: x + barW / 2, y: top + plotH + 18, "text-anchor": "middle", "font-size": 14, fill: INK }, c.label));
  });
  for (const m of marks) {
    // A vertical marker at a fractional column position (e.g. the median falls in column 2.4).
    const x = left + m.at * step;
    parts.push(s("line", { x1: x, x2: x, y1: 20, y2: top + plotH, stroke: m.colour || INK, "stroke-width": 2, "stroke-dasharray": "5 4" }));
    parts.push(s("text", { x: x + 4, y: 16, "font-size": 14, fill: m.colour || INK }, m.label)); // above the columns' own labels
  }
  parts.push(s("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, stroke: INK, "stroke-width": 1.5 }));
  return figure({
    id, title, note,
    summary: columns.map((c) => `${c.label}: ${c.value}`).join("; "),
    svg: s("svg", { viewBox: `0 0 ${W} ${height}`, width: "100%", preserveAspectRatio: "xMidYMid meet" }, parts),
    table: dataTable([t("区间", "Range"), t("数量", "Count")], columns.map((c) => [c.label, String(c.value)])),
  });
}

/** Horizontal bars: [{label, value, text}] on a 0..max scale; `text` is written after each bar. */
export function barsChart({ id, title, note, rows, max, colour = "#0b3d91", head }) {
  const left = 200, rowH = 34, top = 8, plotW = W - left - 170;
  const height = top + rows.length * rowH + 8;
  const scale = max || Math.max(1, ...rows.map((r) => r.value || 0));
  const parts = rows.map((r, i) => {
    const y = top + i * rowH;
    const w = ((r.value || 0) / scale) * plotW;
    return s("g", { class: "bar-row", "data-label": r.label, "data-value": r.value ?? "" },
      s("title", {}, `${r.label}: ${r.text}`),
      s("text", { x: left - 8, y: y + 21, "text-anchor": "end", "font-size": 15, fill: INK }, r.label.length > 12 ? `${r.label.slice(0, 11)}…` : r.label),
      s("rect", { x: left, y: y + 6, width: plotW, height: 22, fill: "#f1f3f6" }),
      s("rect", { x: left, y: y + 6, width: Math.max(0, w), height: 22, fill: colour }),
      s("text", { x: left + plotW + 8, y: y + 22, "font-size": 16, fill: INK, class: "value" }, r.text));
  });
  return figure({
    id, title, note,
    summary: rows.map((r) => `${r.label}: ${r.text}`).join("; "),
    svg: s("svg", { viewBox: `0 0 ${W} ${height}`, width: "100%", preserveAspectRatio: "xMidYMid meet" }, parts),
    table: dataTable(head || [t("名称", "Name"), t("数值", "Value")], rows.map((r) => [r.label, r.text])),
  });
}

/** A line over time: points [{day: "YYYY-MM-DD", value}], y from 0 to `max`, optional dashed threshold. */
export function lineChart({ id, title, note, points, max = 100, threshold, thresholdLabel }) {
  const left = 44, top = 20, plotW = W - left - 20, plotH = 170, height = top + plotH + 36;
  const { top: yMax, ticks } = axis(max);
  const parts = [];
  valueGrid(parts, { left, top, plotW, plotH, ticks, max: yMax });
  const times = points.map((p) => Date.parse(`${p.day}T00:00:00+08:00`));
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const x = (ms) => (t1 === t0 ? left + plotW / 2 : left + ((ms - t0) / (t1 - t0)) * plotW);
  const y = (v) => top + plotH - (v / yMax) * plotH;
  if (threshold !== undefined) {
    parts.push(s("line", { x1: left, x2: left + plotW, y1: y(threshold), y2: y(threshold), stroke: "#a4001d", "stroke-width": 2, "stroke-dasharray": "6 4" }));
    parts.push(s("text", { x: left + plotW, y: y(threshold) - 6, "text-anchor": "end", "font-size": 14, fill: "#a4001d" }, thresholdLabel || fmt(threshold)));
  }
  if (points.length) {
    parts.push(s("polyline", { points: points.map((p, i) => `${x(times[i]).toFixed(1)},${y(p.value).toFixed(1)}`).join(" "), fill: "none", stroke: "#0b3d91", "stroke-width": 2.5 }));
    points.forEach((p, i) => parts.push(s("circle", { cx: x(times[i]), cy: y(p.value), r: points.length > 60 ? 1.5 : 3.5, fill: "#0b3d91", "data-day": p.day, "data-value": p.value }, s("title", {}, `${p.day}: ${fmt(p.value)}`))));
    const last = points[points.length - 1];
    parts.push(s("text", { x: x(times[times.length - 1]) - 6, y: y(last.value) - 10, "text-anchor": "end", "font-size": 16, "font-weight": 700, fill: INK, class: "last" }, fmt(last.value)));
    parts.push(s("text", { x: left, y: top + plotH + 18, "font-size": 14, fill: INK }, points[0].day));
    if (points.length > 1) parts.push(s("text", { x: left + plotW, y: top + plotH + 18, "text-anchor": "end", "font-size": 14, fill: INK }, last.day));
  }
  parts.push(s("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, stroke: INK, "stroke-width": 1.5 }));
  const first = points[0], last = points[points.length - 1];
  return figure({
    id, title, note,
    summary: points.length ? t(`${first.day} ${fmt(first.value)} → ${last.day} ${fmt(last.value)}，共 ${points.length} 个点`, `${first.day} ${fmt(first.value)} → ${last.day} ${fmt(last.value)}, ${points.length} points`) : t("还没有数据", "No data yet"),
    svg: s("svg", { viewBox: `0 0 ${W} ${height}`, width: "100%", preserveAspectRatio: "xMidYMid meet" }, parts),
    table: dataTable([t("日期", "Date"), t("数值", "Value")], [...points].reverse().map((p) => [p.day, fmt(p.value)])),
  });
}
