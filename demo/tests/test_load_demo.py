from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command

from audit.models import AuditEvent
from capacity.models import Claim
from carts.models import Cart
from catalog.models import Facility, Meeting, Offering
from demo.data import DEMO_PASSWORD
from households.models import Household, Participant
from orders.models import Order
from organizations.models import Organization, Permission, StaffMembership

# 05:00 in Toronto on a Monday, a week before the switch to daylight time (2026-03-08).
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MODELS = (User, Organization, StaffMembership, Household, Participant, Facility, Offering, Meeting, Cart, Claim, Order)


def row_counts():
    return {model.__name__: model.objects.count() for model in (*MODELS, AuditEvent)}


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded(db):
    with time_machine.travel(T0, tick=False):
        output = load()
    return output


def test_loading_twice_gives_the_same_rows(db):
    with time_machine.travel(T0, tick=False) as traveller:
        load()
        first = row_counts()
        traveller.shift(timedelta(minutes=5))
        second_output = load()

    assert row_counts() == first
    assert "cart already holds seats" in second_output
    assert "already has orders" in second_output
    assert first["Offering"] == 44 + 2 * 14 * 12
    assert first["Claim"] == 5 + 2  # five holds, two registrations
    assert first["Order"] == 2


def test_demo_organization_catalog(loaded):
    organization = Organization.objects.get(slug="riverside")
    assert (organization.name, organization.time_zone) == ("Riverside Parks & Recreation", "America/Toronto")
    offerings = Offering.objects.filter(organization=organization)
    programs = offerings.filter(kind__in=[Offering.Kind.CLASS, Offering.Kind.CAMP])
    assert programs.count() == 41
    assert offerings.filter(kind=Offering.Kind.MEMBERSHIP).count() == 3
    assert all(isinstance(o.price, Decimal) for o in offerings)
    assert {o.capacity for o in programs if o.capacity is not None} <= set(range(6, 21))
    assert programs.filter(capacity__isnull=True).count() == 2

    swim = offerings.get(code="SWIM2-TUE1630")
    assert swim.name == "Swim Level 2 (Tue 4:30pm)"
    local_starts = [m.starts_at.astimezone(organization.zone) for m in swim.meetings.all()]
    assert len(local_starts) == 8
    assert {(s.weekday(), s.hour, s.minute) for s in local_starts} == {(1, 16, 30)}  # across the DST change

    opens = [o.registration_opens_at for o in programs]
    closes = [o.registration_closes_at for o in programs]
    assert sum(1 for o in opens if o > T0) == 1
    assert sum(1 for c in closes if c is not None and c <= T0) == 1
    assert sum(1 for o, c in zip(opens, closes, strict=True) if o <= T0 and (c is None or c > T0)) == 39


def test_rental_slots_are_hourly_local_time_for_fourteen_days(loaded):
    hall = Facility.objects.get(name="Community Hall")
    slots = list(Offering.objects.filter(facility=hall).order_by("starts_at"))
    assert len(slots) == 14 * 12
    assert {(s.kind, s.capacity, s.price) for s in slots} == {(Offering.Kind.RENTAL, 1, Decimal("60.00"))}
    # 9:00 Toronto is 14:00 UTC before the DST switch and 13:00 UTC after it.
    assert (slots[0].starts_at, slots[0].ends_at) == (T0.replace(hour=14), T0.replace(hour=15))
    assert slots[12 * 7].starts_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert slots[-1].ends_at == datetime(2026, 3, 16, 1, 0, tzinfo=UTC)  # 21:00 on the 14th day
    assert Facility.objects.filter(name="Gym A").get().slots.count() == 14 * 12


