// Sign-in: wx.login → POST /auth/wechat; a new resident then binds the phone number with WeChat's phone-number
// button (its one-time code → POST /auth/wechat/phone). Native: WeChat allows both only in the mini-program.
const { session } = require("../../lib/api.js");
const { signIn, bindPhone } = require("../../lib/auth.js");
const { lang, setLang, t, words } = require("../../lib/i18n.js");

const WORDS = {
  title: ["邻里 · 上门维修", "Linli · Home repair"],
  intro: ["用微信登录，就能叫师傅上门修东西。", "Sign in with WeChat to ask for a repair at home."],
  sign_in: ["微信登录", "Sign in with WeChat"],
  busy: ["请稍等…", "One moment…"],
  phone_why: ["第一次使用，请告诉我们您的手机号：师傅上门前、订单有变化时，我们用它联系您。", "First time here: please share your mobile number, so we can reach you about your repairs."],
  phone: ["用微信绑定的手机号", "Use my WeChat phone number"],
  phone_note: ["只用来联系您，不会给别人。", "Used only to reach you; never given to anyone else."],
  other_lang: ["English", "中文"],
};
const HOME = "/pages/home/home";

Component({
  data: { w: {}, step: "start", busy: false, error: "", doneWords: "", lang: "zh-CN" },
  methods: {
    onLoad(query) {
      this.next = query && query.next ? decodeURIComponent(query.next) : HOME;
      if (!this.next.startsWith("/pages/")) this.next = HOME; // only a page of this mini-program
      const s = session();
      this.paint({ step: s && s.needs_phone ? "phone" : "start" });
    },

    paint(changes = {}) {
      this.setData({ w: words(WORDS), lang: lang() === "en" ? "en" : "zh-CN", ...changes });
    },

    async signIn() {
      this.setData({ busy: true, error: "" });
      try {
        const { needs_phone } = await signIn();
        if (needs_phone) return this.setData({ step: "phone", busy: false });
        return this.finish();
      } catch (err) {
        return this.setData({ busy: false, error: err.words || t("登录没有成功，请再试一次", "Sign-in did not work; please try again.") });
      }
    },

    async onPhone(e) {
      this.setData({ busy: true, error: "" });
      try {
        const answer = await bindPhone(e.detail);
        return this.finish(answer.phone_masked);
      } catch (err) {
        return this.setData({ busy: false, error: err.words || t("手机号没有绑定成功，请再试一次", "The number was not saved; please try again.") });
      }
    },

    finish(phoneMasked) {
      this.setData({ step: "done", busy: false, doneWords: phoneMasked ? t(`✓ 已绑定手机 ${phoneMasked}`, `✓ Phone ${phoneMasked} saved`) : t("✓ 已登录", "✓ Signed in") });
      wx.reLaunch({ url: this.next || HOME });
    },

    switchLang() {
      setLang(lang() === "en" ? "zh" : "en");
      this.paint();
    },
  },
});
