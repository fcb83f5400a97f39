"""S6: rentals that require approval. A customer's booking of such a facility becomes a request
whose claims hold its time (kind *rental request*, no cart, lapsing at the rental's start); staff
approve it (an order, invoiced on account and payable online, with its registrations) or decline
it (the time released, the customer emailed); the customer may withdraw it while it waits.
Every step is audited; capacity is only ever taken and released through capacity.services."""

from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent, Channel
from audit.services import event, record
from capacity.fairshare import FairShareCheck
from capacity.locks import lock_offerings, lock_one
from capacity.models import Claim
from capacity.policies import SeatRequest
from capacity.services import ClaimRequest, ClaimWrites, claim_seats, release_claims
from carts import errors as cart_errors
from carts.policies import check_registrable
from carts.services.open_cart import OPEN_CART
from carts.services.rental_range import rental_range
from households.models import Household
from notifications.services import enqueue
from orders.models import Order
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission
from registrations.ordering import HoldsLapsed, order_holds
from rentals.errors import ApprovalNotRequired, RentalRequestDecided, RentalRequestLapsed, RentalRequestNotFound
from rentals.models import RentalRequest


def request_rental(
    *,
    household: Household,
    facility_id: int,
    starts_at: datetime,
    ends_at: datetime,
    channel: str,
    actor_id: int | None = None,
    note: str = "",
) -> RentalRequest:
    """Ask for a facility that requires approval for [starts_at, ends_at): every back-to-back
    slot that covers it, all or nothing, held at once as a request (S5, S6). Refused like a
    cart's rental when the time is taken (C4) or is not made of listed slots."""
    booked = rental_range(
        organization=household.organization, facility_id=facility_id, starts_at=starts_at, ends_at=ends_at
    )
    facility = booked.facility
    if not facility.requires_approval:
        raise ApprovalNotRequired
    with transaction.atomic():
        now = timezone.now()
        organization = household.organization
        offering_ids = booked.offering_ids
        # X6: a request holds time as a cart's add does, so it counts against the household's
        # fair share and is held to it (decision 0012): its usage is read after the locks, and
        # its open cart, locked first, serialises it with the household's adds.
        fair_share = FairShareCheck.prepare(
            organization=organization, household_id=household.pk, offering_ids=offering_ids, now=now
        )
        locked = lock_offerings(
            organization_id=household.organization_id,
            offering_ids=offering_ids,
            first=[OPEN_CART.pending(household_id=household.pk, for_update=True)],
            after=[fair_share.usage.query],
        )
        if starts_at <= now:
            raise cart_errors.RentalStarted  # started while waiting for the locks
        for offering in locked:
            check_registrable(
                kind=offering.kind,
                name=offering.name,
                opens_at=offering.registration_opens_at,
                closes_at=offering.registration_closes_at,
                min_age=None,
                max_age=None,
                has_participant=False,
                participant_age=None,
                now=now,
            )
        audit = partial(
            _claim_event,
            organization_id=household.organization_id,
            channel=channel,
            actor_id=actor_id,
            household_id=household.pk,
            now=now,
        )
        claims = claim_seats(
            locked,
            ClaimRequest(
                organization_id=household.organization_id,
                household_id=household.pk,
                wanted=[SeatRequest(offering_id=pk) for pk in offering_ids],
                channel=channel,
                now=now,
                actor_id=actor_id,
                kind=Claim.Kind.RENTAL_REQUEST,
                expires_at=starts_at,  # undecided when the rental starts: the time comes back by itself
                fair_share=fair_share,
            ),
            ClaimWrites(audit=audit),
        )
        request = RentalRequest.objects.create(
            organization_id=household.organization_id,
            household=household,
            facility=facility,
            starts_at=starts_at,
            ends_at=ends_at,
            total=sum((c.price for c in claims), Decimal("0")),
            note=note.strip()[:500],
            channel=channel,
            requested_by_id=actor_id,
            requested_at=now,
        )
        request.claims.set(claims)
        record(
            organization_id=household.organization_id,
            verb="rental_request.created",
            channel=channel,
            actor_id=actor_id,
            subject_type="rental_request",
            subject_id=request.pk,
            household_id=household.pk,
            data={"facility": facility.pk, "claims": [c.pk for c in claims], "total": str(request.total)},
            now=now,
        )
        enqueue(
            organization_id=organization.pk,
            key=f"rental_request:{request.pk}:office",
            kind="rental_requested",
            to_email=organization.admin_email,
            context=_context(organization, request),
            now=now,
        )
    return request


def _claim_event(
    claim: Claim, *, organization_id: int, channel: str, actor_id: int | None, household_id: int, now: datetime
) -> AuditEvent:
    return event(
        organization_id=organization_id,
        verb="claim.rental_requested",
        channel=channel,
        actor_id=actor_id,
        subject_type="claim",
        subject_id=claim.pk,
        household_id=household_id,
        data={"offering": claim.offering_id},
        now=now,
    )


