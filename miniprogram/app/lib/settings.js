// The configuration (app/config.js, written by `npm run configure`), read when first needed.
let cached = null;

function settings() {
  if (!cached) {
    const config = require("../config.js");
    cached = {
      apiBase: String(config.API_BASE_URL || "").replace(/\/+$/, ""),
      pushUrl: config.PUSH_URL || "",
      templates: config.TEMPLATES || {},
      devLoginCode: config.DEV_LOGIN_CODE || "",
    };
  }
  return cached;
}

module.exports = { settings };
