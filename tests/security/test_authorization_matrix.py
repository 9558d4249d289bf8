"""Who may call what: every route of the route table × every role × own and another's resource.

Each route has an entry naming the roles it serves; a route without an entry fails the first test. For
a role outside the entry the answer must be 403; for a role in it, anything but 401/403 (the order's
state may still say 409). A resource of another compound, company or person is refused to everyone
but a supervisor. Calls are made in an order that lets the refusals run before anything changes."""

from __future__ import annotations

import json
import time

import jwt
import pytest

from deploy.routes import ROUTES
from tests.conftest import World, wait_for

R, T, D, S = "resident", "technician", "dispatcher", "supervisor"
EVERYONE = frozenset({R, T, D, S})

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/me"): EVERYONE,
    # Onboarding: supervisors only
    ("POST", "/compounds/import"): frozenset({S}),  # S: a JSON body is refused (415), nothing imported
    ("GET", "/compounds"): frozenset({S, R, D}),  # S: the onboarding list; R, D: the compound search (names only)
    ("GET", "/compounds/{compound_id}"): frozenset({S, R, D}),  # S: with terms and versions; R, D: the buildings only
    ("PUT", "/compounds/{compound_id}/contract"): frozenset({S}),  # S: a contracted-company id that is nobody's (422)
    ("PUT", "/compounds/{compound_id}/free-service"): frozenset({S}),
    # Residents' addresses: a resident claims and leaves her own; the compound's property company (its
    # dispatchers) verifies claims, hands out household codes and registers residents at the desk
    ("POST", "/me/addresses"): frozenset({R}),
    ("DELETE", "/me/addresses/{address_id}"): frozenset({R}),  # R: only her own (404 otherwise)
    ("GET", "/addresses"): frozenset({D}),  # D: the claims of the company's compounds
    ("POST", "/addresses/{address_id}/verify"): frozenset({D}),  # D: the company's compounds only (404 otherwise)
    ("POST", "/compounds/{compound_id}/household-codes"): frozenset({D}),  # D: the company's compounds (403 otherwise)
    ("POST", "/residents"): frozenset({D}),
    # Signing in: the other /auth routes and the keys are public (no token); these two take the caller's
    ("POST", "/auth/wechat/phone"): frozenset({R}),  # a resident binds the number of WeChat's phone button
    ("POST", "/auth/logout"): EVERYONE,
    # Acting for a resident (issue 6): resident-role accounts (family members, community workers) only
    ("POST", "/proxy-requests"): frozenset({R}),
    ("POST", "/proxy-requests/{request_id}/confirm"): frozenset({R}),
    ("GET", "/me/proxies"): frozenset({R}),
    ("DELETE", "/me/proxies/{proxy_id}"): frozenset({R}),  # R: only links to themself (404 otherwise)
    ("DELETE", "/me/acting-for/{resident_id}"): frozenset({R}),
    ("POST", "/orders"): frozenset({R}),
    ("GET", "/orders"): EVERYONE,
    ("GET", "/orders/{order_id}"): EVERYONE,  # own: placed, assigned, the company's; supervisors all
    ("POST", "/orders/{order_id}/cancel"): frozenset({R, S}),
    ("POST", "/orders/{order_id}/progress"): frozenset({T}),
    ("POST", "/orders/{order_id}/completion"): frozenset({T}),
    ("POST", "/orders/{order_id}/dispatch"): frozenset({D, S}),
    ("POST", "/orders/{order_id}/doorstep"): frozenset({R}),  # the resident (or her proxy), while he is on his way
    ("POST", "/orders/{order_id}/rework"): frozenset({R}),  # the resident (or her proxy), within 30 days of completion
    ("GET", "/orders/{order_id}/history"): frozenset({S}),
    ("POST", "/quotes"): frozenset({R}),
    ("GET", "/catalogue"): EVERYONE,
    ("GET", "/catalogue/changes"): frozenset({S}),
    ("PUT", "/catalogue/items/{item_id}"): frozenset({S}),
    ("POST", "/orders/{order_id}/approval"): frozenset({R}),
    ("POST", "/orders/{order_id}/dispute"): frozenset({R}),
    ("POST", "/orders/{order_id}/dispute/resolution"): frozenset({S}),
    ("GET", "/disputes"): frozenset({S}),
    # Photos (issue 6). POST /photos with a `fault` body: residents; `work`: technicians, `profile`: technicians
    # and dispatchers (tests/api/test_photos_api.py)
    ("POST", "/photos"): frozenset({R}),
    ("GET", "/orders/{order_id}/photos/{photo_id}"): EVERYONE,  # those who see the order
    ("PUT", "/technicians/{user_id}/photo"): frozenset({T, D}),  # T: himself; D: the company's technicians
    ("GET", "/technicians/{user_id}/photo"): frozenset({T, D, S}),
    ("GET", "/offers"): frozenset({T}),
    ("POST", "/offers/{offer_id}/accept"): frozenset({T}),
    ("POST", "/offers/{offer_id}/decline"): frozenset({T}),
    ("PUT", "/technicians/me/availability"): frozenset({T}),
    ("GET", "/slots"): frozenset({R}),
    ("POST", "/orders/{order_id}/rating"): frozenset({R}),
    ("GET", "/messages"): EVERYONE,
    ("GET", "/me/notifications"): EVERYONE,
    ("PUT", "/me/notifications"): EVERYONE,
    ("POST", "/me/wechat/subscriptions"): frozenset({R}),
    ("GET", "/call-tasks"): frozenset({D}),
    ("GET", "/companies/me/webhook"): frozenset({D}),
    ("PUT", "/companies/me/webhook"): frozenset({D}),
    ("POST", "/companies/me/webhook/secret"): frozenset({D}),
    ("GET", "/companies/me/webhook/deliveries"): frozenset({D}),
    ("POST", "/companies/me/webhook/deliveries/{delivery_id}/replay"): frozenset({D}),
    ("GET", "/ops/dead-letters"): frozenset({S}),
    ("GET", "/companies/me/api-keys"): frozenset({D}),
    ("POST", "/companies/me/api-keys"): frozenset({D}),
    ("DELETE", "/companies/me/api-keys/{key_id}"): frozenset({D}),
    # Staff enrol a company's key themselves before it may act for them (404 for another company's key)
    ("GET", "/me/api-keys"): frozenset({T, D}),
    ("POST", "/me/api-keys/{key_id}/enrolment"): frozenset({T, D}),
    ("DELETE", "/me/api-keys/{key_id}/enrolment"): frozenset({T, D}),
    # Government supervision (issue 5)
    ("POST", "/documents"): frozenset({D}),
    ("GET", "/companies/{company_id}/documents/{document_id}"): frozenset({D, S}),  # D: own company only
    ("GET", "/companies/me"): frozenset({D}),  # own company only: "me" is the caller's
    ("PUT", "/companies/me/application"): frozenset({D}),
    ("POST", "/companies/me/technicians"): frozenset({D}),
    ("GET", "/companies/me/technicians"): frozenset({D}),
    ("GET", "/companies/me/credit"): frozenset({D}),
    ("GET", "/vetting"): frozenset({S}),
    ("POST", "/vetting/companies/{company_id}/decision"): frozenset({S}),
    ("POST", "/vetting/technicians/{user_id}/decision"): frozenset({S}),
    ("POST", "/technicians/{user_id}/certificates"): frozenset({D}),  # D: the company's own technicians
    ("GET", "/vetting/renewals"): frozenset({S}),
    ("POST", "/technicians/{user_id}/certificates/{renewal_id}/decision"): frozenset({S}),
    ("GET", "/credit/companies"): frozenset({S}),
    ("GET", "/credit/companies/{company_id}"): frozenset({D, S}),  # D: own company only
    ("GET", "/credit/export"): frozenset({S}),
    ("GET", "/orders/{order_id}/audit"): frozenset({D, S}),  # D: the order's company
    ("GET", "/supervision/stuck"): frozenset({S}),
    ("GET", "/supervision/orders/export"): frozenset({S}),
    ("GET", "/compounds/{compound_id}/reports"): frozenset({R}),  # R: of that compound
    ("POST", "/orders/{order_id}/me-too"): frozenset({R}),
    ("POST", "/orders/{order_id}/unfounded"): frozenset({D, S}),  # D: its company's public-area reports
    ("GET", "/stats"): frozenset({S}),
}

