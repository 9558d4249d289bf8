// Where the apps find the API, and how people sign in. In the sandbox the API is on the same server ("") and the
// sign-in screen lists the demo personas (SIGN_IN null); the CDK stack deploys its own config.js beside the apps
// with the HTTP API's URL and Cognito's managed login (infra/apps_config.py).
export const API_BASE_URL = "";
export const SIGN_IN = null;
