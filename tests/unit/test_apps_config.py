"""The apps' config.js as the stack generates it (infra/apps_config.py): the API's URL, web push's, and how people
sign in in AWS (the API's own SMS codes), read by apps/shared/core.js; null sign-in settings keep the sandbox's
personas."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from infra.apps_config import SignIn, config_js


def exports(text: str) -> dict[str, str]:
    return dict(re.findall(r"^export const (\w+) = (.*);$", text, flags=re.MULTILINE))


def test_the_stack_config_names_the_api_web_push_and_the_sign_in_methods():
    values = exports(config_js("https://abc.execute-api.cn-north-1.amazonaws.com.cn", SignIn(), push_url="wss://p/live"))
    assert json.loads(values["API_BASE_URL"]) == "https://abc.execute-api.cn-north-1.amazonaws.com.cn"
    assert json.loads(values["PUSH_URL"]) == "wss://p/live"
    assert json.loads(values["SIGN_IN"]) == {"methods": ["sms"]}
    assert "secret" not in config_js("x", SignIn()).lower()  # nothing to hide in the browser


def test_without_sign_in_settings_the_apps_keep_the_sandboxs_personas():
    assert exports(config_js("")) == {"API_BASE_URL": '""', "PUSH_URL": '""', "SIGN_IN": "null"}


def test_cdk_tokens_pass_through_unchanged_for_the_deployment_to_substitute():
    token = "${Token[TOKEN.123]}"
    values = exports(config_js(token, SignIn(), push_url=token))
    assert json.loads(values["API_BASE_URL"]) == token and json.loads(values["PUSH_URL"]) == token


@pytest.mark.skipif(not shutil.which("node"), reason="no node")
def test_the_generated_file_is_a_module_with_its_exports(tmp_path):
    (tmp_path / "config.mjs").write_text(config_js("https://api.example", SignIn()), encoding="utf-8")
    script = "const c = await import(process.argv[1]); console.log(JSON.stringify([c.API_BASE_URL, c.SIGN_IN.methods]))"
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, str(tmp_path / "config.mjs")], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["https://api.example", ["sms"]]


def test_the_sandboxs_own_config_has_no_sign_in_settings():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "apps" / "config.js").read_text(encoding="utf-8")
    assert exports(text) == {"API_BASE_URL": '""', "PUSH_URL": '""', "SIGN_IN": "null"}
