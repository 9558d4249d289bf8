// Where the apps find the API, web push and how people sign in. In the sandbox the API is on the same server
// (""), web push is its /live (""), and the sign-in screen lists the demo personas (SIGN_IN null); the CDK stack
// deploys its own config.js beside the apps (infra/apps_config.py).
export const API_BASE_URL = "";
export const PUSH_URL = "";
export const SIGN_IN = null;
