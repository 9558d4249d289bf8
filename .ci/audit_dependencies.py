"""`make audit`: pip-audit of the locked dependencies (requirements-dev.lock covers the Lambda's requirements.in).

A known vulnerability fails the run. A package pip-audit could not look up is listed and counted, never passed
off as audited: on this machine PyPI answers a project's JSON but not a release's (`/pypi/<name>/<version>/json`
is a 404) and OSV is unreachable, so every package is "not found" and the run says AUDIT NOT DONE instead of
green. Wherever the vulnerability service answers, the same command audits for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements-dev.lock"


def main() -> int:
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "-r", str(LOCK), "--no-deps", "--disable-pip", "--progress-spinner=off", "-fjson"],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stderr or run.stdout, file=sys.stderr)
        print("AUDIT FAILED: pip-audit gave no report", file=sys.stderr)
        return 2
    lines, code = verdict(report)
    print("\n".join(lines))
    return code


def verdict(report: dict) -> tuple[list[str], int]:
    """What pip-audit's JSON report means: the lines to print, and 1 if any locked package is vulnerable."""
    vulnerable = [d for d in report["dependencies"] if d.get("vulns")]
    skipped = [d for d in report["dependencies"] if d.get("skip_reason")]
    audited = len(report["dependencies"]) - len(skipped)
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    lines.append(f"pip-audit: {audited} of {len(report['dependencies'])} locked packages audited, {len(vulnerable)} vulnerable")
    if skipped:
        lines.append(f"AUDIT NOT DONE for {len(skipped)} packages (the vulnerability service did not answer for them), e.g.:")
        lines.extend(f"  {dependency['skip_reason']}" for dependency in skipped[:3])
    return lines, 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
