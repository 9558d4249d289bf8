// The company back office: admission (the application with its documents, the status and the supervisors'
// reason), its technicians (registered here, each with their vetting status and profile photo), the company's
// orders, public-area reports to assign, its credit record, call tasks, webhook settings with the delivery log, API keys.
import { ApiError, CATEGORIES, api, apiAll, attempt, categoryName, h, header, messageList, profilePhotoEditor, render, requireRole, router, scrollBox, showError, t, time } from "/app/shared/core.js";
import { CERTIFICATES, auditPanel, creditPanel, dispatchForm, orderSummary, ordersTable, statusPill, tabs } from "/app/shared/staff.js";

requireRole("dispatcher");
const view = () => document.getElementById("view");
const TABS = [["#/", "待派公区报事", "Public-area reports"], ["#/desk", "服务台", "Service desk"], ["#/phone-order", "电话下单", "Phone order"], ["#/orders", "本公司订单", "Our orders"], ["#/technicians", "师傅", "Technicians"], ["#/residents", "住户", "Residents"], ["#/admission", "企业准入", "Admission"], ["#/credit", "信用", "Credit"], ["#/calls", "电话任务", "Call tasks"], ["#/messages", "消息", "Messages"], ["#/webhook", "Webhook", "Webhook"], ["#/keys", "API 密钥", "API keys"]];

/** The company's technicians who may be dispatched: registered by it and active (GET /companies/me/technicians). */
async function activeTechnicians() {
  return (await apiAll("/companies/me/technicians")).technicians.filter((x) => x.status === "active");
}

let admissionStatus = null; // the company's, once GET /companies/me has answered

/** Until the company is admitted, every screen says so, with a link to the admission screen. */
function admissionNotice() {
  if (!admissionStatus || admissionStatus === "admitted" || location.hash === "#/admission") return null;
  return h("p", { class: "card emph", id: "admission-notice" }, t("贵公司尚未准入，暂不能接单：", "Your company is not admitted yet and receives no orders: "),
    statusPill(admissionStatus), " ", h("a", { href: "#/admission" }, t("查看准入状态", "See the admission status")));
}

function frame(title, ...content) {
  document.title = `${title} · ${t("邻里物业后台", "Linli back office")}`;
  render(document.getElementById("header"), header(t("邻里 · 物业后台", "Linli · Back office"), () => start()));
  render(view(), tabs(TABS, t("后台功能", "Sections")), admissionNotice(), h("h1", {}, title), ...content);
  return document.getElementById("panel"); // this screen's own panel: a late answer never paints another screen
}


