"""The outbound HTTP port: one POST to a company's webhook, to a public address only, within a wall-clock deadline.

A webhook URL is the company's to choose, so it could name the platform's own neighbourhood: the instance metadata
service (169.254.169.254), loopback, private networks, or an odd port to probe. Every delivery therefore resolves
the host itself, refuses unless every address is public (`is_global`) and the port is an HTTPS port, and connects to
the address it checked (no second lookup that DNS could answer differently). Redirects are not followed. The
deadline covers the whole call (connect, TLS, the answer's status and headers), not each socket read: a receiver
trickling one byte at a time is cut off when it runs out. What the delivery log keeps of a failure is a short,
generic reason, so the log tells a company nothing about hosts it could not otherwise see.

The sandbox's receivers listen on 127.0.0.1: `Target(allow_loopback=True)` (LINLI_ALLOW_LOOPBACK_WEBHOOKS, sandbox
only) admits loopback addresses on any port, and nothing else.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from notify.domain.webhooks import Policy

HTTPS_PORTS = frozenset({443, 8443})


@dataclass(frozen=True)
class HttpResult:
    status: int | None  # None when no answer came (refused, timed out, not allowed)
    error: str | None
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class TargetRefused(ValueError):
    """The URL is not one the platform delivers to; the message says why, in words a company can act on."""


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, policy: Policy) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if policy.allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


def check_url(url: str, policy: Policy) -> tuple[str, int]:
    """The host and port to deliver to, or TargetRefused: https (http only where allowed), no user info, an HTTPS
    port (any port on loopback where allowed), and no literal address that is not public."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("not a valid URL") from None
    schemes = {"https", "http"} if policy.allow_http else {"https"}
    if parts.scheme not in schemes or not parts.hostname:
        raise TargetRefused("a full https:// URL is required")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TargetRefused("no user name or password in the URL")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    loopback_ok = policy.allow_loopback and (host == "localhost" or (literal is not None and literal.is_loopback))
    if literal is not None and not _address_allowed(literal, policy):
        raise TargetRefused("the address is not a public one")
    if host.rstrip(".").lower() == "localhost" and not loopback_ok:
        raise TargetRefused("the address is not a public one")
    if not loopback_ok and port not in HTTPS_PORTS:
        raise TargetRefused(f"the port must be one of {sorted(HTTPS_PORTS)}")
    return host, port


def resolve_public(host: str, port: int, policy: Policy) -> str:
    """One address of the host that may be delivered to: every address it resolves to must be allowed (a name with
    one private address among public ones is refused: the connection could pick it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused("the host name does not resolve") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses or not all(_address_allowed(a, policy) for a in addresses):
        raise TargetRefused("the address is not a public one")
    return str(addresses[0])


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _connect(address: str, port: int, deadline: float) -> socket.socket:
    sock = socket.create_connection((address, port), max(deadline - time.monotonic(), 0.001))
    if time.monotonic() >= deadline:
        sock.close()
        raise TimeoutError("deadline")
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.001))
        self._address, self._deadline = address, deadline

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port, self._deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port, timeout=max(deadline - time.monotonic(), 0.001), context=_tls())
        self._address, self._deadline = address, deadline

    def connect(self) -> None:
        raw = _connect(self._address, self.port, self._deadline)
        self.sock = raw  # so that the deadline can cut the handshake off too
        self.sock = _tls().wrap_socket(raw, server_hostname=self.host)  # the certificate is checked for the name


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, policy: Policy | None = None) -> HttpResult:
    """POST within `timeout` seconds of wall-clock time in all; never raises for the receiver's behaviour."""
    policy = policy or Policy()
    started = time.monotonic()

    def result(status: int | None, error: str | None) -> HttpResult:
        return HttpResult(status, error, round((time.monotonic() - started) * 1000, 1))

    try:
        host, port = check_url(url, policy)
        address = resolve_public(host, port, policy)
    except TargetRefused as refused:
        return result(None, f"not delivered: {refused}")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    deadline = started + timeout
    connection = kind(host, port, address, deadline)
    expired = threading.Event()

    def cut_off() -> None:  # the deadline: whatever the receiver is doing, the socket is closed under it
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(max(deadline - time.monotonic(), 0), cut_off)
    timer.daemon = True
    timer.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        status = connection.getresponse().status  # the body is not read: the status is the answer
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            return result(None, "timed out")
        if isinstance(exc, ssl.SSLError):
            return result(None, "TLS handshake failed")
        return result(None, "connection failed")
    finally:
        timer.cancel()
        connection.close()
    if expired.is_set():
        return result(None, "timed out")
    return result(status, None if 200 <= status < 300 else f"HTTP {status}")
