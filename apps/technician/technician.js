// The technician app: duty and location, offers with a countdown, the day's jobs, progress,
// the itemised bill from the catalogue, completion.
import {
  ApiError, api, apiAll, attempt, categoryName, h, header, messageList, money, orderPhoto, photoPicker, pick, profilePhotoEditor, render, requireRole, router, showError, t,
  time, typeName,
} from "/app/shared/core.js";

const me = requireRole("technician");
const view = () => document.getElementById("view");
const FINAL = ["rated", "closed", "cancelled"];
const duty = { on: null, lat: "39.9061", lng: "116.6580" };
let offersSeen = "";
let jobsSeen = "";

function frame(title) {
  document.title = `${title} · ${t("邻里师傅", "Linli technician")}`;
  render(document.getElementById("header"), header(t("邻里 · 师傅", "Linli · Technician"), () => start()));
}

// ---------------------------------------------------------------- home: duty, offers, jobs
function home() {
  frame(t("接单", "Offers"));
  offersSeen = "";
  jobsSeen = "";
  render(
    view(),
    h("h1", {}, t(`${me.name}，您好`, `Hello, ${me.name}`)),
    h("section", { class: "card", id: "duty", "aria-labelledby": "duty-title" }),
    h("section", { class: "card", id: "my-photo", "aria-labelledby": "my-photo-title" }),
    h("section", { "aria-labelledby": "offers-title" }, h("h2", { id: "offers-title" }, t("新派单", "New offers")), h("div", { id: "offers", "aria-live": "polite" }, t("正在加载…", "Loading…"))),
    h("section", { "aria-labelledby": "jobs-title" }, h("h2", { id: "jobs-title" }, t("今天的活", "Today's jobs")), h("div", { id: "jobs" }, t("正在加载…", "Loading…"))),
    h("p", {}, h("a", { href: "#/messages" }, t("我收到的消息", "My messages"))),
  );
  paintDuty();
  paintMyPhoto();
  // Offers and jobs are read again on each live message (a new offer, a withdrawal, a cancellation); the
  // countdowns tick here, and an offer whose countdown ran out is read again (the server expired it).
  const poll = () => Promise.all([loadOffers(), loadJobs()]);
  let expired = 0;
  const tick = () => {
    const now = tickCountdowns();
    if (now > expired) poll();
    expired = now;
  };
  poll();
  return { poll, tick };
}

async function paintDuty() {
  const box = document.getElementById("duty");
  if (!box) return;
  if (duty.on === null) {
    try {
      duty.on = Boolean((await api("GET", "/me")).on_duty);
    } catch (err) {
      return showError(err);
    }
  }
  const save = async (button, on) =>
    attempt(button, async () => {
      const result = await api("PUT", "/technicians/me/availability", { on_duty: on, lat: Number(duty.lat), lng: Number(duty.lng) });
      duty.on = result && "on_duty" in result ? Boolean(result.on_duty) : on;
      paintDuty();
    });
  const locate = (button) => {
    if (!navigator.geolocation) return showError(new ApiError(0, { error: { message: "这台设备不能定位，请手动填写", message_en: "This device cannot locate itself; type the position." } }));
    navigator.geolocation.getCurrentPosition(
      (pos) => { duty.lat = pos.coords.latitude.toFixed(5); duty.lng = pos.coords.longitude.toFixed(5); paintDuty(); },
      () => showError(new ApiError(0, { error: { message: "定位失败，请手动填写", message_en: "Could not get the position; type it in." } })),
    );
  };
  render(
    box,
    h("h2", { id: "duty-title" }, t("上班状态", "Duty")),
    h("p", { class: "status-now", id: "duty-state" }, duty.on ? t("上班中：可以接单", "On duty: receiving offers") : t("已下班：不会收到派单", "Off duty: no offers")),
    h("div", { class: "row" },
      h("div", {}, h("label", { for: "lat" }, t("纬度", "Latitude")), h("input", { id: "lat", type: "text", inputmode: "decimal", value: duty.lat, oninput: (e) => { duty.lat = e.target.value; } })),
      h("div", {}, h("label", { for: "lng" }, t("经度", "Longitude")), h("input", { id: "lng", type: "text", inputmode: "decimal", value: duty.lng, oninput: (e) => { duty.lng = e.target.value; } })),
      h("button", { type: "button", class: "quiet", onclick: (e) => locate(e.currentTarget) }, t("用手机定位", "Use my location")),
    ),
    h("p", { class: "row" },
      h("button", { type: "button", class: "good", id: "go-on-duty", onclick: (e) => save(e.currentTarget, true) }, duty.on ? t("更新位置", "Update position") : t("上班", "Go on duty")),
      h("button", { type: "button", class: "danger", id: "go-off-duty", onclick: (e) => save(e.currentTarget, false) }, t("下班", "Go off duty")),
    ),
  );
}