async function reports() {
  const panel = frame(t("待派的公区报事", "Public-area reports to assign"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const all = (await api("GET", "/orders")).orders;
    const open = all.filter((o) => o.type === "public_area" && o.status === "submitted");
    const techs = await activeTechnicians();
    render(panel, open.length
      ? open.map((o) => h("article", { class: "card report", "data-order": o.order_id },
          h("h2", {}, o.place || "", " · ", o.description),
          h("p", {}, o.address_label, " · ", time(o.created_at)),
          dispatchForm(o.order_id, techs, reports, attempt),
          unfoundedForm(o.order_id, reports)))
      : h("p", {}, t("没有待派的公区报事。", "No public-area reports waiting.")));
  } catch (err) {
    showError(err);
  }
}

/** A report found false (nothing broken, a prank) is closed with the reason: it counts for nobody's credit. */
function unfoundedForm(orderId, onDone) {
  const inputId = `unfounded-${orderId}`;
  return h("form", { class: "row unfounded", onsubmit: async (e) => {
    e.preventDefault();
    const button = e.currentTarget.querySelector("button");
    await attempt(button, async () => {
      await api("POST", `/orders/${orderId}/unfounded`, { reason: document.getElementById(inputId).value });
      await onDone();
    });
  } },
    h("label", { for: inputId }, t("不实原因", "Why it is unfounded")),
    h("input", { id: inputId, type: "text", required: true, maxlength: 200 }),
    h("button", { type: "submit" }, t("按不实关闭", "Close as unfounded")),
  );
}

let lastReports = "";
async function refreshReports() {
  try {
    const ids = (await api("GET", "/orders")).orders.filter((o) => o.type === "public_area" && o.status === "submitted").map((o) => o.order_id).join();
    if (lastReports && ids !== lastReports) reports();
    lastReports = ids;
  } catch {
    /* shown on the next full load */
  }
}

// ---------------------------------------------------------------- the service desk: every order in our compounds
const DESK_STATUSES = ["escalated", "offered", "matching", "submitted", "assigned", "en_route", "on_site", "completed", "cancelled"];
const deskFilter = { status: "", type: "" };

async function deskScreen() {
  const panel = frame(t("服务台：本公司服务小区的全部订单", "Service desk: every order in our compounds"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  const query = new URLSearchParams(Object.entries(deskFilter).filter(([, v]) => v)).toString();
  try {
    const [listed, techs] = await Promise.all([api("GET", `/orders${query ? `?${query}` : ""}`), activeTechnicians()]);
    const select = (id, words, values, key) => h("div", {},
      h("label", { for: id }, words),
      h("select", { id, onchange: (e) => { deskFilter[key] = e.target.value; deskScreen(); } },
        h("option", { value: "" }, t("全部", "All")), values.map(([v, zh, en]) => h("option", { value: v, selected: deskFilter[key] === v }, t(zh, en)))));
    const filters = h("form", { class: "filters", id: "desk-filters", onsubmit: (e) => e.preventDefault() },
      select("desk-status", t("状态", "Status"), DESK_STATUSES.map((s) => [s, s, s]), "status"),
      select("desk-type", t("类型", "Type"), [["emergency", "应急维修", "Emergency"], ["booking", "服务预约", "Booking"], ["public_area", "公区报事", "Public area"]], "type"));
    const actionable = (o) => o.status === "escalated" || (o.status === "offered" && o.type !== "public_area");
    render(panel, filters,
      listed.orders.length
        ? listed.orders.map((o) => h("article", { class: "card desk-order", "data-order": o.order_id, "data-status": o.status },
            h("h2", {}, h("a", { href: `#/order/${o.order_id}` }, `${o.description}`)),
            h("p", {}, statusPill(o.status), " ", o.address_label, o.place ? ` · ${o.place}` : "", " · ", time(o.created_at)),
            o.escalation_reason ? h("p", {}, t("升级原因：", "Escalated: "), o.escalation_reason) : null,
            o.technician ? h("p", {}, t("师傅：", "Technician: "), o.technician.name, " · ", o.technician.company_name || "") : null,
            actionable(o)
              ? [h("p", { class: "hint" }, o.status === "offered" ? t("派给本公司师傅将接手此单，撤回正在等待答复的派单。", "Dispatching takes the order over and withdraws the open offers.") : t("已升级：请派本公司的师傅。", "Escalated: dispatch one of our technicians.")),
                 dispatchForm(o.order_id, techs, deskScreen, attempt)]
              : null))
        : h("p", {}, t("没有符合条件的订单。", "No orders match.")));
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- an order placed for a caller on the phone
async function phoneOrder() {
  const panel = frame(t("电话下单（替来电居民报修）", "Phone order (for a resident who called)"), h("div", { id: "panel" }));
  const field = (id, zh, en, attrs = {}) => h("div", { class: "field" }, h("label", { for: id }, t(zh, en)), h("input", { id, type: "text", ...attrs }));
  render(panel, h("form", { class: "card", id: "phone-order-form", onsubmit: async (e) => {
    e.preventDefault();
    const button = e.currentTarget.querySelector("button[type=submit]");
    const value = (id) => document.getElementById(id).value.trim();
    await attempt(button, async () => {
      const placed = await api("POST", "/orders", {
        on_behalf_of: value("po-resident"), channel: "phone", address_id: value("po-address"),
        type: value("po-type"), category: value("po-category"), description: value("po-description"),
      });
      render(document.getElementById("phone-order-result"), h("p", { class: "card emph", role: "status" },
        t("已下单，居民会收到短信：", "Placed; the resident is told by SMS: "), h("a", { href: `#/order/${placed.order_id}` }, placed.order_id)));
    });
  } },
    h("p", { class: "hint" }, t("只能为本公司服务小区里已核实手机号的居民下单；居民会收到短信。", "Only for a verified resident of a compound we serve; they are told by SMS.")),
    h("div", { class: "form-grid" },
      field("po-resident", "居民编号", "Resident id"),
      field("po-address", "居民的地址编号", "The resident's address id"),
      h("div", { class: "field" }, h("label", { for: "po-type" }, t("类型", "Type")),
        h("select", { id: "po-type" }, h("option", { value: "emergency" }, t("应急维修", "Emergency repair")))),
      h("div", { class: "field" }, h("label", { for: "po-category" }, t("维修类别", "Category")),
        h("select", { id: "po-category" }, Object.entries(CATEGORIES).map(([k, [zh, en]]) => h("option", { value: k }, t(zh, en))))),
      field("po-description", "居民说的问题", "What the caller said", { maxlength: "500" }),
    ),
    h("button", { type: "submit", id: "place-phone-order" }, t("替居民下单", "Place the order")),
  ), h("div", { id: "phone-order-result" }));
}

async function orders() {
  const panel = frame(t("本公司订单", "Our orders"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    render(panel, ordersTable([...(await api("GET", "/orders")).orders].reverse()));
  } catch (err) {
    showError(err);
  }
}

async function order(orderId) {
  const panel = frame(t("订单详情", "Order"), h("div", { id: "panel" }));
  try {
    const o = await api("GET", `/orders/${orderId}`);
    render(panel, orderSummary(o), await auditPanel(orderId).catch(() => null));
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- documents, admission, technicians
const UPLOADABLE = { "application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG" };
const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024; // the upload URL is signed with the exact length (the API's limit)
const DOC_KINDS = { business_licence: ["营业执照", "Business licence"], qualification: ["资质证书", "Qualification"], certificate: ["证书扫描件", "Certificate scan"], identity: ["身份证明", "Identity document"] };
const fail = (zh, en) => new ApiError(400, { error: { message: zh, message_en: en } });

/** One file to S3 through a pre-signed URL: POST /documents, then PUT the file itself (it never passes through the API). */
async function upload(file, kind) {
  if (!UPLOADABLE[file.type]) throw fail(`“${file.name}”不是 PDF、JPG 或 PNG 文件`, `"${file.name}" is not a PDF, JPG or PNG file.`);
  const name = file.name.replace(/[/\\]/g, "_").slice(-120);
  if (file.size < 1 || file.size > DOCUMENT_MAX_BYTES) throw fail(`“${file.name}”须小于 10 MB`, `"${file.name}" must be under 10 MB.`);
  const doc = await api("POST", "/documents", { kind, filename: name, content_type: file.type, size: file.size });
  const sent = await fetch(doc.upload_url, { method: doc.method || "PUT", headers: doc.headers, body: file }).catch(() => null);
  if (!sent || !sent.ok) throw fail(`“${file.name}”上传失败，请重试`, `Uploading "${file.name}" failed; please try again.`);
  return doc.document_id;
}

const ADMISSION_WORDS = {
  not_applied: ["贵公司还没有申请准入。请填写营业执照信息、上传营业执照和资质材料后提交，由区住建委审核；准入前不会收到派单。", "Your company has not applied yet. Fill in the licence details, upload the licence and qualification documents and apply; the district housing authority vets it. No orders are offered before admission."],
  pending: ["申请已提交，正在等待监管部门审核。审核结果会发消息通知您。", "Applied: waiting for the supervisors' decision. You will get a message when they decide."],
  admitted: ["贵公司已准入，可以接单。", "Admitted: your company is offered orders."],
  rejected: ["申请被驳回。请按下面的原因补正后重新提交。", "The application was rejected. Put right what the reason says and apply again."],
  suspended: ["贵公司已被暂停接单，恢复须由监管部门决定。", "Suspended: no new orders until the supervisors reinstate your company."],
};

function field(id, zh, en, input, hint) {
  return h("div", { class: "field" }, h("label", { for: id }, t(zh, en)), input, hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

async function admission(message = "") {
  const panel = frame(t("企业准入", "Admission"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const me = await api("GET", "/companies/me");
    admissionStatus = me.status;
    const words = ADMISSION_WORDS[me.status] || ["", ""];
    const hasDocs = me.documents.length > 0;
    const status = h("section", { class: "card emph", id: "admission-status", "data-status": me.status, "aria-labelledby": "admission-title" },
      h("h2", { id: "admission-title" }, t("准入状态：", "Admission status: "), statusPill(me.status)),
      h("p", {}, t(...words)),
      me.status_reason ? h("p", { class: "verdict bad", id: "admission-reason" }, me.status === "suspended" ? t("暂停原因：", "Why suspended: ") : t("驳回原因：", "Why rejected: "), me.status_reason) : null,
      me.status === "not_applied" ? null : h("dl", { class: "facts" },
        h("dt", {}, t("企业名称", "Company")), h("dd", {}, me.name, me.name_en ? ` · ${me.name_en}` : ""),
        h("dt", {}, t("统一社会信用代码", "Licence number")), h("dd", {}, me.licence_number || "—"),
        h("dt", {}, t("申请时间", "Applied")), h("dd", {}, me.applied_at ? time(me.applied_at) : "—"),
        me.status_changed_at ? [h("dt", {}, t("审核时间", "Decided")), h("dd", {}, time(me.status_changed_at))] : null,
        h("dt", {}, t("已交材料", "Documents")), h("dd", {}, hasDocs ? h("ul", { id: "admission-documents" }, me.documents.map((d) => h("li", { "data-document": d.document_id }, d.filename, " · ", DOC_KINDS[d.kind] ? t(...DOC_KINDS[d.kind]) : d.kind))) : "—")),
    );
    const canApply = !["admitted", "suspended"].includes(me.status);
    const form = !canApply ? null : h("form", { class: "card", id: "application", onsubmit: async (e) => {
      e.preventDefault();
      await attempt(e.currentTarget.querySelector("button[type=submit]"), async () => {
        const licence = document.getElementById("app-licence-file").files;
        const more = [...document.getElementById("app-qualification-files").files];
        if (!licence.length && !hasDocs) throw fail("请上传营业执照", "Upload the business licence.");
        const ids = [];
        if (licence.length) ids.push(await upload(licence[0], "business_licence"));
        for (const file of more) ids.push(await upload(file, "qualification"));
        await api("PUT", "/companies/me/application", {
          name: document.getElementById("app-name").value.trim(),
          name_en: document.getElementById("app-name-en").value.trim(),
          licence_number: document.getElementById("app-licence").value.trim().toUpperCase(),
          documents: ids.length ? ids : me.documents.map((d) => d.document_id),
        });
        await admission(t("申请已提交，等待监管部门审核。", "Applied: waiting for the supervisors' decision."));
      });
    } },
      h("h2", {}, me.status === "not_applied" ? t("申请准入", "Apply for admission") : me.status === "pending" ? t("修改申请（审核前）", "Change the application (before the decision)") : t("重新提交申请", "Apply again")),
      h("div", { class: "form-grid" },
        field("app-name", "企业名称（营业执照上的全称）", "Company name (as on the licence)", h("input", { id: "app-name", type: "text", required: true, minlength: "2", maxlength: "100", value: me.name || "" })),
        field("app-name-en", "英文名称（可不填）", "English name (optional)", h("input", { id: "app-name-en", type: "text", maxlength: "100", value: me.name_en || "" })),
        field("app-licence", "统一社会信用代码（18 位）", "Unified social credit code (18 characters)",
          h("input", { id: "app-licence", type: "text", required: true, pattern: "[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}", maxlength: "18", autocomplete: "off", value: me.licence_number || "", "aria-describedby": "app-licence-hint" }),
          t("营业执照上的 18 位代码，例如 91110112MA01ABCD3X", "The 18-character code on the licence, e.g. 91110112MA01ABCD3X")),
        field("app-licence-file", "营业执照（PDF、JPG 或 PNG）", "Business licence (PDF, JPG or PNG)",
          h("input", { id: "app-licence-file", type: "file", accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", "aria-describedby": "app-licence-file-hint" }),
          hasDocs ? t("不选新文件则沿用已交的材料", "Leave empty to keep the documents already sent") : t("必须上传", "Required")),
        field("app-qualification-files", "其他资质材料（可多选，可不交）", "Other qualification documents (several allowed, optional)",
          h("input", { id: "app-qualification-files", type: "file", multiple: true, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" })),
      ),
      h("p", { class: "hint" }, t("文件直接上传到加密存储，链接 15 分钟内有效；只有贵公司和监管部门能查看。", "Files go straight to encrypted storage through links valid for 15 minutes; only your company and the supervisors can open them.")),
      h("p", {}, h("button", { type: "submit" }, t("提交申请", "Apply"))),
    );
    render(panel, h("p", { id: "admission-result", role: "status", class: message ? "card emph" : null }, message), status, form);
  } catch (err) {
    showError(err);
  }
}

function certificateCell(certs) {
  if (!certs.length) return "—";
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  return h("ul", { class: "plain" }, certs.map((c) => h("li", {},
    CERTIFICATES[c.kind] ? t(...CERTIFICATES[c.kind]) : c.kind, ` ${c.number} · ${c.issuer || "—"} · `,
    t(`有效期至 ${c.expires_on}`, `valid through ${c.expires_on}`), " ",
    c.expires_on >= today ? null : h("span", { class: "pill status-suspended" }, t("已过期", "expired")))));
}

function staffTable(staff, orders) {
  if (!staff.length) return h("p", { id: "staff-empty" }, t("还没有登记师傅。请用下面的表格登记。", "No technicians registered yet: use the form below."));
  return scrollBox(t("本公司师傅", "Our technicians"), h("table", { id: "staff" },
    h("caption", { class: "visually-hidden" }, t("本公司师傅和审核状态", "Our technicians and their vetting status")),
    h("thead", {}, h("tr", {}, [t("师傅", "Technician"), t("照片（居民开门前看）", "Photo (residents see it)"), t("审核状态", "Vetting status"), t("技能", "Skills"), t("证书", "Certificates"), t("登记时间", "Registered"), t("进行中", "In progress"), t("已完成", "Done")].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, staff.map((p) => {
      const mine = orders.filter((o) => o.technician && o.technician.technician_id === p.user_id);
      const done = mine.filter((o) => ["completed", "rated", "closed"].includes(o.status)).length;
      const open = mine.length - done - mine.filter((o) => o.status === "cancelled").length;
      return h("tr", { "data-technician": p.user_id, "data-status": p.status },
        h("th", { scope: "row" }, p.name, h("br"), h("span", { class: "muted" }, p.user_id), p.id_number_masked ? [h("br"), h("span", { class: "muted" }, p.id_number_masked)] : null),
        techPhotoCell(p),
        h("td", {}, statusPill(p.status), p.status_reason ? [h("br"), h("span", { class: "status-reason" }, t("原因：", "Reason: "), p.status_reason)] : null),
        h("td", {}, p.skills.map(categoryName).join("、") || "—", p.suspended_skills.length ? [h("br"), t("因证书过期暂停：", "Suspended (certificate expired): "), p.suspended_skills.map(categoryName).join("、")] : null),
        h("td", {}, certificateCell(p.certificates)),
        h("td", {}, p.registered_at ? time(p.registered_at) : "—"),
        h("td", {}, String(open)), h("td", {}, String(done)));
    }))));
}

const NEEDS = { electrician_low_voltage: "electrical", locksmith_registration: "locks" }; // shared/qualifications.py

function registrationForm(onDone) {
  const certificateFields = Object.entries(CERTIFICATES).map(([kind, words]) => h("fieldset", { "data-certificate": kind },
    h("legend", {}, t(...words)),
    h("p", { class: "hint" }, t(`有“${categoryName(NEEDS[kind])}”技能的师傅必须有这个证书；没有就留空。`, `Required for the skill "${categoryName(NEEDS[kind])}"; otherwise leave empty.`)),
    h("div", { class: "form-grid" },
      field(`cert-${kind}-number`, "证书编号", "Certificate number", h("input", { id: `cert-${kind}-number`, type: "text", maxlength: "60" })),
      field(`cert-${kind}-issuer`, "发证机关", "Issued by", h("input", { id: `cert-${kind}-issuer`, type: "text", maxlength: "100" })),
      field(`cert-${kind}-expires`, "有效期至（含当天）", "Valid through (inclusive)", h("input", { id: `cert-${kind}-expires`, type: "date" })),
      field(`cert-${kind}-file`, "证书扫描件（必交）", "Scan (required)", h("input", { id: `cert-${kind}-file`, type: "file", accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" })),
    )));
  return h("form", { class: "card", id: "register-technician", onsubmit: async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    await attempt(form.querySelector("button[type=submit]"), async () => {
      const skills = [...form.querySelectorAll("input[name=skill]:checked")].map((x) => x.value);
      if (!skills.length) throw fail("请至少选择一项技能", "Choose at least one skill.");
      const value = (id) => document.getElementById(id).value.trim();
      const certificates = [];
      for (const kind of Object.keys(CERTIFICATES)) {
        if (!value(`cert-${kind}-number`)) continue;
        if (!value(`cert-${kind}-issuer`) || !value(`cert-${kind}-expires`)) throw fail(`请填写${CERTIFICATES[kind][0]}的发证机关和有效期`, `Give the issuer and the last valid day of the ${CERTIFICATES[kind][1]}.`);
        const scan = document.getElementById(`cert-${kind}-file`).files[0];
        certificates.push({ kind, number: value(`cert-${kind}-number`), issuer: value(`cert-${kind}-issuer`), expires_on: value(`cert-${kind}-expires`), document_id: scan ? await upload(scan, "certificate") : null });
      }
      const tech = await api("POST", "/companies/me/technicians", { name: value("tech-name"), phone: value("tech-phone"), id_number: value("tech-id").toUpperCase(), skills, certificates });
      await onDone(t(`已登记：${tech.name}，等待监管部门审核。`, `Registered: ${tech.name}, waiting for the supervisors' vetting.`));
    });
  } },
    h("h2", {}, t("登记新师傅", "Register a technician")),
    h("p", { class: "hint" }, t("登记后由监管部门审核；审核通过（在岗）的师傅才会被派单。身份证号只保存前 6 位和后 4 位。", "The supervisors vet each registration; only active (approved) technicians are offered orders. Only the first 6 and last 4 characters of the identity number are kept.")),
    h("div", { class: "form-grid" },
      field("tech-name", "姓名", "Name", h("input", { id: "tech-name", type: "text", required: true, maxlength: "60", autocomplete: "off" })),
      field("tech-phone", "手机号", "Mobile number", h("input", { id: "tech-phone", type: "tel", required: true, pattern: "1[0-9]{10}", maxlength: "11", autocomplete: "off" })),
      field("tech-id", "身份证号（18 位）", "Identity card number (18 characters)", h("input", { id: "tech-id", type: "text", required: true, pattern: "[0-9]{17}[0-9Xx]", maxlength: "18", autocomplete: "off" })),
    ),
    h("fieldset", {}, h("legend", {}, t("技能", "Skills")),
      h("div", { class: "checks" }, Object.keys(CATEGORIES).map((key) => h("label", {}, h("input", { type: "checkbox", name: "skill", value: key }), categoryName(key))))),
    certificateFields,
    h("p", {}, h("button", { type: "submit" }, t("登记并提交审核", "Register and send for vetting"))),
  );
}

/** A renewed certificate for one of the company's technicians (POST /technicians/{id}/certificates), with its scan:
 *  the supervisors decide, and their approval gives back the skills the certificate covers. */
function renewalForm(staff, onDone) {
  return h("form", { class: "card", id: "renew-certificate", onsubmit: async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    await attempt(form.querySelector("button[type=submit]"), async () => {
      const value = (id) => document.getElementById(id).value.trim();
      const scan = document.getElementById("renew-file").files[0];
      if (!scan) throw fail("请上传新证书的扫描件", "Upload the scan of the new certificate.");
      const tech = value("renew-technician");
      const body = { kind: value("renew-kind"), number: value("renew-number"), issuer: value("renew-issuer"), expires_on: value("renew-expires"), document_id: await upload(scan, "certificate") };
      if (value("renew-issued")) body.issued_on = value("renew-issued");
      await api("POST", `/technicians/${tech}/certificates`, body);
      await onDone(t("换证申请已提交，等待监管部门审核。", "Renewal sent: waiting for the supervisors."));
    });
  } },
    h("h2", {}, t("换证（证书更新）", "Renew a certificate")),
    h("p", { class: "hint" }, t("监管部门批准后，因证书过期暂停的技能恢复接单。", "Once the supervisors approve it, the skills suspended by the expired certificate are back.")),
    h("div", { class: "form-grid" },
      field("renew-technician", "师傅", "Technician", h("select", { id: "renew-technician", required: true }, staff.map((p) => h("option", { value: p.user_id }, p.name)))),
      field("renew-kind", "证书", "Certificate", h("select", { id: "renew-kind", required: true }, Object.entries(CERTIFICATES).map(([kind, words]) => h("option", { value: kind }, t(...words))))),
      field("renew-number", "证书编号", "Certificate number", h("input", { id: "renew-number", type: "text", required: true, maxlength: "60" })),
      field("renew-issuer", "发证机关", "Issued by", h("input", { id: "renew-issuer", type: "text", required: true, maxlength: "100" })),
      field("renew-issued", "发证日期", "Issued on", h("input", { id: "renew-issued", type: "date" })),
      field("renew-expires", "有效期至（含当天）", "Valid through (inclusive)", h("input", { id: "renew-expires", type: "date", required: true })),
      field("renew-file", "新证书扫描件（必交）", "Scan of the new certificate (required)", h("input", { id: "renew-file", type: "file", required: true, accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" })),
    ),
    h("p", {}, h("button", { type: "submit" }, t("提交换证", "Send the renewal"))),
  );
}

async function technicians(message = "") {
  const panel = frame(t("本公司师傅", "Our technicians"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const staff = (await apiAll("/companies/me/technicians")).technicians;
    const list = (await api("GET", "/orders")).orders;
    render(panel,
      h("p", { id: "staff-result", role: "status", class: message ? "card emph" : null }, message),
      h("p", { class: "hint" }, t("审核状态：待审核 → 在岗（可派单）或已驳回；在岗的师傅可能被暂停。", "Vetting: pending → active (dispatchable) or rejected; an active technician may be suspended.")),
      staffTable(staff, list),
      staff.length ? renewalForm(staff, (msg) => technicians(msg)) : null,
      registrationForm((msg) => technicians(msg)));
  } catch (err) {
    showError(err);
  }
}

/** A technician's profile photo, and a file input to set it for him (PUT /technicians/{id}/photo). */
function techPhotoCell(p) {
  const cell = h("td", { "data-photo-of": p.user_id });
  profilePhotoEditor(cell, p.user_id, {
    alt: t(`${p.name}的照片`, `Photo of ${p.name}`),
    none: t("还没有照片", "No photo yet"),
    label: () => t(`为${p.name}上传照片`, `Upload a photo of ${p.name}`),
  });
  return cell;
}

async function credit() {
  const panel = frame(t("本公司信用", "Our credit record"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    render(panel,
      h("p", {}, t("信用分由居民评分、按时率和投诉率算出，影响派单排名；低于暂停线时暂停接单，由监管部门恢复。", "The score combines residents' ratings, deadlines met and complaints, and counts in matching; below the suspension line the company is suspended until the supervisors reinstate it.")),
      creditPanel(await api("GET", "/companies/me/credit")));
  } catch (err) {
    showError(err);
  }
}

async function messages() {
  const panel = frame(t("我收到的消息", "My messages"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    render(panel, messageList((await api("GET", "/messages")).messages));
  } catch (err) {
    showError(err);
  }
}

async function calls() {
  const panel = frame(t("需要打的电话", "Calls to make"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const list = (await apiAll("/call-tasks")).call_tasks;
    render(panel, list.length
      ? list.map((c) => h("article", { class: "card" }, h("h2", {}, `${c.resident_name} · ${c.phone}`), h("p", {}, time(c.created_at)), h("p", {}, t("请这样说：", "Say: "), t(c.text_zh, c.text_en))))
      : h("p", {}, t("没有电话任务。", "No calls to make.")));
  } catch (err) {
    showError(err);
  }
}

async function webhook() {
  const panel = frame("Webhook", h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  let current = null;
  try {
    current = await api("GET", "/companies/me/webhook");
  } catch (err) {
    if (err.status !== 404) showError(err);
  }
  let deliveries = [];
  try {
    deliveries = (await api("GET", "/companies/me/webhook/deliveries")).deliveries;
  } catch (err) {
    showError(err);
  }
  const secretBox = h("div", { id: "secret", "aria-live": "polite" });
  const showSecret = (result) => result && result.secret && render(secretBox, h("p", { class: "card emph" }, t("签名密钥（只显示这一次，请保存）：", "Signing secret (shown once; keep it): "), h("code", {}, result.secret)));
  render(panel,
    h("form", { class: "card", onsubmit: async (e) => {
      e.preventDefault();
      await attempt(e.currentTarget.querySelector("button"), async () => {
        showSecret(await api("PUT", "/companies/me/webhook", { url: document.getElementById("hook-url").value, enabled: document.getElementById("hook-on").checked }));
      });
    } },
      h("h2", {}, t("回调地址", "Endpoint")),
      h("p", {}, h("label", { for: "hook-url" }, "URL"), h("input", { id: "hook-url", type: "url", required: true, value: current ? current.url : "", placeholder: "https://" })),
      h("p", {}, h("input", { id: "hook-on", type: "checkbox", checked: current ? current.enabled : true, style: "width:1.5rem;height:1.5rem" }), " ", h("label", { for: "hook-on" }, t("启用", "Enabled"))),
      current ? h("p", { class: "muted" }, t("事件：", "Events: "), current.events.join(", ")) : null,
      h("p", { class: "row" }, h("button", { type: "submit" }, t("保存", "Save")),
        current ? h("button", { type: "button", class: "quiet", onclick: async (e) => attempt(e.currentTarget, async () => showSecret(await api("POST", "/companies/me/webhook/secret", {}))) }, t("更换签名密钥", "Rotate the secret")) : null),
    ),
    secretBox,
    h("h2", {}, t("投递记录", "Delivery log")),
    deliveries.length
      ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, [t("时间", "When"), t("事件", "Event"), t("订单", "Order"), t("状态", "Status"), t("次数", "Attempts"), ""].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, deliveries.map((d) => h("tr", {}, h("td", {}, time(d.updated_at)), h("td", {}, d.event_type), h("td", {}, d.order_id || "—"), h("td", {}, d.status), h("td", {}, String(d.attempts.length)),
            h("td", {}, h("button", { type: "button", class: "quiet", onclick: async (e) => attempt(e.currentTarget, async () => { await api("POST", `/companies/me/webhook/deliveries/${d.delivery_id}/replay`, {}); await webhook(); }) }, t("重发", "Replay"))))))))
      : h("p", {}, t("还没有投递。", "Nothing delivered yet.")),
  );
}

// What a key may do (docs/integrators.md): the dispatcher ticks each; staff enrol a key in their own app.
const KEY_SCOPES = {
  "offers.read": ["查看派单", "read offers"], "offers.answer": ["接单/拒单", "answer offers"], "orders.read": ["查看订单", "read orders"],
  "orders.dispatch": ["派工", "dispatch"], "orders.progress": ["更新进度", "progress"], "orders.complete": ["完工账单", "completion bills"],
};

async function keys() {
  const panel = frame(t("API 密钥", "API keys"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const list = (await apiAll("/companies/me/api-keys")).api_keys;
    const fresh = h("div", { "aria-live": "polite" });
    render(panel,
      h("p", {}, t("贵公司系统用密钥签名调用 /partner 接口，详见对接文档。", "Your company's system signs /partner calls with a key; see the integrators' guide.")),
      h("form", { class: "row card", onsubmit: async (e) => {
        e.preventDefault();
        await attempt(e.currentTarget.querySelector("button"), async () => {
          const operations = [...document.querySelectorAll("input[name=key-scope]:checked")].map((box) => box.value);
          const key = await api("POST", "/companies/me/api-keys", { label: document.getElementById("key-label").value, operations });
          await keys();
          render(document.querySelector("#panel [aria-live]"), h("p", { class: "card emph" }, t("新密钥（只显示这一次）：", "New key (shown once): "), h("code", {}, `${key.key_id} / ${key.secret}`)));
        });
      } }, h("label", { for: "key-label" }, t("用途", "Used by")), h("input", { id: "key-label", type: "text", required: true, style: "max-width:20rem" }),
        h("fieldset", {}, h("legend", {}, t("可做的操作（师傅须在自己的应用里登记后，密钥才能代表他）", "What it may do (it acts for a technician only once he enrols it in his app)")),
          Object.entries(KEY_SCOPES).map(([scope, words]) => h("label", {}, h("input", { type: "checkbox", name: "key-scope", value: scope, ...(scope.startsWith("offers.") ? { checked: true } : {}) }), t(...words)))),
        h("button", { type: "submit" }, t("新建密钥", "Create a key"))),
      fresh,
      list.length
        ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, [t("密钥", "Key"), t("用途", "Label"), t("创建", "Created"), t("状态", "State"), ""].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, list.map((k) => h("tr", {}, h("td", {}, h("code", {}, k.key_id)), h("td", {}, `${k.label} · ${(k.operations || []).join(", ")}`), h("td", {}, `${time(k.created_at)} · ${k.created_by}${k.expires_at ? ` → ${time(k.expires_at)}` : ""}`), h("td", {}, k.revoked_at ? t("已作废", "revoked") : t("有效", "active")),
              h("td", {}, k.revoked_at ? null : h("button", { type: "button", class: "danger", onclick: async (e) => attempt(e.currentTarget, async () => { await api("DELETE", `/companies/me/api-keys/${encodeURIComponent(k.key_id)}`); await keys(); }) }, t("作废", "Revoke"))))))))
        : h("p", {}, t("还没有密钥。", "No keys yet.")),
    );
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- residents: address claims, household codes, the desk
/** The compounds whose name contains the words typed, as a <select> (the API refuses another company's compound). */
function compoundPicker(id, zh, en) {
  const select = h("select", { id, required: true }, h("option", { value: "" }, t("先输入小区名称查找", "Search for the compound first")));
  const query = h("input", { id: `${id}-q`, type: "search", maxlength: "40", autocomplete: "off" });
  const find = h("button", { type: "button", id: `${id}-find`, onclick: async () => {
    try {
      const found = (await api("GET", `/compounds?q=${encodeURIComponent(query.value.trim())}`)).compounds;
      render(select, found.length ? found.map((c) => h("option", { value: c.compound_id }, c.name)) : h("option", { value: "" }, t("没有找到", "None found")));
    } catch (err) {
      showError(err);
    }
  } }, t("查找", "Search"));
  return h("div", { class: "field" }, h("label", { for: `${id}-q` }, t(zh, en)), h("div", { class: "checks" }, query, find), h("label", { for: id }, t("小区", "Compound")), select);
}

function householdFields(prefix) {
  return h("div", { class: "form-grid" },
    field(`${prefix}-building`, "楼号", "Building", h("input", { id: `${prefix}-building`, type: "text", required: true, maxlength: "8", autocomplete: "off" })),
    field(`${prefix}-unit`, "单元", "Unit", h("input", { id: `${prefix}-unit`, type: "text", required: true, maxlength: "8", autocomplete: "off" })),
    field(`${prefix}-room`, "门牌号", "Flat", h("input", { id: `${prefix}-room`, type: "text", required: true, maxlength: "8", autocomplete: "off" })));
}

const valueOf = (id) => document.getElementById(id).value.trim();
const household = (prefix) => ({ building: valueOf(`${prefix}-building`), unit: valueOf(`${prefix}-unit`), room: valueOf(`${prefix}-room`) });

async function residents(message = "") {
  const panel = frame(t("住户", "Residents"), h("div", { id: "panel" }, t("正在加载…", "Loading…")));
  try {
    const claims = (await apiAll("/addresses?status=pending")).claims;
    const decide = (c, decision) => async (e) => {
      const reason = decision === "reject" ? document.getElementById(`reason-${c.address_id}`).value.trim() : null;
      await attempt(e.currentTarget, async () => {
        await api("POST", `/addresses/${c.address_id}/verify`, { decision, reason });
        await residents(decision === "approve" ? t(`已核实：${c.resident_name} · ${c.label}`, `Verified: ${c.resident_name} · ${c.label}`) : t(`已驳回：${c.resident_name} · ${c.label}`, `Refused: ${c.resident_name} · ${c.label}`));
      });
    };
    render(panel,
      h("p", { id: "residents-result", role: "status", class: message ? "card emph" : null }, message),
      h("h2", {}, t("待核实的住户地址", "Address claims to verify")),
      claims.length
        ? h("ul", { class: "plain", id: "claims" }, claims.map((c) => h("li", { class: "card", "data-address": c.address_id },
            h("p", {}, h("strong", {}, c.resident_name || c.resident_id), " · ", c.label, " · ", time(c.claimed_at)),
            h("div", { class: "field" }, h("label", { for: `reason-${c.address_id}` }, t("驳回原因（驳回时必填）", "Reason (required to refuse)")), h("input", { id: `reason-${c.address_id}`, type: "text", maxlength: "500" })),
            h("p", {}, h("button", { type: "button", class: "good", onclick: decide(c, "approve") }, t("核实通过", "Verify")), " ", h("button", { type: "button", class: "danger", onclick: decide(c, "reject") }, t("驳回", "Refuse"))))))
        : h("p", { id: "claims-empty" }, t("没有待核实的地址。", "No address claims waiting.")),
      h("form", { class: "card", id: "household-code", onsubmit: async (e) => {
        e.preventDefault();
        await attempt(e.currentTarget.querySelector("button[type=submit]"), async () => {
          const made = await api("POST", `/compounds/${valueOf("code-compound")}/household-codes`, household("code"));
          render(document.getElementById("code-made"), t(`住户码：${made.code}（${made.building}号楼${made.unit}单元${made.room}，只显示这一次，请交给住户）`, `Household code: ${made.code} (building ${made.building}, unit ${made.unit}, flat ${made.room}; shown once, give it to the household)`));
        });
      } },
        h("h2", {}, t("生成住户码", "Make a household code")),
        h("p", { class: "hint" }, t("住户在居民端输入住户码，地址马上生效；每个码只能用一次。", "The resident enters the code in the app and the address is verified at once; each code works once.")),
        compoundPicker("code-compound", "小区名称", "Compound name"),
        householdFields("code"),
        h("p", {}, h("button", { type: "submit" }, t("生成", "Make the code"))),
        h("p", { id: "code-made", role: "status", class: "emph" })),
      h("form", { class: "card", id: "register-resident", onsubmit: async (e) => {
        e.preventDefault();
        await attempt(e.currentTarget.querySelector("button[type=submit]"), async () => {
          const made = await api("POST", "/residents", { name: valueOf("resident-name"), phone: valueOf("resident-phone"), compound_id: valueOf("resident-compound"), ...household("resident") });
          await residents(t(`已登记住户：${made.name} · ${made.address.label}。她可以用手机号 ${made.phone} 收验证码登录。`, `Registered: ${made.name} · ${made.address.label}. She signs in with a code sent to ${made.phone}.`));
        });
      } },
        h("h2", {}, t("代老人登记（没有智能手机）", "Register a resident without a smartphone")),
        h("p", { class: "hint" }, t("在物业前台代为登记：地址直接核实，记录为物业代登记。", "At the property desk on her behalf: the address is verified at once and recorded as registered by the desk.")),
        h("div", { class: "form-grid" },
          field("resident-name", "姓名", "Name", h("input", { id: "resident-name", type: "text", required: true, maxlength: "60", autocomplete: "off" })),
          field("resident-phone", "手机号", "Mobile number", h("input", { id: "resident-phone", type: "tel", required: true, pattern: "1[0-9]{10}", maxlength: "11", autocomplete: "off" }))),
        compoundPicker("resident-compound", "小区名称", "Compound name"),
        householdFields("resident"),
        h("p", {}, h("button", { type: "submit" }, t("登记", "Register")))),
    );
  } catch (err) {
    showError(err);
  }
}

const start = router(
  [
    [/^#\/orders$/, () => orders()],
    [/^#\/desk$/, () => deskScreen()],
    [/^#\/phone-order$/, () => phoneOrder()],
    [/^#\/order\/([\w-]+)$/, (m) => order(m[1])],
    [/^#\/technicians$/, () => technicians()],
    [/^#\/residents$/, () => residents()],
    [/^#\/admission$/, () => admission()],
    [/^#\/credit$/, () => credit()],
    [/^#\/messages$/, () => (messages(), { poll: messages })],
    [/^#\/calls$/, () => calls()],
    [/^#\/webhook$/, () => webhook()],
    [/^#\/keys$/, () => keys()],
  ],
  () => {
    lastReports = "";
    reports();
    return { poll: () => (document.activeElement && document.activeElement.closest("form") ? null : refreshReports()) };
  },
);
start();
// Shown without repainting the screen (a form may be half filled in): the next screens include it themselves.
api("GET", "/companies/me").then((me) => {
  admissionStatus = me.status;
  const notice = admissionNotice();
  if (notice && !document.getElementById("admission-notice")) view().querySelector("h1")?.before(notice);
}).catch(() => {});
