"""Acting for a resident: a family member or community worker links with the resident's consent, a code
sent to the resident's phone; either side can end the link. The resident is told of each by text message.

Reasoning and threats: docs/security.md#acting-for-a-resident.
"""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools.event_handler.api_gateway import Router

from identity.domain.records import User
from identity.service import accounts
from notify.service.texts import tell_by_sms
from orders.domain import proxies as rules
from orders.domain.errors import (
    AlreadyLinked,
    CannotLinkSelf,
    DailyLimitReached,
    InvalidRelation,
    NotLinked,
    RequestExpired,
    RequestTooSoon,
    TooManyAttempts,
    WrongCode,
)
from orders.domain.records import Proxy
from orders.domain.settings import order_settings
from orders.handlers.models.proxies import ProxyConfirmIn, ProxyLinks, ProxyLinkView, ProxyRequestIn, ProxyRequestView
from orders.handlers.views import profile
from orders.store import proxy_links, proxy_requests
from orders.store.proxy_requests import ProxyRequest
from shared import clock, ids, sms
from shared.api import current_caller
from shared.auth import Caller, require_role
from shared.dal import daily_counts
from shared.errors import ServiceUnavailable
from shared.observability import logger
from shared.roles import Role

router = Router()

# What the daily limits count (shared.dal.daily_counts)
REQUESTS_MADE = "proxy_requests"
CODES_RECEIVED = "consent_codes"


def _resident_caller() -> tuple[Caller, User]:
    caller = current_caller(router)
    require_role(caller, Role.RESIDENT)
    return caller, profile(caller)


