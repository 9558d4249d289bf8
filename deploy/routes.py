"""The route table: which Lambda serves each HTTP route. CDK, the local gateway and the tests read it.

The signed /partner routes are derived from what the running code verifies (`shared.partner`: the prefix and the
operations a key's scopes allow), and the CSV routes the running code parses (`shared.api.CSV_ROUTES`) are
checked to be routes.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.api import CSV_ROUTES
from shared.partner import PARTNER_OPERATIONS, PARTNER_PREFIX


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str  # the API function (domain) that serves it
    public: bool = False  # served without a JWT
    signed: bool = False  # no JWT at the gateway: the function verifies the company's signature (shared.partner)

    @property
    def needs_jwt(self) -> bool:
        return not (self.public or self.signed)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/openapi.json", "orders", public=True),
    # Signing in (docs/security.md#signing-in): public, as they are how a token is obtained; binding a phone number
    # and logging out take the caller's token.
    Route("POST", "/auth/wechat", "identity", public=True),
    Route("POST", "/auth/wechat/phone", "identity"),
    Route("POST", "/auth/sms/code", "identity", public=True),
    Route("POST", "/auth/sms/verify", "identity", public=True),
    Route("POST", "/auth/refresh", "identity", public=True),
    Route("POST", "/auth/logout", "identity"),
    Route("GET", "/.well-known/jwks.json", "identity", public=True),
    Route("GET", "/.well-known/openid-configuration", "identity", public=True),
    Route("GET", "/me", "orders"),
    # Onboarding (supervisors): compounds and households from a CSV, each compound's contract and free period
    Route("POST", "/compounds/import", "compounds"),
    Route("GET", "/compounds", "compounds"),
    Route("GET", "/compounds/{compound_id}", "compounds"),
    Route("PUT", "/compounds/{compound_id}/contract", "compounds"),
    Route("PUT", "/compounds/{compound_id}/free-service", "compounds"),
    # Residents' addresses: claims, the property company's verification, household codes, the desk's registrations
    Route("POST", "/me/addresses", "orders"),
    Route("DELETE", "/me/addresses/{address_id}", "orders"),
    Route("GET", "/addresses", "orders"),
    Route("POST", "/addresses/{address_id}/verify", "orders"),
    Route("POST", "/compounds/{compound_id}/household-codes", "orders"),
    Route("POST", "/residents", "orders"),
    # Acting for a resident: family members and community workers, with the resident's consent
    Route("POST", "/proxy-requests", "orders"),
    Route("POST", "/proxy-requests/{request_id}/confirm", "orders"),
    Route("GET", "/me/proxies", "orders"),
    Route("DELETE", "/me/proxies/{proxy_id}", "orders"),
    Route("DELETE", "/me/acting-for/{resident_id}", "orders"),
    Route("POST", "/orders", "orders"),
    Route("GET", "/orders", "orders"),
    Route("GET", "/orders/{order_id}", "orders"),
    Route("POST", "/orders/{order_id}/cancel", "orders"),
    Route("POST", "/orders/{order_id}/progress", "orders"),
    Route("POST", "/orders/{order_id}/completion", "orders"),
    Route("POST", "/orders/{order_id}/dispatch", "orders"),
    Route("POST", "/orders/{order_id}/unfounded", "orders"),
    Route("POST", "/orders/{order_id}/doorstep", "orders"),
    Route("POST", "/orders/{order_id}/rework", "orders"),
    Route("GET", "/orders/{order_id}/history", "orders"),
    # Transparent prices and consent
    Route("POST", "/quotes", "orders"),
    Route("GET", "/catalogue", "orders"),
    Route("GET", "/catalogue/changes", "orders"),
    Route("PUT", "/catalogue/items/{item_id}", "orders"),
    Route("POST", "/orders/{order_id}/approval", "orders"),
    Route("POST", "/orders/{order_id}/dispute", "orders"),
    Route("POST", "/orders/{order_id}/dispute/resolution", "orders"),
    Route("GET", "/disputes", "orders"),
    # Photos: pre-signed uploads and reads, in the orders function (it alone may sign `photos/`)
    Route("POST", "/photos", "orders"),
    Route("GET", "/orders/{order_id}/photos/{photo_id}", "orders"),
    Route("PUT", "/technicians/{user_id}/photo", "orders"),
    Route("GET", "/technicians/{user_id}/photo", "orders"),
    Route("GET", "/offers", "matching"),
    Route("POST", "/offers/{offer_id}/accept", "matching"),
    Route("POST", "/offers/{offer_id}/decline", "matching"),
    Route("PUT", "/technicians/me/availability", "matching"),
    Route("GET", "/slots", "matching"),
    Route("POST", "/orders/{order_id}/rating", "ratings"),
    Route("GET", "/messages", "notify"),
    Route("GET", "/me/notifications", "notify"),
    Route("PUT", "/me/notifications", "notify"),
    Route("POST", "/me/wechat/subscriptions", "notify"),
    Route("GET", "/call-tasks", "notify"),
    Route("GET", "/companies/me/webhook", "notify"),
    Route("PUT", "/companies/me/webhook", "notify"),
    Route("POST", "/companies/me/webhook/secret", "notify"),
    Route("GET", "/companies/me/webhook/deliveries", "notify"),
    Route("POST", "/companies/me/webhook/deliveries/{delivery_id}/replay", "notify"),
    Route("GET", "/ops/dead-letters", "notify"),
    Route("GET", "/companies/me/api-keys", "notify"),
    Route("POST", "/companies/me/api-keys", "notify"),
    Route("DELETE", "/companies/me/api-keys/{key_id}", "notify"),
    Route("GET", "/me/api-keys", "notify"),
    Route("POST", "/me/api-keys/{key_id}/enrolment", "notify"),
    Route("DELETE", "/me/api-keys/{key_id}/enrolment", "notify"),
    # Government supervision
    Route("POST", "/documents", "supervision"),
    Route("GET", "/companies/{company_id}/documents/{document_id}", "supervision"),
    Route("GET", "/companies/me", "supervision"),
    Route("PUT", "/companies/me/application", "supervision"),
    Route("POST", "/companies/me/technicians", "supervision"),
    Route("GET", "/companies/me/technicians", "supervision"),
    Route("GET", "/companies/me/credit", "supervision"),
    Route("GET", "/vetting", "supervision"),
    Route("POST", "/vetting/companies/{company_id}/decision", "supervision"),
    Route("POST", "/vetting/technicians/{user_id}/decision", "supervision"),
    Route("POST", "/technicians/{user_id}/certificates", "supervision"),
    Route("GET", "/vetting/renewals", "supervision"),
    Route("POST", "/technicians/{user_id}/certificates/{renewal_id}/decision", "supervision"),
    Route("GET", "/credit/companies", "supervision"),
    Route("GET", "/credit/companies/{company_id}", "supervision"),
    Route("GET", "/credit/export", "supervision"),
    Route("GET", "/orders/{order_id}/audit", "supervision"),
    Route("GET", "/supervision/stuck", "supervision"),
    Route("GET", "/supervision/orders/export", "supervision"),
    Route("GET", "/compounds/{compound_id}/reports", "supervision"),
    Route("POST", "/orders/{order_id}/me-too", "supervision"),
    Route("GET", "/stats", "supervision"),
    # Public credit: anyone may read it, without signing in (cacheable)
    Route("GET", "/public/companies", "supervision", public=True),
)

# What a company's own system may do through /partner, acting for one of its staff (the operations of a key's
# scopes, shared.partner): the same routes, the same handlers and the same permission checks as that person's app.
_BY_KEY = {(r.method, r.path): r for r in ROUTES}
ROUTES += tuple(Route(m, PARTNER_PREFIX + p, _BY_KEY[(m, p)].function, signed=True) for m, p in PARTNER_OPERATIONS)
assert set(_BY_KEY) >= CSV_ROUTES, "every route the running code reads as CSV is a route"
