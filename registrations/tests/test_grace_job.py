"""G1-G6, N2-N4, P4-P6 end to end: real carts, checkout, payments and the worker's own runs."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from capacity.errors import CapacityShortfall
from capacity.selectors import claim_counts
from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.models import Household
from households.tests.factories import make_household
from notifications.models import Notification
from orders.policies import Share
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.desk import record_offline_payment
from payments.models import StaffAlert
from payments.services import record_payment
from registrations.impacts import grace_impacts
from registrations.models import Registration
from registrations.services import apply_grace_policies, delete_registration

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 9:00 a.m. in Toronto


def at(**delta):
    return T0 + timedelta(**delta)


@pytest.fixture
def grace_org(db):
    return make_organization(
        grace_period_hours=48,
        registration_notifications=True,
        admin_email="office@parks.example",
        time_zone="America/Toronto",
    )


def register(org, *, capacity=1, price="80.00", when=T0, offering=None):
    """A household checks out one paid class through the portal at `when`."""
    household = make_household(org)
    offering = offering or make_offering(org, capacity=capacity, price=price)
    with time_machine.travel(when, tick=False):
        add_to_cart(
            household=household,
            offering_id=offering.pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        )
        order = checkout(household=household, channel="portal").order
    return household, offering, Registration.objects.get(order=order)


def run_worker(when):
    with time_machine.travel(when, tick=False):
        call_command("worker", "--once", verbosity=0)


def sent(kind=None):
    rows = Notification.objects.filter(status="sent")
    return list(rows.filter(kind=kind) if kind else rows)


def test_g3_warns_once_then_deletes_at_the_deadline_and_tells_both_once(grace_org):
    household, offering, registration = register(grace_org)
    run_worker(at(minutes=19, seconds=59))
    assert mail.outbox == []
    for minutes in (20, 25, 30, 60, 600):
        run_worker(at(minutes=minutes))
    warning = [m for m in mail.outbox if m.to == [household.email]]
    admin = [m for m in mail.outbox if m.to == ["office@parks.example"]]
    assert len(warning) == 1
    assert len(admin) == 1
    assert "Wednesday 4 March 2026" in warning[0].body  # the deadline, in Toronto time
    assert "9:00" in warning[0].body
    run_worker(at(hours=47, minutes=59))
    registration.refresh_from_db()
    assert registration.deleted_at is None
    run_worker(at(hours=48))
    run_worker(at(hours=48, minutes=5))
    registration.refresh_from_db()
    assert (registration.deleted_reason, registration.claim.state) == ("grace_period", "cancelled")
    assert len(sent("registrant_deleted")) == 1
    assert len(sent("admin_deleted")) == 1
    assert len(mail.outbox) == 4
    assert claim_counts(offering_ids=[offering.pk], now=at(hours=48)) == {}  # the seat is free
    assert Household.objects.filter(pk=household.pk).exists()  # the household remains (P6)


def test_g2_minus_one_deletes_quietly_after_the_payment_window(db):
    org = make_organization(grace_period_hours=-1, registration_notifications=True, admin_email="office@parks.example")
    _, offering, registration = register(org)
    run_worker(at(minutes=19))
    registration.refresh_from_db()
    assert registration.deleted_at is None
    assert claim_counts(offering_ids=[offering.pk], now=at(minutes=19))[offering.pk].tentative == 1  # held until then
    run_worker(at(minutes=20))
    registration.refresh_from_db()
    assert registration.deleted_reason == "payment_window"
    run_worker(at(hours=2))
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_g1_zero_keeps_unpaid_registrations_until_staff_act(db):
    org = make_organization(grace_period_hours=0, registration_notifications=False, admin_email="office@parks.example")
    _, offering, registration = register(org)
    for day in (1, 5, 9, 12):
        run_worker(at(days=day))
    registration.refresh_from_db()
    assert registration.deleted_at is None
    assert mail.outbox == []
    other = make_household(org)
    with time_machine.travel(at(days=12), tick=False), pytest.raises(CapacityShortfall):
        add_to_cart(
            household=other, offering_id=offering.pk, participant_id=other.participants.first().pk, channel="portal"
        )


def test_n2_admin_notice_window_and_never_to_registrant(db):
    org = make_organization(grace_period_hours=0, registration_notifications=True, admin_email="office@parks.example")
    register(org)
    run_worker(at(minutes=19, seconds=59))
    assert mail.outbox == []
    run_worker(at(minutes=20))
    run_worker(at(days=3))
    assert [m.to for m in mail.outbox] == [["office@parks.example"]]
    late_household, _, _ = register(org, when=at(days=10))
    run_worker(at(days=17, seconds=1))  # more than 7 days after that one: too late for a first notice
    assert not Notification.objects.filter(registration__household=late_household).exists()


def test_g5_a_registration_older_than_240_hours_is_never_deleted_automatically(db):
    org = make_organization(grace_period_hours=0)
    _, _, registration = register(org)
    org.grace_period_hours = 1
    org.save()
    run_worker(at(hours=241))
    registration.refresh_from_db()
    assert registration.deleted_at is None
    org.grace_period_hours = -1
    org.save()
    run_worker(at(hours=300))
    registration.refresh_from_db()
    assert registration.deleted_at is None


def test_g4_partial_payment_stops_deletion_and_suppresses_the_admin_notice(grace_org):
    _, _, registration = register(grace_org)
    cashier = make_staff(grace_org, [Permission.TAKE_PAYMENTS])
    with time_machine.travel(at(minutes=3), tick=False):
        record_offline_payment(
            membership=cashier, order_id=registration.order_id, amount=Decimal("10.00"), method="cash"
        )
    for hours in (1, 24, 48, 49):
        run_worker(at(hours=hours))
    registration.refresh_from_db()
    assert registration.deleted_at is None
    assert mail.outbox == []


def test_g4_a_payment_in_the_last_minute_of_the_grace_period_saves_it(grace_org):
    _, _, registration = register(grace_org)
    run_worker(at(minutes=20))
    cashier = make_staff(grace_org, [Permission.TAKE_PAYMENTS])
    with time_machine.travel(at(hours=47, minutes=59), tick=False):
        record_offline_payment(
            membership=cashier, order_id=registration.order_id, amount=Decimal("80.00"), method="cheque"
        )
    run_worker(at(hours=48))
    registration.refresh_from_db()
    assert registration.deleted_at is None
    assert registration.claim.state == "confirmed"  # paid in full (P5)
    assert not Notification.objects.filter(kind__in=["registrant_deleted", "admin_deleted"]).exists()


def test_n1_deleted_by_one_run_and_emailed_by_the_next_exactly_once(grace_org):
    """A worker killed between deleting and sending: the deletion committed its emails to the
    outbox in the same transaction, so the next run sends them, once."""
    _, _, registration = register(grace_org)
    with time_machine.travel(at(hours=48), tick=False):
        apply_grace_policies()  # the run dies here, before delivery
    registration.refresh_from_db()
    assert registration.deleted_at is not None
    assert mail.outbox == []
    run_worker(at(hours=48, minutes=5))
    run_worker(at(hours=48, minutes=10))
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {registration.household.email, "office@parks.example"}


def test_n4_thirty_notices_are_spread_over_six_runs(db):
    org = make_organization(grace_period_hours=0, registration_notifications=True, admin_email="office@parks.example")
    offering = make_offering(org, capacity=None)
    for _ in range(30):
        register(org, offering=offering)
    counts = []
    for run in range(7):
        before = len(mail.outbox)
        run_worker(at(minutes=20 + 5 * run))
        counts.append(len(mail.outbox) - before)
    assert counts == [5, 5, 5, 5, 5, 5, 0]
    assert Notification.objects.filter(status="sent").count() == 30


def test_p6_staff_delete_frees_the_seat_keeps_household_and_archive(grace_org):
    household, offering, registration = register(grace_org)
    with pytest.raises(Exception, match="permission"):
        delete_registration(membership=make_staff(grace_org, [Permission.ENROLL]), registration_id=registration.pk)
    manager = make_staff(grace_org, [Permission.DELETE_ENROLLMENTS])
    delete_registration(membership=manager, registration_id=registration.pk)
    registration.refresh_from_db()
    assert registration.deleted_at is not None
    assert registration.deleted_reason == "staff"
    assert registration.participant is not None  # the archived copy keeps its data
    assert Household.objects.get(pk=household.pk).participants.count() == 1
    event = AuditEvent.objects.get(verb="registration.deleted")
    assert (event.actor_id, event.channel) == (manager.user_id, "office")
    assert claim_counts(offering_ids=[offering.pk], now=timezone.now()) == {}
    other = make_household(grace_org)
    assert add_to_cart(
        household=other, offering_id=offering.pk, participant_id=other.participants.first().pk, channel="portal"
    )


def test_p4_payment_after_deletion_is_recorded_and_staff_alerted(grace_org):
    household, _, registration = register(grace_org)
    run_worker(at(hours=48))
    with time_machine.travel(at(hours=50), tick=False), transaction.atomic():
        recorded = record_payment(
            organization=grace_org,
            household_id=household.pk,
            amount=Decimal("80.00"),
            plan=[Share(registration.order_id, Decimal("80.00"))],
            provider="sandbox",
            provider_ref="late-1",
            method="online",
            channel="system",
            now=at(hours=50),
        )
    assert recorded.created
    registration.refresh_from_db()
    assert registration.order.balance == 0
    alert = StaffAlert.objects.get()
    assert alert.kind == "late_payment"
    assert registration.order.number in alert.message
    run_worker(at(hours=50, minutes=5))
    assert any("office@parks.example" in m.to for m in mail.outbox if "payment" in m.subject.lower())


def test_g6_impacts_report_matches_what_the_worker_then_does(db):
    org = make_organization(grace_period_hours=0, registration_notifications=True, admin_email="office@parks.example")
    old = [register(org, when=T0)[2] for _ in range(2)]
    recent = register(org, when=at(hours=30))[2]
    ancient = register(org, when=at(hours=-300))[2]
    now = at(hours=30, minutes=30)
    impacts = grace_impacts(organization=org, grace_period_hours=24, now=now)
    assert sorted(r.registration.pk for r in impacts.deletions) == sorted(r.pk for r in old)
    assert ancient.pk not in {r.registration.pk for r in impacts.rows}  # G5
    promised = sorted((n.value, to) for _, n, to in impacts.emails)
    org.grace_period_hours = 24
    org.save()
    run_worker(now)
    deleted = set(Registration.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True))
    assert deleted == {r.pk for r in old}
    done = sorted((n.kind, n.to_email) for n in Notification.objects.all())
    assert done == promised
    assert recent.pk in {r.registration.pk for r in impacts.scheduled}


def test_g4_a_payment_landing_after_the_run_read_its_candidates_still_wins(grace_org, monkeypatch):
    """The run reads candidates, then a payment commits, then the run acts: it must decide
    again under the order lock, and neither warn (at minute 30) nor delete (at hour 48)."""
    from registrations import services
    from registrations.selectors import unpaid_registrations

    _, _, registration = register(grace_org)
    stale_warning = unpaid_registrations(organization_id=grace_org.pk, now=at(minutes=30))
    stale_deletion = unpaid_registrations(organization_id=grace_org.pk, now=at(hours=48))
    assert [r.pk for r, _ in stale_warning] == [registration.pk]
    cashier = make_staff(grace_org, [Permission.TAKE_PAYMENTS])
    with time_machine.travel(at(minutes=29), tick=False):
        record_offline_payment(
            membership=cashier, order_id=registration.order_id, amount=Decimal("1.00"), method="cash"
        )
    for stale, when in ((stale_warning, at(minutes=30)), (stale_deletion, at(hours=48))):
        monkeypatch.setattr(services, "unpaid_registrations", lambda stale=stale, **_: stale)
        with time_machine.travel(when, tick=False):
            assert apply_grace_policies() == 0
    registration.refresh_from_db()
    assert registration.deleted_at is None
    assert not Notification.objects.exists()