// The profile photo residents see on their order (PUT /technicians/{id}/photo; the company may set it too).
function paintMyPhoto() {
  const box = document.getElementById("my-photo");
  if (!box) return;
  profilePhotoEditor(box, me.user_id, {
    alt: t("我的照片", "My photo"),
    none: t("还没有照片。居民开门前会看您的照片，请上传一张清楚的正面照。", "No photo yet. Residents look at it before they open the door: upload a clear one of your face."),
    label: (has) => (has ? t("换一张照片", "Change the photo") : t("上传照片（JPEG/PNG，最大 5 MB）", "Upload a photo (JPEG/PNG, at most 5 MB)")),
  }, { before: h("h2", { id: "my-photo-title" }, t("我的照片", "My photo")), imgId: "my-photo-img", inputId: "my-photo-input" });
}

function remaining(expiresAt) {
  return Math.max(0, Math.round((new Date(expiresAt).getTime() - Date.now()) / 1000));
}

/** Updates each countdown; returns how many have run out. */
function tickCountdowns() {
  let expired = 0;
  for (const el of document.querySelectorAll("[data-expires]")) {
    const left = remaining(el.dataset.expires);
    el.textContent = left > 0 ? t(`还剩 ${left} 秒`, `${left} s left`) : t("已过期", "Expired");
    if (left <= 0) expired += 1;
  }
  return expired;
}

async function loadOffers() {
  const box = document.getElementById("offers");
  if (!box) return;
  let offers;
  try {
    offers = (await apiAll("/offers")).offers;
  } catch (err) {
    return showError(err);
  }
  const stamp = offers.map((o) => o.offer_id).join(",") + document.documentElement.lang;
  if (stamp === offersSeen) return;
  offersSeen = stamp;
  const act = (offer, verb) => async (e) =>
    attempt(e.currentTarget, async () => {
      await api("POST", `/offers/${offer.offer_id}/${verb}`, {});
      offersSeen = "";
      await Promise.all([loadOffers(), loadJobs()]);
    });
  render(
    box,
    offers.length
      ? offers.map((o) =>
          h("article", { class: "card emph offer", "data-offer": o.offer_id },
            h("h3", {}, `${typeName(o.order_type)} · ${categoryName(o.category)}`, o.mode === "grab" ? h("span", { class: "pill", style: "margin-left:.5rem" }, t("抢单", "First to accept")) : null),
            h("p", {}, o.description),
            h("p", {}, o.address_label, o.place ? ` · ${o.place}` : ""),
            h("p", { class: "status-now", "data-expires": o.expires_at, role: "timer" }, ""),
            h("p", { class: "row" },
              h("button", { type: "button", class: "good accept", onclick: act(o, "accept") }, t("接单", "Accept")),
              h("button", { type: "button", class: "quiet decline", onclick: act(o, "decline") }, t("不接", "Decline")),
            ),
          ),
        )
      : h("p", {}, t("暂时没有新派单。", "No offers right now.")),
  );
  tickCountdowns();
}

async function loadJobs() {
  const box = document.getElementById("jobs");
  if (!box) return;
  let orders;
  try {
    orders = (await api("GET", "/orders")).orders;
  } catch (err) {
    return showError(err);
  }
  const today = new Date().toDateString();
  const jobs = orders.filter((o) => !FINAL.includes(o.status) || new Date(o.updated_at).toDateString() === today);
  const stamp = jobs.map((o) => o.order_id + o.status).join(",") + document.documentElement.lang;
  if (stamp === jobsSeen) return;
  jobsSeen = stamp;
  const progress = (o, status) => async (e) =>
    attempt(e.currentTarget, async () => {
      await api("POST", `/orders/${o.order_id}/progress`, { status });
      jobsSeen = "";
      await loadJobs();
    });
  render(
    box,
    jobs.length
      ? jobs.map((o) =>
          h("article", { class: "card job", "data-order": o.order_id },
            h("h3", {}, `${typeName(o.type)} · ${categoryName(o.category)}`),
            h("p", { class: "job-status" }, h("strong", {}, pick(o.status_text))),
            h("p", {}, o.description),
            h("p", {}, o.address_label, o.place ? ` · ${o.place}` : "", o.slot ? ` · ${time(o.slot.start)}–${time(o.slot.end, false)}` : ""),
            o.order_code
              ? h("p", { class: "card emph say-code" }, t("到门口请说出订单码：", "At the door, say the order code: "), h("strong", { class: "door-code", "data-code": o.order_code }, o.order_code))
              : h("p", { class: "muted" }, t("出发后这里会显示订单码，到门口请说给居民听。", "Once you are on your way, the order code to say at the door shows here.")),
            o.paused_reason
              ? h("p", { class: "alert paused", role: "status" }, t("居民核对订单码时对不上，订单已暂停。请联系调度。", "The resident's code check did not match: the order is paused. Call your dispatcher."))
              : null,
            h("p", { class: "row" },
              o.status === "assigned" ? h("button", { type: "button", class: "en-route", onclick: progress(o, "en_route") }, t("出发了", "On my way")) : null,
              ["assigned", "en_route"].includes(o.status) ? h("button", { type: "button", class: "on-site", onclick: progress(o, "on_site") }, t("已到达", "Arrived")) : null,
              o.status === "on_site" ? h("a", { class: "button good bill", href: `#/job/${o.order_id}` }, t("记录账单并完工", "Bill and complete")) : null,
            ),
          ),
        )
      : h("p", {}, t("今天还没有活。", "No jobs today yet.")),
  );
}

