"""The life of an unpaid registration, as pure rules (D5): facts and settings in, decisions
out. The worker acts on these decisions and the Grace Period Impacts report (G6) shows them;
there is no second copy of any rule. No ORM, no clock: `now` is an argument."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

PENDING_WINDOW = timedelta(minutes=5)  # P3: the provider may still be working
NOTICE_EARLIEST = timedelta(minutes=20)  # N2, N3: first notices no earlier than this ...
NOTICE_LATEST = timedelta(days=7)  # ... and no later than this after submission
AUTO_DELETE_MAX_AGE = timedelta(hours=240)  # G5: older records wait for staff


class PaymentState(StrEnum):
    INCOMPLETE_OR_PENDING = "incomplete_or_pending"
    PAYMENT_INCOMPLETE = "payment_incomplete"
    PARTIALLY_PAID = "partially_paid"
    PAID_IN_FULL = "paid_in_full"


class Notice(StrEnum):
    REGISTRANT_GRACE_WARNING = "registrant_grace_warning"
    ADMIN_INCOMPLETE = "admin_incomplete"
    REGISTRANT_DELETED = "registrant_deleted"
    ADMIN_DELETED = "admin_deleted"


@dataclass(frozen=True)
class RegistrationFacts:
    registration_id: int
    submitted_at: datetime
    payment_requested_at: datetime | None
    amount_due: Decimal  # the order's total
    amount_paid: Decimal
    payment_required: bool
    is_deleted: bool = False
    notices_sent: frozenset[Notice] = frozenset()


@dataclass(frozen=True)
class GracePolicy:
    grace_period_hours: int  # 0 keep (G1), -1 delete quietly (G2), N hours (G3)
    payment_window_minutes: int = 20  # G2's short window
    admin_notifications: bool = False  # N2
    has_admin_email: bool = False


@dataclass(frozen=True)
class Decision:
    delete: bool = False
    notices: tuple[Notice, ...] = ()


def payment_state(facts: RegistrationFacts, now: datetime) -> PaymentState:
    """P3, derived from the amounts and the time since payment was requested."""
    if facts.amount_paid >= facts.amount_due:
        return PaymentState.PAID_IN_FULL
    if facts.amount_paid > 0:
        return PaymentState.PARTIALLY_PAID
    requested = facts.payment_requested_at or facts.submitted_at
    if now - requested < PENDING_WINDOW:
        return PaymentState.INCOMPLETE_OR_PENDING
    return PaymentState.PAYMENT_INCOMPLETE


def may_be_deleted_automatically(facts: RegistrationFacts) -> bool:
    """G4: payment required, an amount due above zero, nothing paid; any payment stops it."""
    return not facts.is_deleted and facts.payment_required and facts.amount_due > 0 and facts.amount_paid == 0


def deletion_due_at(facts: RegistrationFacts, policy: GracePolicy) -> datetime | None:
    """When the policy will delete this registration, or None if it never will (the
    *Scheduled for deletion* flag of P3). A deadline past G5's 240 hours is no deadline."""
    if not may_be_deleted_automatically(facts) or policy.grace_period_hours == 0:
        return None
    if policy.grace_period_hours == -1:
        due = facts.submitted_at + timedelta(minutes=policy.payment_window_minutes)
    else:
        due = facts.submitted_at + timedelta(hours=policy.grace_period_hours)
    if due - facts.submitted_at > AUTO_DELETE_MAX_AGE:
        return None
    return due


def decide(facts: RegistrationFacts, policy: GracePolicy, now: datetime) -> Decision:
    """What one background run does to one registration: delete it or not, and which
    notices to send now. Notices already sent are never decided again (N2, G3: once)."""
    if not may_be_deleted_automatically(facts):
        return Decision()
    age = now - facts.submitted_at
    in_notice_window = NOTICE_EARLIEST <= age <= NOTICE_LATEST
    due = deletion_due_at(facts, policy)
    wanted: list[Notice] = []

    if policy.grace_period_hours == -1:
        # G2: quietly, no email to anyone, once the payment window has passed.
        return Decision(delete=due is not None and now >= due and age <= AUTO_DELETE_MAX_AGE)

    if due is not None and now >= due and age <= AUTO_DELETE_MAX_AGE:
        wanted = [Notice.REGISTRANT_DELETED]
        if policy.has_admin_email:
            wanted.append(Notice.ADMIN_DELETED)
        return Decision(delete=True, notices=_unsent(wanted, facts))

    if in_notice_window:
        if due is not None:  # G3: the registrant is told the deadline, once
            wanted.append(Notice.REGISTRANT_GRACE_WARNING)
        if policy.admin_notifications and policy.has_admin_email:  # N2 (and G3's admin copy)
            wanted.append(Notice.ADMIN_INCOMPLETE)
    return Decision(notices=_unsent(wanted, facts))


def _unsent(wanted: list[Notice], facts: RegistrationFacts) -> tuple[Notice, ...]:
    return tuple(n for n in wanted if n not in facts.notices_sent)
