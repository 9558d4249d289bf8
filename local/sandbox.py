"""The whole platform on one machine: moto-backed AWS, demo data, the stream and queue pumps and the HTTP front."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from deploy.catalog import Trigger, by_trigger
from local import demo_data, presigned, tokens
from local.gateway import Gateway, GatewayResponse, SandboxHttpServer
from local.pumps import QueuePump, SchedulePump, StreamPump
from local.runtime import LocalAws
from local.websocket import PushSockets
from notify.domain.wechat_templates import SANDBOX_TEMPLATE_IDS, TEMPLATES

# The client apps (apps/): static files, no build step, served under /app/.
APPS_DIR = Path(__file__).resolve().parent.parent / "apps"
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def _static(bare: str) -> GatewayResponse:
    """A file of apps/ for /app/…: a folder gives its index.html; nothing outside apps/ is ever read."""
    if bare == "/app":
        return GatewayResponse(301, {"location": "/app/", "content-type": "text/plain"}, b"")
    relative = unquote(bare[len("/app/") :])
    target = (APPS_DIR / relative).resolve()
    if target.is_dir():
        if not bare.endswith("/"):
            return GatewayResponse(301, {"location": bare + "/", "content-type": "text/plain"}, b"")
        target = target / "index.html"
    content_type = _CONTENT_TYPES.get(target.suffix)
    if not target.is_relative_to(APPS_DIR) or not target.is_file() or content_type is None:
        return _json_response(404, {"error": {"code": "not_found", "message": "没有这个页面", "message_en": "No such page."}})
    return GatewayResponse(200, {"content-type": content_type, "cache-control": "no-cache"}, target.read_bytes())


# Scheduled jobs the sandbox runs on request: path → (catalogue function, the field of the body it takes).
DEV_JOBS = {
    # {"date": "YYYY-MM-DD"}: the daily certificate-expiry job for that Beijing day (default today).
    "/dev/certificate-expiry": ("CertificateExpiry", "date"),
    # {"at": "<ISO instant>"}: the deadline warnings as of that instant (default now); they also run by themselves.
    "/dev/deadline-warnings": ("DeadlineWarnings", "at"),
    # {"at": "<ISO instant>"}: the second alerts about escalated orders as of that instant (default now).
    "/dev/escalation-realerts": ("EscalationRealerts", "at"),
}


S3_FRONT = "/s3"
WECHAT_FRONT = "/wechat-api"  # the fake WeChat server API (local/fake_wechat.py)
SMS_FRONT = "/sms-api"  # the fake SMS provider, Alibaba Cloud SMS shaped (local/fake_sms.py)
_CORS = {"access-control-allow-origin": "*", "access-control-allow-headers": "Content-Type"}


def _s3_error(status: int, code: str, message: str) -> GatewayResponse:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return GatewayResponse(status, {**_CORS, "content-type": "application/xml"}, body.encode())


def _json_response(status: int, payload: Any) -> GatewayResponse:
    return GatewayResponse(status, {"content-type": "application/json"}, json.dumps(payload, ensure_ascii=False).encode())


class Sandbox:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8080,
        env: dict[str, str] | None = None,
        seed: bool = True,
        history: bool = True,
        verbose: bool = False,
        schedule_interval: float | None = 10.0,
    ) -> None:
        self.aws = LocalAws(env_overrides=env)
        self.gateway = Gateway(self.aws)
        self.push = PushSockets(self.aws)  # the WebSocket API's stage (web push) at ws://…/live
        self.pump = StreamPump(self.aws)
        self.queue_pumps = [QueuePump(self.aws, consumers=(spec.name,)) for spec in by_trigger(Trigger.QUEUE)]
        # Periodic jobs (every 5 minutes in AWS) run every few seconds here (None: only when invoked, as the
        # benchmarks want: they price orders, not the platform's fixed jobs); tests also invoke them directly.
        self.schedule_pump = SchedulePump(self.aws, interval=schedule_interval) if schedule_interval else None
        self.host, self.port, self.seed, self.verbose = host, port, seed, verbose
        # The pilot-sized history (hundreds of items) slows moto's index queries, which scan the table: the
        # tests leave it out and check its numbers separately.
        self.history = history
        self.server: SandboxHttpServer | None = None
        self._thread: threading.Thread | None = None
        # The fake WeChat server (/wechat-api) and SMS provider (/sms-api, /dev/outbox); made at start, with the
        # credentials the sandbox keeps in (moto's) Secrets Manager.
        self.wechat: Any = None  # local.fake_wechat.FakeWeChat
        self.sms_provider: Any = None  # local.fake_sms.FakeAliyunSms

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Sandbox:
        self.aws.start()
        self.push.install()
        if self.seed:
            demo_data.seed(history=self.history)
            tokens.link_demo_residents([p["user_id"] for p in demo_data.personas() if p["role"] == "resident"])
        self._arm_faults_from_env()
        self.pump.start()
        for pump in self.queue_pumps:
            pump.start()
        if self.schedule_pump:
            self.schedule_pump.start()
        self.server = SandboxHttpServer((self.host, self.port), self.route, verbose=self.verbose, upgrade=self.push.serve)
        self.port = self.server.server_address[1]
        self._start_fake_providers()
        if "LINLI_STORAGE_PUBLIC_ENDPOINT" not in self.aws.env_overrides:
            # Pre-signed URLs point at this server's /s3 front, which a browser can reach (moto's S3 it cannot).
            host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # a browser cannot open 0.0.0.0
            os.environ["LINLI_STORAGE_PUBLIC_ENDPOINT"] = f"http://{host}:{self.port}{S3_FRONT}"
            self.aws.reset_caches()
        self._thread = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)
        self._thread.start()
        return self

    def _start_fake_providers(self) -> None:
        """The WeChat AppID/AppSecret and the SMS access key as secrets in moto's Secrets Manager (as CDK makes
        them in AWS), the fakes that check them, and the settings that point the functions at the fakes (unless
        the sandbox was started with others)."""
        import secrets

        from local.fake_sms import FakeAliyunSms
        from local.fake_wechat import FakeWeChat

        secrets_manager = self.aws.client("secretsmanager")
        wechat = {"app_id": "wx5a1b2c3d4e5f6a7b", "app_secret": secrets.token_hex(16)}
        aliyun = {
            "access_key_id": "LTAI5tSandbox" + secrets.token_hex(4),
            "access_key_secret": secrets.token_urlsafe(22),
            "sign_name": "邻里",
        }
        wechat_arn = secrets_manager.create_secret(Name="linli/wechat", SecretString=json.dumps(wechat))["ARN"]
        sms_arn = secrets_manager.create_secret(Name="linli/sms", SecretString=json.dumps(aliyun, ensure_ascii=False))["ARN"]
        self.wechat = FakeWeChat(
            app_id=wechat["app_id"],
            app_secret=wechat["app_secret"],
            templates=_subscription_templates(),
            pages=_miniprogram_pages(),
        )
        self.sms_provider = FakeAliyunSms(**aliyun)
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        defaults = {
            "LINLI_WECHAT_SECRET_ARN": wechat_arn,
            "LINLI_WECHAT_API_BASE": f"http://{host}:{self.port}{WECHAT_FRONT}",
            "LINLI_SMS_PROVIDER": "fake",
            "LINLI_SMS_SECRET_ARN": sms_arn,
            "LINLI_SMS_API_BASE": f"http://{host}:{self.port}{SMS_FRONT}",
            # The demo people's numbers get every test's and demo's messages: the cap (20 a day in AWS) is far higher.
            "LINLI_SMS_PER_RECIPIENT_PER_DAY": "10000",
            "LINLI_WECHAT_TEMPLATE_IDS": json.dumps(SANDBOX_TEMPLATE_IDS),
        }
        os.environ.update({k: v for k, v in defaults.items() if k not in self.aws.env_overrides})
        self.aws.reset_caches()
        from shared import wechat

        wechat.reset()  # its settings, credentials and token are this sandbox's now

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
        self.push.close_all()
        self.push.uninstall()
        if self.schedule_pump:
            self.schedule_pump.stop()
        self.pump.stop()
        for pump in self.queue_pumps:
            pump.stop()
        self.aws.stop()

    @contextmanager
    def pumps_paused(self) -> Iterator[None]:
        """The stream and queue consumers wait meanwhile, then deliver what was written (tests whose checks are
        on what the handlers stored, and which need the two cores for themselves)."""
        pumps = [self.pump, *self.queue_pumps]
        for pump in pumps:
            pump.pause()
        try:
            yield
        finally:
            for pump in pumps:
                pump.resume()

    def route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        bare = path.split("?", 1)[0]
        if bare == "/dev/personas" and method == "GET":
            return _json_response(200, {"personas": demo_data.personas()})
        if bare == "/dev/login" and method == "POST":
            return self._login(body)
        if bare == "/dev/outbox" and method == "GET":
            return self._outbox(path)
        if bare == "/dev/wechat/sent" and method == "GET" and self.wechat is not None:
            openid = dict(parse_qsl(urlsplit(path).query)).get("openid") or None
            return _json_response(200, {"messages": self.wechat.sent(openid)})
        if bare.startswith(WECHAT_FRONT + "/") and self.wechat is not None:
            return _json_response(*self.wechat.handle(method, path, body))
        if (bare == SMS_FRONT or bare.startswith(SMS_FRONT + "/")) and self.sms_provider is not None:
            return _json_response(*self.sms_provider.handle(method, path, body))
        if bare in DEV_JOBS and method == "POST":
            return self._run_job(*DEV_JOBS[bare], body)
        if bare == "/dev/faults" or bare.startswith("/dev/faults/"):
            return self._faults(method, bare, body)
        if (bare == "/app" or bare.startswith("/app/")) and method == "GET":
            return _static(bare)
        if bare.startswith(S3_FRONT + "/"):
            return self._s3(method, path, headers, body)
        return self.gateway.handle(method, path, headers, body)

    def _s3(self, method: str, path: str, headers: dict[str, str], body: bytes) -> GatewayResponse:
        """The sandbox's stand-in for S3's own endpoint: pre-signed PUT/GET/HEAD, path-style
        (`/s3/<bucket>/<key>?X-Amz-…`), into moto's S3. It checks the signature as S3 does (`local.presigned`:
        method, key, expiry, and the signed Content-Type and Content-Length), so only a URL the API signed works.
        What it serves is never rendered on the apps' origin: `Content-Disposition: attachment` and `nosniff`."""
        parts = urlsplit(path)
        bucket, _, key = unquote(parts.path[len(S3_FRONT) + 1 :]).partition("/")
        if method == "OPTIONS":  # CORS preflight, as the bucket's CORS rule answers it
            return GatewayResponse(204, {**_CORS, "access-control-allow-methods": "GET, PUT, HEAD"}, b"")
        if not key:
            return _s3_error(403, "AccessDenied", "A pre-signed URL is required")
        try:
            presigned.verify(method, path, headers)
        except presigned.Refused as refused:
            code = "SignatureDoesNotMatch" if "signature" in str(refused).lower() else "AccessDenied"
            return _s3_error(403, code, str(refused))
        s3 = self.aws.client("s3")
        if method == "PUT":
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "binary/octet-stream")
            put = s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
            return GatewayResponse(200, {**_CORS, "etag": put["ETag"], "content-type": "text/plain"}, b"")
        if method not in ("GET", "HEAD"):
            return _s3_error(405, "MethodNotAllowed", "The specified method is not allowed")
        try:
            found = s3.get_object(Bucket=bucket, Key=key)
        except s3.exceptions.NoSuchKey:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        except s3.exceptions.NoSuchBucket:
            return _s3_error(404, "NoSuchBucket", "The specified bucket does not exist")
        headers = {
            **_CORS,
            "content-type": found.get("ContentType") or "binary/octet-stream",
            "cache-control": "private",
            "content-disposition": "attachment",
            "x-content-type-options": "nosniff",
        }
        return GatewayResponse(200, headers, found["Body"].read())

    def _run_job(self, function_name: str, field: str, body: bytes) -> GatewayResponse:
        """Run a scheduled job now, as its EventBridge schedule does in AWS, with the one field it takes from
        the JSON body (the certificate-expiry job's `date`, the deadline warnings' `at`)."""
        try:
            requested = json.loads(body or b"{}")
        except ValueError:
            requested = None
        if not isinstance(requested, dict):
            return _json_response(
                400, {"error": {"code": "validation_error", "message": "请求须为 JSON 对象", "message_en": "Send a JSON object."}}
            )
        try:
            result = self.aws.invoke(function_name, {field: requested.get(field)})
        except RuntimeError as exc:
            return _json_response(
                400,
                {
                    "error": {
                        "code": "validation_error",
                        "message": "日期或时间无效",
                        "message_en": f"Invalid request: {exc}"[:300],
                    }
                },
            )
        return _json_response(200, result)

    def _faults(self, method: str, bare: str, body: bytes) -> GatewayResponse:
        """The fault-injection switch (docs/sandbox.md): GET lists the armed faults, POST arms one, DELETE
        removes one (`/dev/faults/{id}`) or all."""
        fault_id = bare.removeprefix("/dev/faults").strip("/")
        if method == "GET" and not fault_id:
            return _json_response(200, {"faults": [f.describe() for f in self.aws.active_faults()]})
        if method == "POST" and not fault_id:
            try:
                spec = json.loads(body or b"{}")
                if not isinstance(spec, dict):
                    raise ValueError("send a JSON object")
                fault = self.aws.inject_fault(spec)
            except ValueError as exc:
                return _json_response(
                    422, {"error": {"code": "validation_error", "message": "故障描述无效", "message_en": str(exc)[:300]}}
                )
            return _json_response(201, {"fault": fault.describe()})
        if method == "DELETE" and (not fault_id or fault_id.isdigit()):
            return _json_response(200, {"removed": self.aws.remove_fault(int(fault_id) if fault_id else None)})
        return _json_response(404, {"error": {"code": "not_found", "message": "没有这个接口", "message_en": "No such endpoint."}})

    def _arm_faults_from_env(self) -> None:
        """LINLI_FAULTS: a JSON list of fault descriptions armed at start (`make run` with faults)."""
        specs = json.loads(os.environ.get("LINLI_FAULTS") or "[]")
        for spec in specs if isinstance(specs, list) else [specs]:
            self.aws.inject_fault(spec)

    @staticmethod
    def _outbox(path: str) -> GatewayResponse:
        """What the fake SMS provider sent (`?phone=` one number's), oldest first, and what it did not send (over
        the number's daily cap) and why."""
        from urllib.parse import parse_qs

        from shared import sms

        phone = parse_qs(urlsplit(path).query).get("phone", [""])[0] or None
        fields = ("phone", "template", "params", "text", "sent_at")
        messages = [{k: m[k] for k in fields} for m in sms.fake_outbox().messages(phone)]
        return _json_response(200, {"messages": messages, "not_sent": sms.fake_outbox().refused(phone)})

    @staticmethod
    def _login(body: bytes) -> GatewayResponse:
        try:
            user_id = json.loads(body or b"{}").get("user_id")
        except (ValueError, AttributeError):
            user_id = None
        persona = next((p for p in demo_data.personas() if p["user_id"] == user_id), None)
        if not isinstance(user_id, str) or persona is None:
            return _json_response(
                400,
                {
                    "error": {
                        "code": "unknown_user",
                        "message": "没有这个演示账号",
                        "message_en": "No such demo user; see /dev/personas.",
                    }
                },
            )
        # The same token service as /auth/*: a session (access and refresh token) of the demo person's account.
        return _json_response(200, {**tokens.sign_in_session(user_id), "user_id": user_id, "role": persona["role"]})


def _subscription_templates() -> dict[str, tuple[str, ...]]:
    """The subscription templates the sandbox's mini-program has registered (as in its admin console): the
    sandbox's id of each kind, with that kind's fields."""
    return {SANDBOX_TEMPLATE_IDS[kind]: tuple(f.key for f in t.fields) for kind, t in TEMPLATES.items()}


def _miniprogram_pages() -> tuple[str, ...] | None:
    """The mini-program's pages (miniprogram/app/app.json), which a subscription message may open; None (any)
    without the mini-program's sources."""
    app_json = Path(__file__).resolve().parent.parent / "miniprogram" / "app" / "app.json"
    if not app_json.is_file():
        return None
    return tuple(json.loads(app_json.read_text(encoding="utf-8")).get("pages", []))
