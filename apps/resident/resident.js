// The resident app: three big buttons, ordering in few steps with a clear quote, following the order
// (plain-words status, door code, technician and today's credentials), extra charges line by line, stars,
// messages, and the compound's public-area board with its big "me too" button.
import {
  ApiError, api, apiAll, attempt, categoryName, clearError, CATEGORIES, h, header, messageList, money, oneByOne, orderPhoto, photoPicker, pick, render, requireRole,
  router, showError, t, time, typeName,
} from "/app/shared/core.js";

const me = requireRole("resident");
const view = () => document.getElementById("view");
let profile = null;

// Common problems as buttons, so typing is optional. The Chinese words match the catalogue's keywords.
const PROBLEMS = {
  electrical: [["灯不亮", "The light does not work"], ["跳闸了", "The power keeps tripping"], ["插座没电", "A socket is dead"], ["开关坏了", "A switch is broken"]],
  plumbing: [["下水道堵了", "The drain is blocked"], ["水龙头滴水", "The tap drips"], ["马桶长流水", "The toilet keeps running"], ["阀门漏水", "A valve leaks"]],
  locks: [["锁坏了", "The lock is broken"], ["锁在门外", "I am locked out"], ["钥匙丢了", "I lost my key"]],
  appliances: [["热水器坏了", "The water heater is broken"], ["洗衣机漏水", "The washing machine leaks"], ["油烟机要清洗", "The range hood needs cleaning"]],
  other: [["门关不上", "The door will not close"], ["安装窗帘杆", "Put up a curtain rod"], ["合页坏了", "A hinge is broken"]],
};
const PLACES = [["楼道", "Stairwell"], ["电梯", "Lift"], ["路灯", "Street light"], ["小区大门", "Compound gate"], ["自行车棚", "Bike shed"]];
const MENU = [
  ["booking", "服务预约", "Service booking", "选一个您方便的时间", "Choose a time that suits you"],
  ["public_area", "公区报事", "Public-area report", "楼道、路灯、电梯等公共地方", "Stairwells, street lights, lifts…"],
  ["emergency", "应急维修", "Emergency repair", "马上请师傅上门", "A technician comes now"],
];
const ACTIVE = ["submitted", "matching", "offered", "assigned", "en_route", "on_site", "awaiting_approval", "escalated", "completed"];
const CANCELLABLE = ["submitted", "matching", "offered", "assigned", "en_route", "escalated"];

/** A price or a range: "85 元" when both ends are the same, "60 元 – 85 元" otherwise. */
function priceRange(low, high) {
  return Number(low) === Number(high) ? money(low) : `${money(low)} – ${money(high)}`;
}

function frame(title) {
  document.title = `${title} · ${t("邻里", "Linli")}`;
  render(document.getElementById("header"), header(t("邻里 · 居民", "Linli · Home repair"), () => start()));
}

async function loadProfile() {
  if (!profile) profile = await api("GET", "/me");
  return profile;
}

// ---------------------------------------------------------------- home
async function home() {
  frame(t("首页", "Home"));
  const here = location.hash;
  let active = 0;
  try {
    await loadProfile();
    active = (await api("GET", "/orders")).orders.filter((o) => ACTIVE.includes(o.status)).length;
  } catch (err) {
    showError(err);
  }
  if (location.hash !== here) return; // the user has moved on
  render(
    view(),
    h("h1", {}, t(`${(profile && profile.name) || me.name}，您好`, `Hello, ${(profile && profile.name) || me.name}`)),
    h("p", {}, t("需要什么帮助？请点下面的大按钮。", "What do you need? Press one of the big buttons.")),
    h(
      "nav",
      { class: "menu-big", "aria-label": t("主菜单", "Main menu") },
      MENU.map(([type, zh, en, szh, sen]) =>
        h("a", { href: `#/new/${type}`, class: type, "data-type": type }, h("span", {}, t(zh, en)), h("span", { class: "sub" }, t(szh, sen))),
      ),
    ),
    h(
      "p",
      { class: "home-links" },
      h("a", { href: "#/orders" }, t("我的订单", "My orders"), active ? t(`（${active} 个进行中）`, ` (${active} in progress)`) : ""),
      h("a", { href: "#/messages" }, t("我的消息", "My messages")),
      h("a", { href: "#/board" }, t("小区公区报事板", "Public-area board")),
      h("a", { href: "#/family", id: "family-link" }, t("家人代办", "Family")),
      h("a", { href: "#/addresses", id: "addresses-link" }, t("我的地址", "My addresses")),
      h("a", { href: "#/companies", id: "companies-link" }, t("物业公司信用", "Companies' credit")),
    ),
  );
}

// ---------------------------------------------------------------- new order
function choiceGroup(name, legend, options, selected, onchange) {
  return h(
    "fieldset",
    {},
    h("legend", {}, legend),
    h(
      "div",
      { class: "choices" },
      options.map(([value, words]) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name, value, checked: value === selected, onchange: () => onchange(value) }),
          h("span", {}, words),
        ),
      ),
    ),
  );
}

