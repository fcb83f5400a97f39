"""The rows the API matrix requests, added to office/tests/world.py's world: a registration
and its order, a live hold in the customer's cart, an alert, an absence reason, a program and
a facility, so that an operation that is let in finds what its URL names."""

from django.utils import timezone

from attendance.tests.factories import make_reason, register
from carts.services import add_to_cart
from catalog.models import Facility, Program
from catalog.tests.factories import make_offering
from office.tests.world import World
from payments.models import StaffAlert


def add_api_rows(world: World) -> None:
    organization, household = world.organization, world.household
    registration = register(household, make_offering(organization, capacity=5, price="20.00", code="M1"))
    offering = make_offering(organization, capacity=5, price="10.00", code="M2")
    participant = household.participants.order_by("pk").first()
    hold = add_to_cart(household=household, offering_id=offering.pk, participant_id=participant.pk, channel="api")
    alert = StaffAlert.objects.create(
        organization=organization, kind=StaffAlert.Kind.OVERPAYMENT, message="m", created_at=timezone.now()
    )
    program = Program.objects.create(organization=organization, name="Swim")
    facility = Facility.objects.create(organization=organization, name="Hall")
    world.api_kwargs = {
        "offering_id": offering.pk,
        "household_id": household.pk,
        "order_id": registration.order_id,
        "registration_id": registration.pk,
        "claim_id": hold.claims[0].pk,
        "item_id": hold.claims[0].pk,
        "alert_id": alert.pk,
        "reason_id": make_reason(organization, "Sick").pk,
        "program_id": program.pk,
        "facility_id": facility.pk,
        "run_id": world.url_kwargs["run_id"],
        "membership_id": world.staff["instructor"].pk,
    }
