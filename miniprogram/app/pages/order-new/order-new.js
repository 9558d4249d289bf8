// Ordering in one screen: for whom (when the account acts for someone), the address, the place (public-area
// report), the kind of problem, common problems as buttons (typing optional), the slot (booking), the price
// (POST /quotes), then the order (POST /orders). The same tap asks WeChat for the order's next one-time
// subscription messages (WeChat opens that dialog only from a tap) and the answer goes to the platform.
const { api, ApiError } = require("../../lib/api.js");
const { requireSignIn } = require("../../lib/auth.js");
const { lang, t, words, pick } = require("../../lib/i18n.js");
const subscribe = require("../../lib/subscribe.js");
const { CATEGORIES, PROBLEMS, PLACES, typeName, categoryName, money, time } = require("../../lib/words.js");

const WORDS = {
  emergency_intro: ["师傅会尽快上门。先告诉我们在哪里、什么坏了。", "A technician comes as soon as possible. Tell us where and what is wrong."],
  for_whom: ["为谁下单", "Who is this for"],
  myself: ["我自己", "Myself"],
  no_address: ["还没有保存地址，请联系社区工作人员添加。", "No saved address yet; ask the community office to add one."],
  address: ["地址", "Address"],
  where: ["在哪里", "Where"],
  kind: ["哪一类问题", "What kind of problem"],
  what: ["哪里坏了（点一下就行）", "What is wrong (just press one)"],
  more: ["还想说的话（可以不写）", "Anything else (optional)"],
  when: ["选时间", "Choose a time"],
  slots_loading: ["正在查询可预约的时间…", "Looking for free times…"],
  no_slots: ["最近 7 天没有空闲的师傅，请改天再试或选应急维修。", "No technician is free in the next 7 days; try later or choose emergency repair."],
  see_price: ["下一步：看价格", "Next: see the price"],
  price: ["价格", "Price"],
  consent: ["超出这个价格的项目，必须您同意才能收费。", "Nothing beyond this price is charged without your consent."],
  place: ["确认下单", "Place the order"],
  remind_note: ["下单时微信会问您要不要接收进展提醒，点“允许”就能收到。", "WeChat then asks whether to send you progress messages: press Allow to get them."],
};

const fail = (zh, en) => new ApiError(400, { error: { code: "form_incomplete", message: zh, message_en: en } });

