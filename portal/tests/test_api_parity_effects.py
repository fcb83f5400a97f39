"""X3, beyond "an operation exists": each portal action and its API counterpart do the same
thing. Two households of one organization start alike; one acts through the page, the other
through the API, at the same instant; what changed in each household's rows (participants,
claims, carts, attendance, audit events) must be the same, ids, channels and actors aside."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.services import issue_token
from attendance.models import Attendance
from attendance.services import mark_absent
from attendance.tests.factories import make_meetings, make_reason, register
from audit.models import AuditEvent, Channel
from capacity.models import Claim
from carts.models import Cart
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.models import Household
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)

Rows = dict[str, Counter]


def snapshot(household: Household) -> Rows:
    """The household's rows, each without what names who or which channel: participants by
    their place in the household, offerings, meetings and reasons by id (shared by both)."""
    people = {p.pk: i for i, p in enumerate(household.participants.order_by("pk"))}
    return {
        "participants": Counter(
            (people[p.pk], p.first_name, p.last_name, p.date_of_birth) for p in household.participants.all()
        ),
        "claims": Counter(
            (c.offering_id, people.get(c.participant_id), c.kind, c.state, c.price, c.expires_at, c.end_reason)
            for c in Claim.objects.filter(household_id=household.pk)
        ),
        "carts": Counter(
            (c.status, c.timer, c.expires_at, c.first_added_at, c.last_added_at, c.closed_at)
            for c in Cart.objects.filter(household_id=household.pk)
        ),
        "attendance": Counter(
            (
                a.meeting_id,
                people[a.participant_id],
                a.status,
                a.reason_id,
                a.recorded_by_kind,
                a.recorded_at,
                a.cleared_at,
            )
            for a in Attendance.objects.filter(participant__household_id=household.pk)
        ),
        "audit": Counter((e.verb, e.subject_type) for e in AuditEvent.objects.filter(household_id=household.pk)),
    }


def change(before: Rows, after: Rows) -> dict[str, tuple[Counter, Counter]]:
    """Per table: the rows that appeared and the rows that went (a changed row is both)."""
    return {table: (after[table] - before[table], before[table] - after[table]) for table in before}


@dataclass
class Side:
    """One household and how it acts: `page` is its signed-in browser, `api` its token."""

    household: Household
    page: Client
    api: Client
    bearer: dict[str, str]

    @property
    def kid(self):
        return self.household.participants.order_by("pk").first()

    def held(self) -> Claim:
        return Claim.objects.get(household_id=self.household.pk, state=Claim.State.HELD)


def side(organization) -> Side:
    household = make_household(organization)
    page = Client()
    page.force_login(household.payer)
    bearer = {"Authorization": f"Bearer {issue_token(user=household.payer)}"}
    return Side(household=household, page=page, api=Client(), bearer=bearer)


Action = Callable[[Side, str], object]


def same_effect(portal_side: Side, api_side: Side, *, by_page: Action, by_api: Action, at: datetime) -> dict:
    """Run the page's action for one household and the API's for the other at `at`; assert
    both changed their household's rows alike, and return the change (so a test can also
    check it is the change it expects, not two identical nothings)."""
    slug = portal_side.household.organization.slug
    before = snapshot(portal_side.household), snapshot(api_side.household)
    with time_machine.travel(at, tick=False):
        page_answer = by_page(portal_side, slug)
        api_answer = by_api(api_side, slug)
    assert page_answer.status_code < 400, page_answer.content[:500]
    assert api_answer.status_code < 400, api_answer.content[:500]
    by_portal = change(before[0], snapshot(portal_side.household))
    by_api_ = change(before[1], snapshot(api_side.household))
    assert by_portal == by_api_, f"the page did {by_portal}, the API {by_api_}"
    return by_portal


@pytest.fixture
def org(db):
    return make_organization(pay_balances_online=True, payment_provider="sandbox")


@pytest.fixture
def sides(org):
    return side(org), side(org)


def test_x3_adding_a_participant_by_page_and_by_api(sides):
    fields = {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "2017-12-10"}
    done = same_effect(
        *sides,
        by_page=lambda s, slug: s.page.post(f"/o/{slug}/account/participants/", fields),
        by_api=lambda s, slug: s.api.post(
            f"/api/v1/orgs/{slug}/household/participants", fields, content_type="application/json", headers=s.bearer
        ),
        at=NOW,
    )
    assert list(done["participants"][0]) == [(1, "Ada", "Lovelace", date(2017, 12, 10))]
    assert list(done["audit"][0]) == [("household.participant_added", "participant")]


def page_add(offering) -> Action:
    return lambda s, slug: s.page.post(
        f"/o/{slug}/cart/add/", {"offering": offering.pk, "participants": [s.kid.pk]}, headers={"HX-Request": "1"}
    )


def api_add(offering) -> Action:
    return lambda s, slug: s.api.post(
        f"/api/v1/orgs/{slug}/cart/items",
        {"offering_id": offering.pk, "participant_id": s.kid.pk},
        content_type="application/json",
        headers=s.bearer,
    )


def test_x3_adding_to_the_cart_by_page_and_by_api(org, sides):
    offering = make_offering(org, name="Swim")
    done = same_effect(*sides, by_page=page_add(offering), by_api=api_add(offering), at=NOW)
    [(offering_id, who, _, state, *_)] = done["claims"][0]
    assert (offering_id, who, state) == (offering.pk, 0, Claim.State.HELD)
    assert len(done["carts"][0]) == 1


def hold(org, sides) -> None:
    offering = make_offering(org, name="Swim")
    with time_machine.travel(NOW, tick=False):
        for s in sides:
            add_to_cart(household=s.household, offering_id=offering.pk, participant_id=s.kid.pk, channel="portal")


def test_x3_removing_from_the_cart_by_page_and_by_api(org, sides):
    hold(org, sides)
    done = same_effect(
        *sides,
        by_page=lambda s, slug: s.page.post(f"/o/{slug}/cart/items/{s.held().pk}/remove/"),
        by_api=lambda s, slug: s.api.delete(f"/api/v1/orgs/{slug}/cart/items/{s.held().pk}", headers=s.bearer),
        at=NOW + timedelta(minutes=3),
    )
    [(_, _, _, state, *_)] = done["claims"][0]
    assert state == Claim.State.RELEASED


def test_x3_extending_the_cart_by_page_and_by_api(org, sides):
    hold(org, sides)
    done = same_effect(
        *sides,
        by_page=lambda s, slug: s.page.post(f"/o/{slug}/cart/extend/"),
        by_api=lambda s, slug: s.api.post(f"/api/v1/orgs/{slug}/cart/extend", headers=s.bearer),
        at=NOW + timedelta(minutes=18),
    )
    [(_, _, expires_at, *_)] = done["carts"][0]
    assert expires_at == NOW + timedelta(minutes=38)  # H1: the timeout restarts from now


@pytest.fixture
def courses(org, sides):
    """Both households registered for a course with two meetings; reasons a family may use."""
    offering = make_offering(org, name="Swim")
    meeting = make_meetings(offering, first=NOW + timedelta(days=1), count=2)[0]
    with time_machine.travel(NOW, tick=False):
        for s in sides:
            register(s.household, offering, s.kid)
    return meeting, make_reason(org, "Sick")


def absence_url(slug, s, meeting):
    return f"/o/{slug}/account/courses/{s.kid.pk}/meetings/{meeting.pk}/absence/"


def api_absence_url(slug, s, meeting):
    return f"/api/v1/orgs/{slug}/household/participants/{s.kid.pk}/meetings/{meeting.pk}/absence"


def test_x3_marking_an_absence_by_page_and_by_api(sides, courses):
    meeting, sick = courses
    done = same_effect(
        *sides,
        by_page=lambda s, slug: s.page.post(
            absence_url(slug, s, meeting), {"action": "mark", f"absence-{s.kid.pk}-{meeting.pk}-reason": sick.pk}
        ),
        by_api=lambda s, slug: s.api.put(
            api_absence_url(slug, s, meeting), {"reason_id": sick.pk}, content_type="application/json", headers=s.bearer
        ),
        at=NOW + timedelta(hours=1),
    )
    [(meeting_id, who, status, reason_id, *_)] = done["attendance"][0]
    assert (meeting_id, who, status, reason_id) == (meeting.pk, 0, Attendance.Status.ABSENT, sick.pk)


def test_x3_clearing_an_absence_by_page_and_by_api(sides, courses):
    meeting, sick = courses
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        for s in sides:
            mark_absent(
                household=s.household,
                participant_id=s.kid.pk,
                meeting_id=meeting.pk,
                reason_id=sick.pk,
                channel=Channel.PORTAL,
                actor_id=s.household.payer_id,
            )
    done = same_effect(
        *sides,
        by_page=lambda s, slug: s.page.post(absence_url(slug, s, meeting), {"action": "clear"}),
        by_api=lambda s, slug: s.api.delete(api_absence_url(slug, s, meeting), headers=s.bearer),
        at=NOW + timedelta(hours=2),
    )
    [(*_, cleared_at)] = done["attendance"][0]  # the absence is cleared on both sides, at the same instant
    assert cleared_at == NOW + timedelta(hours=2)


def test_x3_the_comparison_sees_two_actions_that_differ(org, sides):
    """Negative control: a page add and an API add of another offering are told apart."""
    swim, art = make_offering(org, name="Swim"), make_offering(org, name="Art")
    with pytest.raises(AssertionError, match="the page did"):
        same_effect(*sides, by_page=page_add(swim), by_api=api_add(art), at=NOW)
