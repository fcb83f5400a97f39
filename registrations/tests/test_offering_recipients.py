"""N6 / seed 003: "the administrator of the event or class" — an offering may name its own
recipient of registration notices and switch them on or off, over the organization's."""

from django.core import mail

from catalog.tests.factories import make_offering
from organizations.tests.factories import make_organization
from registrations.impacts import grace_impacts
from registrations.tests.test_grace_job import at, register, run_worker


def test_n6_an_offerings_own_recipient_gets_its_notices_and_the_impacts_say_so(db):
    org = make_organization(grace_period_hours=48, registration_notifications=True, admin_email="office@parks.example")
    swim = make_offering(org, capacity=5, price="50.00", notification_email="swim@parks.example")
    household, _, _ = register(org, offering=swim)
    [row] = grace_impacts(organization=org, grace_period_hours=48, now=at(minutes=20)).rows
    assert ("swim@parks.example" in [to for _, to in row.recipients(org)]) is True
    run_worker(at(minutes=20))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([household.email, "swim@parks.example"])


def test_n2_an_offering_turns_the_administrators_notice_on_when_the_organization_has_it_off(db):
    org = make_organization(grace_period_hours=0, registration_notifications=False, admin_email="office@parks.example")
    quiet = make_offering(org, capacity=5, price="50.00")
    loud = make_offering(org, capacity=5, price="50.00", registration_notifications=True)
    register(org, offering=quiet)
    register(org, offering=loud)
    run_worker(at(minutes=20))
    assert [m.to for m in mail.outbox] == [["office@parks.example"]]
    assert loud.name in mail.outbox[0].body


def test_n2_an_offering_turns_the_notice_off_when_the_organization_has_it_on(db):
    org = make_organization(grace_period_hours=0, registration_notifications=True, admin_email="office@parks.example")
    register(org, offering=make_offering(org, capacity=5, price="50.00", registration_notifications=False))
    run_worker(at(minutes=20))
    assert mail.outbox == []