def test_staff_roles_and_demo_password(loaded):
    permissions = dict(
        StaffMembership.objects.filter(organization__slug="riverside").values_list("user__username", "permissions")
    )
    assert permissions == {
        "admin": list(Permission.values),
        "frontdesk": [Permission.ENROLL, Permission.TAKE_PAYMENTS],
        "manager": [Permission.ENROLL, Permission.DELETE_ENROLLMENTS, Permission.OVERRIDE_CAPACITY],
        "instructor": ["teach"],
    }
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff) == (True, True)
    assert not User.objects.filter(is_staff=True).exclude(username="admin").exists()
    assert User.objects.get(username="frontdesk").check_password(DEMO_PASSWORD)
    households = Household.objects.filter(organization__slug="riverside")
    assert households.count() == 6
    assert all(1 <= h.participants.count() <= 3 and h.payer_id for h in households)
    # The demo's families have confirmed their email: their account page shows no banner asking them to.
    assert all(h.email_verified_at == T0 for h in households)


def test_demo_carts_hold_seats_and_are_refilled_once_expired(loaded):
    held = Claim.objects.filter(state=Claim.State.HELD, cart__status=Cart.Status.OPEN)
    assert sorted(held.values_list("household__payer__username", "offering__code", "channel")) == [
        ("nguyen", "BALLET-I-THU1730", "portal"),
        ("nguyen", "MOVE-SAT0900", "portal"),
        ("nguyen", "SWIM2-TUE1630", "portal"),
        ("parker", "SOCCER-T-SAT1100", "portal"),
        ("parker", "SWIM2-TUE1630", "portal"),
    ]
    assert "demo12345" in loaded
    # The nguyen cart was started in the portal and taken over by the front desk (S3).
    taken = Cart.objects.get(household__payer__username="nguyen", status=Cart.Status.OPEN)
    assert (taken.taken_over_by.username, taken.timer) == ("frontdesk", Cart.Timer.OFFICE_CLASS)
    # The portal cart (20-minute timer) has run out; the office one (60 minutes) has not.
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        load()
    assert Cart.objects.filter(household__payer__username="parker", status=Cart.Status.EXPIRED).count() == 1
    assert Cart.objects.filter(status=Cart.Status.OPEN).count() == 2
    assert held.count() == 5


def test_demo_absence_reasons_and_absences(loaded):
    from attendance.models import AbsenceReason, Attendance

    reasons = AbsenceReason.objects.filter(organization__slug="riverside").order_by("position")
    assert [(r.name, r.is_customer_usable) for r in reasons][:2] == [("Sick", True), ("Vacation", True)]
    assert reasons.filter(is_customer_usable=False).count() == 2
    kinds = set(Attendance.objects.filter(participant__first_name="Daniel").values_list("recorded_by_kind", flat=True))
    assert kinds == {"customer", "staff"}


def test_a4_the_demo_instructor_teaches_the_swimming_classes_and_sees_only_those(loaded):
    from attendance.rosters import classes_for

    instructor = StaffMembership.objects.get(organization__slug="riverside", user__username="instructor")
    with time_machine.travel(T0, tick=False):
        codes = [offering.code for offering in classes_for(membership=instructor, now=T0)]
    assert codes
    assert all(code.startswith(("SWIM", "LIFESAVE-", "AQUAFIT-")) for code in codes)
    assert any(code.startswith("LIFESAVE-") for code in codes)  # where the demo's absence was recorded


@pytest.mark.parametrize("username", ["parker", "nguyen", "okafor", "rivera", "cohen", "lee"])
def test_make_runs_printed_families_sign_in_to_an_account_without_a_confirm_email_banner(loaded, client, username):
    # The families `make run` prints sign in with the demo password and see their account, not a request
    # to confirm an address they never typed.
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert client.login(username=username, password=DEMO_PASSWORD)
        page = client.get("/o/riverside/account/")
    assert page.status_code == 200
    assert "Confirm your email address" not in page.content.decode()


def test_the_printout_says_what_each_line_is_in_words(loaded):
    """`make run` prints it: the permissions by their names, and the demo's starting state
    under a heading of its own rather than each line called a hold (an order is not a hold)."""
    assert "frontdesk   staff, Front desk: Enroll customers; take payments" in loaded
    assert "take_payments" not in loaded
    assert "delete_enrollments" not in loaded
    assert "What the demo's families and staff start with:\n  - " in loaded
    assert "  hold: " not in loaded
