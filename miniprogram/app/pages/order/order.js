// One order: the status in plain words (kept current by the live updates), the extra charges line by line
// (同意 / 不同意 each; nothing is sent until every line is decided → POST /orders/{id}/approval), five big stars
// (POST /orders/{id}/rating), the door code, the technician with today's credential check, the bill, the
// progress, cancel while allowed, and 提醒我 to ask again for the next one-time subscription messages.
// A subscription message's `page` opens this page: pages/order/order?id=<order id>.
const { api, ApiError } = require("../../lib/api.js");
const { requireSignIn } = require("../../lib/auth.js");
const { lang, t, words, pick } = require("../../lib/i18n.js");
const live = require("../../lib/live.js");
const subscribe = require("../../lib/subscribe.js");
const { CANCELLABLE, typeName, categoryName, statusName, money, time } = require("../../lib/words.js");

const WORDS = {
  loading: ["正在加载…", "Loading…"],
  extra_title: ["师傅提出的额外项目", "Extra work the technician proposes"],
  extra_intro: ["报价以外的项目，您同意了才做、才收费。请一项一项决定。", "Work beyond the quote is done and charged only if you agree. Decide each line."],
  tech_says: ["师傅说：", "The technician says: "],
  agree: ["同意", "Agree"],
  disagree: ["不同意", "Do not agree"],
  send_decisions: ["提交我的决定", "Send my decisions"],
  rate_title: ["请给这次维修打分", "Please rate this repair"],
  stars: ["星级", "Stars"],
  star_unit: ["星", "stars"],
  comment: ["想说的话（可以不写）", "A comment (optional)"],
  send_rating: ["提交评价", "Send my rating"],
  code_title: ["上门核对码", "Door code"],
  code_help: ["师傅到门口时，请他说出这个号码。号码对上再开门。", "When the technician comes, ask him to say this number. Open the door only if it matches."],
  tech_title: ["上门师傅", "Your technician"],
  bill_title: ["账单", "The bill"],
  what_title: ["您报的问题", "What you reported"],
  where: ["位置：", "Where: "],
  when: ["时间：", "Time: "],
  progress: ["进展", "Progress"],
  remind: ["微信提醒我下一步", "Remind me in WeChat"],
  cancel: ["取消订单", "Cancel the order"],
};
const OPEN = ["submitted", "matching", "offered", "assigned", "en_route", "on_site", "awaiting_approval", "escalated"];

function credentials(c, atTheDoor) {
  if (!c) return { ok: true, check: "" };
  if (c.ok) return { ok: true, check: atTheDoor ? t("✓ 今天资质齐全，可以放心开门", "✓ All valid today: you can open the door") : t("✓ 今天资质齐全", "✓ All valid today") };
  return { ok: false, check: atTheDoor ? t("✗ 资质今天没有通过核验：请先不要开门，给社区打电话", "✗ Not valid today: do not open the door yet; call the community office") : t("✗ 资质今天没有通过核验", "✗ Not valid today") };
}

/** Five star buttons: the first `n` filled. */
const stars = (n) => ({ stars: n, starList: [1, 2, 3, 4, 5].map((i) => ({ n: i, glyph: i <= n ? "★" : "☆", pressed: i === n })) });