BODIES = {
    ("POST", "/me/addresses"): {"household_code": "NOT-A-CODE"},
    ("POST", "/addresses/{address_id}/verify"): {"decision": "approve"},
    ("POST", "/compounds/{compound_id}/household-codes"): {"building": "1", "unit": "1", "room": "101"},
    ("POST", "/residents"): {
        "name": "矩阵居民",
        "phone": "13700009999",
        "compound_id": "cp_missing",
        "building": "1",
        "unit": "1",
        "room": "101",
    },
    # A number that is nobody's: the request is stored, no code is sent, and the answer is the same 202.
    ("POST", "/proxy-requests"): {"phone": "13799999999", "relation": "社区工作者"},
    ("POST", "/proxy-requests/{request_id}/confirm"): {"code": "000000"},
    ("POST", "/orders"): {"type": "emergency", "category": "electrical", "description": "灯不亮", "address_id": "{address_id}"},
    ("POST", "/orders/{order_id}/cancel"): {},
    ("POST", "/orders/{order_id}/unfounded"): {"reason": "现场核实无此问题"},
    ("POST", "/orders/{order_id}/progress"): {"status": "en_route"},
    ("POST", "/orders/{order_id}/doorstep"): {"match": True},
    ("POST", "/orders/{order_id}/rework"): {"description": "又不亮了"},
    ("POST", "/orders/{order_id}/completion"): {"lines": [], "note": "检查了线路，接头松了，已拧紧"},
    ("POST", "/orders/{order_id}/dispatch"): {"technician_id": "{technician_id}"},
    ("POST", "/quotes"): {"category": "electrical", "description": "灯不亮", "address_id": "{address_id}"},
    ("POST", "/orders/{order_id}/approval"): {"decision": "approve"},
    ("POST", "/orders/{order_id}/dispute"): {"reason": "收费不对"},
    ("POST", "/orders/{order_id}/dispute/resolution"): {"outcome": "rejected", "note": "核实无误"},
    ("PUT", "/technicians/me/availability"): {"on_duty": True, "lat": "{lat}", "lng": "{lng}"},
    ("POST", "/orders/{order_id}/rating"): {"stars": 5},
    ("POST", "/auth/wechat/phone"): {"code": "not-a-phone-code"},
    ("POST", "/auth/logout"): {"refresh_token": "not-a-refresh-token"},
    ("PUT", "/me/notifications"): {"channels": ["sms"]},
    ("POST", "/me/wechat/subscriptions"): {"template_ids": ["tmpl-accepted"], "accepted": []},
    ("PUT", "/companies/me/webhook"): {"url": "https://dispatch.example.com/linli"},
    ("POST", "/companies/me/api-keys"): {"label": "matrix", "operations": ["offers.read"]},
    ("POST", "/documents"): {"kind": "qualification", "filename": "licence.pdf", "content_type": "application/pdf", "size": 100},
    ("POST", "/photos"): {"purpose": "fault", "content_type": "image/jpeg", "size": 1000},
    ("PUT", "/technicians/{user_id}/photo"): {"photo_id": "pho_missing"},
    ("PUT", "/companies/me/application"): {
        "name": "矩阵测试物业",
        "licence_number": "91110112MA01234567",
        "documents": ["doc_missing"],
    },
    ("POST", "/companies/me/technicians"): {
        "name": "新师傅",
        "phone": "13900000001",
        "id_number": "110101199001011234",
        "skills": ["electrical"],
    },
    ("POST", "/compounds/import"): {"rows": []},
    ("PUT", "/compounds/{compound_id}/contract"): {"company_id": "co_nobody", "from": "2026-01-01"},
    ("PUT", "/compounds/{compound_id}/free-service"): {"from": "2020-01-01", "to": "2099-12-31", "funded_by": "测试试点"},
    # Decisions that change nothing here: the world's company and technician are already admitted.
    ("POST", "/vetting/companies/{company_id}/decision"): {"decision": "approve"},
    ("POST", "/vetting/technicians/{user_id}/decision"): {"decision": "approve"},
    ("POST", "/technicians/{user_id}/certificates"): {
        "kind": "electrician_low_voltage",
        "issuer": "北京市应急管理局",
        "number": "T-MATRIX",
        "expires_on": "2099-01-01",
        "document_id": "doc_missing",
    },
    ("POST", "/technicians/{user_id}/certificates/{renewal_id}/decision"): {"decision": "approve"},
}
# Calls that change the order most are made last, so earlier cells still meet it in its first state.
LAST = ("/cancel", "/unfounded", "/completion", "/progress", "/dispatch", "/accept", "/decline")


