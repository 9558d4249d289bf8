"""The route table is the single list of the API: every domain resolver serves exactly its routes."""

import importlib

import pytest

from local.runtime import API_FUNCTIONS
from shared.routes import ROUTES


def _served(domain: str) -> set[tuple[str, str]]:
    module = importlib.import_module(API_FUNCTIONS[domain].rsplit(".", 1)[0])
    served = set()
    for route in module.app._static_routes + module.app._dynamic_routes:
        path = route.openapi_path
        served.add((route.method.upper(), path))
    return served


@pytest.mark.parametrize("domain", sorted(API_FUNCTIONS))
def test_each_domain_serves_exactly_its_routes(domain):
    expected = {(r.method, r.path) for r in ROUTES if r.function == domain}
    assert _served(domain) == expected
