// The mini-program's pages against a running sandbox (LINLI_SANDBOX_URL): real HTTP, the real API's shapes.
// Started by tests/e2e/test_miniprogram.py with the session's sandbox.
module.exports = {
  testEnvironment: "jsdom",
  roots: ["<rootDir>/tests/sandbox"],
  moduleNameMapper: { "^\\.\\./config\\.js$": "<rootDir>/tests/sandbox/config.js" },
  testTimeout: 120000,
};