def _jwt_routes():
    routes = [r for r in ROUTES if r.needs_jwt]
    return sorted(routes, key=lambda r: (any(r.path.endswith(e) for e in LAST), r.path, r.method))


def test_every_route_has_an_entry_in_the_matrix():
    assert {(r.method, r.path) for r in ROUTES if r.needs_jwt} == set(MATRIX)


class Site:
    """A world with an order placed by its resident, with a photo of the fault, and accepted by its technician
    (so every role of the world has a relation to it), and its offer."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.technician = world.add_technician()
        self.photo_id = world.photo(world.resident_id, "resident", "fault")
        self.order_id = world.order(photo_ref=self.photo_id)["order_id"]
        self.offer_id = wait_for(lambda: self._offer(), what="an offer")
        assert world.as_technician(self.technician, "POST", f"/offers/{self.offer_id}/accept").status == 200

    def _offer(self) -> str | None:
        offers = self.world.as_technician(self.technician, "GET", "/offers").body["offers"]
        return next((o["offer_id"] for o in offers if o["order_id"] == self.order_id), None)

    def users(self) -> dict[str, str]:
        return {R: self.world.resident_id, T: self.technician, D: self.world.dispatcher_id, S: "sup_tongzhou"}

    def path(self, template: str) -> str:
        path = template.replace("{order_id}", self.order_id).replace("{offer_id}", self.offer_id)
        path = path.replace("{delivery_id}", f"evt_{self.order_id}_v1").replace("{key_id}", f"lk_{self.world.company_id}.0")
        path = path.replace("{item_id}", "elec_wire_reconnect").replace("{company_id}", self.world.company_id)
        path = path.replace("{document_id}", "doc_missing").replace("{user_id}", self.technician)
        path = path.replace("{compound_id}", self.world.compound_id).replace("{photo_id}", self.photo_id)
        path = path.replace("{request_id}", "prq_missing").replace("{proxy_id}", "res_nobody")
        path = path.replace("{resident_id}", "res_nobody").replace("{renewal_id}", "ren_missing")
        path = path.replace("{address_id}", "addr_missing")
        return path + (f"?category=electrical&address_id={self.world.address_id}" if template == "/slots" else "")

    def body(self, route_key: tuple[str, str]):
        body = BODIES.get(route_key)
        if body is None:
            return None
        values = {"address_id": self.world.address_id, "technician_id": self.technician}
        filled = {k: (values[v[1:-1]] if isinstance(v, str) and v[1:-1] in values else v) for k, v in body.items()}
        if "lat" in filled:
            filled.update(lat=self.world.lat, lng=self.world.lng)
        return filled


def test_each_role_gets_exactly_what_the_matrix_gives_it(sandbox, api):
    from tests.conftest import make_world

    mine, theirs = Site(make_world(api)), Site(make_world(api))
    catalogue_item = api.call("sup_tongzhou", S, "GET", "/catalogue").body
    unexpected = []
    for route in _jwt_routes():
        key = (route.method, route.path)
        allowed = MATRIX[key]
        for role, user in mine.users().items():
            body = mine.body(key)
            if key == ("PUT", "/catalogue/items/{item_id}"):
                body = _unchanged_item(catalogue_item, "elec_wire_reconnect")
            answer = api.call(user, role, route.method, mine.path(route.path), body)
            if (answer.status in (401, 403)) == (role in allowed):
                unexpected.append(f"{role:10} {route.method} {route.path} (own) → {answer.status} {answer.body}")
            # Another compound's order or offer: only a supervisor gets through.
            if "{order_id}" in route.path or "{offer_id}" in route.path:
                other = api.call(user, role, route.method, theirs.path(route.path), theirs.body(key))
                through = other.status not in (401, 403, 404)
                if through != (role == S and role in allowed):
                    unexpected.append(f"{role:10} {route.method} {route.path} (another's) → {other.status} {other.body}")
    assert not unexpected, "\n".join(unexpected)


def _unchanged_item(catalogue: dict, item_id: str) -> dict:
    # Publishing an unchanged item creates no version: the supervisor's cell changes nothing.
    from orders.handlers.models.billing import CatalogueItemIn, CataloguePartIn

    item = next(i for i in catalogue["items"] if i["item_id"] == item_id)
    body = {k: v for k, v in item.items() if k in CatalogueItemIn.model_fields}
    body["parts"] = [{k: v for k, v in p.items() if k in CataloguePartIn.model_fields} for p in body["parts"]]
    return body


def test_no_token_is_refused_everywhere(api):
    for route in ROUTES:
        if route.needs_jwt:
            path = route.path.replace("{", "x").replace("}", "")
            assert api.call(None, None, route.method, path, BODIES.get((route.method, route.path))).status == 401, route


# --- Tokens ------------------------------------------------------------------------------------------


def _claims(**changes) -> dict:
    from local import tokens

    now = int(time.time())
    claims = {"sub": "res_wang", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "jti": "at_test"}
    return {**claims, "iat": now, "nbf": now, "exp": now + 600, **changes}


def _signed(claims: dict) -> str:
    """Signed by the sandbox's real key (moto's KMS): only the claims make these tokens bad."""
    from local import tokens

    return tokens.sign_claims(claims)


def _other_key(claims: dict, *, kid: bool = True) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    from local import tokens

    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": tokens.key_id()} if kid else None)


def _unsigned(claims: dict) -> str:
    from local import tokens

    return jwt.encode(claims, None, algorithm="none", headers={"kid": tokens.key_id()})


def _hs256_with_the_public_key(claims: dict) -> str:
    """Algorithm confusion: an HMAC keyed with the published public key, under the real key's kid."""
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import serialization

    from identity.domain.claims import b64url
    from identity.service.wiring import sign_in
    from local import tokens

    jwk = jwt.PyJWK.from_dict(sign_in().jwks()["keys"][0])
    pem = jwk.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": tokens.key_id()}).encode())
    body = b64url(json.dumps(claims).encode())
    return f"{head}.{body}.{b64url(hmac.new(pem, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"


