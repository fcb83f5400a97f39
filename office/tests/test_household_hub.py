"""The household page as the hub of the desk (issue 13, item 1): it links to everything done for a
household (its money: payments, on account, pay links; group enroll; the facility calendar; each
order), and its audit trail says what was done in plain words (X2), not raw verbs."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record
from carts.services import add_to_cart, delete_hold, remove_from_cart
from catalog.models import Meeting
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from office.audit_words import describe_events, fallback


def url(world, path=""):
    return f"/office/{world.organization.slug}/{path}"


def test_x2_the_audit_trail_says_what_was_done_in_words(world, client_for):
    household = make_household(world.organization)
    ana = household.participants.get()
    swim = make_offering(world.organization, name="Swim 1", capacity=5)
    claim = add_to_cart(household=household, offering_id=swim.pk, participant_id=ana.pk, channel="portal").claims[0]
    delete_hold(membership=world.staff["manager"], claim_id=claim.pk)
    page = client_for("frontdesk").get(url(world, f"households/{household.pk}/")).content.decode()
    assert f"Deleted a held seat in Swim 1 for {ana.full_name}" in page
    assert f"Held a seat in Swim 1 for {ana.full_name}" in page
    assert "cart.hold_deleted" not in page
    assert "cart.item_added" not in page


def test_x2_a_verb_without_a_sentence_still_reads_as_words(world, client_for):
    household = make_household(world.organization)
    record(
        organization_id=world.organization.pk,
        verb="lockout.lifted_early",
        channel="office",
        subject_type="household",
        subject_id=household.pk,
        household_id=household.pk,
        now=timezone.now(),
    )
    assert fallback("lockout.lifted_early") == "Lockout: lifted early"
    page = client_for("frontdesk").get(url(world, f"households/{household.pk}/")).content.decode()
    assert "Lockout: lifted early" in page


def test_a2_an_absence_in_the_audit_trail_names_its_course(world, client_for):
    """An absence is recorded against a meeting: the trail names the meeting's course."""
    household = make_household(world.organization)
    ana = household.participants.get()
    swim = make_offering(world.organization, name="Swim 1", capacity=5)
    now = timezone.now()
    meeting = Meeting.objects.create(offering=swim, starts_at=now, ends_at=now + timedelta(hours=1))
    record(
        organization_id=world.organization.pk,
        verb="attendance.absence_marked",
        channel="portal",
        subject_type="attendance",
        subject_id=1,
        household_id=household.pk,
        data={"meeting": meeting.pk, "participant": ana.pk, "before": None},
        now=now,
    )
    page = client_for("frontdesk").get(url(world, f"households/{household.pk}/")).content.decode()
    assert f"Marked {ana.full_name} absent from Swim 1" in page


def test_x2_an_item_taken_out_of_the_cart_is_named_in_the_audit_trail(world, client_for):
    """Taking an item out records only its place (claim): the trail names its course and person."""
    household = make_household(world.organization)
    ana = household.participants.get()
    swim = make_offering(world.organization, name="Swim 1", capacity=5)
    claim = add_to_cart(household=household, offering_id=swim.pk, participant_id=ana.pk, channel="portal").claims[0]
    remove_from_cart(household=household, claim_id=claim.pk, channel="portal")
    page = client_for("frontdesk").get(url(world, f"households/{household.pk}/")).content.decode()
    assert f"Took Swim 1 for {ana.full_name} out of the cart" in page


def test_the_words_of_many_events_take_as_many_queries_as_one(world):
    household = make_household(world.organization)
    offerings = [make_offering(world.organization, capacity=50) for _ in range(8)]
    participant = household.participants.get()

    def queries_for_events():
        events = list(AuditEvent.objects.filter(household_id=household.pk))
        with CaptureQueriesContext(connection) as captured:
            described = describe_events(events)
        return len(captured), described

    add_to_cart(household=household, offering_id=offerings[0].pk, participant_id=participant.pk, channel="portal")
    one, _described = queries_for_events()
    for offering in offerings[1:]:
        add_to_cart(household=household, offering_id=offering.pk, participant_id=participant.pk, channel="portal")
    many, described = queries_for_events()
    assert len(described) == 8
    assert one == many


def test_the_household_page_links_to_its_money_group_enroll_calendar_and_orders(world, client_for):
    household = world.household  # has an unpaid order
    order = household.orders.get()
    page = client_for("frontdesk").get(url(world, f"households/{household.pk}/")).content.decode()
    money = f"/office/{world.organization.slug}/households/{household.pk}/money/"
    assert f'href="{money}"' in page
    assert f'href="{money}#record-payment"' in page  # the front desk takes payments
    assert f'href="{money}#order-{order.pk}"' in page
    assert f'href="/office/{world.organization.slug}/occupancy/?households={household.pk}"' in page
    assert f'href="/office/{world.organization.slug}/calendar/?household={household.pk}"' in page
    # The manager cannot take payments: no "Record a payment" (the money page itself still opens).
    managed = client_for("manager").get(url(world, f"households/{household.pk}/")).content.decode()
    assert f'href="{money}"' in managed
    assert "#record-payment" not in managed


def test_s4_group_enroll_from_a_household_picks_the_class_on_the_occupancy_list(world, client_for):
    household = world.household
    offering_id = world.url_kwargs["offering_id"]
    listed = client_for("frontdesk").get(url(world, f"occupancy/?households={household.pk}")).content.decode()
    group = f"/office/{world.organization.slug}/offerings/{offering_id}/group-enroll/?households={household.pk}"
    assert f'href="{group}"' in listed
    chosen = client_for("frontdesk").get(group).content.decode()
    assert household.participants.first().full_name in chosen
    plain = client_for("frontdesk").get(url(world, "occupancy/")).content.decode()
    assert "group-enroll" not in plain
