// Chinese first, English on request (remembered in storage, as the web apps do).
const LANG_KEY = "linli.lang";

function lang() {
  try {
    return wx.getStorageSync(LANG_KEY) === "en" ? "en" : "zh";
  } catch (err) {
    return "zh";
  }
}

function setLang(value) {
  wx.setStorageSync(LANG_KEY, value === "en" ? "en" : "zh");
}

/** t("你好", "Hello") */
function t(zh, en) {
  return lang() === "en" ? en : zh;
}

/** {key: [zh, en]} → {key: words in the chosen language} */
function words(table) {
  const out = {};
  for (const key of Object.keys(table)) out[key] = t(table[key][0], table[key][1]);
  return out;
}

/** A bilingual object from the API ({zh, en}, or name/name_en style). */
function pick(obj, zhKey = "zh", enKey = "en") {
  if (!obj) return "";
  return (lang() === "en" ? obj[enKey] : obj[zhKey]) || obj[zhKey] || obj[enKey] || "";
}

module.exports = { lang, setLang, t, words, pick };
