import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from notifications import services
from notifications.models import Notification
from notifications.services import KINDS, enqueue, render_notification
from notifications.tests.factories import SUBMITTED, enqueue_warning, grace_warning_context
from organizations.tests.factories import make_organization

NOW = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)


def full_context(organization, **fields):
    """Every key any kind uses, so each template can be rendered from one context."""
    return grace_warning_context(organization) | {
        "household_email": "rivera@family.example",
        "submitted_at": SUBMITTED,
        "amount": Decimal("85.00"),
        "credit": Decimal("10.00"),
        "paid_toward": "R-1001",
        "reason": "The registration was deleted for non-payment before this payment arrived.",
        "to_email": "rivera@family.example",
        "subject": "Payment due for order R-1001",
        "error": "SMTPRecipientsRefused: 550 5.1.1 No such mailbox here",
        "failed_at": SUBMITTED,
        "verify_url": "https://registrar.example/o/riverside/account/verify/abc/",
        "reset_url": "https://registrar.example/o/riverside/account/password-reset/abc/set-password/",
        "lines": [
            {
                "description": "Swim Level 3",
                "participant_name": "Ana Rivera",
                "starts": "Tuesday 3 March 2026",
                "amount": Decimal("85.00"),
            }
        ],
        "total": Decimal("85.00"),
        "amount_paid": Decimal("85.00"),
        "balance": Decimal("0.00"),
        "paid_at": SUBMITTED,
        "account_url": "https://registrar.example/o/riverside/account/",
        "facility_name": "Community Hall",
        "starts_at": SUBMITTED,
        "ends_at": SUBMITTED + dt.timedelta(hours=2),
        "note": "Birthday party",
        "decision_note": "Keys at the front desk.",
        "pay_online": True,
        "items": [{"offering_name": "Swim Level 3", "participant_name": "Ana Rivera"}],
        "username": "rivera@family.example",
        "set_password_link": "https://registrar.example/o/riverside/account/password-reset/abc/set-password/",
        "login_link": "https://registrar.example/accounts/login/",
        "is_new_login": True,
        **fields,
    }


def test_n1_enqueue_twice_with_one_key_adds_one_row(org):
    assert enqueue_warning(org, "grace-warning-1", now=NOW) is True
    assert enqueue_warning(org, "grace-warning-1", now=NOW + dt.timedelta(minutes=5)) is False

    notification = Notification.objects.get()
    assert (notification.key, notification.kind, notification.status, notification.attempts) == (
        "grace-warning-1",
        "registrant_grace_warning",
        Notification.Status.PENDING,
        0,
    )
    assert notification.organization_id == org.pk
    assert notification.created_at == notification.next_attempt_at == NOW
    assert notification.sent_at is None


def test_n1_a_notice_exists_only_if_the_change_that_caused_it_commits(org):
    @transaction.atomic
    def failing_change():
        enqueue_warning(org, "rolled-back", now=NOW)
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()

    assert not Notification.objects.exists()


def test_enqueue_without_an_address_adds_nothing(org):
    assert (
        enqueue(
            organization_id=org.pk,
            key="no-address",
            kind="registrant_grace_warning",
            to_email="",
            context=grace_warning_context(org),
            now=NOW,
        )
        is False
    )
    assert not Notification.objects.exists()


def test_enqueue_rejects_an_unknown_kind(org):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        enqueue(organization_id=org.pk, key="k", kind="newsletter", to_email="a@b.example", context={}, now=NOW)
    assert not Notification.objects.exists()


def test_g3_warning_shows_the_deadline_in_the_organization_time_zone(org):
    assert org.time_zone == "America/Toronto"
    enqueue_warning(org, "grace-warning-1", now=NOW, to_email="rivera@family.example")

    notification = Notification.objects.get()
    assert notification.to_email == "rivera@family.example"
    assert "Wednesday 4 March 2026, 9:00 a.m. EST" in notification.body_text
    assert "Wednesday 4 March 2026, 9:00 a.m. EST" in notification.body_html
    assert "$85.00" in notification.body_text
    assert "48 hours" in notification.body_text
    assert "https://parks.example/pay/R-1001" in notification.body_text
    assert "Sam Rivera" in notification.body_text
    assert (
        notification.subject
        == "Payment needed by Wednesday 4 March to keep your registration for Swim Level 3, Tuesdays"
    )


def test_deadline_follows_each_organization_time_zone(db):
    berlin = make_organization(time_zone="Europe/Berlin")
    enqueue_warning(berlin, "berlin", now=NOW)
    assert "Wednesday 4 March 2026, 3:00 p.m. CET" in Notification.objects.get().body_text


def test_time_zone_is_taken_from_the_organization_when_the_context_has_none(db):
    vancouver = make_organization(time_zone="America/Vancouver")
    context = grace_warning_context(vancouver)
    del context["time_zone"]
    enqueue(
        organization_id=vancouver.pk,
        key="vancouver",
        kind="registrant_grace_warning",
        to_email="a@family.example",
        context=context,
        now=NOW,
    )
    assert "Wednesday 4 March 2026, 6:00 a.m. PST" in Notification.objects.get().body_text


def test_warning_without_a_pay_link_or_participant_reads_naturally(org):
    rendered = render_notification(
        kind="registrant_grace_warning", context=grace_warning_context(org, pay_url="", participant_name=None)
    )
    assert "Thank you for registering for Swim Level 3, Tuesdays" in rendered.body_text
    assert "sign in to your account or contact the" in rendered.body_text
    assert "None" not in rendered.body_text
    assert "Pay now" not in rendered.body_html


