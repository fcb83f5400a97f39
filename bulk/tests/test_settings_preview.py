"""G6 / F2 / T1: a settings change is previewed (its Grace Period Impacts, the live carts a new
timer retimes) and the save does what the preview showed, row for row."""

from datetime import timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from bulk.settings import change_settings, preview_settings
from bulk.tests.helpers import T0
from carts.models import Cart
from catalog.tests.factories import make_offering
from organizations.errors import InvalidSettings
from organizations.models import Organization


def test_g6_the_grace_period_preview_is_what_the_save_computes(org, admin, enroll):
    offering = make_offering(org, capacity=10, price="80.00")
    old = [enroll(org, offering, when=T0) for _ in range(2)]
    recent = enroll(org, offering, when=T0 + timedelta(hours=20))
    now = T0 + timedelta(hours=30)
    preview = preview_settings(membership=admin, changes={"grace_period_hours": 24}, now=now)
    assert preview.changed == {"grace_period_hours": (0, 24)}
    assert sorted(row.registration.pk for row in preview.grace.deletions) == sorted(r.pk for r in old)
    assert recent.pk in {row.registration.pk for row in preview.grace.scheduled}
    assert Organization.objects.get(pk=org.pk).grace_period_hours == 0  # the preview saved nothing

    _, done = change_settings(membership=admin, changes={"grace_period_hours": 24}, channel="office", now=now)
    assert [(r.registration.pk, r.deletes, r.notices, r.scheduled_for) for r in done.grace.rows] == [
        (r.registration.pk, r.deletes, r.notices, r.scheduled_for) for r in preview.grace.rows
    ]


def test_t1_a_longer_timer_retimes_the_live_carts_the_preview_named_and_a_shorter_one_cuts_none(org, admin, hold):
    offering = make_offering(org, capacity=10)
    early = hold(org, offering, when=T0)  # portal 20/60: expires T0+20
    late = hold(org, offering, when=T0 + timedelta(minutes=15))  # expires T0+35
    now = T0 + timedelta(minutes=16)
    change = {"cart_timeout_minutes": 30, "cart_limit_minutes": 60}
    preview = preview_settings(membership=admin, changes=change, now=now)
    assert [(row.household_id, row.new_expires_at - row.expires_at) for row in preview.retimed] == [
        (early.pk, timedelta(minutes=10)),
        (late.pk, timedelta(minutes=10)),
    ]
    with time_machine.travel(now, tick=False):
        _, done = change_settings(membership=admin, changes=change, channel="office", now=now)
    assert done.retimed == preview.retimed
    expiry = dict(Cart.objects.values_list("household_id", "expires_at"))
    assert expiry == {early.pk: T0 + timedelta(minutes=30), late.pk: T0 + timedelta(minutes=45)}
    assert AuditEvent.objects.filter(verb="cart.retimed").count() == 2

    shorter = preview_settings(membership=admin, changes={"cart_timeout_minutes": 5}, now=now)
    assert shorter.retimed == []  # a shorter timer applies from each cart's next add


def test_x5_a_preview_refuses_what_the_save_would_refuse(org, admin):
    with pytest.raises(InvalidSettings) as refused:
        preview_settings(membership=admin, changes={"grace_period_hours": "48", "bogus": 1}, now=T0)
    assert set(refused.value.details["fields"]) == {"grace_period_hours", "bogus"}
