#!/usr/bin/env node
// Writes the two files the operator owns, from the committed examples and the environment:
//   app/config.js        API_BASE_URL, PUSH_URL, TEMPLATES, DEV_LOGIN_CODE (LINLI_MP_API_BASE_URL, LINLI_MP_PUSH_URL,
//                        LINLI_MP_TEMPLATE_<KIND>, LINLI_MP_DEV_LOGIN_CODE: the sandbox only)
//   project.config.json  the AppID (LINLI_MP_APPID; "touristappid", the developer tools' test AppID, when unset)
// Nothing else reads these values: no address or AppID is written anywhere in the code.
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const example = require(path.join(root, "app", "config.example.js"));
const env = process.env;

const config = {
  API_BASE_URL: env.LINLI_MP_API_BASE_URL || example.API_BASE_URL,
  PUSH_URL: env.LINLI_MP_PUSH_URL || example.PUSH_URL,
  DEV_LOGIN_CODE: env.LINLI_MP_DEV_LOGIN_CODE || "",
  TEMPLATES: Object.fromEntries(
    Object.keys(example.TEMPLATES).map((kind) => [kind, env[`LINLI_MP_TEMPLATE_${kind.toUpperCase()}`] || example.TEMPLATES[kind]]),
  ),
};
if (!/^https?:\/\/[^/]+/.test(config.API_BASE_URL)) {
  console.error(`LINLI_MP_API_BASE_URL must be an http(s) URL, not ${JSON.stringify(config.API_BASE_URL)}`);
  process.exit(2);
}
config.API_BASE_URL = config.API_BASE_URL.replace(/\/+$/, "");
if (config.DEV_LOGIN_CODE && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(config.API_BASE_URL)) {
  console.error("LINLI_MP_DEV_LOGIN_CODE is for the local sandbox only (an API on 127.0.0.1 or localhost)");
  process.exit(2);
}

fs.writeFileSync(
  path.join(root, "app", "config.js"),
  `// Written by scripts/configure.js from config.example.js and the environment; not committed.\nmodule.exports = ${JSON.stringify(config, null, 2)};\n`,
);
const project = JSON.parse(fs.readFileSync(path.join(root, "project.config.example.json"), "utf8"));
project.appid = env.LINLI_MP_APPID || "touristappid";
fs.writeFileSync(path.join(root, "project.config.json"), JSON.stringify(project, null, 2) + "\n");
console.log(`app/config.js: ${config.API_BASE_URL}; project.config.json: appid ${project.appid}`);
