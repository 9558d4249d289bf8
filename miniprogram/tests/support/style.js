// Reads the WXSS the way the mini-program applies it, for the elderly-size checks: app.wxss then the page's
// own file, the rules whose selector matches a rendered element (tag, classes, attributes, ancestors), the
// most specific and then the last winning; font sizes are inherited. Sizes are converted from rpx at a 375-px
// wide screen (750 rpx = 375 px); a size written max(Nrpx, Xrem) — the minimum, grown with the resident's
// WeChat font size — counts as its rpx minimum.
const fs = require("fs");
const path = require("path");
const { APP } = require("./wx.js");

const SCREEN_PX = 375;
const INHERITED = new Set(["font-size", "color"]);

function parse(text) {
  const rules = [];
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, "");
  const re = /([^{}]+)\{([^{}]*)\}/g;
  let m;
  while ((m = re.exec(clean))) {
    const decls = {};
    for (const part of m[2].split(";")) {
      const i = part.indexOf(":");
      if (i > 0) decls[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    for (const selector of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
      if (selector.includes("::")) continue;
      rules.push({ selector, decls, order: rules.length });
    }
  }
  return rules;
}

function compound(text) {
  const tag = (text.match(/^[a-z][a-z0-9-]*/) || [""])[0];
  const classes = [...text.matchAll(/\.([-_a-zA-Z0-9]+)/g)].map((x) => x[1]);
  const attrs = [...text.matchAll(/\[([-a-z]+)\]/g)].map((x) => x[1]);
  return { tag, classes, attrs, specificity: (tag ? 1 : 0) + 10 * (classes.length + attrs.length) };
}

const specificity = (selector) => selector.split(/\s+/).reduce((sum, part) => sum + compound(part).specificity, 0);

function classesOf(el) {
  return [...el.classList].map((c) => c.replace(/^[a-z-]+--/, "")); // miniprogram-simulate prefixes classes
}

function matchesCompound(c, el) {
  const tag = el.tagName.toLowerCase().replace(/^wx-/, "");
  if (c.tag && c.tag !== tag && !(c.tag === "page" && el === el.ownerDocument.documentElement)) return false;
  const mine = classesOf(el);
  if (!c.classes.every((x) => mine.includes(x))) return false;
  return c.attrs.every((a) => el.hasAttribute(a));
}

function matches(selector, el) {
  const parts = selector.split(/\s+/).map(compound);
  if (!matchesCompound(parts[parts.length - 1], el)) return false;
  let node = el.parentElement;
  for (let i = parts.length - 2; i >= 0; i -= 1) {
    while (node && !matchesCompound(parts[i], node)) node = node.parentElement;
    if (!node) return false;
    node = node.parentElement;
  }
  return true;
}

function sheets(pageName) {
  const files = [path.join(APP, "app.wxss"), path.join(APP, "pages", pageName, `${pageName}.wxss`)];
  return files.flatMap((f) => parse(fs.readFileSync(f, "utf8")).map((r) => ({ ...r, file: f })));
}

/** The declared value of `prop` for a rendered element (inherited ones from its ancestors, then `page`). */
function declared(pageName, el, prop) {
  const rules = sheets(pageName);
  for (let node = el; node; node = INHERITED.has(prop) ? node.parentElement : null) {
    const hits = rules
      .filter((r) => r.decls[prop] !== undefined && matches(r.selector, node))
      .sort((a, b) => specificity(a.selector) - specificity(b.selector) || a.order - b.order);
    if (hits.length) return hits[hits.length - 1].decls[prop];
  }
  if (INHERITED.has(prop)) {
    const page = rules.filter((r) => r.selector === "page" && r.decls[prop] !== undefined);
    if (page.length) return page[page.length - 1].decls[prop];
  }
  return undefined;
}

/** A WXSS length in px at a 375-px-wide screen: "36rpx" → 18; "max(36rpx, 1.125rem)" → 18 (its minimum). */
function px(value) {
  if (value === undefined) return 0;
  const rpx = value.match(/(-?[\d.]+)rpx/);
  if (rpx) return (Number(rpx[1]) * SCREEN_PX) / 750;
  const plain = value.match(/(-?[\d.]+)px/);
  return plain ? Number(plain[1]) : 0;
}

/** Does the size grow with the resident's WeChat font size (a rem term next to the minimum)? */
function followsSystemFont(value) {
  return /^max\(\s*[\d.]+rpx\s*,\s*[\d.]+rem\s*\)$/.test(value || "");
}

function luminance(hex) {
  const h = hex.replace("#", "");
  const full = h.length === 3 ? h.split("").map((c) => c + c).join("") : h;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The background an element's text sits on: its own, else the nearest ancestor's, else the page's. */
function background(pageName, el) {
  for (let node = el; node; node = node.parentElement) {
    const value = declared(pageName, node, "background-color");
    if (value) return value;
  }
  const page = sheets(pageName).filter((r) => r.selector === "page" && r.decls["background-color"]);
  return page[page.length - 1].decls["background-color"];
}

module.exports = { parse, declared, px, followsSystemFont, contrast, background, sheets };