# Built when a test runs (the sandbox's key exists only then).
BAD_TOKENS = pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _signed(_claims(exp=int(time.time()) - 1)), id="expired"),
        pytest.param(lambda: _signed(_claims(nbf=int(time.time()) + 600)), id="not yet valid"),
        pytest.param(lambda: _signed(_claims(iss="https://evil.example.com")), id="wrong issuer"),
        pytest.param(lambda: _signed(_claims(aud="someone-else")), id="wrong audience"),
        pytest.param(lambda: _signed({k: v for k, v in _claims().items() if k != "aud"}), id="no audience"),
        pytest.param(lambda: _unsigned(_claims()), id="alg none"),
        pytest.param(lambda: _signed(_claims())[:-4] + "AAAA", id="tampered signature"),
        pytest.param(lambda: _other_key(_claims()), id="other key"),
        pytest.param(lambda: _other_key(_claims(), kid=False), id="other key, no key id"),
        pytest.param(lambda: _hs256_with_the_public_key(_claims()), id="HS256 with the public key"),
    ],
)


def test_a_well_formed_token_passes(sandbox):
    response = sandbox.gateway.handle("GET", "/me", {"authorization": f"Bearer {_signed(_claims())}"}, b"")
    assert response.status == 200, "the bad tokens below differ from this one only in what their id says"