Component({
  data: { w: {}, lang: "zh-CN", o: null, error: "", busy: false, stars: 0, starList: [], comment: "" },
  methods: {
    onLoad(query) {
      this.orderId = query && query.id;
      this.decisions = {};
      this.setData({ w: words(WORDS), lang: lang() === "en" ? "en" : "zh-CN", ...stars(0) });
      this.signedIn = requireSignIn(`/pages/order/order?id=${this.orderId}`);
    },

    onShow() {
      if (!this.orderId || !this.signedIn) return undefined;
      if (!this.stop) this.stop = live.follow((message) => (!message || !message.order_id || message.order_id === this.orderId) && this.refresh());
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
        this.order = await api.get(`/orders/${this.orderId}`);
        this.paint();
      } catch (err) {
        this.setData({ error: err.words });
      }
    },

    paint() {
      const o = this.order;
      const isOwner = o.resident_id ? o.resident_id === this.userId : Boolean(o.timeline && o.timeline.length && o.timeline[0].actor === this.userId);
      const placedIt = isOwner || o.placed_by === this.userId;
      const free = o.quote && o.quote.free_service;
      const extra = o.status === "awaiting_approval" ? (o.extra_lines || []) : [];
      this.setData({
        o: {
          title: `${typeName(o.type)} · ${categoryName(o.category)}`,
          placedBy: o.placed_by_name && o.placed_by !== this.userId ? t(`由 ${o.placed_by_name} 代为下单`, `Placed for you by ${o.placed_by_name}`) : !isOwner && o.placed_by === this.userId ? t("这是您替家人下的单", "You placed this order for a family member") : "",
          status: pick(o.status_text) || statusName(o.status),
          extra: extra.map((l) => ({
            line_id: l.line_id,
            name: pick(l, "name", "name_en"),
            reason: l.reason || "",
            price: `${t("市场价 ", "Market price ")}${money(l.amount)}${free ? t("（试点期间免费）", " (free during the pilot)") : ""}${l.cap !== undefined ? t(`，上限 ${l.cap} 元`, `, cap CNY ${l.cap}`) : ""}`,
            decision: this.decisions[l.line_id] || "",
          })),
          canRate: o.status === "completed" && isOwner && !o.rating_stars,
          ratedWords: o.rating_stars ? `${t("您的评价：", "Your rating: ")}${"★".repeat(o.rating_stars)}` : "",
          code: o.order_code && OPEN.includes(o.status) ? o.order_code : "",
          tech: o.technician ? { name: o.technician.name, company: o.technician.company_name || "", ...credentials(o.technician.credentials, ["assigned", "en_route", "on_site"].includes(o.status)) } : null,
          bill: (o.bill || []).map((l) => `${pick(l, "name", "name_en")}（${t("市场价", "market price")} ${money(l.amount)}）`),
          total: `${t("您需要支付：", "You pay: ")}${free ? t("0 元（试点免费）", "CNY 0 (free in the pilot)") : money(o.bill_total)}`,
          description: o.description || "",
          address: pick(o, "address_label", "address_label_en"),
          place: o.place || "",
          slot: o.slot ? `${time(o.slot.start)}–${time(o.slot.end, false)}` : "",
          timeline: (o.timeline || []).map((e) => `${time(e.at)}  ${statusName(e.status)}`),
          remind: subscribe.templatesFor(o.type, o.status).length > 0,
          canCancel: placedIt && CANCELLABLE.includes(o.status),
        },
      });
    },

    decide(e) {
      const { line, decision } = e.currentTarget.dataset;
      this.decisions[line] = decision;
      this.setData({ error: "" });
      this.paint();
    },

    /** One decision per extra line, all of them, in one call: POST /orders/{id}/approval {lines}. */
    async sendDecisions() {
      const lines = (this.order.extra_lines || []).map((l) => ({ line_id: l.line_id, decision: this.decisions[l.line_id] }));
      if (lines.some((l) => !l.decision)) {
        return this.setData({ error: t("请对每一项选择“同意”或“不同意”", "Please choose Agree or Do not agree for every line.") });
      }
      return this.act(() => api.post(`/orders/${this.orderId}/approval`, { lines }));
    },

    chooseStars(e) {
      this.setData({ error: "", ...stars(Number(e.currentTarget.dataset.stars)) });
    },

    onComment(e) {
      this.setData({ comment: e.detail.value });
    },

    async sendRating() {
      if (!this.data.stars) return this.setData({ error: t("请点星星打分", "Please press a star.") });
      return this.act(() => api.post(`/orders/${this.orderId}/rating`, { stars: this.data.stars, comment: this.data.comment }));
    },

    /** Ask again for the next messages of this order (each consent allows one message). */
    async remindMe() {
      const consents = await subscribe.ask(subscribe.templatesFor(this.order.type, this.order.status));
      const saved = await subscribe.record(consents);
      if (saved && consents.accepted.length) wx.showToast({ title: t("好的，会提醒您", "We will remind you"), icon: "none" });
    },

    cancel() {
      wx.showModal({
        title: t("取消订单", "Cancel the order"),
        content: t("确定要取消这个订单吗？", "Cancel this order?"),
        confirmText: t("取消订单", "Cancel it"),
        cancelText: t("不取消", "Keep it"),
        success: (res) => res.confirm && this.act(() => api.post(`/orders/${this.orderId}/cancel`, {})),
      });
    },

    async act(call) {
      this.setData({ busy: true, error: "" });
      try {
        await call();
        await this.refresh();
      } catch (err) {
        this.setData({ error: err instanceof ApiError ? err.words : t("出了点问题，请稍后再试", "Something went wrong; please try again.") });
      }
      this.setData({ busy: false });
    },
  },
});
