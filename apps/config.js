// Where the apps find the API and web push. In the sandbox the API is on the same server (""), web push is its /live
// (""); the CDK stack deploys its own config.js beside the apps (infra/apps_config.py). The sign-in screen
// (signin.js) signs in through the API's /auth/* routes, and lists the demo people where GET /dev/personas answers.
export const API_BASE_URL = "";
export const PUSH_URL = "";
export const SIGN_IN = null;
