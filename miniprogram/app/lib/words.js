// Shared words: order types, categories, common problems, statuses (as in the web resident app).
const { t } = require("./i18n.js");

const TYPES = {
  emergency: ["应急维修", "Emergency repair"],
  booking: ["服务预约", "Service booking"],
  public_area: ["公区报事", "Public-area report"],
};
const CATEGORIES = {
  electrical: ["电路 / 灯", "Electrics / lights"],
  plumbing: ["水管 / 下水", "Water / drains"],
  locks: ["门锁", "Locks"],
  appliances: ["家电", "Appliances"],
  other: ["其他", "Other"],
};
// The Chinese words match the catalogue's keywords.
const PROBLEMS = {
  electrical: [["灯不亮", "The light does not work"], ["跳闸了", "The power keeps tripping"], ["插座没电", "A socket is dead"], ["开关坏了", "A switch is broken"]],
  plumbing: [["下水道堵了", "The drain is blocked"], ["水龙头滴水", "The tap drips"], ["马桶长流水", "The toilet keeps running"], ["阀门漏水", "A valve leaks"]],
  locks: [["锁坏了", "The lock is broken"], ["锁在门外", "I am locked out"], ["钥匙丢了", "I lost my key"]],
  appliances: [["热水器坏了", "The water heater is broken"], ["洗衣机漏水", "The washing machine leaks"], ["油烟机要清洗", "The range hood needs cleaning"]],
  other: [["门关不上", "The door will not close"], ["安装窗帘杆", "Put up a curtain rod"], ["合页坏了", "A hinge is broken"]],
};
const PLACES = [["楼道", "Stairwell"], ["电梯", "Lift"], ["路灯", "Street light"], ["小区大门", "Compound gate"], ["自行车棚", "Bike shed"]];
const STATUS = {
  submitted: ["已提交", "Submitted"], matching: ["正在找师傅", "Looking for a technician"], offered: ["已通知师傅", "Technician notified"],
  assigned: ["师傅已接单", "Technician accepted"], en_route: ["师傅在路上", "Technician on the way"], on_site: ["师傅已到达", "Technician arrived"],
  awaiting_approval: ["等您确认额外项目", "Waiting for your consent"], completed: ["维修完成", "Repair done"], rated: ["已评价", "Rated"],
  closed: ["已结束", "Closed"], cancelled: ["已取消", "Cancelled"], escalated: ["监管人员在安排", "A supervisor is arranging it"],
};
const ACTIVE = ["submitted", "matching", "offered", "assigned", "en_route", "on_site", "awaiting_approval", "escalated", "completed"];
const CANCELLABLE = ["submitted", "matching", "offered", "assigned", "en_route", "escalated"];

const word = (table, key) => (table[key] ? t(table[key][0], table[key][1]) : key || "");
const typeName = (key) => word(TYPES, key);
const categoryName = (key) => word(CATEGORIES, key);
const statusName = (key) => word(STATUS, key);

function money(value) {
  const n = Number(value || 0);
  const s = n.toFixed(n % 1 ? 2 : 0);
  return t(`${s} 元`, `CNY ${s}`);
}

/** Beijing wall-clock time: "12月4日 19:38" / "4 Dec 19:38" (withDate false: "19:38"). */
function time(iso, withDate = true) {
  if (!iso) return "";
  const d = new Date(new Date(iso).getTime() + 8 * 3600e3);
  const hm = d.toISOString().slice(11, 16);
  if (!withDate) return hm;
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return t(`${month}月${day}日 ${hm}`, `${day}/${month} ${hm}`);
}

module.exports = { TYPES, CATEGORIES, PROBLEMS, PLACES, STATUS, ACTIVE, CANCELLABLE, typeName, categoryName, statusName, money, time };
