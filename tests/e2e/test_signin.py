"""Signing in as in AWS (apps/shared/oauth.js), in headless chromium, against a small real OAuth 2.0 authorization
server on 127.0.0.1 that stands in for Cognito's managed login (which cannot run here): its authorize endpoint
sends the browser back with a code, its token endpoint checks the PKCE code_verifier against the S256 challenge
and answers with tokens the sandbox accepts (local/tokens.py), as API Gateway's JWT authorizer accepts Cognito's.

The apps are served from another origin with a config.js made by the stack's own generator (infra/apps_config.py);
their API calls are passed on to the sandbox, as CloudFront's apps call the HTTP API in AWS."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

from infra.apps_config import SignIn, config_js
from tests.e2e.test_apps import accessible

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    pytest.skip("no chromium on PATH: apt-get install chromium (.ci/run does it)", allow_module_level=True)

expect = playwright_api.expect
APPS = Path(__file__).resolve().parents[2] / "apps"
CLIENT_ID = "linli-apps-test-client"
STEP_MS = 30_000
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode("ascii")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A page that navigates away (a redirect to sign in) drops requests still being answered: not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[_Server, str]:
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class AuthServer:
    """/oauth2/authorize, /oauth2/token (authorization_code with PKCE S256, refresh_token), /oauth2/revoke, /logout."""

    def __init__(self, apps_origin: str) -> None:
        self.redirect_uri = f"{apps_origin}/app/"
        self.apps_origin = apps_origin
        self.user = ("res_wang", "resident", "王奶奶")
        self.forge_state = False  # the authorize endpoint answers with another state (a forged or stale return)
        self.codes: dict[str, dict] = {}
        self.refresh_tokens: dict[str, tuple[str, str, str]] = {}
        self.authorize: list[dict] = []
        self.token: list[dict] = []  # every token request with its outcome
        self.revoked: list[str] = []
        self.logouts: list[dict] = []
        self.server, self.url = _serve(self._handler())

    def tokens(self, user: tuple[str, str, str]) -> dict:
        from local.tokens import issue

        user_id, role, name = user
        now = int(time.time())
        id_token = jwt.encode(
            {
                "sub": user_id,
                "name": name,
                "cognito:groups": [role],
                "aud": CLIENT_ID,
                "token_use": "id",
                "iat": now,
                "exp": now + 900,
            },
            "not-checked-by-the-apps",
            algorithm="HS256",
        )
        refresh = secrets.token_urlsafe(32)
        self.refresh_tokens[refresh] = user
        return {
            "access_token": issue(user_id, role, lifetime=900),
            "id_token": id_token,
            "refresh_token": refresh,
            "expires_in": 900,
            "token_type": "Bearer",
        }

    def exchange(self, form: dict[str, str]) -> tuple[int, dict]:
        if form.get("client_id") != CLIENT_ID:
            return 400, {"error": "invalid_client"}
        if form.get("grant_type") == "refresh_token":
            user = self.refresh_tokens.get(form.get("refresh_token", ""))
            if not user:
                return 400, {"error": "invalid_grant"}
            answer = self.tokens(user)
            del answer["refresh_token"]  # as Cognito without rotation: the refresh token stays
            return 200, answer
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        if not grant or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or s256(verifier) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        return 200, self.tokens(grant["user"])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        auth = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, status: int, body: dict | None = None, location: str | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                if location:
                    self.send_header("location", location)
                self.send_header("content-type", "application/json")
                self.send_header("access-control-allow-origin", auth.apps_origin)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/oauth2/authorize":
                    auth.authorize.append(query)
                    if (
                        query.get("client_id") != CLIENT_ID
                        or query.get("redirect_uri") != auth.redirect_uri
                        or query.get("response_type") != "code"
                        or query.get("code_challenge_method") != "S256"
                        or len(query.get("code_challenge", "")) != 43
                        or not query.get("state")
                    ):
                        return self._answer(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(24)
                    auth.codes[code] = {
                        "challenge": query["code_challenge"],
                        "redirect_uri": query["redirect_uri"],
                        "user": auth.user,
                    }
                    state = "forged-" + secrets.token_urlsafe(16) if auth.forge_state else query["state"]
                    return self._answer(302, location=f"{auth.redirect_uri}?{urlencode({'code': code, 'state': state})}")
                if url.path == "/logout":
                    auth.logouts.append(query)
                    if query.get("client_id") != CLIENT_ID or query.get("logout_uri") != auth.redirect_uri:
                        return self._answer(400, {"error": "invalid_request"})
                    return self._answer(302, location=query["logout_uri"])
                self._answer(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                if self.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
                    return self._answer(400, {"error": "invalid_request"})
                if self.path == "/oauth2/token":
                    status, body = auth.exchange(form)
                    auth.token.append({**form, "status": status})
                    return self._answer(status, body)
                if self.path == "/oauth2/revoke":
                    auth.revoked.append(form.get("token", ""))
                    auth.refresh_tokens.pop(form.get("token", ""), None)
                    return self._answer(200)
                self._answer(404)

        return Handler


class AppsServer:
    """The apps under /app/ as CloudFront serves them (folders give their index.html), with a generated config.js;
    anything else goes to the sandbox's API (same origin: API_BASE_URL "")."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.config = config_js("")
        self.server, self.url = _serve(self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        apps = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.send_header("cache-control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def _proxy(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                headers = {
                    k: self.headers[k] for k in ("authorization", "content-type", "idempotency-key") if self.headers.get(k)
                }
                answer = requests.request(
                    self.command, apps.api_url + self.path, headers=headers, data=self.rfile.read(length) or None, timeout=30
                )
                self._send(answer.status_code, answer.content, answer.headers.get("content-type", "application/json"))

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if not path.startswith("/app/"):
                    return self._proxy()
                if path == "/app/config.js":
                    return self._send(200, apps.config.encode(), "text/javascript")
                file = (APPS / path.removeprefix("/app/")).resolve()
                if path.endswith("/"):
                    file = file / "index.html"
                if APPS not in file.parents or not file.is_file():
                    return self._send(404, b"", "text/plain")
                self._send(200, file.read_bytes(), TYPES.get(file.suffix, "application/octet-stream"))

            do_POST = do_PUT = do_DELETE = _proxy

        return Handler


@pytest.fixture(scope="module")
def servers(sandbox):
    apps = AppsServer(sandbox.url)
    auth = AuthServer(apps.url)
    apps.config = config_js(
        "", SignIn(domain=auth.url, client_id=CLIENT_ID, redirect_uri=f"{apps.url}/app/", logout_uri=f"{apps.url}/app/")
    )
    yield apps, auth
    apps.server.shutdown()
    auth.server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        expect.set_options(timeout=STEP_MS)
        yield browser
        expect.set_options(timeout=5_000)
        browser.close()


@pytest.fixture
def page(browser, servers):
    _, auth = servers
    auth.forge_state = False
    auth.authorize.clear()
    auth.token.clear()
    auth.revoked.clear()
    auth.logouts.clear()
    context = browser.new_context(viewport={"width": 412, "height": 915}, locale="zh-CN")
    context.set_default_timeout(STEP_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


def stored(page, storage: str, key: str):
    return page.evaluate(f"JSON.parse({storage}.getItem({json.dumps(key)}) || 'null')")


def test_signing_in_with_pkce_lands_on_the_roles_screen_and_signing_out_clears_the_tokens(page, servers):
    apps, auth = servers
    page.goto(f"{apps.url}/app/")
    button = page.locator("#sign-in")
    expect(button).to_have_text("登录")  # Chinese first
    accessible(page, "sign-in (AWS)")
    button.click()
    expect(page).to_have_url(f"{apps.url}/app/resident/")
    expect(page.locator(".menu-big a")).to_have_count(3)  # the resident's home, its data read from the API

    # The redirect: a fresh S256 challenge and state, the registered redirect URI, the scopes, the language
    [asked] = auth.authorize
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == f"{apps.url}/app/"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["scope"].split() == ["openid", "phone", "profile"]
    assert len(asked["state"]) >= 20 and asked["lang"] == "zh-CN"
    # The exchange: the verifier (43 characters from crypto.getRandomValues) matches the challenge; the code accepted
    [exchanged] = auth.token
    assert exchanged["grant_type"] == "authorization_code" and exchanged["status"] == 200
    assert s256(exchanged["code_verifier"]) == asked["code_challenge"] and len(exchanged["code_verifier"]) == 43
    assert "client_secret" not in exchanged
    # Stored as the sandbox's sign-in stores it: the access token for the API, the role from cognito:groups
    session = stored(page, "localStorage", "linli.session")
    assert session["role"] == "resident" and session["user_id"] == "res_wang" and session["name"] == "王奶奶"
    assert session["token"] and session["refresh_token"] in auth.refresh_tokens
    assert stored(page, "sessionStorage", "linli.oauth") is None  # the verifier is gone once used
    expect(page.locator(".who")).to_have_text("王奶奶")

    refresh_token = session["refresh_token"]
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(f"{apps.url}/app/")
    expect(page.locator("#sign-in")).to_be_visible()
    assert stored(page, "localStorage", "linli.session") is None
    assert auth.revoked == [refresh_token] and refresh_token not in auth.refresh_tokens
    assert auth.logouts == [{"client_id": CLIENT_ID, "logout_uri": f"{apps.url}/app/"}]
    assert not page.errors
    page.goto(f"{apps.url}/app/resident/")  # signed out: the app sends her back to the sign-in screen
    expect(page).to_have_url(f"{apps.url}/app/?next=resident")


def test_a_return_with_another_state_is_refused_and_no_code_is_exchanged(page, servers):
    apps, auth = servers
    auth.forge_state = True
    page.goto(f"{apps.url}/app/")
    page.locator("#sign-in").click()
    alert = page.locator("#alert [data-error=state_mismatch]")
    expect(alert).to_contain_text("已拒绝")
    assert len(auth.authorize) == 1 and auth.token == []  # the code was never sent to the token endpoint
    assert stored(page, "localStorage", "linli.session") is None
    assert stored(page, "sessionStorage", "linli.oauth") is None
    assert "code=" not in page.url  # the code does not stay in the address bar
    # A return without any sign-in under way (a link followed, another tab) is refused the same way
    page.goto(f"{apps.url}/app/?code=abc&state=xyz")
    expect(page.locator("#alert [data-error=state_mismatch]")).to_be_visible()
    assert auth.token == []


def test_the_access_token_is_renewed_with_the_refresh_token_before_it_expires(page, servers):
    apps, auth = servers
    auth.user = ("tech_zhao", "technician", "赵师傅")
    try:
        page.goto(f"{apps.url}/app/")
        page.locator("#sign-in").click()
        expect(page).to_have_url(f"{apps.url}/app/technician/")
        expect(page.locator("#view h1")).to_be_visible()
        signed_in = stored(page, "localStorage", "linli.session")
        assert signed_in["role"] == "technician"
        # One minute left: the next call to the API renews first (once, however many calls the screen makes)
        page.evaluate(
            "(s) => localStorage.setItem('linli.session', JSON.stringify({...s, expires_at: Date.now() + 60000}))", signed_in
        )
        page.reload()
        expect(page.locator("#view h1")).to_be_visible()
        page.wait_for_function("JSON.parse(localStorage.getItem('linli.session')).expires_at > Date.now() + 600000")
        refreshes = [t for t in auth.token if t["grant_type"] == "refresh_token"]
        assert [t["status"] for t in refreshes] == [200]
        assert refreshes[0]["refresh_token"] == signed_in["refresh_token"]
        renewed = stored(page, "localStorage", "linli.session")
        assert renewed["refresh_token"] == signed_in["refresh_token"] and renewed["role"] == "technician"
        assert renewed["name"] == "赵师傅"

        # A refused refresh (revoked elsewhere) ends the session: back to the sign-in screen
        auth.refresh_tokens.clear()
        page.evaluate("(s) => localStorage.setItem('linli.session', JSON.stringify({...s, expires_at: Date.now()}))", renewed)
        page.reload()
        expect(page).to_have_url(f"{apps.url}/app/?next=technician")
        assert stored(page, "localStorage", "linli.session") is None
    finally:
        auth.user = ("res_wang", "resident", "王奶奶")


def test_english_sign_in_asks_the_managed_login_in_english(page, servers):
    apps, auth = servers
    page.goto(f"{apps.url}/app/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{apps.url}/app/resident/")
    assert auth.authorize[0]["lang"] == "en"


def test_the_stand_in_server_refuses_a_wrong_verifier_a_reused_code_and_a_wrong_redirect(servers):
    # What makes the browser tests meaningful: without the right verifier there are no tokens.
    apps, auth = servers
    verifier = secrets.token_urlsafe(32)
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": f"{apps.url}/app/",
        "state": "s" * 22,
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }

    def code() -> str:
        answer = requests.get(f"{auth.url}/oauth2/authorize", params=query, allow_redirects=False, timeout=10)
        return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]

    def token(**form) -> requests.Response:
        base = {"grant_type": "authorization_code", "client_id": CLIENT_ID, "redirect_uri": f"{apps.url}/app/"}
        return requests.post(f"{auth.url}/oauth2/token", data=base | form, timeout=10)

    assert token(code=code(), code_verifier=secrets.token_urlsafe(32)).status_code == 400
    assert token(code=code()).status_code == 400  # no verifier
    assert token(code=code(), code_verifier=verifier, redirect_uri="https://elsewhere.example/app/").status_code == 400
    good = code()
    assert token(code=good, code_verifier=verifier).status_code == 200
    assert token(code=good, code_verifier=verifier).status_code == 400  # once only
    plain = requests.get(
        f"{auth.url}/oauth2/authorize", params=query | {"code_challenge_method": "plain"}, allow_redirects=False, timeout=10
    )
    assert plain.status_code == 400


def test_the_sandbox_still_signs_in_with_its_personas(page, sandbox):
    page.goto(f"{sandbox.url}/app/")
    expect(page.locator("button[data-user=res_wang]")).to_be_visible()
    assert page.locator("#sign-in").count() == 0
    page.click("button[data-user=res_wang]")
    expect(page).to_have_url(f"{sandbox.url}/app/resident/")
    assert "refresh_token" not in stored(page, "localStorage", "linli.session")


def test_an_account_without_a_role_or_a_cancelled_sign_in_stays_signed_out(page, servers):
    apps, auth = servers
    auth.user = ("someone", "visitor", "访客")  # in the pool but in none of the four role groups
    try:
        page.goto(f"{apps.url}/app/")
        page.locator("#sign-in").click()
        expect(page.locator("#alert [data-error=no_role]")).to_contain_text("还没有开通")
        assert [t["status"] for t in auth.token] == [200]
        assert stored(page, "localStorage", "linli.session") is None
    finally:
        auth.user = ("res_wang", "resident", "王奶奶")
    page.goto(f"{apps.url}/app/?error=access_denied&state=whatever")
    expect(page.locator("#alert [data-error=access_denied]")).to_be_visible()
    assert stored(page, "localStorage", "linli.session") is None
