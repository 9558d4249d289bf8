// One-time subscription messages: each consent from wx.requestSubscribeMessage allows one message of that
// template. The templates asked depend on what the order will tell next; the platform records the consents
// (POST /me/wechat/subscriptions {template_ids, accepted}). WeChat opens the dialog only from a tap, with at
// most three templates at a time.
const { settings } = require("./settings.js");
const { api } = require("./api.js");

const MAX_PER_REQUEST = 3;

/** The message kinds an order will send next, most important first, by its type and status. */
function nextKinds(type, status) {
  if (type === "public_area") {
    if (["completed", "rated", "closed", "cancelled"].includes(status)) return [];
    return ["order_accepted", "public_area_handled", "escalation"];
  }
  switch (status || "submitted") {
    case "submitted":
    case "matching":
    case "offered":
      return ["order_accepted", "technician_en_route", "repair_done"];
    case "escalated":
      return ["escalation", "order_accepted", "repair_done"];
    case "assigned":
      return ["technician_en_route", "extra_charge", "repair_done"];
    case "en_route":
    case "on_site":
      return ["extra_charge", "repair_done", "rating_reminder"];
    case "awaiting_approval":
      return ["repair_done", "rating_reminder"];
    case "completed":
      return ["rating_reminder"];
    default:
      return [];
  }
}

/** The configured template ids of those kinds (kinds without a template are skipped), at most three. */
function templatesFor(type, status) {
  const templates = settings().templates;
  const ids = nextKinds(type, status).map((kind) => templates[kind]).filter(Boolean);
  return [...new Set(ids)].slice(0, MAX_PER_REQUEST);
}

/** Opens WeChat's dialog for `tmplIds` (must run inside a tap) → the ids the resident accepted; never rejects. */
function ask(tmplIds) {
  return new Promise((resolve) => {
    if (!tmplIds.length || typeof wx.requestSubscribeMessage !== "function") return resolve({ asked: [], accepted: [] });
    wx.requestSubscribeMessage({
      tmplIds,
      success: (res) => resolve({ asked: tmplIds, accepted: tmplIds.filter((id) => res[id] === "accept") }),
      fail: () => resolve({ asked: [], accepted: [] }), // closed, refused in settings, or no tap: nothing to record
    });
  });
}

/** Tells the platform what was asked and accepted; a failure is not the resident's problem (false). */
async function record({ asked, accepted }) {
  if (!asked.length) return false;
  try {
    await api.post("/me/wechat/subscriptions", { template_ids: asked, accepted });
    return true;
  } catch (err) {
    return false;
  }
}

module.exports = { nextKinds, templatesFor, ask, record, MAX_PER_REQUEST };