async function newOrder(type) {
  frame(typeName(type));
  try {
    await loadProfile();
  } catch (err) {
    return showError(err);
  }
  // An account that acts for someone first says for whom; the addresses are that person's.
  const actingFor = profile.acting_for || [];
  // Only a verified address takes an order (a claim still waiting for the property office does not).
  const verified = (list) => (list || []).filter((a) => (a.status || "verified") === "verified");
  const own = verified(profile.addresses);
  const forWhom = own.length || !actingFor.length ? "" : actingFor[0].resident_id;
  const addressesOf = (who) => (who ? verified((actingFor.find((r) => r.resident_id === who) || { addresses: [] }).addresses) : own);
  let addresses = addressesOf(forWhom);
  const state = { forWhom, type, address_id: addresses.length ? addresses[0].address_id : null, category: null, problems: [], text: "", place: "", slot: null, slots: null, day: null, quote: null, photo: null, uploading: false };

  const paint = () => {
    const parts = [
      h("h1", {}, typeName(type)),
      type === "emergency" ? h("p", {}, t("师傅会尽快上门。先告诉我们在哪里、什么坏了。", "A technician comes as soon as possible. Tell us where and what is wrong.")) : null,
      type === "public_area" ? h("p", { class: "card" }, t("邻居可能已经报过了：", "A neighbour may have reported it already: "), h("a", { href: "#/board" }, t("先看看小区公区报事板", "look at the public-area board first"))) : null,
    ];
    if (actingFor.length) {
      const people = [["", t("我自己", "Myself")], ...actingFor.map((r) => [r.resident_id, t(`${r.name}（${r.relation}）`, `${r.name} (${r.relation_en || r.relation})`)])];
      parts.push(
        h("div", { class: "for-whom" }, choiceGroup("for-whom", t("为谁下单", "Who is this for"), people, state.forWhom, (v) => {
          state.forWhom = v;
          addresses = addressesOf(v);
          state.address_id = addresses.length ? addresses[0].address_id : null;
          state.quote = null;
          state.slots = null;
          paint();
          if (type === "booking" && state.category) loadSlots();
        })),
      );
    }
    if (!addresses.length) {
      parts.push(h("p", { class: "card" }, state.forWhom
        ? t("这位居民还没有保存地址，请联系社区工作人员添加。", "This resident has no saved address yet; ask the community office to add one.")
        : [t("您还没有已核实的地址。", "You have no verified address yet. "), h("a", { href: "#/addresses" }, t("添加或查看我的地址", "Add or see my addresses"))]));
      return render(view(), parts);
    }
    parts.push(
      choiceGroup("address", t("1. 地址", "1. Address"), addresses.map((a) => [a.address_id, pick(a, "label", "label_en")]), state.address_id, (v) => {
        state.address_id = v;
        state.quote = null;
        state.slots = null;
        paint();
        if (type === "booking" && state.category) loadSlots();
      }),
    );
    if (type === "public_area") {
      parts.push(
        h(
          "fieldset",
          {},
          h("legend", {}, t("2. 在哪里", "2. Where")),
          h("div", { class: "choices problems" }, PLACES.map(([zh, en]) => {
            const words = t(zh, en);
            return h("button", { type: "button", "aria-pressed": String(state.place === words), onclick: () => { state.place = state.place === words ? "" : words; state.quote = null; paint(); } }, words);
          })),
        ),
      );
    }
    const step = type === "public_area" ? 3 : 2;
    parts.push(
      choiceGroup("category", t(`${step}. 哪一类问题`, `${step}. What kind of problem`), Object.keys(CATEGORIES).map((c) => [c, categoryName(c)]), state.category, (v) => {
        state.category = v;
        state.problems = [];
        state.quote = null;
        state.slot = null;
        state.slots = null;
        paint();
        if (type === "booking") loadSlots();
      }),
    );
    if (state.category) {
      parts.push(
        h(
          "fieldset",
          {},
          h("legend", {}, t(`${step + 1}. 哪里坏了（点一下就行）`, `${step + 1}. What is wrong (just press one)`)),
          h("div", { class: "choices problems" }, PROBLEMS[state.category].map(([zh, en]) => {
            const words = t(zh, en);
            const on = state.problems.includes(words);
            return h("button", { type: "button", "aria-pressed": String(on), onclick: () => { state.problems = on ? state.problems.filter((p) => p !== words) : [...state.problems, words]; state.quote = null; paint(); } }, words);
          })),
          h("p", {}, h("label", { for: "more" }, t("还想说的话（可以不写）", "Anything else (optional)"))),
          h("textarea", { id: "more", maxlength: "300", oninput: (e) => { state.text = e.target.value; if (state.quote) { state.quote = null; paintQuote(); } } }, state.text),
        ),
      );
    }
    if (type === "booking" && state.category) parts.push(slotPicker(step + 2));
    if (state.category) parts.push(photoStep(type === "booking" ? step + 3 : step + 2));
    parts.push(h("div", { id: "quote-area" }));
    render(view(), parts);
    paintQuote();
  };

  // An optional photo of the fault, uploaded as soon as it is chosen; the order carries its id.
  const photoStep = (n) =>
    h("fieldset", { id: "photo-step" },
      h("legend", {}, t(`${n}. 拍张照片（可以不拍）`, `${n}. A photo of the problem (optional)`)),
      state.photo
        ? [
            h("img", { class: "photo", id: "fault-photo-preview", src: state.photo.preview, alt: t("您选的故障照片", "Your photo of the problem") }),
            h("p", { id: "fault-photo-status", role: "status" }, t("✓ 照片已添加，师傅接单后能看到", "✓ Photo added: the technician sees it once he accepts")),
            h("button", { type: "button", class: "quiet", onclick: () => { state.photo = null; paint(); } }, t("去掉这张照片", "Remove the photo")),
          ]
        : state.uploading
          ? h("p", { role: "status" }, t("正在上传照片…", "Uploading the photo…"))
          : photoPicker({
              id: "fault-photo",
              label: t("拍照或选一张照片（JPEG/PNG，最大 5 MB），师傅能先看到哪里坏了", "Take or choose a photo (JPEG/PNG, at most 5 MB) so the technician sees what is wrong"),
              purpose: "fault",
              onBusy: (busy) => { state.uploading = busy; paint(); },
              onUploaded: (id, preview) => { state.photo = { id, preview }; },
            }),
    );

  const description = () => [...state.problems, state.text.trim()].filter(Boolean).join(t("，", "; "));

  const slotPicker = (step) => {
    const box = h("fieldset", {}, h("legend", {}, t(`${step}. 选时间`, `${step}. Choose a time`)));
    if (state.slots === null) box.append(h("p", {}, t("正在查询可预约的时间…", "Looking for free times…")));
    else if (!state.slots.length) box.append(h("p", {}, t("最近 7 天没有空闲的师傅，请改天再试或选应急维修。", "No technician is free in the next 7 days; try later or choose emergency repair.")));
    else {
      const dayOf = (s) => new Date(s.start).toLocaleDateString(t("zh-CN", "en-GB"), { timeZone: "Asia/Shanghai", weekday: "short", month: "numeric", day: "numeric" });
      const days = [...new Set(state.slots.map(dayOf))];
      if (!state.day || !days.includes(state.day)) state.day = days[0];
      box.append(
        h("p", {}, t("哪一天", "Which day")),
        h("div", { class: "choices" }, days.map((d) => h("label", { class: "choice" }, h("input", { type: "radio", name: "day", value: d, checked: d === state.day, onchange: () => { state.day = d; state.slot = null; paint(); } }), h("span", {}, d)))),
        h("p", {}, t("几点", "What time")),
        h("div", { class: "choices" }, state.slots.filter((s) => dayOf(s) === state.day).map((s) =>
          h("label", { class: "choice" }, h("input", { type: "radio", name: "slot", value: s.start, checked: state.slot && state.slot.start === s.start, onchange: () => { state.slot = { start: s.start, end: s.end }; state.quote = null; paintQuote(); } }), h("span", {}, `${time(s.start, false)}–${time(s.end, false)}`)),
        )),
      );
    }
    return box;
  };

  const loadSlots = async () => {
    try {
      const behalf = state.forWhom ? `&on_behalf_of=${encodeURIComponent(state.forWhom)}` : "";
      const result = await api("GET", `/slots?category=${encodeURIComponent(state.category)}&address_id=${encodeURIComponent(state.address_id)}${behalf}`);
      state.slots = result.slots;
    } catch (err) {
      state.slots = [];
      showError(err);
    }
    paint();
  };

  const getQuote = async (button) => {
    if (!state.category) return showError(new ApiError(400, { error: { message: "请先选择问题类别", message_en: "Please choose the kind of problem first." } }));
    if (!description()) return showError(new ApiError(400, { error: { message: "请点一个常见问题，或写几个字", message_en: "Press one of the common problems, or write a few words." } }));
    if (type === "public_area" && !state.place) return showError(new ApiError(400, { error: { message: "请选择在哪里", message_en: "Please choose where it is." } }));
    if (type === "booking" && !state.slot) return showError(new ApiError(400, { error: { message: "请选择时间", message_en: "Please choose a time." } }));
    await attempt(button, async () => {
      const quoteBody = { category: state.category, description: description(), address_id: state.address_id };
      if (state.forWhom) quoteBody.on_behalf_of = state.forWhom;
      state.quote = await api("POST", "/quotes", quoteBody);
      paintQuote();
      document.getElementById("quote-title").focus();
    });
  };

  const confirm = async (button) => {
    const body = { type, category: state.category, description: description(), address_id: state.address_id };
    if (type === "booking") body.slot = state.slot;
    if (type === "public_area") body.place = state.place;
    if (state.forWhom) body.on_behalf_of = state.forWhom;
    if (state.uploading) return showError(new ApiError(400, { error: { message: "照片还在上传，请稍等", message_en: "The photo is still uploading; please wait." } }));
    if (state.photo) body.photo_ref = state.photo.id;
    await attempt(button, async () => {
      const order = await api("POST", "/orders", body);
      if (type === "public_area" && !order.timeline.length) {
        // A neighbour reported the same problem already: the API counted this as a "me too" on that report.
        boardNotice = { order_id: order.order_id, count: order.me_too_count };
        markMeToo(order.order_id);
        location.hash = "#/board";
        return;
      }
      location.hash = `#/order/${order.order_id}`;
    });
  };

  const paintQuote = () => {
    const area = document.getElementById("quote-area");
    if (!area) return;
    if (!state.quote) {
      return render(area, h("button", { type: "button", class: "primary-action", id: "get-quote", onclick: (e) => getQuote(e.currentTarget) }, t("下一步：看价格", "Next: see the price")));
    }
    const q = state.quote;
    render(
      area,
      h(
        "section",
        { class: "card emph quote", "aria-labelledby": "quote-title" },
        h("h2", { id: "quote-title", tabindex: "-1" }, t("价格", "Price")),
        q.free_service
          ? h("p", {}, h("span", { class: "price" }, t("免费", "Free")), q.funded_by ? h("br") : null, q.funded_by ? t(`由${q.funded_by}出资${q.free_period ? `（至 ${q.free_period.to}）` : ""}`, `Paid for by ${q.funded_by}${q.free_period ? ` (until ${q.free_period.to})` : ""}`) : null)
          : h("p", {}, h("span", { class: "price" }, priceRange(q.low, q.high)), h("br"), t(`最多不超过 ${q.cap} 元`, `Never more than CNY ${q.cap}`)),
        h("p", {}, pick(q, "note_zh", "note_en")),
        q.items && q.items.length
          ? h("ul", {}, q.items.map((i) => h("li", {}, `${pick(i, "name", "name_en")}${t("：市场参考价", ": market price")} ${money(i.typical_price)}`)))
          : null,
        h("p", {}, t("超出这个价格的项目，必须您同意才能收费。", "Nothing beyond this price is charged without your consent.")),
        h("button", { type: "button", class: "primary-action good", id: "confirm-order", onclick: (e) => confirm(e.currentTarget) }, t("确认下单", "Place the order")),
      ),
    );
  };

  paint();
}

