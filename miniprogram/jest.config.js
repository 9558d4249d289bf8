module.exports = {
  testEnvironment: "jsdom",
  roots: ["<rootDir>/tests"],
  // tests/sandbox/ runs against a running sandbox: jest.sandbox.config.js, started by tests/e2e/test_miniprogram.py.
  testPathIgnorePatterns: ["/node_modules/", "/tests/sandbox/"],
  // The pages read app/config.js (the operator's, not committed): the tests use their own.
  moduleNameMapper: { "^\\.\\./config\\.js$": "<rootDir>/tests/support/config.js" },
  testTimeout: 10000,
};
