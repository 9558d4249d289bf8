"""The sign-in service's real collaborators as the kernel's ports name them (COMMON interface): shared.wechat's
code_to_session / phone_number and their two errors, and shared.sms.send_template with the `login_code` template."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass

import pytest

from identity.service import ports, wiring


@pytest.fixture
def kernel_wechat(monkeypatch):
    """A stand-in for shared.wechat with its interface: `ok:<openid>` is valid, `used` was used, `down` times out."""
    module = types.ModuleType("shared.wechat")

    class WeChatCodeInvalid(Exception):
        pass

    class WeChatUnavailable(Exception):
        pass

    @dataclass(frozen=True)
    class WeChatSession:
        openid: str
        unionid: str | None

    def code_to_session(code: str) -> WeChatSession:
        if code == "down":
            raise WeChatUnavailable("timeout")
        if not code.startswith("ok:"):
            raise WeChatCodeInvalid("40163")
        return WeChatSession(code[3:], "union-1")

    def phone_number(code: str) -> str:
        if code != "phone-ok":
            raise WeChatCodeInvalid("40029")
        return "13612345678"

    module.__dict__.update(
        WeChatCodeInvalid=WeChatCodeInvalid,
        WeChatUnavailable=WeChatUnavailable,
        code_to_session=code_to_session,
        phone_number=phone_number,
    )
    import shared

    monkeypatch.setitem(sys.modules, "shared.wechat", module)
    monkeypatch.setattr(shared, "wechat", module, raising=False)
    return module


def test_the_wechat_port_and_its_errors(kernel_wechat):
    adapter = wiring.KernelWeChat()
    assert adapter.code_to_session("ok:o_1") == ports.WeChatSession("o_1", "union-1")
    assert adapter.phone_number("phone-ok") == "13612345678"
    with pytest.raises(ports.WeChatCodeInvalid):
        adapter.code_to_session("used")
    with pytest.raises(ports.WeChatCodeInvalid):
        adapter.phone_number("other")
    with pytest.raises(ports.WeChatUnavailable):
        adapter.code_to_session("down")


def test_the_sms_port_sends_the_login_code_template(monkeypatch):
    from shared import sms

    sent = []
    monkeypatch.setattr(
        sms, "send_template", lambda phone, template, params: sent.append((phone, template, params)) or "m1", raising=False
    )
    wiring.KernelSms().send_login_code("+8613900000001", "042917")
    [(phone, template, params)] = sent
    assert (phone, template.key, params) == ("+8613900000001", "login_code", {"code": "042917"})
