"""The deploy-time lists (deploy/: the function catalogue, the route table, the OpenAPI assembly) stay out of the
Lambda code: nothing in functions/ imports them, so the code asset (functions/ only, tests/infrastructure checks
what is staged) runs without them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from deploy.catalog import FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = ROOT / "functions"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module":
            modules |= {a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return modules


def _deploy_imports(folder: Path) -> dict[str, set[str]]:
    found = {}
    for path in sorted(folder.rglob("*.py")):
        names = {m for m in _imported_modules(path) if m == "deploy" or m.startswith("deploy.")}
        if names:
            found[str(path.relative_to(folder))] = names
    return found


def test_no_lambda_code_imports_the_deploy_lists():
    assert _deploy_imports(FUNCTIONS_DIR) == {}


def test_the_check_sees_an_import_of_the_deploy_lists(tmp_path):
    # A handler that reached for the route table at run time would be found, whichever way it imports it
    (tmp_path / "handler.py").write_text("def handler(event, context):\n    from deploy.routes import ROUTES\n")
    (tmp_path / "other.py").write_text("import importlib\nimportlib.import_module('deploy.catalog')\n")
    assert _deploy_imports(tmp_path) == {"handler.py": {"deploy.routes"}, "other.py": {"deploy.catalog"}}


def test_every_handler_imports_with_only_the_code_asset_on_the_path():
    # As in Lambda: functions/ is the whole code (the layer holds the dependencies), the checkout's root is not there
    modules = sorted({f.handler.rsplit(".", 1)[0] for f in FUNCTIONS})
    script = (
        "import importlib, sys\n"
        f"sys.path = [{str(FUNCTIONS_DIR)!r}] + [p for p in sys.path if p not in ('', {str(ROOT)!r})]\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('deploy', 'infra', 'local', 'statemachines'))\n"
        "assert not leaked, leaked\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=FUNCTIONS_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
