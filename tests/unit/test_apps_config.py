"""The apps' config.js as the stack generates it (infra/apps_config.py): the API's URL and the managed login's
settings, read by apps/shared/core.js and apps/shared/oauth.js; null sign-in settings keep the sandbox's personas."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from infra.apps_config import SignIn, config_js

SIGN_IN = SignIn(
    domain="https://linli-123456789012.auth.ap-east-1.amazoncognito.com/",
    client_id="5abc",
    redirect_uri="https://d1.cloudfront.net/app/",
    logout_uri="https://d1.cloudfront.net/app/",
)


def exports(text: str) -> dict[str, str]:
    return dict(re.findall(r"^export const (\w+) = (.*);$", text, flags=re.MULTILINE))


def test_the_stack_config_names_the_api_and_the_managed_login():
    values = exports(config_js("https://abc.execute-api.ap-east-1.amazonaws.com", SIGN_IN))
    assert json.loads(values["API_BASE_URL"]) == "https://abc.execute-api.ap-east-1.amazonaws.com"
    assert json.loads(values["SIGN_IN"]) == {
        "domain": "https://linli-123456789012.auth.ap-east-1.amazoncognito.com",  # no trailing slash: paths appended
        "client_id": "5abc",
        "redirect_uri": "https://d1.cloudfront.net/app/",
        "logout_uri": "https://d1.cloudfront.net/app/",
        "scopes": ["openid", "phone", "profile"],
    }
    assert "secret" not in config_js("x", SIGN_IN).lower()  # a public client: nothing to hide in the browser


def test_without_sign_in_settings_the_apps_keep_the_sandboxs_personas():
    assert exports(config_js("")) == {"API_BASE_URL": '""', "PUSH_URL": '""', "SIGN_IN": "null"}


def test_cdk_tokens_pass_through_unchanged_for_the_deployment_to_substitute():
    token = "${Token[TOKEN.123]}"
    values = exports(config_js(token, SignIn(domain=token, client_id=token, redirect_uri=token, logout_uri=token)))
    assert json.loads(values["API_BASE_URL"]) == token and json.loads(values["SIGN_IN"])["client_id"] == token


@pytest.mark.skipif(not shutil.which("node"), reason="no node")
def test_the_generated_file_is_a_module_with_both_exports(tmp_path):
    (tmp_path / "config.mjs").write_text(config_js("https://api.example", SIGN_IN), encoding="utf-8")
    script = "const c = await import(process.argv[1]); console.log(JSON.stringify([c.API_BASE_URL, c.SIGN_IN.client_id]))"
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, str(tmp_path / "config.mjs")], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["https://api.example", "5abc"]


def test_the_sandboxs_own_config_has_no_sign_in_settings():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "apps" / "config.js").read_text(encoding="utf-8")
    assert exports(text) == {"API_BASE_URL": '""', "PUSH_URL": '""', "SIGN_IN": "null"}
