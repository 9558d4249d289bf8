module.exports = {
  API_BASE_URL: process.env.LINLI_SANDBOX_URL,
  PUSH_URL: "",
  DEV_LOGIN_CODE: "",
  TEMPLATES: { order_accepted: "tmpl-accepted", technician_en_route: "tmpl-en-route", repair_done: "tmpl-done" },
};
