// Home: exactly three big menus (服务预约 / 公区报事 / 应急维修), then my orders and family as plain links.
const { api } = require("../../lib/api.js");
const { requireSignIn, signOut } = require("../../lib/auth.js");
const { lang, setLang, t, words } = require("../../lib/i18n.js");
const { ACTIVE } = require("../../lib/words.js");

const MENU = [
  ["booking", "服务预约", "Service booking", "选一个您方便的时间", "Choose a time that suits you"],
  ["public_area", "公区报事", "Public-area report", "楼道、路灯、电梯等公共地方", "Stairwells, street lights, lifts…"],
  ["emergency", "应急维修", "Emergency repair", "马上请师傅上门", "A technician comes now"],
];
const WORDS = {
  ask: ["需要什么帮助？请点下面的大按钮。", "What do you need? Press one of the big buttons."],
  menu: ["主菜单", "Main menu"],
  orders: ["我的订单", "My orders"],
  family: ["家人代办", "Family"],
  other_lang: ["English", "中文"],
  sign_out: ["退出", "Sign out"],
};

Component({
  data: { w: {}, menu: [], greeting: "", activeWords: "", error: "", lang: "zh-CN" },
  methods: {
    onShow() {
      if (!requireSignIn()) return undefined;
      this.paint();
      return this.load();
    },

    paint() {
      this.setData({
        lang: lang() === "en" ? "en" : "zh-CN",
        w: words(WORDS),
        menu: MENU.map(([type, zh, en, subZh, subEn]) => ({ type, title: t(zh, en), sub: t(subZh, subEn) })),
        greeting: this.name ? t(`${this.name}，您好`, `Hello, ${this.name}`) : t("您好", "Hello"),
        activeWords: this.active ? t(`（${this.active} 个进行中）`, ` (${this.active} in progress)`) : "",
      });
    },

    async load() {
      try {
        const me = await api.get("/me");
        this.name = me.name || "";
        const { orders } = await api.get("/orders");
        this.active = orders.filter((o) => ACTIVE.includes(o.status)).length;
        this.setData({ error: "" });
      } catch (err) {
        this.setData({ error: err.words || t("出了点问题，请稍后再试", "Something went wrong; please try again.") });
      }
      this.paint();
    },

    openMenu(e) {
      wx.navigateTo({ url: `/pages/order-new/order-new?type=${e.currentTarget.dataset.type}` });
    },

    openOrders() {
      wx.navigateTo({ url: "/pages/orders/orders" });
    },

    openFamily() {
      wx.navigateTo({ url: "/pages/family/family" });
    },

    switchLang() {
      setLang(lang() === "en" ? "zh" : "en");
      this.paint();
    },

    signOut() {
      return signOut();
    },
  },
});