// The door-step check: did the number he said match? A mismatch pauses the order and alerts the company and the
// supervisors at once.
function doorstepCheck(o, refresh) {
  const send = (match) => async (e) =>
    attempt(e.currentTarget, async () => {
      await api("POST", `/orders/${o.order_id}/doorstep`, { match });
      await refresh();
    });
  const said = o.doorstep && o.doorstep.result;
  return h("div", { id: "doorstep" },
    o.paused_reason
      ? h("p", { class: "alert", role: "status", id: "doorstep-paused" }, t("号码对不上：请不要开门。已通知物业公司和监管人员，订单已暂停。", "The number did not match: do not open the door. The company and the supervisors were told; the order is paused."))
      : said === "match" ? h("p", { role: "status", id: "doorstep-ok" }, t("✓ 您已核对：号码对上了。", "✓ You checked: the number matched.")) : null,
    h("p", {}, t("师傅说的号码：", "The number he said:")),
    h("div", { class: "decide" },
      h("button", { type: "button", class: "good", id: "doorstep-match", "aria-pressed": String(said === "match"), onclick: send(true) }, t("对上了", "It matches")),
      h("button", { type: "button", class: "danger", id: "doorstep-mismatch", "aria-pressed": String(said === "mismatch"), onclick: send(false) }, t("对不上", "It does not match")),
    ),
  );
}

