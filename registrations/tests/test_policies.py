from datetime import UTC, datetime, timedelta
from decimal import Decimal

from registrations.policies import (
    Decision,
    GracePolicy,
    Notice,
    PaymentState,
    RegistrationFacts,
    decide,
    deletion_due_at,
    payment_state,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def facts(paid="0", due="100", required=True, sent=(), **kw):
    return RegistrationFacts(
        registration_id=1,
        submitted_at=T0,
        payment_requested_at=T0,
        amount_due=Decimal(due),
        amount_paid=Decimal(paid),
        payment_required=required,
        notices_sent=frozenset(sent),
        **kw,
    )


def at(**delta):
    return T0 + timedelta(**delta)


ADMIN_ON = {"admin_notifications": True, "has_admin_email": True}


def test_p3_pending_until_five_minutes_then_incomplete():
    assert payment_state(facts(), at(minutes=4, seconds=59)) == PaymentState.INCOMPLETE_OR_PENDING
    assert payment_state(facts(), at(minutes=5)) == PaymentState.PAYMENT_INCOMPLETE
    assert payment_state(facts(paid="10"), at(minutes=1)) == PaymentState.PARTIALLY_PAID
    assert payment_state(facts(paid="100"), at(minutes=1)) == PaymentState.PAID_IN_FULL


def test_g1_zero_keeps_and_only_notifies_admin_when_enabled():
    keep = GracePolicy(grace_period_hours=0)
    assert decide(facts(), keep, at(days=9)) == Decision()
    assert deletion_due_at(facts(), keep) is None
    notify = GracePolicy(grace_period_hours=0, **ADMIN_ON)
    assert decide(facts(), notify, at(minutes=30)) == Decision(notices=(Notice.ADMIN_INCOMPLETE,))


def test_n2_window_is_20_minutes_to_7_days_and_once():
    policy = GracePolicy(grace_period_hours=0, **ADMIN_ON)
    assert decide(facts(), policy, at(minutes=19, seconds=59)).notices == ()
    assert decide(facts(), policy, at(minutes=20)).notices == (Notice.ADMIN_INCOMPLETE,)
    assert decide(facts(), policy, at(days=7)).notices == (Notice.ADMIN_INCOMPLETE,)
    assert decide(facts(), policy, at(days=7, seconds=1)).notices == ()
    assert decide(facts(sent={Notice.ADMIN_INCOMPLETE}), policy, at(hours=1)).notices == ()


def test_n2_never_for_partial_payment_or_nothing_due():
    policy = GracePolicy(grace_period_hours=0, **ADMIN_ON)
    assert decide(facts(paid="0.01"), policy, at(hours=1)) == Decision()
    assert decide(facts(due="0"), policy, at(hours=1)) == Decision()


def test_g2_minus_one_deletes_quietly_after_the_payment_window():
    quiet = GracePolicy(grace_period_hours=-1, payment_window_minutes=20, **ADMIN_ON)
    assert decide(facts(), quiet, at(minutes=19, seconds=59)) == Decision()
    assert decide(facts(), quiet, at(minutes=20)) == Decision(delete=True, notices=())
    assert deletion_due_at(facts(), quiet) == at(minutes=20)


def test_g3_warns_once_in_window_then_deletes_at_deadline_with_two_notices():
    policy = GracePolicy(grace_period_hours=48, **ADMIN_ON)
    assert deletion_due_at(facts(), policy) == at(hours=48)
    assert decide(facts(), policy, at(minutes=10)) == Decision()
    assert decide(facts(), policy, at(minutes=20)).notices == (Notice.REGISTRANT_GRACE_WARNING, Notice.ADMIN_INCOMPLETE)
    sent = {Notice.REGISTRANT_GRACE_WARNING, Notice.ADMIN_INCOMPLETE}
    assert decide(facts(sent=sent), policy, at(hours=47, minutes=59)) == Decision()
    assert decide(facts(sent=sent), policy, at(hours=48)) == Decision(
        delete=True, notices=(Notice.REGISTRANT_DELETED, Notice.ADMIN_DELETED)
    )


def test_g3_admin_copy_only_when_notifications_are_on():
    policy = GracePolicy(grace_period_hours=48, has_admin_email=True)
    assert decide(facts(), policy, at(hours=1)).notices == (Notice.REGISTRANT_GRACE_WARNING,)


def test_g4_only_unpaid_required_with_amount_due_are_deleted():
    policy = GracePolicy(grace_period_hours=1)
    assert decide(facts(paid="5"), policy, at(hours=2)) == Decision()
    assert decide(facts(required=False), policy, at(hours=2)) == Decision()
    assert decide(facts(due="0"), policy, at(hours=2)) == Decision()
    assert decide(facts(is_deleted=True), policy, at(hours=2)) == Decision()
    assert decide(facts(), policy, at(hours=2)).delete


def test_g5_nothing_older_than_240_hours_is_deleted():
    for hours in (1, 48, 240):
        policy = GracePolicy(grace_period_hours=hours)
        assert decide(facts(), policy, at(hours=240)).delete
        assert not decide(facts(), policy, at(hours=241)).delete
    assert not decide(facts(), GracePolicy(grace_period_hours=-1), at(hours=241)).delete
    beyond = GracePolicy(grace_period_hours=241)
    assert deletion_due_at(facts(), beyond) is None  # never scheduled
    assert decide(facts(), beyond, at(hours=1)).notices == ()  # so no deadline to warn about


def test_payment_in_the_last_minute_saves_it():
    policy = GracePolicy(grace_period_hours=48)
    assert not decide(facts(paid="1"), policy, at(hours=48)).delete
