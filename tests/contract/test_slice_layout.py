"""The slice layout of functions/ (docs: README's layout table): each domain is one folder of four layers, the pure
rules do no I/O, the layers point one way, and a domain reaches another domain only through that domain's service
(or its records: the record classes a store declares are the published shape of its data)."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
LAYERS = ("handlers", "service", "domain", "store")
DOMAINS = sorted(p.name for p in FUNCTIONS.iterdir() if (p / "__init__.py").exists() and p.name != "shared")

# What a pure rule may not import: AWS, the network, the table, and the ports that reach them.
IO_MODULES = (
    "boto3",
    "botocore",
    "pynamodb",
    "aws_lambda_powertools",
    "urllib.request",
    "http.client",
    "socket",
    "shared.dal",
    "shared.storage",
    "shared.workflow",
    "shared.queues",
    "shared.wechat",
)

# One Lambda function serves two domains' routes: the addresses routes share the orders API function (one cold
# start for the resident's order screen, which lists and claims addresses).
ROUTERS_SERVED_TOGETHER = {("orders.handlers.api", "addresses.handlers")}


def _modules(domain: str, layer: str | None = None) -> list[tuple[str, Path]]:
    base = FUNCTIONS / domain / (layer or "")
    return [
        (".".join(path.relative_to(FUNCTIONS).with_suffix("").parts), path)
        for path in sorted(base.rglob("*.py"))
        if path.name != "__init__.py"
    ]


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in the file, at any depth (imports inside functions count too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _is_record(value: object) -> bool:
    """A record class: a pydantic model, an enum, a dataclass or an exception (never a table item, a function or a
    module, which would reach into the store)."""
    if not inspect.isclass(value):
        return False
    return issubclass(value, BaseModel | Enum | Exception) or dataclasses.is_dataclass(value)


def _names_are_classes(module: str, names: list[str]) -> list[str]:
    """The imported names that are not records: what an import from a store may not be."""
    target = importlib.import_module(module)
    return [name for name in names if not _is_record(getattr(target, name, None))]


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_is_one_folder_of_four_layers(domain):
    entries = {p.name for p in (FUNCTIONS / domain).iterdir() if p.name not in ("__init__.py", "__pycache__")}
    assert entries == set(LAYERS), f"functions/{domain}/ holds {sorted(entries)}"
    for layer in LAYERS:
        assert (FUNCTIONS / domain / layer / "__init__.py").exists(), f"{domain}/{layer} is not a package"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_domain_layer_is_pure(domain):
    """domain/ does no I/O and knows nothing of the layers above it; from a store it takes record classes only."""
    wrong = []
    for module, path in _modules(domain, "domain"):
        for imported, names in _imports(path):
            if any(_under(imported, io) for io in IO_MODULES):
                wrong.append(f"{module} imports {imported}")
            elif imported.split(".")[1:2] in (["service"], ["handlers"]) and imported.split(".")[0] in DOMAINS:
                wrong.append(f"{module} imports {imported}, a layer above it")
            elif imported.split(".")[1:2] == ["store"]:
                wrong += [f"{module} imports {imported}.{name}, not a record" for name in _names_are_classes(imported, names)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_layers_point_one_way(domain):
    """handlers → service → domain; the store knows no service and no handler, the service no handler."""
    above = {"store": ("service", "handlers"), "service": ("handlers",)}
    wrong = []
    for layer, forbidden in above.items():
        for module, path in _modules(domain, layer):
            for imported, _ in _imports(path):
                parts = imported.split(".")
                if parts[0] in DOMAINS and parts[1:2] and parts[1] in forbidden:
                    wrong.append(f"{module} ({layer}) imports {imported}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_reaches_another_only_through_its_service(domain):
    wrong = []
    for module, path in _modules(domain):
        for imported, names in _imports(path):
            parts = imported.split(".")
            if parts[0] not in DOMAINS or parts[0] == domain or not parts[1:2]:
                continue
            if parts[1] == "handlers" and (module, ".".join(parts[:2])) in ROUTERS_SERVED_TOGETHER:
                continue
            if parts[1] == "store":
                not_records = _names_are_classes(imported, names) if names else [imported]
                wrong += [f"{module} imports {imported}: {name}" for name in not_records]
            elif parts[1] == "handlers":
                wrong.append(f"{module} imports {imported}")
    assert not wrong, "\n".join(wrong)