@transaction.atomic(durable=True)
def approve_request(*, membership: StaffMembership, request_id: int, note: str = "") -> RentalRequest:
    """Staff approve: the held time becomes an order with its registrations, invoiced on
    account and payable online (B1); a free rental is confirmed at once. The customer is
    emailed. Refused once its time has started (the request lapsed, D2)."""
    require_permission(membership, Permission.ENROLL)
    request = _pending(membership, request_id)
    claims = list(request.claims.select_related("offering", "participant").order_by("pk"))
    locked = lock_offerings(organization_id=request.organization_id, offering_ids=[c.offering_id for c in claims])
    now = timezone.now()
    if now >= request.starts_at:
        raise RentalRequestLapsed
    try:
        ordered = order_holds(
            organization=request.organization,
            household_id=request.household_id,
            cart_id=None,
            holds=claims,
            locked=locked,
            channel=Channel.OFFICE,
            actor_id=membership.user_id,
            now=now,
        )
    except HoldsLapsed:
        raise AssertionError("a pending request's claims before its start could not be promoted") from None
    order = ordered.order
    if not ordered.is_free:
        order.on_account, order.payable_online, order.customer_note = True, True, note.strip()[:500]
        order.save(update_fields=["on_account", "payable_online", "customer_note"])
    _decide(membership, request, RentalRequest.Status.APPROVED, note, now, order=order)
    return request


@transaction.atomic(durable=True)
def decline_request(*, membership: StaffMembership, request_id: int, reason: str = "") -> RentalRequest:
    """Staff decline: the held time is free at once and the customer is emailed, with the reason."""
    require_permission(membership, Permission.ENROLL)
    request = _pending(membership, request_id)
    now = timezone.now()
    release_claims(reason="request_declined", now=now, claim_ids=list(request.claims.values_list("pk", flat=True)))
    _decide(membership, request, RentalRequest.Status.DECLINED, reason, now)
    return request


@transaction.atomic(durable=True)
def withdraw_request(*, household: Household, request_id: int, channel: str, actor_id: int | None) -> RentalRequest:
    """The customer withdraws a request still waiting: its time is free at once."""
    request = lock_one(RentalRequest.objects.filter(household_id=household.pk, pk=request_id))
    if request is None:
        raise RentalRequestNotFound
    if request.status != RentalRequest.Status.PENDING:
        raise RentalRequestDecided
    now = timezone.now()
    release_claims(reason="request_withdrawn", now=now, claim_ids=list(request.claims.values_list("pk", flat=True)))
    request.status, request.decided_at = RentalRequest.Status.WITHDRAWN, now
    request.save(update_fields=["status", "decided_at"])
    record(
        organization_id=request.organization_id,
        verb="rental_request.withdrawn",
        channel=channel,
        actor_id=actor_id,
        subject_type="rental_request",
        subject_id=request.pk,
        household_id=household.pk,
        now=now,
    )
    return request


def _pending(membership: StaffMembership, request_id: int) -> RentalRequest:
    request = lock_one(
        RentalRequest.objects.filter(organization_id=membership.organization_id, pk=request_id).select_related(
            "household", "facility", "organization"
        )
    )
    if request is None:
        raise RentalRequestNotFound
    if request.status != RentalRequest.Status.PENDING:
        raise RentalRequestDecided
    return request


def _decide(
    membership: StaffMembership,
    request: RentalRequest,
    status: str,
    note: str,
    now: datetime,
    order: Order | None = None,
) -> None:
    request.status, request.decided_at, request.decided_by_id = status, now, membership.user_id
    request.decision_note, request.order = note.strip()[:500], order
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "order"])
    record(
        organization_id=request.organization_id,
        verb=f"rental_request.{status}",
        channel=Channel.OFFICE,
        actor_id=membership.user_id,
        subject_type="rental_request",
        subject_id=request.pk,
        household_id=request.household_id,
        data={"order": order.pk if order else None, "note": request.decision_note},
        now=now,
    )
    organization = Organization.objects.get(pk=request.organization_id)
    enqueue(
        organization_id=organization.pk,
        key=f"rental_request:{request.pk}:{status}",
        kind=f"rental_{status}",
        to_email=request.household.email,
        context=_context(organization, request),
        now=now,
    )


def _context(organization: Organization, request: RentalRequest) -> dict[str, object]:
    order = request.order
    return {
        "organization_name": organization.name,
        "household_name": request.household.name,
        "facility_name": request.facility.name,
        "starts_at": request.starts_at,
        "ends_at": request.ends_at,
        "total": request.total,
        "note": request.note,
        "decision_note": request.decision_note,
        "order_number": order.number if order else "",
        "balance": order.balance if order else None,
        "pay_online": bool(order and order.payable_online and organization.pay_balances_online),
    }