Component({
  data: {
    w: {}, lang: "zh-CN", type: "emergency", title: "", error: "", busy: false,
    people: [], forWhom: "", addresses: [], addressId: "", places: [], place: "", categories: [], category: "",
    problems: [], text: "", slots: [], slotIndex: -1, slotsLoading: false, quote: null,
  },
  methods: {
    onLoad(query) {
      this.type = ["emergency", "booking", "public_area"].includes(query && query.type) ? query.type : "emergency";
      if (!requireSignIn(`/pages/order-new/order-new?type=${this.type}`)) return undefined;
      this.setData({
        w: words(WORDS), lang: lang() === "en" ? "en" : "zh-CN", type: this.type, title: typeName(this.type),
        places: PLACES.map(([zh, en]) => t(zh, en)),
        categories: Object.keys(CATEGORIES).map((key) => ({ key, name: categoryName(key) })),
      });
      wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: typeName(this.type) });
      return this.loadProfile();
    },

    async loadProfile() {
      try {
        this.profile = await api.get("/me");
      } catch (err) {
        return this.setData({ error: err.words });
      }
      const actingFor = this.profile.acting_for || [];
      const own = this.profile.addresses || [];
      const people = [{ id: "", label: t("我自己", "Myself") }].concat(
        actingFor.map((r) => ({ id: r.resident_id, label: t(`${r.name}（${r.relation}）`, `${r.name} (${r.relation_en || r.relation})`) })),
      );
      const forWhom = own.length || !actingFor.length ? "" : actingFor[0].resident_id;
      this.setData({ people: actingFor.length ? people : [] });
      return this.useWhom(forWhom);
    },

    addressesOf(who) {
      if (!who) return this.profile.addresses || [];
      return ((this.profile.acting_for || []).find((r) => r.resident_id === who) || { addresses: [] }).addresses;
    },

    useWhom(who) {
      const addresses = this.addressesOf(who).map((a) => ({ address_id: a.address_id, label: pick(a, "label", "label_en") }));
      this.setData({ forWhom: who, addresses, addressId: addresses.length ? addresses[0].address_id : "", quote: null });
      return this.loadSlots();
    },

    chooseWhom(e) {
      return this.useWhom(e.currentTarget.dataset.id);
    },

    chooseAddress(e) {
      this.setData({ addressId: e.currentTarget.dataset.id, quote: null });
      return this.loadSlots();
    },

    choosePlace(e) {
      const place = e.currentTarget.dataset.place;
      this.setData({ place: this.data.place === place ? "" : place, quote: null });
    },

    chooseCategory(e) {
      const key = e.currentTarget.dataset.key;
      this.setData({ category: key, problems: PROBLEMS[key].map(([zh, en]) => ({ words: t(zh, en), on: false })), quote: null, slotIndex: -1 });
      return this.loadSlots();
    },

    toggleProblem(e) {
      const i = Number(e.currentTarget.dataset.index);
      this.setData({ [`problems[${i}].on`]: !this.data.problems[i].on, quote: null });
    },

    onText(e) {
      this.setData({ text: e.detail.value, quote: null });
    },

    async loadSlots() {
      if (this.type !== "booking" || !this.data.category || !this.data.addressId) return;
      this.setData({ slotsLoading: true, slots: [], slotIndex: -1 });
      const behalf = this.data.forWhom ? `&on_behalf_of=${encodeURIComponent(this.data.forWhom)}` : "";
      try {
        const answer = await api.get(`/slots?category=${encodeURIComponent(this.data.category)}&address_id=${encodeURIComponent(this.data.addressId)}${behalf}`);
        this.slots = answer.slots || [];
        this.setData({ slotsLoading: false, slots: this.slots.map((s) => ({ start: s.start, label: `${time(s.start)}–${time(s.end, false)}` })) });
      } catch (err) {
        this.slots = [];
        this.setData({ slotsLoading: false, error: err.words });
      }
    },

    chooseSlot(e) {
      this.setData({ slotIndex: Number(e.currentTarget.dataset.index), quote: null });
    },

    description() {
      return [...this.data.problems.filter((p) => p.on).map((p) => p.words), this.data.text.trim()].filter(Boolean).join(t("，", "; "));
    },

    /** The body both POST /quotes and POST /orders share; throws in plain words when something is missing. */
    body() {
      const d = this.data;
      if (!d.addressId) throw fail("请先选择地址", "Please choose the address first.");
      if (d.type === "public_area" && !d.place) throw fail("请选择在哪里", "Please choose where it is.");
      if (!d.category) throw fail("请先选择问题类别", "Please choose the kind of problem first.");
      if (!this.description()) throw fail("请点一个常见问题，或写几个字", "Press one of the common problems, or write a few words.");
      if (d.type === "booking" && d.slotIndex < 0) throw fail("请选择时间", "Please choose a time.");
      const body = { category: d.category, description: this.description(), address_id: d.addressId };
      if (d.forWhom) body.on_behalf_of = d.forWhom;
      return body;
    },

    async getQuote() {
      this.setData({ error: "", busy: true });
      try {
        const q = await api.post("/quotes", this.body());
        this.setData({
          busy: false,
          quote: {
            price: q.free_service ? t("免费", "Free") : q.low === q.high ? money(q.low) : `${money(q.low)} – ${money(q.high)}`,
            cap: q.free_service ? "" : t(`最多不超过 ${q.cap} 元`, `Never more than CNY ${q.cap}`),
            note: pick(q, "note_zh", "note_en"),
            items: (q.items || []).map((i) => `${pick(i, "name", "name_en")}${t("：市场参考价 ", ": market price ")}${money(i.typical_price)}`),
          },
        });
      } catch (err) {
        this.setData({ busy: false, error: err.words });
      }
    },

    /** The tap on 确认下单: WeChat's subscription dialog first (only a tap may open it), then the order, then the
     * consents to the platform. The order is placed whatever the answer to the dialog. */
    async placeOrder() {
      let body;
      try {
        body = { type: this.type, ...this.body() };
      } catch (err) {
        return this.setData({ error: err.words });
      }
      if (this.type === "booking") body.slot = { start: this.slots[this.data.slotIndex].start, end: this.slots[this.data.slotIndex].end };
      if (this.type === "public_area") body.place = this.data.place;
      this.setData({ error: "", busy: true });
      const consents = await subscribe.ask(subscribe.templatesFor(this.type, "submitted"));
      let order;
      try {
        order = await api.post("/orders", body);
      } catch (err) {
        return this.setData({ busy: false, error: err.words });
      }
      await subscribe.record(consents);
      this.setData({ busy: false });
      if (this.type === "public_area" && order.timeline && !order.timeline.length) {
        // A neighbour reported the same problem: the API counted a "me too" on that report instead.
        wx.showModal({
          title: t("邻居已经报过了", "Already reported"),
          content: t(`已经替您记上一次“我也遇到”（现在共 ${order.me_too_count} 位邻居）。`, `We added your “me too” (${order.me_too_count} neighbours now).`),
          showCancel: false,
          success: () => wx.navigateBack({}),
        });
        return order;
      }
      wx.redirectTo({ url: `/pages/order/order?id=${order.order_id}` });
      return order;
    },
  },
});
