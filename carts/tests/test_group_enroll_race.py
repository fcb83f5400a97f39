"""Group enrolls racing for the last seats (S4, D3), on PostgreSQL with real threads: all or nothing
is one transaction, so a group gets every seat it asked for or none, and the class is never
overbooked; groups naming the same households in opposite orders do not deadlock."""

import pytest

from capacity.models import Claim
from capacity.tests.test_concurrency import race, split
from carts.services.group import GroupDoesNotFit, Member, group_enroll
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

SEATS = 5
GROUPS = 6  # of two participants each: 12 wanted, at most two groups fit


def test_s4_racing_all_or_nothing_groups_never_overbook_and_never_split():
    org = make_organization()
    staff = make_staff(org, [Permission.ENROLL])
    offering = make_offering(org, capacity=SEATS)
    families = [make_household(org, children=2) for _ in range(GROUPS)]
    groups = [[Member(f.pk, p.pk) for p in f.participants.order_by("pk")] for f in families]
    # Two groups that share their households, named in opposite orders: a lock-order test.
    a, b = families[0], families[1]
    a_kids, b_kids = list(a.participants.order_by("pk")), list(b.participants.order_by("pk"))
    groups[0] = [Member(a.pk, a_kids[0].pk), Member(b.pk, b_kids[0].pk)]
    groups[1] = [Member(b.pk, b_kids[1].pk), Member(a.pk, a_kids[1].pk)]

    def enroll(members):
        return lambda: group_enroll(membership=staff, offering_id=offering.pk, members=members, mode="all")

    winners, errors = split(race([enroll(members) for members in groups]))
    assert all(isinstance(error, GroupDoesNotFit) for error in errors), errors
    held = Claim.objects.filter(offering=offering, state=Claim.State.HELD)
    assert held.count() <= SEATS
    assert len(winners) == 2  # 2 + 2 fit in 5; no third pair does
    assert held.count() == 4
    for members in groups:  # each group got all its seats or none
        mine = held.filter(participant_id__in=[m.participant_id for m in members]).count()
        assert mine in (0, len(members))
