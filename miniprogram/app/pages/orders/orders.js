// My orders, each with its status in plain words, kept current by the live updates (lib/live.js): refreshed on
// each message and reconnection, polled every 30 s only while the socket is down. A family proxy also sees the
// orders of the residents they act for (GET /orders includes them).
const { api } = require("../../lib/api.js");
const { requireSignIn } = require("../../lib/auth.js");
const { lang, words, pick } = require("../../lib/i18n.js");
const live = require("../../lib/live.js");
const { typeName, categoryName, statusName, time } = require("../../lib/words.js");

const WORDS = {
  title: ["我的订单", "My orders"],
  loading: ["正在加载…", "Loading…"],
  none: ["还没有订单。", "No orders yet."],
  family: ["家人的订单", "My family's orders"],
};

const row = (o) => ({
  order_id: o.order_id,
  title: `${typeName(o.type)} · ${categoryName(o.category)}`,
  status: pick(o.status_text) || statusName(o.status),
  description: o.description || "",
  created: time(o.created_at),
});

Component({
  data: { w: {}, lang: "zh-CN", own: [], family: [], loading: true, error: "" },
  methods: {
    onShow() {
      if (!requireSignIn("/pages/orders/orders")) return undefined;
      this.setData({ w: words(WORDS), lang: lang() === "en" ? "en" : "zh-CN" });
      if (!this.stop) this.stop = live.follow(() => this.refresh());
      return this.refresh();
    },

    onHide() {
      if (this.stop) this.stop();
      this.stop = null;
    },

    onUnload() {
      this.onHide();
    },

    async refresh() {
      try {
        if (!this.userId) this.userId = (await api.get("/me")).user_id;
        const { orders } = await api.get("/orders");
        const mine = (o) => !o.resident_id || o.resident_id === this.userId;
        this.setData({ loading: false, error: "", own: orders.filter(mine).map(row), family: orders.filter((o) => !mine(o)).map(row) });
      } catch (err) {
        this.setData({ loading: false, error: err.words });
      }
    },

    open(e) {
      wx.navigateTo({ url: `/pages/order/order?id=${e.currentTarget.dataset.id}` });
    },
  },
});
