// scripts/configure.js: app/config.js and project.config.json come from the committed examples and the
// environment only; a missing or bad value is refused and nothing is written. Each test runs the script on a
// copy of the mini-program's configuration files in a temporary folder, never on the checkout's own.
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const root = path.join(__dirname, "..");
let dir;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "linli-mp-configure-"));
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.mkdirSync(path.join(dir, "app"));
  fs.copyFileSync(path.join(root, "scripts", "configure.js"), path.join(dir, "scripts", "configure.js"));
  fs.copyFileSync(path.join(root, "app", "config.example.js"), path.join(dir, "app", "config.example.js"));
  fs.copyFileSync(path.join(root, "project.config.example.json"), path.join(dir, "project.config.example.json"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (env) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("LINLI_MP_")));
  return spawnSync(process.execPath, [path.join(dir, "scripts", "configure.js")], { env: { ...clean, ...env }, encoding: "utf8" });
};
const written = () => {
  const file = path.join(dir, "app", "config.js");
  delete require.cache[file];
  return require(file);
};
const project = () => JSON.parse(fs.readFileSync(path.join(dir, "project.config.json"), "utf8"));
const nothingWritten = () => {
  expect(fs.existsSync(path.join(dir, "app", "config.js"))).toBe(false);
  expect(fs.existsSync(path.join(dir, "project.config.json"))).toBe(false);
};

test("the AppID, the API's address, the push address and the template ids come from the environment", () => {
  const r = run({
    LINLI_MP_APPID: "wx0123456789abcdef",
    LINLI_MP_API_BASE_URL: "https://api.example.cn/prod/",
    LINLI_MP_PUSH_URL: "wss://push.example.cn/prod",
    LINLI_MP_TEMPLATE_ORDER_ACCEPTED: "tmpl-accepted",
    LINLI_MP_TEMPLATE_RATING_REMINDER: "tmpl-rating",
  });
  expect(r.status).toBe(0);
  const config = written();
  expect(config.API_BASE_URL).toBe("https://api.example.cn/prod"); // the trailing slash dropped
  expect(config.PUSH_URL).toBe("wss://push.example.cn/prod");
  expect(config.DEV_LOGIN_CODE).toBe("");
  expect(config.TEMPLATES).toMatchObject({ order_accepted: "tmpl-accepted", rating_reminder: "tmpl-rating", repair_done: "" });
  expect(Object.keys(config.TEMPLATES).sort()).toEqual(Object.keys(require("../app/config.example.js").TEMPLATES).sort());
  expect(project().appid).toBe("wx0123456789abcdef");
  expect(project().miniprogramRoot).toBe("app/");
});

test("with nothing set: the sandbox's address from the example and the developer tools' test AppID", () => {
  expect(run({}).status).toBe(0);
  expect(written().API_BASE_URL).toBe(require("../app/config.example.js").API_BASE_URL);
  expect(project().appid).toBe("touristappid");
});

test("an API address missing from both the environment and the example is refused, and nothing is written", () => {
  const example = path.join(dir, "app", "config.example.js");
  fs.writeFileSync(example, fs.readFileSync(example, "utf8").replace(/API_BASE_URL: "[^"]*"/, 'API_BASE_URL: ""'));
  const r = run({ LINLI_MP_APPID: "wx0123456789abcdef" });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/LINLI_MP_API_BASE_URL must be an http\(s\) URL/);
  nothingWritten();
});

test("an API address that is not an http(s) URL is refused, and nothing is written", () => {
  for (const bad of ["api.example.cn", "ftp://api.example.cn", "https://"]) {
    const r = run({ LINLI_MP_API_BASE_URL: bad });
    expect(r.status).toBe(2);
    nothingWritten();
  }
});

test("the sandbox's demo code is refused for an API that is not on this machine", () => {
  const r = run({ LINLI_MP_API_BASE_URL: "https://api.example.cn", LINLI_MP_DEV_LOGIN_CODE: "wx-demo:res_wang" });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/sandbox only/);
  nothingWritten();
  expect(run({ LINLI_MP_API_BASE_URL: "http://localhost:8080", LINLI_MP_DEV_LOGIN_CODE: "wx-demo:res_wang" }).status).toBe(0);
  expect(written().DEV_LOGIN_CODE).toBe("wx-demo:res_wang");
});

test("nothing in the mini-program's code holds an address or an AppID: they are read from app/config.js", () => {
  const offenders = [];
  const walk = (d) => {
    for (const name of fs.readdirSync(d)) {
      const file = path.join(d, name);
      if (fs.statSync(file).isDirectory()) walk(file);
      else if (/\.(js|json|wxml|wxss)$/.test(name) && !/^config(\.example)?\.js$/.test(name)) {
        const text = fs.readFileSync(file, "utf8");
        if (/(https?|wss?):\/\/|\bwx[0-9a-f]{16}\b|touristappid|127\.0\.0\.1|localhost/.test(text)) offenders.push(path.relative(root, file));
      }
    }
  };
  walk(path.join(root, "app"));
  expect(offenders).toEqual([]);
});
