// Where the apps find the API. In the sandbox the API is on the same server (""); the CDK stack deploys
// its own config.js beside the apps with the HTTP API's URL (infra/constructs/hosting.py).
export const API_BASE_URL = "";
