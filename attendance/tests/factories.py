from datetime import datetime, timedelta

from django.utils import timezone

from attendance.models import AbsenceReason, Teaching
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.models import Meeting, Offering
from households.models import Household, Participant
from organizations.models import Organization, Permission, StaffMembership
from organizations.tests.factories import make_staff
from registrations.models import Registration


def make_reason(organization: Organization, name: str, *, customer_usable: bool = True, active: bool = True):
    return AbsenceReason.objects.create(
        organization=organization,
        name=name,
        is_customer_usable=customer_usable,
        is_active=active,
        created_at=datetime(2026, 1, 1, tzinfo=organization.zone),
    )


def make_meetings(offering: Offering, *, first: datetime, count: int = 3, location: str = "Pool") -> list[Meeting]:
    return [
        Meeting.objects.create(
            offering=offering,
            starts_at=first + timedelta(weeks=week),
            ends_at=first + timedelta(weeks=week, minutes=45),
            location=location,
        )
        for week in range(count)
    ]


def register(household: Household, offering: Offering, participant: Participant | None = None) -> Registration:
    """A registration made as a family makes it: add to cart, then check out (tentative)."""
    participant = participant or household.participants.order_by("pk").first()
    add_to_cart(household=household, offering_id=offering.pk, participant_id=participant.pk, channel="portal")
    order = checkout(household=household, channel="portal").order
    return Registration.objects.get(order=order, participant=participant)


def make_instructor(organization: Organization, *offerings: Offering) -> StaffMembership:
    """A staff member with teach only, assigned to these classes (A4: their own classes only)."""
    instructor = make_staff(organization, [Permission.TEACH])
    for offering in offerings:
        Teaching.objects.create(
            organization=organization, offering=offering, membership=instructor, created_at=timezone.now()
        )
    return instructor
