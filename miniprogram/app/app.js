// The Linli mini-program for residents. Each page is built with Component() (pages may be), so the page
// tests load them with miniprogram-simulate; what pages share lives in lib/.
App({});
