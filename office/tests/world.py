"""One organization as the office sees it, for the office's tests: staff of every demo role, a
customer, another organization's administrator, and (as pages arrive) the rows each office
route is about. `url_kwargs` gives a value for every URL keyword an office route may take, so
the route x role matrix can request every route."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from attendance.instructors import assign_instructor
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.models import Facility, Meeting, Offering, Program
from catalog.tests.factories import make_offering
from demo.data import STAFF
from households.models import Household
from households.tests.factories import make_household
from imports.services import plan_import
from orders.models import Order
from organizations.models import Organization, Permission, StaffMembership
from organizations.tests.factories import make_organization, make_staff, make_user
from payments.models import StaffAlert

# The roles of the matrix: the demo's staff (README: who can do what), plus the people who
# must never get in.
STAFF_ROLES = tuple(spec.username for spec in STAFF)  # admin, frontdesk, manager, instructor
OUTSIDERS = ("customer", "other_org_admin")
ROLES = ("anonymous", *OUTSIDERS, *STAFF_ROLES)


@dataclass
class World:
    organization: Organization
    other_organization: Organization
    staff: dict[str, StaffMembership]
    users: dict[str, User]
    household: Household
    url_kwargs: dict[str, object] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else self.users[role]


def make_world() -> World:
    organization = make_organization(slug="riverside-test", name="Riverside (test)")
    other = make_organization(slug="elsewhere-test", name="Elsewhere (test)")
    staff = {spec.username: make_staff(organization, list(spec.permissions)) for spec in STAFF}
    outsider = make_staff(other, list(Permission.values))
    household = make_household(organization, children=2)
    users = {role: membership.user for role, membership in staff.items()}
    users["other_org_admin"] = outsider.user
    users["customer"] = household.payer or make_user()
    offering = make_offering(organization, capacity=10, price="30.00", code="W1")
    order = _unpaid_order(household, offering)
    # The instructor teaches the class (A4): B1 lets an instructor put on account only an order of
    # a class they teach, and see only their classes' rosters, so the matrix can show those
    # routes working for every role they admit.
    assign_instructor(
        membership=staff["admin"], offering_id=offering.pk, instructor_id=staff["instructor"].pk, teaches=True
    )
    meeting = Meeting.objects.create(
        offering=offering,
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
    )
    alert = StaffAlert.objects.create(
        organization=organization, kind=StaffAlert.Kind.OVERPAYMENT, message="test alert", created_at=timezone.now()
    )
    program = Program.objects.create(organization=organization, name="Swim", season="Winter")
    facility = Facility.objects.create(organization=organization, name="Hall")

    held = make_offering(organization, capacity=5, price="20.00", code="W3")
    holder = make_household(organization)  # another family's portal cart: the hold the desk may delete
    hold = add_to_cart(
        household=holder, offering_id=held.pk, participant_id=holder.participants.first().pk, channel="portal"
    ).claims[0]
    run = plan_import(membership=staff["admin"], kind="offerings", text="code,kind,name,price\nW2,class,Class,5.00\n")
    return World(
        organization=organization,
        other_organization=other,
        staff=staff,
        users=users,
        household=household,
        url_kwargs={
            "slug": organization.slug,
            "offering_id": offering.pk,
            "run_id": run.pk,
            "household_id": household.pk,
            "order_id": order.pk,
            "registration_id": order.registrations.get().pk,
            "alert_id": alert.pk,
            "meeting_id": meeting.pk,
            "program_id": program.pk,
            "facility_id": facility.pk,
            "claim_id": hold.pk,
        },
    )


def _unpaid_order(household: Household, offering: Offering) -> Order:
    """An order of the world's household, unpaid: what the money pages act on."""
    add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )
    order = checkout(household=household, channel="portal").order
    assert order is not None
    return order
