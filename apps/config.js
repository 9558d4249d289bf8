// Where the apps find the API. In the sandbox the API is on the same server (""); the CDK stack deploys
// its own config.js beside the apps with the HTTP API's and the web-push API's URLs (infra/constructs/hosting.py).
export const API_BASE_URL = "";
// The web-push WebSocket stage (docs/apps.md#live-updates): "" is the same server's /live (the sandbox).
export const PUSH_URL = "";
