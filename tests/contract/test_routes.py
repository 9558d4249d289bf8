"""The route table is the single list of the API: every domain resolver serves exactly its routes."""

import importlib

import pytest

from deploy.catalog import Trigger, api_function, by_trigger
from deploy.routes import ROUTES
from shared.partner import PARTNER_OPERATIONS, PARTNER_PREFIX


def _served(domain: str) -> set[tuple[str, str]]:
    module = importlib.import_module(api_function(domain).handler.rsplit(".", 1)[0])
    served = set()
    for route in module.app._static_routes + module.app._dynamic_routes:
        path = route.openapi_path
        served.add((route.method.upper(), path))
    return served


@pytest.mark.parametrize("domain", sorted(f.api_domain for f in by_trigger(Trigger.API)))
def test_each_domain_serves_exactly_its_routes(domain):
    # Signed /partner routes are the same handlers, reached with the prefix stripped.
    expected = {(r.method, r.path.removeprefix(PARTNER_PREFIX) if r.signed else r.path) for r in ROUTES if r.function == domain}
    assert _served(domain) == expected


def test_signed_routes_are_exactly_the_partner_operations_under_their_prefix():
    signed = {(r.method, r.path) for r in ROUTES if r.signed}
    assert signed == {(m, PARTNER_PREFIX + p) for m, p in PARTNER_OPERATIONS}
    assert all(r.path.startswith(PARTNER_PREFIX + "/") == r.signed for r in ROUTES)


def test_every_route_is_served_by_a_catalogued_api_function():
    domains = {f.api_domain for f in by_trigger(Trigger.API)}
    assert {r.function for r in ROUTES} == domains


def test_the_openapi_document_describes_every_route():
    from deploy.openapi import openapi_document

    documented = {(method.upper(), path) for path, methods in openapi_document()["paths"].items() for method in methods}
    assert {(r.method, r.path) for r in ROUTES if not r.public} <= documented
