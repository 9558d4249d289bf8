module.exports = {
  testEnvironment: "jsdom",
  roots: ["<rootDir>/tests"],
  // The pages read app/config.js (the operator's, not committed): the tests use their own.
  moduleNameMapper: { "^\\.\\./config\\.js$": "<rootDir>/tests/support/config.js" },
  testTimeout: 10000,
};
