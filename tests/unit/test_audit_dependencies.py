"""make audit's verdict on pip-audit's report: a vulnerability fails CI; a package not looked up is never counted as audited."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_known_vulnerability_fails_and_names_the_fix():
    report = {
        "dependencies": [
            {"name": "requests", "version": "2.19.0", "vulns": [{"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"]}]},
            {"name": "boto3", "version": "1.43.11", "vulns": []},
        ]
    }
    lines, code = audit.verdict(report)
    assert code == 1
    assert "VULNERABLE requests 2.19.0: PYSEC-2018-28 (fixed in 2.20.0)" in lines
    assert "pip-audit: 2 of 2 locked packages audited, 1 vulnerable" in lines


def test_packages_the_service_did_not_answer_for_are_reported_not_passed_off_as_audited():
    report = {
        "dependencies": [
            {"name": "boto3", "skip_reason": "Dependency not found on PyPI and could not be audited: boto3 (1.43.11)"},
            {"name": "pynamodb", "version": "6.1.0", "vulns": []},
        ]
    }
    lines, code = audit.verdict(report)
    assert code == 0
    assert "pip-audit: 1 of 2 locked packages audited, 0 vulnerable" in lines
    assert any(line.startswith("AUDIT NOT DONE for 1 packages") for line in lines)