ACCOUNT_KINDS = ("household_verify_email", "password_reset", "household_invite")
# About held seats released before any order (S2): named by offering, not by order number.
HOLD_KINDS = ("holds_released",)

# A rental request (S6) has no order until it is approved: its notices name no order number.
BEFORE_ANY_ORDER = {"rental_requested", "rental_declined"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_renders_a_finished_email(org, kind):
    rendered = render_notification(kind=kind, context=full_context(org))

    assert rendered.subject
    assert "\n" not in rendered.subject
    for body in (rendered.body_text, rendered.body_html):
        assert org.name in body
        if kind in HOLD_KINDS:
            assert "Swim Level 3" in body
        elif kind not in ACCOUNT_KINDS and kind not in BEFORE_ANY_ORDER:  # about a login or a request, not an order
            assert "R-1001" in body
        assert "None" not in body
        assert "{{" not in body
        assert "{%" not in body
    assert "\n\n\n" not in rendered.body_text
    assert rendered.body_html.startswith("<!DOCTYPE html>")
    assert "<" not in rendered.body_text.replace("<rivera@family.example>", "")


@pytest.mark.parametrize("kind", ["admin_incomplete", "admin_deleted"])
def test_administrator_notices_show_submission_and_deadline_in_local_time(org, kind):
    rendered = render_notification(kind=kind, context=full_context(org))
    assert "Submitted:    Monday 2 March 2026, 9:00 a.m. EST" in rendered.body_text
    assert "Pay by:       Wednesday 4 March 2026, 9:00 a.m. EST" in rendered.body_text
    assert "Rivera household <rivera@family.example>" in rendered.body_text


def test_incomplete_notice_without_a_grace_period_says_the_place_is_kept(org):
    rendered = render_notification(kind="admin_incomplete", context=full_context(org, deadline=None))
    assert "Pay by" not in rendered.body_text
    assert "scheduled for deletion" not in rendered.body_text
    assert "It keeps its place until a payment is recorded or staff delete it." in rendered.body_text


def test_names_are_escaped_in_html_and_left_alone_in_text(org):
    context = grace_warning_context(org, household_name="O'Hara & <Sons>")
    rendered = render_notification(kind="registrant_grace_warning", context=context)
    assert "Hello O'Hara & <Sons>," in rendered.body_text
    assert "O&#x27;Hara &amp; &lt;Sons&gt;" in rendered.body_html
    assert "<Sons>" not in rendered.body_html


def test_amounts_are_exact_with_thousands(org):
    rendered = render_notification(
        kind="staff_late_payment", context=full_context(org, amount=Decimal("1234.5"), amount_due=Decimal("0.1"))
    )
    assert "Amount:       $1,234.50" in rendered.body_text


def test_n1_duplicate_from_a_concurrent_transaction_leaves_the_caller_transaction_usable(org, monkeypatch):
    """The key is checked first; if another transaction inserts the same key after that
    check, the insert fails on the unique key. Only the savepoint rolls back: the caller
    goes on (on PostgreSQL, an aborted transaction would refuse every later statement)."""
    enqueue_warning(org, "raced", now=NOW)
    real_is_enqueued = services._is_enqueued
    looks = iter([False, True])  # not there at the first look; there after the conflict
    monkeypatch.setattr(services, "_is_enqueued", lambda key: next(looks) if key == "raced" else real_is_enqueued(key))

    with transaction.atomic():
        assert enqueue_warning(org, "raced", now=NOW) is False
        assert enqueue_warning(org, "after-the-race", now=NOW) is True

    assert sorted(Notification.objects.values_list("key", flat=True)) == ["after-the-race", "raced"]


def test_other_integrity_errors_are_not_swallowed(org, monkeypatch):
    monkeypatch.setattr(services, "_is_enqueued", lambda key: False)
    monkeypatch.setattr(
        services,
        "render_notification",
        lambda **kwargs: services.RenderedEmail(subject="s", body_text=None, body_html=""),  # NOT NULL
    )

    with pytest.raises(IntegrityError):
        enqueue_warning(org, "broken", now=NOW)


def test_a_notice_is_rendered_in_its_organizations_locale_when_the_context_names_none(db):
    """Decision 0025: a grace-period warning of a French Canadian organization, enqueued by the
    worker (no page, no language of its own), has French money and month names, English words."""
    montreal = make_organization(time_zone="America/Toronto", locale="fr-ca")
    context = grace_warning_context(montreal, amount_due=Decimal("1234.5"))
    del context["time_zone"], context["locale"]
    enqueue(
        organization_id=montreal.pk,
        key="montreal",
        kind="registrant_grace_warning",
        to_email="a@family.example",
        context=context,
        now=NOW,
    )
    notice = Notification.objects.get()
    assert "mercredi 4 mars" in notice.subject
    assert "mercredi 4 mars 2026, 9:00 a.m. EST" in notice.body_text
    assert "$1\xa0234,50" in notice.body_text
    assert "Payment needed by" in notice.subject


def test_notices_enqueued_together_each_follow_their_own_organizations_locale(db):
    french = make_organization(locale="fr-ca")
    american = make_organization(locale="en-us")
    notices = [
        services.OutgoingNotice(
            organization_id=organization.pk,
            key=f"cancelled-{organization.pk}",
            kind="registrant_grace_warning",
            to_email="a@family.example",
            context={k: v for k, v in grace_warning_context(organization).items() if k not in {"time_zone", "locale"}},
        )
        for organization in (french, american)
    ]
    assert services.enqueue_many(notices, now=NOW) == 2
    by_organization = {n.organization_id: n.body_text for n in Notification.objects.all()}
    assert "mercredi 4 mars 2026" in by_organization[french.pk]
    assert "Wednesday 4 March 2026" in by_organization[american.pk]
