// Family: whom I act for (不再代办), who acts for me (取消代办), and linking to act for a resident: her number and
// what you are to her → POST /proxy-requests (she gets a code by SMS: telling it is her consent), then the code →
// POST /proxy-requests/{id}/confirm. Each ending asks for confirmation first.
const { api, ApiError } = require("../../lib/api.js");
const { requireSignIn } = require("../../lib/auth.js");
const { lang, t, words, pick } = require("../../lib/i18n.js");

const RELATIONS = [["儿子", "son"], ["女儿", "daughter"], ["其他家人", "family member"], ["社区工作者", "community worker"]];
const WORDS = {
  title: ["家人代办", "Family"],
  intro: ["家人或社区工作者经老人同意后，可以替老人报修下单、查看订单、同意额外费用。", "With the resident's consent, a family member or community worker can order repairs for them, follow the orders and agree to extra charges."],
  acting_title: ["我为谁代办", "People I act for"],
  acting_none: ["您还没有为别人代办。", "You do not act for anyone yet."],
  stop: ["不再代办", "Stop acting for them"],
  proxies_title: ["谁为我代办", "Who acts for me"],
  proxies_none: ["现在没有人为您代办。", "Nobody acts for you now."],
  revoke: ["取消代办", "Revoke"],
  link_title: ["为家人代办", "Act for a family member"],
  phone_label: ["1. 老人的手机号", "1. The resident's mobile number"],
  relation_label: ["2. 您是老人的", "2. You are their"],
  consent_note: ["老人会收到一条带验证码的短信。老人把验证码告诉您，就是同意。", "The resident gets a text with a code. Telling you the code is their consent."],
  send_code: ["发送验证码", "Send the code"],
  code_label: ["3. 老人告诉您的 6 位验证码", "3. The 6-digit code the resident tells you"],
  confirm: ["确认", "Confirm"],
  again: ["重新输入手机号", "Enter the number again"],
};

Component({
  data: { w: {}, lang: "zh-CN", actingFor: [], proxies: [], relations: [], relation: 0, step: "phone", phone: "", code: "", sentWords: "", done: "", error: "", busy: false },
  methods: {
    onShow() {
      if (!requireSignIn("/pages/family/family")) return undefined;
      this.setData({ w: words(WORDS), lang: lang() === "en" ? "en" : "zh-CN", relations: RELATIONS.map(([zh, en]) => t(zh, en)) });
      return this.load();
    },

    async load() {
      try {
        const links = await api.get("/me/proxies");
        this.setData({
          actingFor: links.acting_for.map((p) => ({ resident_id: p.resident_id, resident_name: p.resident_name, relation: t(p.relation, p.relation_en || p.relation) })),
          proxies: links.proxies.map((p) => ({ proxy_id: p.proxy_id, proxy_name: p.proxy_name, relation: t(p.relation, p.relation_en || p.relation) })),
        });
      } catch (err) {
        this.setData({ error: err.words });
      }
    },

    confirmThen(question, path) {
      wx.showModal({
        content: question,
        confirmText: t("确定", "Yes"),
        cancelText: t("再想想", "No"),
        success: (res) => res.confirm && this.act(async () => {
          await api.del(path);
          await this.load();
        }),
      });
    },

    stopActing(e) {
      const { id, name } = e.currentTarget.dataset;
      this.confirmThen(t(`确定不再为${name}代办吗？`, `Stop acting for ${name}?`), `/me/acting-for/${id}`);
    },

    revoke(e) {
      const { id, name } = e.currentTarget.dataset;
      this.confirmThen(t(`确定取消${name}的代办吗？`, `End ${name}'s right to act for you?`), `/me/proxies/${id}`);
    },

    onPhone(e) {
      this.setData({ phone: e.detail.value });
    },

    onCode(e) {
      this.setData({ code: e.detail.value });
    },

    chooseRelation(e) {
      this.setData({ relation: Number(e.currentTarget.dataset.index) });
    },

    sendCode() {
      const phone = this.data.phone.trim();
      if (!phone) return this.setData({ error: t("请输入老人的手机号", "Please enter the resident's mobile number.") });
      const [relation, relationEn] = RELATIONS[this.data.relation];
      return this.act(async () => {
        this.request = await api.post("/proxy-requests", { phone, relation, relation_en: relationEn });
        this.setData({ step: "code", done: "", sentWords: pick(this.request, "message_zh", "message_en") });
      });
    },

    confirmCode() {
      return this.act(async () => {
        try {
          const link = await api.post(`/proxy-requests/${this.request.request_id}/confirm`, { code: this.data.code.trim() });
          this.setData({ step: "phone", phone: "", code: "", done: t(`✓ 现在您可以为${link.resident_name}代办了`, `✓ You now act for ${link.resident_name}`) });
          await this.load();
        } catch (err) {
          if (err instanceof ApiError && ["request_expired", "too_many_attempts"].includes(err.code)) this.setData({ step: "phone", code: "" });
          throw err;
        }
      });
    },

    again() {
      this.setData({ step: "phone", code: "", error: "" });
    },

    async act(call) {
      this.setData({ busy: true, error: "" });
      try {
        await call();
      } catch (err) {
        this.setData({ error: err instanceof ApiError ? err.words : t("出了点问题，请稍后再试", "Something went wrong; please try again.") });
      }
      this.setData({ busy: false });
    },
  },
});
