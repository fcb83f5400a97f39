"""core.sessions and accounts.backends.get_user: Django's database sessions and user lookup with
their SQL compiled once; the rules stay Django's (expiry, inactive users, sign-out)."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import Client

from core.sessions import SessionStore
from households.tests.factories import make_household

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_a_live_session_is_read_back_and_an_expired_one_starts_afresh(db):
    with time_machine.travel(T0, tick=False) as clock:
        store = SessionStore()
        store["who"] = "parker"
        store.set_expiry(600)
        store.save()
        key = store.session_key
        assert SessionStore(session_key=key)["who"] == "parker"
        clock.shift(timedelta(minutes=11))
        expired = SessionStore(session_key=key)
        assert expired.get("who") is None
        assert expired.session_key is None  # a new session, as Django's database backend does


def test_signed_in_inactive_and_signed_out_users(org):
    household = make_household(org)
    client = Client()
    client.force_login(household.payer)
    cart = f"/o/{org.slug}/cart/"
    assert client.get(cart).status_code == 200
    household.payer.is_active = False
    household.payer.save(update_fields=["is_active"])
    assert client.get(cart).status_code == 302  # an inactive user's session signs nobody in
    household.payer.is_active = True
    household.payer.save(update_fields=["is_active"])
    client.force_login(household.payer)
    client.post("/accounts/logout/")
    assert client.get(cart).status_code == 302