@BAD_TOKENS
def test_bad_tokens_are_refused(sandbox, make):
    response = sandbox.gateway.handle("GET", "/me", {"authorization": f"Bearer {make()}"}, b"")
    assert response.status == 401


def _connect(sandbox, token: str) -> int:
    """The web-push WebSocket's $connect (the function API Gateway invokes) with this token: its status."""
    from deploy.catalog import Trigger, by_trigger

    [spec] = by_trigger(Trigger.WEBSOCKET)
    event = {"requestContext": {"routeKey": "$connect", "connectionId": "SecurityTest0=", "eventType": "CONNECT"}}
    return int(sandbox.aws.invoke(spec.name, {**event, "queryStringParameters": {"token": token}})["statusCode"])


@BAD_TOKENS
def test_bad_tokens_cannot_open_a_push_socket_either(sandbox, make):
    assert _connect(sandbox, make()) == 401


def test_a_push_socket_needs_a_usable_account(sandbox, world):
    from identity.store import accounts
    from local import tokens
    from notify.store import push_connections

    tech = world.add_technician()
    assert _connect(sandbox, tokens.issue("nobody_at_all")) == 403, "no such account"
    accounts.put_user(accounts.get_user(tech).model_copy(update={"status": "suspended"}))
    assert _connect(sandbox, tokens.issue(tech, "technician")) == 403, "a suspended account"
    assert push_connections.of_user(tech) == [] and push_connections.owner_of("SecurityTest0=") is None


def test_a_suspended_users_token_stops_working_at_once(world):
    from identity.store import accounts

    assert world.as_resident("GET", "/messages").status == 200
    accounts.put_user(accounts.get_user(world.resident_id).model_copy(update={"status": "suspended"}))
    for method, path in (("GET", "/messages"), ("GET", "/me"), ("GET", "/orders")):
        assert world.as_resident(method, path).status == 403, path


def test_a_role_claimed_in_a_token_counts_for_nothing(world):
    """Only `sub` is read from a token: a technician's token claiming to be a supervisor's is a technician's."""
    from local import tokens

    tech = world.add_technician()
    claimed = tokens.sign_claims(
        _claims(sub=tech, role="supervisor", groups=["supervisor"], **{"cognito:groups": ["supervisor"]})
    )
    headers = {"authorization": f"Bearer {claimed}"}
    assert world.api.sandbox.gateway.handle("GET", "/ops/dead-letters", headers, b"").status == 403
    assert world.api.sandbox.gateway.handle("GET", "/offers", headers, b"").status == 200
