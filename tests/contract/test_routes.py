"""The route table is the single list of the API: every domain resolver serves exactly its routes."""

import importlib

import pytest

from shared.catalog import Trigger, api_function, by_trigger
from shared.routes import ROUTES


def _served(domain: str) -> set[tuple[str, str]]:
    module = importlib.import_module(api_function(domain).handler.rsplit(".", 1)[0])
    served = set()
    for route in module.app._static_routes + module.app._dynamic_routes:
        path = route.openapi_path
        served.add((route.method.upper(), path))
    return served


@pytest.mark.parametrize("domain", sorted(f.api_domain for f in by_trigger(Trigger.API)))
def test_each_domain_serves_exactly_its_routes(domain):
    expected = {(r.method, r.path) for r in ROUTES if r.function == domain}
    assert _served(domain) == expected


def test_every_route_is_served_by_a_catalogued_api_function():
    domains = {f.api_domain for f in by_trigger(Trigger.API)}
    assert {r.function for r in ROUTES} == domains
