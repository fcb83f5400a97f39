import datetime as dt
from decimal import Decimal

from notifications.services import enqueue
from organizations.models import Organization

DEADLINE = dt.datetime(2026, 3, 4, 14, 0, tzinfo=dt.UTC)  # 9:00 a.m. in Toronto (EST)
SUBMITTED = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def grace_warning_context(organization: Organization, **fields: object) -> dict:
    return {
        "organization_name": organization.name,
        "time_zone": organization.time_zone,
        "locale": organization.locale,
        "household_name": "Rivera household",
        "participant_name": "Sam Rivera",
        "offering_name": "Swim Level 3, Tuesdays",
        "order_number": "R-1001",
        "amount_due": Decimal("85.00"),
        "deadline": DEADLINE,
        "grace_hours": 48,
        "pay_url": "https://parks.example/pay/R-1001",
    } | fields


def enqueue_warning(organization: Organization, key: str, *, now: dt.datetime, to_email: str = "") -> bool:
    return enqueue(
        organization_id=organization.pk,
        key=key,
        kind="registrant_grace_warning",
        to_email=to_email or f"{key}@family.example",
        context=grace_warning_context(organization),
        now=now,
    )
