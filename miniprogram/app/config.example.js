// The mini-program's configuration: the only place with the API's address and the subscription templates.
// `npm run configure` (scripts/configure.js) writes app/config.js from this file and the environment
// (LINLI_MP_API_BASE_URL, LINLI_MP_PUSH_URL, LINLI_MP_TEMPLATE_<KIND>); app/config.js is not committed.
module.exports = {
  // The HTTP API (the stack's ApiUrl output in AWS; the sandbox `make run` on this machine by default).
  // WeChat calls only https addresses listed as the AppID's request domains; the developer tools can skip
  // that check for the sandbox (详情 → 本地设置 → 不校验合法域名).
  API_BASE_URL: "http://127.0.0.1:8080",
  // The web-push WebSocket (the stack's PushUrl output); "" = <API_BASE_URL with ws(s)>/live, as in the sandbox.
  PUSH_URL: "",
  // The sandbox only: a demo code (e.g. "wx-demo:res_wang", 王奶奶) sent instead of wx.login's, which the sandbox's
  // fake WeChat server does not know. configure.js writes it only for an API on 127.0.0.1 or localhost.
  DEV_LOGIN_CODE: "",
  // One-time subscription templates (公众平台 → 订阅消息), one id per kind of message; "" = not asked for.
  TEMPLATES: {
    order_accepted: "", // 接单通知: the technician's name and arrival window
    technician_en_route: "", // 师傅出发通知
    extra_charge: "", // 待确认费用通知: extra charges waiting for approval
    repair_done: "", // 维修完成通知, with the amount
    rating_reminder: "", // 评价提醒
    public_area_handled: "", // 公区报事处理结果
    escalation: "", // 订单升级 / 监管介入通知
  },
};