@router.post("/proxy-requests", status_code=202)
def request_link(body: ProxyRequestIn) -> ProxyRequestView:
    """Ask to act for the resident with this phone number: the resident is sent a code. The answer is the same
    whether or not the number is a resident's (no code then reaches anyone, and none completes the request)."""
    caller, me = _resident_caller()
    settings = order_settings()
    relation = rules.relation(body.relation)
    if relation is None:
        raise InvalidRelation()
    if me.phone and rules.digits(me.phone) == rules.digits(body.phone):
        raise CannotLinkSelf()
    now = clock.now()
    previous = proxy_requests.get(caller.user_id)
    if previous is not None and settings.proxy_request_cooldown_seconds:
        since = now - clock.parse(previous.created_at)
        if since < timedelta(seconds=settings.proxy_request_cooldown_seconds):
            raise RequestTooSoon()
    found = accounts.residents_with_phone(body.phone)
    resident = found[0] if len(found) == 1 else None  # a number shared by several accounts links none of them
    if resident is not None and resident.user_id == caller.user_id:
        raise CannotLinkSelf()
    if resident is not None and proxy_links.is_proxy(resident.user_id, caller.user_id):
        raise AlreadyLinked()
    today, epoch = clock.beijing_day(clock.iso(now)), int(now.timestamp())
    if not daily_counts.take(caller.user_id, REQUESTS_MADE, today, settings.proxy_requests_per_day, now_epoch=epoch):
        raise DailyLimitReached()
    # Past her daily limit she is sent no code, whoever asks; the answer stays the same (it must not tell that the
    # number is a resident's), so the request completes nothing, as for an unknown number.
    if resident is not None and not daily_counts.take(
        resident.user_id, CODES_RECEIVED, today, settings.proxy_codes_per_resident_per_day, now_epoch=epoch
    ):
        logger.warning("a resident's daily limit of consent codes reached: none sent", extra={"resident_id": resident.user_id})
        resident = None
    request_id = ids.new_id("prq")
    code = rules.new_code()
    expires = now + timedelta(seconds=settings.proxy_code_seconds)
    request = ProxyRequest(
        request_id=request_id,
        requester_id=caller.user_id,
        resident_id=resident.user_id if resident else None,
        phone_masked=rules.mask_phone(body.phone),
        relation=relation[0],
        relation_en=relation[1],
        code_hash=rules.code_hash(request_id, code),
        created_at=clock.iso(now),
        expires_at=clock.iso(expires),
    )
    # Kept a day past its expiry (the cooldown reads it), then DynamoDB's TTL removes it. Stored only if the
    # requester's last request is older than the wait: of requests sent at once, one gets through.
    cooldown = settings.proxy_request_cooldown_seconds
    earlier = clock.iso(now - timedelta(seconds=cooldown)) if cooldown else None
    if not proxy_requests.put(request, ttl=int(expires.timestamp()) + 86400, previous_before=earlier):
        daily_counts.give_back(caller.user_id, REQUESTS_MADE, today)
        if resident is not None:
            daily_counts.give_back(resident.user_id, CODES_RECEIVED, today)
        raise RequestTooSoon()
    if resident is not None:
        minutes = max(1, settings.proxy_code_seconds // 60)
        text = rules.code_text(
            requester_name=me.name,
            relation=request.relation,
            relation_en=request.relation_en,
            requester_phone=me.phone,
            code=code,
            minutes=minutes,
        )
        template = rules.code_sms(relation=request.relation, requester_phone=me.phone, code=code, minutes=minutes)
        try:
            tell_by_sms(resident, message_id=f"{request_id}.code", kind="proxy.consent_code", text=text, template=template)
        except sms.SmsNotSent:
            # Her number's texts for today are used up: no code reaches her, and the answer stays the same.
            logger.warning("a consent code was not sent: the number's daily SMS cap", extra={"resident_id": resident.user_id})
        except Exception as exc:
            # No code reached her: the request goes, and so do its counts, so the retry need not wait its minute.
            logger.exception("the consent code could not be sent")
            proxy_requests.delete(caller.user_id, request_id)
            daily_counts.give_back(caller.user_id, REQUESTS_MADE, today)
            daily_counts.give_back(resident.user_id, CODES_RECEIVED, today)
            raise ServiceUnavailable() from exc
    return ProxyRequestView(
        request_id=request_id,
        phone_masked=request.phone_masked,
        expires_at=request.expires_at,
        attempts_allowed=settings.proxy_code_attempts,
        message_zh=f"如果 {request.phone_masked} 是邻里的居民，对方会收到一条带验证码的短信。请对方把验证码告诉您，再输入。",
        message_en=f"If {request.phone_masked} is a Linli resident, they get a text with a code. Ask them for it, enter it here.",
    ), 202


@router.post("/proxy-requests/<request_id>/confirm", status_code=201)
def confirm_link(request_id: str, body: ProxyConfirmIn) -> ProxyLinkView:
    """The code the resident told the requester: the link is made (once), and the resident is told."""
    caller, me = _resident_caller()
    settings = order_settings()
    request = proxy_requests.get(caller.user_id)
    if request is None or request.request_id != request_id:
        raise RequestExpired()
    if request.void or request.attempts >= settings.proxy_code_attempts:
        raise TooManyAttempts()
    if clock.parse(request.expires_at) <= clock.now():
        proxy_requests.delete(caller.user_id, request_id)
        raise RequestExpired()
    attempts = proxy_requests.claim_attempt(caller.user_id, request_id, settings.proxy_code_attempts)
    if attempts is None:  # replaced, used or voided by a parallel try
        raise TooManyAttempts() if proxy_requests.get(caller.user_id) else RequestExpired()
    resident = accounts.get_user(request.resident_id) if request.resident_id else None
    if resident is None or not rules.code_matches(request_id, body.code, request.code_hash):
        left = settings.proxy_code_attempts - attempts
        if left <= 0:
            proxy_requests.void(caller.user_id, request_id)
            raise TooManyAttempts()
        raise WrongCode(
            f"验证码不对，还可以再试 {left} 次。请核对老人收到的短信",
            f"The code is wrong; {left} more tr{'y' if left == 1 else 'ies'}. Check the resident's text message.",
        )
    if proxy_links.is_proxy(resident.user_id, caller.user_id):
        proxy_requests.delete(caller.user_id, request_id)
        raise AlreadyLinked()
    proxy = Proxy(
        resident_id=resident.user_id,
        proxy_id=caller.user_id,
        relation=request.relation,
        relation_en=request.relation_en,
        linked_at=clock.now_iso(),
        consent=f"sms_code:{request_id}",
    )
    if not proxy_requests.complete(request, proxy):
        raise RequestExpired()
    text = rules.linked_text(proxy_name=me.name, relation=proxy.relation, relation_en=proxy.relation_en)
    template = rules.linked_sms(relation=proxy.relation, proxy_phone=me.phone)
    _notice(resident, message_id=f"{request_id}.linked", kind="proxy.linked", text=text, template=template)
    return _link_view(proxy, resident, me), 201


def _notice(recipient: User, *, message_id: str, kind: str, text: tuple[str, str], template: tuple[str, dict[str, str]]) -> None:
    """A notice of what already happened (a link made or ended): a failed SMS is logged, and the change stands."""
    try:
        tell_by_sms(recipient, message_id=message_id, kind=kind, text=text, template=template)
    except Exception:  # noqa: BLE001 - the link is stored; an operator sees the failure in the logs
        logger.exception("a proxy notice could not be sent", extra={"kind": kind})


def _link_view(proxy: Proxy, resident: User | None, acting: User | None) -> ProxyLinkView:
    return ProxyLinkView(
        resident_id=proxy.resident_id,
        resident_name=resident.name if resident else "",
        proxy_id=proxy.proxy_id,
        proxy_name=acting.name if acting else "",
        relation=proxy.relation,
        relation_en=proxy.relation_en,
        linked_at=proxy.linked_at,
    )


def _links(me: User) -> ProxyLinks:
    acting_for, acted_by = proxy_links.acting_for(me.user_id), proxy_links.of_resident(me.user_id)
    names = accounts.get_users({p.resident_id for p in acting_for} | {p.proxy_id for p in acted_by})
    return ProxyLinks(
        acting_for=[_link_view(p, names.get(p.resident_id), me) for p in acting_for],
        proxies=[_link_view(p, me, names.get(p.proxy_id)) for p in acted_by],
    )


@router.get("/me/proxies")
def my_links() -> ProxyLinks:
    """Whom I act for, and who acts for me."""
    _, me = _resident_caller()
    return _links(me)


def _end(resident_id: str, proxy_id: str, me: User) -> ProxyLinks:
    ended = proxy_links.revoke(resident_id, proxy_id, by=me.user_id, at=clock.now_iso())
    if ended is None:
        raise NotLinked()
    by_resident = me.user_id == resident_id
    other = accounts.get_user(proxy_id if by_resident else resident_id)
    resident = me if by_resident else other
    if resident is not None:
        proxy_user = other if by_resident else me
        text = rules.revoked_text(
            proxy_name=(other.name if by_resident and other else me.name),
            relation=ended.relation,
            relation_en=ended.relation_en,
            by_resident=by_resident,
        )
        template = rules.revoked_sms(
            relation=ended.relation, proxy_phone=proxy_user.phone if proxy_user else "", by_resident=by_resident
        )
        _notice(
            resident,
            message_id=f"revoke.{proxy_id}.{ended.revoked_at}",
            kind="proxy.revoked",
            text=text,
            template=template,
        )
    return _links(me)


@router.delete("/me/proxies/<proxy_id>")
def revoke_link(proxy_id: str) -> ProxyLinks:
    """The resident ends someone's right to act for them: from this moment they see and place nothing."""
    _, me = _resident_caller()
    return _end(me.user_id, proxy_id, me)


@router.delete("/me/acting-for/<resident_id>")
def withdraw_link(resident_id: str) -> ProxyLinks:
    """The proxy stops acting for the resident."""
    _, me = _resident_caller()
    return _end(resident_id, me.user_id, me)
