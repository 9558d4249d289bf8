module.exports = {
  API_BASE_URL: "https://api.test.example",
  PUSH_URL: "",
  TEMPLATES: {
    order_accepted: "tmpl-accepted",
    technician_en_route: "tmpl-en-route",
    extra_charge: "tmpl-extra",
    repair_done: "tmpl-done",
    rating_reminder: "tmpl-rating",
    public_area_handled: "tmpl-public",
    escalation: "tmpl-escalation",
  },
};
