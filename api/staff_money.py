"""The staff JSON API of money at the desk (issue 13, item 5): a payment toward several orders
(P5), household credit and its refunds (B6), a pay link (P7), restoring a deleted registration
(P7). The office's pages call the same services."""

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut, StaffRegistrationOut
from api.staff import staff_registration_out
from api.types import Id
from households.selectors import get_household_for_org
from organizations.models import Permission
from payments.credit import household_credit, refund_credit
from payments.desk import record_desk_payment, send_pay_link
from payments.models import Refund
from registrations.selectors import organization_registrations
from registrations.services import restore_registration

router = Router(tags=["staff"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


class DeskPaymentIn(Schema):
    order_ids: list[Id] = Field(min_length=1, max_length=50, description="paid in this order, each up to its balance")
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    method: str = Field(description="cash, cheque, card_phone or card_terminal")
    note: str = Field(default="", max_length=500)
    reference: str = Field(default="", max_length=100, description="receipt number or idempotency key")
    keep_credit: bool = Field(default=False, description="B6: keep what is more than owed as household credit")


class AllocationOut(Schema):
    order_id: int | None = Field(description="None: kept as household credit")
    amount: Decimal


class DeskPaymentOut(Schema):
    id: int
    amount: Decimal
    method: str
    received_at: datetime
    allocations: list[AllocationOut]
    household_credit: Decimal


class RefundIn(Schema):
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    method: str = Field(description="provider (back through the online payment's provider), cash, cheque, ...")
    note: str = Field(default="", max_length=500)


class RefundOut(Schema):
    id: int
    amount: Decimal
    method: str
    status: str
    payment_id: int | None
    provider_ref: str
    created_at: datetime


class CreditOut(Schema):
    household_id: int
    credit: Decimal
    refunds: list[RefundOut]


class PayLinkOut(Schema):
    order_id: int
    url: str
    sent_to: str


def refund_out(refund: Refund) -> dict[str, object]:
    return {
        "id": refund.pk,
        "amount": refund.amount,
        "method": refund.method,
        "status": refund.status,
        "payment_id": refund.payment_id,
        "provider_ref": refund.provider_ref,
        "created_at": refund.created_at,
    }


@router.post(
    "/orgs/{slug}/staff/households/{household_id}/payments",
    response={200: DeskPaymentOut, 201: DeskPaymentOut, **REFUSALS},
)
@staff(Permission.TAKE_PAYMENTS)
def desk_payment(request: StaffRequest, slug: str, household_id: Id, payload: DeskPaymentIn) -> Status:
    """P5: cash, a cheque or a card toward one or several of the household's orders; more than
    owed is refused unless `keep_credit` (B6). A repeated `reference` answers 200 with the
    payment already recorded."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    recorded = record_desk_payment(membership=membership, household_id=household.pk, **payload.dict())
    payment = recorded.payment
    return Status(
        201 if recorded.created else 200,
        {
            "id": payment.pk,
            "amount": payment.amount,
            "method": payment.method,
            "received_at": payment.received_at,
            "allocations": [{"order_id": a.order_id, "amount": a.amount} for a in payment.allocations.order_by("pk")],
            "household_credit": household_credit(household_id=household.pk),
        },
    )


@router.get("/orgs/{slug}/staff/households/{household_id}/credit", response={200: CreditOut, **REFUSALS})
@staff(Permission.TAKE_PAYMENTS)
def credit(request: StaffRequest, slug: str, household_id: Id) -> dict[str, object]:
    """B6: the household's credit, which its next checkout spends first, and its refunds."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    return {
        "household_id": household.pk,
        "credit": household_credit(household_id=household.pk),
        "refunds": [refund_out(r) for r in Refund.objects.filter(household_id=household.pk).order_by("-pk")[:100]],
    }


@router.post("/orgs/{slug}/staff/households/{household_id}/refunds", response={201: RefundOut, **REFUSALS})
@staff(Permission.TAKE_PAYMENTS)
def refund(request: StaffRequest, slug: str, household_id: Id, payload: RefundIn) -> Status:
    """B6: give credit back, through the provider (`method` provider: the sandbox can) or
    recorded as handed back at the desk."""
    membership = request.membership
    household = get_household_for_org(organization_id=membership.organization_id, household_id=household_id)
    return Status(201, refund_out(refund_credit(membership=membership, household_id=household.pk, **payload.dict())))


@router.post("/orgs/{slug}/staff/orders/{order_id}/pay-link", response={201: PayLinkOut, **REFUSALS})
@staff(Permission.ENROLL, Permission.TAKE_PAYMENTS)
def pay_link(request: StaffRequest, slug: str, order_id: Id) -> Status:
    """P7: email the registrant a link to pay this order's balance online (valid 14 days)."""
    membership = request.membership
    url = send_pay_link(membership=membership, order_id=order_id)
    order = organization_registrations(organization_id=membership.organization_id).filter(order_id=order_id).first()
    return Status(201, {"order_id": order_id, "url": url, "sent_to": order.household.email if order else ""})


@router.post(
    "/orgs/{slug}/staff/registrations/{registration_id}/restore", response={200: StaffRegistrationOut, **REFUSALS}
)
@staff(Permission.DELETE_ENROLLMENTS)
def restore(request: StaffRequest, slug: str, registration_id: Id) -> dict[str, object]:
    """P7: restore a deleted registration while its seat is free (409 `offering_full` if not)."""
    membership = request.membership
    registration = restore_registration(membership=membership, registration_id=registration_id)
    fresh = organization_registrations(organization_id=membership.organization_id).get(pk=registration.pk)
    return staff_registration_out(fresh, membership.organization, timezone.now())
