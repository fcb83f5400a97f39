"""X6: a signed-in user sees their API tokens on a page and revokes one there."""

import pytest
from django.test import Client

from accounts.tokens import issue
from organizations.tests.factories import make_user


@pytest.mark.django_db
def test_x6_the_token_page_lists_my_tokens_and_revokes_one():
    me, someone = make_user(), make_user()
    mine, theirs = issue(user=me, label="phone"), issue(user=someone, label="tablet")
    client = Client()
    client.force_login(me)
    page = client.get("/accounts/tokens/").content.decode()
    assert "phone" in page
    assert "tablet" not in page
    assert "Active until" in page
    client.post("/accounts/tokens/", {"token": theirs.token.pk})
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None  # not mine: untouched
    done = client.post("/accounts/tokens/", {"token": mine.token.pk}, follow=True).content.decode()
    assert "The token was revoked" in done
    assert "Revoked" in done


@pytest.mark.django_db
def test_x6_the_token_page_needs_a_sign_in():
    assert Client().get("/accounts/tokens/").status_code == 302
