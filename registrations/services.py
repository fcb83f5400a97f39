"""Writes on registrations: made at checkout (P1), deleted by staff (P6) and by the grace-period
policy (G2, G3)."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.models import Channel
from audit.services import event, record, record_many
from capacity.locks import lock_offerings, lock_one
from capacity.models import Claim
from capacity.policies import SeatRequest
from capacity.services import ClaimRequest, cancel_claims, claim_seats
from notifications.models import Notification
from notifications.services import enqueue, organization_context
from orders.models import Order, OrderLine
from orders.paylink import pay_url
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission
from registrations import policies
from registrations.errors import RegistrationNotDeleted, RegistrationNotFound
from registrations.models import Registration
from registrations.policies import Notice
from registrations.selectors import admin_recipient, facts_for, grace_policy, unpaid_registrations


def register_order(
    *, order: Order, lines: Sequence[OrderLine], holds: Sequence[Claim], channel: str, now: datetime
) -> list[Registration]:
    """The registrations of a new order, one per line and the hold it came from (P1). Their
    state is their claim's, which checkout promotes (P2). Runs inside checkout's transaction."""
    return Registration.objects.bulk_create(
        Registration(
            organization_id=order.organization_id,
            household_id=order.household_id,
            participant_id=claim.participant_id,
            offering_id=claim.offering_id,
            order=order,
            order_line=line,
            claim=claim,
            channel=channel,
            submitted_at=now,
        )
        for claim, line in zip(holds, lines, strict=True)
    )


@transaction.atomic(durable=True)
def delete_registration(*, membership: StaffMembership, registration_id: int, note: str = "") -> Registration:
    """P6: staff delete a registration, saying why (`note`). Its seat is freed at once; the
    household, its people, an archived copy and the audit trail remain."""
    require_permission(membership, Permission.DELETE_ENROLLMENTS)
    now = timezone.now()
    registration = _lock_registration(organization_id=membership.organization_id, registration_id=registration_id)
    if registration is None or registration.deleted_at is not None:
        raise RegistrationNotFound
    registration.deleted_note = note.strip()[:500]
    _archive(registration, reason="staff", now=now, channel=Channel.OFFICE, actor_id=membership.user_id)
    return registration


@transaction.atomic(durable=True)
def restore_registration(*, membership: StaffMembership, registration_id: int) -> Registration:
    """P7: bring back a deleted registration while its seat is free. It takes a seat again
    through the ledger like any other path (D1): a new claim, confirmed if its order is paid,
    else tentative; refused with C4's answer when the offering is full, or when the
    participant has since been enrolled again. Offerings are locked before the order, as
    checkout does, so a restore and a checkout never wait on each other in a circle."""
    require_permission(membership, Permission.DELETE_ENROLLMENTS)
    found = (
        Registration.objects.filter(organization_id=membership.organization_id, pk=registration_id)
        .values_list("offering_id", "household_id", "participant_id")
        .first()
    )
    if found is None:
        raise RegistrationNotFound
    offering_id, household_id, participant_id = found
    people = [participant_id] if participant_id else []
    locked = lock_offerings(
        organization_id=membership.organization_id,
        offering_ids=[offering_id],
        household_id=household_id,
        participant_ids=people,
    )
    registration = _lock_registration(organization_id=membership.organization_id, registration_id=registration_id)
    if registration is None:
        raise RegistrationNotFound
    if registration.deleted_at is None:
        raise RegistrationNotDeleted
    now = timezone.now()
    paid = registration.order.balance <= 0
    (claim,) = claim_seats(
        locked,
        ClaimRequest(
            organization_id=membership.organization_id,
            household_id=household_id,
            wanted=[SeatRequest(offering_id=offering_id, participant_id=participant_id)],
            channel=Channel.OFFICE,
            now=now,
            actor_id=membership.user_id,
            state=Claim.State.CONFIRMED if paid else Claim.State.TENTATIVE,
        ),
    )
    was = {"deleted_at": registration.deleted_at.isoformat(), "reason": registration.deleted_reason}
    registration.claim = claim
    registration.deleted_at, registration.deleted_by_id, registration.deleted_reason = None, None, ""
    registration.save(update_fields=["claim", "deleted_at", "deleted_by", "deleted_reason"])
    record(
        organization_id=registration.organization_id,
        verb="registration.restored",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="registration",
        subject_id=registration.pk,
        household_id=registration.household_id,
        data={**was, "claim": claim.pk, "state": claim.state, "note": registration.deleted_note},
        now=now,
    )
    return registration


def apply_grace_policies(*, now: datetime | None = None) -> int:
    """One background run of G1-G5 and N2-N3 over every organization: delete what is due,
    enqueue the notices that are due. Returns how many registrations were acted on.

    Safe with any number of workers: each action re-reads its order under a row lock and
    decides again, and every notice has a unique key in the outbox, so nothing is deleted
    or enqueued twice, and a payment that lands meanwhile is always seen."""
    now = now or timezone.now()
    acted = 0
    for organization in Organization.objects.order_by("pk"):
        for registration, facts in unpaid_registrations(organization_id=organization.pk, now=now):
            policy = grace_policy(organization, offering=registration.offering)
            decision = policies.decide(facts, policy, now)
            if decision.delete or decision.notices:
                acted += _act_on(organization, registration.pk, now=now)
    return acted


@transaction.atomic(durable=True)
def _act_on(organization: Organization, registration_id: int, *, now: datetime) -> int:
    registration = _lock_registration(organization_id=organization.pk, registration_id=registration_id)
    if registration is None:
        return 0
    # Decide again under the lock: a payment that landed since the candidates were read
    # (even one cent) saves the registration and silences its notices (G4, N2).
    policy = grace_policy(organization, offering=registration.offering)
    decision = policies.decide(facts_for(registration, _notices_sent(registration)), policy, now)
    context = notice_context(organization, registration)  # before archiving: it shows the deadline
    if decision.delete:
        reason = "payment_window" if organization.grace_period_hours == -1 else "grace_period"
        _archive(registration, reason=reason, now=now, channel=Channel.SYSTEM, actor_label="job:grace_period")
    _enqueue_notices(organization, registration, decision.notices, now=now, context=context)
    return int(decision.delete or bool(decision.notices))


def _lock_registration(*, organization_id: int, registration_id: int) -> Registration | None:
    """Lock the registration's order (payments lock it too, so a payment and a deletion
    never interleave), then read the registration."""
    order_id = (
        Registration.objects.filter(organization_id=organization_id, pk=registration_id)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id is None:
        return None
    lock_one(Order.objects.filter(pk=order_id))
    return (
        Registration.objects.select_related("order", "offering", "participant", "household", "claim")
        .filter(pk=registration_id)
        .first()
    )


def _archive(
    registration: Registration,
    *,
    reason: str,
    now: datetime,
    channel: str,
    actor_id: int | None = None,
    actor_label: str = "",
) -> None:
    cancel_claims(claim_ids=[registration.claim_id], reason=f"registration_deleted:{reason}", now=now)
    registration.deleted_at = now
    registration.deleted_by_id = actor_id
    registration.deleted_reason = reason
    registration.save(update_fields=["deleted_at", "deleted_by", "deleted_reason", "deleted_note"])
    record(
        organization_id=registration.organization_id,
        verb="registration.deleted",
        channel=channel,
        actor_id=actor_id,
        actor_label=actor_label,
        subject_type="registration",
        subject_id=registration.pk,
        household_id=registration.household_id,
        data={
            "reason": reason,
            "note": registration.deleted_note,
            "offering": registration.offering_id,
            "participant": registration.participant_id,
            "order": registration.order_id,
            "amount_paid": str(registration.order.amount_paid),
        },
        now=now,
    )


def archive_registrations(
    registrations: Sequence[Registration], *, reason: str, now: datetime, channel: str, actor_id: int | None = None
) -> None:
    """Delete (archive) these registrations together (P6): their claims cancelled so their
    seats are free, each one audited. Runs inside the caller's transaction, which has locked
    their orders; a fixed number of queries however many there are (bulk changes, F2)."""
    live = [r for r in registrations if r.deleted_at is None]
    if not live:
        return
    cancel_claims(claim_ids=[r.claim_id for r in live], reason=f"registration_deleted:{reason}", now=now)
    Registration.objects.filter(pk__in=[r.pk for r in live], deleted_at__isnull=True).update(
        deleted_at=now, deleted_by_id=actor_id, deleted_reason=reason
    )
    record_many(
        event(
            organization_id=r.organization_id,
            verb="registration.deleted",
            channel=channel,
            actor_id=actor_id,
            subject_type="registration",
            subject_id=r.pk,
            household_id=r.household_id,
            data={
                "reason": reason,
                "offering": r.offering_id,
                "participant": r.participant_id,
                "order": r.order_id,
                "amount_paid": str(r.order.amount_paid),
            },
            now=now,
        )
        for r in live
    )
    for r in live:
        r.deleted_at, r.deleted_by_id, r.deleted_reason = now, actor_id, reason


def _notices_sent(registration: Registration) -> frozenset[Notice]:
    kinds = Notification.objects.filter(registration_id=registration.pk, kind__in=list(Notice)).values_list(
        "kind", flat=True
    )
    return frozenset(Notice(k) for k in kinds)


def _enqueue_notices(
    organization: Organization,
    registration: Registration,
    notices: Iterable[Notice],
    *,
    now: datetime,
    context: dict[str, object] | None = None,
) -> None:
    context = context or notice_context(organization, registration)
    for notice in notices:
        to_admin = notice in (Notice.ADMIN_INCOMPLETE, Notice.ADMIN_DELETED)
        enqueue(
            organization_id=organization.pk,
            key=f"{notice}:{registration.pk}",
            kind=notice,
            to_email=admin_recipient(organization, registration.offering) if to_admin else registration.household.email,
            context=context,
            now=now,
            registration_id=registration.pk,
        )


def notice_context(organization: Organization, registration: Registration) -> dict[str, object]:
    """What every registration notice template may show (see notifications/templates)."""
    order = registration.order
    due = policies.deletion_due_at(facts_for(registration), grace_policy(organization, offering=registration.offering))
    return organization_context(organization) | {
        "household_name": registration.household.name,
        "household_email": registration.household.email,
        "participant_name": registration.participant.full_name if registration.participant else None,
        "offering_name": registration.offering.name,
        "order_number": order.number,
        "amount_due": order.total - order.amount_paid if order.total > order.amount_paid else Decimal("0"),
        "submitted_at": registration.submitted_at,
        "deadline": due,
        "grace_hours": organization.grace_period_hours,
        # P7: the same link staff send (orders.paylink): the order's pay page, no sign-in needed
        # (a household made at the desk may have no password); "" when nothing is payable online.
        "pay_url": pay_url(order) if organization.payment_provider != "none" and order.balance > 0 else "",
    }