// ---------------------------------------------------------------- bill and completion
async function job(orderId) {
  frame(t("账单", "Bill"));
  let order;
  let catalogue;
  try {
    order = await api("GET", `/orders/${orderId}`);
    const version = order.quote ? `&version=${order.quote.catalogue_version}` : "";
    catalogue = await api("GET", `/catalogue?category=${encodeURIComponent(order.category)}${version}`);
  } catch (err) {
    return showError(err);
  }
  const quoted = new Set(((order.quote && order.quote.items) || []).map((i) => i.item_id));
  const lines = []; // {item, quantities: {part_id: n}, reason, photo: {id, preview}}
  const donePhotos = []; // {id, preview}: photos of the finished work (at most 6)
  let workNote = ""; // what was done, in the technician's words (required when the bill has no lines)
  let uploading = false;
  const busy = (on) => { uploading = on; };

  const paint = () => {
    const total = lines.reduce((sum, l) => sum + l.item.labour + l.item.parts.reduce((s, p) => s + p.reference_price * (Number(l.quantities[p.part_id]) || 0), 0), 0);
    render(
      view(),
      h("h1", {}, t("账单和完工", "Bill and completion")),
      h("p", {}, `${order.description} · ${order.address_label}`),
      order.quote ? h("p", { class: "card" }, t("报价：", "Quote: "), pick(order.quote, "note_zh", "note_en")) : null,
      order.photo_ref ? [h("p", {}, t("居民拍的故障照片：", "The resident's photo of the fault:")), orderPhoto(order.order_id, order.photo_ref, t("居民拍的故障照片", "The resident's photo of the fault"))] : null,
      h("section", { "aria-labelledby": "catalogue-title" },
        h("h2", { id: "catalogue-title" }, t("从价目表添加项目", "Add work from the catalogue")),
        h("ul", { style: "list-style:none;padding:0" }, catalogue.items.filter((i) => i.active !== false).map((item) =>
          h("li", { class: "row", style: "margin-bottom:.5rem" },
            h("button", { type: "button", class: "quiet add-item", "data-item": item.item_id, disabled: lines.some((l) => l.item.item_id === item.item_id), onclick: () => {
              lines.push({ item, quantities: Object.fromEntries(item.parts.map((p) => [p.part_id, p.typical_quantity ?? 1])), reason: "" });
              paint();
            } }, t("添加", "Add")),
            h("span", {}, pick(item, "name", "name_en"), " · ", t("工费", "labour"), " ", money(item.labour), " · ", t("上限", "cap"), " ", money(item.cap), quoted.has(item.item_id) ? "" : h("span", { class: "pill", style: "margin-left:.4rem" }, t("报价外", "beyond quote"))),
          ),
        )),
      ),
      h("section", { "aria-labelledby": "lines-title" },
        h("h2", { id: "lines-title" }, t("本单项目", "This job's lines")),
        lines.length ? null : h("p", {}, t("没有项目也可以完工（例如只是检查），但要写明做了什么。", "You may complete without lines (e.g. an inspection only), saying what you did.")),
        lines.map((l, index) =>
          h("div", { class: "card bill-line", "data-item": l.item.item_id },
            h("h3", {}, pick(l.item, "name", "name_en")),
            h("p", {}, t("工费 ", "Labour "), money(l.item.labour)),
            l.item.parts.map((p) =>
              h("p", {}, h("label", { for: `q-${index}-${p.part_id}` }, `${pick(p, "name", "name_en")}（${money(p.reference_price)} / ${t("个", "each")}）`),
                h("input", { id: `q-${index}-${p.part_id}`, type: "number", min: "0", step: "1", value: l.quantities[p.part_id], style: "max-width:8rem", oninput: (e) => { l.quantities[p.part_id] = e.target.value; } })),
            ),
            quoted.has(l.item.item_id) ? null : [
              h("p", {}, h("label", { for: `reason-${index}` }, t("报价外项目：请写给居民看的原因（必填）", "Beyond the quote: the reason, for the resident (required)"))),
              h("input", { id: `reason-${index}`, class: "reason", type: "text", maxlength: "300", value: l.reason, oninput: (e) => { l.reason = e.target.value; } }),
            ],
            l.photo
              ? h("p", {}, h("img", { class: "photo", src: l.photo.preview, alt: t(`这一项的照片：${pick(l.item, "name", "name_en")}`, `Photo for this line: ${pick(l.item, "name", "name_en")}`) }),
                  h("button", { type: "button", class: "quiet", onclick: () => { l.photo = null; paint(); } }, t("去掉照片", "Remove the photo")))
              : photoPicker({
                  id: `line-photo-${index}`,
                  label: t("拍张照片给居民看（报价外项目建议拍）", "A photo for the resident (advised for lines beyond the quote)"),
                  purpose: "work",
                  onBusy: busy,
                  onUploaded: (id, preview) => { l.photo = { id, preview }; paint(); },
                }),
            h("button", { type: "button", class: "quiet", onclick: () => { lines.splice(index, 1); paint(); } }, t("删除这一项", "Remove this line")),
          ),
        ),
        h("p", {}, t("按参考价合计约 ", "Total at reference prices about "), money(total), order.quote && order.quote.free_service ? t("（试点小区：居民不付钱）", " (pilot compound: the resident pays nothing)") : ""),
      ),
      h("div", { class: "field" },
        h("p", {}, h("label", { id: "work-note-label", for: "work-note" }, lines.length
          ? t("做了什么（写给居民看，可以不写）", "What you did, for the resident (optional)")
          : t("做了什么（写给居民看；没有收费项目时必填）", "What you did, for the resident (required with no lines)"))),
        h("textarea", { id: "work-note", maxlength: "300", oninput: (e) => { workNote = e.target.value; } }, workNote),
      ),
      h("section", { "aria-labelledby": "done-photos-title" },
        h("h2", { id: "done-photos-title" }, t("完工照片（最多 6 张）", "Photos of the finished work (up to 6)")),
        h("div", { class: "photos" }, donePhotos.map((p, i) =>
          h("div", {}, h("img", { class: "photo", src: p.preview, alt: t(`完工照片 ${i + 1}`, `Finished work, photo ${i + 1}`) }),
            h("button", { type: "button", class: "quiet", onclick: () => { donePhotos.splice(i, 1); paint(); } }, t("去掉", "Remove"))))),
        donePhotos.length < 6
          ? photoPicker({ id: "done-photos", label: t("拍完工照片", "Take photos of the finished work"), purpose: "work", multiple: true, onBusy: busy,
              onUploaded: (id, preview) => { if (donePhotos.length < 6) donePhotos.push({ id, preview }); paint(); } })
          : null,
      ),
      h("button", { type: "button", class: "good", id: "complete", style: "min-height:64px;font-size:1.3rem", onclick: (e) => complete(e.currentTarget) }, t("完工并提交账单", "Complete and send the bill")),
      h("p", {}, h("a", { href: "#/" }, t("返回", "Back"))),
    );
  };

  const complete = async (button) => {
    const body = {
      lines: lines.map((l) => {
        const line = { item_id: l.item.item_id, parts: l.item.parts.filter((p) => Number(l.quantities[p.part_id]) > 0).map((p) => ({ part_id: p.part_id, quantity: Number(l.quantities[p.part_id]) })) };
        if (l.reason.trim()) line.reason = l.reason.trim();
        if (l.photo) line.photo_ref = l.photo.id;
        return line;
      }),
      photos: donePhotos.map((p) => p.id),
    };
    if (workNote.trim()) body.note = workNote.trim();
    if (uploading) return showError(new ApiError(400, { error: { message: "照片还在上传，请稍等", message_en: "A photo is still uploading; please wait." } }));
    await attempt(button, async () => {
      const result = await api("POST", `/orders/${orderId}/completion`, body);
      render(view(), h("h1", {}, t("已提交", "Sent")), h("p", { class: "status-now", id: "completion-result" }, pick(result.status_text)), h("p", {}, h("a", { class: "button", href: "#/" }, t("返回接单", "Back to offers"))));
    });
  };
  paint();
}

// ---------------------------------------------------------------- messages
async function messages() {
  frame(t("我收到的消息", "My messages"));
  render(view(), h("h1", {}, t("我收到的消息", "My messages")), h("div", { id: "messages" }, t("正在加载…", "Loading…")), h("p", {}, h("a", { href: "#/" }, t("返回接单", "Back to offers"))));
  try {
    render(document.getElementById("messages"), messageList((await api("GET", "/messages")).messages, null));
  } catch (err) {
    showError(err);
  }
}

const start = router(
  [
    [/^#\/job\/([\w-]+)$/, (m) => job(m[1])],
    [/^#\/messages$/, () => (messages(), { poll: messages })],
  ],
  () => home(),
);
start();