// ---------------------------------------------------------------- orders
async function orders() {
  frame(t("我的订单", "My orders"));
  render(view(), h("h1", {}, t("我的订单", "My orders")), h("p", {}, t("正在加载…", "Loading…")));
  try {
    const here = location.hash;
    // GET /orders gives a proxy the orders of the residents they act for too.
    const all = (await api("GET", "/orders")).orders;
    const own = all.filter((o) => !o.resident_id || o.resident_id === me.user_id);
    const family = all.filter((o) => o.resident_id && o.resident_id !== me.user_id);
    const list = (items) =>
      h("ul", { class: "order-list", style: "list-style:none;padding:0" }, items.map((o) =>
        h("li", { class: "card" },
          h("a", { href: `#/order/${o.order_id}`, style: "font-size:1.4rem;font-weight:700" }, `${typeName(o.type)} · ${categoryName(o.category)}`),
          h("p", { class: "status-line" }, pick(o.status_text)),
          h("p", { class: "muted" }, o.description, " · ", time(o.created_at)),
        ),
      ));
    if (location.hash !== here) return;
    render(
      view(),
      h("h1", {}, t("我的订单", "My orders")),
      own.length ? list([...own].reverse()) : h("p", {}, t("还没有订单。", "No orders yet.")),
      family.length ? [h("h2", {}, t("家人的订单", "My family's orders")), list(family)] : null,
      h("p", {}, h("a", { href: "#/" }, t("回到首页", "Back to the home screen"))),
    );
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- one order
const decisions = {}; // line_id -> approve | reject, kept across refreshes
const rating = { stars: 0, comment: "" };

function orderView(orderId) {
  frame(t("订单", "Order"));
  let last = "";
  const refresh = async () => {
    try {
      const order = await api("GET", `/orders/${orderId}`);
      if (location.hash !== `#/order/${orderId}`) return;
      const stamp = `${order.updated_at}|${order.status}|${document.documentElement.lang}`;
      if (stamp !== last) {
        last = stamp;
        paintOrder(order, refresh);
      }
    } catch (err) {
      showError(err);
    }
  };
  rating.stars = 0;
  rating.comment = "";
  render(view(), h("p", {}, t("正在加载…", "Loading…")));
  refresh();
  return { poll: refresh };
}

function paintOrder(o, refresh) {
  const isOwner = o.resident_id ? o.resident_id === me.user_id : o.timeline.length && o.timeline[0].actor === me.user_id;
  const placedIt = isOwner || o.placed_by === me.user_id;
  const parts = [
    h("h1", {}, `${typeName(o.type)} · ${categoryName(o.category)}`),
    o.placed_by_name && o.placed_by !== me.user_id
      ? h("p", { class: "card", id: "placed-by" }, t(`由 ${o.placed_by_name} 代为下单`, `Placed for you by ${o.placed_by_name}`))
      : null,
    !isOwner && o.placed_by === me.user_id ? h("p", { class: "card", id: "placed-for" }, t("这是您替家人下的单", "You placed this order for a family member")) : null,
    h("section", { class: "card emph", "aria-live": "polite" }, h("h2", { class: "visually-hidden" }, t("现在的状态", "Status now")), h("p", { class: "status-now", id: "status-now" }, pick(o.status_text))),
  ];
  if (o.status === "awaiting_approval" && o.extra_lines.length) parts.push(approvalSection(o, refresh));
  if (o.status === "completed" && isOwner && !o.rating_stars) parts.push(ratingSection(o, refresh));
  if (o.dispute) parts.push(disputeShown(o.dispute));
  if (o.order_code && !["completed", "rated", "closed", "cancelled"].includes(o.status)) {
    parts.push(
      h("section", { class: "card", "aria-labelledby": "code-title" },
        h("h2", { id: "code-title" }, t("上门核对码", "Door code")),
        h("p", { class: "door-code", id: "door-code" }, o.order_code),
        h("p", {}, t("师傅到门口时，请他说出这个号码。号码对上再开门。", "When the technician comes, ask him to say this number. Open the door only if it matches.")),
        ["en_route", "on_site"].includes(o.status) ? doorstepCheck(o, refresh) : null,
      ),
    );
  }
  if (o.technician) {
    parts.push(
      h("section", { class: "card", "aria-labelledby": "tech-title" },
        h("h2", { id: "tech-title" }, t("上门师傅", "Your technician")),
        o.technician.photo_ref
          ? orderPhoto(o.order_id, o.technician.photo_ref, t(`${o.technician.name}的照片`, `Photo of ${o.technician.name}`), { class: "photo portrait", id: "tech-photo" })
          : h("p", { class: "muted" }, t("师傅还没有上传照片", "No photo of the technician yet")),
        h("p", { style: "font-size:1.5rem;font-weight:800", id: "tech-name" }, o.technician.name),
        h("p", { id: "tech-company" }, o.technician.company_name || ""),
        credentialsCheck(o.technician.credentials, ["assigned", "en_route", "on_site"].includes(o.status)),
      ),
    );
  }
  if (o.rating_stars) parts.push(h("p", { class: "card" }, t("您的评价：", "Your rating: "), h("span", { "aria-label": t(`${o.rating_stars} 星`, `${o.rating_stars} stars`) }, "★".repeat(o.rating_stars))));
  if (o.bill && o.bill.length) {
    parts.push(
      h("section", { class: "card", "aria-labelledby": "bill-title" },
        h("h2", { id: "bill-title" }, t("账单", "The bill")),
        h("ul", {}, o.bill.map((l) => h("li", {}, `${pick(l, "name", "name_en")}（${t("市场价", "market price")} ${money(l.amount)}）`))),
        h("p", { style: "font-size:1.4rem;font-weight:800" }, t("您需要支付：", "You pay: "), o.quote && o.quote.free_service ? (o.quote.funded_by ? t(`0 元（试点免费，由${o.quote.funded_by}出资）`, `CNY 0 (free in the pilot, paid for by ${o.quote.funded_by})`) : t("0 元（试点免费）", "CNY 0 (free in the pilot)")) : money(o.bill_total)),
      ),
    );
  }
  if (o.work_note) {
    parts.push(h("section", { class: "card", "aria-labelledby": "work-note-title" },
      h("h2", { id: "work-note-title" }, t("师傅做了什么", "What the technician did")),
      h("p", { id: "work-note" }, o.work_note)));
  }
  if (o.completion_photos && o.completion_photos.length) {
    parts.push(
      h("section", { class: "card", "aria-labelledby": "done-photos-title" },
        h("h2", { id: "done-photos-title" }, t("完工照片", "Photos of the finished work")),
        h("div", { class: "photos" }, o.completion_photos.map((p, i) => orderPhoto(o.order_id, p, t(`完工照片 ${i + 1}`, `Finished work, photo ${i + 1}`)))),
      ),
    );
  }
  parts.push(
    h("section", { class: "card", "aria-labelledby": "what-title" },
      h("h2", { id: "what-title" }, t("您报的问题", "What you reported")),
      h("p", {}, o.description),
      h("p", {}, pick(o, "address_label", "address_label")),
      o.place ? h("p", {}, t("位置：", "Where: "), o.place) : null,
      o.photo_ref ? orderPhoto(o.order_id, o.photo_ref, t("您拍的故障照片", "Your photo of the problem"), { id: "fault-photo-shown" }) : null,
      o.slot ? h("p", {}, t("时间：", "Time: "), `${time(o.slot.start)}–${time(o.slot.end, false)}`) : null,
      o.quote ? h("p", {}, t("报价：", "Quote: "), o.quote.free_service ? t("免费", "free") : priceRange(o.quote.low, o.quote.high)) : null,
    ),
    h("section", { "aria-labelledby": "timeline-title" },
      h("h2", { id: "timeline-title" }, t("进展", "Progress")),
      h("ol", { class: "timeline" }, o.timeline.map((e) => h("li", {}, h("strong", {}, time(e.at)), " ", statusWords(e.status),
        e.actor_name ? h("span", { class: "muted actor" }, " · ", e.actor_role === "platform" ? t("邻里平台", "Linli platform") : e.actor_name) : null))),
    ),
  );
  if (placedIt && !o.dispute && disputeWindowOpen(o)) parts.push(disputeSection(o, refresh));
  if (o.rework_of) parts.push(h("p", { class: "card", id: "rework-of" }, t("这是保修返修单，免费。原订单：", "A free re-work under warranty of "), h("a", { href: `#/order/${o.rework_of}` }, t("查看原订单", "the original order"))));
  if (o.reworked_by) parts.push(h("p", { class: "card", id: "reworked-by" }, t("已申请保修返修：", "Re-work asked for: "), h("a", { href: `#/order/${o.reworked_by}` }, t("查看返修单", "open the re-work order"))));
  else if (o.type !== "public_area" && reworkWindowOpen(o)) parts.push(reworkSection(o));
  if (CANCELLABLE.includes(o.status) && placedIt) {
    parts.push(h("p", {}, h("button", { type: "button", class: "quiet", onclick: async (e) => {
      if (!window.confirm(t("确定要取消这个订单吗？", "Cancel this order?"))) return;
      await attempt(e.currentTarget, async () => { await api("POST", `/orders/${o.order_id}/cancel`, {}); await refresh(); });
    } }, t("取消订单", "Cancel the order"))));
  }
  parts.push(h("p", {}, h("a", { href: "#/orders" }, t("全部订单", "All my orders")), " · ", h("a", { href: "#/" }, t("回到首页", "Home"))));
  render(view(), parts);
}

/** Today's check of the technician: vetted, company admitted, the certificate the work needs valid today. */
function credentialsCheck(c, atTheDoor) {
  if (!c) return null;
  const line = (ok, words) => h("li", { class: ok ? "cred-ok" : "cred-bad" }, h("span", { class: "mark", "aria-hidden": "true" }, ok ? "✓" : "✗"), " ", words, h("span", { class: "visually-hidden" }, ok ? t("（通过）", " (passed)") : t("（未通过）", " (failed)")));
  const cert = c.certificate;
  return h("div", { id: "tech-credentials", "data-ok": String(c.ok) },
    h("h3", {}, t("今天的资质核验", "Today's credential check")),
    h("p", { class: `verdict ${c.ok ? "ok" : "bad"}` }, c.ok
      ? atTheDoor ? t("✓ 今天资质齐全，可以放心开门", "✓ All valid today: you can open the door") : t("✓ 今天资质齐全", "✓ All valid today")
      : atTheDoor ? t("✗ 资质今天没有通过核验：请先不要开门，给社区打电话", "✗ Not valid today: do not open the door yet; call the community office") : t("✗ 资质今天没有通过核验", "✗ Not valid today")),
    h("ul", { class: "creds" },
      line(c.technician_active, c.technician_active ? t("师傅已通过政府审核，可以上门", "Vetted by the authority and allowed to work") : t("师傅的上门资格未通过或已暂停", "Not vetted, or suspended")),
      line(c.company_admitted, c.company_admitted ? t("所属物业公司已准入", "His company is admitted") : t("所属物业公司未准入或已暂停", "His company is not admitted, or suspended")),
      cert
        ? line(cert.valid_today, cert.valid_today
            ? t(`${cert.name}：今天有效（有效期到 ${cert.expires_on}）`, `${cert.name_en}: valid today (through ${cert.expires_on})`)
            : cert.expires_on ? t(`${cert.name}：已过期（${cert.expires_on}）`, `${cert.name_en}: expired (${cert.expires_on})`) : t(`${cert.name}：没有登记`, `${cert.name_en}: none on file`))
        : line(true, t("这类维修不需要专门的证书", "This kind of repair needs no special certificate")),
    ),
    h("p", { class: "muted" }, t(`核验日期：${c.checked_on}（北京时间）`, `Checked for ${c.checked_on} (Beijing)`)),
  );
}

const STATUS_WORDS = {
  submitted: ["已提交", "Submitted"], matching: ["正在找师傅", "Looking for a technician"], offered: ["已通知师傅", "Technician notified"],
  assigned: ["师傅已接单", "Technician accepted"], en_route: ["师傅在路上", "Technician on the way"], on_site: ["师傅已到达", "Technician arrived"],
  awaiting_approval: ["等您确认额外项目", "Waiting for your consent"], completed: ["维修完成", "Repair done"], rated: ["已评价", "Rated"],
  closed: ["已结束", "Closed"], cancelled: ["已取消", "Cancelled"], escalated: ["监管人员在安排", "A supervisor is arranging it"],
};
function statusWords(s) {
  const w = STATUS_WORDS[s];
  return w ? t(w[0], w[1]) : s;
}

function approvalSection(o, refresh) {
  const free = o.quote && o.quote.free_service;
  const submit = h("button", { type: "button", class: "primary-action", id: "send-decisions", onclick: async (e) => {
    const lines = o.extra_lines.map((l) => ({ line_id: l.line_id, decision: decisions[l.line_id] }));
    if (lines.some((l) => !l.decision)) {
      return showError(new ApiError(400, { error: { message: "请对每一项选择“同意”或“不同意”", message_en: "Please choose Agree or Do not agree for every line." } }));
    }
    await attempt(e.currentTarget, async () => { await api("POST", `/orders/${o.order_id}/approval`, { lines }); await refresh(); });
  } }, t("提交我的决定", "Send my decisions"));
  return h("section", { class: "card emph", "aria-labelledby": "extra-title" },
    h("h2", { id: "extra-title" }, t("师傅提出的额外项目", "Extra work the technician proposes")),
    h("p", {}, t("报价以外的项目，您同意了才做、才收费。请一项一项决定。", "Work beyond the quote is done and charged only if you agree. Decide each line.")),
    o.extra_lines.map((l) => {
      const pickOne = (value) => () => { clearError(); decisions[l.line_id] = value; paintOrder(o, refresh); document.getElementById(`${value}-${l.line_id}`).focus(); };
      return h("div", { class: "card extra-line", "data-line": l.line_id },
        h("h3", {}, pick(l, "name", "name_en")),
        l.reason ? h("p", {}, t("师傅说：", "The technician says: "), l.reason) : null,
        l.photo_ref ? orderPhoto(o.order_id, l.photo_ref, t(`师傅拍的照片：${pick(l, "name", "name_en")}`, `The technician's photo: ${pick(l, "name", "name_en")}`)) : null,
        h("p", {}, t("市场价 ", "Market price "), money(l.amount), free ? t("（试点期间免费）", " (free during the pilot)") : "", t(`，上限 ${l.cap} 元`, `, cap CNY ${l.cap}`)),
        h("div", { class: "decide", role: "group", "aria-label": pick(l, "name", "name_en") },
          h("button", { type: "button", class: "good", id: `approve-${l.line_id}`, "aria-pressed": String(decisions[l.line_id] === "approve"), onclick: pickOne("approve") }, decisions[l.line_id] === "approve" ? "✓ " : "", t("同意", "Agree")),
          h("button", { type: "button", class: "danger", id: `reject-${l.line_id}`, "aria-pressed": String(decisions[l.line_id] === "reject"), onclick: pickOne("reject") }, decisions[l.line_id] === "reject" ? "✓ " : "", t("不同意", "Do not agree")),
        ),
      );
    }),
    submit,
  );
}

function ratingSection(o, refresh) {
  return h("section", { class: "card emph", "aria-labelledby": "rate-title" },
    h("h2", { id: "rate-title" }, t("请给这次维修打分", "Please rate this repair")),
    h("div", { class: "stars", role: "group", "aria-label": t("星级", "Stars") }, [1, 2, 3, 4, 5].map((n) =>
      h("button", { type: "button", id: `star-${n}`, "aria-pressed": String(rating.stars === n), "aria-label": t(`${n} 星`, `${n} star${n > 1 ? "s" : ""}`),
        onclick: () => { rating.stars = n; paintOrder(o, refresh); document.getElementById(`star-${n}`).focus(); } }, n <= rating.stars ? "★" : "☆"),
    )),
    h("p", {}, h("label", { for: "comment" }, t("想说的话（可以不写）", "A comment (optional)"))),
    h("textarea", { id: "comment", maxlength: "500", oninput: (e) => { rating.comment = e.target.value; } }, rating.comment),
    h("p", {}, h("button", { type: "button", class: "primary-action good", id: "send-rating", onclick: async (e) => {
      if (!rating.stars) return showError(new ApiError(400, { error: { message: "请点星星打分", message_en: "Please press a star." } }));
      await attempt(e.currentTarget, async () => { await api("POST", `/orders/${o.order_id}/rating`, { stars: rating.stars, comment: rating.comment }); await refresh(); });
    } }, t("提交评价", "Send my rating"))),
  );
}

// ---------------------------------------------------------------- re-work under warranty
const REWORK_DAYS = 30; // LINLI_REWORK_DAYS: the API refuses later ones (rework_window_closed)
const reworkAsk = { description: "" };

function reworkWindowOpen(o) {
  if (!["completed", "rated", "closed"].includes(o.status) || !o.completed_at) return false;
  return Date.now() - Date.parse(o.completed_at) < REWORK_DAYS * 24 * 3600 * 1000;
}

function reworkSection(o) {
  return h("section", { class: "card", "aria-labelledby": "rework-title", id: "rework" },
    h("h2", { id: "rework-title" }, t("没修好？免费返修", "Not fixed? Free re-work")),
    h("p", {}, t(`完工后 ${REWORK_DAYS} 天内，同样的问题再坏了，可以免费请师傅再来。`, `Within ${REWORK_DAYS} days of the repair, if it broke again, a technician comes back for free.`)),
    h("p", {}, h("label", { for: "rework-description" }, t("哪里又不好了", "What is wrong again"))),
    h("textarea", { id: "rework-description", maxlength: "500", oninput: (e) => { reworkAsk.description = e.target.value; } }, reworkAsk.description),
    h("p", {}, h("button", { type: "button", class: "primary-action", id: "ask-rework", onclick: async (e) => {
      if (!reworkAsk.description.trim()) return showError(new ApiError(400, { error: { message: "请说一下哪里又不好了", message_en: "Please say what is wrong again." } }));
      await attempt(e.currentTarget, async () => {
        const created = await api("POST", `/orders/${o.order_id}/rework`, { description: reworkAsk.description.trim() });
        reworkAsk.description = "";
        location.hash = `#/order/${created.order_id}`;
      });
    } }, t("申请免费返修", "Ask for the free re-work"))),
  );
}

// ---------------------------------------------------------------- a bill dispute or a complaint about the service
const DISPUTE_DAYS = 7; // LINLI_DISPUTE_DAYS: the API refuses later ones (dispute_window_closed)
const DISPUTE_KINDS = { bill: ["账单不对", "The bill is wrong"], service: ["服务不满意", "Unhappy with the service"] };
const dispute = { kind: "", reason: "" };

function disputeWindowOpen(o) {
  if (!["completed", "rated", "closed"].includes(o.status) || !o.completed_at) return false;
  return Date.now() - Date.parse(o.completed_at) < DISPUTE_DAYS * 24 * 3600 * 1000;
}

function disputeSection(o, refresh) {
  return h("section", { class: "card", "aria-labelledby": "dispute-title", id: "dispute" },
    h("h2", { id: "dispute-title" }, t("有问题？告诉监管部门", "Something wrong? Tell the supervisors")),
    h("p", {}, t(`完工后 ${DISPUTE_DAYS} 天内可以提出，监管人员会核实处理。`, `Within ${DISPUTE_DAYS} days of the repair; the supervisors look into it.`)),
    h("div", { class: "problems", role: "group", "aria-label": t("问题类型", "What is wrong") }, Object.entries(DISPUTE_KINDS).map(([kind, words]) =>
      h("button", { type: "button", id: `dispute-${kind}`, "aria-pressed": String(dispute.kind === kind),
        onclick: () => { dispute.kind = kind; paintOrder(o, refresh); document.getElementById(`dispute-${kind}`).focus(); } }, t(...words)),
    )),
    dispute.kind
      ? [
          h("p", {}, h("label", { for: "dispute-reason" }, t("请说说怎么回事", "Please say what happened"))),
          h("textarea", { id: "dispute-reason", maxlength: "500", oninput: (e) => { dispute.reason = e.target.value; } }, dispute.reason),
          h("p", {}, h("button", { type: "button", class: "primary-action", id: "send-dispute", onclick: async (e) => {
            if (!dispute.reason.trim()) return showError(new ApiError(400, { error: { message: "请写几句怎么回事", message_en: "Please write a few words about what happened." } }));
            await attempt(e.currentTarget, async () => {
              await api("POST", `/orders/${o.order_id}/dispute`, { kind: dispute.kind, reason: dispute.reason.trim() });
              dispute.kind = "";
              dispute.reason = "";
              await refresh();
            });
          } }, t("提交", "Send"))),
        ]
      : null,
  );
}

function disputeShown(d) {
  const kind = DISPUTE_KINDS[d.kind] || DISPUTE_KINDS.bill;
  const outcome = d.status !== "resolved"
    ? t("监管人员正在核实", "The supervisors are looking into it")
    : d.outcome === "upheld"
      ? t(`已核实，支持您的意见${d.refund ? `，退款 ${money(d.refund)}` : ""}`, `Upheld${d.refund ? `: a refund of ${money(d.refund)}` : ""}`)
      : t("经核实，未予支持", "Not upheld after checking");
  return h("section", { class: "card", id: "dispute-status", "aria-labelledby": "dispute-status-title" },
    h("h2", { id: "dispute-status-title" }, t(`您的反映：${kind[0]}`, `What you raised: ${kind[1]}`)),
    h("p", {}, d.reason),
    h("p", { class: "status-now" }, outcome),
    d.resolution_note ? h("p", {}, d.resolution_note) : null,
  );
}

// ---------------------------------------------------------------- the compound's public-area board
let boardNotice = null; // set when a report placed by this resident turned out to be a "me too"
const metooKey = () => `linli.metoo.${me.user_id}`;
function meTooDone() {
  try {
    return new Set(JSON.parse(localStorage.getItem(metooKey()) || "[]"));
  } catch {
    return new Set();
  }
}
function markMeToo(orderId) {
  const done = meTooDone();
  done.add(orderId);
  localStorage.setItem(metooKey(), JSON.stringify([...done].slice(-100)));
}

const countWords = (n) => (n ? t(`已有 ${n} 位邻居也遇到`, `${n} neighbour${n > 1 ? "s" : ""} also reported it`) : t("还没有其他邻居说遇到", "No other neighbour yet"));

async function board() {
  frame(t("公区报事板", "Public-area board"));
  const here = location.hash;
  render(view(), h("h1", {}, t("小区公区报事板", "Public-area board")), h("p", {}, t("正在加载…", "Loading…")));
  try {
    await loadProfile();
    const compounds = new Map();
    for (const a of profile.addresses || []) if (!compounds.has(a.compound_id)) compounds.set(a.compound_id, a);
    const mine = new Set((await api("GET", "/orders")).orders.map((o) => o.order_id));
    const lists = await oneByOne([...compounds.keys()], (id) => apiAll(`/compounds/${id}/reports`));
    if (location.hash !== here) return;
    const done = meTooDone();
    const notice = boardNotice;
    boardNotice = null;
    render(view(),
      h("h1", {}, t("小区公区报事板", "Public-area board")),
      h("p", {}, t("邻居们报的楼道、路灯、电梯等公共地方的问题。您也遇到了，就按“我也遇到”：人越多，越能看出问题有多要紧。", "Problems neighbours reported in the stairwells, street lights, lifts… If it bothers you too, press “Me too”: the more people, the clearer how urgent it is.")),
      notice ? h("p", { class: "card emph", role: "status", id: "board-notice" }, t(`这个问题邻居已经报过了，已经替您记上一次“我也遇到”（现在共 ${notice.count} 位邻居）。`, `A neighbour had already reported this; we added your “me too” (${notice.count} neighbours now).`)) : null,
      lists.map((list) => {
        const address = compounds.get(list.compound_id);
        const titleId = `compound-${list.compound_id}`;
        return h("section", { "aria-labelledby": titleId, "data-compound": list.compound_id },
          h("h2", { id: titleId }, t(`您家所在的小区（${address.label}）`, `Your compound (${address.label_en || address.label})`)),
          list.reports.length
            ? list.reports.map((r) => reportCard(r, mine.has(r.order_id), done.has(r.order_id) || Boolean(notice && notice.order_id === r.order_id)))
            : h("p", { class: "card" }, t("现在没有还没解决的公区问题。", "No open public-area problems right now.")));
      }),
      h("p", {}, h("a", { class: "button primary-action", href: "#/new/public_area" }, t("报一个新问题", "Report a new problem"))),
      h("p", {}, h("a", { href: "#/" }, t("回到首页", "Back to the home screen"))),
    );
  } catch (err) {
    showError(err);
  }
  return undefined;
}

function reportCard(r, isMine, pressed) {
  const countId = `count-${r.order_id}`;
  const card = h("article", { class: "card report", "data-order": r.order_id, "aria-labelledby": `report-${r.order_id}` },
    h("h3", { id: `report-${r.order_id}`, class: "report-title" }, r.place ? `${r.place} · ` : "", categoryName(r.category)),
    h("p", {}, r.description),
    h("p", { class: "muted" }, statusWords(r.status), " · ", t("报于 ", "reported "), time(r.created_at)),
    h("p", { class: "metoo-count", id: countId, "aria-live": "polite", "data-count": r.me_too_count }, countWords(r.me_too_count)),
  );
  if (isMine) {
    card.append(h("p", {}, t("这是您报的。", "You reported this. "), h("a", { href: `#/order/${r.order_id}` }, t("看进展", "See how it is going"))));
    return card;
  }
  const button = h("button", { type: "button", class: "metoo", "aria-pressed": String(pressed), "aria-describedby": countId, onclick: async (e) => {
    await attempt(e.currentTarget, async () => {
      const result = await api("POST", `/orders/${r.order_id}/me-too`);
      markMeToo(r.order_id);
      const count = document.getElementById(countId);
      count.dataset.count = result.me_too_count;
      count.textContent = result.added ? `${t("已记下！", "Noted! ")}${countWords(result.me_too_count)}` : `${t("您已经说过了。", "You said so already. ")}${countWords(result.me_too_count)}`;
      button.setAttribute("aria-pressed", "true");
      render(button, meTooWords(true));
    });
  } }, meTooWords(pressed));
  card.append(button);
  return card;
}

function meTooWords(pressed) {
  // The name stays the same when pressed (aria-pressed says it); the tick shows it to the eye.
  return [pressed ? h("span", { "aria-hidden": "true" }, "✓ ") : null, t("我也遇到", "Me too")];
}

// ---------------------------------------------------------------- family: acting for someone, and who acts for me
// The fixed list the API accepts (shared.sms.RELATIONS): the resident's SMS names only the relation, never free text.
const RELATIONS = [["儿子", "son"], ["女儿", "daughter"], ["配偶", "spouse"], ["其他家人", "family member"], ["亲属", "relative"], ["社区工作者", "community worker"], ["邻居", "neighbour"], ["其他", "other"]];
const linking = { step: "phone", phone: "", relation: 0, request: null, code: "", done: null };

async function family() {
  frame(t("家人代办", "Family"));
  const here = location.hash;
  let links = null;
  try {
    links = await api("GET", "/me/proxies");
  } catch (err) {
    showError(err);
  }
  if (location.hash !== here || !links) return;
  const end = (path, question) => async (e) => {
    if (!window.confirm(question)) return;
    await attempt(e.currentTarget, async () => {
      await api("DELETE", path);
      profile = null; // GET /me lists whom I act for
      await family();
    });
  };
  const person = (name, relation, button) => h("li", { class: "card" }, h("p", { class: "person" }, name, h("span", { class: "muted" }, `（${relation}）`)), button);
  render(
    view(),
    h("h1", {}, t("家人代办", "Family")),
    h("p", {}, t("家人或社区工作者经老人同意后，可以替老人报修下单、查看订单、同意额外费用。", "With the resident's consent, a family member or community worker can order repairs for them, follow the orders and agree to extra charges.")),
    linking.done ? h("p", { class: "card emph", role: "status", id: "link-done" }, t(`✓ 现在您可以为${linking.done}代办了`, `✓ You now act for ${linking.done}`)) : null,
    h("section", { "aria-labelledby": "acting-title" },
      h("h2", { id: "acting-title" }, t("我为谁代办", "People I act for")),
      links.acting_for.length
        ? h("ul", { class: "people" }, links.acting_for.map((p) => person(p.resident_name, t(p.relation, p.relation_en || p.relation),
            h("button", { type: "button", class: "quiet", onclick: end(`/me/acting-for/${p.resident_id}`, t(`确定不再为${p.resident_name}代办吗？`, `Stop acting for ${p.resident_name}?`)) }, t("不再代办", "Stop acting for them")))))
        : h("p", {}, t("您还没有为别人代办。", "You do not act for anyone yet.")),
    ),
    h("section", { "aria-labelledby": "proxies-title" },
      h("h2", { id: "proxies-title" }, t("谁为我代办", "Who acts for me")),
      links.proxies.length
        ? h("ul", { class: "people" }, links.proxies.map((p) => person(p.proxy_name, t(p.relation, p.relation_en || p.relation),
            h("button", { type: "button", class: "danger", onclick: end(`/me/proxies/${p.proxy_id}`, t(`确定取消${p.proxy_name}的代办吗？`, `End ${p.proxy_name}'s right to act for you?`)) }, t("取消代办", "Revoke")))))
        : h("p", {}, t("现在没有人为您代办。", "Nobody acts for you now.")),
    ),
    linkForm(),
    h("p", {}, h("a", { href: "#/" }, t("回到首页", "Back to the home screen"))),
  );
}

function linkForm() {
  const box = h("section", { class: "card emph", "aria-labelledby": "link-title" }, h("h2", { id: "link-title" }, t("为家人代办", "Act for a family member")));
  if (linking.step === "phone") {
    box.append(
      h("p", {}, h("label", { for: "link-phone" }, t("1. 老人的手机号", "1. The resident's mobile number"))),
      h("input", { type: "tel", id: "link-phone", inputmode: "numeric", autocomplete: "off", maxlength: "16", value: linking.phone, oninput: (e) => { linking.phone = e.target.value; } }),
      choiceGroup("relation", t("2. 您是老人的", "2. You are their"), RELATIONS.map(([zh, en], i) => [String(i), t(zh, en)]), String(linking.relation), (v) => { linking.relation = Number(v); }),
      h("p", {}, t("老人会收到一条带验证码的短信。老人把验证码告诉您，就是同意。", "The resident gets a text with a code. Telling you the code is their consent.")),
      h("button", { type: "button", class: "primary-action", id: "send-code", onclick: async (e) => {
        if (!linking.phone.trim()) return showError(new ApiError(400, { error: { message: "请输入老人的手机号", message_en: "Please enter the resident's mobile number." } }));
        const [relation, relation_en] = RELATIONS[linking.relation];
        await attempt(e.currentTarget, async () => {
          linking.request = await api("POST", "/proxy-requests", { phone: linking.phone.trim(), relation, relation_en });
          linking.step = "code";
          linking.done = null;
          await family();
          document.getElementById("link-code").focus();
        });
      } }, t("发送验证码", "Send the code")),
    );
  } else {
    box.append(
      h("p", { role: "status", id: "code-sent" }, pick(linking.request, "message_zh", "message_en")),
      h("p", {}, h("label", { for: "link-code" }, t("3. 老人告诉您的 6 位验证码", "3. The 6-digit code the resident tells you"))),
      h("input", { type: "text", id: "link-code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "8", value: linking.code, oninput: (e) => { linking.code = e.target.value; } }),
      h("button", { type: "button", class: "primary-action good", id: "confirm-code", onclick: async (e) => {
        await attempt(e.currentTarget, async () => {
          try {
            const link = await api("POST", `/proxy-requests/${linking.request.request_id}/confirm`, { code: linking.code.trim() });
            Object.assign(linking, { step: "phone", phone: "", code: "", request: null, done: link.resident_name });
            profile = null;
            await family();
            document.getElementById("link-done").focus();
          } catch (err) {
            if (err instanceof ApiError && ["request_expired", "too_many_attempts"].includes(err.code)) {
              Object.assign(linking, { step: "phone", code: "", request: null });
              await family();
            }
            throw err;
          }
        });
      } }, t("确认", "Confirm")),
      h("button", { type: "button", class: "quiet", onclick: () => { Object.assign(linking, { step: "phone", code: "", request: null }); family(); } }, t("重新输入手机号", "Enter the number again")),
    );
  }
  return box;
}

// ---------------------------------------------------------------- public credit: the companies and their scores
const signed = (points) => `${points < 0 ? "−" : "+"}${Math.abs(points).toFixed(1)}`;

async function companies() {
  frame(t("物业公司信用", "Companies' credit"));
  let listed = null;
  const here = location.hash;
  try {
    listed = await apiAll("/public/companies");
  } catch (err) {
    showError(err);
  }
  if (location.hash !== here || !listed) return;
  const card = (c) => {
    const p = c.parts;
    const recent = c.last_90_days;
    return h("li", { class: "card company", "data-company": c.company_id },
      h("h2", {}, pick(c, "name", "name_en") || c.name),
      h("p", { class: "score-line" }, h("span", { class: "score" }, c.credit_score.toFixed(1)), t("分（满分 100）", "out of 100")),
      h("ul", { class: "parts" },
        h("li", {}, t(`评价 ${signed(p.rating.points)} 分（${p.rating.count} 条评价）`, `Ratings ${signed(p.rating.points)} (${p.rating.count} ratings)`)),
        h("li", {}, t(`按时 ${signed(p.deadlines.points)} 分（${p.deadlines.count} 次时限检查）`, `On time ${signed(p.deadlines.points)} (${p.deadlines.count} deadline checks)`)),
        h("li", {}, t(`投诉 ${signed(p.complaints.points)} 分（${p.complaints.count} 件）`, `Complaints ${signed(p.complaints.points)} (${p.complaints.count})`)),
      ),
      h("p", { class: "recent" },
        t(`近 ${recent.days} 天：服务 ${recent.orders_served} 单`, `Last ${recent.days} days: ${recent.orders_served} orders served`),
        recent.average_rating === null ? t("，还没有评价", ", no ratings yet") : t(`，平均 ${recent.average_rating} 星`, `, ${recent.average_rating} stars on average`),
        t(`，成立的投诉 ${recent.upheld_complaints} 件。`, `, ${recent.upheld_complaints} complaints upheld.`),
      ),
    );
  };
  render(
    view(),
    h("h1", {}, t("物业公司信用", "Companies' credit")),
    h("p", {}, t("区住建委按公开的公式，根据居民评价、是否按时、投诉情况，给每家准入的物业公司打信用分。", "The district scores every admitted company by a published formula, from residents' ratings, deadlines kept and complaints.")),
    listed.companies.length ? h("ul", { class: "companies", style: "list-style:none;padding:0" }, listed.companies.map(card)) : h("p", {}, t("还没有准入的物业公司。", "No company is admitted yet.")),
    h("details", { class: "card formula" },
      h("summary", {}, t("信用分怎么算", "How the score is worked out")),
      h("p", { id: "formula-text" }, pick(listed.formula, "text_zh", "text_en")),
    ),
    h("p", {}, h("a", { href: "#/" }, t("回到首页", "Back to the home screen"))),
  );
}


// ---------------------------------------------------------------- my addresses: claim one, see pending / verified
const ADDRESS_STATUS = {
  pending: ["等待物业核实", "Waiting for the property office"],
  verified: ["已核实，可以下单", "Verified: you can order"],
  rejected: ["物业未能核实", "Not verified by the property office"],
};
const claiming = { q: "", compounds: null, compound: null, detail: null, building: "", unit: "", room: "", code: "" };

async function addresses() {
  frame(t("我的地址", "My addresses"));
  const here = location.hash;
  try {
    profile = null;
    await loadProfile();
  } catch (err) {
    return showError(err);
  }
  if (location.hash !== here) return;
  const mine = profile.addresses || [];
  const leave = (a) => async (e) => {
    if (!window.confirm(t(`确定不再使用地址“${a.label}”吗？`, `Stop using the address "${a.label_en || a.label}"?`))) return;
    await attempt(e.currentTarget, async () => {
      await api("DELETE", `/me/addresses/${a.address_id}`);
      await addresses();
    });
  };
  render(
    view(),
    h("h1", {}, t("我的地址", "My addresses")),
    mine.length
      ? h("ul", { class: "people", id: "my-addresses", tabindex: "-1" }, mine.map((a) => {
          const status = a.status || "verified";
          return h("li", { class: `card address-${status}`, "data-address": a.address_id, "data-status": status },
            h("p", { class: "person" }, pick(a, "label", "label_en")),
            h("p", { class: `address-status ${status}` }, t(...ADDRESS_STATUS[status])),
            a.status_reason ? h("p", {}, t(`原因：${a.status_reason}`, `Reason: ${a.status_reason}`)) : null,
            h("button", { type: "button", class: "quiet", onclick: leave(a) }, t("不再使用这个地址", "Stop using this address")));
        }))
      : h("p", {}, t("您还没有地址。请在下面添加您的家。", "You have no address yet. Add your home below.")),
    claimForm(),
    h("p", {}, h("a", { href: "#/" }, t("回到首页", "Back to the home screen"))),
  );
}

function claimForm() {
  const box = h("section", { class: "card emph", "aria-labelledby": "claim-title" }, h("h2", { id: "claim-title" }, t("添加我的家", "Add my home")));
  const redo = () => { const y = window.scrollY; addresses().then(() => window.scrollTo(0, y)); };
  const choose = async (compoundId) => {
    Object.assign(claiming, { compound: compoundId, detail: null, building: "", unit: "", room: "" });
    if (!compoundId) return;
    try {
      const detail = await api("GET", `/compounds/${encodeURIComponent(compoundId)}`);
      if (claiming.compound === compoundId) claiming.detail = detail;
    } catch (err) {
      // without the compound's households the flat is typed in (as for a compound not imported yet)
      if (claiming.compound === compoundId) claiming.detail = { compound_id: compoundId, buildings: [] };
      if (!(err instanceof ApiError && err.status === 404)) showError(err);
    }
  };
  const search = async () => {
    try {
      claiming.compounds = (await api("GET", `/compounds?q=${encodeURIComponent(claiming.q.trim())}`)).compounds;
      const only = claiming.compounds.length === 1 ? claiming.compounds[0].compound_id : null;
      if (only && only !== claiming.compound) await choose(only);
      else if (!claiming.compounds.some((c) => c.compound_id === claiming.compound)) await choose(null);
      redo();
    } catch (err) {
      showError(err);
    }
  };
  const field = (id, zh, en, key) => h("p", {}, h("label", { for: id }, t(zh, en)),
    h("input", { type: "text", id, class: "big-input", inputmode: "numeric", autocomplete: "off", maxlength: "8", value: claiming[key], oninput: (e) => { claiming[key] = e.target.value; } }));
  box.append(
    h("p", {}, h("label", { for: "compound-q" }, t("1. 小区名称（输入几个字后点“查找”）", "1. Your compound (type a few characters, then Search)"))),
    h("input", { type: "search", id: "compound-q", class: "big-input", value: claiming.q, oninput: (e) => { claiming.q = e.target.value; }, onkeydown: (e) => { if (e.key === "Enter") search(); } }),
    h("button", { type: "button", id: "compound-search", onclick: search }, t("查找", "Search")),
  );
  if (claiming.compounds) {
    box.append(claiming.compounds.length
      ? choiceGroup("compound", t("请选择您的小区", "Choose your compound"), claiming.compounds.map((c) => [c.compound_id, pick(c, "name", "name_en")]), claiming.compound, async (v) => {
          await choose(v);
          await redoKeeping(`input[name=compound][value="${v}"]`);
        })
      : h("p", { role: "status" }, t("没有找到这个小区，请换几个字再试。", "No compound found; try other characters.")));
  }
  const picking = claiming.detail && claiming.detail.compound_id === claiming.compound && claiming.detail.buildings.length > 0;
  if (picking) box.append(flatPickers(claiming.detail.buildings));
  else if (claiming.compound && !claiming.detail) box.append(h("p", { role: "status" }, t("正在读取楼号……", "Loading the buildings…")));
  else {
    box.append(
      field("claim-building", "2. 楼号", "2. Building", "building"),
      field("claim-unit", "3. 单元", "3. Unit", "unit"),
      field("claim-room", "4. 门牌号", "4. Flat", "room"),
    );
  }
  box.append(
    h("button", { type: "button", class: "primary-action", id: "claim-submit", onclick: async (e) => {
      if (!claiming.compound) return showError(new ApiError(400, { error: { message: "请先查找并选择您的小区", message_en: "Search for and choose your compound first." } }));
      if (picking && !claiming.room) return showError(new ApiError(400, { error: { message: "请选择楼号、单元和门牌号", message_en: "Choose the building, the unit and the flat." } }));
      await attempt(e.currentTarget, async () => {
        await api("POST", "/me/addresses", { compound_id: claiming.compound, building: claiming.building.trim(), unit: claiming.unit.trim(), room: claiming.room.trim() });
        Object.assign(claiming, { building: "", unit: "", room: "" });  // the compound stays chosen for a second flat
        await addresses();
        document.getElementById("my-addresses").focus();
      });
    } }, t("提交，请物业核实", "Send to the property office")),
    h("h3", {}, t("物业给了您住户码？", "Got a household code from the property office?")),
    h("p", {}, h("label", { for: "claim-code" }, t("输入住户码，地址马上生效", "Enter it and the address is verified at once"))),
    h("input", { type: "text", id: "claim-code", class: "big-input", autocomplete: "off", maxlength: "20", value: claiming.code, oninput: (e) => { claiming.code = e.target.value; } }),
    h("button", { type: "button", class: "primary-action good", id: "code-submit", onclick: async (e) => {
      await attempt(e.currentTarget, async () => {
        await api("POST", "/me/addresses", { household_code: claiming.code.trim() });
        claiming.code = "";
        await addresses();
      });
    } }, t("用住户码添加", "Add with the code")),
  );
  return box;
}

async function redoKeeping(selector) {
  const y = window.scrollY;
  await addresses();
  window.scrollTo(0, y);
  document.querySelector(selector)?.focus();
}

const byNumber = (names) => [...names].sort((a, b) => a.localeCompare(b, "zh-CN", { numeric: true }));

// Building, then unit, then flat: each step offers only what the compound has; a step with one choice is chosen.
function flatPickers(buildings) {
  const units = h("div", { id: "claim-units" });
  const rooms = h("div", { id: "claim-rooms" });
  const building = () => buildings.find((b) => b.building === claiming.building);
  const unit = () => (building()?.units || []).find((u) => u.unit === claiming.unit);
  const only = (list) => (list.length === 1 ? list[0] : "");
  const showRooms = () => {
    const u = unit();
    if (u && !u.rooms.includes(claiming.room)) claiming.room = only(u.rooms);
    rooms.replaceChildren(...(u
      ? [choiceGroup("claim-room", t("4. 门牌号", "4. Flat"), byNumber(u.rooms).map((r) => [r, r]), claiming.room, (v) => { claiming.room = v; })]
      : []));
  };
  const showUnits = () => {
    const b = building();
    if (b && !b.units.some((u) => u.unit === claiming.unit)) claiming.unit = only(b.units.map((u) => u.unit));
    units.replaceChildren(...(b
      ? [choiceGroup("claim-unit", t("3. 单元", "3. Unit"), byNumber(b.units.map((u) => u.unit)).map((u) => [u, t(`${u}单元`, `Unit ${u}`)]), claiming.unit, (v) => { claiming.unit = v; claiming.room = ""; showRooms(); })]
      : []));
    showRooms();
  };
  if (!building()) claiming.building = only(buildings.map((b) => b.building));
  const wrap = h("div", { id: "claim-pickers" },
    choiceGroup("claim-building", t("2. 楼号", "2. Building"), byNumber(buildings.map((b) => b.building)).map((b) => [b, t(`${b}号楼`, `Building ${b}`)]), claiming.building, (v) => {
      claiming.building = v;
      Object.assign(claiming, { unit: "", room: "" });
      showUnits();
    }),
    units,
    rooms);
  showUnits();
  return wrap;
}

// ---------------------------------------------------------------- messages
async function messages() {
  frame(t("我的消息", "My messages"));
  try {
    const here = location.hash;
    const list = (await api("GET", "/messages")).messages;
    if (location.hash !== here) return;
    render(
      view(),
      h("h1", {}, t("我的消息", "My messages")),
      messageList(list),
      h("p", {}, h("a", { href: "#/" }, t("回到首页", "Back to the home screen"))),
    );
  } catch (err) {
    showError(err);
  }
}

const start = router(
  [
    [/^#\/new\/(emergency|booking|public_area)$/, (m) => newOrder(m[1])],
    [/^#\/order\/([\w-]+)$/, (m) => orderView(m[1])],
    [/^#\/orders$/, () => orders()],
    [/^#\/messages$/, () => (messages(), { poll: messages })],
    [/^#\/board$/, () => board()],
    [/^#\/family$/, () => family()],
    [/^#\/addresses$/, () => addresses()],
    [/^#\/companies$/, () => companies()],
  ],
  () => home(),
);
start();
