"""Load the demo (`manage.py load_demo`): create or bring up to date the organization and
everything in it.

`load_demo()` is idempotent. Every row is found by its natural key (organization slug,
username, offering code, household payer, participant name, facility name, rental slot
start), so running it again creates nothing twice.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from catalog.models import Meeting, Offering
from demo import activity, catalog, people
from households.models import Participant
from organizations.models import Organization


@dataclass
class DemoSummary:
    organization: Organization
    offerings_by_kind: dict[str, int]
    meetings: int
    rental_slots_created: int
    households: int
    participants: int
    holds: list[str] = field(default_factory=list)


def load_demo(*, now: datetime | None = None) -> DemoSummary:
    """Create or bring up to date the demo organization and everything in it. Re-runnable."""
    now = now or timezone.now()
    with transaction.atomic():
        organization = people.upsert_organization()
        people.upsert_absence_reasons(organization, now=now)
        passwords = people.Passwords()
        staff_users = people.upsert_staff(organization, passwords)
        households = people.upsert_households(organization, passwords, now=now)
        catalog.upsert_offerings(organization, now=now)
        rental_slots_created = catalog.top_up_rental_slots(organization, now=now)
        summary = DemoSummary(
            organization=organization,
            offerings_by_kind=dict(
                Offering.objects.filter(organization=organization, is_archived=False)
                .values_list("kind")
                .annotate(count=Count("pk"))
                .order_by("kind")
            ),
            meetings=Meeting.objects.filter(offering__organization=organization).count(),
            rental_slots_created=rental_slots_created,
            households=len(households),
            participants=Participant.objects.filter(household__organization=organization).count(),
        )
    # Holds and orders go through the real services, which own their (durable) transactions.
    summary.holds = activity.hold_seats(organization, households, staff_users)
    summary.holds += activity.place_orders(organization, households, staff_users)
    summary.holds += activity.assign_classes(organization, staff_users)
    summary.holds += activity.record_absences(organization, households, staff_users)
    return summary
