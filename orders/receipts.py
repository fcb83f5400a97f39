"""N6: the registrant's confirmation with a receipt, once per paid order (N1: the outbox key
is the order), written in the transaction that pays it in full: the payment's
(payments.services.record_payment), or the checkout's for a free order (P1)."""

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from django.utils import dateformat

from catalog.models import Meeting
from core.locale import organization_locale
from notifications.links import portal_link
from notifications.services import enqueue, organization_context
from notifications.templatetags.notification_format import format_instant
from orders.models import Order
from organizations.models import Organization

DAY_FORMAT = "l j F Y, g:i a"
DATE_FORMAT = "l j F Y"


def enqueue_receipt(
    *, organization: Organization, order: Order, now: datetime, removed_line_ids: Collection[int] = ()
) -> bool:
    """Put the receipt of this paid order in the outbox (what, who, when, paid, balance);
    False when it was written already (a second payment report, a late payment, P4).

    `removed_line_ids`: lines whose registration was deleted before the payment arrived (the
    grace policy, G1-G5; the caller knows, registrations being above orders). The order's
    total still counts them and the payment paid them: each is marked on the receipt, with
    what was paid for places the family no longer holds, which the office refunds or re-enrols
    (the late-payment alert, P4)."""
    lines = list(order.lines.select_related("offering", "participant").order_by("pk"))
    removed = [line for line in lines if line.pk in set(removed_line_ids)]
    first_meetings: dict[int, datetime] = {}
    for meeting in Meeting.objects.filter(offering_id__in={line.offering_id for line in lines}).order_by("starts_at"):
        first_meetings.setdefault(meeting.offering_id, meeting.starts_at)
    household = order.household
    return enqueue(
        organization_id=organization.pk,
        key=f"receipt:{order.pk}",
        kind="registrant_receipt",
        to_email=household.email,
        context=organization_context(organization)
        | {
            "household_name": household.name,
            "order_number": order.number,
            "lines": [
                {
                    "description": line.description,
                    "participant_name": line.participant.full_name if line.participant else "",
                    "starts": _starts(line.offering, first_meetings.get(line.offering_id), organization),
                    "amount": line.amount,
                    "removed": line in removed,
                }
                for line in lines
            ],
            "removed_count": len(removed),
            "removed_amount": sum((line.amount for line in removed), Decimal("0")),
            "total": order.total,
            "amount_paid": order.amount_paid,
            "balance": order.balance,
            "paid_at": now,
            "is_free": order.total == 0,
            "account_url": portal_link("portal:account", slug=organization.slug),
        },
        now=now,
    )


def _starts(offering: object, first_meeting: datetime | None, organization: Organization) -> str:
    """When the line starts, in the organization's time zone and with its locale's month and day
    names (decision 0025), as the rest of the receipt is rendered."""
    starts_at = first_meeting or getattr(offering, "starts_at", None)
    starts_on = getattr(offering, "starts_on", None)
    with organization_locale(organization.locale):
        if starts_at is not None:
            return format_instant(starts_at, zone=organization.time_zone, fmt=DAY_FORMAT)
        return dateformat.format(starts_on, DATE_FORMAT) if starts_on else ""
