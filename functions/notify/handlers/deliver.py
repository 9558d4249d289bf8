"""Queue consumer: each domain event from the bus becomes messages to the people concerned.

A message is recorded in the outbox after it was handed to its channel, and skipped when already
recorded, so a retried event neither loses nor repeats a message. A failed event comes back after an
exponentially growing delay; what fails every retry goes to the queue's dead-letter queue, which
supervisors read through `GET /ops/dead-letters`. Once recorded, each message is also posted to the
recipient's open apps (web push, `push_to_apps`).
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from compounds.service import compound_records
from identity.domain.records import User
from identity.service import accounts
from notify.domain.channels import channels_for
from notify.domain.compose import ALWAYS_BY_SMS, Draft, Placer, drafts_for, report_drafts
from notify.domain.doorstep import mismatch_alerts
from notify.domain.escalation import Arrangers, call_task_text, resident_sms, resident_text, staff_alerts, unanswered_alerts
from notify.domain.reminders import deadline_drafts, rating_reminder_drafts
from notify.domain.settings import notify_settings
from notify.domain.sms import template as sms_template
from notify.domain.supervision import MESSAGED_SUPERVISION_EVENTS, supervision_drafts
from notify.domain.webhooks import retry_delay
from notify.service import subscriptions, web_push
from notify.store import messages, notifications, push_connections
from notify.store.messages import Message
from notify.store.notifications import CallTask, Channel
from orders.service import proxy_links
from shared import queues, sms
from shared.events import DomainEvent
from shared.events import EventType as Happened
from shared.observability import logger, tracer
from supervision.service import company_records

processor = BatchProcessor(event_type=EventType.SQS)


def deliver(event: DomainEvent) -> int:
    """Send every message the event calls for; returns how many were sent now (not before)."""
    sent = 0
    proxies = (
        [p.proxy_id for p in proxy_links.of_resident(event.order.resident_id)]
        if event.type == Happened.ORDER_APPROVAL_NEEDED
        else []
    )
    arrangers = _arrangers(event)
    escalated = arrangers is not None and event.order is not None and event.type == Happened.ORDER_ESCALATED
    escalated_text = resident_text(event.order, arrangers) if escalated else None
    escalated_sms = resident_sms(event.order, arrangers) if escalated else None
    drafts = (
        drafts_for(event, proxies=proxies, placer=_placer(event), escalated_text=escalated_text, escalated_sms=escalated_sms)
        + _supervision_drafts(event)
        + (staff_alerts(event, arrangers) + unanswered_alerts(event, arrangers) if arrangers is not None else [])
        + _deadline_drafts(event)
        + rating_reminder_drafts(event)
        + _report_drafts(event)
        + _doorstep_drafts(event)
    )
    if arrangers is not None and event.type == Happened.ORDER_ESCALATED:
        _escalation_call_task(event, arrangers)
    # Every recipient's profile and preferences in two batched reads, not two reads per recipient.
    recipient_ids = {d.recipient_id for d in drafts}
    recipients = accounts.get_users(recipient_ids) if recipient_ids else {}
    preferences_of = notifications.preferences_of(set(recipients)) if recipients else {}
    for draft in drafts:
        recipient = recipients.get(draft.recipient_id)
        if recipient is None:
            logger.warning("message for an unknown user dropped", extra={"recipient_id": draft.recipient_id})
            continue
        preferences = preferences_of[recipient.user_id]
        recorded_now: list[Message] = []
        for channel in channels_for(preferences, recipient, always_sms=draft.kind in ALWAYS_BY_SMS):
            if channel in (Channel.SMS, Channel.WECHAT) and subscriptions.by_wechat(draft, recipient, event):
                # A resident's phone message: by WeChat while a subscription consent is left, else by SMS (once).
                by_phone = subscriptions.deliver(draft, recipient, event, preferences.language)
                if by_phone is not None:
                    recorded_now.append(by_phone)
                    sent += 1
                continue
            template = draft.template if channel == Channel.SMS else None
            message = Message.of_draft(draft, event, recipient.user_id, channel.value, template)
            if messages.recorded(message):
                continue
            try:
                _send(channel, draft, recipient, preferences.language, event)
            except sms.SmsNotSent as refused:
                # The number's texts for today are used up: this one is not sent, nor recorded as sent by SMS.
                logger.warning("SMS not sent", extra={"reason": refused.reason, "kind": draft.kind})
                continue
            messages.put(message)
            recorded_now.append(message)
            sent += 1
        if recorded_now:
            push_to_apps(recorded_now[0])
    return sent


def _arrangers(event: DomainEvent) -> Arrangers | None:
    """For an escalation (and its second alert): the compound's contracted company with its dispatchers, and every
    supervisor of the district (the pilot's platform serves one district: every supervisor is its supervisor)."""
    order = event.order
    if order is None or event.type not in (Happened.ORDER_ESCALATED, Happened.ORDER_ESCALATION_UNANSWERED):
        return None
    compound = compound_records.get_compound(order.compound_id)
    company_id = compound.contracted_company_id if compound else None
    company = company_records.get_company(company_id) if company_id else None
    resident = accounts.get_user(order.resident_id)
    return Arrangers(
        company_id=company_id,
        company_name=company.name if company else (company_id or ""),
        company_name_en=company.name_en if company else "",
        dispatchers=tuple(u.user_id for u in accounts.staff_of(company_id, "dispatcher") if u.status == "active")
        if company_id
        else (),
        supervisors=tuple(u.user_id for u in accounts.users_with_role("supervisor") if u.status == "active"),
        resident_has_phone=bool(resident and resident.phone),
    )


def _escalation_call_task(event: DomainEvent, arrangers: Arrangers) -> None:
    """The contracted company's back office gets a task to phone the resident, once per escalation. Its id is the
    one a resident who chose to be phoned gets for the event's message, and it is recorded first: one call, not two."""
    order = event.order
    if order is None or not arrangers.company_told or arrangers.company_id is None:
        return
    resident = accounts.get_user(order.resident_id)
    name = resident.name if resident else order.resident_id
    text_zh, text_en = call_task_text(order, name)
    notifications.add_call_task(
        CallTask(
            task_id=f"{event.event_id}.{order.resident_id}",
            company_id=arrangers.company_id,
            resident_id=order.resident_id,
            resident_name=name,
            phone=resident.phone if resident else "",
            order_id=order.order_id,
            text_zh=text_zh,
            text_en=text_en,
            created_at=event.occurred_at,
        )
    )


def push_to_apps(message: Message) -> int:
    """Web push: the person's open apps are told at once, whatever channels they chose (the app's inbox, GET
    /messages, shows every channel's message too): one frame per draft (its first channel's message) to each open
    socket; a socket API Gateway calls gone is forgotten. Best effort after the message was recorded: a failed post
    is logged, not retried (the app finds the message in GET /messages). Returns how many sockets took it."""
    if not web_push.enabled():
        return 0
    payload = {"type": "message", "message": message.model_dump(mode="json")}
    delivered = 0
    try:
        sockets = push_connections.of_user(message.recipient_id)
    except Exception:  # noqa: BLE001 - the message is recorded; the push is a courtesy
        logger.exception("web push: open sockets unreadable", extra={"recipient_id": message.recipient_id})
        return 0
    for connection_id in sockets:
        try:
            if web_push.post(connection_id, payload):
                delivered += 1
            else:
                push_connections.remove(connection_id, message.recipient_id)
        except Exception:  # noqa: BLE001
            logger.exception("web push failed", extra={"recipient_id": message.recipient_id})
    return delivered


def _placer(event: DomainEvent) -> Placer | None:
    """The proxy who placed the order for the resident, if one did; whether they still act for them is
    read now, so a revoked proxy hears nothing more."""
    order = event.order
    if order is None or not order.placed_by or order.placed_by == order.resident_id:
        return None
    found = accounts.get_users({order.placed_by, order.resident_id})
    proxy, resident = found.get(order.placed_by), found.get(order.resident_id)
    if order.placed_via == "phone":  # the property service desk, for a caller: named by its company
        company = company_records.get_company(proxy.company_id) if proxy and proxy.company_id else None
        return Placer(
            proxy_id=order.placed_by,
            name=proxy.name if proxy else "",
            relation=company.name if company else "物业",
            relation_en=company.name_en if company else "property company",
            resident_name=resident.name if resident else "",
            still_linked=False,
        )
    link = proxy_links.get(order.resident_id, order.placed_by)
    return Placer(
        proxy_id=order.placed_by,
        name=proxy.name if proxy else "",
        relation=link.relation if link else "",
        relation_en=link.relation_en if link else "",
        resident_name=resident.name if resident else "",
        still_linked=link is not None and link.status == "active",
        phone_tail=sms.digits(proxy.phone)[-4:] if proxy and proxy.phone else "",
    )


def _supervision_drafts(event: DomainEvent) -> list[Draft]:
    """Supervision events reach the company's dispatchers (and supervisors, for alerts)."""
    if event.type in MESSAGED_SUPERVISION_EVENTS:
        dispatchers = [u.user_id for u in accounts.staff_of(event.company_id, "dispatcher")] if event.company_id else []
        supervisors = (
            [u.user_id for u in accounts.users_with_role("supervisor")] if event.type == Happened.CREDIT_SUSPENDED else []
        )
        return supervision_drafts(event, dispatchers=dispatchers, supervisors=supervisors)
    return []


def _report_drafts(event: DomainEvent) -> list[Draft]:
    """A new public-area report reaches its company's dispatchers (the compound's contracted company)."""
    order = event.order
    if order is None or order.order_type != "public_area" or event.type != Happened.ORDER_SUBMITTED:
        return report_drafts(event, dispatchers=[])
    compound = compound_records.get_compound(order.compound_id)
    company_id = event.company_id or order.company_id or (compound.contracted_company_id if compound else None)
    return report_drafts(
        event, dispatchers=[u.user_id for u in accounts.staff_of(company_id, "dispatcher")] if company_id else []
    )


def _doorstep_drafts(event: DomainEvent) -> list[Draft]:
    """A door-step mismatch reaches the order's company (its dispatchers) and every supervisor at once."""
    order = event.order
    if event.type != Happened.ORDER_DOORSTEP_MISMATCH or order is None:
        return []
    company_id = event.company_id or order.company_id
    technician = accounts.get_user(order.technician_id) if order.technician_id else None
    return mismatch_alerts(
        event,
        technician_name=technician.name if technician else (order.technician_id or ""),
        dispatchers=[u.user_id for u in accounts.staff_of(company_id, "dispatcher") if u.status == "active"]
        if company_id
        else [],
        supervisors=[u.user_id for u in accounts.users_with_role("supervisor") if u.status == "active"],
    )


def _deadline_drafts(event: DomainEvent) -> list[Draft]:
    """A deadline warning reaches whoever the waiting step needs (`deadline_drafts` picks among them)."""
    if event.type != Happened.ORDER_DEADLINE_APPROACHING or event.order is None:
        return []
    return deadline_drafts(
        event,
        dispatchers=[u.user_id for u in accounts.staff_of(event.company_id, "dispatcher")] if event.company_id else [],
        supervisors=[u.user_id for u in accounts.users_with_role("supervisor")],
        proxies=[p.proxy_id for p in proxy_links.of_resident(event.order.resident_id)],
    )


def _send(channel: Channel, draft: Draft, recipient: User, language: str, event: DomainEvent) -> None:
    if channel == Channel.SMS:
        sms.send_template(recipient.phone, sms_template(draft.template), dict(draft.params), language=language)
    elif channel == Channel.PHONE_CALL and event.type == Happened.ORDER_ESCALATED:
        pass  # the escalation's own call task (_escalation_call_task) is this call, to the contracted company
    elif channel == Channel.PHONE_CALL and event.order is not None and draft.order_id:
        compound = compound_records.get_compound(event.order.compound_id)
        company_id = event.order.company_id or (compound.contracted_company_id if compound else None)
        if company_id:
            notifications.add_call_task(
                CallTask(
                    task_id=f"{event.event_id}.{recipient.user_id}",
                    company_id=company_id,
                    resident_id=recipient.user_id,
                    resident_name=recipient.name,
                    phone=recipient.phone,
                    order_id=draft.order_id,
                    text_zh=draft.text_zh,
                    text_en=draft.text_en,
                    created_at=event.occurred_at,
                )
            )
    # WeChat-style and push messages are the outbox record itself (GET /messages); the apps open at the time are
    # told at once by web push (push_to_apps), whichever channel the message went by.


def record_handler(record: SQSRecord) -> None:
    try:
        deliver(DomainEvent.model_validate(json.loads(record.body)["detail"]))
    except Exception:
        # Back off before the queue offers the event again: 2 s, 4 s, 8 s … (then the dead-letter queue).
        receives = int(record.attributes.approximate_receive_count or 1)
        settings = notify_settings()
        delay = retry_delay(receives, base_seconds=settings.notification_retry_base_seconds, max_seconds=queues.MAX_DELAY_SECONDS)
        queues.postpone(settings.notifications_queue_url, record.receipt_handle, int(delay))
        raise


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
